//! Running a body on the simulation backend: the [`harness`] around every execution, the
//! strategies and the backend drivers ([`shuttle`] or [`loom`], chosen here, once), and
//! lockstep's own shuttle schedulers ([`schedule`]).

mod backend_failure;
pub(crate) mod harness;
#[cfg(loom)]
mod loom;
#[cfg(feature = "shuttle")]
pub(crate) mod schedule;
#[cfg(feature = "shuttle")]
mod shuttle;

#[cfg(loom)]
pub use self::loom::Strategy;
#[cfg(loom)]
pub(crate) use self::loom::*;
#[cfg(feature = "shuttle")]
pub use self::shuttle::Strategy;
#[cfg(feature = "shuttle")]
pub(crate) use self::shuttle::*;
#[cfg(feature = "shuttle")]
#[cfg_attr(docsrs, doc(cfg(feature = "shuttle")))]
pub use self::shuttle::{Feedback, FeedbackError};

use lockstep_engine::kernel::FaultSeed;
use std::path::Path;
use std::time::Duration;

/// How one exploration drives the backend: its strategy and budgets.
pub(crate) struct Drive<'a> {
    /// The strategy.
    pub(crate) strategy: Strategy,
    /// The seed of the random strategies (shuttle; loom enumerates).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) seed: u64,
    /// The most executions (shuttle; loom runs until it has enumerated every interleaving).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) iterations: usize,
    /// Wall-clock time after which exploring stops.
    pub(crate) time_budget: Option<Duration>,
    /// Where loom keeps the path of the execution it is running (loom; a seed file needs it).
    pub(crate) checkpoint: Option<&'a Path>,
    /// Where each execution's fault seed comes from (DFS moves through the plans).
    pub(crate) fault_seed: &'a FaultSeed,
    /// What the reads-from search starts from and leaves what it learned in (shuttle).
    #[cfg(feature = "shuttle")]
    pub(crate) feedback: Option<&'a Feedback>,
}
