//! Per-task readings for shuttle's schedulers and lockstep's shrinker: the kernel's thread
//! records indexed by shuttle task id (shuttle only).

use super::{try_kernel, SpawnSite, ThreadRecord};
use crate::op::{OpKind, PendingOp};

/// `read` of every thread of the last execution on this OS thread, indexed by shuttle task id
/// (`None` for a task that is not a lockstep thread).
fn by_task<T>(read: impl Fn(&ThreadRecord) -> Option<T>) -> Vec<Option<T>> {
    let Some(kernel) = try_kernel() else {
        return Vec::new();
    };
    let state = kernel.state.borrow();
    state
        .identity
        .by_task()
        .iter()
        .map(|&thread| state.threads.get(thread).and_then(&read))
        .collect()
}

/// Every thread's pending operation, indexed by shuttle task id.
pub fn pending_by_task() -> Vec<Option<PendingOp>> {
    by_task(|thread| thread.pending)
}

/// Where each task of the last execution on this OS thread was spawned, by shuttle task id
/// (`None`: the main thread, or a task that is not a lockstep thread).
pub fn last_spawn_sites() -> Vec<Option<SpawnSite>> {
    by_task(|thread| thread.site)
}

/// The task that task `task`'s pending operation spawns or joins, if it is a spawn or a join
/// (recorded by the replay scheduler at every step, read by the shrinker).
pub fn spawned_or_joined(task: usize) -> Option<usize> {
    let kernel = try_kernel()?;
    let state = kernel.state.borrow();
    let tasks = state.identity.by_task();
    let pending = state.threads.get(*tasks.get(task)?)?.pending?;
    if !matches!(pending.kind(), OpKind::Spawn | OpKind::Join) {
        return None;
    }
    let child = pending.object()?.thread_index()?;
    // A child that has not started yet has no task id; shuttle numbers tasks in spawn order,
    // as lockstep numbers threads.
    Some(
        tasks
            .iter()
            .position(|&thread| thread == child)
            .unwrap_or(child),
    )
}
