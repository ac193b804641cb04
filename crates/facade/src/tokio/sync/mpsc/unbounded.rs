//! The unbounded channel: sending never waits.

use super::chan::Chan;
use super::error::{SendError, TryRecvError};
use super::receiver::{Recv, Rx};
use std::sync::Arc;

/// An unbounded channel, named `Channel#N` by creation order, like
/// `tokio::sync::mpsc::unbounded_channel`.
///
/// ```
/// use lockstep::tokio::{block_on, sync::mpsc};
///
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// for n in 0..3 {
///     tx.send(n).unwrap();
/// }
/// drop(tx);
/// let mut got = Vec::new();
/// block_on(async {
///     while let Some(n) = rx.recv().await {
///         got.push(n);
///     }
/// });
/// assert_eq!(got, [0, 1, 2]);
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    halves(Chan::new(None, None))
}

/// An unbounded channel with a name for reports and traces.
///
/// ```
/// let (tx, _rx) = lockstep::tokio::sync::mpsc::named_unbounded_channel("events");
/// tx.send(1).unwrap();
/// ```
pub fn named_unbounded_channel<T>(name: &str) -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    halves(Chan::new(Some(name), None))
}

fn halves<T>(chan: Arc<Chan<T>>) -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let rx = Rx {
        chan: Arc::clone(&chan),
    };
    (UnboundedSender { chan }, UnboundedReceiver(rx))
}

/// Sends on an unbounded channel; clone it for more senders.
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends without waiting; gives the message back if the receiver is gone.
    ///
    /// ```
    /// let (tx, mut rx) = lockstep::tokio::sync::mpsc::unbounded_channel();
    /// tx.send("hi").unwrap();
    /// assert_eq!(rx.try_recv(), Ok("hi"));
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan
            .push(value, false)
            .map_err(|value| SendError::new(self.chan.info.to_string(), value))
    }

    /// Whether the receiver is gone (sends fail).
    ///
    /// ```
    /// let (tx, rx) = lockstep::tokio::sync::mpsc::unbounded_channel::<()>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.sender_cloned();
        UnboundedSender {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    /// The last sender's end lets the receiver see the end (`recv` gives `None`).
    fn drop(&mut self) {
        self.chan.sender_dropped();
    }
}

/// Receives from an unbounded channel.
pub struct UnboundedReceiver<T>(Rx<T>);

impl<T> UnboundedReceiver<T> {
    /// The next message, waiting for one; `None` once every sender is gone (or the channel
    /// was closed) and nothing is buffered.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::mpsc};
    ///
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(block_on(async { (rx.recv().await, rx.recv().await) }), (Some(1), None));
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        self.0.recv()
    }

    /// The next message if one is buffered, without waiting.
    ///
    /// ```
    /// use lockstep::tokio::sync::mpsc::{self, TryRecvError};
    ///
    /// let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.0.try_recv()
    }

    /// Closes the channel: sends fail from now on; what is buffered can still be received.
    ///
    /// ```
    /// let (tx, mut rx) = lockstep::tokio::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        self.0.close();
    }
}

impl<T> std::fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnboundedSender of {}", self.chan.info)
    }
}

impl<T> std::fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnboundedReceiver of {}", self.0.chan.info)
    }
}
