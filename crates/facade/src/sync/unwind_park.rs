//! Locks released by unwinding, where the backend cannot release them then (loom).
//!
//! A loom `Mutex` or `RwLock` wraps a std lock, which it takes after loom's own bookkeeping has
//! marked the lock taken. A loom guard taken while not panicking and dropped while panicking
//! poisons that std lock, and loom's next `lock` / `write` unwraps the poison and panics (a
//! second lock in a `Drop` during the same unwind aborts the process). No loom API clears the
//! poison. So there a Mutex guard or RwLock write guard dropped during unwinding *parks* its
//! backend guard in its lock's [`UnwindParking`] and keeps its ghost hold: the lock stays taken
//! until the thread's first lockstep operation made while it no longer panics (at the latest
//! its end), or until the lock is dropped or consumed; the same thread locking it again during
//! the unwind takes the parked guard back. The later release is documented in
//! docs/CONFORMANCE.md. Read guards and permits do not poison, so they never park.

use super::holds;
use crate::ghost::{self, HoldOwner, Holder};
use lockstep_engine::object::{Mode, ObjectInfo};
use std::ptr::NonNull;
use std::sync::Arc;

/// The backend guard of one lock parked past its thread's unwinding, if any.
pub(crate) struct UnwindParking {
    slot: Arc<std::sync::Mutex<Option<Parked>>>,
}

/// A parked backend guard and the ghost hold it still stands for.
struct Parked {
    /// The thread that dropped the facade guard (the only one that may take it back).
    thread: usize,
    owner: HoldOwner,
    object: Arc<ObjectInfo>,
    mode: Mode,
    /// The boxed backend guard, type-erased so that the lock's value type needs no `'static`.
    native: NonNull<()>,
    /// Drops `native` (the box's own type, monomorphized in [`UnwindParking::park`]).
    drop_native: unsafe fn(NonNull<()>),
}

// SAFETY: a parked guard only exists under simulation, where threads run one at a time (loom
// runs them all on one OS thread); the backend guard is `!Send` only because a real OS lock
// must be released by the thread that took it.
unsafe impl Send for Parked {}

/// Drops a backend guard boxed by [`UnwindParking::park`].
///
/// # Safety
/// `native` came from `Box::<G>::into_raw` and is dropped once.
unsafe fn drop_boxed<G>(native: NonNull<()>) {
    drop(unsafe { Box::from_raw(native.cast::<G>().as_ptr()) });
}

impl UnwindParking {
    /// Nothing parked.
    pub(crate) fn new() -> Self {
        UnwindParking {
            slot: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    /// Whether a guard dropped now must park its backend guard instead of releasing it.
    pub(crate) fn must_park() -> bool {
        ghost::RELEASE_AFTER_UNWINDING && std::thread::panicking()
    }

    /// Parks `native`, the backend guard of a facade guard of `object` in `mode` dropped by
    /// unwinding, keeping its ghost hold; its release is deferred to the thread's first
    /// lockstep operation made while it no longer panics. Never panics (the thread unwinds);
    /// with the execution gone there is nothing to defer to, and `native` is simply dropped.
    ///
    /// The backend guard must borrow the lock that owns `self`, at an address that stays put
    /// (`ghost::Anchored`) until `self` is released or dropped.
    pub(crate) fn park<G>(&self, object: &Arc<ObjectInfo>, mode: Mode, native: G) {
        let Some(holder) = Holder::try_current() else {
            holds::release_bookkeeping(|| drop(native));
            return;
        };
        let native = NonNull::from(Box::leak(Box::new(native))).cast::<()>();
        let parked = Parked {
            thread: holder.index(),
            owner: ghost::hold_owner(&holder),
            object: Arc::clone(object),
            mode,
            native,
            drop_native: drop_boxed::<G>,
        };
        let previous = crate::backend::unpoison(self.slot.lock()).replace(parked);
        debug_assert!(
            previous.is_none(),
            "lockstep: {object} parked a second backend guard while one was parked"
        );
        let slot = Arc::clone(&self.slot);
        holds::release_bookkeeping(|| ghost::after_unwinding(&holder, move || release(&slot)));
    }

    /// The backend guard the calling thread parked here, taken back with its ghost hold for a
    /// new facade guard (a lock of the same lock again during the same unwind).
    ///
    /// # Safety
    /// `G` is the type of the guard the lock parks here.
    pub(crate) unsafe fn reclaim<G>(&self) -> Option<G> {
        // Only a lock during the unwind itself takes the guard back: once the thread no longer
        // panics, the operation's own lookup of the thread runs its deferred releases.
        if !Self::must_park() {
            return None;
        }
        let thread = Holder::try_current()?.index();
        let mut slot = crate::backend::unpoison(self.slot.lock());
        if slot.as_ref()?.thread != thread {
            return None;
        }
        let parked = slot.take()?;
        // SAFETY: `park` boxed a `G` (the caller's promise) and the slot no longer has it.
        Some(*unsafe { Box::from_raw(parked.native.cast::<G>().as_ptr()) })
    }

    /// Releases the parked guard now, if there is one: before the lock is consumed or
    /// mutably borrowed, and when it is dropped.
    pub(crate) fn release(&self) {
        release(&self.slot);
    }
}

impl Drop for UnwindParking {
    fn drop(&mut self) {
        self.release();
    }
}

/// Releases the guard parked in `slot`, if any: ghost hold first, then the backend guard,
/// then parked waiters, as a guard's drop does.
fn release(slot: &std::sync::Mutex<Option<Parked>>) {
    let Some(parked) = crate::backend::unpoison(slot.lock()).take() else {
        return;
    };
    holds::release_bookkeeping(|| {
        if let Some(holder) = Holder::try_current() {
            ghost::release_for(&holder, &parked.owner, &parked.object, parked.mode);
        }
    });
    // SAFETY: `park` boxed this guard with this drop function, and the slot no longer has it.
    // It borrows the lock that owns the slot, which is alive: the lock releases its parked
    // guard before it is dropped, consumed or mutably borrowed.
    holds::release_bookkeeping(|| unsafe { (parked.drop_native)(parked.native) });
    holds::release_bookkeeping(|| parked.object.waiters.wake_all());
}
