//! Errors of lockstep's primitives.

use std::time::Duration;
use thiserror::Error;

/// Why a timed acquire (lock, read, write, permit, condvar wait) did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LockError {
    /// The deadline passed before the object could be taken.
    #[error("timed out after {waited:?} waiting for {object}")]
    Timeout {
        /// The canonical name of the object, e.g. `Mutex "accounts"` or `Semaphore#2`.
        object: String,
        /// How long the caller waited (the requested timeout).
        waited: Duration,
    },
    /// Taking the object now would break the lock hierarchy (see `lockstep::sync::LockClass`).
    #[error("{report}")]
    OrderViolation {
        /// The held object that must come after the requested one.
        held: String,
        /// The requested object.
        requested: String,
        /// The full report: both objects, the thread, its held stack, the call sites.
        report: String,
    },
}
