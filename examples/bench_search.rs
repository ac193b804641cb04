//! Benchmark: how fast each search strategy finds the bug shapes of the classic concurrency
//! benchmarks (`model::search`: N-thread reorder, two-stage, token ring, account, at the sizes
//! the RFF paper measures, plus the gated reorder for contrast) and every planted bug of the
//! model (`model::scenarios::ALL`).
//!
//! Per program and strategy: 20 seeds (DFS, which is not seeded, runs once), at most 10,000
//! executions each, no shrinking; the families without faults (they have no fault sites), the
//! planted bugs with the default fault plan, as `bench_bugs` explores them. It prints found
//! x/seeds, the median and max executions to the first failure over the seeds that found it,
//! the time per execution (all executions of all seeds), and beside them the medians the RFF
//! paper's artifact publishes for the same SCTBench program: for the same strategy where the
//! paper has one (PCT d = 3, POS) and for RFF. Then the run's total time.
//!
//! The strategies are names parsed with `Strategy::from_str` ([`STRATEGIES`], or
//! `--strategies a,b,...`); `--seeds N` changes the 20 seeds; `--give-up-after K` stops a
//! strategy on a program after its first K seeds if none of them found the bug (shown as
//! "0/K, gave up": the hopeless cells, 10,000 executions per seed at 100 threads, are most of
//! the run's time); arguments without a leading `--` keep only the programs whose name contains
//! one of them:
//!
//! ```text
//! cargo run --release --features shuttle --example bench_search
//! cargo run --release --features shuttle --example bench_search -- reorder-10 two-stage
//! cargo run --release --features shuttle --example bench_search -- --strategies pos,dfs account
//! ```

/// Runs the benchmark (the arguments select programs and strategies) and prints its table.
#[cfg(all(feature = "shuttle", not(loom)))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match bench::Selection::parse(&args) {
        Ok(selection) => bench::run(&selection),
        Err(message) => {
            eprintln!("bench_search: {message}");
            std::process::exit(2);
        }
    }
}

/// Built without the shuttle backend: says how to run the benchmark and fails.
#[cfg(not(all(feature = "shuttle", not(loom))))]
fn main() {
    eprintln!(
        "bench_search needs the shuttle backend: \
         cargo run --release --features shuttle --example bench_search"
    );
    std::process::exit(2);
}

#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "support/first_failure.rs"]
mod first_failure;

#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "support/rff_published.rs"]
mod published;

#[cfg(all(feature = "shuttle", not(loom)))]
mod bench {
    use super::first_failure::{median, scenario_attempt, Attempt, Found, BUDGET, SEEDS};
    use super::published;
    use lockstep::explore::{Explorer, Strategy};
    use lockstep::scenario::{Scenario, Variant};
    use std::time::{Duration, Instant};

    /// The strategies compared, by name (`Strategy::from_str`).
    pub const STRATEGIES: &[&str] = &["random", "pct-2", "pct-3", "pos", "dfs", "rff"];

    /// What the command line selected: the strategies, and name filters for the programs
    /// (none: every program).
    pub struct Selection {
        strategies: Vec<Strategy>,
        filters: Vec<String>,
        seeds: u64,
        give_up_after: Option<u64>,
    }

    impl Selection {
        /// Parses `[--strategies a,b,...] [--seeds N] [--give-up-after K] [FILTER...]`.
        pub fn parse(args: &[String]) -> Result<Selection, String> {
            let mut names: Vec<String> = STRATEGIES.iter().map(|s| s.to_string()).collect();
            let mut filters = Vec::new();
            let mut seeds = SEEDS;
            let mut give_up_after = None;
            let mut args = args.iter();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--strategies" => {
                        let list = args.next().ok_or("--strategies needs a list: a,b,...")?;
                        names = list.split(',').map(str::to_owned).collect();
                    }
                    "--seeds" => {
                        seeds = args
                            .next()
                            .and_then(|n| n.parse().ok())
                            .filter(|&n| n > 0)
                            .ok_or("--seeds needs a positive number")?;
                    }
                    "--give-up-after" => {
                        give_up_after = Some(
                            args.next()
                                .and_then(|n| n.parse().ok())
                                .filter(|&n| n > 0)
                                .ok_or("--give-up-after needs a positive number")?,
                        );
                    }
                    flag if flag.starts_with("--") => {
                        return Err(format!(
                            "unknown flag `{flag}` (usage: [--strategies a,b,...] [--seeds N] [--give-up-after K] [FILTER...])"
                        ))
                    }
                    filter => filters.push(filter.to_owned()),
                }
            }
            let strategies = names
                .iter()
                .map(|name| name.parse::<Strategy>())
                .collect::<Result<_, _>>()?;
            Ok(Selection {
                strategies,
                filters,
                seeds,
                give_up_after,
            })
        }

        fn keeps(&self, target: &Target) -> bool {
            self.filters.is_empty() || self.filters.iter().any(|f| target.name.contains(f))
        }
    }

    /// What one execution runs.
    enum Program {
        /// A family instance (or the gated reorder): its buggy program, and what its failure's
        /// message contains.
        Shape { run: fn(), message: &'static str },
        /// A planted bug of a model scenario.
        Planted {
            scenario: &'static Scenario,
            bug: &'static str,
        },
    }

    /// A program the benchmark searches, with its SCTBench name in the RFF paper's artifact if
    /// it has one.
    struct Target {
        name: String,
        published_as: Option<&'static str>,
        program: Program,
    }

    impl Target {
        /// One seed's exploration of the program with `strategy`.
        fn attempt(&self, strategy: Strategy, seed: u64) -> Attempt {
            match self.program {
                Program::Shape { run, message } => {
                    let name = self.name.clone();
                    Attempt::timed(move || {
                        Explorer::new(strategy)
                            .seed(seed)
                            .iterations(BUDGET)
                            .shrink_budget(0)
                            .run(run)
                            .map(|stats| stats.executions)
                            .map_err(|failure| {
                                assert!(
                                    failure.message.contains(message),
                                    "{name} under {strategy} failed with something other than its \
                                     planted bug: {}",
                                    failure.message
                                );
                                failure.execution
                            })
                    })
                }
                Program::Planted { scenario, bug } => {
                    scenario_attempt(strategy, seed, scenario, Variant::Bug(bug))
                }
            }
        }
    }

    /// The family instances, the gated reorder at 10 and 20 threads, then every planted bug.
    fn targets() -> Vec<Target> {
        let reorder_message = model::search::find("reorder-3")
            .expect("the reorder family is listed")
            .message;
        let shapes = model::search::INSTANCES.iter().map(|instance| Target {
            name: instance.name.to_owned(),
            published_as: Some(instance.published_as),
            program: Program::Shape {
                run: instance.run,
                message: instance.message,
            },
        });
        let gated: [(usize, fn()); 2] = [
            (10, || model::ordering::reorder(10, true)),
            (20, || model::ordering::reorder(20, true)),
        ];
        let gated = gated.into_iter().map(|(threads, run)| Target {
            name: format!("reorder-gated-{threads}"),
            published_as: None,
            program: Program::Shape {
                run,
                message: reorder_message,
            },
        });
        let planted = model::scenarios::ALL.iter().flat_map(|scenario| {
            scenario.bugs.iter().map(move |&bug| Target {
                name: format!("{}/{bug}", scenario.name),
                published_as: None,
                program: Program::Planted { scenario, bug },
            })
        });
        shapes.chain(gated).chain(planted).collect()
    }

    /// `found | median | max | time per execution`, as table cells; `planned` seeds were to
    /// run (fewer ran if the exploration gave up).
    fn cells(found: &Found, planned: u64) -> String {
        let executions = found.executions_to_first_failure();
        let (middle, max) = match executions.last() {
            Some(max) => (
                median(&mut executions.clone()).unwrap_or(0).to_string(),
                max.to_string(),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        };
        let ran: usize = found.attempts.iter().map(|a| a.executions).sum();
        let took: Duration = found.attempts.iter().map(|a| a.elapsed).sum();
        let per_execution = took.as_secs_f64() * 1e6 / ran.max(1) as f64;
        let count = if found.attempts.len() as u64 == planned {
            found.found()
        } else {
            format!("{}, gave up", found.found())
        };
        format!("{count} | {middle} | {max} | {per_execution:.0} µs")
    }

    /// Prints the table, then the run's total time.
    pub fn run(selection: &Selection) {
        // Expected failures panic inside the exploration; keep the output to the table.
        std::panic::set_hook(Box::new(|_| {}));
        let started = Instant::now();
        println!(
            "| program | strategy | found | median | max | time per execution | published, same strategy | published RFF |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        for target in targets().iter().filter(|t| selection.keeps(t)) {
            for &strategy in &selection.strategies {
                let seeds = if strategy.samples() {
                    selection.seeds
                } else {
                    1
                };
                let found = Found::measure(seeds, selection.give_up_after, |seed| {
                    target.attempt(strategy, seed)
                });
                let (same, rff) = match target.published_as {
                    Some(program) => (
                        published::median(program, &strategy.to_string()),
                        published::median(program, "rff"),
                    ),
                    None => ("-", "-"),
                };
                println!(
                    "| {} | {strategy} | {} | {same} | {rff} |",
                    target.name,
                    cells(&found, seeds)
                );
            }
        }
        println!();
        println!(
            "Run time: {:.0} s ({} seeds per seeded strategy{}, at most {BUDGET} executions each).",
            started.elapsed().as_secs_f64(),
            selection.seeds,
            selection.give_up_after.map_or(String::new(), |k| format!(
                ", giving up on a program after {k} seeds that found nothing"
            )),
        );
    }
}
