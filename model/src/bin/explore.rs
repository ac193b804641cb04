//! `make explore`: runs every scenario under shuttle's random and PCT schedulers and prints what
//! it found. The fixed programs must pass; the planted lost-update bug must be found.
//!
//! Usage: `explore [ITERATIONS] [SEED]` (defaults: 2000 iterations, seed 0). Exit code 0 when
//! every fixed scenario passed and every planted bug was found, 1 otherwise.
// This driver is not model code: it times real throughput (executions per second).
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use model::basics::Variant;
use model::scenarios::{Scenario, ALL};
use sim::runtime::{explore, Strategy};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let iterations = match args.next().map(|a| a.parse::<usize>()) {
        None => 2000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("explore: ITERATIONS must be a positive whole number");
            return ExitCode::from(2);
        }
    };
    let seed = match args.next().map(|a| a.parse::<u64>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("explore: SEED must be a whole number");
            return ExitCode::from(2);
        }
    };
    // Failing executions panic by design; the report below says what they were.
    std::panic::set_hook(Box::new(|_| {}));

    println!(
        "{:<24} {:<8} {:<10} {:>10} {:>12}  result",
        "scenario", "variant", "strategy", "executions", "exec/s"
    );
    let mut ok = true;
    let planted = [("lost-update", Variant::Bug)];
    let runs = ALL.iter().map(|s| (s, Variant::Fixed)).chain(
        planted
            .iter()
            .filter_map(|(name, v)| Some((model::scenarios::find(name)?, *v))),
    );
    for (scenario, variant) in runs {
        for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }] {
            ok &= run(scenario, variant, strategy, seed, iterations);
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Explores one scenario and prints its row; returns whether the result was the expected one.
fn run(
    scenario: &'static Scenario,
    variant: Variant,
    strategy: Strategy,
    seed: u64,
    iterations: usize,
) -> bool {
    let started = Instant::now();
    let body = scenario.run;
    let result = explore(strategy, seed, iterations, move || body(variant));
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let (executions, verdict, expected) = match (&result, variant) {
        (Ok(stats), Variant::Fixed) => (stats.executions, "pass".to_owned(), true),
        (Ok(stats), Variant::Bug) => (stats.executions, "MISSED the planted bug".to_owned(), false),
        (Err(f), Variant::Fixed) => (f.execution, format!("FAILED: {}", f.message), false),
        (Err(f), Variant::Bug) => (f.execution, format!("found: {}", f.message), true),
    };
    let strategy = match strategy {
        Strategy::Random => "random".to_owned(),
        Strategy::Pct { depth } => format!("pct-{depth}"),
        Strategy::Dfs => "dfs".to_owned(),
    };
    println!(
        "{:<24} {:<8} {:<10} {:>10} {:>12.0}  {}",
        scenario.name,
        format!("{variant:?}").to_lowercase(),
        strategy,
        executions,
        executions as f64 / seconds,
        verdict.lines().next().unwrap_or_default()
    );
    expected
}
