//! Liveness hints under shuttle and loom (one file: only the explorer differs): a timed wait
//! that timed out while what it waited for was there is marked in the trace and the report,
//! and fails the test under the strict rule; a timeout while the lock really was held is not
//! marked. Condvars, locks, unfair semaphores and `park_timeout` earn hints; a FIFO semaphore
//! and a channel's `recv_timeout` cannot time out with what they wait for there.
#![cfg(any(loom, feature = "shuttle"))]

mod liveness_programs;

use liveness_programs::{self as programs, Seen};
use lockstep::explore::{Explorer, Liveness, Stats, Strategy};
use lockstep::sync::SemaphoreFairness;
use lockstep::time::Duration;
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

#[test]
fn a_permit_an_unfair_release_woke_a_waiter_for_that_another_thread_took_is_a_hint() {
    let (seen, verdict) = explore(Liveness::Hint, || {
        programs::permit_added_and_taken_at_once(SemaphoreFairness::Unfair)
    });
    // The waiter drops a permit it got at once, so main's try may get it back after it.
    assert_eq!(
        seen,
        BTreeSet::from([
            (Seen::Got, false),
            (Seen::Got, true),
            (Seen::TimedOut, true)
        ])
    );
    let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
    let first = stats.liveness_hints.first.as_deref().unwrap_or_default();
    assert!(
        first.starts_with(
            "liveness: thread-1's timed wait for Semaphore \"pool\" timed out at 30s after a \
             release woke it and another thread took the permits first"
        ),
        "{stats:?}"
    );
}

#[test]
fn under_the_strict_rule_a_permit_lost_to_another_thread_fails_with_the_hint_in_the_trace() {
    let (_, verdict) = explore(Liveness::Strict, || {
        programs::permit_added_and_taken_at_once(SemaphoreFairness::Unfair)
    });
    let failure = verdict.expect_err("the strict rule makes the hint a failure");
    assert!(
        failure.message.contains("What to do: use the FIFO policy"),
        "{}",
        failure.message
    );
    let marked = failure
        .trace
        .lines()
        .find(|line| line.contains("timed out") && line.contains("Semaphore \"pool\""))
        .expect("the timeout is traced");
    assert!(
        marked.contains("30s   thread-1")
            && marked
                .ends_with("hint: a release woke it, another thread took the permits (unfair)"),
        "{}",
        failure.trace
    );
}

#[test]
fn a_fifo_semaphore_hands_the_permit_to_its_waiter_and_nothing_is_marked() {
    let (seen, verdict) = explore(Liveness::Strict, || {
        programs::permit_added_and_taken_at_once(SemaphoreFairness::Fifo)
    });
    // The release hands the permit to the waiter (queued during main's sleep), so it never
    // times out; main's try gets the permit only once the waiter dropped it.
    assert_eq!(
        seen,
        BTreeSet::from([(Seen::Got, false), (Seen::Got, true)])
    );
    let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
    assert_eq!(stats.liveness_hints.count, 0, "{stats:?}");
}

#[test]
fn a_park_timeout_after_an_absorbed_unpark_is_a_hint() {
    let (seen, verdict) = explore(Liveness::Hint, || programs::two_unparks(false));
    // Two unparks in a row leave one token: one of the two waits times out.
    assert_eq!(seen, BTreeSet::from([0, 1]));
    let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
    let first = stats.liveness_hints.first.as_deref().unwrap_or_default();
    assert!(
        first.starts_with(
            "liveness: thread-1's timed wait for its unpark timed out at 30s after an unpark \
             of it found its token already pending"
        ),
        "{stats:?}"
    );
    let (_, strict) = explore(Liveness::Strict, || programs::two_unparks(false));
    let failure = strict.expect_err("the strict rule makes the hint a failure");
    let marked = failure
        .trace
        .lines()
        .find(|line| line.contains("park timed out"))
        .expect("the timeout is traced");
    assert!(
        marked.ends_with("hint: an earlier unpark was absorbed by a pending token (lost wake-up?)"),
        "{}",
        failure.trace
    );
}

#[test]
fn counted_signals_lose_nothing_to_an_absorbed_unpark_and_nothing_is_marked() {
    let (seen, verdict) = explore(Liveness::Strict, || programs::two_unparks(true));
    assert_eq!(seen, BTreeSet::from([0]));
    let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
    assert_eq!(stats.liveness_hints.count, 0, "{stats:?}");
}

#[test]
fn a_recv_timeout_never_times_out_with_a_message_queued_and_nothing_is_marked() {
    // The receive looks at the queue once more after its deadline fired, so a send that
    // landed by then is received: a timeout always means the channel was empty. A send due
    // at the deadline itself races the timeout, and both orders are reached.
    let cases = [
        (10, vec![Seen::Got]),
        (30, vec![Seen::Got, Seen::TimedOut]),
        (60, vec![Seen::TimedOut]),
    ];
    for (delay, outcomes) in cases {
        let (seen, verdict) = explore(Liveness::Strict, move || {
            programs::recv_timeout_racing_a_send(Duration::from_secs(delay))
        });
        assert_eq!(seen, BTreeSet::from_iter(outcomes), "a send after {delay}s");
        let stats = verdict.unwrap_or_else(|f| panic!("unexpected failure: {f}"));
        assert_eq!(stats.liveness_hints.count, 0, "{stats:?}");
    }
}
