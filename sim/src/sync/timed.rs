//! The acquire paths shared by the locks: the blocking acquire, the backend try under
//! simulation rules, and the wait loop of every timed (and parked) acquire.

use crate::held::Holder;
use crate::hierarchy;
use crate::object::{Mode, ObjectInfo};
use crate::time::{deadline_after, Duration, Instant};
use crate::wait::{self, Woke};
use crate::LockError;
use std::sync::Arc;

/// Runs a backend blocking acquire (`lock`, `read`, `write`) of `object` in `mode` at `site`:
/// checked against the lock hierarchy first (a violation panics with its report), and seen by
/// the kernel as a native wait while it blocks. Returns the calling thread, for the guard's
/// bookkeeping, and the backend guard.
pub(crate) fn blocking<G>(
    object: &Arc<ObjectInfo>,
    mode: Mode,
    site: &'static std::panic::Location<'static>,
    acquire: impl FnOnce() -> G,
) -> (Holder, G) {
    let holder = Holder::current();
    if let Err(violation) = hierarchy::before_acquire(&holder, object, site) {
        panic!("{violation}");
    }
    #[cfg(any(loom, feature = "shuttle"))]
    holder.begin_native_wait(
        crate::kernel::WaitOn::Acquire {
            object: Arc::clone(object),
            mode,
        },
        None,
    );
    #[cfg(not(any(loom, feature = "shuttle")))]
    let _ = mode;
    let native = acquire();
    #[cfg(any(loom, feature = "shuttle"))]
    holder.end_native_wait();
    (holder, native)
}

/// Runs a backend try-acquire (`try_lock`, `try_read`, `try_write`) under simulation rules.
///
/// Under loom, a `try_lock` that is preempted at its own scheduling point while another thread
/// takes the lock is *blocked* until that lock is released (loom issue #376), which can turn a
/// failing `try_lock` into a false deadlock. The kernel records the try as a native wait with a
/// deadline (the caller's, or "now" for a plain try): if every thread ends up blocked, the
/// deadline fires, the thread is unparked, loom lets the try run, and it fails, as a try on a
/// held lock does (if loom's try got the lock after all, it is given back). The native try still runs in every case, so loom sees the dependency on the
/// lock and explores both orders.
#[cfg_attr(not(loom), allow(unused_variables))]
pub(crate) fn try_native<G>(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    deadline: Option<Instant>,
    try_acquire: impl FnOnce() -> Option<G>,
) -> Option<G> {
    #[cfg(all(feature = "shuttle", not(loom)))]
    holder.set_pending_on(
        match mode {
            Mode::Shared => crate::pending::OpKind::Read,
            _ => crate::pending::OpKind::Acquire,
        },
        object,
    );
    #[cfg(loom)]
    holder.begin_native_wait(
        crate::kernel::WaitOn::Acquire {
            object: Arc::clone(object),
            mode,
        },
        Some(deadline.unwrap_or_else(Instant::now)),
    );
    let acquired = try_acquire();
    // A try whose deadline fired while loom blocked it has failed, even if loom then let it
    // take the lock: the timeout came first (the backend guard is simply dropped again).
    #[cfg(loom)]
    if holder.end_native_wait() {
        return None;
    }
    acquired
}

/// Retries `attempt` until it succeeds or `timeout` passes, parking in `object`'s wait queue in
/// between. `None` waits without a deadline. `attempt` gets the deadline (for [`try_native`]).
/// Releasers of `object` call `waiters.wake_all()`.
pub(crate) fn acquire<G>(
    object: &Arc<ObjectInfo>,
    mode: Mode,
    timeout: Option<Duration>,
    mut attempt: impl FnMut(Option<Instant>) -> Option<G>,
) -> Result<G, LockError> {
    let timed_out = || LockError::Timeout {
        object: object.to_string(),
        waited: timeout.unwrap_or_default(),
    };
    if timeout.is_some_and(|t| t.is_zero()) {
        return attempt(None).ok_or_else(timed_out);
    }
    let deadline = timeout.and_then(deadline_after);
    loop {
        if let Some(acquired) = attempt(deadline) {
            return Ok(acquired);
        }
        let ticket = object.waiters.register();
        // On real threads the resource may have been released between the attempt and the
        // registration; under simulation nothing runs in between, so the re-check is skipped.
        if !crate::SIMULATED {
            if let Some(acquired) = attempt(deadline) {
                object.waiters.cancel(&ticket);
                return Ok(acquired);
            }
        }
        // The deadline may have fired while the attempt was blocked (see `try_native`).
        if deadline.is_some_and(|d| Instant::now() >= d) {
            object.waiters.cancel(&ticket);
            return Err(timed_out());
        }
        let woke = wait::park(&ticket, object, mode, deadline);
        object.waiters.cancel(&ticket);
        if woke == Woke::TimedOut {
            return Err(timed_out());
        }
    }
}
