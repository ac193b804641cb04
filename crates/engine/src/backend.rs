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

/// Turns a poisoned lock result into its guard: lockstep's locks are poison-free, like
/// parking_lot's, because a panic in a simulated thread already fails the execution.
pub fn unpoison<G>(result: std::sync::LockResult<G>) -> G {
    result.unwrap_or_else(std::sync::PoisonError::into_inner)
}
