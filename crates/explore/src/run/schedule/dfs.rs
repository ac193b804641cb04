//! Depth-first search over schedules, one fault plan after another.

use shuttle::scheduler::{DfsScheduler, Schedule, Scheduler, Task, TaskId};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Shuttle's DFS, bounded to `iterations` executions in all. With `plans` (faults injected),
/// each fault plan's schedules are enumerated in turn: once DFS has run every schedule of the
/// current plan, the plan number moves on (the kernel derives the next plan's fault seed from
/// it) and DFS starts over.
pub(crate) struct DfsPlans {
    inner: DfsScheduler,
    iterations_left: usize,
    plans: Option<Arc<AtomicUsize>>,
}

impl DfsPlans {
    pub(crate) fn new(iterations: usize, plans: Option<Arc<AtomicUsize>>) -> Self {
        DfsPlans {
            inner: DfsScheduler::new(None, false),
            iterations_left: iterations,
            plans,
        }
    }
}

impl Scheduler for DfsPlans {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.iterations_left == 0 {
            return None;
        }
        let schedule = match self.inner.new_execution() {
            Some(schedule) => schedule,
            None => {
                let plans = self.plans.as_ref()?;
                plans.fetch_add(1, Ordering::SeqCst);
                self.inner = DfsScheduler::new(None, false);
                self.inner.new_execution()?
            }
        };
        self.iterations_left -= 1;
        Some(schedule)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        self.inner.next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}
