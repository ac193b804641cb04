//! A family of ordering bugs among `N` threads, for measuring search strategies (the
//! `reorder_N` programs of SCTBench, which the POS paper uses, rewritten against the facade).
//!
//! `N - 1` setters each publish a pair of values in two steps (`a = 1`, then `b = -1`); one
//! checker, spawned last, reads `a` then `b` and expects a consistent pair: both unset or both
//! set. With `gated`, every thread first waits at a start gate that the main thread opens once
//! all are spawned, so they start together, as workers that are already running when requests
//! arrive; without it (SCTBench's original) the setters run while the main thread is still
//! spawning, and the checker, spawned last, must still find a setter between its two writes. The pair is inconsistent only if the checker's two reads fall on either side of some
//! setter's first write while no setter has made its second one yet (or the mirror case), so
//! the failing executions need one specific order of a few operations among all the threads'
//! steps. The more setters, the more threads a random or priority-based scheduler must keep
//! away from the window; the operations that matter all touch `a` or `b`, which is what a
//! partial-order-aware sampler focuses on.

use lockstep::sync::atomic::{AtomicI64, Ordering};
use lockstep::sync::{Arc, Condvar, Mutex};
use lockstep::thread;

/// A start gate: threads wait at it until it opens, so all of them start together.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    fn pass(&self) {
        drop(self.opened.wait_while(self.open.lock(), |open| !*open));
    }

    fn open(&self) {
        *self.open.lock() = true;
        self.opened.notify_all();
    }
}

/// The two published values.
#[derive(Default)]
struct Pair {
    a: AtomicI64,
    b: AtomicI64,
}

/// Runs `threads` threads (`threads - 1` setters and one checker, at least one of each), all
/// started together behind a gate if `gated`; panics with the pair the checker saw if it was
/// inconsistent.
///
/// ```
/// # #[cfg(all(feature = "shuttle", not(loom)))] {
/// use lockstep::explore::{Explorer, Strategy};
///
/// let found = Explorer::new(Strategy::Pos)
///     .seed(0)
///     .iterations(1000)
///     .shrink_budget(0)
///     .run(|| model::ordering::reorder(10, true))
///     .expect_err("POS finds the half-published pair");
/// assert!(found.message.contains("half published"));
/// # }
/// ```
pub fn reorder(threads: usize, gated: bool) {
    assert!(threads >= 2, "reorder needs a setter and a checker");
    let pair = Arc::new(Pair::default());
    let gate = Arc::new(Gate::default());
    let mut handles: Vec<_> = (1..threads)
        .map(|i| {
            let pair = Arc::clone(&pair);
            let gate = Arc::clone(&gate);
            thread::Builder::new()
                .name(format!("setter-{i}"))
                .spawn(move || {
                    if gated {
                        gate.pass();
                    }
                    pair.a.store(1, Ordering::SeqCst);
                    pair.b.store(-1, Ordering::SeqCst);
                })
                .expect("spawn a setter")
        })
        .collect();
    let checker = {
        let gate = Arc::clone(&gate);
        thread::Builder::new()
            .name("checker")
            .spawn(move || {
                if gated {
                    gate.pass();
                }
                let a = pair.a.load(Ordering::SeqCst);
                let b = pair.b.load(Ordering::SeqCst);
                assert!(
                    (a, b) == (0, 0) || (a, b) == (1, -1),
                    "reorder: the checker saw the pair half published: a = {a}, b = {b}"
                );
            })
            .expect("spawn the checker")
    };
    handles.push(checker);
    if gated {
        gate.open();
    }
    for handle in handles {
        handle.join().expect("a reorder thread panicked");
    }
}
