//! `mpsc` channels on real threads: std's own channels behind the facade, so every program's
//! result is one std allows, the guarantees that hold in every execution hold (a rendezvous
//! send finishes only after the receive), and disconnection gives std's errors.
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "support/sync_programs.rs"]
mod programs;

use lockstep::sync::mpsc::{self, RecvTimeoutError, TryRecvError, TrySendError};
use lockstep::time::Duration;

fn s(text: &str) -> String {
    text.to_owned()
}

#[test]
fn two_senders_arrive_in_one_of_the_two_orders() {
    let order = programs::two_senders();
    assert!(order == [1, 2] || order == [2, 1], "{order:?}");
}

#[test]
fn try_recv_results_are_ones_std_allows() {
    let got = programs::try_recv_against_send();
    assert!(got == "Err(Empty)" || got == "Ok(1)", "{got}");
    let pair = programs::try_recv_against_last_send();
    let allowed = [
        (s("Err(Empty)"), s("Err(Empty)")),
        (s("Err(Empty)"), s("Ok(1)")),
        (s("Ok(1)"), s("Err(Disconnected)")),
        (s("Ok(1)"), s("Err(Empty)")),
    ];
    assert!(allowed.contains(&pair), "{pair:?}");
}

#[test]
fn a_rendezvous_send_never_finishes_before_the_receive() {
    for _ in 0..20 {
        assert!(!programs::flag_seen_before_receive(0));
    }
}

#[test]
fn disconnection_gives_std_errors() {
    assert_eq!(
        programs::disconnections(),
        (
            s("Err(RecvError)"),
            s("Err(Disconnected)"),
            s("Err(SendError { .. })")
        )
    );
}

#[test]
fn bounded_and_rendezvous_tries_and_zero_timeouts_fail_without_blocking() {
    let (tx, rx) = mpsc::sync_channel(1);
    assert_eq!(tx.try_send(1), Ok(()));
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    assert_eq!(rx.recv_timeout(Duration::ZERO), Ok(1));
    assert_eq!(
        rx.recv_timeout(Duration::ZERO),
        Err(RecvTimeoutError::Timeout)
    );
    let (handoff, _rx) = mpsc::named_sync_channel("handoff", 0);
    assert_eq!(handoff.try_send(3), Err(TrySendError::Full(3)));
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn receiving_until_disconnection_loses_no_job() {
    programs::drain_jobs(5, false);
}
