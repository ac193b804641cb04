//! Benchmark: the `sim` facade against raw loom on the same small workload.
//!
//! The workload: 2 or 3 worker threads, each taking lock A then lock B once and bumping both
//! counters, joined by the main thread. It is explored exhaustively at preemption bounds 2 and
//! 3, twice per case:
//!
//! * **raw**: `loom::sync::Mutex`, `std::sync::Arc` and `loom::thread` under
//!   `loom::model::Builder::check`;
//! * **facade**: `model::basics::ordered_pairs` (`sim::sync::Mutex`, `sim::thread`) under
//!   `sim::runtime::explore_exhaustive` (the default configuration, lock-hierarchy checks on);
//! * **facade, no hierarchy**: the same with the lock-hierarchy checks turned off through
//!   `sim::runtime::Explorer::hierarchy(false)`, to show what those checks cost.
//!
//! For each case it prints the executions explored (the target: facade ≤ 3× raw), next to the
//! raw counts DESIGN.md §3.2 recorded, and the median wall time of several rounds in rotating
//! order.
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
mod bench {
    use sim::runtime::{explore_exhaustive, Explorer, Failure, Stats, Strategy};
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
    /// both by the bench and by `sim`'s runner (which must agree).
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
        assert_eq!(stats.executions, executions, "sim counts every execution");
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

    /// Runs every case on every side, rotating which goes first each round, and prints the
    /// tables.
    pub fn run() {
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
                "sim facade",
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
                "sim facade",
                "facade/raw",
                "facade, no hierarchy",
                "no hierarchy/raw",
                "raw exec/s",
                "facade exec/s",
            ],
            &timings,
        );
    }

    fn millis(time: Duration) -> f64 {
        time.as_secs_f64() * 1e3
    }

    /// Prints an aligned table: the first column left-aligned, the others right-aligned.
    fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
        let mut widths = header.map(str::len);
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; N]| {
            let mut out = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if i == 0 {
                    out.push_str(&format!("{cell:<width$}"));
                } else {
                    out.push_str(&format!(" | {cell:>width$}"));
                }
            }
            println!("{}", out.trim_end());
        };
        line(*header);
        println!(
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("-|-")
        );
        for row in rows {
            line(row.each_ref().map(String::as_str));
        }
    }
}
