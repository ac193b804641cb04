//! The rest of the async surface under shuttle: `mpsc`, `RwLock`, `Mutex::try_lock`,
//! `time::interval` and `select!`. Each test collects the outcomes of an exploration and
//! asserts the full set, or asserts the failure a planted bug must produce. The programs are
//! in tests/async_programs/ (shared with tests/std_async_surface.rs).
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "async_programs/interval.rs"]
mod interval;
#[path = "async_programs/mpsc.rs"]
mod mpsc;
#[path = "async_programs/rwlock.rs"]
mod rwlock;
#[path = "async_programs/select.rs"]
mod select;

#[path = "support/outcomes.rs"]
mod collected;

#[macro_use]
#[path = "async_programs/surface_tests.rs"]
mod surface_tests;

use lockstep::explore::{Explorer, Failure, Strategy};
use std::collections::BTreeSet;
use std::time::Duration;

/// Every outcome `body` returns over 300 random executions from seed 7.
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    collected::outcomes(
        Explorer::new(Strategy::Random).seed(7).iterations(300),
        body,
    )
}

/// The first failure `strategy` finds in `body` from seed 5.
fn failure(strategy: Strategy, body: impl Fn() + Send + Sync + 'static) -> Failure {
    Explorer::new(strategy)
        .seed(5)
        .iterations(500)
        .run(body)
        .expect_err("the planted bug is found")
}

/// The first failure random search finds in `body` from seed 5.
fn random_failure(body: impl Fn() + Send + Sync + 'static) -> Failure {
    failure(Strategy::Random, body)
}

surface_tests!(outcomes, random_failure);

// mpsc

#[test]
fn a_sender_waiting_for_room_fails_when_the_receiver_goes() {
    assert_eq!(
        outcomes(mpsc::a_waiting_sender_fails_when_the_receiver_goes),
        BTreeSet::from([Err(2)])
    );
}

#[test]
fn the_receiver_sees_the_end_after_every_message() {
    use lockstep::tokio::sync::mpsc::TryRecvError;
    assert_eq!(
        outcomes(mpsc::the_end_comes_after_every_message),
        BTreeSet::from([(vec![1, 2], Err(TryRecvError::Disconnected))])
    );
}

#[test]
fn close_refuses_new_sends_but_keeps_reserved_slots() {
    assert_eq!(
        outcomes(mpsc::close_keeps_reserved_slots),
        BTreeSet::from([(vec![1], true)])
    );
}

#[test]
fn a_dropped_send_future_passes_its_slot_on_in_one_task() {
    assert_eq!(
        outcomes(mpsc::a_dropped_send_future_passes_its_slot_on),
        BTreeSet::from([vec![0, 2]])
    );
}

#[test]
fn a_sender_waiting_for_room_forever_is_a_deadlock_that_names_the_channel() {
    let failure = failure(Strategy::Random, mpsc::a_sender_nobody_receives_from);
    let message = &failure.message;
    assert!(
        message.contains(r#"task-1  awaits to send on Channel "jobs" (full: 1 of 1)"#)
            && message.contains("main    awaits task-1 to finish"),
        "{message}"
    );
}

#[test]
fn a_worker_that_takes_empty_for_the_end_is_found_losing_a_job() {
    for strategy in [Strategy::Random, Strategy::Pos] {
        let failure = failure(strategy, mpsc::a_worker_that_takes_empty_for_the_end);
        assert!(
            failure.message.contains("lost a job: the worker did"),
            "{failure}"
        );
    }
}

// RwLock and try_lock

#[test]
fn a_cancelled_queued_writer_lets_the_readers_behind_it_through() {
    assert_eq!(
        outcomes(rwlock::a_cancelled_writer_lets_readers_through),
        BTreeSet::from([5])
    );
}

#[test]
fn a_read_then_write_update_is_found_losing_one() {
    for strategy in [Strategy::Random, Strategy::Pct { depth: 3 }] {
        let failure = failure(strategy, rwlock::a_read_then_write_update_loses_one);
        assert!(
            failure.message.contains("lost update: 2 adds of 1 left 1"),
            "{failure}"
        );
    }
}

#[test]
fn rwlocks_taken_in_opposite_orders_are_a_deadlock_naming_both() {
    let failure = Explorer::new(Strategy::Random)
        .seed(3)
        .iterations(200)
        .lock_order_graph(false)
        .run(rwlock::two_rwlocks_in_opposite_orders)
        .expect_err("the deadlock is found");
    let message = &failure.message;
    assert!(
        message.contains(r#"task-1  awaits to write-lock RwLock "b", held by task-2"#)
            && message.contains(r#"task-2  awaits to write-lock RwLock "a", held by task-1"#),
        "{message}"
    );
}

#[test]
fn rwlocks_taken_in_opposite_orders_are_in_the_lock_order_graph() {
    let failure = failure(Strategy::Random, rwlock::two_rwlocks_in_opposite_orders);
    let message = &failure.message;
    assert!(
        message.starts_with("potential deadlock: the lock-order graph has a cycle")
            && message.contains(r#"RwLock "a" -> RwLock "b": task-1 requested it"#)
            && message.contains(r#"RwLock "b" -> RwLock "a": task-2 requested it"#),
        "{message}"
    );
}

#[test]
fn an_rwlock_taken_against_the_hierarchy_is_reported() {
    let failure = failure(
        Strategy::Random,
        rwlock::an_rwlock_taken_against_the_hierarchy,
    );
    let message = &failure.message;
    assert!(
        message.starts_with(r#"lock order violation: main wants RwLock "table" (rank 1) at "#)
            && message.contains(r#"while holding RwLock "row" (rank 2)"#),
        "{message}"
    );
}

#[test]
fn a_deadlock_after_a_forgotten_permit_counts_the_permits_left() {
    let failure = failure(
        Strategy::Random,
        rwlock::awaiting_more_permits_than_are_left,
    );
    assert!(
        failure
            .message
            .contains(r#"main  awaits for 2 permits of Semaphore "pool" (1 of 1 free)"#),
        "{failure}"
    );
}

// interval

#[test]
fn two_intervals_interleave_by_virtual_time_with_ties_either_way() {
    let fixed = [(10, 1), (15, 2), (20, 1)];
    let with = |first: (u128, u8), last: [(u128, u8); 2]| {
        let mut log = vec![first];
        log.extend(if first.1 == 1 { [(0, 2)] } else { [(0, 1)] });
        log.extend(fixed);
        log.extend(last);
        log
    };
    let ties = [[(30, 1), (30, 2)], [(30, 2), (30, 1)]];
    let expected: BTreeSet<_> = [(0, 1), (0, 2)]
        .into_iter()
        .flat_map(|first| ties.map(|last| with(first, last)))
        .collect();
    assert_eq!(
        outcomes(interval::two_intervals_interleave_by_time),
        expected
    );
}

#[test]
fn a_heartbeat_that_can_miss_its_watchdog_is_found() {
    let failure = failure(
        Strategy::Random,
        interval::a_heartbeat_that_can_miss_its_watchdog,
    );
    assert!(
        failure
            .message
            .contains("missed heartbeat: Elapsed { after: 15ms }"),
        "{failure}"
    );
}

// select!

#[test]
fn select_reaches_both_ready_branches() {
    assert_eq!(
        outcomes(select::two_ready_branches),
        BTreeSet::from(["first", "second"])
    );
}

#[test]
fn select_disables_refuted_branches_and_runs_else_when_all_are() {
    assert_eq!(
        outcomes(select::refuted_branches_are_disabled),
        BTreeSet::from([(4, "else")])
    );
}

#[test]
fn the_losing_recv_of_a_select_loses_no_message() {
    assert_eq!(
        outcomes(select::the_losing_recv_loses_nothing),
        BTreeSet::from([(1, vec![2]), (2, vec![1])])
    );
}

#[test]
fn a_select_that_drops_a_half_received_message_is_found() {
    let failure = failure(
        Strategy::Random,
        select::a_select_drops_a_half_received_message,
    );
    assert!(
        failure
            .message
            .contains("lost a message: received [] of [1]"),
        "{failure}"
    );
}

#[test]
fn a_failing_select_order_replays_from_its_seed_file() {
    const TEST: &str = "shuttle_async_surface::a_select_drops_a_half_received_message";
    let body = select::a_select_drops_a_half_received_message;
    let dir = std::env::temp_dir().join(format!("lockstep-{}-select", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let report = Explorer::new(Strategy::Random)
        .seed(5)
        .iterations(500)
        .seeds_dir(&dir)
        .explore_test(TEST, body);
    let failure = report.failure.expect("the planted bug is found");
    // The branch order is a `random` draw: in the trace, and so in what the seed replays.
    assert!(failure.trace.contains("random"), "{}", failure.trace);
    let path = report.seed_file.expect("a seed file").expect("written");
    let replayed = lockstep::replay::replay_test(&path, TEST, body).expect("the seed replays");
    assert_eq!(replayed.failure.as_deref(), Some(failure.message.as_str()));
    assert_eq!(replayed.trace, failure.trace, "the same execution");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_select_s_losing_branch_is_not_in_a_later_deadlock_report() {
    let failure = failure(
        Strategy::Random,
        select::a_select_lost_branch_then_a_silent_channel,
    );
    assert!(
        failure
            .message
            .contains(r#"main  awaits to recv on Channel "c""#),
        "{failure}"
    );
    assert!(!failure.message.contains(r#"Channel "a""#), "{failure}");
}
