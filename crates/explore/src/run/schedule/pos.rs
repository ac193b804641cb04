//! Partial Order Sampling, as a shuttle scheduler.

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

/// Partial Order Sampling (Yuan, Yang and Gu, CAV 2018), seeded.
///
/// Every pending operation gets a random priority; the runnable thread whose pending operation
/// has the highest priority runs. After an operation runs, its thread's next operation and every
/// pending operation that races with it (same object, not both reads; see
/// [`PendingOp::races`](lockstep_engine::op::PendingOp::races)) draw new priorities. Operations that do not race keep
/// their relative order, so the search does not waste schedules reordering independent steps:
/// it samples partial orders rather than interleavings. A thread that yields drops to the
/// lowest priority and the other runnable threads draw anew, so spinning cannot starve anyone.
pub(crate) struct Pos {
    rng: rand_chacha::ChaCha8Rng,
    iterations_left: usize,
    priorities: Vec<Option<u64>>,
    last: Option<(usize, Option<lockstep_engine::op::PendingOp>)>,
}

impl Pos {
    pub(crate) fn new(seed: u64, iterations: usize) -> Self {
        use rand_chacha::rand_core::SeedableRng;
        Pos {
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
            iterations_left: iterations,
            priorities: Vec::new(),
            last: None,
        }
    }

    fn priority(&mut self, task: usize) -> u64 {
        use rand_chacha::rand_core::RngCore;
        if self.priorities.len() <= task {
            self.priorities.resize(task + 1, None);
        }
        let rng = &mut self.rng;
        *self.priorities[task].get_or_insert_with(|| rng.next_u64() | 1)
    }
}

impl Scheduler for Pos {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.iterations_left == 0 {
            return None;
        }
        self.iterations_left -= 1;
        self.priorities.clear();
        self.last = None;
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let pending = lockstep_engine::kernel::pending_by_task();
        if let Some((ran, op)) = self.last.take() {
            if let Some(slot) = self.priorities.get_mut(ran) {
                *slot = None;
            }
            if let Some(op) = op {
                for (task, other) in pending.iter().enumerate() {
                    if other.is_some_and(|other| other.races(&op)) {
                        if let Some(slot) = self.priorities.get_mut(task) {
                            *slot = None;
                        }
                    }
                }
            }
        }
        if is_yielding {
            if let Some(current) = current.map(usize::from) {
                // The yielding thread goes last and every other runnable thread draws anew: a
                // thread that spins (a waiter woken spuriously) must not starve one that can
                // make progress but drew a low priority long ago.
                for task in runnable.iter().map(|t| usize::from(t.id())) {
                    if let Some(slot) = self.priorities.get_mut(task) {
                        *slot = None;
                    }
                }
                self.priority(current);
                self.priorities[current] = Some(0);
            }
        }
        let chosen = runnable
            .iter()
            .map(|t| usize::from(t.id()))
            .max_by_key(|&task| (self.priority(task), std::cmp::Reverse(task)))?;
        self.last = Some((chosen, pending.get(chosen).copied().flatten()));
        Some(TaskId::from(chosen))
    }

    fn next_u64(&mut self) -> u64 {
        use rand_chacha::rand_core::RngCore;
        self.rng.next_u64()
    }
}
