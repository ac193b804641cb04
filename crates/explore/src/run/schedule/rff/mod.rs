//! Reads-from fuzzing: a search that learns which orders of reads and writes it has already
//! seen and steers later executions toward the ones it has not.
//!
//! After Wolff, Shi, Duck, Mathur and Roychoudhury, "Greybox Fuzzing for Concurrency Testing"
//! (RFF, ASPLOS 2024), whose artifact (the public repository dylanjwolff/RFF) was read, not
//! copied.
//!
//! Each execution runs an *abstract schedule*: a seed for POS priorities and a few constraints
//! "read R must see write W" or "R must not see W" ([`corpus::Constraint`]). Its reads-from
//! pairs are observed ([`events`]); an execution that shows a pair no earlier one showed joins
//! the corpus; the next schedule is a mutation ([`mutate`]) of a corpus entry drawn by energy
//! (entries whose pairs are rare are drawn more, [`corpus::Corpus::pick`]), or now and then a
//! fresh one, unsteered. The steering ([`steer`]) only reorders among runnable threads, so
//! every execution is one the program allows, and the recording scheduler around this one
//! writes down the steps as for every strategy: a seed file replays without any of this
//! state.
//!
//! Kept from RFF: the abstract schedule (a POS seed plus positive and negative reads-from
//! constraints), its enforcement by priority bands over POS (prefer the threads whose next
//! event helps a constraint, hold back the ones that would break it), coverage as the set of
//! reads-from pairs with events abstracted to code rather than threads (so the pairs do not
//! grow with the thread count), and a power schedule that favours rare pairs.
//!
//! Changed, and why:
//! - Events are named by the spawn site of their thread, the object's first-use order and the
//!   thread's ordinal of that access to it, not by instruction address: lockstep sees the
//!   facade's operations, not instructions, and addresses are not deterministic.
//! - Which write a read saw is derived from the order the operations run in (the kernel's
//!   pending operations, which POS already uses), not from instrumentation: shuttle runs
//!   atomics sequentially consistently, so a read sees the last write before it. Nothing is
//!   added to the engine's hot path: a strategy other than this one pays nothing.
//! - Locks and condition variables take part: an acquire reads from the last release, a wait
//!   from the last notification (RFF instruments memory accesses only).
//! - A mutation that asks a read to see another write draws the write among every write seen
//!   on the object, and the object's initial value, weighted by how rarely the read has seen
//!   it; RFF draws from its pair scores.
//! - The search keeps no state on disk and forks no processes; it runs in the explorer's loop,
//!   deterministic from its seed (same seed, same executions).

mod corpus;
mod coverage;
mod events;
mod hasher;
mod mutate;
mod steer;
mod store;

use super::pos::Priorities;
use corpus::{AbstractSchedule, Entry};
use events::{Event, Observer};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use steer::Steering;
use store::Learned;
pub use store::{Feedback, FeedbackError};

/// One execution in this many runs a fresh, unsteered schedule, so the search keeps sampling
/// beyond what its corpus has seen.
const FRESH_EVERY: u64 = 8;

/// The reads-from fuzzing strategy, seeded (see the module docs).
pub(crate) struct Rff {
    /// The search's own stream: which entry, which mutation, which fresh seed.
    rng: ChaCha8Rng,
    /// This execution's stream, from its schedule's seed: POS priorities and `next_u64`.
    execution_rng: ChaCha8Rng,
    iterations_left: usize,
    started: bool,
    learned: Learned,
    /// Where the search started from and leaves what it learned, if anywhere.
    feedback: Option<Feedback>,
    schedule: AbstractSchedule,
    observer: Observer,
    steering: Steering,
    priorities: Priorities,
    /// Each runnable task's band at this step (a scratch buffer).
    bands: Vec<u8>,
}

impl Rff {
    /// A search from `seed` for `iterations` executions, starting from what `feedback` holds
    /// and leaving in it what it learned when it ends.
    pub(crate) fn new(seed: u64, iterations: usize, feedback: Option<Feedback>) -> Self {
        let mut learned = Learned::default();
        if let Some(feedback) = &feedback {
            feedback.load_into(&mut learned);
        }
        Rff {
            rng: ChaCha8Rng::seed_from_u64(seed),
            execution_rng: ChaCha8Rng::seed_from_u64(seed),
            iterations_left: iterations,
            started: false,
            learned,
            feedback,
            schedule: AbstractSchedule::default(),
            observer: Observer::default(),
            steering: Steering::default(),
            priorities: Priorities::default(),
            bands: Vec::new(),
        }
    }

    /// Learns from the execution that just ended: it joins the corpus if it showed a new pair.
    fn learn(&mut self) {
        let (pairs, new) = self.learned.coverage.learn(self.observer.pairs());
        if new > 0 {
            self.learned.corpus.push(Entry {
                schedule: self.schedule.clone(),
                pairs,
            });
        }
    }

    fn next_schedule(&mut self) -> AbstractSchedule {
        let fresh = self.rng.next_u64().is_multiple_of(FRESH_EVERY);
        let Learned {
            coverage, corpus, ..
        } = &mut self.learned;
        let parent = if fresh {
            None
        } else {
            corpus.pick(coverage, &mut self.rng)
        };
        match parent {
            Some(parent) => mutate::mutate(parent, coverage, &mut self.rng),
            _ => AbstractSchedule {
                seed: self.rng.next_u64(),
                constraints: Vec::new(),
            },
        }
    }

    /// The event `task` performs if it runs now.
    fn next_event(
        &mut self,
        task: usize,
        pending: &[Option<lockstep_engine::op::PendingOp>],
    ) -> Option<Event> {
        let op = pending.get(task).copied().flatten()?;
        self.observer.event(task, op, &mut self.learned.classes)
    }
}

impl Scheduler for Rff {
    fn new_execution(&mut self) -> Option<Schedule> {
        if std::mem::replace(&mut self.started, true) {
            self.learn();
        }
        if self.iterations_left == 0 {
            return None;
        }
        self.iterations_left -= 1;
        self.schedule = self.next_schedule();
        for constraint in self.schedule.constraints.iter().filter(|c| c.must) {
            self.learned.coverage.ask(events::ReadsFrom {
                read: constraint.read,
                from: constraint.from,
            });
        }
        self.execution_rng = ChaCha8Rng::seed_from_u64(self.schedule.seed);
        self.observer.reset();
        self.steering.start(&self.schedule.constraints);
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
        if let Some((task, Some(op))) = ran {
            if let Some(event) = self.observer.event(task, op, &mut self.learned.classes) {
                self.observer.performed(task, event);
                self.steering.performed(event);
            }
        }
        let yielding = current.map(usize::from).filter(|_| is_yielding);
        if yielding.is_some() {
            self.steering.yielded();
        }
        self.priorities
            .before_choice(ran, &pending, runnable, yielding, &mut self.execution_rng);
        let mut bands = std::mem::take(&mut self.bands);
        bands.clear();
        for task in runnable.iter().map(|t| usize::from(t.id())) {
            let event = self.next_event(task, &pending);
            bands.push(self.steering.band(event, &self.observer));
        }
        let rng = &mut self.execution_rng;
        let chosen = runnable
            .iter()
            .map(|t| usize::from(t.id()))
            .zip(&bands)
            .max_by_key(|&(task, band)| {
                // A yielding thread goes below every band: it waits for someone else.
                let band = if Some(task) == yielding { 0 } else { *band };
                (
                    band,
                    self.priorities.priority(task, rng),
                    std::cmp::Reverse(task),
                )
            })
            .map(|(task, _)| task);
        self.bands = bands;
        let chosen = chosen?;
        self.priorities
            .chose(chosen, pending.get(chosen).copied().flatten());
        Some(TaskId::from(chosen))
    }

    fn next_u64(&mut self) -> u64 {
        self.execution_rng.next_u64()
    }
}

impl Drop for Rff {
    /// Leaves what the search learned (the last execution too) in its feedback, if it has one.
    fn drop(&mut self) {
        if let Some(feedback) = self.feedback.take() {
            if self.started {
                self.learn();
            }
            feedback.store_from(&self.learned);
        }
    }
}
