//! The calibration set of the PCT paper (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A
//! Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010), written
//! against lockstep's facade, and the measurement of how often one execution finds each bug.
//!
//! The programs are the ones shuttle's own test-suite runs its PCT scheduler on
//! (`tests/basic/pct.rs`: `figure1a_pct`, `figure1b_pct`, `figure1b_pct_with_many_tasks`,
//! `figure_1c`, `figure5_random` / `figure5_pct`; the figure numbers are the ones those tests
//! give). The paper proves that one PCT execution of a program with `n` threads and `k` steps
//! finds a bug of depth `d` (one that needs `d` ordering constraints) with probability at least
//! `1 / (n * k^(d-1))`.
//!
//! A "step" of local work is an atomic increment of a counter no other thread reads: a plain
//! scheduling point, as shuttle's tests use `thread::sleep` (under lockstep a sleep waits for
//! virtual time, and `yield_now` asks PCT to deprioritize the thread, so neither would do). In
//! every program the main thread is one of the paper's threads, so `n` counts every thread.
//!
//! Shared by `examples/bench_pct.rs` and `tests/shuttle_pct_calibration.rs`.

use lockstep::explore::{Explorer, Strategy};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread::{self, JoinHandle};
use std::ops::Range;

/// One program of the calibration set and the numbers that give its PCT bound.
pub struct Example {
    /// A short name for tables and assertion messages.
    pub name: &'static str,
    /// The shuttle test (in `tests/basic/pct.rs`) it corresponds to.
    pub shuttle_test: &'static str,
    /// `n`: the threads, the main thread included.
    pub threads: usize,
    /// `k`: the most scheduling decisions one execution takes, counted from the program as
    /// shuttle makes them: the first, one per spawn, local step, lock, unlock, join and
    /// spawned thread's exit, and one more per lock acquisition, for the retry of a blocked
    /// one. `tests/shuttle_pct_calibration.rs` checks that no execution takes more.
    pub steps: usize,
    /// `d`: the bug depth, the ordering constraints the failing schedules need.
    pub depth: usize,
    /// Text the failure message contains when the execution found the bug.
    pub bug: &'static str,
    /// The program; it panics with a message containing `bug` when the schedule exposes it.
    pub body: fn(),
}

impl Example {
    /// The paper's lower bound on the probability that one PCT execution at depth `d` finds
    /// the bug: `1 / (n * k^(d-1))`.
    pub fn bound(&self) -> f64 {
        let depth = i32::try_from(self.depth).expect("a small depth");
        1.0 / (self.threads as f64 * (self.steps as f64).powi(depth - 1))
    }

    /// PCT at this example's bug depth.
    pub fn pct(&self) -> Strategy {
        Strategy::Pct { depth: self.depth }
    }
}

/// The calibration set, in the order of the paper's figures.
pub static EXAMPLES: [Example; 5] = [
    Example {
        name: "use before initialization (fig. 1a)",
        shuttle_test: "figure1a_pct",
        threads: 2,
        // 1 + main 14 + user 13 + 2 acquisitions
        steps: 30,
        depth: 1,
        bug: USE_BEFORE_INIT,
        body: use_before_init,
    },
    Example {
        name: "check then use (fig. 1b)",
        shuttle_test: "figure1b_pct",
        threads: 2,
        // 1 + main 13 + checker 13 + 3 acquisitions
        steps: 30,
        depth: 2,
        bug: NULL_DEREFERENCE,
        body: check_then_use,
    },
    Example {
        name: "check then use among 18 bystanders (fig. 1b)",
        shuttle_test: "figure1b_pct_with_many_tasks",
        threads: 20,
        // 1 + main 49 + checker 13 + bystanders 18 * 6 + 3 acquisitions
        steps: 174,
        depth: 2,
        bug: NULL_DEREFERENCE,
        body: check_then_use_among_bystanders,
    },
    Example {
        name: "opposite lock orders (fig. 1c)",
        shuttle_test: "figure_1c",
        threads: 2,
        // 1 + main 18 + other 17 + 4 acquisitions
        steps: 40,
        depth: 2,
        bug: "deadlock",
        body: opposite_lock_orders,
    },
    Example {
        name: "one long thread before one step (fig. 5)",
        shuttle_test: "figure5_random, figure5_pct",
        threads: 2,
        // 1 + main 4 + long 23 + 2 acquisitions
        steps: 30,
        depth: 1,
        bug: RAN_TO_COMPLETION,
        body: long_thread_first,
    },
];

/// The example built to defeat random scheduling (the paper's fig. 5).
pub static ANTI_RANDOM: &Example = &EXAMPLES[4];

const USE_BEFORE_INIT: &str = "used before it was initialized";
const NULL_DEREFERENCE: &str = "null dereference";
const RAN_TO_COMPLETION: &str = "the long thread ran to completion before main's first step";

/// Takes `steps` scheduling points of local work: atomic increments of a counter that no other
/// thread reads.
fn work(steps: usize) {
    let counter = AtomicUsize::new(0);
    for _ in 0..steps {
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

/// Joins every thread, propagating a panic of one of them.
fn join_all(threads: impl IntoIterator<Item = JoinHandle<()>>) {
    for handle in threads {
        handle.join().expect("the thread finished");
    }
}

/// Fig. 1a, an ordering bug of depth 1: the main thread initializes a shared value after some
/// work; a spawned thread, after some work of its own, uses it as if it were initialized. The
/// bug needs one ordering: the use before the initialization.
fn use_before_init() {
    let shared = Arc::new(Mutex::new(None::<u64>));
    let user = {
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            work(5);
            let value = shared.lock().expect(USE_BEFORE_INIT);
            assert_eq!(value, 1);
            work(5);
        })
    };
    work(5);
    *shared.lock() = Some(1);
    work(5);
    join_all([user]);
}

/// Fig. 1b, an atomicity violation of depth 2, between two threads.
fn check_then_use() {
    check_then_use_with(0);
}

/// Fig. 1b with 18 bystander threads of 5 steps each, which only add scheduling choices.
fn check_then_use_among_bystanders() {
    check_then_use_with(18);
}

/// The main thread clears a shared value after some work; a spawned thread checks that it is
/// still set and, in a second critical section, uses it. The bug needs two orderings: the
/// check before the clear, and the clear before the use.
fn check_then_use_with(bystanders: usize) {
    let shared = Arc::new(Mutex::new(Some(1_u64)));
    let mut threads: Vec<_> = (0..bystanders).map(|_| thread::spawn(|| work(5))).collect();
    threads.push({
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            work(4);
            let present = shared.lock().is_some();
            if present {
                let value = shared.lock().expect(NULL_DEREFERENCE);
                assert_eq!(value, 1);
            }
            work(4);
        })
    });
    work(5);
    *shared.lock() = None;
    work(4);
    join_all(threads);
}

/// Fig. 1c, a deadlock of depth 2: a spawned thread takes lock A then B, the main thread B then
/// A, each with work before, between and after. The deadlock needs two orderings: each thread
/// takes its first lock before the other takes its second.
fn opposite_lock_orders() {
    let a = Arc::new(Mutex::named("A", ()));
    let b = Arc::new(Mutex::named("B", ()));
    let a_then_b = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::spawn(move || lock_in_order(&a, &b))
    };
    lock_in_order(&b, &a);
    join_all([a_then_b]);
}

/// Takes `first`, then `second` while holding it, with 4 steps of work around each.
fn lock_in_order(first: &Mutex<()>, second: &Mutex<()>) {
    work(4);
    let _first = first.lock();
    work(4);
    let _second = second.lock();
    work(4);
}

/// Fig. 5, a bug of depth 1 built to defeat random scheduling: a spawned thread takes 20 steps
/// and then sets a flag; the main thread takes one step, reading the flag. The bug is the
/// spawned thread running to completion first: PCT finds it whenever that thread starts with
/// the higher priority (1 in 2), random only if it picks that thread at each of its 20-odd
/// scheduling points (about 1 in 2^21).
fn long_thread_first() {
    let done = Arc::new(Mutex::new(false));
    let long = {
        let done = Arc::clone(&done);
        thread::spawn(move || {
            work(20);
            *done.lock() = true;
        })
    };
    assert!(!*done.lock(), "{RAN_TO_COMPLETION}");
    join_all([long]);
}

/// How often one strategy found one example's bug.
#[derive(Clone, Copy, Debug)]
pub struct Detections {
    /// Explorations that found the bug (each stops at its first failure).
    pub found: usize,
    /// Executions those explorations ran.
    pub executions: usize,
}

impl Detections {
    /// The measured per-execution detection rate: failures over executions.
    pub fn rate(&self) -> f64 {
        self.found as f64 / self.executions as f64
    }

    /// Whether the measurement is consistent with a per-execution probability of at least
    /// `bound`: at least `executions * bound` failures, less three standard deviations of that
    /// count. The allowance matters only where the bound is exact: PCT at depth 1 finds the
    /// two-thread examples exactly when the right thread starts with the higher priority, with
    /// probability 1/2, so the measured rate lands on either side of 1/2.
    pub fn meets(&self, bound: f64) -> bool {
        let expected = self.executions as f64 * bound;
        let deviation = (expected * (1.0 - bound)).sqrt();
        self.found as f64 >= expected - 3.0 * deviation
    }
}

/// Explores `example` under `strategy` (random, or PCT) once per seed in `seeds`, each
/// exploration stopping at its first failure or after `budget` executions, and counts the
/// explorations that found the bug and the executions they ran.
///
/// lockstep's PCT learns `k` as it goes: an exploration's first execution has random priorities
/// but no change point (no step count yet), and later ones draw change points among the most
/// steps seen so far; so the rate counted is the one a PCT exploration of this length gives,
/// every execution included. Every exploration runs on a fresh OS thread, as `bench_bugs` does: a failing execution can
/// leave shuttle's per-OS-thread state unusable for the next one. The lock-order graph is off:
/// it reports fig. 1c's opposite orders as a potential deadlock once an exploration has seen
/// both, deadlocked or not, and this measures the scheduler alone.
///
/// Panics if an execution fails any other way.
pub fn detect(
    example: &Example,
    strategy: Strategy,
    seeds: Range<u64>,
    budget: usize,
) -> Detections {
    let mut detections = Detections {
        found: 0,
        executions: 0,
    };
    for seed in seeds {
        let body = example.body;
        let explorer = Explorer::new(strategy)
            .seed(seed)
            .iterations(budget)
            .lock_order_graph(false);
        let outcome = std::thread::spawn(move || explorer.run(body))
            .join()
            .expect("the exploration itself does not panic");
        let executions = match outcome {
            Ok(stats) => stats.executions,
            Err(failure) => {
                assert!(
                    failure.message.contains(example.bug),
                    "{} under {strategy}, seed {seed}: an unexpected failure: {}",
                    example.name,
                    failure.message
                );
                detections.found += 1;
                failure.execution
            }
        };
        detections.executions += executions;
    }
    detections
}
