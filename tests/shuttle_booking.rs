//! Booking and swaps under shuttle: the fixed service passes random, PCT and POS; every planted
//! bug (lost update, double booking, partial state, lock order) is caught.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/model_checks.rs"]
mod model_checks;

use model::booking::{self, SCENARIOS};

#[test]
fn the_fixed_service_passes_1000_executions_of_each_strategy() {
    model_checks::fixed_scenarios_pass(&SCENARIOS, 4);
}

#[test]
fn every_planted_bug_is_caught() {
    let cases = [
        (&SCENARIOS[0], booking::NO_VERSION_CHECK, "a lost update"),
        (&SCENARIOS[1], booking::CHECK_THEN_ACT_SWAP, "double-booked"),
        (
            &SCENARIOS[1],
            booking::ROW_LOCKS_OUT_OF_ORDER,
            "lock order violation",
        ),
        (
            &SCENARIOS[2],
            booking::CANCEL_WITHOUT_ROLLBACK,
            "half-generated",
        ),
        (
            &SCENARIOS[3],
            booking::HALF_WRITTEN_UPDATE,
            "half-written update",
        ),
    ];
    model_checks::planted_bugs_are_caught(&cases);
}
