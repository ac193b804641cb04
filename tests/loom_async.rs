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
