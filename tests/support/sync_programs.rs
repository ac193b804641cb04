//! Small programs over the channels, the barrier and the one-time initializers, shared by the
//! std, shuttle and loom test files. Each returns what it observed (as text where std's types
//! are not ordered), so a test can collect the outcomes of an exploration and compare them
//! with every outcome std allows; the planted bugs panic with their message.
#![allow(dead_code)] // each test file uses the programs of its own concern

use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::mpsc;
use lockstep::sync::{Arc, Barrier, LazyLock, Mutex, Once, OnceLock};
use lockstep::thread;
use lockstep::time::{sleep, Duration, Instant};

// ---- channels ----

/// Two threads send their number; the receiver's order of the two.
pub fn two_senders() -> Vec<u8> {
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = [1u8, 2]
        .into_iter()
        .map(|n| {
            let tx = tx.clone();
            thread::spawn(move || tx.send(n).unwrap())
        })
        .collect();
    drop(tx);
    let order = vec![rx.recv().unwrap(), rx.recv().unwrap()];
    for handle in handles {
        handle.join().unwrap();
    }
    order
}

/// [`two_senders`] with the order checked away (a program with one outcome, for counting
/// executions).
pub fn two_senders_sorted() {
    let mut order = two_senders();
    order.sort();
    assert_eq!(order, [1, 2]);
}

/// A `try_recv` racing a send.
pub fn try_recv_against_send() -> String {
    let (tx, rx) = mpsc::channel();
    let sender = thread::spawn(move || tx.send(1u8).unwrap());
    let got = format!("{:?}", rx.try_recv());
    sender.join().unwrap();
    got
}

/// A `try_recv` racing a thread that only drops the last sender; main then drops the
/// receiver without joining (so the sender's drop may come last, with the receiver gone).
pub fn try_recv_against_sender_drop() -> String {
    let (tx, rx) = mpsc::channel::<u8>();
    thread::spawn(move || drop(tx));
    let got = format!("{:?}", rx.try_recv());
    drop(rx);
    got
}

/// A `try_send` into a channel of one racing a thread that only drops the receiver.
pub fn try_send_against_receiver_drop() -> String {
    let (tx, rx) = mpsc::sync_channel::<u8>(1);
    let receiver = thread::spawn(move || drop(rx));
    let got = match tx.try_send(1) {
        Ok(()) => "Ok(())".to_owned(),
        Err(mpsc::TrySendError::Full(_)) => "Err(TrySendError::Full(..))".to_owned(),
        Err(mpsc::TrySendError::Disconnected(_)) => {
            "Err(TrySendError::Disconnected(..))".to_owned()
        }
    };
    drop(tx);
    receiver.join().unwrap();
    got
}

/// Two `try_recv`s racing a thread that sends one message and drops its sender: after the
/// message, the channel may still look merely empty, or already disconnected.
pub fn try_recv_against_last_send() -> (String, String) {
    let (tx, rx) = mpsc::channel();
    let sender = thread::spawn(move || tx.send(1u8).unwrap());
    let first = format!("{:?}", rx.try_recv());
    let second = format!("{:?}", rx.try_recv());
    sender.join().unwrap();
    (first, second)
}

/// On a channel of `bound` 1, a thread `try_send`s twice while the receiver takes one message
/// with `try_recv`: what each try saw.
pub fn bounded_try_sends() -> (String, String, String) {
    let (tx, rx) = mpsc::sync_channel(1);
    let sender = thread::spawn(move || {
        let first = format!("{:?}", tx.try_send(1u8));
        let second = format!("{:?}", tx.try_send(2u8));
        (first, second)
    });
    let got = format!("{:?}", rx.try_recv());
    let (first, second) = sender.join().unwrap();
    (first, second, got)
}

/// A thread sends on a channel of `bound` and then raises a flag; the receiver reads the flag
/// before it receives. On a rendezvous (bound 0) the send cannot finish before the receive,
/// so the flag is never seen raised; with room for one message it can be.
pub fn flag_seen_before_receive(bound: usize) -> bool {
    let (tx, rx) = mpsc::sync_channel(bound);
    let sent = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&sent);
    let sender = thread::spawn(move || {
        tx.send(1u8).unwrap();
        flag.store(true, Ordering::SeqCst);
    });
    let seen = sent.load(Ordering::SeqCst);
    assert_eq!(rx.recv(), Ok(1));
    sender.join().unwrap();
    seen
}

/// A rendezvous `try_send` succeeds only if the receiver already waits in `recv`; the receiver
/// waits at most 1 s of virtual time. What the try saw, and what the receive got and when.
pub fn rendezvous_try_send() -> (String, String, Duration) {
    let (tx, rx) = mpsc::named_sync_channel("handoff", 0);
    let tx2 = tx.clone(); // keeps the channel connected while the receiver waits
    let sender = thread::spawn(move || format!("{:?}", tx2.try_send(7u8)));
    let start = Instant::now();
    let got = format!("{:?}", rx.recv_timeout(Duration::from_secs(1)));
    let waited = start.elapsed();
    drop(tx);
    (sender.join().unwrap(), got, waited)
}

/// The receiver waits at most `timeout` for a message sent after `delay`: what it got and the
/// (virtual) time it took.
pub fn recv_timeout_against_delayed_send(delay: Duration, timeout: Duration) -> (String, Duration) {
    let (tx, rx) = mpsc::named_channel("replies");
    let sender = thread::spawn(move || {
        sleep(delay);
        let _ = tx.send(1u8);
    });
    let start = Instant::now();
    let got = format!("{:?}", rx.recv_timeout(timeout));
    let waited = start.elapsed();
    drop(rx);
    sender.join().unwrap();
    (got, waited)
}

/// Receives after every sender is gone (one dropped by a thread, one on the main thread), and
/// sends after the receiver is gone: std's disconnection results.
pub fn disconnections() -> (String, String, String) {
    let (tx, rx) = mpsc::channel::<u8>();
    let tx2 = tx.clone();
    thread::spawn(move || drop(tx2)).join().unwrap();
    drop(tx);
    let recv = format!("{:?}", rx.recv());
    let try_recv = format!("{:?}", rx.try_recv());
    let (tx, rx) = mpsc::sync_channel::<u8>(0);
    let sender = thread::spawn(move || format!("{:?}", tx.send(9)));
    drop(rx);
    (recv, try_recv, sender.join().unwrap())
}

/// A worker sends `jobs` messages; the consumer drains them. The planted bug stops draining at
/// the first `try_recv` that finds the queue empty ("empty means done"), losing what the
/// worker had not sent yet; the fix receives until the channel disconnects.
pub fn drain_jobs(jobs: u8, bug: bool) {
    let (tx, rx) = mpsc::named_channel("jobs");
    let worker = thread::spawn(move || {
        for job in 0..jobs {
            tx.send(job).unwrap();
        }
    });
    let mut got = Vec::new();
    if bug {
        while let Ok(job) = rx.try_recv() {
            got.push(job);
        }
    } else {
        got.extend(rx.iter());
    }
    worker.join().unwrap();
    assert!(
        got.len() == usize::from(jobs),
        "lost jobs: drained {got:?} of {jobs}"
    );
}

/// The receiver waits while the main thread still holds a sender that never sends: a hang
/// under std, a deadlock report under simulation.
pub fn recv_from_a_silent_sender() {
    let (tx, rx) = mpsc::named_channel::<u8>("jobs");
    let receiver = thread::Builder::new()
        .name("consumer")
        .spawn(move || rx.recv())
        .unwrap();
    let _ = receiver.join();
    drop(tx);
}

// ---- barrier ----

/// `parties` threads (main included) pass a barrier `generations` times; the leader of each
/// generation, by thread number (main is 0). Asserts one leader per generation.
pub fn barrier_leaders(parties: usize, generations: usize) -> Vec<usize> {
    let barrier = Arc::new(Barrier::new(parties));
    let leaders = Arc::new(Mutex::new(vec![Vec::new(); generations]));
    let pass = move |me: usize, barrier: &Barrier, leaders: &Mutex<Vec<Vec<usize>>>| {
        for generation in 0..generations {
            if barrier.wait().is_leader() {
                leaders.lock()[generation].push(me);
            }
        }
    };
    let handles: Vec<_> = (1..parties)
        .map(|me| {
            let (barrier, leaders) = (Arc::clone(&barrier), Arc::clone(&leaders));
            thread::spawn(move || pass(me, &barrier, &leaders))
        })
        .collect();
    pass(0, &barrier, &leaders);
    for handle in handles {
        handle.join().unwrap();
    }
    let leaders = leaders.lock().clone();
    leaders
        .into_iter()
        .enumerate()
        .map(|(generation, leaders)| {
            assert_eq!(
                leaders.len(),
                1,
                "generation {generation} has leaders {leaders:?}"
            );
            leaders[0]
        })
        .collect()
}

/// Two threads write their slot, pass a barrier, and read the other's slot. The planted bug
/// reads before the barrier.
pub fn barrier_publishes(bug: bool) {
    let barrier = Arc::new(Barrier::named("published", 2));
    let slots = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let exchange = move |me: usize, barrier: &Barrier, slots: &[AtomicUsize; 2]| {
        slots[me].store(me + 1, Ordering::SeqCst);
        let early = slots[1 - me].load(Ordering::SeqCst);
        barrier.wait();
        let seen = if bug {
            early
        } else {
            slots[1 - me].load(Ordering::SeqCst)
        };
        assert!(
            seen == 2 - me,
            "thread {me} read slot {} before it was written",
            1 - me
        );
    };
    let other = {
        let (barrier, slots) = (Arc::clone(&barrier), Arc::clone(&slots));
        thread::spawn(move || exchange(1, &barrier, &slots))
    };
    exchange(0, &barrier, &slots);
    other.join().unwrap();
}

/// A barrier for three with only two threads arriving.
pub fn barrier_short_of_a_party() {
    let barrier = Arc::new(Barrier::new(3));
    let b = Arc::clone(&barrier);
    let other = thread::spawn(move || {
        b.wait();
    });
    barrier.wait();
    other.join().unwrap();
}

// ---- once ----

/// Two threads race to `set` a `OnceLock`: the value it ends with, and what each got back.
pub fn once_lock_set_race() -> (u8, bool, bool) {
    let cell = Arc::new(OnceLock::new());
    let c = Arc::clone(&cell);
    let other = thread::spawn(move || c.set(2u8).is_ok());
    let mine = cell.set(1u8).is_ok();
    let theirs = other.join().unwrap();
    (*cell.get().unwrap(), mine, theirs)
}

/// A `get` racing a thread's `get_or_init`.
pub fn once_lock_get_against_init() -> Option<u8> {
    let cell = Arc::new(OnceLock::named("config"));
    let c = Arc::clone(&cell);
    let other = thread::spawn(move || *c.get_or_init(|| 5u8));
    let seen = cell.get().copied();
    assert_eq!(other.join().unwrap(), 5);
    seen
}

/// Two threads `call_once` (one counts runs, the main one also reads `is_completed` first):
/// the runs, and whether the main thread saw it completed before its own call.
pub fn once_from_two_threads() -> (usize, bool) {
    let once = Arc::new(Once::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let other = {
        let (once, runs) = (Arc::clone(&once), Arc::clone(&runs));
        thread::spawn(move || {
            once.call_once(|| {
                runs.fetch_add(1, Ordering::SeqCst);
            })
        })
    };
    let completed_before = once.is_completed();
    once.call_once(|| {
        runs.fetch_add(1, Ordering::SeqCst);
    });
    assert!(once.is_completed());
    other.join().unwrap();
    (runs.load(Ordering::SeqCst), completed_before)
}

/// Two threads force one `LazyLock`: how many times the initializer ran, and which thread
/// ran it.
pub fn lazy_lock_forced_twice() -> (usize, String) {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&runs);
    let lazy = Arc::new(LazyLock::new(move || {
        r.fetch_add(1, Ordering::SeqCst);
        thread::current_name()
    }));
    let l = Arc::clone(&lazy);
    let other = thread::Builder::new()
        .name("other")
        .spawn(move || (*l).clone())
        .unwrap();
    let mine = (*lazy).clone();
    let theirs = other.join().unwrap();
    assert_eq!(mine, theirs, "both threads see the one value");
    (runs.load(Ordering::SeqCst), mine)
}

/// A panicking initializer: `Once` is poisoned (the next call panics), `OnceLock` stays empty
/// (the next call initializes), `LazyLock` is poisoned. Returns what each later use did.
pub fn panicking_initializers() -> (bool, Option<u8>, bool) {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let once = Once::new();
    assert!(catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("init failed")))).is_err());
    let once_poisoned = catch_unwind(AssertUnwindSafe(|| once.call_once(|| {}))).is_err();
    let cell = OnceLock::new();
    assert!(catch_unwind(AssertUnwindSafe(
        || cell.get_or_init(|| panic!("init failed"))
    ))
    .is_err());
    let retried = *cell.get_or_init(|| 3u8);
    let lazy: LazyLock<u8> = LazyLock::new(|| panic!("init failed"));
    assert!(catch_unwind(AssertUnwindSafe(|| *lazy)).is_err());
    let lazy_poisoned = catch_unwind(AssertUnwindSafe(|| *lazy)).is_err();
    (once_poisoned, Some(retried), lazy_poisoned)
}

/// A `Once` whose initializer panics, called twice more: whether each later call panicked, and
/// whether it then counts as completed (std: it never does).
pub fn once_poisoned_twice() -> (bool, bool, bool) {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    let once = Once::new();
    assert!(catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("init failed")))).is_err());
    let second = catch_unwind(AssertUnwindSafe(|| once.call_once(|| {}))).is_err();
    let third = catch_unwind(AssertUnwindSafe(|| once.call_once(|| {}))).is_err();
    (second, third, once.is_completed())
}

/// Two threads each count an initialization they believe they did. The planted bug checks
/// `get` and then `set`s (check-then-act): both can find it empty. The fix counts only a
/// successful `set`.
pub fn check_then_set(bug: bool) {
    let cell = Arc::new(OnceLock::named("leader"));
    let inits = Arc::new(AtomicUsize::new(0));
    let init = move |me: u8, cell: &OnceLock<u8>, inits: &AtomicUsize| {
        let won = if bug {
            let empty = cell.get().is_none();
            let _ = cell.set(me);
            empty
        } else {
            cell.set(me).is_ok()
        };
        if won {
            inits.fetch_add(1, Ordering::SeqCst);
        }
    };
    let other = {
        let (cell, inits) = (Arc::clone(&cell), Arc::clone(&inits));
        thread::spawn(move || init(2, &cell, &inits))
    };
    init(1, &cell, &inits);
    other.join().unwrap();
    let inits = inits.load(Ordering::SeqCst);
    assert!(
        inits == 1,
        "{inits} threads believe they initialized the leader"
    );
}

/// The main thread holds a mutex and reads a lazy value whose initializer, run by another
/// thread first, needs that mutex.
pub fn initializer_needs_a_held_lock() {
    let registry = Arc::new(Mutex::named("registry", 0u8));
    let reg = Arc::clone(&registry);
    let config = Arc::new(OnceLock::named("config"));
    let started = Arc::new(Barrier::named("started", 2));
    let worker = {
        let (config, started) = (Arc::clone(&config), Arc::clone(&started));
        thread::Builder::new()
            .name("loader")
            .spawn(move || {
                *config.get_or_init(|| {
                    started.wait();
                    *reg.lock()
                })
            })
            .unwrap()
    };
    let _held = registry.lock();
    started.wait();
    let _ = config.get_or_init(|| 1);
    drop(worker);
}

/// Two threads each make sure a setup ran, counting the runs they believe they made. Planted
/// bug (`bug`): a thread checks `is_completed` and counts before calling `call_once`, so both
/// can count. The fix counts inside the initializer.
pub fn once_checked_then_called(bug: bool) {
    let once = Arc::new(Once::named("setup"));
    let runs = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (once, runs) = (Arc::clone(&once), Arc::clone(&runs));
            thread::spawn(move || {
                if bug {
                    if !once.is_completed() {
                        runs.fetch_add(1, Ordering::SeqCst);
                        once.call_once(|| {});
                    }
                } else {
                    once.call_once(|| {
                        runs.fetch_add(1, Ordering::SeqCst);
                    });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let runs = runs.load(Ordering::SeqCst);
    assert!(runs == 1, "{runs} threads believe they ran the setup");
}

/// A worker reads a `LazyLock` computed from a shared setting; main changes the setting to 2
/// and then reads the lazy value. Planted bug (`bug`): main changes the setting after
/// spawning the worker, whose first read may compute the value from the old setting. The fix
/// sets it before the spawn.
pub fn lazy_computed_before_the_setting(bug: bool) {
    let setting = Arc::new(AtomicUsize::new(1));
    let lazy = {
        let setting = Arc::clone(&setting);
        Arc::new(LazyLock::new(move || setting.load(Ordering::SeqCst) * 10))
    };
    if !bug {
        setting.store(2, Ordering::SeqCst);
    }
    let worker = {
        let lazy = Arc::clone(&lazy);
        thread::spawn(move || **lazy)
    };
    if bug {
        setting.store(2, Ordering::SeqCst);
    }
    assert_eq!(
        **lazy, 20,
        "the lazy value was computed from the old setting"
    );
    worker.join().unwrap();
}
