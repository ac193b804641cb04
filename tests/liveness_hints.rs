//! Liveness hints under shuttle and loom (one file: only the explorer differs): a timed wait
//! that timed out while what it waited for was there is marked in the trace and the report,
//! and fails the test under the strict rule; a timeout while the lock really was held is not
//! marked.
#![cfg(any(loom, feature = "shuttle"))]

mod liveness_programs;

use liveness_programs::{self as programs, Seen};
use lockstep::explore::{Explorer, Liveness, Stats, Strategy};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Shuttle: 300 random schedules from a fixed seed.
#[cfg(feature = "shuttle")]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Random).seed(3).iterations(300)
}

/// Loom: every interleaving up to 2 preemptions.
#[cfg(loom)]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
}

/// Explores `program` by `rule`: every outcome it produced, and the exploration's verdict.
fn explore<T, F>(
    rule: Liveness,
    program: F,
) -> (BTreeSet<T>, Result<Stats, lockstep::explore::Failure>)
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    let verdict = explorer().liveness(rule).run(move || {
        let value = program();
        sink.lock().unwrap().insert(value);
    });
    let seen = seen.lock().unwrap().clone();
    (seen, verdict)
}

#[test]
fn a_lost_wake_up_behind_a_timed_waiter_is_a_hint() {
    let (seen, verdict) = explore(Liveness::Hint, || programs::flag_behind_a_timeout(false));
    // On a real machine the bug is invisible: the wait always ends with the flag set.
    assert_eq!(seen, BTreeSet::from([Seen::Got]));
    let stats = verdict.expect("a hint alone does not fail the test");
    assert!(stats.liveness_hints.count > 0, "{stats:?}");
    let first = stats.liveness_hints.first.as_deref().unwrap();
    assert!(
        first.starts_with(
            "liveness: main's timed wait for Condvar \"flag-set\" timed out at 30s although its \
             condition already held"
        ),
        "{first}"
    );
    let warning = stats.warning().expect("the report warns").to_string();
    assert!(
        warning.contains("timed out while what they waited for was there"),
        "{warning}"
    );
}

#[test]
fn under_the_strict_rule_a_lost_wake_up_behind_a_timed_waiter_fails_with_the_hint_in_the_trace() {
    let (_, verdict) = explore(Liveness::Strict, || programs::flag_behind_a_timeout(false));
    let failure = verdict.expect_err("the strict rule makes the hint a failure");
    assert!(
        failure.message.starts_with("liveness: main's timed wait"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .message
            .contains("What to do: notify after every change"),
        "{}",
        failure.message
    );
    let marked = failure
        .trace
        .lines()
        .find(|line| line.contains("notify timed out  Condvar \"flag-set\""))
        .expect("the timeout is traced");
    assert!(
        marked.contains("30s   main")
            && marked.ends_with("hint: condition already held, no notify came (lost wake-up?)"),
        "{}",
        failure.trace
    );
    // The trace ends where the hint failed the waiter (it had re-locked the mutex to look at
    // the flag), not with the release its unwinding made.
    let last = failure.trace.lines().last().unwrap();
    assert!(
        last.contains("main      lock acquired     Mutex \"flag\""),
        "{}",
        failure.trace
    );
}

#[test]
fn with_the_notification_nothing_is_marked_even_under_the_strict_rule() {
    let (seen, verdict) = explore(Liveness::Strict, || programs::flag_behind_a_timeout(true));
    assert_eq!(seen, BTreeSet::from([Seen::Got]));
    let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
    assert_eq!(stats.liveness_hints.count, 0, "{stats:?}");
}

#[test]
fn a_timeout_while_the_lock_really_was_held_is_not_marked() {
    let (seen, verdict) = explore(Liveness::Strict, programs::timeout_while_held);
    assert_eq!(seen, BTreeSet::from([Seen::Got, Seen::TimedOut]));
    let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
    assert_eq!(stats.liveness_hints.count, 0, "{stats:?}");
    assert_eq!(stats.warning(), None);
}

#[test]
fn a_notification_that_went_to_another_waiter_is_a_hint() {
    let (seen, verdict) = explore(Liveness::Hint, programs::one_notification_two_waiters);
    let all = BTreeSet::from([
        (Seen::Got, Seen::TimedOut),
        (Seen::TimedOut, Seen::Got),
        (Seen::TimedOut, Seen::TimedOut),
    ]);
    assert_eq!(seen, all);
    let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
    let first = stats.liveness_hints.first.as_deref().unwrap_or_default();
    assert!(
        first.contains(
            "timed out at 30s while the notification meant for it went to another waiter"
        ),
        "{stats:?}"
    );
}
