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
//! Under loom the watch also holds the lock's *probe*, a loom atomic that plain tries store to
//! and holders load, so that loom's partial-order reduction orders each try against the
//! holders' steps (see [`TryWatch::pass_probe`]).
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
    /// The loom probe, attached by the lock that owns the watch when it is made (inside an
    /// execution, where loom objects can be made, and before the lock is shared: loom counts
    /// an atomic's creation as a plain write that every access must come after). Objects that
    /// are not locks have none.
    #[cfg(loom)]
    probe: std::sync::OnceLock<loom::sync::atomic::AtomicBool>,
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

    /// Under loom: a holder of the lock passes the probe, a `Relaxed` load of a loom atomic.
    ///
    /// Loads never depend on each other, so holders alone explore what raw loom does (one more
    /// branch per pass, no more executions). A plain try stores to the probe
    /// ([`touch_probe`](TryWatch::touch_probe)) right before its backend try, so loom's
    /// partial-order reduction runs each try on both sides of each pass: a holder passes the
    /// probe right after taking the lock, right before releasing it, and before each of its
    /// other operations while a try is stopped at its store (`Caller::pass_stopped_tries`),
    /// so a try lands between any two steps of the critical section.
    #[cfg(loom)]
    #[inline]
    pub fn pass_probe(&self) {
        self.probe().load(Ordering::Relaxed);
    }

    /// Under loom: a plain try of the lock stores to the probe (see
    /// [`pass_probe`](TryWatch::pass_probe)).
    #[cfg(loom)]
    #[inline]
    pub fn touch_probe(&self) {
        self.probe().store(true, Ordering::Relaxed);
    }

    /// Under loom: gives the watch its probe; the lock that owns it calls this as it is made.
    #[cfg(loom)]
    pub fn attach_probe(&self) {
        self.probe
            .get_or_init(|| loom::sync::atomic::AtomicBool::new(false));
    }

    #[cfg(loom)]
    fn probe(&self) -> &loom::sync::atomic::AtomicBool {
        self.probe
            .get()
            .expect("lockstep: a lock's try probe is attached when the lock is made")
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
