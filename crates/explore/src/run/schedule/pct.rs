//! Probabilistic Concurrency Testing, as a shuttle scheduler.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

/// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010) with bug depth `depth`,
/// seeded.
///
/// Each thread gets a random priority when it first appears (so a new thread lands at a random
/// rank among the others); the highest-priority runnable thread runs. `depth - 1` change points
/// are drawn uniformly among the steps of an execution (the number of steps `k` is the most
/// seen in an earlier execution, counting only steps with a real choice, as the paper's §4.1
/// does); at the `i`-th drawn point the running thread drops to priority `i`, below every
/// initial priority. A thread that yields drops below everything so far, so a spinning thread
/// lets the others run. For a bug of depth `d` among `n` threads and `k` steps, each execution
/// finds it with probability at least `1 / (n k^(d-1))`.
///
/// lockstep runs its own PCT rather than shuttle's because shuttle's refuses a program whose
/// first execution makes no choice, which a scenario with faults can still vary per execution.
pub(crate) struct Pct {
    rng: ChaCha8Rng,
    depth: usize,
    iterations_left: usize,
    /// The most steps with a choice seen in one execution so far.
    max_steps: usize,
    /// Steps with a choice in this execution.
    steps: usize,
    /// The change points of this execution: (step, the priority the running thread drops to).
    change_points: Vec<(usize, i64)>,
    /// Priority per shuttle task id (higher runs first).
    priorities: Vec<Option<i64>>,
    /// The next priority a yielding thread drops to (decreasing, below every other).
    next_yield_priority: i64,
}

/// Initial priorities lie above every change-point priority (`1..depth`).
const INITIAL_PRIORITIES: std::ops::Range<u64> = (1 << 32)..(1 << 62);

impl Pct {
    pub(crate) fn new(seed: u64, depth: usize, iterations: usize) -> Self {
        Pct {
            rng: ChaCha8Rng::seed_from_u64(seed),
            depth: depth.max(1),
            iterations_left: iterations,
            max_steps: 0,
            steps: 0,
            change_points: Vec::new(),
            priorities: Vec::new(),
            next_yield_priority: 0,
        }
    }

    fn below(&mut self, bound: u64) -> u64 {
        // Rejection sampling keeps the draw uniform (`bound` is far below 2^64 here).
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let draw = self.rng.next_u64();
            if draw < zone {
                return draw % bound;
            }
        }
    }

    fn priority(&mut self, task: usize) -> i64 {
        if self.priorities.len() <= task {
            self.priorities.resize(task + 1, None);
        }
        if let Some(priority) = self.priorities[task] {
            return priority;
        }
        let span = INITIAL_PRIORITIES.end - INITIAL_PRIORITIES.start;
        let priority = (INITIAL_PRIORITIES.start + self.below(span)) as i64;
        self.priorities[task] = Some(priority);
        priority
    }

    fn drop_to(&mut self, task: usize, priority: i64) {
        self.priority(task);
        self.priorities[task] = Some(priority);
    }

    /// Draws `depth - 1` distinct change points among steps `1..=max_steps`.
    fn draw_change_points(&mut self) {
        self.change_points.clear();
        let wanted = (self.depth - 1).min(self.max_steps);
        let mut label = 1;
        while self.change_points.len() < wanted {
            let step = 1 + self.below(self.max_steps as u64) as usize;
            if self.change_points.iter().all(|&(s, _)| s != step) {
                self.change_points.push((step, label));
                label += 1;
            }
        }
    }
}

impl Scheduler for Pct {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.iterations_left == 0 {
            return None;
        }
        self.iterations_left -= 1;
        self.max_steps = self.max_steps.max(self.steps);
        self.steps = 0;
        self.priorities.clear();
        self.next_yield_priority = 0;
        self.draw_change_points();
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let current = current.map(usize::from);
        if runnable.len() > 1 {
            self.steps += 1;
            let change = self
                .change_points
                .iter()
                .find(|&&(step, _)| step == self.steps)
                .map(|&(_, priority)| priority);
            if let Some(current) = current {
                if is_yielding {
                    self.next_yield_priority -= 1;
                    let lowest = self.next_yield_priority;
                    self.drop_to(current, lowest);
                } else if let Some(priority) = change {
                    self.drop_to(current, priority);
                }
            }
        }
        let chosen = runnable
            .iter()
            .map(|t| usize::from(t.id()))
            .max_by_key(|&task| (self.priority(task), std::cmp::Reverse(task)))?;
        Some(TaskId::from(chosen))
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}
