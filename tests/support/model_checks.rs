//! Checks shared by the shuttle test files of the model's components.

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::{Scenario, Variant};

/// Every fixed scenario passes 1000 executions of random, PCT (depth 3) and POS from `seed`.
pub fn fixed_scenarios_pass(scenarios: &[Scenario], seed: u64) {
    for scenario in scenarios {
        for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }, Strategy::Pos] {
            let report = Explorer::new(strategy)
                .seed(seed)
                .iterations(1000)
                .explore(scenario, Variant::Fixed);
            assert!(
                report.failure.is_none(),
                "{} {strategy}: {:?}",
                scenario.name,
                report.failure
            );
            assert_eq!(report.stats.executions, 1000);
        }
    }
}

/// Each (scenario, planted bug, expected text) is found by random exploration within 1000
/// executions, with a message containing the expected text.
pub fn planted_bugs_are_caught(cases: &[(&Scenario, &'static str, &str)]) {
    for (scenario, bug, expected) in cases {
        let report = Explorer::new(Strategy::Random)
            .iterations(1000)
            .explore(scenario, Variant::Bug(bug));
        let failure = report
            .failure
            .unwrap_or_else(|| panic!("{}: {bug} was missed", scenario.name));
        assert!(
            failure.message.contains(expected),
            "{bug}: {}",
            failure.message
        );
    }
}
