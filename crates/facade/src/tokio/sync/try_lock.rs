//! The error of the async locks' `try_*` methods.

use lockstep_engine::object::ObjectInfo;

/// The lock could not be taken at once: it is held, or waiters are queued first.
///
/// ```
/// use lockstep::tokio::sync::Mutex;
///
/// let m = Mutex::named("sessions", ());
/// let _held = m.try_lock().unwrap();
/// let error = m.try_lock().unwrap_err();
/// assert_eq!(error.to_string(), r#"Mutex "sessions" is held or awaited by others"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{lock} is held or awaited by others")]
pub struct TryLockError {
    lock: String,
}

impl TryLockError {
    pub(super) fn new(lock: &ObjectInfo) -> Self {
        TryLockError {
            lock: lock.to_string(),
        }
    }
}
