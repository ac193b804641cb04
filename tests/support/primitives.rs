//! Programs over the new primitives (park and unpark, scoped threads, the current thread,
//! atomics of every width, owned permits, random draws), written once against the facade and
//! run by the std, shuttle and loom suites. Each returns its outcome so a suite can collect the
//! set an exploration reaches.
#![allow(dead_code)] // each suite uses the programs of its concern

use lockstep::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicUsize, Ordering};
use lockstep::sync::{Arc, Mutex, Semaphore};
use lockstep::thread;
use lockstep::time::{Duration, Instant};

/// A child records whether the flag was already set when it first looked, then parks until it
/// is; main sets the flag and unparks it. `true`: main's unpark came before the child's look.
pub fn park_unpark_order() -> bool {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&flag);
    let child = thread::spawn(move || {
        let early = seen.load(Ordering::Acquire);
        while !seen.load(Ordering::Acquire) {
            thread::park();
        }
        early
    });
    flag.store(true, Ordering::Release);
    child.thread().unpark();
    child.join().unwrap()
}

/// Planted bug: main unparks *before* it sets the flag, and the child trusts one return from
/// `park` to mean the flag is set.
pub fn unpark_before_publish() {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&flag);
    let child = thread::spawn(move || {
        thread::park();
        assert!(
            seen.load(Ordering::Acquire),
            "woken before the flag was set"
        );
    });
    child.thread().unpark();
    flag.store(true, Ordering::Release);
    child.join().unwrap();
}

/// A park that nothing ends.
pub fn park_forever() {
    let _idle = thread::Builder::new()
        .name("idle")
        .spawn(|| {})
        .unwrap()
        .join();
    thread::park();
}

/// Main parks for at most `timeout`; a child sleeps `unpark_after`, then unparks it. Returns
/// the virtual time main's park returned at.
pub fn park_timeout_against(unpark_after: Duration, timeout: Duration) -> Duration {
    let start = Instant::now();
    let main = thread::current();
    let child = thread::spawn(move || {
        lockstep::time::sleep(unpark_after);
        main.unpark();
    });
    thread::park_timeout(timeout);
    let woke = start.elapsed();
    child.join().unwrap();
    woke
}

/// Two scoped threads append their number to a vector borrowed from main's stack.
pub fn scoped_appends() -> Vec<u8> {
    let log = Mutex::new(Vec::new());
    thread::scope(|s| {
        s.spawn(|| log.lock().push(1));
        s.spawn(|| log.lock().push(2));
    });
    log.into_inner()
}

/// Planted bug: two scoped threads increment a borrowed counter with a load and a store.
pub fn scoped_lost_update() {
    let hits = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let seen = hits.load(Ordering::SeqCst);
                hits.store(seen + 1, Ordering::SeqCst);
            });
        }
    });
    let hits = hits.into_inner();
    assert!(
        hits == 2,
        "lost update: {hits} hits after 2 scoped increments"
    );
}

/// The ids and names a program's threads see: main, an unnamed and a named child.
pub fn thread_identities() -> Vec<(String, Option<String>)> {
    let describe = || {
        let me = thread::current();
        (format!("{:?}", me.id()), me.name().map(str::to_owned))
    };
    let unnamed = thread::spawn(describe);
    let named = thread::Builder::new()
        .name("worker")
        .spawn(describe)
        .unwrap();
    vec![describe(), unnamed.join().unwrap(), named.join().unwrap()]
}

/// Two threads race a compare-exchange from 0 to their number; returns the winner.
pub fn cas_race() -> u8 {
    let cell = Arc::new(AtomicU8::new(0));
    let handles: Vec<_> = (1..=2u8)
        .map(|me| {
            let cell = Arc::clone(&cell);
            thread::spawn(move || {
                let _ = cell.compare_exchange(0, me, Ordering::AcqRel, Ordering::Acquire);
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    cell.load(Ordering::Acquire)
}

/// Two threads swap their own box into an `AtomicPtr`; returns which one ended in it.
pub fn pointer_swap_race() -> u8 {
    let slots = Arc::new([1u8, 2u8]);
    let ptr = Arc::new(AtomicPtr::new(std::ptr::null_mut::<u8>()));
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let (ptr, slots) = (Arc::clone(&ptr), Arc::clone(&slots));
            thread::spawn(move || {
                let mine = &slots[i] as *const u8 as *mut u8;
                ptr.swap(mine, Ordering::AcqRel);
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    // SAFETY: the pointer is one of `slots`' elements, alive for the whole program.
    unsafe { *ptr.load(Ordering::Acquire) }
}

/// Defines a program: two threads each add 1 to an atomic of type `$atomic` with
/// `fetch_add`, or (the planted bug) with a load and a store; returns the final value.
macro_rules! increments {
    ($name:ident, $atomic:ident) => {
        pub fn $name(racy: bool) -> u64 {
            use lockstep::sync::atomic::$atomic;
            let cell = Arc::new($atomic::new(0));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let cell = Arc::clone(&cell);
                    thread::spawn(move || {
                        if racy {
                            let seen = cell.load(Ordering::SeqCst);
                            cell.store(seen + 1, Ordering::SeqCst);
                        } else {
                            cell.fetch_add(1, Ordering::SeqCst);
                        }
                    })
                })
                .collect();
            for handle in handles {
                handle.join().unwrap();
            }
            cell.load(Ordering::SeqCst) as u64
        }
    };
}
increments!(increments_i8, AtomicI8);
increments!(increments_i16, AtomicI16);
increments!(increments_i32, AtomicI32);
increments!(increments_i64, AtomicI64);
increments!(increments_isize, AtomicIsize);
increments!(increments_u8, AtomicU8);
increments!(increments_u16, AtomicU16);
increments!(increments_u32, AtomicU32);
increments!(increments_u64, AtomicU64);
increments!(increments_usize, AtomicUsize);

/// A program of two increments of one atomic (`true`: the racy load-and-store), returning the
/// final value.
pub type Increments = fn(bool) -> u64;

/// Every width's increment program, by name.
pub const INCREMENTS: [(&str, Increments); 10] = [
    ("i8", increments_i8),
    ("i16", increments_i16),
    ("i32", increments_i32),
    ("i64", increments_i64),
    ("isize", increments_isize),
    ("u8", increments_u8),
    ("u16", increments_u16),
    ("u32", increments_u32),
    ("u64", increments_u64),
    ("usize", increments_usize),
];

/// Main takes the only permit of a pool as an owned permit and hands it to a child, which
/// drops it; a second child waits for it. Returns the permits free at the end.
pub fn owned_permit_moves_threads() -> usize {
    let pool = Arc::new(Semaphore::named("pool", 1));
    let permit = Arc::clone(&pool).acquire_owned();
    let waiter = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || drop(pool.acquire_owned()))
    };
    let dropper = thread::spawn(move || drop(permit));
    dropper.join().unwrap();
    waiter.join().unwrap();
    pool.available_permits()
}

/// Planted bug: a worker forgets its owned permit (never returned); the next acquire waits
/// forever.
pub fn leaked_owned_permit() {
    let pool = Arc::new(Semaphore::named("pool", 1));
    let worker = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || std::mem::forget(pool.acquire_owned()))
    };
    worker.join().unwrap();
    let _again = pool.acquire_owned();
}

/// A waiter blocks on an empty gate; main adds a permit. Returns whether the waiter got it.
pub fn add_permits_wakes_a_waiter() -> bool {
    let gate = Arc::new(Semaphore::named("gate", 0));
    let waiter = {
        let gate = Arc::clone(&gate);
        thread::spawn(move || gate.acquire_owned_timeout(Duration::from_secs(5)).is_ok())
    };
    gate.add_permits(1);
    waiter.join().unwrap()
}

/// An owned permit's timed acquire against a holder that keeps it for `hold`: the virtual time
/// the acquire ended at, and whether it got the permit.
pub fn owned_timeout_against_holder(hold: Duration, timeout: Duration) -> (Duration, bool) {
    let pool = Arc::new(Semaphore::named("pool", 1));
    let start = Instant::now();
    let held = Arc::clone(&pool).acquire_owned();
    let holder = thread::spawn(move || {
        lockstep::time::sleep(hold);
        drop(held);
    });
    let got = pool.acquire_owned_timeout(timeout).is_ok();
    let ended = start.elapsed();
    holder.join().unwrap();
    (ended, got)
}

/// Main and a child each draw a number in 0..1000; returns both.
pub fn two_draws() -> (u32, u32) {
    let child = thread::spawn(|| lockstep::random::gen_range(0..1000u32));
    let mine = lockstep::random::gen_range(0..1000u32);
    (mine, child.join().unwrap())
}

/// Planted bug: a retry budget drawn at random, which the code assumes is never the maximum.
pub fn random_retry_budget() {
    let budget = lockstep::random::gen_range(1..=4u8);
    assert!(budget < 4, "retry budget {budget} overflows the table");
}
