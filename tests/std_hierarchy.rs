//! The lock hierarchy on real threads: rank and key order enforced, and the process-wide
//! lock-order graph (debug builds) reporting inversions that did not deadlock.
#![cfg(not(any(loom, feature = "shuttle")))]

#[macro_use]
mod hierarchy_programs;

use hierarchy_programs as programs;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs a program that must be reported; returns the report.
fn failure_of(program: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(program)).expect_err("the program is reported");
    lockstep::panic_message(&*payload)
}

/// Runs a program that must pass 100 times on real threads; returns its results.
fn outcomes_of<T: Ord>(program: impl Fn() -> T) -> BTreeSet<T> {
    (0..100).map(|_| program()).collect()
}

hierarchy_tests!(failure_of, outcomes_of);

/// Under std the lock-order graph is process-wide: every OS thread is a thread of its own and
/// every object a gate of its own for the life of the process, so a program run twice is
/// checked as if its runs could overlap. Each program that must pass runs once here.
#[test]
fn gate_protected_and_single_thread_inversions_pass_on_real_threads() {
    use programs::Gate::{Read, Write};
    let order = programs::dining_with_a_gate();
    assert_eq!(order.len(), 2, "both philosophers ate: {order:?}");
    programs::opposite_orders("std-ww", Write, Write);
    programs::opposite_orders("std-wr", Write, Read);
    assert_eq!(programs::one_thread_both_orders("std-own"), 0);
}
