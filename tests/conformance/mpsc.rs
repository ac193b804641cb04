//! Channels: loom `tests/mpsc.rs`, shuttle `tests/basic/mpsc.rs` (`channel`, `sync_channel`,
//! rendezvous, disconnection, `try_recv`, `try_send`, the iterators). Shuttle's vector-clock
//! checks (`check_clock`, `me()`) test shuttle's own causality tracking and are left out of the
//! bodies; every other assertion is kept.
//!
//! `mpsc_try_recv_iter_rendezvous` is searched at random: lockstep's DFS does not exhaust it
//! within the runner's budget (its channels have more scheduling points than shuttle's: a
//! spawned send received by main takes 12 DFS executions, raw shuttle 3; each is explained in
//! `tests/shuttle_vs_raw.rs`), and stopped early it only varies the late choices.
//! `mpsc_try_recv_iter_sync` is searched by DFS, as upstream.

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes};
use super::{Case, Search};
use lockstep::sync::mpsc::{channel, sync_channel, RecvError, TryRecvError, TrySendError};
use lockstep::thread;

pub const CASES: &[Case] = &[
    Case::loom(
        "mpsc.rs",
        "basic_sequential_usage",
        Runs(send_then_recv),
        Passes,
    ),
    Case::loom(
        "mpsc.rs",
        "basic_parallel_usage",
        Runs(spawned_send),
        Passes,
    ),
    Case::loom(
        "mpsc.rs",
        "commutative_senders",
        Runs(two_senders_sum),
        Passes,
    ),
    Case::loom(
        "mpsc.rs",
        "non_commutative_senders1",
        Runs(first_received_is_five),
        Fails("left: 6"),
    ),
    Case::loom(
        "mpsc.rs",
        "non_commutative_senders2",
        Runs(first_received_is_six),
        Fails("left: 5"),
    ),
    Case::loom("mpsc.rs", "drop_receiver", Runs(unreceived_left), Passes),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_loom_basic_sequential_usage",
        Runs(send_then_recv),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_loom_basic_parallel_usage",
        Runs(spawned_send),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_loom_commutative_senders",
        Runs(two_senders_sum),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_loom_non_commutative_senders1",
        Runs(first_received_is_five),
        Fails("sends can happen in any order"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_loom_non_commutative_senders2",
        Runs(first_received_is_six),
        Fails("sends can happen in any order"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_drop_sender_unbounded",
        Runs(drop_sender_unbounded),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_drop_receiver_unbounded",
        Runs(drop_receiver_unbounded),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_drop_sender_bounded",
        Runs(drop_sender_bounded),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_drop_receiver_bounded",
        Runs(drop_receiver_bounded),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_drop_sender_rendezvous",
        Runs(drop_sender_rendezvous),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_drop_receiver_rendezvous",
        Runs(drop_receiver_rendezvous),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_buffering_behavior",
        Runs(buffered_after_disconnect),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle("mpsc.rs", "mpsc_bounded_sum", Runs(bounded_sum), Passes)
        .search(Search::Dfs)
        .loom_bound(1),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_bounded_sender_buffered",
        Runs(fills_bound),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_bounded_sender_blocked",
        Runs(overfills_bound),
        Fails("deadlock"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_rendezvous_channel",
        Runs(rendezvous),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_rendezvous_sender_block",
        Runs(rendezvous_send_alone),
        Fails("deadlock"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_rendezvous_two_threads",
        Runs(rendezvous_two_senders),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_rendezvous_transfer_receiver",
        Runs(receiver_sent_over_a_channel),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_send_from_outside_runtime",
        Runs(send_from_second_thread),
        Passes,
    )
    .search(Search::Dfs)
    .loom_bound(1),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_recv_from_outside_runtime",
        Runs(recv_in_spawned_thread),
        Passes,
    )
    .search(Search::Dfs)
    .loom_bound(1),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_oneshot_single_thread_recv_chan_close",
        Runs(unwrap_recv_of_closed),
        Fails("RecvError"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_some_senders_with_blocking[3 senders, bound 1]",
        Runs(three_senders_into_one),
        Passes,
    )
    .search(Search::Dfs)
    .loom_bound(1),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_some_senders_with_blocking[3 senders, bound 2]",
        Runs(three_senders_into_two),
        Passes,
    )
    .search(Search::Dfs)
    .loom_bound(1),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_many_senders_drop_receiver",
        Runs(senders_unblocked_by_receiver_drop),
        Passes,
    )
    .search(Search::Dfs)
    .loom_bound(1),
    Case::shuttle(
        "mpsc.rs",
        "test_nested_recv_iter",
        Runs(recv_iter_in_thread),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_recv_iter_sync",
        Observes(try_iter_bounded),
        Outcomes(&["0", "3", "4", "5", "6"]),
    )
    .search(Search::Dfs)
    .loom_bound(5),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_recv_iter_rendezvous",
        Observes(try_iter_rendezvous),
        Outcomes(&["0", "3", "4", "6"]),
    ),
    Case::shuttle(
        "mpsc.rs",
        "try_recv_send_rendezvous",
        Observes(try_recv_against_rendezvous_send),
        Outcomes(&["Err(Empty)", "Ok(1)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_oneshot_single_thread_peek_close",
        Runs(try_recv_of_closed),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle("mpsc.rs", "mpsc_try_recv", Runs(try_recv_one), Passes).search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_recv_permutations_no_drop",
        Observes(try_recv_racing_send),
        Outcomes(&["Err(Empty)", "Ok(1)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_recv_permutations_drop",
        Observes(try_recv_racing_sender_drop),
        Outcomes(&["Err(Disconnected)", "Err(Empty)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_send_buffered",
        Runs(try_send_into_room),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_send_rendezvous",
        Runs(try_send_with_no_receiver_waiting),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_send_permutations_no_drop",
        Observes(try_send_bounded_racing_recv),
        Outcomes(&["Ok(())"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_send_permutations_drop",
        Observes(try_send_bounded_racing_receiver_drop),
        Outcomes(&["Err(Disconnected(..))", "Ok(())"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_send_permutations_no_drop_rendezvous",
        Observes(try_send_rendezvous_racing_recv),
        Outcomes(&["Err(Full(..))", "Ok(())"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mpsc.rs",
        "mpsc_try_send_permutations_drop_rendezvous",
        Observes(try_send_rendezvous_racing_receiver_drop),
        Outcomes(&["Err(Disconnected(..))", "Err(Full(..))"]),
    )
    .search(Search::Dfs),
];

fn send_then_recv() {
    let (tx, rx) = channel();
    tx.send(5).unwrap();
    assert_eq!(rx.recv().unwrap(), 5);
}

fn spawned_send() {
    let (tx, rx) = channel();
    thread::spawn(move || tx.send(5).unwrap());
    assert_eq!(rx.recv().unwrap(), 5);
}

fn two_senders_sum() {
    let (tx, rx) = channel();
    let tx2 = tx.clone();
    thread::spawn(move || tx.send(5).unwrap());
    thread::spawn(move || tx2.send(6).unwrap());
    assert_eq!(rx.recv().unwrap() + rx.recv().unwrap(), 11);
}

/// Two threads send 5 and 6; main asserts the first message is `expected`, which some order
/// refutes.
fn first_received_is(expected: i32) {
    let (tx, rx) = channel();
    let tx2 = tx.clone();
    thread::spawn(move || {
        let _ = tx.send(5);
    });
    thread::spawn(move || {
        let _ = tx2.send(6);
    });
    assert_eq!(
        rx.recv().unwrap(),
        expected,
        "expected panic: sends can happen in any order"
    );
    let _ = rx.recv();
}

fn first_received_is_five() {
    first_received_is(5);
}

fn first_received_is_six() {
    first_received_is(6);
}

/// A message still in the channel when the receiver is dropped is no error.
fn unreceived_left() {
    let (tx, rx) = channel();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(rx.recv().unwrap(), 1);
}

fn drop_sender_unbounded() {
    let (tx, rx) = channel::<i32>();
    thread::spawn(move || drop(tx));
    assert!(rx.recv().is_err());
}

fn drop_receiver_unbounded() {
    let (tx, rx) = channel();
    drop(rx);
    assert!(tx.send(1).is_err());
}

fn drop_sender_bounded() {
    let (tx, rx) = sync_channel::<i32>(10);
    thread::spawn(move || assert!(rx.recv().is_err()));
    drop(tx);
}

fn drop_receiver_bounded() {
    let (tx, rx) = sync_channel(10);
    drop(rx);
    assert!(tx.send(1).is_err());
}

fn drop_sender_rendezvous() {
    let (tx, rx) = sync_channel::<i32>(0);
    drop(tx);
    assert!(rx.recv().is_err());
}

fn drop_receiver_rendezvous() {
    let (tx, rx) = sync_channel(0);
    drop(rx);
    assert!(tx.send(1).is_err());
}

/// std's "buffering behavior" example: messages sent before the sender hung up are still
/// received, then `RecvError`.
fn buffered_after_disconnect() {
    let (tx, rx) = channel();
    let sender = thread::spawn(move || {
        for value in 1u8..=3 {
            tx.send(value).unwrap();
        }
    });
    sender.join().unwrap();
    for value in 1u8..=3 {
        assert_eq!(rx.recv(), Ok(value));
    }
    assert_eq!(rx.recv(), Err(RecvError));
}

fn bounded_sum() {
    let (tx, rx) = sync_channel::<i32>(5);
    thread::spawn(move || {
        for _ in 0..5 {
            tx.send(1).unwrap();
        }
    });
    let summer = thread::spawn(move || (0..5).map(|_| rx.recv().unwrap()).sum::<i32>());
    assert_eq!(summer.join().unwrap(), 5);
}

/// `sends` sends into a bounded channel of 10 that nobody receives from.
fn send_into_bound_of_ten(sends: usize) {
    let (tx, _rx) = sync_channel::<i32>(10);
    let sender = thread::spawn(move || {
        for _ in 0..sends {
            tx.send(1).unwrap();
        }
        42
    });
    assert_eq!(sender.join().unwrap(), 42);
}

fn fills_bound() {
    send_into_bound_of_ten(10);
}

fn overfills_bound() {
    send_into_bound_of_ten(11);
}

fn rendezvous() {
    let (tx, rx) = sync_channel::<i32>(0);
    thread::spawn(move || tx.send(53).unwrap());
    assert_eq!(rx.recv().unwrap(), 53);
}

/// A rendezvous send with no receiver ever waiting blocks forever.
fn rendezvous_send_alone() {
    let (tx, rx) = sync_channel::<i32>(0);
    tx.send(53).unwrap();
    rx.recv().unwrap();
    rx.recv().unwrap();
}

fn rendezvous_two_senders() {
    let (tx1, rx) = sync_channel::<i32>(0);
    let tx2 = tx1.clone();
    thread::spawn(move || tx1.send(10).unwrap());
    thread::spawn(move || tx2.send(20).unwrap());
    assert_eq!(rx.recv().unwrap() + rx.recv().unwrap(), 30);
}

/// A thread receives 10 on a rendezvous channel, then hands its receiver to a second thread
/// (over a bounded channel), which receives 20.
fn receiver_sent_over_a_channel() {
    let (handover_tx, handover_rx) = sync_channel(1);
    let (tx, rx) = sync_channel::<i32>(0);
    thread::spawn(move || {
        assert_eq!(rx.recv().unwrap(), 10);
        handover_tx.send(rx).unwrap();
    });
    let second = thread::spawn(move || {
        let rx = handover_rx.recv().unwrap();
        assert_eq!(rx.recv().unwrap(), 20);
    });
    tx.send(10).unwrap();
    tx.send(20).unwrap();
    second.join().unwrap();
}

/// libstd's test: the sender of seven messages is spawned after the receiver has started.
fn send_from_second_thread() {
    let (ready_tx, ready_rx) = channel::<()>();
    let (tx, rx) = channel::<i32>();
    let receiver = thread::spawn(move || {
        ready_tx.send(()).unwrap();
        for _ in 0..7 {
            assert_eq!(rx.recv().unwrap(), 1);
        }
    });
    ready_rx.recv().unwrap();
    let sender = thread::spawn(move || {
        for _ in 0..7 {
            tx.send(1).unwrap();
        }
    });
    receiver.join().unwrap();
    sender.join().unwrap();
}

fn recv_in_spawned_thread() {
    let (tx, rx) = channel::<i32>();
    let receiver = thread::spawn(move || {
        for _ in 0..10 {
            assert_eq!(rx.recv().unwrap(), 1);
        }
    });
    for _ in 0..10 {
        tx.send(1).unwrap();
    }
    receiver.join().unwrap();
}

/// A spawned thread unwraps a receive on a channel whose sender is gone.
fn unwrap_recv_of_closed() {
    let joined = thread::spawn(|| {
        let (tx, rx) = channel::<i32>();
        drop(tx);
        rx.recv().unwrap();
    })
    .join();
    assert!(joined.is_err());
}

/// `senders` threads each send once into a channel of `bound`; main receives just enough that
/// none stays blocked.
fn senders_with_blocking(senders: usize, bound: usize) {
    let (tx, rx) = sync_channel::<usize>(bound);
    let handles: Vec<_> = (0..senders)
        .map(|i| {
            let tx = tx.clone();
            thread::spawn(move || tx.send(i).unwrap())
        })
        .collect();
    for _ in 0..senders - bound {
        rx.recv().unwrap();
    }
    for handle in handles {
        handle.join().unwrap();
    }
}

/// Upstream's first configuration: two senders blocked at once. (Upstream runs both in one
/// test; in one execution they would spawn 6 threads, over loom's limit of 5.)
fn three_senders_into_one() {
    senders_with_blocking(3, 1);
}

/// Upstream's second configuration: a buffer of two with one blocked sender.
fn three_senders_into_two() {
    senders_with_blocking(3, 2);
}

/// Four senders into a channel of two; dropping the receiver unblocks the blocked ones.
fn senders_unblocked_by_receiver_drop() {
    let (tx, rx) = sync_channel::<usize>(2);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let tx = tx.clone();
            thread::spawn(move || {
                let _ = tx.send(i);
            })
        })
        .collect();
    drop(rx);
    for handle in handles {
        handle.join().unwrap();
    }
}

fn recv_iter_in_thread() {
    let (tx, rx) = sync_channel::<i32>(0);
    let (total_tx, total_rx) = sync_channel::<i32>(0);
    thread::spawn(move || total_tx.send(rx.iter().sum()).unwrap());
    for value in [3, 1, 2] {
        tx.send(value).unwrap();
    }
    drop(tx);
    assert_eq!(total_rx.recv().unwrap(), 6);
}

/// Main `try_send`s 3, 1, 2 into a channel of one while a thread drains it with `try_iter`:
/// the sum that thread saw (every message sent is received in the end).
fn try_iter_bounded() -> String {
    let (tx, rx) = sync_channel::<i32>(1);
    let (total_tx, total_rx) = sync_channel(0);
    thread::spawn(move || {
        let sum: i32 = rx.try_iter().sum();
        total_tx.send((rx, sum)).unwrap();
    });
    let sent: i32 = [3, 1, 2]
        .into_iter()
        .filter(|&value| tx.try_send(value).is_ok())
        .sum();
    drop(tx);
    let (rx, seen) = total_rx.recv().unwrap();
    assert_eq!(seen + rx.try_recv().unwrap_or(0), sent);
    seen.to_string()
}

/// Main `send`s 3, 1, 2 on a rendezvous channel while a thread drains it with `try_iter` and
/// drops it: the sum that thread saw.
fn try_iter_rendezvous() -> String {
    let (tx, rx) = sync_channel::<i32>(0);
    let (total_tx, total_rx) = sync_channel(0);
    thread::spawn(move || {
        let sum: i32 = rx.try_iter().sum();
        drop(rx);
        total_tx.send(sum).unwrap();
    });
    for value in [3, 1, 2] {
        let _ = tx.send(value);
    }
    drop(tx);
    total_rx.recv().unwrap().to_string()
}

/// A thread's `try_recv` against main's blocking rendezvous send: it can take the message
/// (upstream asserts that some execution does).
fn try_recv_against_rendezvous_send() -> String {
    let (tx, rx) = sync_channel::<i32>(0);
    let receiver = thread::spawn(move || format!("{:?}", rx.try_recv()));
    let _ = tx.send(1);
    receiver.join().unwrap()
}

fn try_recv_of_closed() {
    let (tx, rx) = channel::<i32>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

fn try_recv_one() {
    let (tx, rx) = channel::<i32>();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

/// Main's `try_recv` while a thread sends 1 (or, with `drop_sender`, just drops its sender).
fn try_recv_racing(drop_sender: bool) -> String {
    let (tx, rx) = channel::<i32>();
    let sender = thread::spawn(move || {
        if !drop_sender {
            tx.send(1).unwrap();
        }
    });
    let result = format!("{:?}", rx.try_recv());
    sender.join().unwrap();
    result
}

fn try_recv_racing_send() -> String {
    try_recv_racing(false)
}

fn try_recv_racing_sender_drop() -> String {
    try_recv_racing(true)
}

fn try_send_into_room() {
    let (tx, rx) = sync_channel::<i32>(1);
    assert_eq!(tx.try_send(1), Ok(()));
    assert_eq!(rx.recv(), Ok(1));
    assert_eq!(tx.try_send(2), Ok(()));
    assert_eq!(rx.recv(), Ok(2));
    drop(rx);
    assert_eq!(tx.try_send(3), Err(TrySendError::Disconnected(3)));
}

fn try_send_with_no_receiver_waiting() {
    let (tx, _rx) = sync_channel::<i32>(0);
    assert_eq!(tx.try_send(1), Err(TrySendError::Full(1)));
}

/// Main's `try_send(1)` into a channel of `bound` while a thread receives once (or, with
/// `drop_receiver`, drops its receiver); the error's payload is elided.
fn try_send_racing(drop_receiver: bool, bound: usize) -> String {
    let (tx, rx) = sync_channel::<i32>(bound);
    let receiver = thread::spawn(move || {
        if !drop_receiver {
            let _ = rx.recv();
        }
    });
    let result = match tx.try_send(1) {
        Ok(()) => "Ok(())",
        Err(TrySendError::Full(_)) => "Err(Full(..))",
        Err(TrySendError::Disconnected(_)) => "Err(Disconnected(..))",
    };
    drop(tx);
    receiver.join().unwrap();
    result.to_owned()
}

fn try_send_bounded_racing_recv() -> String {
    try_send_racing(false, 1)
}

fn try_send_bounded_racing_receiver_drop() -> String {
    try_send_racing(true, 1)
}

fn try_send_rendezvous_racing_recv() -> String {
    try_send_racing(false, 0)
}

fn try_send_rendezvous_racing_receiver_drop() -> String {
    try_send_racing(true, 0)
}
