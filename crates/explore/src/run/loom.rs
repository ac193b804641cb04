//! The loom driver: its one strategy (exhaustive, bounded preemption) and loom's model builder.

use super::Drive;
use lockstep_engine::kernel::FaultSeed;
use std::fmt;
use std::str::FromStr;

/// How the checker explores interleavings (loom).
///
/// ```
/// use lockstep::explore::Strategy;
///
/// let bounded = Strategy::Exhaustive { preemption_bound: Some(2) };
/// assert_eq!("exhaustive-2".parse::<Strategy>(), Ok(bounded));
/// assert_eq!(bounded.to_string(), "exhaustive-2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Every interleaving up to `preemption_bound` preemptions (`None`: unbounded, or loom's
    /// `LOOM_MAX_PREEMPTIONS`).
    Exhaustive {
        /// The most preemptions per execution.
        preemption_bound: Option<usize>,
    },
}

impl Strategy {
    /// Whether the strategy samples (a new seed gives new schedules): loom enumerates.
    pub fn samples(&self) -> bool {
        false
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Exhaustive {
                preemption_bound: Some(bound),
            } => write!(f, "exhaustive-{bound}"),
            Strategy::Exhaustive {
                preemption_bound: None,
            } => f.write_str("exhaustive"),
        }
    }
}

impl FromStr for Strategy {
    type Err = String;

    /// Parses `exhaustive` or `exhaustive-B`.
    fn from_str(text: &str) -> Result<Self, String> {
        if text == "exhaustive" {
            return Ok(Strategy::Exhaustive {
                preemption_bound: None,
            });
        }
        match text.strip_prefix("exhaustive-").map(str::parse) {
            Some(Ok(bound)) => Ok(Strategy::Exhaustive {
                preemption_bound: Some(bound),
            }),
            _ => Err(format!(
                "unknown strategy `{text}` for loom; use exhaustive or exhaustive-B (e.g. exhaustive-2)"
            )),
        }
    }
}

/// Where each execution's fault seed comes from under loom: one plan for the whole model run
/// (`fixed`, else the exploration's seed), since loom enumerates one program's choices.
pub(crate) fn fault_seeds(_: Strategy, seed: u64, fixed: Option<u64>, _: bool) -> FaultSeed {
    FaultSeed::Fixed(fixed.unwrap_or(seed))
}

/// A loom model builder for `strategy` (loom's environment variables apply first).
pub(crate) fn builder(strategy: Strategy) -> loom::model::Builder {
    let Strategy::Exhaustive { preemption_bound } = strategy;
    let mut builder = loom::model::Builder::new();
    if preemption_bound.is_some() {
        builder.preemption_bound = preemption_bound;
    }
    builder
}

/// Loom records no schedule of its own for lockstep: a loom failure replays from its
/// checkpoint file.
pub(crate) struct Recorder;

impl Recorder {
    /// A recorder (there is nothing to record under loom).
    pub(crate) fn new() -> Recorder {
        Recorder
    }

    /// No schedule is recorded under loom.
    pub(crate) fn last(&self) -> Vec<usize> {
        Vec::new()
    }

    /// Under loom every execution is a distinct interleaving, so none is counted here.
    pub(crate) fn distinct(&self) -> Option<usize> {
        None
    }
}

/// Runs the exploration `drive` describes over `f`.
pub(crate) fn drive(drive: &Drive<'_>, _recorder: &Recorder, f: Box<dyn Fn() + Send + Sync>) {
    debug_assert!(
        matches!(drive.fault_seed, FaultSeed::Fixed(_)),
        "lockstep: loom enumerates one fault plan's interleavings"
    );
    let mut builder = builder(drive.strategy);
    if drive.time_budget.is_some() {
        builder.max_duration = drive.time_budget;
        // Loom compares the elapsed time with `max_duration` only every
        // `checkpoint_interval` executions (20,000 by default): before every one, as
        // shuttle does, the budget holds for slow executions too.
        builder.checkpoint_interval = 1;
    }
    if let Some(path) = drive.checkpoint {
        builder.checkpoint_file = Some(path.to_path_buf());
        builder.checkpoint_interval = 1;
    }
    builder.check(f);
}

/// Runs exactly one execution of `f` (loom's first interleaving).
pub(crate) fn run_first_schedule(f: Box<dyn Fn() + Send + Sync>) {
    let mut builder = loom::model::Builder::new();
    builder.checkpoint_file = None;
    builder.max_duration = None;
    builder.checkpoint_interval = 1;
    // loom checks the bound before each execution: 2 lets exactly one run.
    builder.max_permutations = Some(2);
    builder.check(f);
}

/// Loom installs no panic hook of its own: nothing to put lockstep's above.
pub(crate) fn install_backend_panic_hook() {}

/// Loom reports no panics of its own, so every panic outside lockstep's explorations goes to
/// the hook that was there before lockstep's.
pub(crate) fn in_backend_execution() -> bool {
    false
}

/// Loom's branch bound in lockstep's words, if `message` is its failure.
pub(crate) fn bound_exceeded(message: &str) -> Option<String> {
    message
        .contains("Model exceeded maximum number of branches")
        .then(|| {
            let bound =
                std::env::var("LOOM_MAX_BRANCHES").unwrap_or_else(|_| "1000 (the default)".into());
            format!(
                "livelock: the execution reached loom's bound of {bound} branches \
                 (LOOM_MAX_BRANCHES) without ending: a thread spins (a loop of atomic loads, \
                 failed exchanges, try-locks or yields) while no thread makes progress"
            )
        })
}
