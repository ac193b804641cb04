//! `mpsc` channels under shuttle and loom (one file: only the explorer differs): every outcome
//! std allows is reached (both message orders, `try_recv` empty and full, disconnection seen
//! early and late, a drop racing a try on the other end, rendezvous hand-over), virtual time
//! for `recv_timeout`, a deadlock report that names the channel, and a planted bug found by
//! random search, POS and loom's exhaustive search (the execution counts against raw loom are
//! in `loom_vs_raw.rs`).
#![cfg(any(loom, feature = "shuttle"))]

#[path = "support/sync_programs.rs"]
mod programs;

#[path = "support/outcomes.rs"]
mod collected;

use lockstep::explore::{Explorer, Strategy};
use lockstep::time::Duration;
use std::collections::BTreeSet;

/// Shuttle: 500 random executions from seed 17.
#[cfg(feature = "shuttle")]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Random).seed(17).iterations(500)
}

/// Loom: every interleaving up to 3 preemptions.
#[cfg(loom)]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(3),
    })
}

/// The search that must find the planted bug: shuttle, 1,000 random executions from seed 3;
/// loom, the exhaustive one.
#[cfg(feature = "shuttle")]
fn bug_hunter() -> Explorer {
    Explorer::new(Strategy::Random).seed(3).iterations(1000)
}

#[cfg(loom)]
fn bug_hunter() -> Explorer {
    explorer()
}

/// Every outcome `body` returns over the exploration.
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    collected::outcomes(explorer(), body)
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

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
fn a_try_recv_racing_the_last_senders_drop_sees_it_either_way() {
    assert_eq!(
        outcomes(programs::try_recv_against_sender_drop),
        BTreeSet::from([s("Err(Disconnected)"), s("Err(Empty)")])
    );
}

#[test]
fn a_try_send_racing_the_receivers_drop_sees_it_either_way() {
    assert_eq!(
        outcomes(programs::try_send_against_receiver_drop),
        BTreeSet::from([s("Err(TrySendError::Disconnected(..))"), s("Ok(())")])
    );
}

#[test]
fn a_receiver_waiting_on_a_silent_sender_is_a_deadlock_naming_the_channel() {
    let failure = explorer()
        .run(programs::recv_from_a_silent_sender)
        .expect_err("the consumer waits forever");
    assert_eq!(
        failure.message,
        "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)\n  \
         main      waits to join consumer\n  \
         consumer  waits to recv on Channel \"jobs\""
    );
    assert!(
        failure.trace.lines().any(|line| line.contains("consumer")
            && line.contains("wait recv")
            && line.contains("Channel \"jobs\"")),
        "{}",
        failure.trace
    );
}

#[test]
fn the_search_finds_the_drain_that_stops_at_the_first_empty_try_recv() {
    let failure = bug_hunter()
        .run(|| programs::drain_jobs(2, true))
        .expect_err("the consumer can look before the worker sends");
    assert!(
        failure.message.starts_with("lost jobs: drained"),
        "{}",
        failure.message
    );
    assert!(failure.trace.contains("send"), "{}", failure.trace);
    bug_hunter()
        .run(|| programs::drain_jobs(2, false))
        .expect("receiving until disconnection loses nothing");
}

#[cfg(feature = "shuttle")]
#[test]
fn pos_finds_the_lost_jobs_too() {
    Explorer::new(Strategy::Pos)
        .iterations(1000)
        .run(|| programs::drain_jobs(2, true))
        .expect_err("POS reorders the try_recv against the sends");
}
