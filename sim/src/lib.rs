//! # lockstep's `sim`: one concurrency facade, three backends, virtual time
//!
//! Model code is written once against [`sync`], [`thread`] and [`time`]. The same code then
//! runs on:
//!
//! | build | backend | used for |
//! |---|---|---|
//! | `cargo test` | std | production: real threads, real time |
//! | `cargo test --features shuttle` | shuttle | random / PCT / DFS exploration |
//! | `RUSTFLAGS="--cfg loom" cargo test --release` | loom | exhaustive exploration |
//!
//! Under shuttle and loom, time is **virtual**: it starts at zero in every execution and moves
//! only when every live thread is blocked in a lockstep primitive and at least one of them has a
//! deadline; the clock then jumps to the earliest deadline and those waiters wake. So a 30 s lock
//! timeout really fires, at exactly t = 30 s, in a test that runs in microseconds. With no
//! deadline pending, "everyone blocked" is a deadlock, reported with every blocked thread, the
//! object it waits for and who holds it.
//!
//! Simulated executions must run inside [`runtime::execution`] (or an `explorer::Explorer`),
//! which installs the per-execution kernel (clock, thread registry, trace).
//!
//! The map of the crate:
//!
//! | module | job |
//! |---|---|
//! | [`sync`], [`thread`], [`time`] | the facade: std-shaped primitives, ranked locks, virtual time |
//! | `pending` (simulation builds) | each thread's next operation, for partial-order-aware scheduling |
//! | [`fault`], [`coverage`], [`trace`] | what model code declares: fault sites, coverage points, trace events |
//! | [`scenario`] | named self-checking programs with planted bugs |
//! | [`linearizability`] | checking a recorded history against a sequential specification |
//! | `explorer`, `replay`, `shrink`, `cli` (simulation builds) | exploring, replaying, shrinking, the command line |
//! | [`seed`] | seed files |
//!
//! ```
//! use sim::sync::{Arc, Mutex};
//! use sim::thread;
//!
//! let counter = Arc::new(Mutex::new(0));
//! let c = Arc::clone(&counter);
//! let t = thread::spawn(move || *c.lock() += 1);
//! t.join().unwrap();
//! assert_eq!(*counter.lock(), 1);
//! ```
#![warn(missing_docs)]

#[cfg(all(loom, feature = "shuttle"))]
compile_error!(
    "lockstep: choose one backend. `--cfg loom` selects loom (exhaustive) and \
     `--features shuttle` selects shuttle (randomized); they cannot be enabled together."
);

mod backend;
#[cfg(any(loom, feature = "shuttle"))]
pub mod cli;
pub mod coverage;
mod error;
#[cfg(any(loom, feature = "shuttle"))]
pub mod explorer;
pub mod fault;
#[cfg(any(loom, feature = "shuttle"))]
mod harness;
mod held;
mod hierarchy;
#[cfg(any(loom, feature = "shuttle"))]
mod kernel;
pub mod linearizability;
mod object;
#[cfg(any(loom, feature = "shuttle"))]
pub mod pending;
mod wait;

#[cfg(any(loom, feature = "shuttle"))]
pub mod replay;
pub mod runtime;
pub mod scenario;
#[cfg(all(feature = "shuttle", not(loom)))]
mod schedule;
pub mod seed;
#[cfg(all(feature = "shuttle", not(loom)))]
pub mod shrink;
pub mod sync;
pub mod thread;
pub mod time;
pub mod trace;

pub use error::LockError;

/// The name of the backend this build of `sim` runs on: `"std"`, `"shuttle"` or `"loom"`.
pub const BACKEND: &str = backend::NAME;

/// Whether this build simulates (shuttle or loom: virtual time, controlled scheduling).
pub const SIMULATED: bool = cfg!(any(loom, feature = "shuttle"));
