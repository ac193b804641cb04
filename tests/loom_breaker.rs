//! The circuit breaker under loom (preemption bound 2): the fixed breaker passes and the
//! half-open bug is found.
#![cfg(loom)]

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::Variant;
use model::breaker::{HALF_OPEN_ADMITS_ALL, SCENARIOS};

#[test]
fn the_fixed_breaker_passes_and_the_half_open_bug_is_found() {
    // The size knobs small: three callers, a threshold of three, three metrics reads.
    let exhaustive = || {
        Explorer::new(Strategy::Exhaustive {
            preemption_bound: Some(2),
        })
        .size("callers", 3)
        .size("failures", 3)
        .size("reads", 3)
    };
    for scenario in &SCENARIOS {
        let report = exhaustive().explore(scenario, Variant::Fixed);
        assert!(
            report.failure.is_none(),
            "{}: {:?}",
            scenario.name,
            report.failure
        );
    }
    let report = exhaustive().explore(&SCENARIOS[0], Variant::Bug(HALF_OPEN_ADMITS_ALL));
    let failure = report.failure.expect("loom finds two probes");
    assert!(
        failure
            .message
            .contains("probes inside a half-open breaker"),
        "{}",
        failure.message
    );
}
