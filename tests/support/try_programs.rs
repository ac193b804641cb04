//! Small programs around contended `try_lock` / `try_read` / `try_write`, shared by the loom
//! and shuttle suites: each returns its outcome, and a test collects the outcomes over an
//! exploration and asserts the full set std allows.

use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::{mpsc, Arc, Mutex, RwLock, Semaphore};
use lockstep::thread;

/// Two threads each `try_lock` a counter and bump it if they got it: the final count. std
/// allows 2 (the tries do not overlap) and 1 (one try lands while the other thread holds it).
pub fn two_try_locks() -> u32 {
    let counter = Arc::new(Mutex::named("counter", 0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                if let Some(mut count) = counter.try_lock() {
                    *count += 1;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
    let total = *counter.lock();
    total
}

/// [`two_try_locks`] with `try_write` on an RwLock: 1 or 2.
pub fn two_try_writes() -> u32 {
    let counter = Arc::new(RwLock::named("counter", 0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                if let Some(mut count) = counter.try_write() {
                    *count += 1;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
    let total = *counter.read();
    total
}

/// One thread bumps a counter under `lock`, another bumps it only if its `try_lock` gets it:
/// 1 (the try landed while the lock was held) or 2.
pub fn try_lock_against_lock() -> u32 {
    let counter = Arc::new(Mutex::named("counter", 0));
    let locker = {
        let counter = Arc::clone(&counter);
        thread::spawn(move || *counter.lock() += 1)
    };
    if let Some(mut count) = counter.try_lock() {
        *count += 1;
    }
    locker.join().expect("locker");
    let total = *counter.lock();
    total
}

/// A writer bumps a value under `write`; another thread `try_read`s it: what the read saw
/// (0 before the write, 1 after it), or `None` when the try landed while the writer held it.
pub fn try_read_against_writer() -> Option<u32> {
    let value = Arc::new(RwLock::named("value", 0));
    let writer = {
        let value = Arc::clone(&value);
        thread::spawn(move || *value.write() += 1)
    };
    let seen = value.try_read().map(|read| *read);
    writer.join().expect("writer");
    seen
}

/// A reader holds a read lock while it reads; another thread bumps the value only if its
/// `try_write` gets the lock: 0 (the try landed while the reader held it) or 1.
pub fn try_write_against_reader() -> u32 {
    let value = Arc::new(RwLock::named("value", 0));
    let reader = {
        let value = Arc::clone(&value);
        thread::spawn(move || {
            let read = value.read();
            assert!(*read <= 1);
        })
    };
    if let Some(mut write) = value.try_write() {
        *write += 1;
    }
    reader.join().expect("reader");
    let total = *value.read();
    total
}

/// A holder doubles a value kept outside the checker's sight (a `std::sync::Mutex`) under
/// `lock`; another thread adds 6 to it only if its `try_lock` of `lock` fails (else 1): from 1,
/// 8 (the try failed after the doubling, before the release), 14 (it failed before the
/// doubling), 3 (it got the lock before the holder) or 4 (after the release).
pub fn try_lock_after_invisible_work() -> u32 {
    let lock = Arc::new(Mutex::named("lock", ()));
    let value = Arc::new(std::sync::Mutex::new(1));
    let holder = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        thread::spawn(move || {
            let _guard = lock.lock();
            *value.lock().unwrap() *= 2;
        })
    };
    let add = if lock.try_lock().is_some() { 1 } else { 6 };
    *value.lock().unwrap() += add;
    holder.join().expect("holder");
    let total = *value.lock().unwrap();
    total
}

/// Shuttle's `mutex_rwlock_interaction` without its `yield_now`: +1 under `lock`, then under a
/// write lock +2 if a `try_lock` of `lock` succeeds (else +6), then +3 under `lock`, against a
/// doubling under `lock`; the values live outside the checker's sight. std allows 6, 7, 9, 11
/// (the try failed after the doubling, before its release), 12 and 17 (it failed before the
/// doubling).
pub fn mutex_rwlock_interaction_without_yield() -> u32 {
    adder_against_doubler(|| {})
}

/// Shuttle's `mutex_rwlock_interaction`: [`mutex_rwlock_interaction_without_yield`] with a
/// `yield_now` between the doubler's acquire and its doubling. std allows the same outcomes.
pub fn mutex_rwlock_interaction() -> u32 {
    adder_against_doubler(thread::yield_now)
}

/// The adder and the doubler of shuttle's `mutex_rwlock_interaction`, the doubler running
/// `before_doubling` between its acquire and its doubling: the final value.
fn adder_against_doubler(before_doubling: fn()) -> u32 {
    let lock = Arc::new(Mutex::named("lock", ()));
    let rwlock = Arc::new(RwLock::named("rw", ()));
    let value = Arc::new(std::sync::Mutex::new(0));
    let adder = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        thread::spawn(move || {
            {
                let _guard = lock.lock();
                *value.lock().unwrap() += 1;
            }
            {
                let _write = rwlock.write();
                let add = if lock.try_lock().is_some() { 2 } else { 6 };
                *value.lock().unwrap() += add;
            }
            let _guard = lock.lock();
            *value.lock().unwrap() += 3;
        })
    };
    let doubler = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        thread::spawn(move || {
            let _guard = lock.lock();
            before_doubling();
            *value.lock().unwrap() *= 2;
        })
    };
    adder.join().expect("adder");
    doubler.join().expect("doubler");
    let total = *value.lock().unwrap();
    total
}

/// [`try_lock_after_invisible_work`] on a semaphore's only permit: the holder doubles the
/// value while it holds the permit, the other thread adds 6 if its `try_acquire` fails (else
/// 1): 3, 4, 8 or 14.
pub fn try_acquire_after_invisible_work() -> u32 {
    let permits = Arc::new(Semaphore::named("permits", 1));
    let value = Arc::new(std::sync::Mutex::new(1));
    let holder = {
        let (permits, value) = (Arc::clone(&permits), Arc::clone(&value));
        thread::spawn(move || {
            let _permit = permits.acquire();
            *value.lock().unwrap() *= 2;
        })
    };
    let add = if permits.try_acquire().is_some() {
        1
    } else {
        6
    };
    *value.lock().unwrap() += add;
    holder.join().expect("holder");
    let total = *value.lock().unwrap();
    total
}

/// What a holder does between two stretches of invisible work in
/// [`try_lock_between_the_holders_steps`]: one operation of the checker's that no try depends
/// on.
#[derive(Clone, Copy, Debug)]
pub enum Separator {
    /// A store to an atomic nobody else touches.
    UnrelatedStore,
    /// Taking and releasing another lock.
    OtherLock,
    /// A send on a channel nobody receives from until the end.
    ChannelSend,
    /// An unpark of the holder's own thread (its token is kept).
    Unpark,
}

/// A holder doubles a value kept outside the checker's sight, then does `separator`, then
/// triples the value, all under `lock`; another thread adds 100 to it if its `try_lock` fails
/// (else 1000): from 1, 606 (the try failed before the doubling), 306 (between the doubling
/// and the tripling), 106 (after both), 6006 or 1006 (it got the lock before or after the
/// holder).
pub fn try_lock_between_the_holders_steps(separator: Separator) -> u32 {
    let lock = Arc::new(Mutex::named("lock", ()));
    let unrelated = Arc::new(AtomicUsize::new(0));
    let other = Arc::new(Mutex::named("other", ()));
    let (sender, receiver) = mpsc::channel::<()>();
    let value = Arc::new(std::sync::Mutex::new(1));
    let holder = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        thread::spawn(move || {
            let _guard = lock.lock();
            *value.lock().unwrap() *= 2;
            match separator {
                Separator::UnrelatedStore => unrelated.store(1, Ordering::Relaxed),
                Separator::OtherLock => drop(other.lock()),
                Separator::ChannelSend => sender.send(()).expect("the receiver lives"),
                Separator::Unpark => thread::current().unpark(),
            }
            *value.lock().unwrap() *= 3;
        })
    };
    let add = if lock.try_lock().is_some() { 1000 } else { 100 };
    *value.lock().unwrap() += add;
    holder.join().expect("holder");
    drop(receiver);
    let total = *value.lock().unwrap();
    total
}

/// A holder spins with `yield_now` under `lock` until the main thread raises a flag; another
/// thread `try_lock`s it: whether the try got the lock. std allows both; under loom a try
/// stores to the probe again after each holder's yield it waited through, and the exploration
/// must still end.
pub fn try_lock_against_a_spinning_holder() -> bool {
    let lock = Arc::new(Mutex::named("lock", ()));
    let flag = Arc::new(AtomicBool::new(false));
    let spinner = {
        let (lock, flag) = (Arc::clone(&lock), Arc::clone(&flag));
        thread::spawn(move || {
            let _guard = lock.lock();
            while !flag.load(Ordering::Acquire) {
                thread::yield_now();
            }
        })
    };
    let trier = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || lock.try_lock().is_some())
    };
    flag.store(true, Ordering::Release);
    spinner.join().expect("spinner");
    trier.join().expect("trier")
}
