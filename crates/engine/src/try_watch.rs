//! What a lock knows about the tries racing its holders (ghost state, no scheduling point):
//! how many plain tries (`try_lock`, `try_read`, `try_write`, whose failure the caller sees)
//! are stopped at their scheduling point right now, and how many times a holder yielded.
//!
//! A simulated thread runs from one scheduling point to the next with no other thread in
//! between, so a try can only land inside another thread's critical section at a scheduling
//! point of the holder. The facade uses this to add such points exactly where a try is
//! waiting to land (see `TryProbe` in the facade's `ghost` module): a program with no try
//! passes none, so it explores what it did before.
//!
//! ```
//! use lockstep_engine::try_watch::TryWatch;
//!
//! let watch = TryWatch::default();
//! assert!(!watch.has_stopped_try());
//! let stopped = watch.stop_try();
//! assert!(watch.has_stopped_try());
//! watch.holder_yielded();
//! assert_eq!(watch.holder_yields(), 1);
//! drop(stopped);
//! assert!(!watch.has_stopped_try());
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};

/// The tries stopped at their scheduling point on one lock, and its holders' yields.
///
/// Only one simulated thread runs at a time, so the counts are exact whenever a thread reads
/// them; `Relaxed` suffices.
#[derive(Debug, Default)]
pub struct TryWatch {
    /// Plain tries stopped at their scheduling point.
    stopped: AtomicUsize,
    /// Yields by threads that held the lock (monotonic).
    holder_yields: AtomicUsize,
}

impl TryWatch {
    /// A plain try of the lock reaches its scheduling point: it counts as stopped there until
    /// the returned guard is dropped (right after the point; also on unwinding).
    ///
    /// ```
    /// use lockstep_engine::try_watch::TryWatch;
    ///
    /// let watch = TryWatch::default();
    /// let (a, b) = (watch.stop_try(), watch.stop_try());
    /// drop(a);
    /// assert!(watch.has_stopped_try());
    /// drop(b);
    /// assert!(!watch.has_stopped_try());
    /// ```
    pub fn stop_try(&self) -> StoppedTry<'_> {
        self.stopped.fetch_add(1, Ordering::Relaxed);
        StoppedTry { watch: self }
    }

    /// Whether some plain try of the lock is stopped at its scheduling point now.
    ///
    /// ```
    /// use lockstep_engine::try_watch::TryWatch;
    ///
    /// assert!(!TryWatch::default().has_stopped_try());
    /// ```
    pub fn has_stopped_try(&self) -> bool {
        self.stopped.load(Ordering::Relaxed) > 0
    }

    /// A thread holding the lock yields.
    ///
    /// ```
    /// use lockstep_engine::try_watch::TryWatch;
    ///
    /// let watch = TryWatch::default();
    /// watch.holder_yielded();
    /// watch.holder_yielded();
    /// assert_eq!(watch.holder_yields(), 2);
    /// ```
    pub fn holder_yielded(&self) {
        self.holder_yields.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times a holder of the lock yielded so far.
    ///
    /// ```
    /// use lockstep_engine::try_watch::TryWatch;
    ///
    /// assert_eq!(TryWatch::default().holder_yields(), 0);
    /// ```
    pub fn holder_yields(&self) -> usize {
        self.holder_yields.load(Ordering::Relaxed)
    }
}

/// A try stopped at its scheduling point (see [`TryWatch::stop_try`]); dropping it moves the
/// try on.
#[must_use = "the try counts as stopped only while the guard lives"]
#[derive(Debug)]
pub struct StoppedTry<'a> {
    watch: &'a TryWatch,
}

impl Drop for StoppedTry<'_> {
    fn drop(&mut self) {
        let before = self.watch.stopped.fetch_sub(1, Ordering::Relaxed);
        debug_assert!(
            before > 0,
            "lockstep: a try left its scheduling point twice"
        );
    }
}
