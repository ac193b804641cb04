//! Partial Order Sampling, as a shuttle scheduler, and its priorities, which the reads-from
//! strategy (`rff`) steers.

use lockstep_engine::op::PendingOp;
use rand_chacha::rand_core::RngCore;
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
    priorities: Priorities,
}

impl Pos {
    pub(crate) fn new(seed: u64, iterations: usize) -> Self {
        use rand_chacha::rand_core::SeedableRng;
        Pos {
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
            iterations_left: iterations,
            priorities: Priorities::default(),
        }
    }
}

/// POS's priorities within one execution: one per task's pending operation, drawn lazily,
/// redrawn for the operations that race with the one that ran, and the lowest for a task that
/// yields.
#[derive(Default)]
pub(crate) struct Priorities {
    priorities: Vec<Option<u64>>,
    /// The task chosen last, with the operation it was about to perform.
    last: Option<(usize, Option<PendingOp>)>,
}

impl Priorities {
    /// Forgets every priority: a new execution starts.
    pub(crate) fn reset(&mut self) {
        self.priorities.clear();
        self.last = None;
    }

    /// The operation that ran at the last step (the chosen task and what it was about to do),
    /// taken once, for a caller that watches what runs.
    pub(crate) fn take_last(&mut self) -> Option<(usize, Option<PendingOp>)> {
        self.last.take()
    }

    /// Redraws what the last step's operation `ran` invalidated (its task's priority and those
    /// of the pending operations that race with it), then, if `current` yields, puts it last
    /// and has the other runnable tasks draw anew.
    pub(crate) fn before_choice(
        &mut self,
        ran: Option<(usize, Option<PendingOp>)>,
        pending: &[Option<PendingOp>],
        runnable: &[&Task],
        yielding: Option<usize>,
        rng: &mut impl RngCore,
    ) {
        if let Some((ran, op)) = ran {
            self.forget(ran);
            if let Some(op) = op {
                for (task, other) in pending.iter().enumerate() {
                    if other.is_some_and(|other| other.races(&op)) {
                        self.forget(task);
                    }
                }
            }
        }
        if let Some(current) = yielding {
            // The yielding thread goes last and every other runnable thread draws anew: a
            // thread that spins (a waiter woken spuriously) must not starve one that can
            // make progress but drew a low priority long ago.
            for task in runnable.iter().map(|t| usize::from(t.id())) {
                self.forget(task);
            }
            self.priority(current, rng);
            self.priorities[current] = Some(0);
        }
    }

    fn forget(&mut self, task: usize) {
        if let Some(slot) = self.priorities.get_mut(task) {
            *slot = None;
        }
    }

    /// Task `task`'s priority, drawn now if it has none (never 0, which only a yield gives).
    pub(crate) fn priority(&mut self, task: usize, rng: &mut impl RngCore) -> u64 {
        if self.priorities.len() <= task {
            self.priorities.resize(task + 1, None);
        }
        *self.priorities[task].get_or_insert_with(|| rng.next_u64() | 1)
    }

    /// Task `chosen` runs next, performing `op`.
    pub(crate) fn chose(&mut self, chosen: usize, op: Option<PendingOp>) {
        self.last = Some((chosen, op));
    }
}

impl Scheduler for Pos {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.iterations_left == 0 {
            return None;
        }
        self.iterations_left -= 1;
        self.priorities.reset();
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let pending = lockstep_engine::kernel::pending_by_task();
        let ran = self.priorities.take_last();
        let yielding = current.map(usize::from).filter(|_| is_yielding);
        let rng = &mut self.rng;
        self.priorities
            .before_choice(ran, &pending, runnable, yielding, rng);
        let chosen = runnable
            .iter()
            .map(|t| usize::from(t.id()))
            .max_by_key(|&task| (self.priorities.priority(task, rng), std::cmp::Reverse(task)))?;
        self.priorities
            .chose(chosen, pending.get(chosen).copied().flatten());
        Some(TaskId::from(chosen))
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::Priorities;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn a_new_execution_draws_every_priority_anew_and_forgets_the_last_step() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut priorities = Priorities::default();
        let before = [0, 1].map(|task| priorities.priority(task, &mut rng));
        priorities.chose(1, None);
        priorities.reset();
        assert_eq!(priorities.take_last(), None, "no step has run yet");
        let after = [0, 1].map(|task| priorities.priority(task, &mut rng));
        assert!(
            before.iter().all(|p| !after.contains(p)),
            "fresh draws: {before:?} then {after:?}"
        );
    }
}
