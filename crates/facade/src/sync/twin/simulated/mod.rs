//! The simulation twin of [`super`]: each primitive's state behind one backend mutex, and its
//! waits parked on the engine's wait queues.
//!
//! Every operation takes the state's backend mutex once (under loom one scheduling point, as
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

use crate::backend::{self, unpoison};
use crate::ghost::{self, Holder, Moment};
use lockstep_engine::object::{Mode, ObjectInfo};
use lockstep_engine::op::OpKind;
use lockstep_engine::wait::{WaitQueue, Woke};
use std::sync::Arc;

/// A primitive's state behind its backend mutex, with the object reports name it by.
pub(super) struct Guarded<S> {
    pub(super) info: Arc<ObjectInfo>,
    state: backend::Mutex<S>,
}

impl<S> Guarded<S> {
    pub(super) fn new(info: Arc<ObjectInfo>, state: S) -> Self {
        Guarded {
            info,
            state: backend::Mutex::new(state),
        }
    }

    /// Locks the state for an operation of `kind` by `holder` (its one scheduling point).
    pub(super) fn lock(&self, holder: &Holder, kind: OpKind) -> backend::MutexGuard<'_, S> {
        holder.set_pending_on(kind, &self.info);
        unpoison(self.state.lock())
    }

    /// Locks the state for a drop's bookkeeping, which may run during a thread's teardown
    /// (then nobody records a pending operation).
    pub(super) fn lock_for_drop(&self) -> backend::MutexGuard<'_, S> {
        if let Some(holder) = Holder::try_current() {
            holder.set_pending_on(OpKind::Write, &self.info);
        }
        unpoison(self.state.lock())
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
