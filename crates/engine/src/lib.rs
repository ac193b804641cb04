//! # lockstep-engine: the ghost state under lockstep's facade
//!
//! This crate is lockstep's bottom layer. Users never import it: they depend on `lockstep`,
//! whose facade (`lockstep::sync`, `thread`, `time`, ...) is written on top of it. It holds
//! what one simulated execution knows about itself and that the backends (shuttle, loom) do
//! not model: the virtual clock, the thread registry, what every thread holds and waits for,
//! the lock-order graph, the trace, the fault streams and each thread's pending operation.
//!
//! The layers above (`lockstep-facade`, then `lockstep-explore`, then `lockstep-cli`) may import
//! this crate; it imports none of them, and Cargo enforces that.
//!
//! | module | job | builds |
//! |---|---|---|
//! | [`access`] | atomic accesses with their values, for the trace and the livelock detector | all |
//! | [`backend`] | the one place that names std, shuttle or loom | all |
//! | [`object`] | a primitive's identity: kind, canonical name, class and key, wait queue | all |
//! | [`op`] | pending operations (what a thread is about to do), for partial-order search | all |
//! | [`wait`] | parked waiters and their queues; what a blocked thread waits on | all |
//! | [`held`] | one entry of a thread's held-lock stack | all |
//! | [`liveness`] | liveness hints: timed waits that timed out while what they waited for was there | all |
//! | [`lock_graph`] | the lockdep-style lock-order graph of an exploration | all |
//! | [`fault_plan`] | fault sites, plans and their per-thread ChaCha streams | all |
//! | [`trace`] | trace records and their rendering as a table | all |
//! | [`try_watch`] | the tries stopped at a lock's scheduling point, and its holders' yields | all |
//! | [`panic`](mod@panic) | panic payloads as messages | all |
//! | `kernel` | one execution's ghost state; start reading at its module docs | shuttle, loom |
//!
//! Under std only the data types are compiled; the kernel exists only under simulation.
#![warn(missing_docs)]

#[cfg(all(loom, feature = "shuttle"))]
compile_error!(
    "lockstep: choose one backend. `--cfg loom` selects loom (exhaustive) and \
     `--features shuttle` selects shuttle (randomized); they cannot be enabled together."
);

pub mod access;
pub mod backend;
pub mod fault_plan;
pub mod held;
pub mod liveness;
pub mod lock_graph;
pub mod object;
pub mod op;
pub mod panic;
pub mod trace;
pub mod try_watch;
pub mod wait;

#[cfg(any(loom, feature = "shuttle"))]
pub mod kernel;
