//! The acquire paths shared by the locks: the blocking acquire, the backend try, and the wait
//! loop of every timed (and parked) acquire. Each one's ghost half goes through
//! [`crate::ghost`], so this file is the same for every backend.

use crate::ghost::{self, Holder};
use crate::hierarchy;
use crate::time::{deadline_after, Duration, Instant};
use crate::LockError;
use lockstep_engine::object::{Mode, ObjectInfo};
use lockstep_engine::wait::Woke;
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
    let native = ghost::native_acquire(&holder, object, mode, acquire);
    (holder, native)
}

/// Runs a backend try-acquire (`try_lock`, `try_read`, `try_write`) by `holder`, with the
/// caller's `deadline` if it is part of a timed acquire (see `ghost::native_try` for why loom
/// needs it).
pub(crate) fn try_native<G>(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    deadline: Option<Instant>,
    try_acquire: impl FnOnce() -> Option<G>,
) -> Option<G> {
    ghost::native_try(
        holder,
        object,
        mode,
        deadline.map(Instant::moment),
        try_acquire,
    )
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
        let woke = ghost::park(&ticket, object, mode, deadline.map(Instant::moment));
        object.waiters.cancel(&ticket);
        if woke == Woke::TimedOut {
            return Err(timed_out());
        }
    }
}
