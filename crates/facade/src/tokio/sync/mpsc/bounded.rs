//! The bounded channel: [`Sender::send`] waits for room, senders queue for it in arrival
//! order (FIFO, like tokio's), and a slot can be reserved before the message exists.

use super::chan::{Chan, Full, Reserved};
use super::error::{SendError, TryRecvError, TrySendError};
use super::receiver::{Recv, Rx};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A bounded channel of `buffer` slots, named `Channel#N` by creation order, like
/// `tokio::sync::mpsc::channel`. Panics if `buffer` is 0.
///
/// ```
/// use lockstep::tokio::{block_on, sync::mpsc, task};
///
/// let got = block_on(async {
///     let (tx, mut rx) = mpsc::channel(1);
///     task::spawn(async move {
///         tx.send(1).await.unwrap();
///         tx.send(2).await.unwrap(); // waits for the receiver to take 1
///     });
///     (rx.recv().await, rx.recv().await, rx.recv().await)
/// });
/// assert_eq!(got, (Some(1), Some(2), None));
/// ```
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    halves(Chan::new(None, Some(buffer)))
}

/// A bounded channel with a name for reports and traces (`awaits to recv on Channel "jobs"`).
///
/// ```
/// let (tx, _rx) = lockstep::tokio::sync::mpsc::named_channel::<u8>("jobs", 4);
/// assert_eq!(tx.max_capacity(), 4);
/// ```
pub fn named_channel<T>(name: &str, buffer: usize) -> (Sender<T>, Receiver<T>) {
    halves(Chan::new(Some(name), Some(buffer)))
}

fn halves<T>(chan: Arc<Chan<T>>) -> (Sender<T>, Receiver<T>) {
    let rx = Rx {
        chan: Arc::clone(&chan),
    };
    (Sender { chan }, Receiver(rx))
}

/// Sends on a bounded channel; clone it for more senders.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Waits for room (in arrival order among senders), then sends; gives the message back if
    /// the receiver is gone. Dropping the pending future leaves the queue: a slot just set
    /// aside for it goes to the next sender.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::mpsc};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// block_on(async {
    ///     tx.send("job").await.unwrap();
    ///     assert_eq!(rx.recv().await, Some("job"));
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.reserve().await {
            Ok(permit) => {
                permit.send(value);
                Ok(())
            }
            Err(_closed) => Err(SendError::new(self.chan.info.to_string(), value)),
        }
    }

    /// Sends if a slot is free now (and no sender is queued for one first).
    ///
    /// ```
    /// let (tx, _rx) = lockstep::tokio::sync::mpsc::channel(1);
    /// assert!(tx.try_send(1).is_ok());
    /// assert!(tx.try_send(2).is_err()); // full
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.chan.try_reserve() {
            Ok(()) => {
                Permit { sender: self }.send(value);
                Ok(())
            }
            Err(Full::Closed) => Err(TrySendError::Closed {
                channel: self.chan.info.to_string(),
                value,
            }),
            Err(Full::NoRoom) => Err(TrySendError::Full {
                channel: self.chan.info.to_string(),
                capacity: self.max_capacity(),
                value,
            }),
        }
    }

    /// Waits for a slot and sets it aside: the [`Permit`] sends into it without waiting.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::mpsc};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// block_on(async {
    ///     let permit = tx.reserve().await.unwrap();
    ///     assert_eq!(tx.capacity(), 0);
    ///     permit.send(5);
    ///     assert_eq!(rx.recv().await, Some(5));
    /// });
    /// ```
    pub fn reserve(&self) -> Reserve<'_, T> {
        Reserve {
            sender: self,
            queued: None,
        }
    }

    /// Whether the receiver is gone (sends fail).
    ///
    /// ```
    /// let (tx, rx) = lockstep::tokio::sync::mpsc::channel::<()>(1);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Free slots now (neither buffered nor reserved).
    ///
    /// ```
    /// let (tx, _rx) = lockstep::tokio::sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.room()
    }

    /// The channel's number of slots.
    ///
    /// ```
    /// let (tx, _rx) = lockstep::tokio::sync::mpsc::channel::<()>(3);
    /// assert_eq!(tx.max_capacity(), 3);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.capacity().expect("a bounded channel")
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.sender_cloned();
        Sender {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Drop for Sender<T> {
    /// The last sender's end lets the receiver see the end (`recv` gives `None`).
    fn drop(&mut self) {
        self.chan.sender_dropped();
    }
}

/// The future of [`Sender::reserve`].
#[must_use = "a reserve future does nothing unless awaited"]
pub struct Reserve<'a, T> {
    sender: &'a Sender<T>,
    /// Its place in the queue of senders, once it waits.
    queued: Option<u64>,
}

impl<'a, T> Future for Reserve<'a, T> {
    type Output = Result<Permit<'a, T>, SendError<()>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let sender = self.sender;
        sender
            .chan
            .poll_reserve(&mut self.queued, cx)
            .map(|reserved| match reserved {
                Reserved::Slot => Ok(Permit { sender }),
                Reserved::Closed => Err(SendError::new(sender.chan.info.to_string(), ())),
            })
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        self.sender.chan.cancel_reserve(&mut self.queued);
    }
}

/// A slot set aside in a bounded channel: [`send`](Permit::send) fills it without waiting;
/// dropped unused, the slot goes back (to the next queued sender).
pub struct Permit<'a, T> {
    sender: &'a Sender<T>,
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot (even if the receiver closed the channel since:
    /// it is then dropped with the channel).
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::mpsc};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let permit = block_on(tx.reserve()).unwrap();
    /// permit.send('x');
    /// assert_eq!(rx.try_recv(), Ok('x'));
    /// ```
    pub fn send(self, value: T) {
        let sent = self.sender.chan.push(value, true);
        debug_assert!(
            sent.is_ok(),
            "lockstep: a reserved slot refused its message"
        );
        std::mem::forget(self);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.sender.chan.unreserve();
    }
}

/// Receives from a bounded channel.
pub struct Receiver<T>(Rx<T>);

impl<T> Receiver<T> {
    /// The next message, waiting for one; `None` once every sender is gone (or the channel
    /// was closed) and nothing is buffered. Taking a message frees its slot for the first
    /// queued sender.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::mpsc};
    ///
    /// let (tx, mut rx) = mpsc::channel(2);
    /// tx.try_send(1).unwrap();
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
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(9).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(9));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.0.try_recv()
    }

    /// Closes the channel: sends fail from now on; what is buffered (and what reserved
    /// permits still send) can still be received.
    ///
    /// ```
    /// use lockstep::tokio::sync::mpsc::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// rx.close();
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn close(&mut self) {
        self.0.close();
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sender of {}", self.chan.info)
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Receiver of {}", self.0.chan.info)
    }
}
