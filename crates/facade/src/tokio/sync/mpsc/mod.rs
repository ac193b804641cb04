//! Multi-producer, single-consumer channels, shaped like `tokio::sync::mpsc`: [`channel`]
//! (bounded: senders wait for room, FIFO) and [`unbounded_channel`]. Messages arrive in the
//! order they were sent. The receiver's `recv` gives `None` once every sender is gone and
//! nothing is buffered; sends fail once the receiver is gone or closed the channel.
//!
//! Under simulation a pending `recv` says it awaits to recv on the channel, a pending `send`
//! that it awaits room (both in deadlock reports); a dropped pending `send` leaves the queue
//! of senders, and the slot just set aside for it goes to the next one.
//!
//! ```
//! use lockstep::tokio::{block_on, sync::mpsc, task};
//!
//! let total = block_on(async {
//!     let (tx, mut rx) = mpsc::named_channel("jobs", 2);
//!     for n in 1..=3 {
//!         let tx = tx.clone();
//!         task::spawn(async move { tx.send(n).await.unwrap() });
//!     }
//!     drop(tx);
//!     let mut total = 0;
//!     while let Some(n) = rx.recv().await {
//!         total += n;
//!     }
//!     total
//! });
//! assert_eq!(total, 6);
//! ```

mod bounded;
mod chan;
mod error;
mod receiver;
mod unbounded;

pub use bounded::{channel, named_channel, Permit, Receiver, Reserve, Sender};
pub use error::{SendError, TryRecvError, TrySendError};
pub use receiver::Recv;
pub use unbounded::{
    named_unbounded_channel, unbounded_channel, UnboundedReceiver, UnboundedSender,
};
