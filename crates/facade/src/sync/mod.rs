//! Synchronization primitives: poison-free and std-shaped, with timed variants that fail with
//! [`LockError`](crate::LockError) instead of blocking forever.
//!
//! Under shuttle and loom every blocking call is visible to the simulation kernel, so the clock
//! advances when all threads are blocked and real deadlocks are reported with their holders.
//!
//! `Arc` (and its `Weak`) is `std::sync::Arc` in every backend: loom's `Arc` multiplies the
//! executions loom explores (about 15x) and only matters when reference counts are what a test
//! checks.

mod acquire;
pub mod atomic;
mod barrier;
mod condvar;
pub(crate) mod holds;
pub mod mpsc;
mod mutex;
mod once;
mod read_share;
mod rwlock;
mod rwlock_policy;
mod semaphore;
mod twin;
mod unwind_park;

pub use crate::hierarchy::{held, HeldLock, Hold};
pub use barrier::{Barrier, BarrierWaitResult};
pub use condvar::Condvar;
pub use lockstep_engine::object::LockClass;
pub use mutex::{Mutex, MutexGuard};
pub use once::{LazyLock, Once, OnceLock, OnceState};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use rwlock_policy::RwLockPolicy;
pub use semaphore::{OwnedSemaphorePermit, Semaphore, SemaphoreFairness, SemaphorePermit};
pub use std::sync::{Arc, Weak};
