//! The acquire paths shared by the locks: the blocking acquire, the backend try, and the wait
//! loop of every timed (and parked) acquire. Each one's ghost half goes through
//! [`crate::ghost`], so this file is the same for every backend.

use crate::ghost::{self, Holder, TryProbe};
use crate::hierarchy;
use crate::time::{deadline_after, Duration, Instant};
use crate::LockError;
use lockstep_engine::object::{Mode, ObjectInfo};
use lockstep_engine::wait::Woke;
use std::sync::Arc;

/// Runs a backend blocking acquire (`lock`, `read`, `write`) of `object` in `mode` at `site`:
/// a thread that already holds the object in a mode that excludes this one panics with
/// lockstep's report (it would wait for itself forever; std may deadlock or panic there); then
/// the acquisition is checked against the lock hierarchy (a violation panics with its report),
/// and the kernel sees it as a native wait while it blocks. Returns the calling thread, for the
/// guard's bookkeeping, and the backend guard.
pub(crate) fn blocking<G>(
    object: &Arc<ObjectInfo>,
    mode: Mode,
    site: &'static std::panic::Location<'static>,
    acquire: impl FnOnce() -> G,
) -> (Holder, G) {
    blocking_admitted(object, mode, site, || {}, acquire)
}

/// [`blocking`], with `admit` run once the checks have passed, before the backend acquire: a
/// wait of the caller's own that the acquire must come after (a read behind queued writers).
pub(crate) fn blocking_admitted<G>(
    object: &Arc<ObjectInfo>,
    mode: Mode,
    site: &'static std::panic::Location<'static>,
    admit: impl FnOnce(),
    acquire: impl FnOnce() -> G,
) -> (Holder, G) {
    let holder = Holder::current();
    if let Some(report) = self_relock(&holder, object, mode, site) {
        holder.record(|| lockstep_engine::trace::Event::Requested {
            object: Arc::clone(object),
            why: "it holds it already",
        });
        panic!("{report}");
    }
    if let Err(violation) = hierarchy::before_acquire(&holder, object, site) {
        panic!("{violation}");
    }
    admit();
    let native = ghost::native_acquire(&holder, object, mode, acquire);
    (holder, native)
}

/// The report of `holder` blocking on `object` in `mode` while it holds `object` in a mode
/// that excludes it (a mutex locked twice, a write lock under its own read or write lock), if
/// it does.
fn self_relock(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    site: &'static std::panic::Location<'static>,
) -> Option<String> {
    let (thread, held_at) = holder.with_held_named(|thread, stack| {
        let held = stack
            .iter()
            .find(|h| Arc::ptr_eq(&h.object, object) && h.mode.excludes(mode))?;
        Some((thread(), held.site))
    })?;
    let wants = match mode {
        Mode::Shared => "read-lock",
        _ if object.kind() == lockstep_engine::object::Kind::RwLock => "write-lock",
        _ => "lock",
    };
    // Under simulation the report says when, as every deadlock report does (read after the
    // held stack is let go: the clock lives in the same kernel state).
    let when = if crate::SIMULATED {
        format!(" (virtual time {:?})", Instant::now().since_start())
    } else {
        String::new()
    };
    Some(format!(
        "deadlock: {thread} wants to {wants} {object} at {site}, which it already holds (taken \
         at {held_at}); it would wait for itself forever{when}"
    ))
}

/// Runs a backend try-acquire (`try_lock`, `try_read`, `try_write`) by `holder` of the lock
/// with `probe`, with the caller's `deadline` if it is part of a timed acquire (see
/// `ghost::native_try` for why loom needs it).
///
/// Only a try whose failure the caller sees (a plain try, a zero timeout) goes through the
/// probe, so that it can land inside another thread's critical section; a timed attempt that
/// fails parks and retries when the holder releases, which ends the same as running after the
/// release.
pub(crate) fn try_native<G>(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    probe: &TryProbe,
    mode: Mode,
    deadline: Option<Instant>,
    try_acquire: impl FnOnce() -> Option<G>,
) -> Option<G> {
    let attempt = || {
        ghost::native_try(
            holder,
            object,
            mode,
            deadline.map(Instant::moment),
            try_acquire,
        )
    };
    let acquired = match deadline {
        None => probe.plain_try(object, attempt),
        Some(_) => attempt(),
    };
    if acquired.is_none() && deadline.is_none() {
        ghost::try_failed(holder, object, mode);
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
        let woke = ghost::park(&ticket, object, mode, deadline.map(Instant::moment));
        object.waiters.cancel(&ticket);
        if woke == Woke::TimedOut {
            return Err(timed_out());
        }
    }
}
