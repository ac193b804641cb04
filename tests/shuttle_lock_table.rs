//! The server lock table under shuttle: the fixed table passes random, PCT and POS; every
//! planted bug is caught, the check-then-act and release bugs by the linearizability checker.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/model_checks.rs"]
mod model_checks;

use model::lock_table::{self, SCENARIOS};

#[test]
fn the_fixed_table_passes_1000_executions_of_each_strategy() {
    model_checks::fixed_scenarios_pass(&SCENARIOS, 2);
}

#[test]
fn every_planted_bug_is_caught() {
    let cases = [
        (
            &SCENARIOS[0],
            lock_table::RELEASE_ANY_HOLDER,
            "history is not linearizable",
        ),
        (
            &SCENARIOS[0],
            lock_table::CHECK_THEN_ACT,
            "history is not linearizable",
        ),
        (
            &SCENARIOS[1],
            lock_table::TAKEOVER_FRESH,
            "a fresh lock was taken over by contender",
        ),
    ];
    model_checks::planted_bugs_are_caught(&cases);
}
