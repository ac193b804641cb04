//! The session manager under loom: small configurations explored exhaustively (preemption
//! bound 2): the fixed manager passes, and the close race's planted bug is found.
#![cfg(loom)]

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::Variant;

/// Exhaustive search with the scenarios' size knobs small: one operation before the close,
/// one retrying sender.
fn exhaustive() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .size("operations", 1)
    .size("retriers", 1)
}

#[test]
fn the_fixed_manager_passes_exhaustively() {
    for name in [
        "session-close-race",
        "session-isolation",
        "session-lock-timeout-retry",
    ] {
        let scenario = model::scenarios::find(name).unwrap();
        let report = exhaustive().explore(scenario, Variant::Fixed);
        assert!(report.failure.is_none(), "{name}: {:?}", report.failure);
        assert!(report.stats.executions > 1, "{name}: {:?}", report.stats);
    }
}

#[test]
fn a_state_write_outside_the_operation_lock_is_found_exhaustively() {
    let scenario = model::scenarios::find("session-close-race").unwrap();
    let report = exhaustive().explore(
        scenario,
        Variant::Bug(model::session::manager::STATE_OUTSIDE_LOCK),
    );
    let failure = report.failure.expect("loom finds the race");
    assert!(
        failure
            .message
            .contains("illegal session transition Closed -> Connected"),
        "{}",
        failure.message
    );
}
