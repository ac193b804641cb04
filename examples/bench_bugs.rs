//! Benchmark: how fast each strategy finds each planted bug.
//!
//! For every planted bug of the model and each shuttle strategy (random, PCT depth 2 and 3,
//! POS; DFS once, as it is not seeded), 20 seeds each explore up to 10,000 executions with the
//! default fault plan and no shrinking. It prints, per bug and strategy, how many seeds found
//! it and the median (min..max) executions to the first failure, plus the median wall time to
//! it; then runs every fixed scenario with the same budget (one seed per strategy), which must
//! find nothing.
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
    use sim::explorer::{Explorer, Strategy};
    use sim::fault::FaultPlan;
    use sim::scenario::Variant;
    use std::time::Duration;

    const SEEDS: u64 = 20;
    const BUDGET: usize = 10_000;

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

    /// Explores on a fresh OS thread: some failures end while a simulated thread is still
    /// unwinding, which can leave shuttle's per-OS-thread state unusable for the next
    /// exploration on the same thread (seen after hundreds of failing runs in one process).
    fn explore(
        strategy: Strategy,
        seed: u64,
        scenario: &'static sim::scenario::Scenario,
        variant: Variant,
    ) -> sim::explorer::Report {
        std::thread::spawn(move || explorer(strategy, seed).explore(scenario, variant))
            .join()
            .expect("the exploration itself does not panic")
    }

    fn explorer(strategy: Strategy, seed: u64) -> Explorer {
        Explorer::new(strategy)
            .seed(seed)
            .iterations(BUDGET)
            .faults(faults())
            .shrink_budget(0)
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
        for scenario in model::scenarios::ALL {
            for bug in scenario.bugs {
                for strategy in strategies() {
                    let seeds = if strategy == Strategy::Dfs { 1 } else { SEEDS };
                    let mut executions = Vec::new();
                    let mut times = Vec::new();
                    for seed in 0..seeds {
                        let report = explore(strategy, seed, scenario, Variant::Bug(bug));
                        if let Some(failure) = report.failure {
                            executions.push(failure.execution);
                            times.push(report.stats.elapsed);
                        }
                    }
                    let found = executions.len();
                    let spread = match (
                        executions.iter().min().copied(),
                        executions.iter().max().copied(),
                    ) {
                        (Some(min), Some(max)) => {
                            format!("{} ({min}..{max})", median(&mut executions).unwrap_or(0))
                        }
                        _ => "-".to_owned(),
                    };
                    let time = median(&mut times).map_or("-".to_owned(), |t| {
                        format!("{:.2} ms", t.as_secs_f64() * 1e3)
                    });
                    println!(
                        "| {} | {bug} | {strategy} | {found}/{seeds} | {spread} | {time} |",
                        scenario.name
                    );
                }
            }
        }
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
