//! The receiving half both channel kinds share, and its [`Recv`] future.

use super::chan::{Chan, Received};
use super::error::TryRecvError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The receiving end of a channel, bounded or not.
pub(super) struct Rx<T> {
    pub(super) chan: Arc<Chan<T>>,
}

impl<T> Rx<T> {
    pub(super) fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            chan: &self.chan,
            waiting: false,
        }
    }

    pub(super) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        match self.chan.try_take() {
            Received::Message(message) => Ok(message),
            Received::Empty => Err(TryRecvError::Empty),
            Received::Disconnected => Err(TryRecvError::Disconnected),
        }
    }

    pub(super) fn close(&mut self) {
        self.chan.close();
    }
}

impl<T> Drop for Rx<T> {
    /// The receiver's end closes the channel: senders fail from now on.
    fn drop(&mut self) {
        self.chan.close();
    }
}

/// The future of `recv`: the next message, or `None` once every sender is gone (or the
/// channel was closed) and nothing is buffered. Dropping it loses nothing: a message stays
/// buffered until a `recv` takes it.
#[must_use = "a recv future does nothing unless awaited"]
pub struct Recv<'a, T> {
    chan: &'a Chan<T>,
    /// Whether it registered as the waiting receiver.
    waiting: bool,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let poll = self.chan.poll_recv(cx);
        self.waiting = poll.is_pending();
        poll
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if self.waiting {
            self.chan.cancel_recv();
        }
    }
}
