//! The conformance suite (`tests/conformance/`) under loom: each ported upstream case is
//! explored exhaustively (preemption bound 2, or the smaller one it names) and ends as upstream
//! expects, or as the table of intended differences in `docs/CONFORMANCE.md` says.
#![cfg(loom)]

mod conformance;

use conformance::{Backend, Case, Explored};
use lockstep::explore::{Explorer, Strategy};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Loom's preemption bound unless a case names a smaller one.
const PREEMPTION_BOUND: usize = 2;

fn explore(case: &Case) -> Explored {
    let preemption_bound = case.loom_bound.unwrap_or(PREEMPTION_BOUND);
    let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&outcomes);
    let body = case.body;
    let run = Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(preemption_bound),
    })
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
    conformance::check(Backend::Loom, conformance::arc::CASES, explore);
}

#[test]
fn atomic() {
    conformance::check(Backend::Loom, conformance::atomic::CASES, explore);
}

#[test]
fn condvar() {
    conformance::check(Backend::Loom, conformance::condvar::CASES, explore);
}

#[test]
fn mutex() {
    conformance::check(Backend::Loom, conformance::mutex::CASES, explore);
}

#[test]
fn rwlock() {
    conformance::check(Backend::Loom, conformance::rwlock::CASES, explore);
}

#[test]
fn scheduling() {
    conformance::check(Backend::Loom, conformance::scheduling::CASES, explore);
}

#[test]
fn semaphore() {
    conformance::check(Backend::Loom, conformance::semaphore::CASES, explore);
}

#[test]
fn thread() {
    conformance::check(Backend::Loom, conformance::thread::CASES, explore);
}

#[test]
fn after_fixes() {
    conformance::check(Backend::Loom, conformance::after_fixes::CASES, explore);
}
