//! Recursive reads under simulation: one backend read lock per thread and RwLock, however many
//! facade read guards the thread holds on it.
//!
//! std lets a thread take a read lock it already reads (behind a queued writer that may
//! deadlock, which the RwLock's fairness decides). The simulation backends do not: loom counts
//! readers per thread, so the second backend read guard's release corrupts its state (and a
//! panic there aborts the process), and shuttle fails a recursive `try_read` and panics on a
//! recursive `read`. So under simulation a thread's first read guard of a lock takes the backend
//! read lock and parks it here; every further read guard of that thread shares it, and the last
//! one to go releases it. The backend sees one reader per thread, as raw loom does for code that
//! reads once, so no scheduling point is added or lost.

use crate::backend;
use std::ptr::NonNull;

/// The parked backend read guards of one RwLock, one per reading thread.
pub(crate) struct ReadShares<T: ?Sized> {
    shares: std::sync::Mutex<Vec<Share<T>>>,
}

/// A thread's parked backend read guard and how many facade read guards share it.
struct Share<T: ?Sized> {
    thread: usize,
    guards: usize,
    /// Where the value is while the backend guard is parked.
    data: NonNull<T>,
    /// The boxed backend guard, type-erased so that the lock's value type needs no `'static`.
    native: NonNull<()>,
    /// Drops `native` (the box's own type, monomorphized in [`ReadShares::park`]).
    drop_native: unsafe fn(NonNull<()>),
}

// SAFETY: a share is created, used and dropped only by the simulated thread it belongs to
// (facade read guards are not `Send`), and simulated threads run one at a time; the backend
// guard is `!Send` only because a real OS lock must be released by the thread that took it.
// The list of shares moves with its RwLock only when no guard borrows the lock, so empty.
unsafe impl<T: ?Sized> Send for Share<T> {}

/// Drops a backend guard boxed by [`ReadShares::park`].
///
/// # Safety
/// `native` came from `Box::<G>::into_raw` and is dropped once.
unsafe fn drop_boxed<G>(native: NonNull<()>) {
    drop(unsafe { Box::from_raw(native.cast::<G>().as_ptr()) });
}

impl<T: ?Sized> ReadShares<T> {
    /// No thread reading.
    pub(crate) fn new() -> Self {
        ReadShares {
            shares: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Where the value is, if `thread` already holds the backend read lock: its share gains a
    /// guard, and the pointer is valid until that guard [`leave`](ReadShares::leave)s.
    pub(crate) fn join(&self, thread: usize) -> Option<NonNull<T>> {
        let mut shares = backend::unpoison(self.shares.lock());
        let share = shares.iter_mut().find(|share| share.thread == thread)?;
        share.guards += 1;
        Some(share.data)
    }

    /// Parks `native`, the backend read guard `thread` just took, as that thread's share with
    /// one guard; returns where the value is, valid until the share's last guard
    /// [`leave`](ReadShares::leave)s.
    pub(crate) fn park(
        &self,
        thread: usize,
        native: backend::RwLockReadGuard<'_, T>,
    ) -> NonNull<T> {
        let boxed = Box::new(native);
        let data = NonNull::from(&**boxed);
        let native = NonNull::from(Box::leak(boxed)).cast::<()>();
        let mut shares = backend::unpoison(self.shares.lock());
        assert!(
            shares.iter().all(|share| share.thread != thread),
            "lockstep: thread {thread} parked a second backend read guard"
        );
        shares.push(Share {
            thread,
            guards: 1,
            data,
            native,
            drop_native: drop_boxed::<backend::RwLockReadGuard<'_, T>>,
        });
        data
    }

    /// One facade read guard of `thread` is gone; the last one releases the backend read lock
    /// (after the share list is let go: the release may switch to another thread).
    pub(crate) fn leave(&self, thread: usize) {
        let released = {
            let mut shares = backend::unpoison(self.shares.lock());
            let at = shares
                .iter()
                .position(|share| share.thread == thread)
                .unwrap_or_else(|| panic!("lockstep: thread {thread} left a read it never took"));
            shares[at].guards -= 1;
            (shares[at].guards == 0).then(|| shares.swap_remove(at))
        };
        if let Some(share) = released {
            // SAFETY: `park` boxed this guard with this drop function, and the share is gone
            // from the list, so it is dropped once. It borrows the RwLock that owns `self`,
            // which every facade read guard borrows, so the RwLock is still alive.
            unsafe { (share.drop_native)(share.native) };
        }
    }
}

/// A facade read guard's hold of the backend read lock.
pub(crate) enum ReadHold<'a, T: ?Sized> {
    /// Its own backend guard (std, where recursive reads are the backend's business).
    Own(backend::RwLockReadGuard<'a, T>),
    /// A share of its thread's parked backend guard (simulation).
    Shared {
        shares: &'a ReadShares<T>,
        thread: usize,
        data: NonNull<T>,
    },
}

// SAFETY: a read hold only hands out `&T`, as the backend guard it stands for does.
unsafe impl<T: ?Sized + Sync> Sync for ReadHold<'_, T> {}

impl<'a, T: ?Sized> ReadHold<'a, T> {
    /// `thread`'s hold of the lock behind `shares`: a share of the backend read guard it has
    /// already under simulation, else what `acquire` takes (`None` if a try failed).
    pub(crate) fn take(
        shares: &'a ReadShares<T>,
        thread: usize,
        acquire: impl FnOnce() -> Option<backend::RwLockReadGuard<'a, T>>,
    ) -> Option<Self> {
        if !crate::SIMULATED {
            return acquire().map(ReadHold::Own);
        }
        let data = match shares.join(thread) {
            Some(data) => data,
            None => shares.park(thread, acquire()?),
        };
        Some(ReadHold::Shared {
            shares,
            thread,
            data,
        })
    }

    /// The value.
    pub(crate) fn get(&self) -> &T {
        match self {
            ReadHold::Own(native) => native,
            // SAFETY: the share keeps the backend read guard parked while this hold lives.
            ReadHold::Shared { data, .. } => unsafe { data.as_ref() },
        }
    }
}

impl<T: ?Sized> Drop for ReadHold<'_, T> {
    fn drop(&mut self) {
        if let ReadHold::Shared { shares, thread, .. } = self {
            shares.leave(*thread);
        }
    }
}
