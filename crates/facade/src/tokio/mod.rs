//! # `lockstep::tokio`: async code, explored with the sync facade's guarantees
//!
//! The paths mirror tokio's ([`task`], [`time`], [`sync`], [`select!`]), so porting is
//! replacing `tokio::` by `lockstep::tokio::`. The design, the backends and what is not built yet are
//! in `docs/ASYNC.md`.
//!
//! | build | tasks run on | time | held stacks, ranks |
//! |---|---|---|---|
//! | std (`--features tokio`) | a tokio multi-threaded runtime | tokio's timer, real time | each task's own (task-local) |
//! | shuttle (`--features shuttle,tokio`) | shuttle's futures executor | the kernel's virtual clock | each task's own (its thread record) |
//! | loom (`--cfg loom`) | a loom thread per task in `loom::future::block_on` (at most 4) | the kernel's virtual clock | each task's own (its thread record) |
//!
//! Under simulation a task is a thread of the execution (`task-N`): it holds locks, is
//! traced, and is named in deadlock reports with what it awaits; the virtual clock moves only
//! when every thread and task is blocked, so a 30 s `timeout` fires at t = 30 s at once.
//! [`fault::cancellable`] lets the fault seed cancel a future at any of its await points, and
//! `#[lockstep::test]` takes an `async fn`.
//!
//! ```
//! use lockstep::tokio::{block_on, sync::Mutex, task};
//! use std::sync::Arc;
//!
//! let total = block_on(async {
//!     let counter = Arc::new(Mutex::named("counter", 0));
//!     let c = Arc::clone(&counter);
//!     task::spawn(async move { *c.lock().await += 1 }).await.unwrap();
//!     let total = *counter.lock().await;
//!     total
//! });
//! assert_eq!(total, 1);
//! ```

mod executor;
pub mod fault;
mod select;
pub mod sync;
pub mod task;
pub mod time;

pub use crate::__lockstep_select as select;
#[doc(hidden)]
pub use select::{__SelectMark, __select_done, __select_mark, __select_start, __select_turn};

/// Runs `future` to its end on the calling thread, as its runtime: the tasks it spawns run
/// with it, and those still running when it ends are cancelled (as when a tokio runtime is
/// dropped), and awaited. Under std a new tokio multi-threaded runtime; under shuttle its
/// executor, under loom its `block_on`, the calling thread polling the root future as a task
/// would.
///
/// It stands for `#[tokio::main]` / `Runtime::block_on` (tokio has no free `block_on`).
///
/// ```
/// assert_eq!(lockstep::tokio::block_on(async { 40 + 2 }), 42);
/// ```
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    executor::block_on(future)
}
