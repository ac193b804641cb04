//! The wait loop shared by every timed (and parked) acquire.

use crate::object::{Mode, ObjectInfo};
use crate::time::{deadline_after, Duration};
use crate::wait::{self, Woke};
use crate::LockError;
use std::sync::Arc;

/// Retries `attempt` until it succeeds or `timeout` passes, parking in `object`'s wait queue in
/// between. `None` waits without a deadline. Releasers of `object` call `waiters.wake_all()`.
pub(crate) fn acquire<G>(
    object: &Arc<ObjectInfo>,
    mode: Mode,
    timeout: Option<Duration>,
    mut attempt: impl FnMut() -> Option<G>,
) -> Result<G, LockError> {
    let timed_out = || LockError::Timeout {
        object: object.to_string(),
        waited: timeout.unwrap_or_default(),
    };
    if timeout.is_some_and(|t| t.is_zero()) {
        return attempt().ok_or_else(timed_out);
    }
    let deadline = timeout.and_then(deadline_after);
    loop {
        if let Some(acquired) = attempt() {
            return Ok(acquired);
        }
        let ticket = object.waiters.register();
        // On real threads the resource may have been released between the attempt and the
        // registration; under simulation nothing runs in between, so the re-check is skipped.
        if !crate::SIMULATED {
            if let Some(acquired) = attempt() {
                object.waiters.cancel(&ticket);
                return Ok(acquired);
            }
        }
        let woke = wait::park(&ticket, object, mode, deadline);
        object.waiters.cancel(&ticket);
        if woke == Woke::TimedOut {
            return Err(timed_out());
        }
    }
}
