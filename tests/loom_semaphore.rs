//! Semaphores under loom: FIFO grants permits in arrival order only, unfair in every order;
//! `acquire_many` waits for all its permits; a try does not overtake queued waiters (FIFO); a
//! head waiter that times out lets the next one be served, and the hand-built fair semaphore
//! that forgets to is found; the deadlock report counts permits. (std has no semaphore:
//! tokio's semantics are the reference.)
#![cfg(loom)]

#[path = "support/semaphore_programs.rs"]
mod semaphore_programs;

use lockstep::explore::{explore_exhaustive, Stats};
use lockstep::sync::{Semaphore, SemaphoreFairness};
use lockstep::time::Duration;
use semaphore_programs::{HandBuiltFair, HEAD_PATIENCE};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Every outcome `body` returns across loom's exhaustive exploration with `bound`
/// preemptions, and the exploration's statistics.
fn outcomes<T, F>(bound: usize, body: F) -> (BTreeSet<T>, Stats)
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    let stats = explore_exhaustive(Some(bound), move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {failure:?}"));
    let seen = seen.lock().unwrap().clone();
    (seen, stats)
}

#[test]
fn fifo_grants_permits_in_arrival_order_only() {
    let (orders, stats) = outcomes(2, || {
        semaphore_programs::grant_order(SemaphoreFairness::Fifo, 3)
    });
    println!("fifo grant order: {} executions", stats.executions);
    assert_eq!(orders, BTreeSet::from([vec![0, 1, 2]]));
}

#[test]
fn unfair_grants_permits_in_every_order() {
    let (orders, stats) = outcomes(2, || {
        semaphore_programs::grant_order(SemaphoreFairness::Unfair, 2)
    });
    println!("unfair grant order: {} executions", stats.executions);
    assert_eq!(orders, BTreeSet::from([vec![0, 1], vec![1, 0]]));
}

#[test]
fn fifo_serves_the_head_first_and_a_try_does_not_overtake_it() {
    let (outcomes, stats) = outcomes(2, || {
        semaphore_programs::head_of_line(SemaphoreFairness::Fifo)
    });
    println!("fifo head of line: {} executions", stats.executions);
    assert_eq!(outcomes, BTreeSet::from([(false, vec!["big", "small"])]));
}

#[test]
fn unfair_lets_a_smaller_request_and_a_try_overtake_a_waiter() {
    let (outcomes, stats) = outcomes(2, || {
        semaphore_programs::head_of_line(SemaphoreFairness::Unfair)
    });
    println!("unfair head of line: {} executions", stats.executions);
    assert_eq!(
        outcomes,
        BTreeSet::from([
            (false, vec!["small", "big"]),
            (true, vec!["big", "small"]),
            (true, vec!["small", "big"]),
        ])
    );
}

#[test]
fn acquire_many_waits_until_all_its_permits_are_free() {
    let (events, _) = outcomes(3, semaphore_programs::acquire_many_waits);
    assert_eq!(
        events,
        BTreeSet::from([vec![
            "main gives 2 back".to_owned(),
            "took 2, 1 left".to_owned()
        ]])
    );
}

#[test]
fn a_release_between_a_failed_try_and_the_wait_is_not_lost() {
    for fairness in [SemaphoreFairness::Fifo, SemaphoreFairness::Unfair] {
        let (left, _) = outcomes(3, move || {
            semaphore_programs::release_races_a_waiter(fairness)
        });
        assert_eq!(left, BTreeSet::from([1]), "{fairness:?}");
    }
}

/// Both arrival orders of `head_waiter_times_out`: `next` first (served at once) or behind
/// `head` (served when `head` times out).
fn head_timeout_outcomes() -> BTreeSet<(bool, Duration)> {
    BTreeSet::from([(false, Duration::ZERO), (false, HEAD_PATIENCE)])
}

#[test]
fn a_head_waiter_that_times_out_lets_the_next_be_served() {
    let (outcomes, stats) = outcomes(2, || {
        semaphore_programs::head_waiter_times_out(Semaphore::named("pool", 2))
    });
    println!("head timeout (facade): {} executions", stats.executions);
    assert_eq!(outcomes, head_timeout_outcomes());
}

#[test]
fn the_hand_built_fair_semaphore_without_the_bug_behaves_the_same() {
    let (outcomes, _) = outcomes(2, || {
        semaphore_programs::head_waiter_times_out(HandBuiltFair::new(2, false))
    });
    assert_eq!(outcomes, head_timeout_outcomes());
}

#[test]
fn loom_finds_the_timed_out_head_that_never_wakes_the_next() {
    let failure = explore_exhaustive(Some(2), || {
        semaphore_programs::head_waiter_times_out(HandBuiltFair::new(2, true));
    })
    .expect_err("the stranded next waiter deadlocks");
    assert!(
        failure
            .message
            .starts_with("deadlock: every thread is blocked")
            && failure
                .message
                .contains("next  waits for a notification on Condvar \"fair-changed\""),
        "{}",
        failure.message
    );
}

#[test]
fn a_deadlock_report_says_how_many_permits_are_wanted_and_free() {
    let failure = explore_exhaustive(Some(1), || {
        let pool = Arc::new(Semaphore::named("pool", 4));
        let _three = pool.acquire_many(3);
        let worker = {
            let pool = Arc::clone(&pool);
            lockstep::thread::spawn(move || drop(pool.acquire_many(3)))
        };
        worker.join().unwrap();
    })
    .expect_err("the worker waits for permits main keeps while joining it");
    assert!(
        failure.message.contains(
            "\n  thread-1  waits for 3 permits of Semaphore \"pool\" (1 of 4 free), held by \
             main (x3)"
        ),
        "{}",
        failure.message
    );
}
