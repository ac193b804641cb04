//! Benchmark: the `lockstep` facade against raw loom on the same small workload.
//!
//! The workload: 2 or 3 worker threads, each taking lock A then lock B once and bumping both
//! counters, joined by the main thread. It is explored exhaustively at preemption bounds 2 and
//! 3, twice per case:
//!
//! * **raw**: `loom::sync::Mutex`, `std::sync::Arc` and `loom::thread` under
//!   `loom::model::Builder::check`;
//! * **facade**: `model::basics::ordered_pairs` (`lockstep::sync::Mutex`, `lockstep::thread`) under
//!   `lockstep::explore::explore_exhaustive` (the default configuration, lock-hierarchy checks on);
//! * **facade, no hierarchy**: the same with the lock-hierarchy checks turned off through
//!   `lockstep::explore::Explorer::hierarchy(false)`, to show what those checks cost.
//!
//! For each case it prints the executions explored (the target: facade ≤ 3× raw), next to the
//! raw counts DESIGN.md §3.2 recorded, and the median wall time of several rounds in rotating
//! order.
//!
//! Then the loom column of the planted-bug table: every planted bug of `model::scenarios::ALL`
//! explored through `lockstep::explore::Explorer` with `Strategy::Exhaustive` at preemption bound 2
//! and the default fault plan (every kind of fault at 5 %), within 10 s of wall time per bug.
//! Loom fixes a run's fault draws (one fault seed for every interleaving), so, as
//! `tests/loom_seeds.rs` does, fault seeds 0, 1, 2, ... (at most 8) are tried in turn until one
//! run finds the bug. It prints whether it was found, by which fault seed, and the executions
//! (over all the runs) and wall time to the first failure; a failure that is loom giving up on
//! the model (too many threads or branches) is reported as not fitting loom's limits, not as a
//! find. The fixed
//! variant of every scenario is explored the same way (every fault seed), and a last line says
//! how many passed, so a find cannot be an artefact of the fault plan.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo run --release --example bench_loom` (with its own
//! `CARGO_TARGET_DIR`, e.g. `target/loom`, so the std/shuttle builds are not invalidated).

/// Runs the benchmark and prints its tables.
#[cfg(loom)]
fn main() {
    bench::run();
}

/// Built without the loom backend: says how to run the benchmark and fails.
#[cfg(not(loom))]
fn main() {
    eprintln!(
        "bench_loom needs the loom backend: \
         RUSTFLAGS=\"--cfg loom\" CARGO_TARGET_DIR=target/loom \
         cargo run --release --example bench_loom"
    );
    std::process::exit(2);
}

#[cfg(loom)]
#[path = "support/table.rs"]
mod table;

// The programs written against the facade and against raw loom (shared with
// `tests/loom_vs_raw.rs`, which asserts their relations).
#[cfg(loom)]
#[path = "../tests/support/loom_async_pairs.rs"]
mod loom_async_pairs;
#[cfg(loom)]
#[path = "../tests/support/loom_pairs.rs"]
mod loom_pairs;
#[cfg(loom)]
#[path = "../tests/support/primitives.rs"]
mod primitives;
#[cfg(loom)]
#[path = "../tests/support/sync_programs.rs"]
mod programs;
#[cfg(loom)]
#[path = "../tests/support/try_programs.rs"]
#[allow(dead_code)]
mod try_programs;

#[cfg(loom)]
mod bench {
    use crate::table::print_table;
    use lockstep::explore::Report;
    use lockstep::explore::{explore_exhaustive, Explorer, Failure, Stats, Strategy};
    use lockstep::fault::FaultPlan;
    use lockstep::panic_message;
    use lockstep::scenario::{Scenario, Variant};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// A workload to explore: worker count, preemption bound, and the raw loom execution count
    /// DESIGN.md §3.2 reports for it.
    struct Case {
        workers: usize,
        bound: usize,
        design_raw: usize,
    }

    /// The cases of DESIGN.md §3.2, in its order.
    const CASES: [Case; 4] = [
        Case {
            workers: 2,
            bound: 2,
            design_raw: 12,
        },
        Case {
            workers: 3,
            bound: 2,
            design_raw: 140,
        },
        Case {
            workers: 2,
            bound: 3,
            design_raw: 19,
        },
        Case {
            workers: 3,
            bound: 3,
            design_raw: 557,
        },
    ];
    /// Timed rounds per side and case (after one untimed warm-up round); the median is reported.
    const ROUNDS: usize = 11;
    /// The target for facade executions / raw executions.
    const TARGET_EXECUTION_RATIO: f64 = 3.0;
    /// The preemption bound of the planted-bug table.
    const BUG_BOUND: usize = 2;
    /// The wall-clock budget for each planted bug (and each fixed scenario), over all its runs.
    const BUG_BUDGET: Duration = Duration::from_secs(10);
    /// The most fault seeds tried for each planted bug (and each fixed scenario).
    const FAULT_SEEDS: u64 = 8;

    /// `model::basics::ordered_pairs` on raw loom primitives.
    fn raw_ordered_pairs(workers: usize) {
        use loom::sync::Mutex;
        use loom::thread;
        let a = Arc::new(Mutex::new(0u64));
        let b = Arc::new(Mutex::new(0u64));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (a, b) = (Arc::clone(&a), Arc::clone(&b));
                thread::spawn(move || {
                    let mut a = a.lock().unwrap();
                    let mut b = b.lock().unwrap();
                    *a += 1;
                    *b += 1;
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("worker panicked");
        }
    }

    /// Explores the raw workload; returns the executions loom ran.
    fn explore_raw(workers: usize, bound: usize) -> usize {
        let executions = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&executions);
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(bound);
        builder.check(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            raw_ordered_pairs(workers);
        });
        executions.load(Ordering::Relaxed)
    }

    /// Explores the facade workload with `explore`; returns the executions loom ran, as counted
    /// both by the bench and by lockstep's runner (which must agree).
    fn explore_model(
        workers: usize,
        explore: impl FnOnce(Box<dyn Fn() + Send + Sync>) -> Result<Stats, Failure>,
    ) -> usize {
        let executions = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&executions);
        let stats = explore(Box::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            model::basics::ordered_pairs(workers);
        }))
        .unwrap_or_else(|failure| panic!("the facade workload failed: {failure:?}"));
        let executions = executions.load(Ordering::Relaxed);
        assert_eq!(
            stats.executions, executions,
            "lockstep counts every execution"
        );
        executions
    }

    /// The facade as a test would use it by default: `explore_exhaustive`, hierarchy checks on.
    fn explore_facade(workers: usize, bound: usize) -> usize {
        explore_model(workers, |body| explore_exhaustive(Some(bound), body))
    }

    /// The facade with the lock-hierarchy checks off.
    fn explore_facade_unchecked(workers: usize, bound: usize) -> usize {
        explore_model(workers, |body| {
            Explorer::new(Strategy::Exhaustive {
                preemption_bound: Some(bound),
            })
            .hierarchy(false)
            .run(body)
        })
    }

    /// One side of one case: its explorer, the executions it explores and its timings.
    struct Side {
        explore: fn(usize, usize) -> usize,
        executions: Option<usize>,
        times: Vec<Duration>,
    }

    impl Side {
        fn new(explore: fn(usize, usize) -> usize) -> Self {
            Side {
                explore,
                executions: None,
                times: Vec::new(),
            }
        }

        /// Explores `case` once, recording the wall time if `timed`; exploration is
        /// deterministic, so every round must explore the same number of executions.
        fn run(&mut self, case: &Case, timed: bool) {
            let start = Instant::now();
            let executions = (self.explore)(case.workers, case.bound);
            let elapsed = start.elapsed();
            if timed {
                self.times.push(elapsed);
            }
            assert_eq!(
                *self.executions.get_or_insert(executions),
                executions,
                "exhaustive exploration is deterministic"
            );
        }

        fn executions(&self) -> usize {
            self.executions.expect("explored at least once")
        }

        fn median(&self) -> Duration {
            let mut times = self.times.clone();
            times.sort();
            times[times.len() / 2]
        }
    }

    /// Prints the facade-against-raw tables, then the planted-bug table.
    pub fn run() {
        facade_against_raw();
        println!();
        primitives_against_raw();
        println!();
        planted_bugs();
    }

    /// The executions of every program of `tests/support/loom_pairs.rs` (and of the async
    /// `loom_async_pairs.rs`: the async facade against raw `loom::future::block_on`) through
    /// the facade and through raw loom, with the relation `tests/loom_vs_raw.rs` asserts.
    fn primitives_against_raw() {
        use crate::loom_pairs::{facade_executions, raw_executions, Expect, PAIRS};
        let mut rows = Vec::new();
        let mut reasons = Vec::new();
        for pair in PAIRS.iter().chain(crate::loom_async_pairs::ASYNC_PAIRS) {
            let raw = raw_executions(pair.bound, pair.raw);
            let facade = facade_executions(pair.bound, pair.facade);
            let expected = match pair.expect {
                Expect::Equal => "equal".to_owned(),
                Expect::AtMost => "at most raw".to_owned(),
                Expect::More(why) => {
                    reasons.push(format!("  [{}] {}: {why}", reasons.len() + 1, pair.name));
                    format!("more [{}]", reasons.len())
                }
            };
            rows.push([
                pair.name.to_owned(),
                pair.bound
                    .map_or_else(|| "loom's".to_owned(), |b| b.to_string()),
                raw.to_string(),
                facade.to_string(),
                format!("{:.2}", facade as f64 / raw as f64),
                expected,
            ]);
        }
        println!("The primitives: loom executions through the facade and on raw loom");
        print_table(
            &[
                "program",
                "bound",
                "raw loom",
                "facade",
                "facade/raw",
                "relation (asserted in tests/loom_vs_raw.rs)",
            ],
            &rows,
        );
        for reason in reasons {
            println!("{reason}");
        }
    }

    /// Runs every case on every side, rotating which goes first each round, and prints the
    /// tables.
    fn facade_against_raw() {
        let mut executions = Vec::new();
        let mut timings = Vec::new();
        let mut worst_ratio: f64 = 0.0;
        for case in &CASES {
            let mut sides = [
                Side::new(explore_raw),
                Side::new(explore_facade),
                Side::new(explore_facade_unchecked),
            ];
            for side in &mut sides {
                side.run(case, false);
            }
            for round in 0..ROUNDS {
                for i in 0..sides.len() {
                    sides[(round + i) % sides.len()].run(case, true);
                }
            }
            let [raw, facade, unchecked] = &sides;
            let workload = format!("{} workers, bound {}", case.workers, case.bound);
            let execution_ratio = |side: &Side| side.executions() as f64 / raw.executions() as f64;
            worst_ratio = worst_ratio.max(execution_ratio(facade));
            executions.push([
                workload.clone(),
                case.design_raw.to_string(),
                raw.executions().to_string(),
                facade.executions().to_string(),
                format!("{:.2}", execution_ratio(facade)),
                unchecked.executions().to_string(),
                format!("{:.2}", execution_ratio(unchecked)),
            ]);
            let time_ratio = |side: &Side| side.median().as_secs_f64() / raw.median().as_secs_f64();
            let per_second = |side: &Side| {
                format!(
                    "{:.0}",
                    side.executions() as f64 / side.median().as_secs_f64()
                )
            };
            timings.push([
                workload,
                format!("{:.2} ms", millis(raw.median())),
                format!("{:.2} ms", millis(facade.median())),
                format!("{:.2}", time_ratio(facade)),
                format!("{:.2} ms", millis(unchecked.median())),
                format!("{:.2}", time_ratio(unchecked)),
                per_second(raw),
                per_second(facade),
            ]);
        }

        println!("loom: workers each lock A then B once (model::basics::ordered_pairs)");
        println!();
        println!("executions explored");
        print_table(
            &[
                "workload",
                "raw (DESIGN.md)",
                "raw loom",
                "facade",
                "facade/raw",
                "facade, no hierarchy",
                "no hierarchy/raw",
            ],
            &executions,
        );
        let verdict = if worst_ratio <= TARGET_EXECUTION_RATIO {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "target facade/raw executions <= {TARGET_EXECUTION_RATIO}: {verdict} \
             (worst {worst_ratio:.2})"
        );
        println!();
        println!("wall time per exploration (median of {ROUNDS})");
        print_table(
            &[
                "workload",
                "raw loom",
                "facade",
                "facade/raw",
                "facade, no hierarchy",
                "no hierarchy/raw",
                "raw exec/s",
                "facade exec/s",
            ],
            &timings,
        );
    }

    /// How the exploration of one variant of a scenario, over fault seeds, ended.
    enum Outcome {
        /// A run failed: by which fault seed, after how many executions over all the runs, and
        /// how long after the first run started.
        Found {
            fault_seed: u64,
            executions: usize,
            elapsed: Duration,
            message: String,
        },
        /// Every run passed: each explored every interleaving within the bound.
        Exhausted { executions: usize },
        /// The budget ran out before the search ended.
        OutOfTime { executions: usize, fault_seeds: u64 },
        /// Loom gave up on the model: it exceeds loom's limits.
        DoesNotFit { message: String },
        /// The exploration itself panicked (not a failing execution, which the explorer
        /// reports).
        Panicked { message: String },
    }

    /// Loom's own panics when a model exceeds its limits (threads, branches) or is not
    /// deterministic: loom giving up, not a bug of the model.
    fn loom_gave_up(message: &str) -> bool {
        [
            "Model exceeded maximum number of branches",
            "self.threads.len() < self.max()",
            "Is the model fully deterministic?",
            "[loom internal bug]",
        ]
        .iter()
        .any(|sign| message.contains(sign))
    }

    /// Explores `variant` of `scenario` exhaustively up to [`BUG_BOUND`] preemptions with the
    /// default fault plan, fault seed after fault seed, until a run fails, [`FAULT_SEEDS`] runs
    /// pass, or [`BUG_BUDGET`] is spent.
    fn explore_variant(scenario: &'static Scenario, variant: Variant) -> Outcome {
        let started = Instant::now();
        let mut executions = 0;
        for fault_seed in 0..FAULT_SEEDS {
            let Some(budget) = BUG_BUDGET.checked_sub(started.elapsed()) else {
                return Outcome::OutOfTime {
                    executions,
                    fault_seeds: fault_seed,
                };
            };
            let report = match explore_on_own_thread(scenario, variant, fault_seed, budget) {
                Ok(report) => report,
                Err(message) => return Outcome::Panicked { message },
            };
            executions += report.stats.executions;
            if let Some(failure) = report.failure {
                return if loom_gave_up(&failure.message) {
                    Outcome::DoesNotFit {
                        message: failure.message,
                    }
                } else {
                    Outcome::Found {
                        fault_seed,
                        executions: executions - report.stats.executions + failure.execution,
                        elapsed: started.elapsed(),
                        message: failure.message,
                    }
                };
            }
            if report.stats.elapsed >= budget {
                return Outcome::OutOfTime {
                    executions,
                    fault_seeds: fault_seed + 1,
                };
            }
        }
        Outcome::Exhausted { executions }
    }

    /// The smaller sizes the loom tests pin (`tests/loom_*.rs`), so an exhaustive search of
    /// each scenario stays within its budget; knobs a scenario does not read are ignored.
    const LOOM_SIZES: &[(&str, usize)] = &[
        ("workers", 2),
        ("editors", 2),
        ("swaps", 2),
        ("readers", 1),
        ("callers", 3),
        ("failures", 3),
        ("reads", 3),
        ("holders", 3),
        ("rounds", 1),
        ("operations", 1),
        ("retriers", 1),
    ];

    /// One exploration, on a fresh OS thread: a panic out of the exploration itself is returned
    /// as its message, and leaves nothing behind for the next exploration.
    fn explore_on_own_thread(
        scenario: &'static Scenario,
        variant: Variant,
        fault_seed: u64,
        budget: Duration,
    ) -> Result<Report, String> {
        std::thread::spawn(move || {
            let explorer = Explorer::new(Strategy::Exhaustive {
                preemption_bound: Some(BUG_BOUND),
            })
            .faults(FaultPlan::every_kind(0.05, Duration::from_millis(100)))
            .fault_seed(fault_seed)
            .time_budget(budget);
            let explorer = LOOM_SIZES
                .iter()
                .fold(explorer, |explorer, &(name, value)| {
                    explorer.size(name, value)
                });
            explorer.explore(scenario, variant)
        })
        .join()
        .map_err(|payload| panic_message(&*payload))
    }

    /// The first line of `message`, cut to 60 characters.
    fn first_line(message: &str) -> String {
        let line = message.lines().next().unwrap_or_default();
        match line.char_indices().nth(60) {
            Some((cut, _)) => format!("{}...", &line[..cut]),
            None => line.to_owned(),
        }
    }

    /// Explores every planted bug, prints the table, then checks every fixed scenario.
    fn planted_bugs() {
        let budget = BUG_BUDGET.as_secs();
        let mut rows = Vec::new();
        for scenario in model::scenarios::ALL {
            for bug in scenario.bugs {
                let row = match explore_variant(scenario, Variant::Bug(bug)) {
                    Outcome::Found {
                        fault_seed,
                        executions,
                        elapsed,
                        message,
                    } => [
                        "yes".to_owned(),
                        fault_seed.to_string(),
                        executions.to_string(),
                        format!("{:.1} ms", millis(elapsed)),
                        first_line(&message),
                    ],
                    Outcome::Exhausted { executions } => [
                        "no".to_owned(),
                        "-".to_owned(),
                        format!(
                            "none: bound {BUG_BOUND} exhausted for fault seeds 0..{FAULT_SEEDS} \
                             ({executions} executions)"
                        ),
                        "-".to_owned(),
                        String::new(),
                    ],
                    Outcome::OutOfTime {
                        executions,
                        fault_seeds,
                    } => [
                        "no".to_owned(),
                        "-".to_owned(),
                        format!(
                            "not within {budget} s / bound {BUG_BOUND} ({executions} executions, \
                             {fault_seeds} fault seeds)"
                        ),
                        "-".to_owned(),
                        String::new(),
                    ],
                    Outcome::DoesNotFit { message } => [
                        "does not fit loom".to_owned(),
                        "-".to_owned(),
                        "-".to_owned(),
                        "-".to_owned(),
                        first_line(&message),
                    ],
                    Outcome::Panicked { message } => [
                        "exploration panicked".to_owned(),
                        "-".to_owned(),
                        "-".to_owned(),
                        "-".to_owned(),
                        first_line(&message),
                    ],
                };
                let [found, fault_seed, executions, time, message] = row;
                rows.push([
                    scenario.name.to_owned(),
                    (*bug).to_owned(),
                    found,
                    fault_seed,
                    executions,
                    time,
                    message,
                ]);
            }
        }
        println!(
            "loom: every planted bug, exhaustive at preemption bound {BUG_BOUND}, default fault \
             plan, fault seeds 0, 1, ... (at most {FAULT_SEEDS}) until one finds it, \
             {budget} s per bug, the loom tests' small sizes"
        );
        print_table(
            &[
                "scenario",
                "planted bug",
                "found",
                "fault seed",
                "executions to first failure",
                "time to it",
                "failure (first 60 characters)",
            ],
            &rows,
        );

        let mut passed = 0;
        let mut executions = 0;
        for scenario in model::scenarios::ALL {
            match explore_variant(scenario, Variant::Fixed) {
                Outcome::Exhausted { executions: run } => {
                    passed += 1;
                    executions += run;
                }
                Outcome::OutOfTime {
                    executions: run,
                    fault_seeds,
                } => {
                    passed += 1;
                    executions += run;
                    println!(
                        "fixed {}: passed {run} executions, {fault_seeds} fault seeds, before \
                         the {budget} s budget ran out",
                        scenario.name
                    );
                }
                Outcome::Found {
                    fault_seed,
                    message,
                    ..
                } => println!(
                    "fixed {}: FAILED with fault seed {fault_seed}: {}",
                    scenario.name,
                    first_line(&message)
                ),
                Outcome::DoesNotFit { message } => println!(
                    "fixed {}: does not fit loom: {}",
                    scenario.name,
                    first_line(&message)
                ),
                Outcome::Panicked { message } => println!(
                    "fixed {}: the exploration panicked: {}",
                    scenario.name,
                    first_line(&message)
                ),
            }
        }
        println!(
            "fixed model, same settings: {passed}/{} scenarios pass ({executions} executions)",
            model::scenarios::ALL.len()
        );
    }

    fn millis(time: Duration) -> f64 {
        time.as_secs_f64() * 1e3
    }
}
