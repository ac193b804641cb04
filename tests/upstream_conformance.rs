//! The conformance suite (`tests/conformance/`) under shuttle and loom (one file: only the
//! explorer differs). Each ported upstream case ends as upstream expects, or as the table of
//! intended differences in `docs/CONFORMANCE.md` says. Shuttle explores with the search a case
//! names (random by default, seeded); loom exhaustively, with preemption bound 2 or the one a
//! case names.
#![cfg(any(loom, feature = "shuttle"))]

#[path = "conformance/mod.rs"]
mod conformance;

use conformance::{Backend, Case, Explored};
use lockstep::explore::{Explorer, Strategy};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

#[cfg(feature = "shuttle")]
const BACKEND: Backend = Backend::Shuttle;

#[cfg(loom)]
const BACKEND: Backend = Backend::Loom;

/// Shuttle: random and PCT executions per case.
#[cfg(feature = "shuttle")]
const ITERATIONS: usize = 1000;

/// Shuttle: DFS runs to completion within this budget (condvar waits and notifications are
/// scheduling points, as in raw shuttle and loom: `notify_one_deadlock` needs 1,422
/// schedules).
#[cfg(feature = "shuttle")]
const DFS_ITERATIONS: usize = 5000;

/// Loom's preemption bound unless a case names another.
#[cfg(loom)]
const PREEMPTION_BOUND: usize = 2;

/// The explorer for `case` on this backend.
#[cfg(feature = "shuttle")]
fn explorer(case: &Case) -> Explorer {
    use conformance::Search;
    let (strategy, iterations) = match case.search {
        Search::Dfs => (Strategy::Dfs, DFS_ITERATIONS),
        Search::Pct(depth) => (Strategy::Pct { depth }, ITERATIONS),
        Search::Default => (Strategy::Random, ITERATIONS),
    };
    Explorer::new(strategy).seed(0xc0f0).iterations(iterations)
}

/// The explorer for `case` on this backend.
#[cfg(loom)]
fn explorer(case: &Case) -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(case.loom_bound.unwrap_or(PREEMPTION_BOUND)),
    })
}

fn explore(case: &Case) -> Explored {
    let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&outcomes);
    let body = case.body;
    let run = explorer(case).run(move || {
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

/// One test per primitive's cases.
macro_rules! suites {
    ($($module:ident),* $(,)?) => {$(
        #[test]
        fn $module() {
            conformance::check(BACKEND, conformance::$module::CASES, explore);
        }
    )*};
}

suites!(
    after_fixes,
    arc,
    atomic,
    barrier,
    condvar,
    fence,
    mpsc,
    mutex,
    once,
    rwlock,
    scheduling,
    semaphore,
    thread,
);

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
fn no_case_is_listed_twice() {
    let mut seen = BTreeSet::new();
    let repeated: Vec<String> = conformance::all()
        .iter()
        .map(|case| case.to_string())
        .filter(|case| !seen.insert(case.clone()))
        .collect();
    assert!(repeated.is_empty(), "cases listed twice: {repeated:?}");
}
