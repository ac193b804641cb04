//! Condvar programs shared by the std, shuttle and loom test files: which waiter a
//! `notify_one` wakes, and a ticket lock that is correct only if `notify_one` wakes the oldest
//! waiter (a planted bug: std promises no order).

use lockstep::sync::{Arc, Condvar, Mutex};
use lockstep::thread;
use lockstep::time::Duration;
use std::collections::BTreeSet;

/// How long an unnotified waiter waits before giving up (virtual time under simulation).
const PATIENCE: Duration = Duration::from_secs(1);

/// What the waiters of [`woken_by_one_notify`] share.
#[derive(Default)]
struct Queue {
    /// How many waiters have queued so far; a waiter's position is the count it saw.
    queued: usize,
}

/// One execution: `waiters` threads queue on a condvar one after another (each takes its
/// position and starts waiting in one critical section, so position order is arrival order),
/// then the main thread calls `notify_one` once. Returns the positions of the waiters that were
/// notified; the others time out after [`PATIENCE`].
pub fn woken_by_one_notify(waiters: usize) -> BTreeSet<usize> {
    let shared = Arc::new((
        Mutex::named("queue", Queue::default()),
        Condvar::named("wakeup"),
        Condvar::named("all-queued"),
    ));
    let handles: Vec<_> = (0..waiters)
        .map(|_| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                let (queue, wakeup, all_queued) = &*shared;
                let mut guard = queue.lock();
                let position = guard.queued;
                guard.queued += 1;
                all_queued.notify_one();
                let (_guard, woke) = wakeup.wait_timeout(guard, PATIENCE);
                woke.is_ok().then_some(position)
            })
        })
        .collect();
    {
        let (queue, wakeup, all_queued) = &*shared;
        let guard = all_queued.wait_while(queue.lock(), |q| q.queued < waiters);
        wakeup.notify_one();
        drop(guard);
    }
    handles
        .into_iter()
        .filter_map(|h| h.join().expect("waiter panicked"))
        .collect()
}

/// A ticket lock's state: the next ticket to hand out and the ticket being served.
#[derive(Default)]
struct Tickets {
    next: usize,
    serving: usize,
}

/// A ticket lock built on a condvar, used by `threads` threads once each: a thread takes a
/// ticket, waits until its ticket is served, does its turn outside the lock, and then serves
/// the next ticket. With `notify_all` false the release wakes one waiter only, which is correct
/// only if that is the oldest one (the next ticket): when another waiter is woken it waits
/// again, and the next ticket's holder is never woken, a deadlock. Returns the order in which
/// tickets were served.
pub fn ticket_lock(threads: usize, notify_all: bool) -> Vec<usize> {
    let shared = Arc::new((
        Mutex::named("tickets", Tickets::default()),
        Condvar::named("turn"),
        Mutex::named("served", Vec::new()),
    ));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                let (tickets, turn, served) = &*shared;
                let mut guard = tickets.lock();
                let mine = guard.next;
                guard.next += 1;
                drop(turn.wait_while(guard, |t| t.serving != mine));
                served.lock().push(mine);
                tickets.lock().serving += 1;
                if notify_all {
                    turn.notify_all();
                } else {
                    turn.notify_one();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("ticket holder panicked");
    }
    let served = shared.2.lock().clone();
    served
}

/// One execution: a notifier that does not hold the mutex sets a flag and calls `notify_one`;
/// the waiter reads the flag under the mutex, then waits (at most [`PATIENCE`]). Returns
/// whether the waiter saw the flag and whether it was notified.
pub fn unlocked_notify_race() -> (bool, bool) {
    use lockstep::sync::atomic::{AtomicBool, Ordering};
    let shared = Arc::new((
        Mutex::named("m", ()),
        Condvar::named("cv"),
        AtomicBool::new(false),
    ));
    let notifier = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            shared.2.store(true, Ordering::SeqCst);
            shared.1.notify_one();
        })
    };
    let (mutex, condvar, flag) = &*shared;
    let guard = mutex.lock();
    let saw = flag.load(Ordering::SeqCst);
    let (guard, woke) = condvar.wait_timeout(guard, PATIENCE);
    drop(guard);
    notifier.join().expect("notifier panicked");
    (saw, woke.is_ok())
}

/// One execution of `Condvar::wait_timeout_while` with `timeout` (virtual time under
/// simulation) on a flag: a helper thread, at each `(secs, set)` of `events` (times since the
/// start, increasing), notifies all waiters, first setting the flag if `set`. Returns whether
/// the wait ended with the flag set, the error's message otherwise, and when it ended (whole
/// seconds since the start).
pub fn timed_wait_while(
    timeout: Duration,
    events: &'static [(u64, bool)],
) -> (Result<(), String>, u64) {
    use lockstep::time::{sleep, Instant};
    let shared = Arc::new((Mutex::named("flag", false), Condvar::named("flag-set")));
    let start = Instant::now();
    let helper = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            for &(at, set) in events {
                sleep(Duration::from_secs(at).saturating_sub(start.elapsed()));
                let mut flag = shared.0.lock();
                *flag |= set;
                shared.1.notify_all();
            }
        })
    };
    let (flag, flag_set) = &*shared;
    let (guard, waited) = flag_set.wait_timeout_while(flag.lock(), timeout, |set| !*set);
    assert_eq!(*guard, waited.is_ok(), "Ok exactly when the flag is set");
    drop(guard);
    let ended = start.elapsed().as_secs();
    helper.join().expect("helper panicked");
    (waited.map_err(|e| e.to_string()), ended)
}

/// The classic lost wake-up: a waiter checks a flag under the mutex and, if it is not set,
/// waits once (no timeout); the notifier sets the flag and calls `notify_one`, holding the
/// mutex while it does so only if `notify_under_lock`. Without the lock the notification can
/// land between the waiter's check and its wait, and the waiter sleeps forever: a deadlock
/// report naming the condvar. Under the lock it never does.
pub fn lost_wake_up(notify_under_lock: bool) {
    use lockstep::sync::atomic::{AtomicBool, Ordering};
    let shared = Arc::new((
        Mutex::named("state", ()),
        Condvar::named("ready"),
        AtomicBool::new(false),
    ));
    let notifier = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            let (mutex, condvar, flag) = &*shared;
            let guard = notify_under_lock.then(|| mutex.lock());
            flag.store(true, Ordering::SeqCst);
            condvar.notify_one();
            drop(guard);
        })
    };
    let (mutex, condvar, flag) = &*shared;
    let guard = mutex.lock();
    let guard = if flag.load(Ordering::SeqCst) {
        guard
    } else {
        condvar.wait(guard)
    };
    drop(guard);
    notifier.join().expect("notifier panicked");
}
