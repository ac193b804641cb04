//! The new primitives under loom: every outcome std allows is reached exhaustively, planted
//! bugs are found, waits show in deadlock reports, and timeouts run on virtual time (the
//! execution counts against raw loom are in `loom_vs_raw.rs`).
#![cfg(loom)]

#[path = "support/primitives.rs"]
mod primitives;

use lockstep::explore::{explore_exhaustive, Explorer, Strategy};
use lockstep::time::Duration;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

const BOUND: usize = 3;

/// Every outcome `body` returns across loom's exhaustive exploration, and the executions.
fn explored<T, F>(body: F) -> (BTreeSet<T>, usize)
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    let stats = explore_exhaustive(Some(BOUND), move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = seen.lock().unwrap().clone();
    (seen, stats.executions)
}

fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    explored(body).0
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn unpark_before_and_after_park_are_both_reached() {
    let seen = outcomes(primitives::park_unpark_order);
    assert_eq!(seen, BTreeSet::from([false, true]));
}

#[test]
fn exhaustive_search_finds_the_unpark_before_publish_bug() {
    let failure =
        explore_exhaustive(Some(BOUND), primitives::unpark_before_publish).expect_err("found");
    assert_eq!(failure.message, "woken before the flag was set");
}

#[test]
fn a_park_nothing_ends_is_a_deadlock_report() {
    let failure = explore_exhaustive(Some(BOUND), primitives::park_forever).expect_err("found");
    assert!(
        failure
            .message
            .contains("main  waits in park (no unpark is coming)"),
        "{}",
        failure.message
    );
}

#[test]
fn park_timeout_runs_on_virtual_time() {
    assert_eq!(
        outcomes(|| primitives::park_timeout_against(secs(20), secs(10))),
        BTreeSet::from([secs(10)])
    );
    assert_eq!(
        outcomes(|| primitives::park_timeout_against(secs(5), secs(10))),
        BTreeSet::from([secs(5)])
    );
}

#[test]
fn scoped_threads_interleave_both_ways() {
    let seen = outcomes(primitives::scoped_appends);
    assert_eq!(seen, BTreeSet::from([vec![1, 2], vec![2, 1]]));
}

#[test]
fn exhaustive_search_finds_the_scoped_lost_update() {
    let failure =
        explore_exhaustive(Some(BOUND), primitives::scoped_lost_update).expect_err("found");
    assert_eq!(
        failure.message,
        "lost update: 1 hits after 2 scoped increments"
    );
}

#[test]
fn thread_ids_are_indices_in_the_execution() {
    let expected = vec![
        ("ThreadId(0)".to_owned(), Some("main".to_owned())),
        ("ThreadId(1)".to_owned(), None),
        ("ThreadId(2)".to_owned(), Some("worker".to_owned())),
    ];
    assert_eq!(
        outcomes(primitives::thread_identities),
        BTreeSet::from([expected])
    );
}

#[test]
fn either_thread_wins_a_compare_exchange_race() {
    let seen = outcomes(primitives::cas_race);
    assert_eq!(seen, BTreeSet::from([1, 2]));
    assert_eq!(
        outcomes(primitives::pointer_swap_race),
        BTreeSet::from([1, 2])
    );
}

#[test]
fn every_width_reaches_the_lost_update_and_fetch_add_never_loses_one() {
    for (width, program) in primitives::INCREMENTS {
        assert_eq!(
            outcomes(move || program(true)),
            BTreeSet::from([1, 2]),
            "{width}"
        );
        assert_eq!(
            outcomes(move || program(false)),
            BTreeSet::from([2]),
            "{width}"
        );
    }
}

#[test]
fn an_owned_permit_dropped_on_another_thread_comes_back() {
    assert_eq!(
        outcomes(primitives::owned_permit_moves_threads),
        BTreeSet::from([1])
    );
}

#[test]
fn a_leaked_owned_permit_is_a_deadlock_naming_its_holder() {
    let failure =
        explore_exhaustive(Some(BOUND), primitives::leaked_owned_permit).expect_err("found");
    assert!(
        failure
            .message
            .contains("\n  main      waits for a permit of Semaphore \"pool\" (0 of 1 free), held by thread-1"),
        "{}",
        failure.message
    );
}

#[test]
fn add_permits_wakes_the_waiter() {
    assert_eq!(
        outcomes(primitives::add_permits_wakes_a_waiter),
        BTreeSet::from([true])
    );
}

#[test]
fn owned_timeouts_run_on_virtual_time() {
    assert_eq!(
        outcomes(|| primitives::owned_timeout_against_holder(secs(60), secs(30))),
        BTreeSet::from([(secs(30), false)])
    );
    assert_eq!(
        outcomes(|| primitives::owned_timeout_against_holder(secs(10), secs(30))),
        BTreeSet::from([(secs(10), true)])
    );
}

#[test]
fn an_exhaustive_run_sees_one_value_per_draw_and_the_fault_seed_picks_it() {
    let draws = |seed: u64| {
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let sink = Arc::clone(&seen);
        Explorer::new(Strategy::Exhaustive {
            preemption_bound: Some(BOUND),
        })
        .fault_seed(seed)
        .run(move || {
            let draw = primitives::two_draws();
            sink.lock().unwrap().insert(draw);
        })
        .expect("passes");
        let seen = seen.lock().unwrap().clone();
        seen
    };
    let first = draws(1);
    assert_eq!(first.len(), 1, "one value per draw: {first:?}");
    assert_eq!(draws(1), first, "the same seed, the same draws");
    assert_ne!(draws(2), first, "another seed, other draws");
}

#[test]
fn exhaustive_search_finds_the_reentrant_lock_that_checks_and_claims_apart() {
    let failure = explore_exhaustive(Some(BOUND), || {
        primitives::reentrant_lock_by_thread_id(true)
    })
    .expect_err("both threads can find the lock free");
    assert!(
        failure
            .message
            .starts_with("assertion `left == right` failed: two threads inside the reentrant lock"),
        "{}",
        failure.message
    );
    explore_exhaustive(Some(BOUND), || {
        primitives::reentrant_lock_by_thread_id(false)
    })
    .expect("checking and claiming in one critical section excludes");
}

#[test]
fn exhaustive_search_finds_the_treiber_push_that_stores_instead_of_exchanging() {
    let failure = explore_exhaustive(Some(BOUND), || primitives::treiber_pushes(true))
        .expect_err("a push can overwrite the other");
    assert!(
        failure
            .message
            .starts_with("assertion `left == right` failed: lost a push: 1 of 2 nodes"),
        "{}",
        failure.message
    );
    explore_exhaustive(Some(BOUND), || primitives::treiber_pushes(false))
        .expect("compare_exchange loses no push");
}

#[test]
fn exhaustive_search_finds_the_permit_added_before_its_item() {
    let failure = explore_exhaustive(Some(BOUND), || {
        primitives::add_permits_before_the_item(true)
    })
    .expect_err("the consumer can take the permit before the item is queued");
    assert!(
        failure
            .message
            .starts_with("assertion `left == right` failed: a permit without an item"),
        "{}",
        failure.message
    );
    explore_exhaustive(Some(BOUND), || {
        primitives::add_permits_before_the_item(false)
    })
    .expect("an item queued before its permit is always there");
}

/// Weak memory is loom's alone (shuttle's atomics are sequentially consistent: the row
/// `shuttle-sc-atomics` of docs/CONFORMANCE.md), so only loom can find the missing fences.
#[test]
fn exhaustive_search_finds_the_message_passed_without_fences() {
    let failure = explore_exhaustive(Some(BOUND), || primitives::fenced_message(true))
        .expect_err("the reader can see the flag and stale data");
    assert!(
        failure
            .message
            .starts_with("assertion `left == right` failed: saw the flag but not the data"),
        "{}",
        failure.message
    );
    explore_exhaustive(Some(BOUND), || primitives::fenced_message(false))
        .expect("release and acquire fences publish the data");
}
