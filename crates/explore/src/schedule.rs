//! What each simulated thread is about to do, for a custom shuttle scheduler (shuttle).
//!
//! Every facade operation records its thread's pending operation (its [`OpKind`] and the
//! object it touches) just before it reaches the backend's scheduling point, so at every
//! scheduling point a scheduler knows, for each runnable thread, what it does if chosen.
//! lockstep's POS strategy is built on it.
//!
//! ```
//! use lockstep::schedule::{operations_by_task, OpKind};
//!
//! // Outside an execution no thread is pending anything.
//! assert!(operations_by_task().is_empty());
//! assert_ne!(OpKind::Read, OpKind::Write);
//! ```

pub use lockstep_engine::op::{ObjectId, OpKind, PendingOp};

/// Every simulated thread's pending operation, indexed by shuttle task id (`None`: the task is
/// not a lockstep thread, or has not performed a facade operation yet). Call it from a shuttle
/// `Scheduler::next_task` to see what each runnable task does if chosen.
pub fn operations_by_task() -> Vec<Option<PendingOp>> {
    lockstep_engine::kernel::pending_by_task()
}
