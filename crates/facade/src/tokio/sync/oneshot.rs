//! A one-value channel, like `tokio::sync::oneshot`: [`channel`] gives a [`Sender`] that sends
//! once and a [`Receiver`] that is a future of the value.

use crate::backend::{self, unpoison};
use crate::ghost;
use crate::sync::holds;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// The sender was dropped without sending.
///
/// ```
/// use lockstep::tokio::{block_on, sync::oneshot};
///
/// let (tx, rx) = oneshot::channel::<u8>();
/// drop(tx);
/// assert!(block_on(rx).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sender of {channel} was dropped without sending")]
pub struct RecvError {
    channel: String,
}

/// Why [`Receiver::try_recv`] gave no value.
///
/// ```
/// use lockstep::tokio::sync::oneshot::{self, TryRecvError};
///
/// let (_tx, mut rx) = oneshot::channel::<u8>();
/// assert!(matches!(rx.try_recv(), Err(TryRecvError::Empty)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TryRecvError {
    /// Nothing was sent yet.
    #[error("nothing was sent yet")]
    Empty,
    /// The sender was dropped without sending (or the value was taken already).
    #[error("the sender was dropped without sending")]
    Closed,
}

struct State<T> {
    value: Option<T>,
    /// Whether the sender sent or was dropped: nothing more will come.
    sender_done: bool,
    receiver_gone: bool,
    receiver: Option<Waker>,
}

struct Shared<T> {
    info: Arc<ObjectInfo>,
    state: backend::Mutex<State<T>>,
}

impl<T> Shared<T> {
    fn state(&self) -> backend::MutexGuard<'_, State<T>> {
        unpoison(self.state.lock())
    }

    /// The sender is done (sent or dropped): the receiver is woken.
    fn sender_done(&self, value: Option<T>) {
        let mut state = self.state();
        debug_assert!(
            !state.sender_done,
            "lockstep: a oneshot sender finished twice"
        );
        state.sender_done = true;
        state.value = value;
        if let Some(receiver) = state.receiver.take() {
            receiver.wake();
        }
    }
}

/// A new channel, named `Channel#N` by creation order.
///
/// ```
/// use lockstep::tokio::{block_on, sync::oneshot, task};
///
/// let value = block_on(async {
///     let (tx, rx) = oneshot::channel();
///     task::spawn(async move { tx.send(7).unwrap() });
///     rx.await.unwrap()
/// });
/// assert_eq!(value, 7);
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        info: holds::object(Kind::Channel, None),
        state: backend::Mutex::new(State {
            value: None,
            sender_done: false,
            receiver_gone: false,
            receiver: None,
        }),
    });
    (
        Sender {
            shared: Some(Arc::clone(&shared)),
        },
        Receiver { shared },
    )
}

/// Sends the channel's one value.
pub struct Sender<T> {
    /// `None` once it sent.
    shared: Option<Arc<Shared<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`; gives it back if the receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = lockstep::tokio::sync::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let shared = self.shared.take().expect("a sender sends once");
        if shared.state().receiver_gone {
            shared.sender_done(None);
            return Err(value);
        }
        shared.sender_done(Some(value));
        Ok(())
    }

    /// Whether the receiver is gone (a send would fail).
    ///
    /// ```
    /// let (tx, rx) = lockstep::tokio::sync::oneshot::channel::<()>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared
            .as_ref()
            .is_none_or(|shared| shared.state().receiver_gone)
    }
}

impl<T> Drop for Sender<T> {
    /// A sender dropped without sending closes the channel (the receiver gets [`RecvError`]).
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            holds::release_bookkeeping(|| shared.sender_done(None));
        }
    }
}

/// Receives the channel's one value: `.await` it.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Receiver<T> {
    /// The value, if it was sent, without waiting.
    ///
    /// ```
    /// let (tx, mut rx) = lockstep::tokio::sync::oneshot::channel();
    /// tx.send("hi").unwrap();
    /// assert_eq!(rx.try_recv(), Ok("hi"));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.state();
        match state.value.take() {
            Some(value) => Ok(value),
            None if state.sender_done => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let shared = &self.shared;
        let mut state = shared.state();
        if let Some(value) = state.value.take() {
            return Poll::Ready(Ok(value));
        }
        if state.sender_done {
            return Poll::Ready(Err(RecvError {
                channel: shared.info.to_string(),
            }));
        }
        state.receiver = Some(cx.waker().clone());
        drop(state);
        ghost::awaits(&shared.info, Mode::Recv);
        Poll::Pending
    }
}

impl<T> Unpin for Receiver<T> {}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        holds::release_bookkeeping(|| self.shared.state().receiver_gone = true);
    }
}
