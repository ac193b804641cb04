//! Semaphore programs shared by the std, shuttle and loom test files: the order permits are
//! granted in (FIFO or unfair), `acquire_many` and `try_acquire_many`, a head waiter that times
//! out, and a hand-built fair semaphore (Mutex + Condvar) with the classic planted bug: its
//! timed-out head waiter never wakes the next one.
//!
//! std has no semaphore; tokio's is the reference for what these programs may observe.
#![allow(dead_code)] // each test file uses some of the programs

use lockstep::sync::{Arc, Condvar, Mutex, Semaphore, SemaphoreFairness};
use lockstep::thread;
use lockstep::time::{Duration, Instant};
use lockstep::LockError;
use std::collections::VecDeque;

/// How long the head waiter of [`head_waiter_times_out`] waits (virtual time under simulation).
pub const HEAD_PATIENCE: Duration = Duration::from_millis(20);

/// One execution: the main thread holds the only permit while `waiters` threads queue for it,
/// one after another (waiter `i` first sleeps `i` ms of virtual time, so under simulation it
/// queues only once the earlier ones are parked); then it lets the permit go. Returns the
/// waiters in the order they got the permit.
pub fn grant_order(fairness: SemaphoreFairness, waiters: usize) -> Vec<usize> {
    let pool = Arc::new(Semaphore::named("pool", 1).with_fairness(fairness));
    let order = Arc::new(Mutex::named("order", Vec::new()));
    let held = pool.acquire();
    let handles: Vec<_> = (0..waiters)
        .map(|i| {
            let (pool, order) = (Arc::clone(&pool), Arc::clone(&order));
            thread::spawn(move || {
                lockstep::time::sleep(Duration::from_millis(i as u64));
                let _permit = pool.acquire();
                order.lock().push(i);
            })
        })
        .collect();
    lockstep::time::sleep(Duration::from_millis(waiters as u64));
    drop(held);
    for handle in handles {
        handle.join().expect("waiter panicked");
    }
    let order = order.lock().clone();
    order
}

/// Spins (yielding) until `pool` has no permit available: on a FIFO semaphore with free
/// permits, that is the moment a waiter has queued.
fn until_queued(pool: &Semaphore) {
    while pool.available_permits() > 0 {
        thread::yield_now();
    }
}

/// One execution on a semaphore of 1 permit: thread `big` queues for 2 permits, then thread
/// `small` asks for 1 (the free one), then the main thread tries for 1 and adds a permit.
/// Returns whether the main thread's try succeeded and the order the two threads were served
/// in. FIFO: the try fails and `big` is always first (nobody overtakes the head); unfair: the
/// try succeeds and `small` is served at once, before `big`.
pub fn head_of_line(fairness: SemaphoreFairness) -> (bool, Vec<&'static str>) {
    let pool = Arc::new(Semaphore::named("pool", 1).with_fairness(fairness));
    let order = Arc::new(Mutex::named("order", Vec::new()));
    let spawn = |name: &'static str, n: usize| {
        let (pool, order) = (Arc::clone(&pool), Arc::clone(&order));
        thread::spawn(move || {
            let _permits = pool.acquire_many(n);
            order.lock().push(name);
        })
    };
    let big = spawn("big", 2);
    if fairness == SemaphoreFairness::Fifo {
        until_queued(&pool);
    }
    let small = spawn("small", 1);
    let tried = match pool.try_acquire() {
        Some(permit) => {
            drop(permit);
            true
        }
        None => false,
    };
    pool.add_permits(1);
    big.join().expect("big panicked");
    small.join().expect("small panicked");
    let order = order.lock().clone();
    (tried, order)
}

/// One execution: the main thread holds 2 of 3 permits; a thread asks for 2. Returns the
/// events in order: it is served only once the main thread gave its 2 back, and then 1
/// permit is left.
pub fn acquire_many_waits() -> Vec<String> {
    let pool = Arc::new(Semaphore::named("pool", 3));
    let events = Arc::new(Mutex::named("events", Vec::new()));
    let two = pool.acquire_many(2);
    let taker = {
        let (pool, events) = (Arc::clone(&pool), Arc::clone(&events));
        thread::spawn(move || {
            let permits = pool.acquire_many(2);
            let left = pool.available_permits();
            events
                .lock()
                .push(format!("took {}, {left} left", permits.num_permits()));
        })
    };
    events.lock().push("main gives 2 back".to_owned());
    drop(two);
    taker.join().expect("taker panicked");
    let events = events.lock().clone();
    events
}

/// A semaphore as [`head_waiter_times_out`] uses it: the facade's, or a hand-built one.
pub trait Permits: Send + Sync + 'static {
    /// Takes `n` permits, waiting at most `timeout` (forever if `None`); `false` if it timed
    /// out.
    fn take(&self, n: usize, timeout: Option<Duration>) -> bool;
    /// Gives `n` permits back.
    fn give(&self, n: usize);
}

impl Permits for Semaphore {
    fn take(&self, n: usize, timeout: Option<Duration>) -> bool {
        let permits = match timeout {
            Some(timeout) => match self.acquire_many_timeout(n, timeout) {
                Ok(permits) => permits,
                Err(LockError::Timeout { .. }) => return false,
                Err(other) => panic!("{other}"),
            },
            None => self.acquire_many(n),
        };
        // The program gives permits back explicitly (as the hand-built semaphore needs).
        std::mem::forget(permits);
        true
    }

    fn give(&self, n: usize) {
        self.add_permits(n);
    }
}

/// One execution on a fair semaphore of 2 permits: the main thread takes 1; thread `head`
/// asks for 2 with a timeout, thread `next` for 1 (no timeout), both at once. If `head`
/// queues first, `next` queues behind it although a permit is free; when `head` times out,
/// `next` must be served. The main thread waits for both before it gives its permit back.
/// Returns whether `head` got its permits and when `next` got its permit (time since the
/// start; virtual under simulation).
pub fn head_waiter_times_out<P: Permits>(pool: P) -> (bool, Duration) {
    let pool = Arc::new(pool);
    let start = Instant::now();
    assert!(pool.take(1, None));
    let head = {
        let pool = Arc::clone(&pool);
        thread::Builder::new()
            .name("head".to_owned())
            .spawn(move || pool.take(2, Some(HEAD_PATIENCE)))
            .expect("spawn head")
    };
    let next = {
        let pool = Arc::clone(&pool);
        thread::Builder::new()
            .name("next".to_owned())
            .spawn(move || {
                assert!(pool.take(1, None));
                let served = start.elapsed();
                pool.give(1);
                served
            })
            .expect("spawn next")
    };
    let head_served = head.join().expect("head panicked");
    let next_served = next.join().expect("next panicked");
    pool.give(1);
    (head_served, next_served)
}

/// A fair semaphore built by hand on a Mutex and a Condvar, as in many code bases: waiters
/// queue by ticket and the head is served when enough permits are free. With
/// `forgets_next_waiter`, a head waiter that times out leaves the queue without waking the
/// others: the classic bug that strands the next waiter although its permits are free.
pub struct HandBuiltFair {
    state: Mutex<FairState>,
    changed: Condvar,
    forgets_next_waiter: bool,
}

struct FairState {
    free: usize,
    next_ticket: u64,
    queue: VecDeque<u64>,
}

impl HandBuiltFair {
    /// `permits` permits; `forgets_next_waiter` plants the bug.
    pub fn new(permits: usize, forgets_next_waiter: bool) -> Self {
        HandBuiltFair {
            state: Mutex::named(
                "fair-state",
                FairState {
                    free: permits,
                    next_ticket: 0,
                    queue: VecDeque::new(),
                },
            ),
            changed: Condvar::named("fair-changed"),
            forgets_next_waiter,
        }
    }
}

impl Permits for HandBuiltFair {
    fn take(&self, n: usize, timeout: Option<Duration>) -> bool {
        let mut state = self.state.lock();
        if state.queue.is_empty() && state.free >= n {
            state.free -= n;
            return true;
        }
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back(ticket);
        let not_my_turn = |s: &mut FairState| !(s.queue.front() == Some(&ticket) && s.free >= n);
        let (mut state, served) = match timeout {
            Some(timeout) => {
                let (state, result) = self.changed.wait_timeout_while(state, timeout, not_my_turn);
                (state, result.is_ok())
            }
            None => (self.changed.wait_while(state, not_my_turn), true),
        };
        if served {
            state.queue.pop_front();
            state.free -= n;
        } else {
            state.queue.retain(|&t| t != ticket);
        }
        // The new head may be served now; the bug skips telling it when a waiter gives up.
        if served || !self.forgets_next_waiter {
            self.changed.notify_all();
        }
        served
    }

    fn give(&self, n: usize) {
        self.state.lock().free += n;
        self.changed.notify_all();
    }
}

/// One execution: a thread waits for the one permit of an empty semaphore while the main
/// thread adds it. The waiter is served whenever the release lands (also between its failed
/// try and its wait). Returns the permits left once it is done.
pub fn release_races_a_waiter(fairness: SemaphoreFairness) -> usize {
    let pool = Arc::new(Semaphore::named("pool", 0).with_fairness(fairness));
    let waiter = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || drop(pool.acquire()))
    };
    pool.add_permits(1);
    waiter.join().expect("waiter panicked");
    pool.available_permits()
}
