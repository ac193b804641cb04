//! Condvars on real threads: `notify_one` wakes a waiter, the ticket lock with `notify_all`
//! serves in ticket order, and `wait_timeout_while` returns when its condition turns false or
//! fails with the timeout error once its time is up.
#![cfg(not(any(loom, feature = "shuttle")))]

// The unlocked-notify race is not run here: on real threads every outcome it can have is
// allowed, so there is nothing to assert about one run.
#[path = "support/condvar_programs.rs"]
#[allow(dead_code)]
mod condvar_programs;

use lockstep::time::Duration;

#[test]
fn one_notify_one_wakes_exactly_one_of_two_waiters() {
    // The unnotified waiter gives up after 1 s; the notified one returns at once.
    let woken = condvar_programs::woken_by_one_notify(2);
    assert_eq!(woken.len(), 1, "woken: {woken:?}");
}

#[test]
fn the_ticket_lock_with_notify_all_serves_every_ticket_in_order() {
    assert_eq!(condvar_programs::ticket_lock(3, true), vec![0, 1, 2]);
}

#[test]
fn wait_timeout_while_returns_once_the_condition_turns_false() {
    // The flag is set at once; the timeout is far away, so the wait cannot time out first.
    let (waited, _) = condvar_programs::timed_wait_while(Duration::from_secs(600), &[(0, true)]);
    assert_eq!(waited, Ok(()));
}

#[test]
fn wait_timeout_while_fails_with_the_timeout_when_the_condition_stays_true() {
    let (waited, _) = condvar_programs::timed_wait_while(Duration::from_millis(5), &[]);
    assert_eq!(
        waited,
        Err("timed out after 5ms waiting for Condvar \"flag-set\"".to_owned())
    );
}
