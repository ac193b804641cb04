//! `mpsc` channels under loom: every outcome std allows is reached exhaustively, virtual time
//! for `recv_timeout`, a deadlock report naming the channel, and a planted bug found (the
//! execution counts against raw loom are in `loom_vs_raw.rs`).
#![cfg(loom)]

#[path = "support/sync_programs.rs"]
mod programs;

use lockstep::explore::explore_exhaustive;
use lockstep::time::Duration;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

const BOUND: usize = 3;

/// Every outcome `body` returns across loom's exhaustive exploration (preemption bound 3).
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explore_exhaustive(Some(BOUND), move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    seen
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

// ---- channels ----

#[test]
fn two_senders_are_received_in_both_orders() {
    assert_eq!(
        outcomes(programs::two_senders),
        BTreeSet::from([vec![1, 2], vec![2, 1]])
    );
}

#[test]
fn try_recv_finds_the_channel_empty_or_the_message() {
    assert_eq!(
        outcomes(programs::try_recv_against_send),
        BTreeSet::from([s("Err(Empty)"), s("Ok(1)")])
    );
}

#[test]
fn after_the_last_message_the_channel_looks_empty_or_disconnected() {
    assert_eq!(
        outcomes(programs::try_recv_against_last_send),
        BTreeSet::from([
            (s("Err(Empty)"), s("Err(Empty)")),
            (s("Err(Empty)"), s("Ok(1)")),
            (s("Ok(1)"), s("Err(Disconnected)")),
            (s("Ok(1)"), s("Err(Empty)")),
        ])
    );
}

#[test]
fn a_bounded_channel_is_full_until_the_receiver_takes_a_message() {
    assert_eq!(
        outcomes(programs::bounded_try_sends),
        BTreeSet::from([
            (s("Ok(())"), s("Err(TrySendError::Full(..))"), s("Ok(1)")),
            (
                s("Ok(())"),
                s("Err(TrySendError::Full(..))"),
                s("Err(Empty)")
            ),
            (s("Ok(())"), s("Ok(())"), s("Ok(1)")),
        ])
    );
}

#[test]
fn a_rendezvous_send_finishes_only_after_the_receive_and_a_buffered_one_before() {
    assert_eq!(
        outcomes(|| programs::flag_seen_before_receive(0)),
        BTreeSet::from([false])
    );
    assert_eq!(
        outcomes(|| programs::flag_seen_before_receive(1)),
        BTreeSet::from([false, true])
    );
}

#[test]
fn a_rendezvous_try_send_hands_over_only_to_a_waiting_receiver() {
    assert_eq!(
        outcomes(programs::rendezvous_try_send),
        BTreeSet::from([
            (s("Err(TrySendError::Full(..))"), s("Err(Timeout)"), secs(1)),
            (s("Ok(())"), s("Ok(7)"), Duration::ZERO),
        ])
    );
}

#[test]
fn recv_timeout_waits_on_virtual_time() {
    assert_eq!(
        outcomes(|| programs::recv_timeout_against_delayed_send(secs(5), secs(10))),
        BTreeSet::from([(s("Ok(1)"), secs(5))])
    );
    assert_eq!(
        outcomes(|| programs::recv_timeout_against_delayed_send(secs(30), secs(10))),
        BTreeSet::from([(s("Err(Timeout)"), secs(10))])
    );
    // A send exactly at the deadline: either may come first.
    assert_eq!(
        outcomes(|| programs::recv_timeout_against_delayed_send(secs(10), secs(10))),
        BTreeSet::from([(s("Err(Timeout)"), secs(10)), (s("Ok(1)"), secs(10))])
    );
}

#[test]
fn disconnection_gives_std_errors_not_hangs() {
    assert_eq!(
        outcomes(programs::disconnections),
        BTreeSet::from([(
            s("Err(RecvError)"),
            s("Err(Disconnected)"),
            s("Err(SendError { .. })")
        )])
    );
}

#[test]
fn a_receiver_waiting_on_a_silent_sender_is_a_deadlock_naming_the_channel() {
    let failure = explore_exhaustive(Some(BOUND), programs::recv_from_a_silent_sender)
        .expect_err("the consumer waits forever");
    assert_eq!(
        failure.message,
        "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)\n  \
         main      waits to join consumer\n  \
         consumer  waits to recv on Channel \"jobs\""
    );
}

#[test]
fn exhaustive_search_finds_the_drain_that_stops_at_the_first_empty_try_recv() {
    let failure = explore_exhaustive(Some(BOUND), || programs::drain_jobs(2, true))
        .expect_err("the consumer can look before the worker sends");
    assert!(
        failure.message.starts_with("lost jobs: drained"),
        "{}",
        failure.message
    );
    explore_exhaustive(Some(BOUND), || programs::drain_jobs(2, false))
        .expect("receiving until disconnection loses nothing");
}
