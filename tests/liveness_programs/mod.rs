//! Programs for the liveness hints (`lockstep_engine::liveness`), shared by the shuttle and
//! loom test files: a lost wake-up hidden behind a timed waiter, its fixed twin, a timeout
//! while the lock really was held, and a notification that went to another waiter.

use lockstep::sync::{Arc, Condvar, Mutex};
use lockstep::thread;
use lockstep::time::{sleep, Duration};

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
