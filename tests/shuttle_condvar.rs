//! Condvars under shuttle: `notify_one` may wake any waiter, and which one is part of the
//! recorded schedule (a seed file replays it); a notification races with the waiter's check;
//! the planted ticket-lock bug that relies on FIFO wake-up is found by random, PCT and POS.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/condvar_programs.rs"]
mod condvar_programs;

use lockstep::explore::{Explorer, Strategy};
use lockstep::replay::replay_test;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How a `wait_timeout_while` ended: its result (the error's message) and when, in seconds.
type TimedWait = (Result<(), String>, u64);

/// Every outcome `body` returns over `iterations` random executions from seed 7.
fn outcomes<T, F>(iterations: usize, body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
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

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn notify_one_can_wake_either_of_two_waiters() {
    assert_eq!(
        outcomes(500, || condvar_programs::woken_by_one_notify(2)),
        BTreeSet::from([BTreeSet::from([0]), BTreeSet::from([1])])
    );
}

#[test]
fn notify_one_can_wake_any_of_three_waiters() {
    assert_eq!(
        outcomes(1000, || condvar_programs::woken_by_one_notify(3)),
        BTreeSet::from([
            BTreeSet::from([0]),
            BTreeSet::from([1]),
            BTreeSet::from([2])
        ])
    );
}

#[test]
fn a_notify_without_the_mutex_races_with_the_waiters_check_and_wait() {
    assert_eq!(
        outcomes(1000, condvar_programs::unlocked_notify_race),
        BTreeSet::from([(false, false), (false, true), (true, false), (true, true)])
    );
}

#[test]
fn the_ticket_lock_with_notify_all_serves_every_ticket_in_order() {
    assert_eq!(
        outcomes(500, || condvar_programs::ticket_lock(3, true)),
        BTreeSet::from([vec![0, 1, 2]])
    );
}

/// Random, PCT and POS find the ticket lock that relies on FIFO wake-up, and the seed file it
/// writes replays the same execution: the choice of waiter is part of the recorded schedule.
#[test]
fn random_pct_and_pos_find_the_ticket_lock_that_relies_on_fifo_wakeup_and_its_seed_replays() {
    const TEST: &str = "shuttle_condvar::fifo_ticket_lock";
    let body = || {
        condvar_programs::ticket_lock(3, false);
    };
    let dir = scratch("fifo-ticket-lock");
    for strategy in [Strategy::Random, Strategy::Pct { depth: 2 }, Strategy::Pos] {
        let report = Explorer::new(strategy)
            .seed(3)
            .iterations(2000)
            .seeds_dir(&dir)
            .explore_test(TEST, body);
        let failure = report
            .failure
            .unwrap_or_else(|| panic!("{strategy}: the FIFO reliance is not found"));
        assert!(
            failure
                .message
                .starts_with("deadlock: every thread is blocked"),
            "{strategy}: {}",
            failure.message
        );
        assert!(
            failure
                .message
                .contains("waits for a notification on Condvar \"turn\""),
            "{strategy}: {}",
            failure.message
        );
        let path = report.seed_file.expect("a seed file").expect("written");
        let replayed = replay_test(&path, TEST, body).expect("the seed replays");
        assert_eq!(
            replayed.failure.as_deref(),
            Some(failure.message.as_str()),
            "{strategy}"
        );
        assert_eq!(
            replayed.trace, failure.trace,
            "{strategy}: the same execution"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// `wait_timeout_while` in virtual time: `Ok` when the condition turns false, at that time;
/// `Err(Timeout)` at exactly the timeout, which is the whole wait's (a notification with the
/// condition still true does not restart it).
#[test]
fn wait_timeout_while_ends_when_the_condition_turns_false_or_the_whole_timeout_passes() {
    const TIMEOUT: &str = "timed out after 30s waiting for Condvar \"flag-set\"";
    let cases: [(&'static [(u64, bool)], TimedWait); 4] = [
        (&[(10, true)], (Ok(()), 10)),
        (&[], (Err(TIMEOUT.to_owned()), 30)),
        (&[(5, false), (20, false)], (Err(TIMEOUT.to_owned()), 30)),
        (&[(5, false), (20, true)], (Ok(()), 20)),
    ];
    for (events, expected) in cases {
        assert_eq!(
            outcomes(200, move || condvar_programs::timed_wait_while(
                lockstep::time::Duration::from_secs(30),
                events
            )),
            BTreeSet::from([expected]),
            "events {events:?}"
        );
    }
}

/// The lost wake-up of a notifier that does not hold the mutex is found by every strategy, as
/// a deadlock naming the condvar; with the notification under the mutex, none finds anything.
#[test]
fn every_strategy_finds_the_lost_wake_up_of_a_notify_outside_the_mutex() {
    for strategy in [
        Strategy::Random,
        Strategy::Pct { depth: 2 },
        Strategy::Pos,
        Strategy::Dfs,
    ] {
        let failure = Explorer::new(strategy)
            .iterations(1000)
            .run(|| condvar_programs::lost_wake_up(false))
            .expect_err("the lost wake-up is found");
        assert!(
            failure.message.contains("deadlock") && failure.message.contains("Condvar \"ready\""),
            "{strategy}: {}",
            failure.message
        );
        Explorer::new(strategy)
            .iterations(1000)
            .run(|| condvar_programs::lost_wake_up(true))
            .unwrap_or_else(|failure| panic!("{strategy}: under the mutex: {failure}"));
    }
}
