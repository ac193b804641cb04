//! Booking under loom (preemption bound 2): the fixed edits, swaps and updates pass; the
//! lost update and the half-written update are found.
#![cfg(loom)]

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::Variant;
use model::booking::{HALF_WRITTEN_UPDATE, NO_VERSION_CHECK, SCENARIOS};

/// Exhaustive search with the scenarios' size knobs small: two editors, two swaps, one
/// reader.
fn exhaustive() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .size("editors", 2)
    .size("swaps", 2)
    .size("readers", 1)
}

#[test]
fn the_fixed_service_passes_and_the_races_are_found() {
    for scenario in [&SCENARIOS[0], &SCENARIOS[1], &SCENARIOS[3]] {
        let report = exhaustive().explore(scenario, Variant::Fixed);
        assert!(
            report.failure.is_none(),
            "{}: {:?}",
            scenario.name,
            report.failure
        );
    }
    for (scenario, bug, expected) in [
        (
            &SCENARIOS[0],
            NO_VERSION_CHECK,
            "2 edits of the same version succeeded: a lost update",
        ),
        (
            &SCENARIOS[3],
            HALF_WRITTEN_UPDATE,
            "a reader saw a half-written update: slot 9 generation 0",
        ),
    ] {
        let report = exhaustive().explore(scenario, Variant::Bug(bug));
        let failure = report
            .failure
            .unwrap_or_else(|| panic!("loom misses {bug}"));
        assert!(
            failure.message.contains(expected),
            "{bug}: {}",
            failure.message
        );
    }
}
