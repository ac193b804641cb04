//! Notifying tasks, like `tokio::sync::Notify`: `notify_one` wakes one waiter or stores one
//! permit; `notify_waiters` wakes every `Notified` future made before it and stores nothing.

use crate::backend::{self, unpoison};
use crate::ghost;
use crate::sync::holds;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// Wakes tasks that await [`notified`](Notify::notified), like `tokio::sync::Notify`.
///
/// ```
/// use lockstep::tokio::{block_on, sync::Notify, task};
/// use std::sync::Arc;
///
/// block_on(async {
///     let ready = Arc::new(Notify::named("ready"));
///     let r = Arc::clone(&ready);
///     let waiter = task::spawn(async move { r.notified().await });
///     ready.notify_one(); // a permit if the waiter is not waiting yet
///     waiter.await.unwrap();
/// });
/// ```
pub struct Notify {
    info: Arc<ObjectInfo>,
    state: backend::Mutex<State>,
}

#[derive(Default)]
struct State {
    /// A `notify_one` that found no waiter, kept for the next `notified`.
    permit: bool,
    /// How many `notify_waiters` calls there were: a `Notified` made before one is ready.
    generation: u64,
    /// The polled, pending `Notified` futures, first come first.
    waiters: VecDeque<(u64, Waker)>,
    /// Waiters notified but not yet polled since, with whether it was by `notify_one` (whose
    /// notification a dropped waiter passes on).
    notified: BTreeMap<u64, bool>,
    next_id: u64,
}

impl State {
    /// `notify_one`: the first waiter is notified, or a permit is stored.
    fn notify_one(&mut self) {
        match self.waiters.pop_front() {
            Some((id, waker)) => {
                self.notified.insert(id, true);
                waker.wake();
            }
            None => self.permit = true,
        }
    }
}

impl Notify {
    /// A new notifier, named `Notify#N` by creation order.
    ///
    /// ```
    /// let notify = lockstep::tokio::sync::Notify::new();
    /// notify.notify_one();
    /// ```
    pub fn new() -> Self {
        Self::with_info(holds::object(Kind::Notify, None))
    }

    /// A new notifier with a name for reports and traces.
    ///
    /// ```
    /// let notify = lockstep::tokio::sync::Notify::named("config changed");
    /// notify.notify_waiters();
    /// ```
    pub fn named(name: &str) -> Self {
        Self::with_info(holds::object(Kind::Notify, Some(name)))
    }

    fn with_info(info: Arc<ObjectInfo>) -> Self {
        Notify {
            info,
            state: backend::Mutex::new(State::default()),
        }
    }

    fn state(&self) -> backend::MutexGuard<'_, State> {
        unpoison(self.state.lock())
    }

    /// A future ready once notified: by a `notify_one` (or a permit stored before its first
    /// poll), or by a `notify_waiters` made after this call.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::Notify};
    ///
    /// let notify = Notify::new();
    /// let notified = notify.notified();
    /// notify.notify_waiters();
    /// block_on(notified);
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        let generation = self.state().generation;
        Notified {
            notify: self,
            generation,
            queued: None,
        }
    }

    /// Wakes the first waiting `Notified`, or, with none waiting, stores a permit (at most
    /// one) for the next.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::Notify};
    ///
    /// let notify = Notify::new();
    /// notify.notify_one();
    /// block_on(notify.notified()); // takes the permit
    /// ```
    pub fn notify_one(&self) {
        self.state().notify_one();
    }

    /// Wakes every `Notified` made before this call; stores no permit, so a task that makes
    /// its `Notified` afterwards waits for the next notification.
    ///
    /// ```
    /// let notify = lockstep::tokio::sync::Notify::new();
    /// notify.notify_waiters(); // nobody waits: nothing is kept
    /// ```
    pub fn notify_waiters(&self) {
        let mut state = self.state();
        state.generation += 1;
        let waiters = std::mem::take(&mut state.waiters);
        for (id, waker) in waiters {
            state.notified.insert(id, false);
            waker.wake();
        }
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

/// The future of [`Notify::notified`].
#[must_use = "a notified future does nothing unless awaited"]
pub struct Notified<'a> {
    notify: &'a Notify,
    /// The `notify_waiters` count when it was made.
    generation: u64,
    /// Its place among the waiters, once it waits.
    queued: Option<u64>,
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let notify = self.notify;
        let mut state = notify.state();
        if let Some(id) = self.queued {
            if state.notified.remove(&id).is_some() {
                drop(state);
                self.queued = None;
                return Poll::Ready(());
            }
            if let Some(waiter) = state.waiters.iter_mut().find(|(w, _)| *w == id) {
                waiter.1 = cx.waker().clone();
            }
        } else if state.generation != self.generation {
            return Poll::Ready(());
        } else if state.permit {
            state.permit = false;
            return Poll::Ready(());
        } else {
            let id = state.next_id;
            state.next_id += 1;
            state.waiters.push_back((id, cx.waker().clone()));
            self.queued = Some(id);
        }
        drop(state);
        ghost::awaits(&notify.info, Mode::Notify);
        Poll::Pending
    }
}

impl Drop for Notified<'_> {
    /// A dropped waiter leaves the queue; a `notify_one` it had received and not consumed goes
    /// to the next waiter (or back to the permit).
    fn drop(&mut self) {
        let Some(id) = self.queued else {
            return;
        };
        holds::release_bookkeeping(|| {
            let mut state = self.notify.state();
            state.waiters.retain(|(w, _)| *w != id);
            if state.notified.remove(&id) == Some(true) {
                state.notify_one();
            }
        });
    }
}

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.info)
    }
}
