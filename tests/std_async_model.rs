//! The async session manager's fixed scrape/send flow (`model::async_session`) on std: tokio
//! runs the tasks in real time, the workload in units of 10 ms. Only what does not depend on
//! timing is asserted: which endings each request may have, that the request whose transfer
//! outlasts its deadline is cancelled, and the invariants at rest.
#![cfg(not(any(loom, feature = "shuttle")))]

use lockstep::time::Duration;
use lockstep::tokio::block_on;
use model::async_session::scenario::{check_at_rest, run_flow, Outcome, Workload};
use model::async_session::supervisor::Progress;
use model::async_session::{AsyncSessionManager, Config, RequestError};

/// What kind of ending an outcome is, as a word.
fn kind(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Done => "done",
        Outcome::Cancelled => "cancelled",
        Outcome::Failed(RequestError::Timeout { .. }) => "timed out",
        Outcome::Failed(RequestError::Busy { .. }) => "refused",
    }
}

#[test]
fn the_fixed_flow_on_tokio_cancels_the_overlong_send_and_leaves_nothing_behind() {
    let unit = Duration::from_millis(10);
    let config = Config {
        lock_timeout: unit * 30,
        ..Config::default()
    };
    let permits = config.operation_permits;
    let workload = Workload {
        // Long enough that a slow machine never makes the fixed supervisor give up.
        patience: Duration::from_secs(30),
        ..Workload::new(unit, 2)
    };
    let flow = run_flow(
        AsyncSessionManager::new(config),
        Progress::new(false),
        workload,
    );
    let summary = block_on(Box::pin(flow));
    check_at_rest(&summary, permits);
    let endings: Vec<(&str, &str)> = summary
        .finished
        .iter()
        .map(|f| (f.request.as_str(), kind(&f.outcome)))
        .collect();
    for (request, ending) in &endings {
        let allowed: &[&str] = match *request {
            "send 2 (session 0)" => &["cancelled"],
            _ => &["done", "timed out", "cancelled"],
        };
        assert!(
            allowed.contains(ending),
            "{request} ended {ending}: {endings:?}"
        );
    }
    assert_eq!(
        endings.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        [
            "send 1 (session 0)",
            "send 2 (session 0)",
            "send 3 (session 1)",
            "scrape 1 (session 0)",
            "scrape 2 (session 1)",
        ]
    );
    assert!(
        summary
            .cancelled
            .iter()
            .any(|c| c.request == "send 2 (session 0)" && c.session == 0),
        "{:?}",
        summary.cancelled
    );
}
