//! Condvars under loom: `notify_one` may wake any waiter, a notification and a wait race with
//! the threads' other operations as they do on std, the planted ticket-lock bug that relies on
//! FIFO wake-up is found (loom's own condvar tests' execution counts through the facade and
//! raw are in `loom_vs_raw.rs`).
#![cfg(loom)]

#[path = "support/condvar_programs.rs"]
mod condvar_programs;

use lockstep::explore::{explore_exhaustive, Stats};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// How a `wait_timeout_while` ended: its result (the error's message) and when, in seconds.
type TimedWait = (Result<(), String>, u64);

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
fn notify_one_can_wake_either_of_two_waiters() {
    let (woken, stats) = outcomes(3, || condvar_programs::woken_by_one_notify(2));
    println!("two waiters: {} executions", stats.executions);
    assert_eq!(
        woken,
        BTreeSet::from([BTreeSet::from([0]), BTreeSet::from([1])])
    );
}

#[test]
fn notify_one_can_wake_any_of_three_waiters() {
    let (woken, stats) = outcomes(2, || condvar_programs::woken_by_one_notify(3));
    println!("three waiters: {} executions", stats.executions);
    assert_eq!(
        woken,
        BTreeSet::from([
            BTreeSet::from([0]),
            BTreeSet::from([1]),
            BTreeSet::from([2])
        ])
    );
}

#[test]
fn a_ticket_lock_that_relies_on_fifo_wakeup_deadlocks() {
    let failure = explore_exhaustive(Some(2), || {
        condvar_programs::ticket_lock(3, false);
    })
    .expect_err("waking a waiter other than the oldest strands the next ticket");
    assert!(
        failure
            .message
            .starts_with("deadlock: every thread is blocked"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .message
            .contains("waits for a notification on Condvar \"turn\""),
        "{}",
        failure.message
    );
}

#[test]
fn the_ticket_lock_with_notify_all_serves_every_ticket_in_order() {
    let (served, _) = outcomes(2, || condvar_programs::ticket_lock(3, true));
    assert_eq!(served, BTreeSet::from([vec![0, 1, 2]]));
}

/// A notifier that does not hold the mutex sets a flag and notifies; the waiter reads the flag
/// under the mutex and then waits (at most 10 s). std allows all four combinations of "the
/// waiter saw the flag" and "the waiter was notified": the notification can fall between the
/// waiter's read and its wait (the lost wakeup: saw nothing, never notified), and between the
/// notifier's store and its notify the waiter can see the flag and start waiting in time.
#[test]
fn a_notify_without_the_mutex_races_with_the_waiters_check_and_wait() {
    let (seen, _) = outcomes(3, condvar_programs::unlocked_notify_race);
    assert_eq!(
        seen,
        BTreeSet::from([(false, false), (false, true), (true, false), (true, true)])
    );
}

/// `wait_timeout_while` in virtual time, in every interleaving: `Ok` when the condition turns
/// false, at that time; `Err(Timeout)` at exactly the timeout, which is the whole wait's.
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
        let (seen, _) = outcomes(2, move || {
            condvar_programs::timed_wait_while(lockstep::time::Duration::from_secs(30), events)
        });
        assert_eq!(seen, BTreeSet::from([expected]), "events {events:?}");
    }
}

/// The lost wake-up of a notifier that does not hold the mutex is found at preemption bounds
/// 1 and 2, as a deadlock naming the condvar; with the notification under the mutex it is not.
#[test]
fn exhaustive_search_finds_the_lost_wake_up_of_a_notify_outside_the_mutex() {
    for bound in [1, 2] {
        let failure = explore_exhaustive(Some(bound), || condvar_programs::lost_wake_up(false))
            .expect_err("the lost wake-up is found");
        assert!(
            failure.message.contains("deadlock") && failure.message.contains("Condvar \"ready\""),
            "bound {bound}: {}",
            failure.message
        );
        explore_exhaustive(Some(bound), || condvar_programs::lost_wake_up(true))
            .unwrap_or_else(|failure| panic!("bound {bound}: under the mutex: {failure}"));
    }
}
