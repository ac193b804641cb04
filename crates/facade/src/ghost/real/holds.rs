//! Whose holds an operation reads and changes under std: the lockstep task being polled, else
//! the calling OS thread.
//!
//! A tokio task moves between worker threads at its await points, and several tasks take
//! turns on one worker, so a task cannot use its worker's thread-local stack: each task
//! spawned by `lockstep::tokio::task::spawn` runs inside a `tokio::task_local!` scope with a
//! stack of its own ([`task_scope`]). Everything else (threads, and the root future of
//! `block_on`, which tokio polls on the calling thread) uses the thread's stack, so a lock the
//! thread holds is seen by the root future it runs.

use lockstep_engine::held::Held;
use lockstep_engine::object::{Mode, ObjectInfo};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The releases other threads or tasks made of an owner's holds (owned permits it took that
/// they dropped); the owner applies them to its own stack at its next look at it.
#[derive(Default)]
pub(crate) struct Inbox {
    nonempty: AtomicBool,
    released: Mutex<Vec<(Arc<ObjectInfo>, Mode)>>,
}

/// The thread or task a hold belongs to (its inbox), for a permit that may be dropped by
/// another.
pub(crate) type HoldOwner = Arc<Inbox>;

impl Inbox {
    /// Another thread or task gave back this owner's most recent hold of `object` in `mode`.
    pub(crate) fn post(&self, object: &Arc<ObjectInfo>, mode: Mode) {
        self.released
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((Arc::clone(object), mode));
        self.nonempty.store(true, Ordering::Release);
    }
}

/// One thread's or task's holds.
#[derive(Default)]
pub(crate) struct Holds {
    held: RefCell<Vec<Held>>,
    inbox: HoldOwner,
    /// Its identity in the lock-order graph, drawn at its first nested acquisition.
    key: Cell<Option<usize>>,
}

impl Holds {
    /// Runs `f` on the stack, with the releases others posted applied first.
    pub(crate) fn with_stack<R>(&self, f: impl FnOnce(&mut Vec<Held>) -> R) -> R {
        let mut stack = self.held.borrow_mut();
        if self.inbox.nonempty.swap(false, Ordering::AcqRel) {
            let released = std::mem::take(
                &mut *self
                    .inbox
                    .released
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            for (object, mode) in released {
                remove_hold(&mut stack, &object, mode);
            }
        }
        f(&mut stack)
    }

    /// Removes the most recent hold of `object` in `mode`, if there is one.
    pub(crate) fn remove(&self, object: &Arc<ObjectInfo>, mode: Mode) {
        remove_hold(&mut self.held.borrow_mut(), object, mode);
    }

    /// Its inbox, as the owner of the holds it takes.
    pub(crate) fn owner(&self) -> HoldOwner {
        Arc::clone(&self.inbox)
    }

    /// Whether `owner` is this one.
    pub(crate) fn owns(&self, owner: &HoldOwner) -> bool {
        Arc::ptr_eq(&self.inbox, owner)
    }

    /// Its identity in the lock-order graph: a number never reused in the process.
    pub(crate) fn key(&self) -> usize {
        self.key.get().unwrap_or_else(|| {
            let key = fresh_key();
            self.key.set(Some(key));
            key
        })
    }
}

/// A lock-order graph identity no thread or task has had (also for a thread past its
/// thread-locals' teardown: a new identity can only add reports, never hide one).
pub(crate) fn fresh_key() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Removes the most recent hold of `object` in `mode` from `stack`, if there is one.
fn remove_hold(stack: &mut Vec<Held>, object: &Arc<ObjectInfo>, mode: Mode) {
    if let Some(pos) = stack
        .iter()
        .rposition(|h| Arc::ptr_eq(&h.object, object) && h.mode == mode)
    {
        stack.remove(pos);
    }
}

std::thread_local! {
    static THREAD_HOLDS: Holds = Holds::default();
}

#[cfg(feature = "tokio")]
tokio::task_local! {
    static TASK_HOLDS: Holds;
}

/// Whether the caller is a lockstep task being polled (or dropped).
#[cfg(feature = "tokio")]
fn in_task() -> bool {
    TASK_HOLDS.try_with(|_| ()).is_ok()
}

/// Runs `f` on the caller's holds: the task's, else the thread's; `None` during the thread's
/// teardown (its thread-local is gone).
pub(crate) fn try_with_holds<R>(f: impl FnOnce(&Holds) -> R) -> Option<R> {
    #[cfg(feature = "tokio")]
    if in_task() {
        return Some(TASK_HOLDS.with(f));
    }
    THREAD_HOLDS.try_with(f).ok()
}

/// Runs `f` on the caller's holds (panics during the thread's teardown).
pub(crate) fn with_holds<R>(f: impl FnOnce(&Holds) -> R) -> R {
    try_with_holds(f).expect("lockstep: the thread's held stack is gone (thread teardown)")
}

/// The caller's name in reports: `task N` (tokio's task id) for a task, else the thread's.
pub(crate) fn holder_name() -> String {
    #[cfg(feature = "tokio")]
    if in_task() {
        if let Some(id) = tokio::task::try_id() {
            return format!("task {id}");
        }
    }
    super::current_name()
}

/// `future` as a task with holds of its own (see the module docs).
#[cfg(feature = "tokio")]
pub(crate) fn task_scope<F: std::future::Future>(
    future: F,
) -> impl std::future::Future<Output = F::Output> {
    TASK_HOLDS.scope(Holds::default(), future)
}
