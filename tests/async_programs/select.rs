//! `select!` programs, each one execution's body (see mpsc.rs).
#![allow(dead_code)] // each test file runs the programs its backend can check

use lockstep::time::Duration;
use lockstep::tokio::sync::{mpsc, oneshot};
use lockstep::tokio::{block_on, select, task, time};

/// Two branches ready at once: which one runs is the drawn order (both are reached).
pub fn two_ready_branches() -> &'static str {
    block_on(async {
        select! {
            _ = std::future::ready(()) => "first",
            () = std::future::ready(()) => {
                std::hint::black_box(());
                "second"
            }
        }
    })
}

/// `biased;`: the branches are polled in order, so the first ready one always wins.
pub fn biased_takes_the_first_ready() -> &'static str {
    block_on(async {
        select! {
            biased;
            _ = std::future::ready(()) => "first",
            _ = std::future::ready(()) => "second",
        }
    })
}

/// A message against a timer on the virtual clock: the message (sent at 5 ms) wins, at 5 ms,
/// and the timer's future is dropped. Returns (winner, ms).
pub fn a_message_beats_a_timer() -> (&'static str, u128) {
    block_on(async {
        let start = lockstep::time::Instant::now();
        let (tx, mut rx) = mpsc::unbounded_channel();
        task::spawn(async move {
            time::sleep(Duration::from_millis(5)).await;
            tx.send(()).unwrap();
        });
        let winner = select! {
            Some(()) = rx.recv() => "message",
            _ = time::sleep(Duration::from_millis(10)) => "timer",
        };
        (winner, start.elapsed().as_millis())
    })
}

/// A branch whose pattern does not match (`recv` gives `None`: the sender is gone) is
/// disabled; the other goes on. With every branch disabled, `else` runs.
pub fn refuted_branches_are_disabled() -> (u32, &'static str) {
    block_on(async {
        let (tx, mut closed) = mpsc::unbounded_channel::<u32>();
        drop(tx);
        let (one, rx) = oneshot::channel();
        one.send(4).unwrap();
        let got = select! {
            Some(n) = closed.recv() => n,
            Ok(n) = rx => n,
        };
        let (tx, mut empty) = mpsc::unbounded_channel::<u32>();
        drop(tx);
        let fallback = select! {
            Some(_) = empty.recv() => "message",
            else => "else",
        };
        (got, fallback)
    })
}

/// Cancellation by select: two senders, each on its own channel, race; the receiver takes
/// one message in a select, and then drains both channels. Nothing is lost: a losing `recv`
/// dropped by select leaves its message buffered. Returns the winner and everything drained.
pub fn the_losing_recv_loses_nothing() -> (u32, Vec<u32>) {
    block_on(async {
        let (tx_a, mut a) = mpsc::channel(1);
        let (tx_b, mut b) = mpsc::channel(1);
        task::spawn(async move { tx_a.send(1).await.unwrap() });
        task::spawn(async move { tx_b.send(2).await.unwrap() });
        let winner = select! {
            Some(n) = a.recv() => n,
            Some(n) = b.recv() => n,
        };
        let mut rest = Vec::new();
        while let Some(n) = a.recv().await {
            rest.push(n);
        }
        while let Some(n) = b.recv().await {
            rest.push(n);
        }
        (winner, rest)
    })
}

/// Planted bug: a select branch that is not cancel-safe. Its future takes a message off the
/// channel, then awaits the sender's ack; the sender acks after taking a lock that another task
/// may hold for 2 ms first. When it does, the other branch (a 1 ms timer) wins meanwhile and
/// the half-received message is dropped with the future: panics `lost a message`.
pub fn a_select_drops_a_half_received_message() {
    block_on(async {
        let (tx, mut rx) = mpsc::named_channel("jobs", 1);
        let (ack_tx, ack_rx) = oneshot::channel::<()>();
        let books = std::sync::Arc::new(lockstep::tokio::sync::Mutex::named("books", ()));
        let busy = std::sync::Arc::clone(&books);
        task::spawn(async move {
            let _held = busy.lock().await;
            time::sleep(Duration::from_millis(2)).await;
        });
        task::spawn(async move {
            tx.send(1).await.unwrap();
            drop(books.lock().await);
            let _ = ack_tx.send(());
        });
        let received = select! {
            n = async {
                let n = rx.recv().await;
                let _ = ack_rx.await; // not cancel-safe: `n` is held across this await
                n
            } => n,
            _ = time::sleep(Duration::from_millis(1)) => None,
        };
        let mut done: Vec<u32> = received.into_iter().collect();
        while let Some(n) = rx.recv().await {
            done.push(n);
        }
        assert_eq!(done, [1], "lost a message: received {done:?} of [1]");
    })
}

/// A select on two channels whose senders the selecting task keeps: a deadlock whose report
/// names both (`awaits to recv on Channel "a" or to recv on Channel "b"`).
pub fn a_select_on_two_silent_channels() {
    block_on(async {
        let (_tx_a, mut a) = mpsc::named_channel::<u32>("a", 1);
        let (_tx_b, mut b) = mpsc::named_unbounded_channel::<u32>("b");
        select! {
            biased;
            _ = a.recv() => {}
            _ = b.recv() => {}
        }
    })
}

/// A select whose first branch waits on channel "a" while its second is ready at once, then
/// a wait on channel "c" nobody sends on: the deadlock report names only "c", since the
/// losing `recv` on "a" was dropped in the poll that registered it.
pub fn a_select_lost_branch_then_a_silent_channel() {
    block_on(async {
        let (_tx_a, mut a) = mpsc::named_channel::<u32>("a", 1);
        let (_tx_c, mut c) = mpsc::named_channel::<u32>("c", 1);
        select! {
            biased;
            _ = a.recv() => {}
            _ = std::future::ready(()) => {}
        }
        c.recv().await;
    })
}
