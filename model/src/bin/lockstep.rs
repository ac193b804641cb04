//! `lockstep`: explore the model's scenarios and replay seed files.
//!
//! ```text
//! lockstep explore [ITERATIONS] [SEED]   every scenario (fixed) and every planted bug, under
//!                                        shuttle random and PCT; failing seeds go to seeds/
//! lockstep replay FILE...                replay seed files and print their traces
//! ```
//!
//! Exit codes: 0 nothing unexpected, 1 a fixed scenario failed, a planted bug was missed or a
//! replay did not reproduce, 2 bad usage or bad input.
// This driver is not model code: it times real throughput (executions per second).
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use model::scenarios::ALL;
use sim::explorer::{Explorer, Report, Strategy};
use sim::scenario::Variant;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: lockstep explore [ITERATIONS] [SEED] | lockstep replay FILE...";

fn main() -> ExitCode {
    // Failing executions panic by design; the reports below say what they were.
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("explore") => explore(&args[1..]),
        Some("replay") if args.len() > 1 => replay(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn explore(args: &[String]) -> ExitCode {
    let iterations = match args.first().map(|a| a.parse::<usize>()) {
        None => 2000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("lockstep: ITERATIONS must be a positive whole number\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let seed = match args.get(1).map(|a| a.parse::<u64>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("lockstep: SEED must be a whole number\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{:<24} {:<22} {:<8} {:>10} {:>9} {:>10} {:>8}  result",
        "scenario", "variant", "strategy", "executions", "distinct", "exec/s", "coverage"
    );
    let mut ok = true;
    for scenario in ALL {
        let variants =
            std::iter::once(Variant::Fixed).chain(scenario.bugs.iter().map(|b| Variant::Bug(b)));
        for variant in variants {
            for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }] {
                let explorer = Explorer::new(strategy)
                    .seed(seed)
                    .iterations(iterations)
                    .seeds_dir("seeds");
                ok &= print_row(&explorer.explore(scenario, variant));
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints one summary row; returns whether the result was the expected one.
fn print_row(report: &Report) -> bool {
    let (verdict, expected) = match (&report.failure, report.variant) {
        (None, Variant::Fixed) => ("pass".to_owned(), true),
        (None, Variant::Bug(_)) => ("MISSED the planted bug".to_owned(), false),
        (Some(f), Variant::Fixed) => (format!("FAILED: {}", first_line(&f.message)), false),
        (Some(f), Variant::Bug(_)) => (format!("found: {}", first_line(&f.message)), true),
    };
    let stats = &report.stats;
    println!(
        "{:<24} {:<22} {:<8} {:>10} {:>9} {:>10.0} {:>8}  {verdict}",
        report.scenario,
        report.variant.to_string(),
        report.strategy,
        stats.executions,
        stats.distinct_schedules,
        stats.executions_per_second(),
        stats.coverage,
    );
    match &report.seed_file {
        Some(Ok(path)) => println!("{:>24} seed: {}", "", path.display()),
        Some(Err(err)) => println!("{:>24} seed NOT written: {err}", ""),
        None => {}
    }
    expected
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn replay(files: &[String]) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    for file in files {
        match sim::replay::replay(Path::new(file), ALL) {
            Ok(replayed) => {
                println!(
                    "{file}: {} {} reproduced",
                    replayed.seed.scenario, replayed.seed.variant
                );
                if let Some(message) = &replayed.failure {
                    println!("failure: {message}");
                }
                println!("{}", replayed.trace);
            }
            Err(err) => {
                eprintln!("lockstep: {err}");
                code = ExitCode::from(2);
            }
        }
    }
    code
}
