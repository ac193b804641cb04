//! The server lock table under loom (preemption bound 2): the fixed table passes, the
//! check-then-act acquire is found.
#![cfg(loom)]

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::Variant;
use model::lock_table::{CHECK_THEN_ACT, SCENARIOS};

/// Exhaustive search with the contended row small: three holders, one round each.
fn exhaustive() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .size("holders", 3)
    .size("rounds", 1)
}

#[test]
fn the_fixed_table_passes_and_check_then_act_is_found() {
    for scenario in &SCENARIOS {
        let report = exhaustive().explore(scenario, Variant::Fixed);
        assert!(
            report.failure.is_none(),
            "{}: {:?}",
            scenario.name,
            report.failure
        );
    }
    let report = exhaustive().explore(&SCENARIOS[0], Variant::Bug(CHECK_THEN_ACT));
    let failure = report.failure.expect("loom finds two holders");
    assert!(
        failure.message.contains("history is not linearizable"),
        "{}",
        failure.message
    );
}
