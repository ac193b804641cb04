//! The std twin of [`super`]: std's own types; a name given for reports is not kept (std has
//! no reports to put it in).

use std::time::Duration;

pub(crate) use std::sync::mpsc::{Receiver, Sender, SyncSender};
pub(crate) use std::sync::{LazyLock, OnceLock};

/// An unbounded channel (`name` is for simulated reports only).
pub(crate) fn channel<T>(_name: Option<&str>) -> (Sender<T>, Receiver<T>) {
    std::sync::mpsc::channel()
}

/// A channel of `bound` messages (0: a rendezvous).
pub(crate) fn sync_channel<T>(_name: Option<&str>, bound: usize) -> (SyncSender<T>, Receiver<T>) {
    std::sync::mpsc::sync_channel(bound)
}

/// Receives with a timeout, as std does.
#[inline]
pub(crate) fn recv_timeout<T>(
    receiver: &Receiver<T>,
    timeout: Duration,
) -> Result<T, std::sync::mpsc::RecvTimeoutError> {
    receiver.recv_timeout(timeout)
}

/// std's barrier.
#[derive(Debug)]
pub(crate) struct Barrier(std::sync::Barrier);

impl Barrier {
    pub(crate) fn new(_name: Option<&str>, parties: usize) -> Self {
        Barrier(std::sync::Barrier::new(parties))
    }

    /// Waits for the barrier's parties; `true` for the one leader of each generation.
    #[inline]
    pub(crate) fn wait(&self) -> bool {
        self.0.wait().is_leader()
    }
}

/// std's `Once`.
#[derive(Debug)]
pub(crate) struct Once(std::sync::Once);

impl Once {
    pub(crate) fn new(_name: Option<&str>) -> Self {
        Once(std::sync::Once::new())
    }

    #[inline]
    pub(crate) fn call_once(&self, f: impl FnOnce()) {
        self.0.call_once(f)
    }

    /// Runs `f` as `call_once` does, also on a poisoned `Once` (`f` is told whether it was).
    #[inline]
    pub(crate) fn call_once_force(&self, f: impl FnOnce(bool)) {
        self.0.call_once_force(|state| f(state.is_poisoned()))
    }

    #[inline]
    pub(crate) fn is_completed(&self) -> bool {
        self.0.is_completed()
    }

    #[inline]
    pub(crate) fn wait(&self) {
        self.0.wait()
    }

    #[inline]
    pub(crate) fn wait_force(&self) {
        self.0.wait_force()
    }
}

/// A new empty `OnceLock`.
pub(crate) fn once_lock<T>(_name: Option<&str>) -> OnceLock<T> {
    OnceLock::new()
}

/// A new `LazyLock` that runs `init` on first use.
pub(crate) fn lazy_lock<T, F: FnOnce() -> T>(_name: Option<&str>, init: F) -> LazyLock<T, F> {
    LazyLock::new(init)
}
