//! Benchmark: how fast each strategy finds each planted bug.
//!
//! For every planted bug of the model and each shuttle strategy (random, PCT depth 2 and 3,
//! POS; DFS once, as it is not seeded), 20 seeds each explore up to 10,000 executions with the
//! default fault plan and no shrinking. It prints, per bug and strategy, how many seeds found
//! it and the median (min..max) executions to the first failure, plus the median wall time to
//! it; then PCT against random bug by bug, with each bug's class (see [`bench::CLASSES`]);
//! then the same for the ordering family `model::ordering::reorder` (N = 3, 5, 10, 20
//! threads, with and without a start gate; random, PCT 2/3 and POS); then runs every fixed
//! scenario with the same budget (one seed per strategy), which must find nothing.
//!
//! Run with `cargo run --release --features shuttle --example bench_bugs`.

/// Runs the benchmark and prints its tables.
#[cfg(all(feature = "shuttle", not(loom)))]
fn main() {
    bench::run();
}

/// Built without the shuttle backend: says how to run the benchmark and fails.
#[cfg(not(all(feature = "shuttle", not(loom))))]
fn main() {
    eprintln!(
        "bench_bugs needs the shuttle backend: \
         cargo run --release --features shuttle --example bench_bugs"
    );
    std::process::exit(2);
}

#[cfg(all(feature = "shuttle", not(loom)))]
mod bench {
    use lockstep::explore::{Explorer, Strategy};
    use lockstep::fault::FaultPlan;
    use lockstep::scenario::Variant;
    use std::time::Duration;

    const SEEDS: u64 = 20;
    const BUDGET: usize = 10_000;

    /// What a planted bug needs from the schedule. "any schedule": found whatever the
    /// interleaving (a logic error, a lock-hierarchy violation the checker reports on first
    /// sight, or a path that a fault or a virtual-time timeout opens): loom's first,
    /// preemption-free execution finds it (the loom column of `bench_loom`). "atomicity
    /// violation" (the PCT paper's term, Burckhardt et al., ASPLOS 2010, fig. 1b): another
    /// thread's operation must land between two steps of one thread, a preemption inside a
    /// window. "fault + interleaving": an error path opened by a fault, which then needs an
    /// interleaving loom's first execution does not take. None is an ordering violation in the
    /// paper's sense (fig. 1a: one step before another, no preemption needed); the PCT
    /// calibration set (`bench_pct`) has two.
    pub(crate) const CLASSES: &[(&str, &str, &str)] = &[
        ("lost-update", "read-then-write", ATOMICITY),
        ("release-on-error", "leak-on-network-error", FAULT),
        ("session-release-on-error", "skip-release-on-error", ANY),
        ("session-release-on-error", "metrics-skip-timeout", ANY),
        (
            "session-lock-timeout-retry",
            "leak-permit-on-timeout",
            FAULT,
        ),
        ("session-lock-timeout-retry", "metrics-skip-timeout", ANY),
        ("session-close-race", "state-outside-lock", ATOMICITY),
        ("session-recovery", "handler-before-operation", ANY),
        ("lock-table-contended-row", "release-any-holder", ATOMICITY),
        (
            "lock-table-contended-row",
            "check-then-act-acquire",
            ATOMICITY,
        ),
        ("lock-table-stale-takeover", "takeover-fresh-lock", ANY),
        ("breaker-half-open-probe", "half-open-admits-all", ANY),
        ("breaker-recovery", "no-reset-on-close", ANY),
        ("breaker-recovery", "close-without-probe", ANY),
        ("booking-concurrent-edits", "no-version-check", ANY),
        ("booking-competing-swaps", "check-then-act-swap", ATOMICITY),
        ("booking-competing-swaps", "row-locks-out-of-order", ANY),
        (
            "booking-cancelled-generation",
            "cancel-without-rollback",
            ANY,
        ),
        ("booking-two-field-update", "half-written-update", ATOMICITY),
    ];
    const ANY: &str = "any schedule";
    const ATOMICITY: &str = "atomicity violation";
    const FAULT: &str = "fault + interleaving";

    /// The class of a planted bug (see [`CLASSES`]).
    fn class_of(scenario: &str, bug: &str) -> &'static str {
        CLASSES
            .iter()
            .find(|(s, b, _)| *s == scenario && *b == bug)
            .map(|(_, _, class)| *class)
            .unwrap_or_else(|| panic!("{scenario} / {bug} has no class in CLASSES"))
    }

    fn strategies() -> Vec<Strategy> {
        vec![
            Strategy::Random,
            Strategy::Pct { depth: 2 },
            Strategy::Pct { depth: 3 },
            Strategy::Pos,
            Strategy::Dfs,
        ]
    }

    fn faults() -> FaultPlan {
        FaultPlan::every_kind(0.05, Duration::from_millis(100))
    }

    /// Runs `work` on a fresh OS thread: some failures end while a simulated thread is still
    /// unwinding, which can leave shuttle's per-OS-thread state unusable for the next
    /// exploration on the same thread (seen after hundreds of failing runs in one process).
    fn isolated<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::spawn(work)
            .join()
            .expect("the exploration itself does not panic")
    }

    fn explore(
        strategy: Strategy,
        seed: u64,
        scenario: &'static lockstep::scenario::Scenario,
        variant: Variant,
    ) -> lockstep::explore::Report {
        isolated(move || explorer(strategy, seed).explore(scenario, variant))
    }

    /// Executions to the first failure and the time to it, for every seed that found one.
    struct Found {
        seeds: u64,
        executions: Vec<usize>,
        times: Vec<Duration>,
    }

    impl Found {
        /// Runs `find` (the first failure's execution number and time, if any) for each seed.
        fn measure(seeds: u64, find: impl Fn(u64) -> Option<(usize, Duration)>) -> Found {
            let mut found = Found {
                seeds,
                executions: Vec::new(),
                times: Vec::new(),
            };
            for seed in 0..seeds {
                if let Some((execution, time)) = find(seed) {
                    found.executions.push(execution);
                    found.times.push(time);
                }
            }
            found
        }

        /// The median executions to the first failure, if any seed found one.
        fn median_executions(&self) -> Option<usize> {
            median(&mut self.executions.clone())
        }

        /// `found/seeds | median (min..max) | median time`, as table cells.
        fn cells(mut self) -> String {
            let count = self.executions.len();
            let spread = match (
                self.executions.iter().min().copied(),
                self.executions.iter().max().copied(),
            ) {
                (Some(min), Some(max)) => {
                    format!(
                        "{} ({min}..{max})",
                        median(&mut self.executions).unwrap_or(0)
                    )
                }
                _ => "-".to_owned(),
            };
            let time = median(&mut self.times).map_or("-".to_owned(), |t| {
                format!("{:.2} ms", t.as_secs_f64() * 1e3)
            });
            format!("{count}/{} | {spread} | {time}", self.seeds)
        }
    }

    fn explorer(strategy: Strategy, seed: u64) -> Explorer {
        Explorer::new(strategy)
            .seed(seed)
            .iterations(BUDGET)
            .faults(faults())
            .shrink_budget(0)
    }

    /// The `reorder` family: N threads, gated or not, per seeded strategy (no faults: the
    /// family has no fault sites).
    fn ordering_family() {
        println!();
        println!(
            "| family | threads | strategy | found | executions to first failure: median (min..max) | median time to it |"
        );
        println!("|---|---|---|---|---|---|");
        for gated in [true, false] {
            let family = if gated {
                "reorder, gated"
            } else {
                "reorder, ungated"
            };
            for threads in [3, 5, 10, 20] {
                for strategy in strategies().into_iter().filter(|s| *s != Strategy::Dfs) {
                    let found = Found::measure(SEEDS, |seed| {
                        isolated(move || {
                            let started = std::time::Instant::now();
                            Explorer::new(strategy)
                                .seed(seed)
                                .iterations(BUDGET)
                                .shrink_budget(0)
                                .run(move || model::ordering::reorder(threads, gated))
                                .err()
                                .map(|failure| (failure.execution, started.elapsed()))
                        })
                    });
                    println!("| {family} | {threads} | {strategy} | {} |", found.cells());
                }
            }
        }
    }

    /// One planted bug's median executions to the first failure, per strategy (`None`: no
    /// seed found it).
    struct BugMedians {
        scenario: &'static str,
        bug: &'static str,
        by_strategy: Vec<(Strategy, Option<usize>)>,
    }

    /// Per planted bug: its class, random's and PCT's medians, and whether PCT (its better
    /// depth) is no worse than random; then the count per class.
    fn pct_against_random(medians: &[BugMedians]) {
        println!();
        println!("| scenario | planted bug | class | random | pct-2 | pct-3 | better PCT / random | PCT no worse |");
        println!("|---|---|---|---|---|---|---|---|");
        let show = |m: Option<usize>| m.map_or("-".to_owned(), |m| m.to_string());
        let mut tally: Vec<(&str, usize, usize)> = Vec::new();
        for BugMedians {
            scenario,
            bug,
            by_strategy,
        } in medians
        {
            let of = |wanted: Strategy| {
                by_strategy
                    .iter()
                    .find(|(s, _)| *s == wanted)
                    .and_then(|(_, m)| *m)
            };
            let random = of(Strategy::Random);
            let (pct2, pct3) = (
                of(Strategy::Pct { depth: 2 }),
                of(Strategy::Pct { depth: 3 }),
            );
            let pct = pct2.into_iter().chain(pct3).min();
            let no_worse = match (pct, random) {
                (Some(p), Some(r)) => p <= r,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let ratio = match (pct, random) {
                (Some(p), Some(r)) => format!("{:.2}", p as f64 / r as f64),
                _ => "-".to_owned(),
            };
            let class = class_of(scenario, bug);
            match tally.iter_mut().find(|(c, _, _)| *c == class) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 += usize::from(no_worse);
                }
                None => tally.push((class, 1, usize::from(no_worse))),
            }
            println!(
                "| {scenario} | {bug} | {class} | {} | {} | {} | {ratio} | {} |",
                show(random),
                show(pct2),
                show(pct3),
                if no_worse { "yes" } else { "no" }
            );
        }
        println!();
        for (class, bugs, no_worse) in tally {
            println!(
                "PCT's median no worse than random's, {class}: {no_worse} of {bugs} planted bugs"
            );
        }
    }

    fn median<T: Copy + Ord>(values: &mut [T]) -> Option<T> {
        values.sort_unstable();
        values.get(values.len() / 2).copied()
    }

    /// Prints the table of schedules to the first failure, and the fixed model's check.
    pub fn run() {
        // Expected failures panic inside the exploration; keep the output to the tables.
        std::panic::set_hook(Box::new(|_| {}));
        println!(
            "| scenario | planted bug | strategy | found | executions to first failure: median (min..max) | median time to it |"
        );
        println!("|---|---|---|---|---|---|");
        let mut medians = Vec::new();
        for scenario in model::scenarios::ALL {
            for bug in scenario.bugs {
                let mut by_strategy = Vec::new();
                for strategy in strategies() {
                    let seeds = if strategy == Strategy::Dfs { 1 } else { SEEDS };
                    let found = Found::measure(seeds, |seed| {
                        let report = explore(strategy, seed, scenario, Variant::Bug(bug));
                        report
                            .failure
                            .map(|failure| (failure.execution, report.stats.elapsed))
                    });
                    by_strategy.push((strategy, found.median_executions()));
                    println!(
                        "| {} | {bug} | {strategy} | {} |",
                        scenario.name,
                        found.cells()
                    );
                }
                medians.push(BugMedians {
                    scenario: scenario.name,
                    bug,
                    by_strategy,
                });
            }
        }
        pct_against_random(&medians);
        ordering_family();
        println!();
        println!("| fixed scenario | strategy | executions | result |");
        println!("|---|---|---|---|");
        for scenario in model::scenarios::ALL {
            for strategy in strategies() {
                let report = explore(strategy, 0, scenario, Variant::Fixed);
                let result = match &report.failure {
                    None => "nothing found".to_owned(),
                    Some(f) => format!("FAILED: {}", f.message.lines().next().unwrap_or_default()),
                };
                println!(
                    "| {} | {strategy} | {} | {result} |",
                    scenario.name, report.stats.executions
                );
            }
        }
    }
}
