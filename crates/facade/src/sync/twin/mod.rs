//! The backend switch of the primitives that are std's own under std: `mpsc` channels,
//! `Barrier`, `Once`, `OnceLock` and `LazyLock`.
//!
//! Each has two twins with the same items and signatures. Under std, [`real`]: std's own type
//! (the production path is std's, not a model of it). Under shuttle and loom, [`simulated`]:
//! the state behind one backend mutex (one scheduling point per operation, where std's own
//! would have an atomic or a lock) and the waiting on the engine's wait queues through
//! `ghost::park`, so traces, deadlock reports, virtual time and pending operations see every
//! wait. The public types (`sync::mpsc`, `sync::Barrier`, ...) are written once over these.

#[cfg(not(any(loom, feature = "shuttle")))]
mod real;
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) use real::*;
#[cfg(any(loom, feature = "shuttle"))]
mod simulated;
#[cfg(any(loom, feature = "shuttle"))]
pub(crate) use simulated::*;
