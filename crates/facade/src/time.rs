//! Time: real under std, virtual under shuttle and loom.
//!
//! Under simulation the clock starts at zero in every execution and moves only when every live
//! thread is blocked in a lockstep primitive and at least one has a deadline: it then jumps to
//! the earliest deadline. [`sleep`] and every timed wait use it, so timeouts fire exactly when
//! the virtual durations say, and an execution with a 60 s sleep runs in microseconds.
//!
//! ```
//! use lockstep::time::{sleep, Duration, Instant};
//!
//! let start = Instant::now();
//! sleep(Duration::from_millis(1));
//! assert!(start.elapsed() >= Duration::from_millis(1));
//! ```

use crate::ghost;
use std::fmt;
use std::ops::{Add, Sub};

/// A span of time; the same type as `std::time::Duration` (a plain value, no clock behind it).
pub use std::time::Duration;

/// A moment: real (`std::time::Instant`) under std, virtual time since the start of the
/// execution under shuttle and loom.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(ghost::Moment);

impl Instant {
    /// The current time.
    pub fn now() -> Instant {
        Instant(ghost::now())
    }

    /// The time elapsed from `earlier` to `self` (zero if `earlier` is later).
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        ghost::since(self.0, earlier.0)
    }

    /// The time elapsed since `self`.
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// Virtual time since the start of the execution under simulation; under std, the time
    /// since the process first asked (so only differences mean anything there).
    pub fn since_start(self) -> Duration {
        ghost::since_start(self.0)
    }

    /// The moment, as the backend twin keeps it (for deadlines handed to the kernel).
    pub(crate) fn moment(self) -> ghost::Moment {
        self.0
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
        ghost::fmt_moment(&self.0, f)
    }
}

/// Blocks the calling thread for `duration` (virtual time under simulation).
pub fn sleep(duration: Duration) {
    ghost::sleep(duration);
}

/// The deadline `timeout` from now, or `None` if it does not fit in the clock.
pub(crate) fn deadline_after(timeout: Duration) -> Option<Instant> {
    Instant::now().0.checked_add(timeout).map(Instant)
}
