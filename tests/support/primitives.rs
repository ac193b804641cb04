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

/// A hand-made reentrant lock that records its holder by `thread::current().id()`. Planted
/// bug (`bug`): it checks for a free (or already own) lock and claims it in two separate
/// critical sections, so two threads can both find it free. Each of two threads enters,
/// checks it is alone inside, enters again (reentrantly) and leaves twice.
pub fn reentrant_lock_by_thread_id(bug: bool) {
    type Holder = Option<(thread::ThreadId, usize)>;
    /// The depth `me` reaches by entering under `holder`, if it may enter.
    fn claim(holder: Holder, me: thread::ThreadId) -> Option<usize> {
        match holder {
            None => Some(1),
            Some((owner, depth)) if owner == me => Some(depth + 1),
            Some(_) => None,
        }
    }
    let holder: Arc<Mutex<Holder>> = Arc::new(Mutex::new(None));
    let inside = Arc::new(AtomicUsize::new(0));
    let enter = move |holder: &Mutex<Holder>| {
        let me = thread::current().id();
        loop {
            if bug {
                let may = claim(*holder.lock(), me).is_some();
                if may {
                    let mut held = holder.lock();
                    let depth = claim(*held, me).unwrap_or(1);
                    *held = Some((me, depth));
                    return;
                }
            } else {
                let mut held = holder.lock();
                if let Some(depth) = claim(*held, me) {
                    *held = Some((me, depth));
                    return;
                }
            }
            thread::yield_now();
        }
    };
    let exit = |holder: &Mutex<Holder>| {
        let mut held = holder.lock();
        *held = match *held {
            Some((owner, depth)) if depth > 1 => Some((owner, depth - 1)),
            _ => None,
        };
    };
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (holder, inside) = (Arc::clone(&holder), Arc::clone(&inside));
            thread::spawn(move || {
                enter(&holder);
                let others = inside.fetch_add(1, Ordering::SeqCst);
                assert_eq!(others, 0, "two threads inside the reentrant lock");
                enter(&holder);
                exit(&holder);
                inside.fetch_sub(1, Ordering::SeqCst);
                exit(&holder);
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}

/// A Treiber stack on an `AtomicPtr`: two threads push one node each, then main counts the
/// nodes (and frees them). Planted bug (`bug`): a push loads the head and stores the new node
/// instead of `compare_exchange`-ing it, so one push can overwrite the other.
pub fn treiber_pushes(bug: bool) {
    struct Node {
        next: *mut Node,
    }
    let top = Arc::new(AtomicPtr::<Node>::new(std::ptr::null_mut()));
    let pushers: Vec<_> = (0..2)
        .map(|_| {
            let top = Arc::clone(&top);
            thread::spawn(move || {
                let node = Box::into_raw(Box::new(Node {
                    next: std::ptr::null_mut(),
                }));
                let mut head = top.load(Ordering::Acquire);
                loop {
                    // SAFETY: `node` is this thread's until it is published below.
                    unsafe { (*node).next = head };
                    if bug {
                        top.store(node, Ordering::Release);
                        return;
                    }
                    match top.compare_exchange(head, node, Ordering::AcqRel, Ordering::Acquire) {
                        Ok(_) => return,
                        Err(actual) => head = actual,
                    }
                }
            })
        })
        .collect();
    for pusher in pushers {
        pusher.join().unwrap();
    }
    let mut nodes = 0;
    let mut at = top.load(Ordering::Acquire);
    while !at.is_null() {
        // SAFETY: every node reachable from `top` was boxed by a pusher, and is freed once.
        let node = unsafe { Box::from_raw(at) };
        at = node.next;
        nodes += 1;
    }
    assert_eq!(nodes, 2, "lost a push: {nodes} of 2 nodes on the stack");
}

/// A producer hands items to a consumer: one permit per item, added with `add_permits`.
/// Planted bug (`bug`): the producer adds the permit before it queues the item, so the
/// consumer can hold a permit for an item that is not there yet.
pub fn add_permits_before_the_item(bug: bool) {
    let permits = Arc::new(Semaphore::named("items", 0));
    let queue = Arc::new(Mutex::new(Vec::new()));
    let producer = {
        let (permits, queue) = (Arc::clone(&permits), Arc::clone(&queue));
        thread::spawn(move || {
            if bug {
                permits.add_permits(1);
                queue.lock().push(7);
            } else {
                queue.lock().push(7);
                permits.add_permits(1);
            }
        })
    };
    let _permit = permits.acquire();
    let item = queue.lock().pop();
    assert_eq!(item, Some(7), "a permit without an item");
    producer.join().unwrap();
}

/// Message passing through relaxed atomics: the writer stores the data, then the flag; a
/// reader that sees the flag reads the data. Planted bug (`bug`): no fences, so the reader can
/// see the flag and stale data (under loom; shuttle's atomics are sequentially consistent).
/// The fix puts a release fence before the flag store and an acquire fence after its load.
pub fn fenced_message(bug: bool) {
    use lockstep::sync::atomic::fence;
    let data = Arc::new(AtomicUsize::new(0));
    let flag = Arc::new(AtomicBool::new(false));
    let writer = {
        let (data, flag) = (Arc::clone(&data), Arc::clone(&flag));
        thread::spawn(move || {
            data.store(42, Ordering::Relaxed);
            if !bug {
                fence(Ordering::Release);
            }
            flag.store(true, Ordering::Relaxed);
        })
    };
    if flag.load(Ordering::Relaxed) {
        if !bug {
            fence(Ordering::Acquire);
        }
        assert_eq!(
            data.load(Ordering::Relaxed),
            42,
            "saw the flag but not the data"
        );
    }
    writer.join().unwrap();
}
