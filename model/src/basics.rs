//! Small concurrent programs with known answers: each returns what it observed, so a test can
//! assert the outcome and a checker can look for the executions where it goes wrong.

use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, Mutex, Semaphore};
use lockstep::thread;
use lockstep::time::{sleep, Duration, Instant};
use lockstep::LockError;

/// `workers` threads each add one to a shared counter; returns the final value (`workers`
/// when correct).
///
/// With `read_then_write` (the planted bug) each thread reads and writes in two separate
/// critical sections, so an interleaving loses an update.
pub fn counter_increments(workers: usize, read_then_write: bool) -> usize {
    let counter = Arc::new(Mutex::named("counter", 0));
    let workers: Vec<_> = (0..workers)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                if read_then_write {
                    let seen = *counter.lock();
                    *counter.lock() = seen + 1;
                } else {
                    *counter.lock() += 1;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker panicked");
    }
    let total = *counter.lock();
    total
}

/// `threads` threads each take a permit of a `permits`-permit semaphore and hold it briefly;
/// returns the most holders seen at once (never more than `permits` when correct).
pub fn pool_occupancy(threads: usize, permits: usize) -> usize {
    let pool = Arc::new(Semaphore::named("pool", permits));
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (pool, inside, most) = (Arc::clone(&pool), Arc::clone(&inside), Arc::clone(&most));
            thread::spawn(move || {
                let _permit = pool.acquire();
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                inside.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker panicked");
    }
    most.load(Ordering::SeqCst)
}

/// How a timed acquire ended, and when (time since the program started).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Acquire {
    /// Got the lock at this time.
    Acquired(Duration),
    /// Gave up at this time.
    TimedOut(Duration),
}

/// A holder takes a lock and keeps it for `hold` (sleeping), while a waiter asks for it with
/// `timeout`. `holder_first` makes the holder take the lock before the waiter exists; otherwise
/// the two race. Returns what the waiter got.
pub fn timed_acquire_against_holder(
    hold: Duration,
    timeout: Duration,
    holder_first: bool,
) -> Acquire {
    let start = Instant::now();
    let lock = Arc::new(Mutex::named("resource", ()));
    let holder = {
        let lock = Arc::clone(&lock);
        move || {
            let _guard = lock.lock();
            sleep(hold);
        }
    };
    let waiter = {
        let lock = Arc::clone(&lock);
        move || match lock.lock_timeout(timeout) {
            Ok(_guard) => Acquire::Acquired(start.elapsed()),
            Err(LockError::Timeout { .. }) => Acquire::TimedOut(start.elapsed()),
            Err(other) => panic!("{other}"),
        }
    };
    if holder_first {
        let guard = lock.lock();
        let waiter = thread::spawn(waiter);
        sleep(hold);
        drop(guard);
        waiter.join().expect("waiter panicked")
    } else {
        let holder = thread::spawn(holder);
        let waiter = thread::spawn(waiter);
        holder.join().expect("holder panicked");
        waiter.join().expect("waiter panicked")
    }
}

/// Two threads take two locks in opposite orders (A then B, B then A): some interleavings
/// deadlock. Returns normally when the interleaving did not.
pub fn opposite_lock_order() {
    let a = Arc::new(Mutex::named("A", ()));
    let b = Arc::new(Mutex::named("B", ()));
    let first = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::spawn(move || {
            let _a = a.lock();
            let _b = b.lock();
        })
    };
    let second = thread::spawn(move || {
        let _b = b.lock();
        let _a = a.lock();
    });
    first.join().expect("first panicked");
    second.join().expect("second panicked");
}

/// `workers` threads each take two locks in the same order once and add one to the counter
/// each guards (the benchmark workload); returns the two counters (both `workers`).
///
/// ```
/// assert_eq!(model::basics::ordered_pairs(3), (3, 3));
/// ```
pub fn ordered_pairs(workers: usize) -> (u64, u64) {
    let a = Arc::new(Mutex::named("A", 0u64));
    let b = Arc::new(Mutex::named("B", 0u64));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (a, b) = (Arc::clone(&a), Arc::clone(&b));
            thread::spawn(move || {
                let mut a = a.lock();
                let mut b = b.lock();
                *a += 1;
                *b += 1;
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("worker panicked");
    }
    let counts = (*a.lock(), *b.lock());
    counts
}
