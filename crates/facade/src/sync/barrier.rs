//! A barrier: `n` threads wait until all `n` have arrived, then all go on; one of each
//! generation is its leader.

use super::twin;
use std::fmt;

/// A reusable barrier for a fixed number of threads, like `std::sync::Barrier` (std's own
/// under std). Under simulation a thread that waits forever is in the deadlock report with the
/// count: `waits at Barrier#2 (1 of 3 arrived)`.
///
/// ```
/// use lockstep::sync::{Arc, Barrier};
/// use lockstep::thread;
///
/// let barrier = Arc::new(Barrier::new(2));
/// let b = Arc::clone(&barrier);
/// let other = thread::spawn(move || b.wait().is_leader());
/// let mine = barrier.wait().is_leader();
/// assert!(mine != other.join().unwrap(), "exactly one leader");
/// ```
pub struct Barrier(twin::Barrier);

/// What [`Barrier::wait`] returns: whether this thread is its generation's leader.
///
/// ```
/// let result = lockstep::sync::Barrier::new(1).wait();
/// assert!(result.is_leader());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult {
    leader: bool,
}

impl Barrier {
    /// A barrier for `n` threads (0 and 1 let every waiter through at once), named
    /// `Barrier#N` by creation order.
    ///
    /// ```
    /// let barrier = lockstep::sync::Barrier::new(0);
    /// assert!(barrier.wait().is_leader());
    /// ```
    pub fn new(n: usize) -> Self {
        Barrier(twin::Barrier::new(None, n))
    }

    /// A barrier for `n` threads with a name for reports and traces.
    ///
    /// ```
    /// let barrier = lockstep::sync::Barrier::named("start", 1);
    /// assert!(barrier.wait().is_leader());
    /// ```
    pub fn named(name: &str, n: usize) -> Self {
        Barrier(twin::Barrier::new(Some(name), n))
    }

    /// Waits until all `n` threads of this generation have called `wait`; the last to arrive
    /// is the leader. The barrier is then ready for the next generation.
    ///
    /// ```
    /// let barrier = lockstep::sync::Barrier::new(1);
    /// assert!(barrier.wait().is_leader());
    /// assert!(barrier.wait().is_leader()); // a new generation
    /// ```
    pub fn wait(&self) -> BarrierWaitResult {
        BarrierWaitResult {
            leader: self.0.wait(),
        }
    }
}

impl BarrierWaitResult {
    /// Whether this thread is the leader of its generation (exactly one is).
    ///
    /// ```
    /// assert!(lockstep::sync::Barrier::new(1).wait().is_leader());
    /// ```
    pub fn is_leader(&self) -> bool {
        self.leader
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
