//! Benchmark: how fast each strategy finds each planted bug.
//!
//! For every planted bug of the model and each shuttle strategy (random, PCT depth 2 and 3,
//! POS; DFS once, as it is not seeded), 20 seeds each explore up to 10,000 executions with the
//! default fault plan and no shrinking. It prints, per bug and strategy, how many seeds found
//! it and the median (min..max) executions to the first failure, plus the median wall time to
//! it; then PCT against random bug by bug, with each bug's class (see [`bench::CLASSES`]);
//! then runs every fixed scenario with the same budget (one seed per strategy), which must find
//! nothing. (The ordering family and the other bug shapes of the classic benchmarks are in
//! `bench_search`.)
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
#[path = "support/first_failure.rs"]
mod first_failure;

#[cfg(all(feature = "shuttle", not(loom)))]
mod bench {
    use super::first_failure::{
        isolated, median, scenario_attempt, scenario_explorer, Found, SEEDS,
    };
    use lockstep::explore::Strategy;
    use lockstep::scenario::Variant;
    use std::time::Duration;

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

    fn explore(
        strategy: Strategy,
        seed: u64,
        scenario: &'static lockstep::scenario::Scenario,
        variant: Variant,
    ) -> lockstep::explore::Report {
        isolated(move || scenario_explorer(strategy, seed).explore(scenario, variant))
    }

    /// `found/seeds | median (min..max) | median time to it`, as table cells.
    fn cells(found: &Found) -> String {
        let executions = found.executions_to_first_failure();
        let spread = match (executions.first(), executions.last()) {
            (Some(min), Some(max)) => {
                format!(
                    "{} ({min}..{max})",
                    median(&mut executions.clone()).unwrap_or(0)
                )
            }
            _ => "-".to_owned(),
        };
        let mut times: Vec<Duration> = found
            .attempts
            .iter()
            .filter(|a| a.first_failure.is_some())
            .map(|a| a.elapsed)
            .collect();
        let time = median(&mut times).map_or("-".to_owned(), |t| {
            format!("{:.2} ms", t.as_secs_f64() * 1e3)
        });
        format!("{} | {spread} | {time}", found.found())
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
                    let found = Found::measure(seeds, None, |seed| {
                        scenario_attempt(strategy, seed, scenario, Variant::Bug(bug))
                    });
                    by_strategy.push((strategy, median(&mut found.executions_to_first_failure())));
                    println!(
                        "| {} | {bug} | {strategy} | {} |",
                        scenario.name,
                        cells(&found)
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
