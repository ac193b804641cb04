//! The errors of the mpsc channels: each names the channel, and gives back the message that
//! could not be sent.

/// The receiver is gone (dropped, or it closed the channel): the message comes back.
///
/// ```
/// use lockstep::tokio::sync::mpsc;
///
/// let (tx, rx) = mpsc::named_unbounded_channel("jobs");
/// drop(rx);
/// let error = tx.send(7).unwrap_err();
/// assert_eq!(error.to_string(), r#"Channel "jobs" is closed: the receiver is gone"#);
/// assert_eq!(error.into_inner(), 7);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{channel} is closed: the receiver is gone")]
pub struct SendError<T> {
    channel: String,
    value: T,
}

impl<T> SendError<T> {
    pub(super) fn new(channel: String, value: T) -> Self {
        SendError { channel, value }
    }

    /// The message that was not sent.
    ///
    /// ```
    /// use lockstep::tokio::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// drop(rx);
    /// assert_eq!(tx.send("hi").unwrap_err().into_inner(), "hi");
    /// ```
    pub fn into_inner(self) -> T {
        self.value
    }
}

/// Why [`Sender::try_send`](super::Sender::try_send) did not send: the message comes back.
///
/// ```
/// use lockstep::tokio::sync::mpsc::{self, TrySendError};
///
/// let (tx, _rx) = mpsc::named_channel("jobs", 1);
/// tx.try_send(1).unwrap();
/// let full = tx.try_send(2).unwrap_err();
/// assert_eq!(full.to_string(), r#"Channel "jobs" is full: 1 of 1 slots taken"#);
/// assert!(matches!(full, TrySendError::Full { value: 2, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrySendError<T> {
    /// No slot is free (or senders are queued for one first).
    #[error("{channel} is full: {capacity} of {capacity} slots taken")]
    Full {
        /// The channel.
        channel: String,
        /// Its capacity.
        capacity: usize,
        /// The message.
        value: T,
    },
    /// The receiver is gone.
    #[error("{channel} is closed: the receiver is gone")]
    Closed {
        /// The channel.
        channel: String,
        /// The message.
        value: T,
    },
}

impl<T> TrySendError<T> {
    /// The message that was not sent.
    ///
    /// ```
    /// use lockstep::tokio::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::channel(1);
    /// drop(rx);
    /// assert_eq!(tx.try_send(3).unwrap_err().into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full { value, .. } | TrySendError::Closed { value, .. } => value,
        }
    }
}

/// Why a `try_recv` gave no message.
///
/// ```
/// use lockstep::tokio::sync::mpsc::{self, TryRecvError};
///
/// let (tx, mut rx) = mpsc::channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, thiserror::Error)]
pub enum TryRecvError {
    /// Nothing is buffered, and a sender may still send.
    #[error("nothing is buffered yet")]
    Empty,
    /// Nothing is buffered, and nothing more can come (every sender is gone, or the channel
    /// was closed).
    #[error("every sender is gone and nothing is buffered")]
    Disconnected,
}
