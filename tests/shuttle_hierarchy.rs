//! The lock hierarchy under shuttle: violations fail the execution with the report, and the
//! exploration's lock-order graph reports inversions on the first execution that shows both
//! orders, whether or not it deadlocked.
#![cfg(all(feature = "shuttle", not(loom)))]

#[macro_use]
mod hierarchy_programs;

use hierarchy_programs as programs;
use lockstep::explore::{Explorer, LockOrderRule, Strategy};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

fn explorer() -> Explorer {
    Explorer::new(Strategy::Random).seed(7).iterations(200)
}

/// Explores a program that must be reported; returns the report, asserting it came on the
/// first execution (every execution of these programs exercises the faulty order).
fn failure_of(program: impl Fn() + Send + Sync + 'static) -> String {
    failure_under(explorer(), program)
}

/// [`failure_of`] by lockdep's strict rule: any cycle is a potential deadlock.
fn strict_failure_of(program: impl Fn() + Send + Sync + 'static) -> String {
    failure_under(explorer().lock_order_rule(LockOrderRule::Strict), program)
}

fn failure_under(explorer: Explorer, program: impl Fn() + Send + Sync + 'static) -> String {
    let failure = explorer.run(program).expect_err("the program is reported");
    assert_eq!(failure.execution, 1, "reported on the first execution");
    failure.message
}

/// Explores a program that must pass; returns every result it produced.
fn outcomes_of<T, F>(program: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explorer()
        .run(move || {
            let value = program();
            sink.lock().unwrap().insert(value);
        })
        .unwrap_or_else(|f| panic!("unexpected failure: {f:?}"));
    let seen = seen.lock().unwrap().clone();
    seen
}

hierarchy_tests!(failure_of, outcomes_of);
gate_tests!(failure_of, strict_failure_of, outcomes_of);

#[test]
fn with_the_hierarchy_off_an_out_of_rank_acquisition_and_an_inversion_pass() {
    // What `Explorer::hierarchy(false)` is for: measuring the checks' cost. It must really turn
    // both off, or the cost table measures nothing.
    let unchecked = || explorer().hierarchy(false);
    let message = failure_of(programs::task_after_handler);
    assert!(message.contains("lock order violation"), "{message}");
    unchecked()
        .run(programs::task_after_handler)
        .unwrap_or_else(|f| panic!("ranks are not checked: {f}"));
    unchecked()
        .run(programs::serialized_ab_ba)
        .unwrap_or_else(|f| panic!("the lock-order graph is off: {f}"));
}
