//! The session manager under shuttle: the fixed model passes random and PCT exploration, every
//! planted bug is caught, and every error path of the release-on-error matrix releases
//! everything.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::FaultPlan;
use lockstep::scenario::Variant;
use lockstep::sync::Arc;
use lockstep::time::Duration;
use model::session::manager::{self, site, ERROR_KINDS};
use model::session::scenarios::{checked, SCENARIOS};
use model::session::{Config, Op, SessionError, SessionManager, SessionState};

/// Every kind of fault at 5%, as `lockstep explore` injects by default.
fn default_faults() -> FaultPlan {
    FaultPlan::every_kind(0.05, Duration::from_millis(100))
}

#[test]
fn the_fixed_manager_passes_1000_random_pct_and_pos_executions_of_every_scenario() {
    for scenario in &SCENARIOS {
        for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }, Strategy::Pos] {
            let report = Explorer::new(strategy)
                .seed(1)
                .iterations(1000)
                .faults(default_faults())
                .explore(scenario, Variant::Fixed);
            assert!(
                report.failure.is_none(),
                "{} under {strategy}: {:?}",
                scenario.name,
                report
                    .failure
                    .map(|f| format!("{}\n{}", f.message, f.trace))
            );
            assert_eq!(report.stats.executions, 1000);
            assert!(
                report.stats.coverage >= 6,
                "{}: {:?}",
                scenario.name,
                report.stats
            );
        }
    }
}

#[test]
fn every_planted_bug_is_caught_with_a_message_that_says_what_broke() {
    let expectations = [
        (
            "session-release-on-error",
            manager::SKIP_RELEASE_ON_ERROR,
            "while holding Mutex \"operation\"",
        ),
        (
            "session-release-on-error",
            manager::METRICS_SKIP_TIMEOUT,
            "metrics inconsistent",
        ),
        (
            "session-lock-timeout-retry",
            manager::LEAK_PERMIT_ON_TIMEOUT,
            "while holding Semaphore \"operation-permits\"",
        ),
        (
            "session-close-race",
            manager::STATE_OUTSIDE_LOCK,
            "illegal session transition Closed -> Connected",
        ),
        (
            "session-recovery",
            manager::HANDLER_BEFORE_OPERATION,
            "lock order violation",
        ),
    ];
    for (name, bug, expected) in expectations {
        let scenario = model::scenarios::find(name).unwrap();
        let report = Explorer::new(Strategy::Random)
            .iterations(1000)
            .faults(default_faults())
            .explore(scenario, Variant::Bug(bug));
        let failure = report
            .failure
            .unwrap_or_else(|| panic!("{name}: {bug} was missed"));
        assert!(
            failure.message.contains(expected),
            "{name}: {bug}: {}",
            failure.message
        );
    }
}

/// One session; an operation fails at the planted site at `depth`; afterwards nothing is held,
/// the session is Recovering if the failure came mid-work (depth 3), else still Connected, and
/// a recovery brings everything to rest.
fn error_path(depth: usize, work: Duration, expected: &'static str) {
    let m = Arc::new(SessionManager::new(Config {
        sessions: 1,
        ..Config::default()
    }));
    checked("connect", || m.connect(0)).expect("the connect site is not planted");
    let failing = {
        let m = Arc::clone(&m);
        lockstep::thread::spawn(move || {
            checked("the failing operation", || m.run(0, Op::Scrape, work))
        })
    };
    let err = failing
        .join()
        .unwrap()
        .expect_err("the planted fault fires");
    assert!(
        matches!(&err, SessionError::Fault { fault, .. } if fault.site == expected),
        "{err}"
    );
    let state = if depth == 3 {
        SessionState::Recovering
    } else {
        SessionState::Connected
    };
    assert_eq!(m.state(0), state);
    checked("recover", || m.recover(0)).unwrap();
    m.check_at_rest();
}

#[test]
fn the_release_on_error_matrix_leaves_nothing_held() {
    for depth in 1..=manager::DEPTHS {
        for kind in ERROR_KINDS {
            for work in [Duration::ZERO, Duration::from_secs(10)] {
                let planted = site(depth, kind);
                let report = Explorer::new(Strategy::Random)
                    .iterations(20)
                    .faults(FaultPlan::none().site(planted.name, 1.0))
                    .run(move || error_path(depth, work, planted.name));
                assert!(
                    report.is_ok(),
                    "depth {depth}, {kind}, work {work:?}: {report:?}"
                );
            }
        }
    }
}
