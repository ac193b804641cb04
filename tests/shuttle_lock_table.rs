//! The server lock table under shuttle: the fixed table passes random, PCT and POS; every
//! planted bug is caught, the check-then-act and release bugs by the linearizability checker.
#![cfg(all(feature = "shuttle", not(loom)))]

use model::lock_table::{self, SCENARIOS};
use sim::explorer::{Explorer, Strategy};
use sim::scenario::Variant;

#[test]
fn the_fixed_table_passes_1000_executions_of_each_strategy() {
    for scenario in &SCENARIOS {
        for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }, Strategy::Pos] {
            let report = Explorer::new(strategy)
                .seed(2)
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
