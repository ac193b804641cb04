//! The locks and permits each thread holds now, oldest first: the held-lock stack the hierarchy
//! checks read, and that models query through [`crate::sync::held`].
//!
//! Under simulation the stack lives in the kernel's thread record (the kernel derives "blocked"
//! from it); under std it is thread-local.

use crate::object::{Mode, ObjectInfo};
use std::panic::Location;
use std::sync::Arc;

/// One hold: an object, how it is held, and where it was taken.
pub(crate) struct Held {
    pub(crate) object: Arc<ObjectInfo>,
    pub(crate) mode: Mode,
    pub(crate) site: &'static Location<'static>,
}

/// The thread whose holds an operation reads and changes, found once per operation: under
/// simulation the calling simulated thread (the kernel's `Caller`), under std the calling OS
/// thread.
#[cfg(any(loom, feature = "shuttle"))]
pub(crate) type Holder = crate::kernel::Caller;

/// The thread whose holds an operation reads and changes: under std, the calling OS thread.
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) struct Holder;

#[cfg(not(any(loom, feature = "shuttle")))]
std::thread_local! {
    static HELD: std::cell::RefCell<Vec<Held>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(not(any(loom, feature = "shuttle")))]
impl Holder {
    /// The calling thread.
    pub(crate) fn current() -> Holder {
        Holder
    }

    /// Runs `f` on the calling thread's held-lock stack.
    pub(crate) fn with_held<R>(&self, f: impl FnOnce(&mut Vec<Held>) -> R) -> R {
        HELD.with(|held| f(&mut held.borrow_mut()))
    }

    /// Like [`with_held`](Holder::with_held), with a function giving the thread's canonical
    /// name (called only when a report needs it).
    pub(crate) fn with_held_named<R>(
        &self,
        f: impl FnOnce(&dyn Fn() -> String, &mut Vec<Held>) -> R,
    ) -> R {
        HELD.with(|held| f(&crate::thread::current_name, &mut held.borrow_mut()))
    }
}

/// `holder` took `object` in `mode` at `site`.
pub(crate) fn push(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    site: &'static Location<'static>,
) {
    holder.with_held(|stack| {
        stack.push(Held {
            object: Arc::clone(object),
            mode,
            site,
        })
    });
    #[cfg(any(loom, feature = "shuttle"))]
    holder.record(|| crate::trace::Event::Acquired {
        object: Arc::clone(object),
        mode,
    });
}

/// The calling thread gave back its most recent hold of `object` in `mode`. Release order is
/// free: any hold may go first.
pub(crate) fn remove(object: &Arc<ObjectInfo>, mode: Mode) {
    let remove = |stack: &mut Vec<Held>| {
        if let Some(pos) = stack
            .iter()
            .rposition(|h| Arc::ptr_eq(&h.object, object) && h.mode == mode)
        {
            stack.remove(pos);
        }
    };
    // During teardown the execution (or the thread-local) may be gone; nothing is held then.
    #[cfg(any(loom, feature = "shuttle"))]
    if let Some(holder) = Holder::try_current() {
        holder.set_pending_on(crate::pending::OpKind::Release, object);
        holder.with_held(remove);
        holder.record(|| crate::trace::Event::Released {
            object: Arc::clone(object),
            mode,
        });
    }
    #[cfg(not(any(loom, feature = "shuttle")))]
    {
        let _ = HELD.try_with(|held| remove(&mut held.borrow_mut()));
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
