//! The facade's one backend switch: where an operation's ghost half goes.
//!
//! Every primitive is written once against this module. Under shuttle and loom it is
//! [`simulated`]: the engine's kernel (virtual clock, thread registry, waits, trace, fault
//! streams). Under std it is [`real`]: real time, real parking, a held stack per thread (and
//! per async task), and no-ops for what only a simulation records (pending operations, trace
//! events). Both twins expose the same items with the same signatures; nothing else in the
//! facade names a backend feature except `sync::atomic`, which wraps shuttle's atomics to
//! record pending operations.

#[cfg(not(any(loom, feature = "shuttle")))]
mod real;
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) use real::*;
#[cfg(not(any(loom, feature = "shuttle")))]
pub use real::{execution, set_std_plan, AccessError, LocalKey};
#[cfg(any(loom, feature = "shuttle"))]
mod local;
#[cfg(any(loom, feature = "shuttle"))]
pub use local::{AccessError, LocalKey};
#[cfg(any(loom, feature = "shuttle"))]
mod simulated;
#[cfg(any(loom, feature = "shuttle"))]
pub use simulated::execution;
#[cfg(any(loom, feature = "shuttle"))]
pub(crate) use simulated::*;
