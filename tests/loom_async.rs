//! The async facade (`lockstep::tokio`) under loom: every task is a loom thread running
//! `loom::future::block_on`, explored exhaustively. The programs and assertions are
//! `tests/async_programs/basics.rs`'s, shared with `tests/shuttle_async.rs`: the full outcome
//! set of an exhaustive exploration, or the failure a planted bug must produce.
#![cfg(loom)]

#[macro_use]
#[path = "async_programs/basics.rs"]
mod basics;

use lockstep::explore::{Explorer, Failure, Strategy};
use std::collections::BTreeSet;
use std::sync::Arc;

fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
}

/// Every outcome `body` returns over an exhaustive exploration (loom needs no budget).
fn outcomes<T, F>(_iterations: usize, body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explorer()
        .run(move || {
            let outcome = body();
            sink.lock().unwrap().insert(outcome);
        })
        .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = seen.lock().unwrap().clone();
    seen
}

/// The first failure of an exhaustive exploration of `body` (loom needs no seed).
fn failure(_seed: u64, body: impl Fn() + Send + Sync + 'static) -> Failure {
    explorer().run(body).expect_err("the planted bug is found")
}

/// The first failure of an exhaustive exploration of `body` with the lock-order graph off.
fn deadlock(body: impl Fn() + Send + Sync + 'static) -> Failure {
    explorer()
        .lock_order_graph(false)
        .run(body)
        .expect_err("the deadlock is found")
}

basics_tests!(outcomes, failure, deadlock);

#[test]
fn a_fifth_task_is_refused_with_loom_s_limit_named() {
    // Loom runs at most 4 spawned threads (5 with main) per execution, and every task is one.
    let failure = failure(0, || {
        lockstep::tokio::block_on(async {
            let tasks: Vec<_> = (0..5)
                .map(|_| lockstep::tokio::task::spawn(async {}))
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        })
    });
    assert!(
        failure.message.contains(
            "task-5 cannot be spawned: under loom every task is a loom thread, and loom runs at \
             most 4 spawned threads (5 with main) per execution; this execution already has 5 \
             threads and tasks (main included)"
        ),
        "{failure}"
    );
}

#[test]
fn four_tasks_fit_loom_s_limit() {
    let total = || {
        lockstep::tokio::block_on(async {
            let tasks: Vec<_> = (0..4)
                .map(|t| lockstep::tokio::task::spawn(async move { t }))
                .collect();
            let mut total = 0;
            for task in tasks {
                total += task.await.unwrap();
            }
            total
        })
    };
    assert_eq!(
        Explorer::new(Strategy::Exhaustive {
            preemption_bound: Some(1),
        })
        .run(move || assert_eq!(total(), 6))
        .map(|report| report.executions > 1),
        Ok(true)
    );
}
