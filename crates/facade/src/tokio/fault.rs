//! Cancellation as a fault site: the fault seed decides where a future is dropped.
//!
//! Dropping a future at an await point is how async Rust cancels work (`timeout`, `select!`,
//! `abort`, a client hanging up), and code that is not cancel-safe breaks only when the drop
//! lands between two particular awaits. [`cancellable`] makes every await point of a future a
//! fault site of kind [`FaultKind::Cancellation`]: at each `Pending` return the fault layer
//! draws, from the task's own fault stream, whether to drop the future there. The draws are
//! like every other fault's: set by the [`FaultPlan`] (by site name, or for the whole kind),
//! recorded in the seed file with the fault seed, replayed exactly, and removed one site at a
//! time by the shrinker. Under std nothing fires unless `lockstep::fault::set_std_plan` says so.
//!
//! ```
//! use lockstep::tokio::{block_on, fault::cancellable, task};
//!
//! let outcome = block_on(cancellable("generate", async {
//!     task::yield_now().await; // an await point: the seed may cancel here
//!     "schedule"
//! }));
//! assert_eq!(outcome, Ok("schedule")); // no plan, so nothing fires
//! ```
//!
//! [`FaultPlan`]: crate::fault::FaultPlan
//! [`FaultKind::Cancellation`]: crate::fault::FaultKind::Cancellation

use crate::fault::{self, FaultKind, FaultSite};
use crate::ghost;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A cancellable future was dropped at an await point because its fault site fired.
///
/// ```
/// use lockstep::tokio::fault::Cancelled;
///
/// let cancelled = Cancelled { site: "generate", await_point: 2 };
/// assert_eq!(
///     cancelled.to_string(),
///     "cancelled by fault site `generate` at its await point 2"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled by fault site `{site}` at its await point {await_point}")]
pub struct Cancelled {
    /// The fault site's name.
    pub site: &'static str,
    /// Which of the future's `Pending` returns it was dropped at, counting from 1.
    pub await_point: usize,
}

/// The future of [`cancellable`]: the inner future's output, or [`Cancelled`] once the fault
/// site fires at one of its await points (the inner future is then dropped there).
#[must_use = "a cancellable future does nothing unless awaited"]
pub struct Cancellable<F> {
    site: FaultSite,
    /// The inner future, until it returns or is cancelled.
    future: Option<Pin<Box<F>>>,
    /// How many times the inner future returned `Pending`.
    await_points: usize,
}

/// `future`, which the fault plan may cancel at any of its await points: fault site `site`
/// (kind [`FaultKind::Cancellation`]) is passed every time `future` returns `Pending`, and
/// when it fires `future` is dropped right there and the caller gets `Err(`[`Cancelled`]`)`.
///
/// ```
/// use lockstep::fault::{self, FaultPlan};
/// use lockstep::tokio::{block_on, fault::cancellable, task};
///
/// // Under std a plan is set by hand; under shuttle and loom by the test's `faults` setting.
/// fault::set_std_plan(Some((FaultPlan::none().site("generate", 1.0), 7)));
/// let outcome = block_on(cancellable("generate", async {
///     task::yield_now().await;
///     "schedule"
/// }));
/// fault::set_std_plan(None);
/// assert_eq!(outcome.unwrap_err().await_point, 1);
/// ```
pub fn cancellable<F: Future>(site: &'static str, future: F) -> Cancellable<F> {
    Cancellable {
        site: FaultSite::new(site, FaultKind::Cancellation),
        future: Some(Box::pin(future)),
        await_points: 0,
    }
}

impl<F: Future> Future for Cancellable<F> {
    type Output = Result<F::Output, Cancelled>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let future = this
            .future
            .as_mut()
            .expect("lockstep: a cancellable future was polled after it returned");
        let mark = ghost::awaits_mark();
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            this.future = None;
            return Poll::Ready(Ok(output));
        }
        this.await_points += 1;
        if fault::point(&this.site).is_ok() {
            return Poll::Pending;
        }
        // Dropped at its await point: it leaves the queues it waited in, and what it
        // registered with the kernel in this poll is no longer the task's wait.
        this.future = None;
        ghost::withdraw_awaits(mark);
        Poll::Ready(Err(Cancelled {
            site: this.site.name,
            await_point: this.await_points,
        }))
    }
}

impl<F> Unpin for Cancellable<F> {}

impl<F> std::fmt::Debug for Cancellable<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cancellable")
            .field("site", &self.site.name)
            .field("await_points", &self.await_points)
            .field("done", &self.future.is_none())
            .finish()
    }
}
