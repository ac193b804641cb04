//! # lockstep: deterministic simulation testing for concurrent Rust
//!
//! Write concurrent code once against this crate's std-shaped facade ([`sync`], [`thread`],
//! [`time`], [`fault`]); it runs on **std** in production, is explored **randomly by
//! shuttle** (`--features shuttle`: random, PCT, POS, DFS) from a seed and **exhaustively by
//! loom** (`RUSTFLAGS="--cfg loom"`), and every failure becomes a seed file that replays it,
//! with a readable trace.
//!
//! ```
//! use lockstep::sync::{Arc, Mutex};
//! use lockstep::thread;
//! use lockstep::time::Duration;
//!
//! let lock = Arc::new(Mutex::named("resource", ()));
//! let guard = lock.lock();
//! let waiter = {
//!     let lock = Arc::clone(&lock);
//!     thread::spawn(move || lock.lock_timeout(Duration::from_millis(10)).is_err())
//! };
//! // Under shuttle and loom the waiter times out at virtual t = 10 ms, instantly.
//! assert!(waiter.join().unwrap());
//! drop(guard);
//! ```
//!
//! ## Testing your own code
//!
//! ```
//! use lockstep::sync::{Arc, Mutex};
//!
//! #[lockstep::test]
//! fn two_increments_both_land() {
//!     let counter = Arc::new(Mutex::new(0));
//!     let c = Arc::clone(&counter);
//!     let t = lockstep::thread::spawn(move || *c.lock() += 1);
//!     *counter.lock() += 1;
//!     t.join().unwrap();
//!     assert_eq!(*counter.lock(), 2);
//! }
//! # fn main() {}
//! ```
//!
//! `cargo test` runs it once on real threads, `cargo test --features shuttle` explores it (POS,
//! 1,000 executions), `RUSTFLAGS="--cfg loom" cargo test --release` explores every
//! interleaving up to 2 preemptions; see [`check`] for the settings, the seed files a failure
//! writes and the `LOCKSTEP_*` environment knobs.
//!
//! ## The layers
//!
//! This crate is a thin re-export of three layers, each a crate that depends only on the ones
//! below it (Cargo enforces it; `tests/layers.rs` in the repository checks it):
//!
//! | layer | crate | what | builds |
//! |---|---|---|---|
//! | command line | `lockstep-cli` | `lockstep::cli::main(SCENARIOS)`: list, explore, replay, shrink, adopt | feature `cli` |
//! | test attribute | `lockstep-macros` | [`test`]: `#[lockstep::test]` expands to [`check::Test`] | all |
//! | tools | `lockstep-explore` | `explore` (Explorer, strategies), `replay`, `shrink`, `seed`, `schedule`, and the simulated [`check`] | shuttle, loom |
//! | facade | `lockstep-facade` | [`sync`], [`thread`], [`time`], [`fault`], [`coverage`], [`trace`], [`scenario`], [`linearizability`], [`execution`] | all |
//! | engine | `lockstep-engine` | per-execution ghost state: clock, threads, waits, held stacks, lock-order graph, trace records, fault streams | all (kernel: shuttle, loom) |
//!
//! A newcomer starts with the facade's `ghost` module (the one backend switch), then the
//! engine's `kernel` module docs (how virtual time and deadlock detection work), then
//! `explore`.
//!
//! A production build (std, default features) compiles the facade and the engine only: none of
//! the tools' dependencies (toml, serde, clap, indicatif, serde_json).
//!
//! ## What each build has
//!
//! One body compiles in every build; the tools around it differ. Docs built for one build show
//! only its items (shuttle and loom cannot be built together), so this table lists all of
//! them, and on docs.rs each backend-only item carries a badge naming its build.
//!
//! | item | std | shuttle | loom |
//! |---|---|---|---|
//! | [`sync`], [`thread`], [`time`], [`fault`], [`coverage`], [`trace`], [`scenario`], [`linearizability`], [`execution`] | yes | yes | yes |
//! | [`test`] and `check::{check, check_random, check_pct, check_pos, check_dfs, check_exhaustive}` | runs the body once | explores as named (`check_exhaustive`: the default search, POS) | explores exhaustively (the sampling ones too: loom only enumerates) |
//! | `check::Test` (per-test seeds, replay line) | - | yes | yes |
//! | `fault::set_std_plan` (faults on real threads) | yes | - | - |
//! | `explore::{Explorer, Report, Failure, Stats}`, `replay`, `seed` | - | yes | yes |
//! | `explore::Strategy` | - | `Random`, `Pct { depth }`, `Pos`, `Rff`, `Dfs` | `Exhaustive { preemption_bound }` |
//! | `explore::{Feedback, FeedbackError}`, `Explorer::feedback` (what the reads-from search learned: saved, loaded, merged) | - | yes | - |
//! | `explore::explore` (strategy, seed, iterations) | - | yes | - |
//! | `explore::explore_exhaustive` | - | - | yes |
//! | `schedule` (pending operations, for custom schedulers), `shrink` | - | yes | - |
//! | `sync::atomic::*::get_mut` / `with_mut` (an atomic's value in place), `const fn new` | `get_mut`, `const` | `get_mut`, `const` | `with_mut` (not `AtomicBool`), not `const` |
//! | `sync::atomic::AtomicPtr::{fetch_ptr_add, fetch_ptr_sub, fetch_byte_add, fetch_byte_sub, fetch_or, fetch_and, fetch_xor}` | std's | shuttle's (one read-modify-write) | a `try_update` loop (loom has none: a load, then a compare-exchange) |
//! | `thread::Builder::stack_size` | std's | the thread's shuttle stack (at least 64 KiB) | the thread's loom stack (at least 64 KiB) |
//! | `thread::available_parallelism` | std's | 4 (or the size knob `available_parallelism`) | 4 (or the size knob) |
//! | `JoinHandle::is_finished` after the thread's last step | std's | `false` or `true` (a draw per call) | `false` or `true` (the thread's end is a scheduling point) |
//! | threads per execution | any | any | at most 5, main and finished ones included (loom's `MAX_THREADS`; a sixth spawn is reported) |
//! | [`tokio`] (feature `tokio`: `block_on`, `task`, `time` (`interval`), `sync::{Mutex, RwLock, Semaphore, Notify, mpsc, oneshot}`, `select!`, `fault::cancellable`, and [`test`] on an `async fn`; docs/ASYNC.md) | on tokio, a held stack per task | on shuttle's executor, virtual time | a loom thread per task (at most 4), virtual time |
//! | `cli::main` (feature `cli`) | - | list, explore, replay, shrink, adopt | list, explore, replay, adopt (`cli::SHRINK_NEEDS_SHUTTLE`) |
//!
//! ## Using it from your crate
//!
//! ```toml
//! [dependencies]
//! lockstep = { package = "lockstep-dst", version = "0.1" }
//!
//! [features]
//! shuttle = ["lockstep/shuttle"]
//!
//! [lints.rust]
//! unexpected_cfgs = { level = "warn", check-cfg = ["cfg(loom)"] }
//! ```
#![warn(missing_docs)]
// docs.rs (nightly) shows which build has each item; see "What each build has" in `lockstep`.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use lockstep_facade::*;

/// Explores one test body on the build's backend: `#[lockstep::test]` or
/// `#[lockstep::test(iterations = 500, strategy = "pct-3", preemption_bound = 3)]` (see
/// [`check::Test`] for every setting).
pub use lockstep_macros::test;

#[cfg(any(loom, feature = "shuttle"))]
#[cfg_attr(docsrs, doc(cfg(any(loom, feature = "shuttle"))))]
pub use lockstep_explore::*;

/// The command line for a crate's scenarios (feature `cli`): see `lockstep_cli`.
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub use lockstep_cli as cli;
