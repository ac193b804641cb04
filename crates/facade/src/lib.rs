//! # lockstep-facade: what model code is written against
//!
//! Users reach this crate through `lockstep` (package `lockstep-dst`), which re-exports it:
//! `lockstep::sync`, `lockstep::thread`, `lockstep::time`, ... Model code is written once
//! against [`sync`], [`thread`] and [`time`]. The same code then runs on:
//!
//! | build | backend | used for |
//! |---|---|---|
//! | `cargo test` | std | production: real threads, real time |
//! | `cargo test --features shuttle` | shuttle | random / PCT / POS / DFS exploration |
//! | `RUSTFLAGS="--cfg loom" cargo test --release` | loom | exhaustive exploration |
//!
//! Under shuttle and loom, time is **virtual**: it starts at zero in every execution and moves
//! only when every live thread is blocked in a lockstep primitive and at least one of them has a
//! deadline; the clock then jumps to the earliest deadline and those waiters wake. So a 30 s lock
//! timeout really fires, at exactly t = 30 s, in a test that runs in microseconds. With no
//! deadline pending, "everyone blocked" is a deadlock, reported with every blocked thread, the
//! object it waits for and who holds it.
//!
//! Simulated executions must run inside [`execution`] (or a `lockstep::explore::Explorer`),
//! which installs the per-execution kernel (clock, thread registry, trace).
//!
//! The map of the crate, in reading order:
//!
//! | module | job |
//! |---|---|
//! | `ghost` (private) | the backend switch: each operation's ghost half, simulated or real |
//! | [`sync`], [`thread`], [`time`] | the facade: std-shaped primitives, ranked locks, virtual time |
//! | [`fault`], [`coverage`], [`trace`] | what model code declares: fault sites, coverage points, trace events |
//! | [`random`] | random draws for model code that are part of the seed |
//! | [`scenario`] | named self-checking programs with planted bugs, and their size knobs |
//! | [`linearizability`] | checking a recorded history against a sequential specification |
//!
//! Everything below (the kernel, object identities, the lock-order graph) is in
//! `lockstep-engine`; everything above (exploring, replaying, shrinking, seed files) in
//! `lockstep-explore`.
//!
//! ```
//! use lockstep::sync::{Arc, Mutex};
//! use lockstep::thread;
//!
//! let counter = Arc::new(Mutex::new(0));
//! let c = Arc::clone(&counter);
//! let t = thread::spawn(move || *c.lock() += 1);
//! t.join().unwrap();
//! assert_eq!(*counter.lock(), 1);
//! ```
#![warn(missing_docs)]
// docs.rs (nightly) shows which build has each item; see "What each build has" in `lockstep`.
#![cfg_attr(docsrs, feature(doc_cfg))]

use lockstep_engine::backend;

mod error;
mod ghost;
mod hierarchy;

/// Testing your own code; this is the std build's, which runs each body once (the simulated
/// builds' is `lockstep-explore`'s).
#[cfg(not(any(loom, feature = "shuttle")))]
#[cfg_attr(docsrs, doc(cfg(not(any(loom, feature = "shuttle")))))]
pub mod check;
pub mod coverage;
pub mod fault;
pub mod linearizability;
pub mod random;
pub mod scenario;
pub mod sync;
pub mod thread;
pub mod time;
/// Async code, shaped like tokio (feature `tokio`; see docs/ASYNC.md).
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;
pub mod trace;

pub use error::LockError;

/// Declares thread-local keys, shaped like `std::thread_local!`: `static NAME: T = init;`
/// (or `= const { init }`), each a [`thread::LocalKey`]. Under std it is
/// `std::thread_local!`; under shuttle and loom each simulated thread gets its own value,
/// initialized at its first use, dropped when the thread ends and fresh in every execution
/// (see [`thread`]'s "Thread-locals").
///
/// ```
/// use lockstep::thread;
/// use std::cell::Cell;
///
/// lockstep::thread_local! {
///     static CALLS: Cell<u32> = const { Cell::new(0) };
/// }
///
/// CALLS.set(CALLS.get() + 1);
/// // Another thread starts from the initial value: it has its own.
/// assert_eq!(thread::spawn(|| CALLS.get()).join().unwrap(), 0);
/// assert_eq!(CALLS.get(), 1);
/// ```
pub use crate::__lockstep_thread_local as thread_local;

pub use ghost::execution;
/// The key type `thread_local!` declares under simulation, at a path its expansion can name.
#[doc(hidden)]
pub use ghost::LocalKey as __ThreadLocalKey;

/// The name of the backend this build runs on: `"std"`, `"shuttle"` or `"loom"`.
pub const BACKEND: &str = backend::NAME;

/// Whether this build simulates (shuttle or loom: virtual time, controlled scheduling).
pub const SIMULATED: bool = cfg!(any(loom, feature = "shuttle"));

/// The message of a panic payload (`&str` or `String`), as failures report it.
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("lost update")).unwrap_err();
/// assert_eq!(lockstep::panic_message(&*payload), "lost update");
/// ```
pub use lockstep_engine::panic::message as panic_message;
