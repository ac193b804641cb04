//! Time: real under std, virtual under shuttle and loom.
//!
//! Under simulation the clock starts at zero in every execution and moves only when every live
//! thread is blocked in a lockstep primitive and at least one has a deadline: it then jumps to
//! the earliest deadline. [`sleep`] and every timed wait use it, so timeouts fire exactly when
//! the virtual durations say, and an execution with a 60 s sleep runs in microseconds.
//!
//! ```
//! use sim::time::{sleep, Duration, Instant};
//!
//! let start = Instant::now();
//! sleep(Duration::from_millis(1));
//! assert!(start.elapsed() >= Duration::from_millis(1));
//! ```

use std::fmt;
use std::ops::{Add, Sub};

/// A span of time; the same type as `std::time::Duration` (a plain value, no clock behind it).
pub use std::time::Duration;

/// A moment: real (`std::time::Instant`) under std, virtual time since the start of the
/// execution under shuttle and loom.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(Repr);

#[cfg(not(any(loom, feature = "shuttle")))]
type Repr = std::time::Instant;
#[cfg(any(loom, feature = "shuttle"))]
type Repr = Duration;

impl Instant {
    /// The current time.
    pub fn now() -> Instant {
        #[cfg(not(any(loom, feature = "shuttle")))]
        return Instant(std::time::Instant::now());
        #[cfg(any(loom, feature = "shuttle"))]
        return Instant(crate::kernel::now());
    }

    /// The time elapsed from `earlier` to `self` (zero if `earlier` is later).
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since_compat(earlier.0)
    }

    /// The time elapsed since `self`.
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// Virtual time since the start of the execution (simulation only).
    #[cfg(any(loom, feature = "shuttle"))]
    pub fn since_start(self) -> Duration {
        self.0
    }
}

/// `saturating_duration_since` for both representations.
trait SaturatingSince {
    fn saturating_duration_since_compat(&self, earlier: Self) -> Duration;
}

impl SaturatingSince for std::time::Instant {
    fn saturating_duration_since_compat(&self, earlier: Self) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl SaturatingSince for Duration {
    fn saturating_duration_since_compat(&self, earlier: Self) -> Duration {
        self.saturating_sub(earlier)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant(self.0 + rhs)
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(any(loom, feature = "shuttle"))]
        return write!(f, "t={:?}", self.0);
        #[cfg(not(any(loom, feature = "shuttle")))]
        return self.0.fmt(f);
    }
}

/// Blocks the calling thread for `duration` (virtual time under simulation).
pub fn sleep(duration: Duration) {
    #[cfg(not(any(loom, feature = "shuttle")))]
    std::thread::sleep(duration);
    #[cfg(any(loom, feature = "shuttle"))]
    {
        if duration.is_zero() {
            crate::kernel::set_pending(crate::pending::OpKind::Sleep, None);
            crate::backend::thread::yield_now();
            return;
        }
        let deadline = Instant::now() + duration;
        crate::kernel::Caller::current().wait(crate::kernel::WaitOn::Sleep, Some(deadline));
    }
}

/// The deadline `timeout` from now, or `None` if it does not fit in the clock.
pub(crate) fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().0.checked_add(timeout).map(Instant)
}
