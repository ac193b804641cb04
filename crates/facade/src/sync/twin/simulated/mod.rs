//! The simulation twin of [`super`]: each primitive's state behind one state lock, and its
//! waits parked on the engine's wait queues.
//!
//! Every operation takes the state's lock (`backend::StateLock`) once (one scheduling point, as
//! the atomic or lock of std's own type would be), records its pending operation first (for
//! the POS scheduler), and blocks only through [`park_on`]: a ticket registered while the
//! state is locked, then a ghost park, so a wakeup sent after the unlock is never lost and the
//! kernel knows what the thread waits for (deadlock reports, virtual time for timeouts).

mod barrier;
mod channel;
mod once;

pub(crate) use barrier::Barrier;
pub(crate) use channel::{channel, recv_timeout, sync_channel, Receiver, Sender, SyncSender};
pub(crate) use once::{lazy_lock, once_lock, LazyLock, Once, OnceLock};

use crate::backend::{StateGuard, StateLock};
use crate::ghost::{self, Holder, Moment};
use lockstep_engine::object::{Mode, ObjectInfo};
use lockstep_engine::op::OpKind;
use lockstep_engine::wait::{WaitQueue, Woke};
use std::sync::Arc;

/// A primitive's state behind its state lock, with the object reports name it by.
pub(super) struct Guarded<S> {
    pub(super) info: Arc<ObjectInfo>,
    state: StateLock<S>,
}

impl<S> Guarded<S> {
    pub(super) fn new(info: Arc<ObjectInfo>, state: S) -> Self {
        Guarded {
            info,
            state: StateLock::new(state),
        }
    }

    /// Locks the state for an operation of `kind` by `holder` (its one scheduling point).
    pub(super) fn lock(&self, holder: &Holder, kind: OpKind) -> StateGuard<'_, S> {
        holder.set_pending_on(kind, &self.info);
        self.state.lock()
    }

    /// Locks the state for another look after a wait in one of its queues ended with `woke`
    /// (`None`: no wait yet). A waiter a wake-up resumed looks at once: its resumption was the
    /// scheduling point (under shuttle this lock adds none). A timeout can end a wait with no
    /// switch at all (the clock jumps inside the waiter's own park), so then, as before any
    /// wait, the lock is a scheduling point.
    pub(super) fn lock_after(
        &self,
        holder: &Holder,
        kind: OpKind,
        woke: Option<Woke>,
    ) -> StateGuard<'_, S> {
        if woke == Some(Woke::Notified) {
            holder.set_pending_on(kind, &self.info);
            self.state.lock_resumed()
        } else {
            self.lock(holder, kind)
        }
    }

    /// The state, through an exclusive borrow: no other thread can reach it, so no scheduling
    /// point (and no pending operation).
    pub(super) fn get_mut(&mut self) -> &mut S {
        self.state.get_mut()
    }

    /// Locks the state for a drop's bookkeeping, which may run during a thread's teardown
    /// (then nobody records a pending operation).
    pub(super) fn lock_for_drop(&self) -> StateGuard<'_, S> {
        if let Some(holder) = Holder::try_current() {
            holder.set_pending_on(OpKind::Write, &self.info);
        }
        self.state.lock()
    }
}

/// Parks in `queue` of `info` for `mode` until woken or `deadline` passes: the ticket is
/// registered while `state` (the primitive's locked state) is held, then the state is
/// unlocked, so a waker that changes the state after the unlock always finds the ticket.
pub(super) fn park_on<G>(
    queue: &WaitQueue,
    state: G,
    info: &Arc<ObjectInfo>,
    mode: Mode,
    deadline: Option<Moment>,
) -> Woke {
    let ticket = queue.register();
    drop(state);
    let woke = ghost::park(&ticket, info, mode, deadline);
    queue.cancel(&ticket);
    woke
}
