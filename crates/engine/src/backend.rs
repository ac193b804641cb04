//! The one place that names the backend crate. Every layer above uses these aliases, so a
//! primitive is implemented once for std, shuttle and loom.
//!
//! ```
//! use lockstep_engine::backend;
//!
//! assert!(["std", "shuttle", "loom"].contains(&backend::NAME));
//! // A poisoned lock result still yields its guard.
//! let m = std::sync::Mutex::new(1);
//! assert_eq!(*backend::unpoison(m.lock()), 1);
//! ```

#[cfg(not(any(loom, feature = "shuttle")))]
mod imp {
    /// The backend's name: `"std"`, `"shuttle"` or `"loom"`.
    pub const NAME: &str = "std";
    /// The most threads one execution may have, main and finished ones included: none here.
    pub const THREAD_LIMIT: Option<usize> = None;
    #[doc(no_inline)]
    pub use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
    /// A scheduling point that two threads' passes of the same point depend on: only loom
    /// needs one (see the loom twin); here nothing.
    ///
    /// ```
    /// use lockstep_engine::backend::OrderPoint;
    ///
    /// OrderPoint::default().pass();
    /// ```
    #[derive(Default)]
    pub struct OrderPoint;

    impl OrderPoint {
        /// Passes the point: nothing here.
        #[inline]
        pub fn pass(&self) {}
    }
    /// The backend's atomic types.
    pub mod atomic {
        pub use std::sync::atomic::*;
    }
    /// The backend's threads.
    pub mod thread {
        pub use std::thread::{
            current, park, park_timeout, yield_now, Builder, JoinHandle, Thread,
        };
    }
}

#[cfg(all(feature = "shuttle", not(loom)))]
mod imp {
    /// The backend's name: `"std"`, `"shuttle"` or `"loom"`.
    pub const NAME: &str = "shuttle";
    /// The most threads one execution may have, main and finished ones included: none here.
    pub const THREAD_LIMIT: Option<usize> = None;
    pub use shuttle::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
    /// A scheduling point that two threads' passes of the same point depend on: only loom
    /// needs one (see the loom twin); here nothing.
    ///
    /// ```
    /// use lockstep_engine::backend::OrderPoint;
    ///
    /// OrderPoint::default().pass();
    /// ```
    #[derive(Default)]
    pub struct OrderPoint;

    impl OrderPoint {
        /// Passes the point: nothing here.
        #[inline]
        pub fn pass(&self) {}
    }
    /// The backend's atomic types.
    pub mod atomic {
        pub use shuttle::sync::atomic::*;
    }
    /// The backend's threads.
    pub mod thread {
        // `sleep` ignores its duration: a plain scheduling point (`yield_now` also tells the
        // scheduler that the thread yields).
        pub use shuttle::thread::{current, park, sleep, yield_now, Builder, JoinHandle, Thread};
    }
}

#[cfg(loom)]
mod imp {
    /// The backend's name: `"std"`, `"shuttle"` or `"loom"`.
    pub const NAME: &str = "loom";
    /// The most threads one execution may have, main and finished ones included: loom's
    /// `MAX_THREADS` (its per-thread state lives in arrays of that size).
    pub const THREAD_LIMIT: Option<usize> = Some(loom::MAX_THREADS);
    /// loom's reference-counted pointer: a clone and a count are scheduling points that
    /// depend on each other (two clones, or two counts, do not), with no value to choose and
    /// no ordering of their own (see the facade's `LoomPoint`).
    pub use loom::sync::Arc as LoomArc;
    pub use loom::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
    /// A scheduling point that two threads' passes of the same point depend on, under loom
    /// a read-modify-write of a loom atomic of its own (`Relaxed`: it orders nothing else;
    /// an RMW reads the latest value, so unlike a load it adds no execution for a value to
    /// choose). Create it inside an execution, in a thread that happens before every thread
    /// that passes it (loom reports a pass of an atomic created concurrently).
    ///
    /// ```
    /// use lockstep_engine::backend::OrderPoint;
    ///
    /// OrderPoint::default().pass();
    /// ```
    pub struct OrderPoint(loom::sync::atomic::AtomicUsize);

    impl Default for OrderPoint {
        fn default() -> Self {
            OrderPoint(loom::sync::atomic::AtomicUsize::new(0))
        }
    }

    impl OrderPoint {
        /// Passes the point: one RMW.
        #[inline]
        pub fn pass(&self) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    /// The backend's atomic types.
    pub mod atomic {
        pub use loom::sync::atomic::*;
    }
    /// The backend's threads.
    pub mod thread {
        pub use loom::thread::{current, park, yield_now, Builder, JoinHandle, Thread};
    }
}

pub use imp::*;

pub use state_lock::{StateGuard, StateLock};
pub use try_probe::{TryProbePoint, TRY_PROBES};

/// A lock's try probe (see `TryWatch`): under loom an atomic that plain tries store to and
/// holders load (`Relaxed`: it orders nothing else), so that loom's partial-order reduction
/// runs each try on both sides of each load; under shuttle and std nothing, since shuttle may
/// switch before any operation and std needs no help.
///
/// ```
/// use lockstep_engine::backend::TryProbePoint;
///
/// let probe = TryProbePoint::new();
/// probe.store();
/// probe.load();
/// ```
mod try_probe {
    /// Whether the backend needs try probes at all (only loom does): code that would only
    /// feed a probe is skipped where this is `false`.
    pub const TRY_PROBES: bool = cfg!(loom);

    /// A try probe; make it inside the execution, before the lock is shared (loom counts an
    /// atomic's creation as a plain write that every access must come after).
    pub struct TryProbePoint {
        #[cfg(loom)]
        flag: loom::sync::atomic::AtomicBool,
    }

    impl TryProbePoint {
        /// A new probe.
        #[allow(clippy::new_without_default)]
        pub fn new() -> Self {
            TryProbePoint {
                #[cfg(loom)]
                flag: loom::sync::atomic::AtomicBool::new(false),
            }
        }

        /// A holder passes the probe: under loom a load.
        #[inline]
        pub fn load(&self) {
            #[cfg(loom)]
            self.flag.load(std::sync::atomic::Ordering::Relaxed);
        }

        /// A plain try touches the probe: under loom a store.
        #[inline]
        pub fn store(&self) {
            #[cfg(loom)]
            self.flag.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    impl std::fmt::Debug for TryProbePoint {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("TryProbePoint")
        }
    }
}

/// The lock around a primitive's own state (a channel's queue, a `Once`'s phase), taken once
/// per operation and never held across a scheduling point: its lock is the operation's one
/// scheduling point, as the atomic or lock inside std's own type would be, and its unlock is
/// none. Under loom that is loom's `Mutex` (loom does not branch at an unlock); under shuttle,
/// whose `Mutex` branches at the unlock too (a second point raw shuttle's `Once` and channels do
/// not have), a std mutex behind one shuttle atomic access; under std, std's mutex.
///
/// ```
/// use lockstep_engine::backend::StateLock;
///
/// let queue = StateLock::new(vec![1]);
/// queue.lock().push(2);
/// assert_eq!(*queue.lock(), [1, 2]);
/// ```
mod state_lock {
    #[cfg(not(loom))]
    type Inner<S> = std::sync::Mutex<S>;
    #[cfg(not(loom))]
    type InnerGuard<'a, S> = std::sync::MutexGuard<'a, S>;
    #[cfg(loom)]
    type Inner<S> = loom::sync::Mutex<S>;
    #[cfg(loom)]
    type InnerGuard<'a, S> = loom::sync::MutexGuard<'a, S>;

    /// A primitive's state, behind a lock whose lock is one scheduling point (see the module).
    pub struct StateLock<S> {
        /// Under shuttle, the scheduling point: the thread may be switched out here.
        #[cfg(all(feature = "shuttle", not(loom)))]
        point: shuttle::sync::atomic::AtomicUsize,
        state: Inner<S>,
    }

    /// The locked state; dropping it unlocks (no scheduling point).
    pub type StateGuard<'a, S> = InnerGuard<'a, S>;

    impl<S> StateLock<S> {
        /// A new lock around `state` (under loom, made inside the execution).
        pub fn new(state: S) -> Self {
            StateLock {
                #[cfg(all(feature = "shuttle", not(loom)))]
                point: shuttle::sync::atomic::AtomicUsize::new(0),
                state: Inner::new(state),
            }
        }

        /// Locks the state: one scheduling point.
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        pub fn lock(&self) -> StateGuard<'_, S> {
            super::unpoison(self.state.lock())
        }

        /// The state, through an exclusive borrow of the lock: nobody else can hold it, so
        /// this is no scheduling point on any backend (loom's and std's `get_mut` touch no
        /// execution state).
        ///
        /// ```
        /// use lockstep_engine::backend::StateLock;
        ///
        /// let mut phase = StateLock::new(1);
        /// *phase.get_mut() = 2;
        /// assert_eq!(*phase.lock(), 2);
        /// ```
        pub fn get_mut(&mut self) -> &mut S {
            super::unpoison(self.state.get_mut())
        }

        /// Locks the state again right after the calling thread resumed from a park that
        /// another thread's wake-up ended: under shuttle the resumption was itself a
        /// scheduling point (where the checker chose to run the woken thread, and nothing the
        /// thread does in between is visible to another), so this lock adds none; under loom
        /// and std it is [`Self::lock`].
        #[cfg(not(all(feature = "shuttle", not(loom))))]
        pub fn lock_resumed(&self) -> StateGuard<'_, S> {
            self.lock()
        }

        /// Locks the state again right after the calling thread resumed from a park that
        /// another thread's wake-up ended: the resumption was itself a scheduling point, so
        /// this lock adds none.
        #[cfg(all(feature = "shuttle", not(loom)))]
        pub fn lock_resumed(&self) -> StateGuard<'_, S> {
            self.unlocked()
        }

        /// The std mutex, which only one shuttle thread runs at a time and nobody holds
        /// across a scheduling point, so it is always free.
        #[cfg(all(feature = "shuttle", not(loom)))]
        fn unlocked(&self) -> StateGuard<'_, S> {
            match self.state.try_lock() {
                Ok(guard) => guard,
                Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    panic!("a primitive's state lock was held across a scheduling point")
                }
            }
        }

        /// Locks the state: one scheduling point (an increment of a shuttle atomic of its
        /// own), then the std mutex.
        #[cfg(all(feature = "shuttle", not(loom)))]
        pub fn lock(&self) -> StateGuard<'_, S> {
            // `SeqCst`: shuttle treats every ordering as it, and warns about the others.
            self.point.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.unlocked()
        }
    }
}

/// Turns a poisoned lock result into its guard: lockstep's locks are poison-free, like
/// parking_lot's, because a panic in a simulated thread already fails the execution.
pub fn unpoison<G>(result: std::sync::LockResult<G>) -> G {
    result.unwrap_or_else(std::sync::PoisonError::into_inner)
}
