//! Programs for the liveness hints (`lockstep_engine::liveness`), shared by the shuttle and
//! loom test files: a lost wake-up hidden behind a timed waiter, its fixed twin, a timeout
//! while the lock really was held, a notification that went to another waiter, a permit an
//! unfair semaphore's release woke a waiter for that another thread took, two unparks that
//! made one wake-up, and a channel's timed receive racing a send.

use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{mpsc, Arc, Condvar, Mutex, Semaphore, SemaphoreFairness};
use lockstep::thread;
use lockstep::time::{sleep, Duration, Instant};

/// What the timed waiter saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    /// It got what it waited for (the flag, the lock, a notification).
    Got,
    /// Its wait timed out.
    TimedOut,
}

/// A waiter waits up to 30 s for a flag; the setter sets it under the mutex and, with the
/// planted bug (`notify: false`), never notifies. A real machine shows only a 30 s delay:
/// `wait_timeout_while` re-checks the flag after the timeout and returns as if all went well.
pub fn flag_behind_a_timeout(notify: bool) -> Seen {
    let shared = Arc::new((Mutex::named("flag", false), Condvar::named("flag-set")));
    let setter = Arc::clone(&shared);
    let t = thread::spawn(move || {
        let (flag, set) = &*setter;
        *flag.lock() = true;
        if notify {
            set.notify_one();
        }
    });
    let (flag, set) = &*shared;
    let guard = flag.lock();
    let (guard, waited) = set.wait_timeout_while(guard, Duration::from_secs(30), |set| !*set);
    assert!(*guard, "the flag is set once the wait returns Ok");
    drop(guard);
    t.join().unwrap();
    match waited {
        Ok(()) => Seen::Got,
        Err(_) => Seen::TimedOut,
    }
}

/// The holder keeps the lock for 60 s; the waiter gives up after 30 s if it came second: a
/// timeout while the lock really was held.
pub fn timeout_while_held() -> Seen {
    let lock = Arc::new(Mutex::named("busy", 0));
    let holder = Arc::clone(&lock);
    let t = thread::spawn(move || {
        let _guard = holder.lock();
        sleep(Duration::from_secs(60));
    });
    let seen = match lock.lock_timeout(Duration::from_secs(30)) {
        Ok(_) => Seen::Got,
        Err(_) => Seen::TimedOut,
    };
    t.join().unwrap();
    seen
}

/// Two waiters wait up to 30 s for one `notify_one`: whichever loses timed out while the
/// notification went to the other. Returns what each saw, in spawn order.
pub fn one_notification_two_waiters() -> (Seen, Seen) {
    let shared = Arc::new((Mutex::named("items", 0usize), Condvar::named("item-ready")));
    let waiter = |shared: Arc<(Mutex<usize>, Condvar)>| {
        thread::spawn(move || {
            let (items, ready) = &*shared;
            let guard = items.lock();
            let (mut guard, waited) = ready.wait_timeout(guard, Duration::from_secs(30));
            match waited {
                Ok(()) => {
                    *guard -= 1;
                    Seen::Got
                }
                Err(_) => Seen::TimedOut,
            }
        })
    };
    let (a, b) = (waiter(Arc::clone(&shared)), waiter(Arc::clone(&shared)));
    {
        let (items, ready) = &*shared;
        let mut guard = items.lock();
        *guard += 1;
        ready.notify_one();
    }
    (a.join().unwrap(), b.join().unwrap())
}

/// A waiter waits up to 30 s for a permit of a semaphore that has none; a second later main
/// adds one and at once tries to take it itself (and keeps it until the waiter is done).
/// Unfair, main can win the permit the release woke the waiter for: the waiter times out.
/// FIFO, the release hands the permit to the waiter, and main's try fails. Returns what the
/// waiter saw and whether main got the permit.
pub fn permit_added_and_taken_at_once(fairness: SemaphoreFairness) -> (Seen, bool) {
    let pool = Arc::new(Semaphore::named("pool", 0).with_fairness(fairness));
    let p = Arc::clone(&pool);
    let waiter = thread::spawn(move || match p.acquire_timeout(Duration::from_secs(30)) {
        Ok(_permit) => Seen::Got,
        Err(_) => Seen::TimedOut,
    });
    sleep(Duration::from_secs(1));
    pool.add_permits(1);
    let mine = pool.try_acquire();
    let seen = waiter.join().unwrap();
    (seen, mine.is_some())
}

/// A thread expects two signals, each an unpark, and waits up to 30 s for each with
/// `park_timeout`; main unparks it twice. Both unparks can come before its first park: the
/// second is absorbed by the token the first left, and the second wait times out. With
/// `counted`, main also counts the signals and the thread parks only while fewer came than it
/// has handled, so an absorbed unpark loses nothing. Returns how many waits timed out.
///
/// Uncounted, the waiter does nothing but park: the facade's park and unpark depend on each
/// other under loom (raw loom's do not, so raw loom never runs the first park between the two
/// unparks).
pub fn two_unparks(counted: bool) -> usize {
    let signals = Arc::new(AtomicUsize::new(0));
    let s = Arc::clone(&signals);
    let waiter = thread::spawn(move || {
        let mut timed_out = 0;
        for handled in 0..2 {
            if counted && s.load(Ordering::Acquire) > handled {
                continue;
            }
            let start = Instant::now();
            thread::park_timeout(Duration::from_secs(30));
            if start.elapsed() >= Duration::from_secs(30) {
                timed_out += 1;
            }
        }
        timed_out
    });
    for _ in 0..2 {
        signals.fetch_add(1, Ordering::Release);
        waiter.thread().unpark();
    }
    waiter.join().unwrap()
}

/// A receiver waits up to 30 s for a message that a sender sends after `delay`: it gets it if
/// the delay is shorter, else it times out with the channel empty.
pub fn recv_timeout_racing_a_send(delay: Duration) -> Seen {
    let (tx, rx) = mpsc::named_channel("inbox");
    let sender = thread::spawn(move || {
        sleep(delay);
        let _ = tx.send(1u8);
    });
    let seen = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(_) => Seen::Got,
        Err(_) => Seen::TimedOut,
    };
    drop(rx);
    sender.join().unwrap();
    seen
}
