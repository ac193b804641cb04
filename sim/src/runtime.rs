//! Running a test body as simulated executions.
//!
//! [`execution`] wraps a body so that each execution starts with a fresh kernel (virtual clock
//! at zero, thread registry, object numbering, trace). Hand the result to loom's or shuttle's own
//! runners, or use `sim::explorer::Explorer`, which also records schedules, catches the first
//! failure with its message and trace, and writes seed files.
//!
//! Under std, [`execution`] returns the body unchanged: it runs once on real threads.

use std::any::Any;

/// The message of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

#[cfg(not(any(loom, feature = "shuttle")))]
/// Wraps a test body as one execution; under std it just runs the body.
pub fn execution<F>(body: F) -> impl Fn() + Send + Sync + 'static
where
    F: Fn() + Send + Sync + 'static,
{
    body
}

#[cfg(any(loom, feature = "shuttle"))]
pub use crate::explorer::{Explorer, Failure, Stats, Strategy};
#[cfg(any(loom, feature = "shuttle"))]
pub use crate::harness::execution;

/// Explores every interleaving of `body` with loom, up to `preemption_bound` preemptions;
/// shorthand for an [`Explorer`] with [`Strategy::Exhaustive`].
#[cfg(loom)]
pub fn explore_exhaustive<F>(preemption_bound: Option<usize>, body: F) -> Result<Stats, Failure>
where
    F: Fn() + Send + Sync + 'static,
{
    Explorer::new(Strategy::Exhaustive { preemption_bound }).run(body)
}

/// Explores `iterations` executions of `body` with shuttle, scheduling by `strategy` from
/// `seed`; shorthand for an [`Explorer`].
#[cfg(all(feature = "shuttle", not(loom)))]
pub fn explore<F>(
    strategy: Strategy,
    seed: u64,
    iterations: usize,
    body: F,
) -> Result<Stats, Failure>
where
    F: Fn() + Send + Sync + 'static,
{
    Explorer::new(strategy)
        .seed(seed)
        .iterations(iterations)
        .run(body)
}
