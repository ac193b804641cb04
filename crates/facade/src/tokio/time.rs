//! Time for tasks, shaped like `tokio::time`: [`sleep`], [`sleep_until`], [`timeout`],
//! [`interval`], on lockstep's [`Instant`].
//!
//! Under simulation these run on the execution's one virtual clock, shared with threads: it
//! moves only when every thread and task is blocked and a deadline is pending, so
//! `timeout(Duration::from_secs(30), fut)` fires at exactly t = 30 s, in microseconds.

use super::executor;
pub use crate::time::{Duration, Instant};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future that is ready once its deadline has passed.
///
/// ```
/// use lockstep::tokio::{block_on, time};
///
/// block_on(time::sleep(time::Duration::from_millis(1)));
/// ```
pub struct Sleep {
    deadline: Instant,
    timer: executor::Sleep,
}

impl Sleep {
    /// When it is ready.
    ///
    /// ```
    /// use lockstep::tokio::time::{self, Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(time::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.timer).poll(cx)
    }
}

/// Sleeps for `duration` (virtual time under simulation).
///
/// ```
/// use lockstep::tokio::{block_on, time};
///
/// block_on(time::sleep(time::Duration::ZERO));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Sleeps until `deadline` (virtual time under simulation).
///
/// ```
/// use lockstep::tokio::{block_on, time};
///
/// block_on(time::sleep_until(time::Instant::now()));
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        timer: executor::sleep_until(deadline),
    }
}

/// The error of a [`timeout`] whose future did not finish in time.
///
/// ```
/// use lockstep::tokio::{block_on, time};
/// use std::future::pending;
///
/// let elapsed = block_on(time::timeout(time::Duration::from_millis(1), pending::<()>()));
/// assert_eq!(
///     elapsed.unwrap_err().to_string(),
///     "deadline has elapsed: the future did not finish within 1ms"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("deadline has elapsed: the future did not finish within {after:?}")]
pub struct Elapsed {
    after: Duration,
}

impl Elapsed {
    /// How long the future was given.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, time};
    ///
    /// let elapsed = block_on(time::timeout(time::Duration::ZERO, std::future::pending::<()>()));
    /// assert_eq!(elapsed.unwrap_err().after(), time::Duration::ZERO);
    /// ```
    pub fn after(&self) -> Duration {
        self.after
    }
}

/// `future`, given at most `after`: its output, or [`Elapsed`] once the deadline passes first
/// (the future is then dropped: cancelled at its await point). The future is polled before
/// the deadline is looked at, as tokio does.
pub struct Timeout<F> {
    future: Pin<Box<F>>,
    sleep: Sleep,
    after: Duration,
}

/// Runs `future` for at most `after` (virtual time under simulation).
///
/// ```
/// use lockstep::tokio::{block_on, time};
///
/// let done = block_on(time::timeout(time::Duration::from_secs(30), async { 7 }));
/// assert_eq!(done, Ok(7));
/// ```
pub fn timeout<F: Future>(after: Duration, future: F) -> Timeout<F> {
    Timeout {
        future: Box::pin(future),
        sleep: sleep(after),
        after,
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mark = crate::ghost::awaits_mark();
        if let Poll::Ready(output) = self.future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let after = self.after;
        let elapsed = Pin::new(&mut self.sleep).poll(cx).is_ready();
        if !elapsed {
            return Poll::Pending;
        }
        // Given up on: the future is never polled again, so what it registered in this poll
        // is not the task's wait.
        crate::ghost::withdraw_awaits(mark);
        Poll::Ready(Err(Elapsed { after }))
    }
}

/// Ticks every `period`, the first tick at once, like `tokio::time::interval`. Panics if
/// `period` is zero.
///
/// ```
/// use lockstep::tokio::{block_on, time};
///
/// let mut every = time::interval(time::Duration::from_millis(1));
/// let (first, second) = block_on(async { (every.tick().await, every.tick().await) });
/// assert_eq!(second - first, time::Duration::from_millis(1));
/// ```
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`. Panics if `period` is zero.
///
/// ```
/// use lockstep::tokio::{block_on, time};
///
/// let start = time::Instant::now() + time::Duration::from_millis(2);
/// let mut every = time::interval_at(start, time::Duration::from_millis(1));
/// assert_eq!(block_on(every.tick()), start);
/// ```
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "lockstep::tokio: an interval's period must be non-zero"
    );
    Interval {
        next: start,
        period,
    }
}

/// A timer that ticks every period, made by [`interval`] or [`interval_at`].
///
/// Missed ticks are made up in a burst (tokio's default `MissedTickBehavior::Burst`, the one
/// behaviour offered): a `tick` that comes late returns at once, as many times as ticks were
/// missed, each with the instant it was due; then the schedule goes on from the start
/// (ticks stay at `start + k * period`).
pub struct Interval {
    /// When the next tick is due.
    next: Instant,
    period: Duration,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was due (not when it was seen).
    /// Cancel-safe: a `tick` dropped before it completes leaves the schedule as it was.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, time};
    ///
    /// let mut every = time::interval(time::Duration::from_secs(10));
    /// let start = block_on(every.tick()); // at once
    /// assert_eq!(block_on(every.tick()), start + time::Duration::from_secs(10));
    /// ```
    pub async fn tick(&mut self) -> Instant {
        let due = self.next;
        sleep_until(due).await;
        self.next = due + self.period;
        due
    }

    /// The time between ticks.
    ///
    /// ```
    /// use lockstep::tokio::time;
    ///
    /// let every = time::interval(time::Duration::from_secs(1));
    /// assert_eq!(every.period(), time::Duration::from_secs(1));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Restarts the schedule: the next tick is due one period from now.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, time};
    ///
    /// let mut every = time::interval(time::Duration::from_millis(1));
    /// every.reset();
    /// let before = time::Instant::now();
    /// assert!(block_on(every.tick()) >= before);
    /// ```
    pub fn reset(&mut self) {
        self.next = Instant::now() + self.period;
    }
}

impl std::fmt::Debug for Interval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interval every {:?}", self.period)
    }
}
