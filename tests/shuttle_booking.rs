//! Booking and swaps under shuttle: the fixed service passes random, PCT and POS; every planted
//! bug (lost update, double booking, partial state, lock order) is caught.
#![cfg(all(feature = "shuttle", not(loom)))]

use model::booking::{self, SCENARIOS};
use sim::explorer::{Explorer, Strategy};
use sim::scenario::Variant;

#[test]
fn the_fixed_service_passes_1000_executions_of_each_strategy() {
    for scenario in &SCENARIOS {
        for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }, Strategy::Pos] {
            let report = Explorer::new(strategy)
                .seed(4)
                .iterations(1000)
                .explore(scenario, Variant::Fixed);
            assert!(
                report.failure.is_none(),
                "{} {strategy}: {:?}",
                scenario.name,
                report.failure
            );
        }
    }
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
    for (scenario, bug, expected) in cases {
        let report = Explorer::new(Strategy::Random)
            .iterations(1000)
            .explore(scenario, Variant::Bug(bug));
        let failure = report.failure.unwrap_or_else(|| panic!("{bug} was missed"));
        assert!(
            failure.message.contains(expected),
            "{bug}: {}",
            failure.message
        );
    }
}
