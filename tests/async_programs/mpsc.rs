//! Async mpsc programs (`lockstep::tokio::sync::mpsc`), each one execution's body: run by
//! tests/shuttle_async_surface.rs (every outcome over an exploration, planted bugs found) and
//! tests/std_async_surface.rs (on tokio: each outcome is one std allows).
#![allow(dead_code)] // each test file runs the programs its backend can check

use lockstep::time::Duration;
use lockstep::tokio::sync::mpsc::{self, TryRecvError};
use lockstep::tokio::{block_on, task, time};

/// Two tasks send one message each on a channel of one slot; the receiver takes all until
/// `None`. Either order (`[1, 2]` or `[2, 1]`).
pub fn two_senders() -> Vec<u32> {
    block_on(async {
        let (tx, mut rx) = mpsc::named_channel("jobs", 1);
        for n in [1, 2] {
            let tx = tx.clone();
            task::spawn(async move { tx.send(n).await.unwrap() });
        }
        drop(tx);
        let mut got = Vec::new();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        got
    })
}

/// One task sends 1, 2, 3 in order (waiting for room), another sends 10; the receiver's
/// sequence keeps 1, 2, 3 in order (FIFO per sender) with 10 anywhere.
pub fn fifo_per_sender() -> Vec<u32> {
    block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        let other = tx.clone();
        task::spawn(async move {
            for n in [1, 2, 3] {
                tx.send(n).await.unwrap();
            }
        });
        task::spawn(async move { other.send(10).await.unwrap() });
        let mut got = Vec::new();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        got
    })
}

/// A task sends on an unbounded channel while the receiver is dropped: the send succeeds
/// (`Ok`) or gives its message back (`Err(7)`).
pub fn send_races_the_receivers_drop() -> Result<(), u32> {
    block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        let sender = task::spawn(async move { tx.send(7).map_err(|e| e.into_inner()) });
        task::yield_now().await;
        drop(rx);
        sender.await.unwrap()
    })
}

/// A sender waiting for room on a full channel fails once the receiver is dropped (never
/// hangs), and gives its message back.
pub fn a_waiting_sender_fails_when_the_receiver_goes() -> Result<(), u32> {
    block_on(async {
        let (tx, rx) = mpsc::channel(1);
        tx.try_send(1).unwrap();
        let sender = task::spawn(async move { tx.send(2).await.map_err(|e| e.into_inner()) });
        task::yield_now().await;
        drop(rx);
        sender.await.unwrap()
    })
}

/// The receiver sees the end only after every message: the last sender drops while the
/// receiver may be waiting or not. Returns what `recv` gave, then what `try_recv` gives.
pub fn the_end_comes_after_every_message() -> (Vec<u32>, Result<u32, TryRecvError>) {
    block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        task::spawn(async move {
            tx.send(1).unwrap();
            task::yield_now().await;
            tx.send(2).unwrap();
        });
        let mut got = Vec::new();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        (got, rx.try_recv())
    })
}

/// `close` stops new sends, but a slot reserved before it is still sent and received.
pub fn close_keeps_reserved_slots() -> (Vec<u32>, bool) {
    block_on(async {
        let (tx, mut rx) = mpsc::channel(2);
        let permit = tx.reserve().await.unwrap();
        rx.close();
        let refused = tx.try_send(9).is_err();
        permit.send(1);
        let mut got = Vec::new();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        (got, refused)
    })
}

/// The channel is full (0 buffered); `first` and then `second` queue to send. The receiver
/// takes 0, which sets the slot aside for `first`, and aborts `first` at once (before or after
/// it sent). A dropped send must pass its slot on: else `second` waits forever and so does
/// the receiver (a deadlock). Returns what the receiver got.
pub fn a_cancelled_send_passes_its_slot_on() -> Vec<u32> {
    block_on(async {
        let (tx, mut rx) = mpsc::named_channel("jobs", 1);
        tx.try_send(0).unwrap();
        let send = |n: u32| {
            let tx = tx.clone();
            task::spawn(async move { tx.send(n).await.unwrap() })
        };
        let first = send(1);
        time::sleep(Duration::from_secs(1)).await; // `first` waits for room
        let second = send(2);
        time::sleep(Duration::from_secs(1)).await; // `second` waits behind it
        drop(tx);
        let mut got = vec![rx.recv().await.unwrap()];
        first.abort();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        let _ = first.await;
        second.await.unwrap();
        got
    })
}

/// The receiver waits on a channel whose sender it keeps itself: a deadlock the report names.
pub fn a_receiver_nobody_sends_to() {
    block_on(async {
        let (_tx, mut rx) = mpsc::named_channel::<u32>("jobs", 1);
        rx.recv().await;
    })
}

/// A task sends two messages on a channel of one slot that nobody receives from while the
/// main task awaits it: the second send waits for room forever.
pub fn a_sender_nobody_receives_from() {
    block_on(async {
        let (tx, _rx) = mpsc::named_channel::<u32>("jobs", 1);
        task::spawn(async move {
            tx.send(1).await.unwrap();
            tx.send(2).await.unwrap();
        })
        .await
        .unwrap();
    })
}

/// Planted bug: a worker drains with `try_recv` and takes `Empty` for the end, so a job sent
/// after it looked is lost. Panics `lost a job: ...` when the schedule shows it.
pub fn a_worker_that_takes_empty_for_the_end() {
    block_on(async {
        let (tx, mut rx) = mpsc::named_unbounded_channel("jobs");
        let worker = task::spawn(async move {
            let mut done = Vec::new();
            while let Ok(job) = rx.try_recv() {
                done.push(job);
                task::yield_now().await;
            }
            done
        });
        for job in [1, 2] {
            let _ = tx.send(job); // the worker may be gone already: the job is lost
            task::yield_now().await;
        }
        let done = worker.await.unwrap();
        assert_eq!(
            done,
            [1, 2],
            "lost a job: the worker did {done:?} of [1, 2]"
        );
    })
}

/// Polls `future` once, in the calling task: whether it completed.
async fn poll_once<F: std::future::Future + Unpin>(future: &mut F) -> bool {
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(std::pin::Pin::new(&mut *future).poll(cx).is_ready())
    })
    .await
}

/// The same hand-over in one task, with no timing (so std runs it too): two send futures
/// queue on a full channel, a `recv` sets the freed slot aside for the first, which is then
/// dropped; the second must get the slot. Returns what the receiver got.
pub fn a_dropped_send_future_passes_its_slot_on() -> Vec<u32> {
    block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let mut first = Box::pin(tx.send(1));
        let mut second = Box::pin(tx.send(2));
        assert!(!poll_once(&mut first).await && !poll_once(&mut second).await);
        let mut got = vec![rx.recv().await.unwrap()]; // the slot goes to `first`
        drop(first);
        second.await.unwrap();
        drop(tx);
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        got
    })
}
