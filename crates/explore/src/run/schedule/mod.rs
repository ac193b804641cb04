//! Recording and replaying shuttle schedules (the thread chosen at every scheduling point).
//!
//! lockstep records schedules itself, with a wrapper around whichever shuttle scheduler runs,
//! rather than parsing shuttle's output: shuttle prints two schedules when a test panics (only
//! the second replays) and its PCT scheduler prints no seed at all. Every strategy's failures
//! are replayable the same way: a recorded list of thread indices.

mod dfs;
mod distinct;
mod pct;
mod pos;
mod random;
mod rff;

pub(crate) use dfs::DfsPlans;
pub(crate) use pct::Pct;
pub(crate) use pos::Pos;
pub(crate) use random::Random;
pub(crate) use rff::Rff;
pub use rff::{Feedback, FeedbackError};

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// The schedule of the execution that ran last (filled when the recording scheduler is
/// dropped, at the end of an exploration): thread indices, one per scheduling decision.
pub(crate) type SharedSchedule = Arc<Mutex<Vec<usize>>>;

/// The distinct schedules among the finished executions (only their number is ever read).
pub(crate) type SharedHashes = Arc<Mutex<distinct::DistinctCounter>>;

fn hash(schedule: &[usize]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    schedule.hash(&mut hasher);
    hasher.finish()
}

/// How many distinct schedules ran: the finished ones plus the last one.
pub(crate) fn distinct(hashes: &SharedHashes, last: &SharedSchedule) -> usize {
    let hashes = lock(hashes);
    let last = lock(last);
    let last_is_new = !last.is_empty() && !hashes.certainly_contains(hash(&last));
    hashes.count() + usize::from(last_is_new)
}

/// Where a replay left the recorded schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The 1-based scheduling step at which the recorded thread could not run.
    pub step: usize,
    /// The thread the schedule wanted.
    pub wanted: usize,
    /// The threads that could run.
    pub runnable: Vec<usize>,
}

/// Wraps a scheduler and ends the exploration at the first failing execution: once a thread has
/// failed and asked to stop (see `lockstep_engine::kernel::stop_requested`), it schedules
/// nothing more, which stops the execution without a task failure in shuttle, and it starts
/// no new execution. Every runner of a lockstep harness wraps its scheduler in it.
pub(crate) struct StopAtFailure<S> {
    inner: S,
    stopped: bool,
}

impl<S> StopAtFailure<S> {
    pub(crate) fn new(inner: S) -> Self {
        StopAtFailure {
            inner,
            stopped: false,
        }
    }
}

impl<S: Scheduler> Scheduler for StopAtFailure<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.stopped {
            return None;
        }
        self.inner.new_execution()
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        if lockstep_engine::kernel::stop_requested() {
            self.stopped = true;
            return None;
        }
        self.inner.next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// Wraps a scheduler and records every choice it makes.
pub(crate) struct Recording<S> {
    inner: S,
    /// This execution's choices, kept here (no lock per step) and handed to `schedule` when
    /// the scheduler is dropped: after the last execution, or while a failure unwinds.
    steps: Vec<usize>,
    schedule: SharedSchedule,
    hashes: SharedHashes,
}

impl<S> Recording<S> {
    pub(crate) fn new(inner: S, schedule: SharedSchedule, hashes: SharedHashes) -> Self {
        Recording {
            inner,
            steps: Vec::new(),
            schedule,
            hashes,
        }
    }
}

impl<S> Drop for Recording<S> {
    fn drop(&mut self) {
        *lock(&self.schedule) = std::mem::take(&mut self.steps);
    }
}

/// The tasks that can really run. Shuttle also offers the scheduler threads blocked in `park`,
/// so that it may wake them spuriously; lockstep's waits never need that (a waiter is unparked
/// when its ticket is notified or its deadline fires), and a scheduler that picks such a thread
/// only watches it re-park: DFS branched on it and random and PCT wasted steps on it. Every
/// lockstep scheduler therefore sees only the runnable tasks.
fn really_runnable<'a>(offered: &'a [&'a Task]) -> Cow<'a, [&'a Task]> {
    if offered.iter().all(|task| task.runnable()) {
        return Cow::Borrowed(offered);
    }
    let runnable: Vec<&Task> = offered.iter().copied().filter(|t| t.runnable()).collect();
    if runnable.is_empty() {
        // Shuttle calls a scheduler only when some task is runnable; keep its offer otherwise.
        Cow::Borrowed(offered)
    } else {
        Cow::Owned(runnable)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        if !self.steps.is_empty() {
            lock(&self.hashes).insert(hash(&self.steps));
        }
        // The last execution's steps stay until the drop hands them over.
        let schedule = self.inner.new_execution()?;
        self.steps.clear();
        Some(schedule)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let next = self
            .inner
            .next_task(&really_runnable(runnable), current, is_yielding)?;
        self.steps.push(usize::from(next));
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// What a replay saw.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReplayLog {
    /// Where the schedule could not be followed (strict replays stop there).
    pub(crate) divergence: Option<Divergence>,
    /// A strict replay that ran out of recorded steps before the execution ended stops there:
    /// the number of steps the schedule has.
    pub(crate) ran_out: Option<usize>,
    /// The thread actually chosen at every step.
    pub(crate) executed: Vec<usize>,
    /// How many steps switched away from a thread that could have gone on.
    pub(crate) preemptions: usize,
    /// For every step, the thread its operation spawns or joins, if it is a spawn or a join.
    pub(crate) spawns_and_joins: Vec<Option<usize>>,
}

/// Runs one execution along a recorded schedule. A strict replay (a seed file) stops where a
/// recorded thread cannot run, reporting the divergence, and where the schedule ends before the
/// execution does (a truncated file, or code that now takes more steps), reporting the step.
/// A lenient one (the shrinker's candidates) goes on in both cases by a fixed policy: keep
/// running the current thread while it can (and does not yield), else the lowest-numbered
/// runnable one, so shortened and edited schedules replay deterministically too.
pub(crate) struct Replay {
    steps: Vec<usize>,
    lenient: bool,
    at: usize,
    started: bool,
    log: Arc<Mutex<ReplayLog>>,
}

impl Replay {
    pub(crate) fn new(steps: Vec<usize>, lenient: bool, log: Arc<Mutex<ReplayLog>>) -> Self {
        Replay {
            steps,
            lenient,
            at: 0,
            started: false,
            log,
        }
    }
}

impl Scheduler for Replay {
    fn new_execution(&mut self) -> Option<Schedule> {
        if std::mem::replace(&mut self.started, true) {
            return None;
        }
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let ids: Vec<usize> = really_runnable(runnable)
            .iter()
            .map(|t| usize::from(t.id()))
            .collect();
        let step = self.at;
        self.at += 1;
        let current = current.map(usize::from).filter(|c| ids.contains(c));
        // The fixed policy: stay on the current thread, unless it yields (then the lowest other
        // one), else the lowest runnable one. Honouring yields keeps a spinning thread from
        // running forever.
        let fallback = || {
            let others = || ids.iter().copied().filter(|i| Some(*i) != current).min();
            match current {
                Some(c) if is_yielding => others().or(Some(c)),
                Some(c) => Some(c),
                None => others(),
            }
        };
        let mut log = lock(&self.log);
        let next = match self.steps.get(step) {
            Some(&wanted) if ids.contains(&wanted) => wanted,
            Some(&wanted) if !self.lenient => {
                log.divergence = Some(Divergence {
                    step: step + 1,
                    wanted,
                    runnable: ids,
                });
                return None;
            }
            None if !self.lenient => {
                log.ran_out = Some(self.steps.len());
                return None;
            }
            _ => fallback()?,
        };
        if !is_yielding && current.is_some_and(|c| c != next) {
            log.preemptions += 1;
        }
        log.executed.push(next);
        log.spawns_and_joins
            .push(lockstep_engine::kernel::spawned_or_joined(next));
        Some(TaskId::from(next))
    }

    fn next_u64(&mut self) -> u64 {
        0
    }
}
