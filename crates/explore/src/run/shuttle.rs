//! The shuttle driver: its strategies, its configuration, and the recording of every schedule.

use super::schedule::{
    self, DfsPlans, Pct, Pos, Random, Recording, Rff, SharedHashes, SharedSchedule, StopAtFailure,
};
pub use super::schedule::{Feedback, FeedbackError};
use super::Drive;
use lockstep_engine::kernel::FaultSeed;
use shuttle::scheduler::{DfsScheduler, Scheduler};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How the checker picks the next thread at each scheduling point (shuttle).
///
/// ```
/// use lockstep::explore::Strategy;
///
/// assert_eq!("pct-3".parse::<Strategy>(), Ok(Strategy::Pct { depth: 3 }));
/// assert_eq!(Strategy::Pos.to_string(), "pos");
/// assert_eq!("rff".parse::<Strategy>(), Ok(Strategy::Rff));
/// assert!("pct-x".parse::<Strategy>().is_err());
/// assert!("pct-0".parse::<Strategy>().is_err(), "PCT's depth is at least 1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Uniformly random choice, seeded: the choices of shuttle's `RandomScheduler` for the same
    /// seed (lockstep's own copy of it, which prints nothing and reads no environment).
    Random,
    /// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010) with bug depth
    /// `depth`, seeded (lockstep's own scheduler on shuttle).
    Pct {
        /// The number of ordering constraints the searched-for bug needs.
        depth: usize,
    },
    /// Depth-first enumeration of schedules, exhaustive if it finishes. With faults, it
    /// enumerates one fault plan's schedules, then the next plan's, within its budget.
    Dfs,
    /// Partial Order Sampling (Yuan, Yang, Gu, CAV 2018): random priorities per pending
    /// operation, redrawn for the operations that race with each one that runs.
    Pos,
    /// Reads-from fuzzing (after RFF, Wolff et al., ASPLOS 2024): POS priorities steered by
    /// constraints on which write each read sees, mutated from the executions that showed new
    /// reads-from pairs, favouring rare ones; deterministic from its seed.
    Rff,
}

impl Strategy {
    /// Whether the strategy samples (a new seed gives new schedules) rather than enumerates:
    /// every strategy but DFS.
    pub fn samples(&self) -> bool {
        *self != Strategy::Dfs
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Random => f.write_str("random"),
            Strategy::Pct { depth } => write!(f, "pct-{depth}"),
            Strategy::Dfs => f.write_str("dfs"),
            Strategy::Pos => f.write_str("pos"),
            Strategy::Rff => f.write_str("rff"),
        }
    }
}

impl FromStr for Strategy {
    type Err = String;

    /// Parses `random`, `pct-D` (D >= 1), `pos`, `rff` or `dfs`.
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "random" => return Ok(Strategy::Random),
            "dfs" => return Ok(Strategy::Dfs),
            "pos" => return Ok(Strategy::Pos),
            "rff" => return Ok(Strategy::Rff),
            _ => {}
        }
        if let Some(depth) = text.strip_prefix("pct-").and_then(|d| d.parse().ok()) {
            if depth == 0 {
                return Err(format!(
                    "bad strategy `{text}`: PCT's depth D is the number of ordering constraints \
                     the bug needs, at least 1; use pct-D with D >= 1, e.g. pct-3"
                ));
            }
            return Ok(Strategy::Pct { depth });
        }
        Err(format!(
            "unknown strategy `{text}` for shuttle; use random, pct-D (e.g. pct-3), pos, rff or dfs"
        ))
    }
}

/// Where each execution's fault seed comes from under shuttle: `fixed` if given; DFS with
/// faults moves through one plan at a time (an exhaustive search needs the same plan in every
/// execution it enumerates); every other strategy draws a new plan per execution.
pub(crate) fn fault_seeds(
    strategy: Strategy,
    seed: u64,
    fixed: Option<u64>,
    faults: bool,
) -> FaultSeed {
    match fixed {
        Some(seed) => FaultSeed::Fixed(seed),
        None if strategy == Strategy::Dfs && faults => FaultSeed::PerPlan {
            seed,
            plan: Default::default(),
        },
        // DFS enumerates the schedules of a program that behaves the same given the same
        // choices, so `lockstep::random` draws (seeded by the fault seed) stay fixed.
        None if strategy == Strategy::Dfs => FaultSeed::Fixed(seed),
        None => FaultSeed::PerExecution(seed),
    }
}

/// The most scheduling steps one execution may take under shuttle, in explorations and
/// replays alike (a spin that the livelock detector does not see, such as one starved by
/// PCT, ends here).
pub(crate) const MAX_STEPS: usize = 1_000_000;

/// Shuttle's step bound in lockstep's words, if `message` is its failure.
pub(crate) fn bound_exceeded(message: &str) -> Option<String> {
    message.contains("exceeded max_steps bound").then(|| {
        format!(
            "livelock or starvation: the execution reached shuttle's bound of {MAX_STEPS} \
             scheduling steps without ending: a thread spins while another one that could end \
             the spin is never scheduled (the strategy starves it), or the program never ends"
        )
    })
}

/// The stack of each shuttle coroutine (a thread or task of the program): 256 KiB, not
/// shuttle's 60 KiB. The strategies draw random numbers on that stack at scheduling points,
/// and unoptimised rand_chacha alone takes 28-35 KiB of it, so a task deep in an async call
/// chain of a user's debug build overflowed it (SIGSEGV, no report). Stacks are reused
/// between executions and their untouched pages cost no memory.
pub(crate) const STACK_SIZE: usize = 256 * 1024;

/// Shuttle's configuration for lockstep: no failure files or schedule printing of its own
/// (lockstep records and reports schedules itself), at most [`MAX_STEPS`] steps, stacks of
/// [`STACK_SIZE`].
pub(crate) fn config(time_budget: Option<Duration>) -> shuttle::Config {
    let mut config = shuttle::Config::new();
    config.stack_size = STACK_SIZE;
    config.failure_persistence = shuttle::FailurePersistence::None;
    config.max_time = time_budget;
    config.max_steps = shuttle::MaxSteps::FailAfter(MAX_STEPS);
    config
}

/// What the recording scheduler saw, shared with the explorer.
#[derive(Default)]
pub(crate) struct Recorder {
    schedule: SharedSchedule,
    hashes: SharedHashes,
}

impl Recorder {
    /// A recorder that has seen nothing yet.
    pub(crate) fn new() -> Recorder {
        Recorder::default()
    }

    /// The last execution's schedule.
    pub(crate) fn last(&self) -> Vec<usize> {
        self.schedule
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// How many distinct schedules ran.
    pub(crate) fn distinct(&self) -> Option<usize> {
        Some(schedule::distinct(&self.hashes, &self.schedule))
    }
}

/// Runs the exploration `drive` describes over `f`, recording every schedule in `recorder`.
pub(crate) fn drive(drive: &Drive<'_>, recorder: &Recorder, f: Box<dyn Fn() + Send + Sync>) {
    fn run(
        scheduler: impl Scheduler + 'static,
        recorder: &Recorder,
        config: shuttle::Config,
        f: Box<dyn Fn() + Send + Sync>,
    ) {
        let schedule = std::sync::Arc::clone(&recorder.schedule);
        let recording = Recording::new(scheduler, schedule, recorder.hashes.clone());
        runner(recording, config).run(f);
    }
    debug_assert!(
        drive.checkpoint.is_none(),
        "lockstep: shuttle records schedules, not loom checkpoints"
    );
    let config = config(drive.time_budget);
    let (seed, iterations) = (drive.seed, drive.iterations);
    match drive.strategy {
        Strategy::Random => run(Random::new(seed, iterations), recorder, config, f),
        Strategy::Pct { depth } => run(Pct::new(seed, depth, iterations), recorder, config, f),
        Strategy::Pos => run(Pos::new(seed, iterations), recorder, config, f),
        Strategy::Rff => {
            let feedback = drive.feedback.cloned();
            run(Rff::new(seed, iterations, feedback), recorder, config, f)
        }
        Strategy::Dfs => {
            let plans = match drive.fault_seed {
                FaultSeed::PerPlan { plan, .. } => Some(std::sync::Arc::clone(plan)),
                _ => None,
            };
            run(DfsPlans::new(iterations, plans), recorder, config, f)
        }
    }
}

/// Runs exactly one execution of `f`, along the first schedule.
pub(crate) fn run_first_schedule(f: Box<dyn Fn() + Send + Sync>) {
    runner(DfsScheduler::new(Some(1), false), config(None)).run(f);
}

/// The runner of a lockstep harness (whose setup stops executions on failure, see
/// `Harness::new`): `scheduler`, stopping at the first failure.
pub(crate) fn runner<S: Scheduler + 'static>(
    scheduler: S,
    config: shuttle::Config,
) -> shuttle::Runner<StopAtFailure<S>> {
    shuttle::Runner::new(StopAtFailure::new(scheduler), config)
}

/// Has shuttle install its panic hook now, if it has not yet: shuttle installs it on its first
/// execution in the process, on top of whatever hook is there, and lockstep's must sit above it
/// (see `harness::install_quiet_hook`). One empty execution does it.
pub(crate) fn install_backend_panic_hook() {
    shuttle::Runner::new(DfsScheduler::new(Some(1), false), shuttle::Config::new()).run(|| {});
}

/// Whether this OS thread is inside a shuttle execution (a task is running): a panic there,
/// outside lockstep's explorations, is raw shuttle's to report.
pub(crate) fn in_backend_execution() -> bool {
    shuttle::current::try_get_current_task().is_some()
}
