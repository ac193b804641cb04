//! The async facade (`lockstep::tokio`) under shuttle: tasks are threads of the execution,
//! on the one virtual clock. The programs are `tests/async_programs/basics.rs`'s, shared with
//! `tests/loom_async.rs`: each test collects the outcomes of an exploration and asserts the
//! full set, or asserts the failure a planted bug must produce.
#![cfg(all(feature = "shuttle", not(loom)))]

#[macro_use]
#[path = "async_programs/basics.rs"]
mod basics;

use lockstep::explore::{Explorer, Failure, Strategy};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every outcome `body` returns over `iterations` random executions from seed 7.
fn outcomes<T, F>(iterations: usize, body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    Explorer::new(Strategy::Random)
        .seed(7)
        .iterations(iterations)
        .run(move || {
            let outcome = body();
            sink.lock().unwrap().insert(outcome);
        })
        .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = seen.lock().unwrap().clone();
    seen
}

/// The first failure of a random exploration of `body` from `seed`.
fn failure(seed: u64, body: impl Fn() + Send + Sync + 'static) -> Failure {
    Explorer::new(Strategy::Random)
        .seed(seed)
        .iterations(500)
        .run(body)
        .expect_err("the planted bug is found")
}

/// The first failure of a random exploration of `body` with the lock-order graph off.
fn deadlock(body: impl Fn() + Send + Sync + 'static) -> Failure {
    Explorer::new(Strategy::Random)
        .seed(3)
        .iterations(500)
        .lock_order_graph(false)
        .run(body)
        .expect_err("the deadlock is found")
}

basics_tests!(outcomes, failure, deadlock);

#[test]
fn the_lost_notify_wakeup_is_found_by_pct_and_pos_too() {
    for strategy in [Strategy::Pct { depth: 3 }, Strategy::Pos] {
        let failure = Explorer::new(strategy)
            .seed(11)
            .iterations(500)
            .run(|| basics::lost_notify_wakeup(false))
            .expect_err("the planted bug is found");
        assert!(
            failure
                .message
                .contains(r#"task-1  awaits for a notification on Notify "ready""#),
            "{strategy:?}: {failure}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_failure_and_trace() {
    let first = failure(11, || basics::lost_notify_wakeup(false));
    let second = failure(11, || basics::lost_notify_wakeup(false));
    assert_eq!(first, second);
    assert!(first.trace.contains("task-1"), "{}", first.trace);
}
