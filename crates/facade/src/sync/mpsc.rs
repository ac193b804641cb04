//! Multi-producer, single-consumer channels, std-shaped: [`channel`] (unbounded) and
//! [`sync_channel`] (bounded; bound 0 is a rendezvous), with std's own error types and
//! disconnection rules.
//!
//! Under std these are `std::sync::mpsc` itself. Under shuttle and loom every send, receive
//! and disconnection is explored like the locks are: traced (`send`, `recv`, `wait recv`,
//! `disconnect`), a receiver waiting on a live sender that never sends is a deadlock report
//! (`main  waits to recv on Channel "jobs"`), and [`Receiver::recv_timeout`] waits on virtual
//! time. A receive with no sender left is [`RecvError`] (not a hang), as with std.
//!
//! ```
//! use lockstep::sync::mpsc;
//! use lockstep::thread;
//!
//! let (tx, rx) = mpsc::named_channel("jobs");
//! let worker = thread::spawn(move || {
//!     for job in 1..=3 {
//!         tx.send(job).unwrap();
//!     }
//! });
//! assert_eq!(rx.iter().sum::<i32>(), 6); // ends when the worker's sender is dropped
//! worker.join().unwrap();
//! ```

use super::twin;
use crate::time::Duration;
use std::fmt;

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

/// A new unbounded channel, named `Channel#N` by creation order.
///
/// ```
/// let (tx, rx) = lockstep::sync::mpsc::channel();
/// tx.send("hello").unwrap();
/// assert_eq!(rx.recv(), Ok("hello"));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let (sender, receiver) = twin::channel(None);
    (Sender(sender), Receiver(receiver))
}

/// A new unbounded channel with a name for reports and traces.
///
/// ```
/// let (tx, rx) = lockstep::sync::mpsc::named_channel::<u32>("jobs");
/// drop(tx);
/// assert!(rx.recv().is_err()); // no sender left: disconnected, not a hang
/// ```
pub fn named_channel<T>(name: &str) -> (Sender<T>, Receiver<T>) {
    let (sender, receiver) = twin::channel(Some(name));
    (Sender(sender), Receiver(receiver))
}

/// A new channel that holds at most `bound` messages (a send waits for room); with bound 0 it
/// is a rendezvous: a send waits until the receiver takes its message.
///
/// ```
/// use lockstep::sync::mpsc::{self, TrySendError};
///
/// let (tx, rx) = mpsc::sync_channel(1);
/// tx.send(1).unwrap();
/// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
/// assert_eq!(rx.recv(), Ok(1));
/// ```
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let (sender, receiver) = twin::sync_channel(None, bound);
    (SyncSender(sender), Receiver(receiver))
}

/// A new bounded channel (see [`sync_channel`]) with a name for reports and traces.
///
/// ```
/// use lockstep::sync::mpsc::{self, TrySendError};
///
/// let (tx, _rx) = mpsc::named_sync_channel("handoff", 0);
/// // Nobody waits in `recv`, so a rendezvous try has nobody to hand the message to.
/// assert_eq!(tx.try_send(7), Err(TrySendError::Full(7)));
/// ```
pub fn named_sync_channel<T>(name: &str, bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let (sender, receiver) = twin::sync_channel(Some(name), bound);
    (SyncSender(sender), Receiver(receiver))
}

/// The sending half of a [`channel`]; clone it for more senders. The channel disconnects when
/// the last sender is dropped.
///
/// ```
/// let (tx, rx) = lockstep::sync::mpsc::channel();
/// let tx2 = tx.clone();
/// tx.send(1).unwrap();
/// tx2.send(2).unwrap();
/// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [1, 2]);
/// ```
pub struct Sender<T>(twin::Sender<T>);

impl<T> Sender<T> {
    /// Queues `message`; never blocks. Fails, giving the message back, if the receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = lockstep::sync::mpsc::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5).unwrap_err().0, 5);
    /// ```
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.0.send(message)
    }
}

/// The sending half of a [`sync_channel`]; clone it for more senders.
///
/// ```
/// let (tx, rx) = lockstep::sync::mpsc::sync_channel(2);
/// tx.clone().send('a').unwrap();
/// assert_eq!(rx.recv(), Ok('a'));
/// ```
pub struct SyncSender<T>(twin::SyncSender<T>);

impl<T> SyncSender<T> {
    /// Queues `message`, waiting while the channel is full (on a rendezvous, until the receiver
    /// takes it). Fails, giving the message back, if the receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = lockstep::sync::mpsc::sync_channel(1);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.recv(), Ok(1));
    /// ```
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.0.send(message)
    }

    /// Queues `message` if there is room right now (on a rendezvous: if the receiver waits in
    /// `recv`); never blocks.
    ///
    /// ```
    /// use lockstep::sync::mpsc::{self, TrySendError};
    ///
    /// let (tx, rx) = mpsc::sync_channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// drop(rx);
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Disconnected(3)));
    /// ```
    pub fn try_send(&self, message: T) -> Result<(), TrySendError<T>> {
        self.0.try_send(message)
    }
}

/// The receiving half of a channel: one per channel; it may move to another thread but not be
/// shared.
///
/// ```
/// let (tx, rx) = lockstep::sync::mpsc::channel();
/// tx.send(3).unwrap();
/// drop(tx);
/// assert_eq!(rx.into_iter().collect::<Vec<_>>(), [3]);
/// ```
pub struct Receiver<T>(twin::Receiver<T>);

impl<T> Receiver<T> {
    /// Waits for a message. Fails once the channel is empty and every sender is gone.
    ///
    /// ```
    /// use lockstep::sync::mpsc::{self, RecvError};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// tx.send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.recv(), Ok(1));
    /// assert_eq!(rx.recv(), Err(RecvError));
    /// ```
    pub fn recv(&self) -> Result<T, RecvError> {
        self.0.recv()
    }

    /// Takes a message if one is queued right now; never blocks.
    ///
    /// ```
    /// use lockstep::sync::mpsc::{self, TryRecvError};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.0.try_recv()
    }

    /// Waits for a message at most `timeout` (virtual time under simulation).
    ///
    /// ```
    /// use lockstep::sync::mpsc::{self, RecvTimeoutError};
    /// use lockstep::time::Duration;
    ///
    /// let (tx, rx) = mpsc::channel::<u8>();
    /// let waited = rx.recv_timeout(Duration::from_millis(1));
    /// assert_eq!(waited, Err(RecvTimeoutError::Timeout));
    /// drop(tx);
    /// assert_eq!(rx.recv_timeout(Duration::from_millis(1)), Err(RecvTimeoutError::Disconnected));
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        twin::recv_timeout(&self.0, timeout)
    }

    /// The messages, waiting for each; ends when every sender is gone.
    ///
    /// ```
    /// let (tx, rx) = lockstep::sync::mpsc::channel();
    /// tx.send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.iter().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { receiver: self }
    }

    /// The messages queued right now; never blocks.
    ///
    /// ```
    /// let (tx, rx) = lockstep::sync::mpsc::channel();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_iter().count(), 2); // `tx` lives: the iterator just ends
    /// ```
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { receiver: self }
    }
}

/// The messages of a [`Receiver`], waiting for each ([`Receiver::iter`]).
///
/// ```
/// let (tx, rx) = lockstep::sync::mpsc::channel::<()>();
/// drop(tx);
/// assert_eq!(rx.iter().next(), None);
/// ```
#[derive(Debug)]
pub struct Iter<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

/// The messages queued in a [`Receiver`] right now ([`Receiver::try_iter`]).
///
/// ```
/// let (_tx, rx) = lockstep::sync::mpsc::channel::<()>();
/// assert_eq!(rx.try_iter().next(), None);
/// ```
#[derive(Debug)]
pub struct TryIter<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.try_recv().ok()
    }
}

/// The messages of a [`Receiver`] it owns, waiting for each.
///
/// ```
/// let (tx, rx) = lockstep::sync::mpsc::channel();
/// tx.send(1).unwrap();
/// drop(tx);
/// let mut messages: lockstep::sync::mpsc::IntoIter<i32> = rx.into_iter();
/// assert_eq!(messages.next(), Some(1));
/// ```
#[derive(Debug)]
pub struct IntoIter<T> {
    receiver: Receiver<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { receiver: self }
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender(self.0.clone())
    }
}

impl<T> Clone for SyncSender<T> {
    fn clone(&self) -> Self {
        SyncSender(self.0.clone())
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<T> fmt::Debug for SyncSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
