//! The runtime core under loom: exhaustive exploration finds the lost update and proves the
//! fixed program, bounds the semaphore, explores virtual-time outcomes with no false deadlock,
//! and stops when its time budget is spent.
#![cfg(loom)]

use lockstep::explore::{explore_exhaustive, Explorer, Strategy};
use lockstep::time::Duration;
use model::basics::{self, Acquire};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Every outcome `body` returns across loom's exhaustive exploration (preemption bound 3).
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    let stats = explore_exhaustive(Some(3), move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {failure:?}"));
    assert!(stats.executions > 0);
    let seen = seen.lock().unwrap().clone();
    seen
}

#[test]
fn exhaustive_search_finds_the_lost_update() {
    let failure = explore_exhaustive(Some(2), || {
        let total = basics::counter_increments(2, true);
        assert!(
            total == 2,
            "lost update: counter is {total} after 2 increments"
        );
    })
    .expect_err("loom finds the lost update");
    assert_eq!(
        failure.message,
        "lost update: counter is 1 after 2 increments"
    );
}

#[test]
fn the_fixed_counter_passes_exhaustively() {
    assert_eq!(
        outcomes(|| basics::counter_increments(2, false)),
        BTreeSet::from([2])
    );
}

#[test]
fn semaphore_never_has_more_holders_than_permits() {
    let most = outcomes(|| basics::pool_occupancy(3, 2));
    assert_eq!(
        most.last(),
        Some(&2),
        "2 holders reached, never 3: {most:?}"
    );
}

#[test]
fn timeout_fires_at_exactly_thirty_virtual_seconds() {
    let got = outcomes(|| basics::timed_acquire_against_holder(secs(60), secs(30), true));
    assert_eq!(got, BTreeSet::from([Acquire::TimedOut(secs(30))]));
}

#[test]
fn a_release_before_the_deadline_is_acquired_at_the_release_time() {
    let got = outcomes(|| basics::timed_acquire_against_holder(secs(10), secs(30), true));
    assert_eq!(got, BTreeSet::from([Acquire::Acquired(secs(10))]));
}

#[test]
fn a_release_racing_the_deadline_reaches_both_outcomes_and_no_deadlock() {
    let got = outcomes(|| basics::timed_acquire_against_holder(secs(30), secs(30), false));
    assert_eq!(
        got,
        BTreeSet::from([
            Acquire::Acquired(Duration::ZERO),
            Acquire::TimedOut(secs(30))
        ])
    );
}

#[test]
fn an_ab_ba_deadlock_names_both_locks_and_holders() {
    // With the lock-order graph on, the inversion is reported before it deadlocks (see
    // loom_hierarchy.rs); off, the deadlock itself is found and reported.
    let failure = Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .lock_order_graph(false)
    .run(basics::opposite_lock_order)
    .expect_err("loom finds the deadlock");
    insta::assert_snapshot!("ab_ba_deadlock_report", failure.message);
}

#[test]
fn a_permit_comes_back_on_early_return_and_on_panic() {
    let free_after = outcomes(|| {
        let pool = lockstep::sync::Semaphore::named("pool", 2);
        let early_return = |fail: bool| -> Result<(), &'static str> {
            let _permit = pool.acquire();
            if fail {
                return Err("validation failed");
            }
            Ok(())
        };
        assert!(early_return(true).is_err());
        let after_return = pool.available_permits();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _permit = pool.acquire();
            std::panic::resume_unwind(Box::new("operation failed"));
        }));
        assert!(unwound.is_err());
        (after_return, pool.available_permits())
    });
    assert_eq!(free_after, BTreeSet::from([(2, 2)]));
}

#[test]
fn a_spent_time_budget_stops_loom_before_the_next_execution() {
    // Loom looks at its `max_duration` only every `checkpoint_interval` executions (20,000 by
    // default); the explorer makes it look before every one, as shuttle does. A zero budget is
    // spent before the first execution, whatever the clock.
    let explorer = || {
        Explorer::new(Strategy::Exhaustive {
            preemption_bound: Some(3),
        })
    };
    let full = explorer()
        .run(|| assert_eq!(basics::ordered_pairs(3), (3, 3)))
        .expect("the workload passes");
    let budgeted = explorer()
        .time_budget(std::time::Duration::ZERO)
        .run(|| assert_eq!(basics::ordered_pairs(3), (3, 3)))
        .expect("the workload passes");
    assert!(full.executions > 1, "{full:?}");
    assert!(
        budgeted.executions < full.executions,
        "a spent budget stops the search: {budgeted:?} against {full:?}"
    );
}

#[test]
fn a_thread_relocking_its_own_mutex_gets_locksteps_report_not_looms() {
    let failure = explore_exhaustive(Some(2), || {
        let m = lockstep::sync::Arc::new(lockstep::sync::Mutex::named("m", ()));
        let other = lockstep::thread::spawn(|| {});
        let _held = m.lock();
        let _again = m.lock();
        drop(other);
    })
    .expect_err("a self-relock never returns");
    assert!(
        failure
            .message
            .starts_with("deadlock: main wants to lock Mutex \"m\" at tests/loom_runtime.rs:"),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains("which it already holds"),
        "{}",
        failure.message
    );
}
