//! The async session manager's scrape/send path (`model::async_session`) under shuttle: the
//! fixed flow passes random, PCT and POS exploration and reaches every ending of every request
//! (each timeout at exactly t = 30 s of virtual time), and each async-only planted bug is found
//! by random and by POS with the message that says what went wrong.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/outcomes.rs"]
mod support;

use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::FaultPlan;
use lockstep::scenario::Variant;
use lockstep::time::Duration;
use lockstep::tokio::block_on;
use model::async_session::scenario::{run_flow, Outcome, Workload};
use model::async_session::supervisor::Progress;
use model::async_session::{
    AsyncSessionManager, Config, RequestError, BUSY_FLAG_ACROSS_AWAIT, HALF_WRITTEN_ON_TIMEOUT,
    NOTIFY_WAITERS_BEFORE_WAIT, SCENARIO,
};
use std::collections::BTreeSet;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// How each request of one run of the fixed flow (one scrape) ended, and when.
fn fixed_endings() -> BTreeSet<(String, Outcome, Duration)> {
    let manager = AsyncSessionManager::new(Config::default());
    let flow = run_flow(manager, Progress::new(false), Workload::new(secs(1), 1));
    let summary = block_on(Box::pin(flow));
    summary
        .finished
        .into_iter()
        .map(|f| (f.request, f.outcome, f.at))
        .collect()
}

/// The endings std allows the fixed flow with one scrape (two permits for three sends; send 2's
/// 45 s transfer is longer than its 30 s deadline): every timeout, whichever fired, ends its
/// request at exactly t = 30 s.
fn endings_std_allows() -> BTreeSet<(String, Outcome, Duration)> {
    let lock_timeout = |id| {
        Outcome::Failed(RequestError::Timeout {
            id,
            what: "the session lock",
            after: secs(30),
        })
    };
    let permit_timeout = Outcome::Failed(RequestError::Timeout {
        id: 1,
        what: "an operation permit",
        after: secs(30),
    });
    let ending = |request: &str, outcome: Outcome, at: u64| (request.to_owned(), outcome, secs(at));
    BTreeSet::from([
        // Before the sends lock session 0, behind send 1, behind send 2 (handed the lock
        // when send 2 is cancelled, or timed out just before).
        ending("scrape 1 (session 0)", Outcome::Done, 0),
        ending("scrape 1 (session 0)", Outcome::Done, 10),
        ending("scrape 1 (session 0)", Outcome::Done, 30),
        ending("scrape 1 (session 0)", lock_timeout(0), 30),
        // First on session 0; queued behind send 2 from t = 0 (its lock timeout fires first,
        // or it is handed the lock at 30 and its deadline cancels the transfer); or it waited
        // for a permit until t = 5 and its deadline fires while it waits for the lock.
        ending("send 1 (session 0)", Outcome::Done, 10),
        ending("send 1 (session 0)", lock_timeout(0), 30),
        ending("send 1 (session 0)", Outcome::Cancelled, 30),
        // Always cancelled: mid-transfer, or while it waits.
        ending("send 2 (session 0)", Outcome::Cancelled, 30),
        // A permit at once, after send 1's at t = 10, never (both held until t = 30), or
        // at t = 30 and then cancelled mid-transfer.
        ending("send 3 (session 1)", Outcome::Done, 5),
        ending("send 3 (session 1)", Outcome::Done, 15),
        ending("send 3 (session 1)", permit_timeout, 30),
        ending("send 3 (session 1)", Outcome::Cancelled, 30),
    ])
}

#[test]
fn the_fixed_flow_reaches_every_ending_std_allows_and_every_timeout_fires_at_30_s() {
    for strategy in [Strategy::Random, Strategy::Pos] {
        let seen: BTreeSet<_> = support::outcomes(
            Explorer::new(strategy).seed(1).iterations(2000),
            fixed_endings,
        )
        .into_iter()
        .flatten()
        .collect();
        assert_eq!(seen, endings_std_allows(), "{strategy}");
    }
}

/// Every kind of fault at 5%, as `lockstep explore` injects by default.
fn default_faults() -> FaultPlan {
    FaultPlan::every_kind(0.05, Duration::from_millis(100))
}

#[test]
fn the_fixed_scenario_passes_random_pct_and_pos() {
    for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }, Strategy::Pos] {
        let report = Explorer::new(strategy)
            .seed(1)
            .iterations(1000)
            .faults(default_faults())
            .explore(&SCENARIO, Variant::Fixed);
        assert!(
            report.failure.is_none(),
            "{strategy}: {:?}",
            report
                .failure
                .map(|f| format!("{}\n{}", f.message, f.trace))
        );
        assert_eq!(report.stats.executions, 1000);
        // Done, cancelled and timed out (on a permit, on the lock) are all reached.
        assert!(report.stats.coverage >= 6, "{strategy}: {:?}", report.stats);
    }
}

#[test]
fn each_planted_bug_is_found_by_random_and_pos_with_the_message_that_says_what_went_wrong() {
    let expectations: [(&str, &[&str]); 3] = [
        (
            BUSY_FLAG_ACROSS_AWAIT,
            &[
                "session 0 refused a send at rest, with no send in flight (session 0 is busy: \
                 another send is in flight): ",
                "send 2 (session 0), cancelled at t = 30s at an await point and never cleared \
                 its busy mark",
            ],
        ),
        (
            NOTIFY_WAITERS_BEFORE_WAIT,
            &[
                "supervisor lost a wake-up: all ",
                " requests had finished by t = 30s, but Notify \"async-finished\" did not wake \
                 it; it found out at its 60s patience deadline (t = 90s)",
            ],
        ),
        (
            HALF_WRITTEN_ON_TIMEOUT,
            &[
                "session 0 holds message 2 half-written at rest (its header without its body): ",
                "send 2 (session 0), cancelled at t = 30s",
                "the timeout cancelled the send but not the write made before its await",
            ],
        ),
    ];
    for (bug, expected) in expectations {
        for strategy in [Strategy::Random, Strategy::Pos] {
            // `make explore`'s budget: 2000 executions per strategy, first seed 0.
            let report = Explorer::new(strategy)
                .seed(0)
                .iterations(2000)
                .faults(default_faults())
                .explore(&SCENARIO, Variant::Bug(bug));
            let failure = report
                .failure
                .unwrap_or_else(|| panic!("{bug} under {strategy}: missed"));
            for part in expected {
                assert!(
                    failure.message.contains(part),
                    "{bug} under {strategy}: {}",
                    failure.message
                );
            }
        }
    }
}
