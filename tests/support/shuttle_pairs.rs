//! Programs written twice, against lockstep's facade and against raw shuttle's own types, and
//! how many schedules each DFS runs to exhaust them: asserted by tests/shuttle_vs_raw.rs and
//! printed by `make bench` (examples/bench_shuttle.rs).

use lockstep::explore::{Explorer, Strategy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// More than any pair here needs: a DFS that stops at it did not finish.
const BUDGET: usize = 20_000;

/// Schedules lockstep's DFS runs to exhaust `body`.
pub fn facade_schedules(body: fn()) -> usize {
    let stats = Explorer::new(Strategy::Dfs)
        .iterations(BUDGET)
        .run(body)
        .expect("the program passes");
    assert!(
        stats.executions < BUDGET,
        "DFS did not finish within {BUDGET}"
    );
    stats.executions
}

/// Schedules raw shuttle's DFS runs to exhaust `body`.
pub fn raw_schedules(body: fn()) -> usize {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    shuttle::check_dfs(
        move || {
            counted.fetch_add(1, Ordering::Relaxed);
            body()
        },
        Some(BUDGET),
    );
    let runs = runs.load(Ordering::Relaxed);
    assert!(runs < BUDGET, "raw DFS did not finish within {BUDGET}");
    runs
}

/// The programs against the facade.
pub mod facade {
    use lockstep::sync::atomic::{AtomicUsize, Ordering};
    use lockstep::sync::mpsc::channel;
    use lockstep::sync::{Arc, Mutex, Once};
    use lockstep::thread;

    /// Spawns a thread that does nothing and joins it.
    pub fn spawn_join() {
        thread::spawn(|| {}).join().unwrap();
    }
    /// Spawns a thread that does nothing and leaves it.
    pub fn spawn_only() {
        thread::spawn(|| {});
    }
    /// Main and a spawned thread each `fetch_add` one atomic.
    pub fn two_atomics() {
        let a = Arc::new(AtomicUsize::new(0));
        let b = Arc::clone(&a);
        thread::spawn(move || b.fetch_add(1, Ordering::SeqCst));
        a.fetch_add(1, Ordering::SeqCst);
    }
    /// Main and a spawned thread each `call_once` one `Once` with an empty initializer.
    pub fn once_only() {
        let once = Arc::new(Once::new());
        let o = Arc::clone(&once);
        thread::spawn(move || o.call_once(|| {}));
        once.call_once(|| {});
    }

    /// Two threads race one `Once` (shuttle's `once.rs::basic_dfs`).
    pub fn once_race() {
        let once = Arc::new(Once::new());
        let counter = Arc::new(AtomicUsize::new(0));
        let initializer = Arc::new(Mutex::new(None));
        assert!(!once.is_completed());
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (once, counter, initializer) = (
                    Arc::clone(&once),
                    Arc::clone(&counter),
                    Arc::clone(&initializer),
                );
                thread::spawn(move || {
                    once.call_once(|| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        *initializer.lock() = Some(thread::current_name());
                    });
                    assert!(once.is_completed());
                    assert_eq!(counter.load(Ordering::SeqCst), 1);
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert!(once.is_completed());
        assert!(initializer.lock().take().is_some());
    }

    /// A spawned thread sends one message that main receives (loom's `mpsc.rs::basic_parallel_usage`).
    pub fn spawned_send() {
        let (tx, rx) = channel();
        thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(rx.recv().unwrap(), 5);
    }
}

/// The same programs against shuttle's own types.
pub mod raw {
    use shuttle::sync::atomic::{AtomicUsize, Ordering};
    use shuttle::sync::mpsc::channel;
    use shuttle::sync::{Mutex, Once};
    use shuttle::thread;
    use std::sync::Arc;

    pub fn spawn_join() {
        thread::spawn(|| {}).join().unwrap();
    }
    pub fn spawn_only() {
        thread::spawn(|| {});
    }
    pub fn two_atomics() {
        let a = Arc::new(AtomicUsize::new(0));
        let b = Arc::clone(&a);
        thread::spawn(move || b.fetch_add(1, Ordering::SeqCst));
        a.fetch_add(1, Ordering::SeqCst);
    }
    pub fn once_only() {
        let once = Arc::new(Once::new());
        let o = Arc::clone(&once);
        thread::spawn(move || o.call_once(|| {}));
        once.call_once(|| {});
    }

    pub fn once_race() {
        let once = Arc::new(Once::new());
        let counter = Arc::new(AtomicUsize::new(0));
        let initializer = Arc::new(Mutex::new(None));
        assert!(!once.is_completed());
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (once, counter, initializer) = (
                    Arc::clone(&once),
                    Arc::clone(&counter),
                    Arc::clone(&initializer),
                );
                thread::spawn(move || {
                    once.call_once(|| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        *initializer.lock().unwrap() = Some(thread::current().id());
                    });
                    assert!(once.is_completed());
                    assert_eq!(counter.load(Ordering::SeqCst), 1);
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert!(once.is_completed());
        assert!(initializer.lock().unwrap().take().is_some());
    }

    pub fn spawned_send() {
        let (tx, rx) = channel();
        thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(rx.recv().unwrap(), 5);
    }
}

/// One program written twice, and how many schedules each DFS runs to exhaust it.
pub struct Pair {
    /// What the program does.
    pub name: &'static str,
    /// The program against lockstep's facade.
    pub facade: fn(),
    /// The same program against raw shuttle's types.
    pub raw: fn(),
    /// Schedules lockstep's DFS runs (measured; asserted so that a change shows).
    pub facade_schedules: usize,
    /// Schedules raw shuttle's DFS runs.
    pub raw_schedules: usize,
    /// Why the facade runs more, where it does.
    pub why_more: Option<&'static str>,
}

/// Every pair, measured.
pub const PAIRS: &[Pair] = &[
    Pair {
        name: "spawn and join",
        facade: facade::spawn_join,
        raw: raw::spawn_join,
        facade_schedules: 1,
        raw_schedules: 1,
        why_more: None,
    },
    Pair {
        name: "spawn, no join",
        facade: facade::spawn_only,
        raw: raw::spawn_only,
        facade_schedules: 2,
        raw_schedules: 2,
        why_more: None,
    },
    Pair {
        name: "two fetch_adds",
        facade: facade::two_atomics,
        raw: raw::two_atomics,
        facade_schedules: 6,
        raw_schedules: 6,
        why_more: None,
    },
    Pair {
        name: "two call_once",
        facade: facade::once_only,
        raw: raw::once_only,
        facade_schedules: 13,
        raw_schedules: 11,
        why_more: Some(UNPARK),
    },
    Pair {
        name: "call_once race (shuttle once.rs::basic_dfs)",
        facade: facade::once_race,
        raw: raw::once_race,
        facade_schedules: 2181,
        raw_schedules: 439,
        why_more: Some(
            "`is_completed` is a scheduling point (std's is an acquire load another thread's \
             completion races; raw shuttle's has none, so a completion between a thread's last \
             operation and its `is_completed` is never explored), the initializer's end is one \
             (std's is a store that races `is_completed`; raw shuttle runs the initializer \
             inside its lock), and waking the waiter is one (see `two call_once`)",
        ),
    },
    Pair {
        name: "spawned send, main receives (loom mpsc.rs::basic_parallel_usage)",
        facade: facade::spawned_send,
        raw: raw::spawned_send,
        facade_schedules: 12,
        raw_schedules: 3,
        why_more: Some(
            "the last sender's drop and the receiver's drop are scheduling points (std's are \
             atomic operations the other end's `try_recv` / `try_send` race; raw shuttle's \
             drops have none, so a `try_recv` never sees `Empty` after the sender's last \
             operation and before its drop), and waking the parked receiver is one (see \
             `two call_once`)",
        ),
    },
];

/// Why waking a parked waiter adds schedules.
const UNPARK: &str = "a wake-up unparks the waiter with shuttle's `Thread::unpark`, which is \
    itself a scheduling point (shuttle offers no other way to make a parked thread runnable); \
    raw shuttle's own primitives wake their waiters from inside its engine";
