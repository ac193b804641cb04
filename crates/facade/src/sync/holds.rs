//! The held-lock stack, as the primitives change it: a hold pushed when a guard is made, removed
//! when it drops, and the release bookkeeping that must never abort a process.

use crate::ghost::Holder;
use lockstep_engine::held::Held;
use lockstep_engine::object::{Kind, LockClass, Mode, ObjectInfo};
use std::panic::Location;
use std::sync::Arc;

/// A new object of `kind`, named `name` (or by its number).
pub(crate) fn object(kind: Kind, name: Option<&str>) -> Arc<ObjectInfo> {
    Arc::new(ObjectInfo::new(kind, name, crate::ghost::next_object_seq()))
}

/// A new ranked object of `kind` in `class`, optionally keyed.
pub(crate) fn ranked(kind: Kind, class: LockClass, key: Option<u64>) -> Arc<ObjectInfo> {
    Arc::new(ObjectInfo::ranked(
        kind,
        class,
        key,
        crate::ghost::next_object_seq(),
    ))
}

/// `holder` took `object` in `mode` at `site`.
pub(crate) fn push(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    site: &'static Location<'static>,
) {
    holder.hold(Held {
        object: Arc::clone(object),
        mode,
        site,
    });
}

/// The calling thread gave back its most recent hold of `object` in `mode`. During teardown
/// the execution (or the thread-local) may be gone; nothing is held then.
pub(crate) fn remove(object: &Arc<ObjectInfo>, mode: Mode) {
    if let Some(holder) = Holder::try_current() {
        holder.release(object, mode);
    }
}

/// Runs a release's bookkeeping (held stack, trace, waking waiters) from a guard's `drop`.
///
/// While the thread unwinds (a checker tearing down a failed execution, say) the checker's
/// runtime may already be gone, so any call into it panics, and a panic escaping a destructor
/// during unwinding aborts the whole process. There the bookkeeping's panics are contained: the
/// execution has failed already. In every other case it simply runs.
pub(crate) fn release_bookkeeping(f: impl FnOnce()) {
    if std::thread::panicking() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    } else {
        f();
    }
}
