//! The conformance suite (`tests/conformance/`) under shuttle: each ported upstream case is
//! explored with the search it names (random by default, seeded) and ends as upstream
//! expects, or as the table of intended differences in `docs/CONFORMANCE.md` says.
#![cfg(all(feature = "shuttle", not(loom)))]

mod conformance;

use conformance::{Backend, Case, Explored, Search};
use lockstep::explore::{Explorer, Strategy};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

const SEED: u64 = 0xc0f0;

/// Random and PCT executions per case.
const ITERATIONS: usize = 1000;

/// DFS runs to completion within this budget (condvar waits and notifications are scheduling
/// points, as in raw shuttle and loom: `notify_one_deadlock` needs 1,422 schedules).
const DFS_ITERATIONS: usize = 5000;

fn explore(case: &Case) -> Explored {
    let strategy = match case.search {
        Search::Dfs => Strategy::Dfs,
        Search::Pct(depth) => Strategy::Pct { depth },
        Search::Default => Strategy::Random,
    };
    let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&outcomes);
    let body = case.body;
    let iterations = match strategy {
        Strategy::Dfs => DFS_ITERATIONS,
        _ => ITERATIONS,
    };
    let run = Explorer::new(strategy)
        .seed(SEED)
        .iterations(iterations)
        .run(move || {
            if let Some(outcome) = body.run() {
                sink.lock().unwrap().insert(outcome);
            }
        });
    let warning = run
        .as_ref()
        .ok()
        .and_then(|stats| stats.warning())
        .map(|warning| warning.to_string());
    let result = run
        .map(|stats| stats.executions)
        .map_err(|failure| failure.message);
    let outcomes = outcomes.lock().unwrap().clone();
    Explored {
        result,
        outcomes,
        warning,
    }
}

#[test]
fn arc() {
    conformance::check(Backend::Shuttle, conformance::arc::CASES, explore);
}

#[test]
fn atomic() {
    conformance::check(Backend::Shuttle, conformance::atomic::CASES, explore);
}

#[test]
fn condvar() {
    conformance::check(Backend::Shuttle, conformance::condvar::CASES, explore);
}

#[test]
fn mutex() {
    conformance::check(Backend::Shuttle, conformance::mutex::CASES, explore);
}

#[test]
fn rwlock() {
    conformance::check(Backend::Shuttle, conformance::rwlock::CASES, explore);
}

#[test]
fn scheduling() {
    conformance::check(Backend::Shuttle, conformance::scheduling::CASES, explore);
}

#[test]
fn semaphore() {
    conformance::check(Backend::Shuttle, conformance::semaphore::CASES, explore);
}

#[test]
fn thread() {
    conformance::check(Backend::Shuttle, conformance::thread::CASES, explore);
}

/// The README's totals row for one upstream suite, as the suite counts it.
fn totals_row(upstream: conformance::Upstream, label: &str) -> String {
    let cases: Vec<Case> = conformance::all()
        .into_iter()
        .filter(|case| case.upstream == upstream)
        .collect();
    let differing = cases
        .iter()
        .filter(|case| matches!(case.verdict, conformance::Verdict::Differs { .. }))
        .count();
    format!(
        "| {label} | {} | {} | {differing} |",
        cases.len(),
        cases.len() - differing,
    )
}

#[test]
fn the_readme_totals_are_the_suites() {
    let readme = include_str!("../README.md");
    let missing: Vec<String> = [
        totals_row(conformance::Upstream::Loom, "loom `tests/`"),
        totals_row(conformance::Upstream::Shuttle, "shuttle `tests/basic/`"),
    ]
    .into_iter()
    .filter(|row| !readme.contains(row))
    .collect();
    assert!(
        missing.is_empty(),
        "the README lacks the rows\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_intended_difference_has_a_row_in_the_table() {
    let table = include_str!("../docs/CONFORMANCE.md");
    for row in conformance::Difference::ALL {
        assert!(
            table.contains(&format!("| `{}` |", row.key())),
            "docs/CONFORMANCE.md has no row `{}`",
            row.key()
        );
    }
}

#[test]
fn after_fixes() {
    conformance::check(Backend::Shuttle, conformance::after_fixes::CASES, explore);
}
