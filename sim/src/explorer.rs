//! The explorer: runs a body or a scenario under a strategy, and on failure reports the
//! message, the rendered trace and the recorded schedule, and writes a seed file.

use crate::fault::FaultPlan;
use crate::harness::Harness;
use crate::kernel::FaultSeed;
use crate::scenario::{Scenario, Variant};
use crate::seed::{Expected, SeedFile};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// The default of [`Explorer::shrink_budget`].
pub const DEFAULT_SHRINK_BUDGET: usize = 600;

/// How the checker picks the next thread at each scheduling point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Uniformly random choice, seeded (shuttle).
    #[cfg(not(loom))]
    Random,
    /// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010) with bug depth
    /// `depth`, seeded (lockstep's own scheduler on shuttle).
    #[cfg(not(loom))]
    Pct {
        /// The number of ordering constraints the searched-for bug needs.
        depth: usize,
    },
    /// Depth-first enumeration of schedules, exhaustive if it finishes (shuttle). With faults,
    /// it enumerates one fault plan's schedules, then the next plan's, within its budget.
    #[cfg(not(loom))]
    Dfs,
    /// Partial Order Sampling (Yuan, Yang, Gu, CAV 2018): random priorities per pending
    /// operation, redrawn for the operations that race with each one that runs (shuttle).
    #[cfg(not(loom))]
    Pos,
    /// Every interleaving up to `preemption_bound` preemptions (loom; `None`: unbounded, or
    /// loom's `LOOM_MAX_PREEMPTIONS`).
    #[cfg(loom)]
    Exhaustive {
        /// The most preemptions per execution.
        preemption_bound: Option<usize>,
    },
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            #[cfg(not(loom))]
            Strategy::Random => f.write_str("random"),
            #[cfg(not(loom))]
            Strategy::Pct { depth } => write!(f, "pct-{depth}"),
            #[cfg(not(loom))]
            Strategy::Dfs => f.write_str("dfs"),
            #[cfg(not(loom))]
            Strategy::Pos => f.write_str("pos"),
            #[cfg(loom)]
            Strategy::Exhaustive {
                preemption_bound: Some(bound),
            } => write!(f, "exhaustive-{bound}"),
            #[cfg(loom)]
            Strategy::Exhaustive {
                preemption_bound: None,
            } => f.write_str("exhaustive"),
        }
    }
}

impl FromStr for Strategy {
    type Err = String;

    /// Parses `random`, `pct-D`, `dfs` (shuttle) or `exhaustive[-B]` (loom).
    fn from_str(text: &str) -> Result<Self, String> {
        #[cfg(not(loom))]
        {
            match text {
                "random" => return Ok(Strategy::Random),
                "dfs" => return Ok(Strategy::Dfs),
                "pos" => return Ok(Strategy::Pos),
                _ => {}
            }
            if let Some(depth) = text.strip_prefix("pct-").and_then(|d| d.parse().ok()) {
                return Ok(Strategy::Pct { depth });
            }
            Err(format!(
                "unknown strategy `{text}` for shuttle; use random, pct-D (e.g. pct-3), pos or dfs"
            ))
        }
        #[cfg(loom)]
        {
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
}

/// What a completed (or failed) exploration saw.
#[derive(Clone, Debug)]
pub struct Stats {
    /// Executions run (up to and including a failing one).
    pub executions: usize,
    /// Distinct schedules among them, by hash of the recorded schedule: exact up to 4,096,
    /// then a HyperLogLog estimate (about 1.6 % standard error), so a long exploration counts
    /// them in flat memory. Under loom every execution is a distinct interleaving.
    pub distinct_schedules: usize,
    /// Distinct coverage points the model marked (see [`crate::coverage`]).
    pub coverage: usize,
    /// Wall-clock time the exploration took.
    pub elapsed: Duration,
}

impl Stats {
    /// Executions per second of wall-clock time.
    pub fn executions_per_second(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The first failing execution of an exploration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Its 1-based number within the exploration.
    pub execution: usize,
    /// The message of the first panic in it (an assertion, a deadlock report, ...).
    pub message: String,
    /// Its trace, rendered as a table.
    pub trace: String,
    /// The thread chosen at each scheduling point (shuttle; empty under loom).
    pub schedule: Vec<usize>,
    /// The seed of its fault draws (meaningful when faults were injected).
    pub fault_seed: u64,
}

/// The outcome of exploring one scenario.
#[derive(Debug)]
pub struct Report {
    /// The scenario's name.
    pub scenario: &'static str,
    /// Which variant ran.
    pub variant: Variant,
    /// The strategy, as written in seed files.
    pub strategy: String,
    /// What the exploration saw.
    pub stats: Stats,
    /// The failure, if one was found.
    pub failure: Option<Failure>,
    /// Where the failure's seed file was written, or why it could not be (the seed was then
    /// printed to stderr in full, so it is not lost).
    pub seed_file: Option<Result<PathBuf, String>>,
}

/// Configures and runs an exploration of a test body or a scenario.
///
/// The same configuration always explores the same executions, so a failure reproduces by
/// running it again, and its seed file replays it alone.
#[derive(Clone, Debug)]
pub struct Explorer {
    strategy: Strategy,
    seed: u64,
    iterations: usize,
    time_budget: Option<Duration>,
    lock_order_graph: bool,
    hierarchy: bool,
    trace: bool,
    seeds_dir: Option<PathBuf>,
    faults: Option<FaultPlan>,
    fault_seed: Option<u64>,
    shrink_budget: usize,
    sizes: std::collections::BTreeMap<String, usize>,
}

impl Explorer {
    /// An exploration by `strategy`, from seed 0, for at most 1000 iterations (shuttle), with
    /// every check and trace recording on, writing no seed files.
    pub fn new(strategy: Strategy) -> Self {
        Explorer {
            strategy,
            seed: 0,
            iterations: 1000,
            time_budget: None,
            lock_order_graph: true,
            hierarchy: true,
            trace: true,
            seeds_dir: None,
            faults: None,
            fault_seed: None,
            shrink_budget: DEFAULT_SHRINK_BUDGET,
            sizes: std::collections::BTreeMap::new(),
        }
    }

    /// Sets size knob `name` (see [`crate::scenario::size`]) to `value` in every execution,
    /// instead of the default the scenario gives: a bigger workload, or (under loom) a smaller
    /// one to keep an exhaustive search small. A seed file written by this exploration records
    /// it in `[sizes]`, and its replay fails with a clear error if the scenario never reads it.
    pub fn size(mut self, name: &str, value: usize) -> Self {
        self.sizes.insert(name.to_owned(), value);
        self
    }

    /// How many candidate executions [`explore`](Explorer::explore) may replay to shrink a
    /// failure before writing its seed file (shuttle; 0 turns shrinking off). The budget counts
    /// candidates, not seconds, so shrinking is deterministic.
    pub fn shrink_budget(mut self, candidates: usize) -> Self {
        self.shrink_budget = candidates;
        self
    }

    /// The seed of the random strategies.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The most executions to run (shuttle strategies).
    pub fn iterations(mut self, iterations: usize) -> Self {
        self.iterations = iterations;
        self
    }

    /// Stops exploring (without failing) once this much wall-clock time has passed.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.time_budget = Some(budget);
        self
    }

    /// Whether to fail on a cycle in the lock-order graph (a potential deadlock) before it
    /// deadlocks. On by default; turn it off to see the deadlocks themselves.
    pub fn lock_order_graph(mut self, enabled: bool) -> Self {
        self.lock_order_graph = enabled;
        self
    }

    /// Whether to check acquisitions against the lock hierarchy at all (ranks and the
    /// lock-order graph). On by default; off only to measure what the checks cost.
    pub fn hierarchy(mut self, enabled: bool) -> Self {
        self.hierarchy = enabled;
        self
    }

    /// Whether executions record their trace. On by default; off only to measure its cost.
    pub fn trace(mut self, enabled: bool) -> Self {
        self.trace = enabled;
        self
    }

    /// Where [`explore`](Explorer::explore) writes the seed file of a failure.
    pub fn seeds_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.seeds_dir = Some(dir.into());
        self
    }

    /// Injects faults by `plan` (see [`crate::fault`]). Under shuttle each execution draws
    /// from its own fault seed, derived from the exploration's seed; under loom the fault seed is
    /// fixed for the whole run.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = Some(plan);
        self
    }

    /// Fixes the fault seed for every execution (loom's way: one plan per model run; a test
    /// enumerates the seeds it cares about).
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = Some(seed);
        self
    }

    /// Where each execution's fault seed comes from. Exhaustive searches need the same fault
    /// plan in every execution: they enumerate the choices of a program that must behave the
    /// same way given the same choices (DFS indexed past the end of its recorded choices when
    /// faults changed the program between executions). Loom keeps one plan; DFS enumerates one
    /// plan's schedules, then the next plan's, until its budget runs out.
    fn fault_seeds(&self) -> FaultSeed {
        #[cfg(not(loom))]
        let dfs = self.strategy == Strategy::Dfs;
        #[cfg(loom)]
        let dfs = false;
        match self.fault_seed {
            Some(seed) => FaultSeed::Fixed(seed),
            None if cfg!(loom) => FaultSeed::Fixed(self.seed),
            None if dfs && self.faults.is_some() => FaultSeed::PerPlan {
                seed: self.seed,
                plan: Default::default(),
            },
            None => FaultSeed::PerExecution(self.seed),
        }
    }

    /// The strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Runs the exploration: the stats, or the first failure.
    pub fn run<F>(&self, body: F) -> Result<Stats, Failure>
    where
        F: Fn() + Send + Sync + 'static,
    {
        let (stats, failure) = self.run_inner(body, None);
        failure.map_or(Ok(stats), Err)
    }

    /// Explores one variant of a scenario. On failure, writes its seed file into the seeds
    /// directory (if one is set); if that fails, prints the whole seed to stderr instead.
    pub fn explore(&self, scenario: &Scenario, variant: Variant) -> Report {
        let run = scenario.run;
        let checkpoint = self.loom_checkpoint(scenario);
        let (stats, mut failure) = self.run_inner(move || run(variant), checkpoint.as_deref());
        let mut shrunk_seed = None;
        if let Some(failure) = failure.as_mut() {
            shrunk_seed = self.shrink(scenario, variant, failure);
        }
        let seed_file = match (&failure, &self.seeds_dir) {
            (Some(failure), Some(dir)) => {
                let mut seed =
                    shrunk_seed.unwrap_or_else(|| self.seed_file(scenario, variant, failure));
                if let Some(checkpoint) = &checkpoint {
                    let name = format!("{}.loom.json", seed.file_stem());
                    if std::fs::rename(checkpoint, dir.join(&name)).is_ok() {
                        seed.loom_checkpoint = Some(name);
                    }
                }
                Some(seed.write_into(dir).map_err(|err| {
                    eprintln!(
                        "{err}\nthe seed file, so it is not lost:\n{}",
                        seed.to_toml()
                    );
                    err.to_string()
                }))
            }
            _ => None,
        };
        if let Some(checkpoint) = checkpoint {
            let _ = std::fs::remove_file(checkpoint);
        }
        Report {
            scenario: scenario.name,
            variant,
            strategy: self.strategy.to_string(),
            stats,
            failure,
            seed_file,
        }
    }

    /// Shrinks `failure` (shuttle, within the shrink budget): on success its message, schedule
    /// and trace become the shrunk ones, and the shrunk seed file is returned.
    #[cfg(not(loom))]
    fn shrink(
        &self,
        scenario: &Scenario,
        variant: Variant,
        failure: &mut Failure,
    ) -> Option<SeedFile> {
        if self.shrink_budget == 0 {
            return None;
        }
        let seed = self.seed_file(scenario, variant, failure);
        let shrunk = crate::shrink::shrink(&seed, scenario, variant, self.shrink_budget).ok()?;
        failure.message.clone_from(&shrunk.seed.message);
        failure.schedule.clone_from(&shrunk.seed.schedule);
        failure.trace = shrunk.trace;
        Some(shrunk.seed)
    }

    /// Loom failures are not shrunk: loom's own search already prefers few preemptions.
    #[cfg(loom)]
    fn shrink(&self, _: &Scenario, _: Variant, _: &mut Failure) -> Option<SeedFile> {
        None
    }

    /// The seed file that replays `failure` of `scenario`.
    pub fn seed_file(&self, scenario: &Scenario, variant: Variant, failure: &Failure) -> SeedFile {
        SeedFile {
            lockstep_version: env!("CARGO_PKG_VERSION").to_owned(),
            scenario: scenario.name.to_owned(),
            variant: variant.to_string(),
            backend: crate::BACKEND.to_owned(),
            strategy: self.strategy.to_string(),
            seed: self.seed,
            iteration: failure.execution,
            expected: Expected::Fail,
            message: failure.message.clone(),
            schedule: failure.schedule.clone(),
            loom_checkpoint: None,
            shrinking: None,
            faults: self.faults.clone(),
            fault_seed: self.faults.as_ref().map(|_| failure.fault_seed),
            sizes: self.sizes.clone(),
        }
    }

    /// Under loom with a seeds directory: where loom keeps the path of the execution it is
    /// running (written before each one, so after a failure it is the failing one's).
    fn loom_checkpoint(&self, scenario: &Scenario) -> Option<PathBuf> {
        if !cfg!(loom) {
            return None;
        }
        let dir = self.seeds_dir.as_ref()?;
        std::fs::create_dir_all(dir).ok()?;
        Some(dir.join(format!(
            ".{}-{}.loom.json",
            scenario.name,
            std::process::id()
        )))
    }

    fn run_inner<F>(
        &self,
        body: F,
        checkpoint: Option<&std::path::Path>,
    ) -> (Stats, Option<Failure>)
    where
        F: Fn() + Send + Sync + 'static,
    {
        let mut harness = Harness::new(body);
        if !self.lock_order_graph || !self.hierarchy {
            harness.setup.graph = None;
        }
        harness.setup.hierarchy = self.hierarchy;
        harness.setup.trace = self.trace;
        harness.setup.faults = self.faults.clone().map(std::sync::Arc::new);
        harness.setup.sizes = std::sync::Arc::new(self.sizes.clone());
        let fault_seed = self.fault_seeds();
        harness.setup.fault_seed = fault_seed.clone();
        let started = Instant::now();
        let recorder = Recorder::default();
        let ended = harness.run(false, |f| self.drive(f, &recorder, checkpoint, &fault_seed));
        let stats = Stats {
            executions: ended.executions,
            distinct_schedules: recorder.distinct().unwrap_or(ended.executions),
            coverage: ended.coverage,
            elapsed: started.elapsed(),
        };
        let failure = ended.failure.map(|message| Failure {
            execution: ended.executions,
            message,
            trace: ended.trace.unwrap_or_default(),
            schedule: recorder.last(),
            fault_seed: ended.fault_seed,
        });
        (stats, failure)
    }

    #[cfg(loom)]
    fn drive(
        &self,
        f: Box<dyn Fn() + Send + Sync>,
        _recorder: &Recorder,
        checkpoint: Option<&std::path::Path>,
        _fault_seed: &FaultSeed,
    ) {
        let mut builder = loom_builder(self.strategy);
        if self.time_budget.is_some() {
            builder.max_duration = self.time_budget;
            // Loom compares the elapsed time with `max_duration` only every
            // `checkpoint_interval` executions (20,000 by default): before every one, as
            // shuttle does, the budget holds for slow executions too.
            builder.checkpoint_interval = 1;
        }
        if let Some(path) = checkpoint {
            builder.checkpoint_file = Some(path.to_path_buf());
            builder.checkpoint_interval = 1;
        }
        builder.check(f);
    }

    #[cfg(not(loom))]
    fn drive(
        &self,
        f: Box<dyn Fn() + Send + Sync>,
        recorder: &Recorder,
        _checkpoint: Option<&std::path::Path>,
        fault_seed: &FaultSeed,
    ) {
        use crate::schedule::{DfsPlans, Pct, Pos, Recording};
        use shuttle::scheduler::{RandomScheduler, Scheduler};
        fn run(
            scheduler: impl Scheduler + 'static,
            recorder: &Recorder,
            config: shuttle::Config,
            f: Box<dyn Fn() + Send + Sync>,
        ) {
            let schedule = std::sync::Arc::clone(&recorder.schedule);
            let recording = Recording::new(scheduler, schedule, recorder.hashes.clone());
            shuttle::Runner::new(recording, config).run(f);
        }
        let config = shuttle_config(self.time_budget);
        let (seed, iterations) = (self.seed, self.iterations);
        match self.strategy {
            Strategy::Random => run(
                RandomScheduler::new_from_seed(seed, iterations),
                recorder,
                config,
                f,
            ),
            Strategy::Pct { depth } => run(Pct::new(seed, depth, iterations), recorder, config, f),
            Strategy::Pos => run(Pos::new(seed, iterations), recorder, config, f),
            Strategy::Dfs => {
                let plans = match fault_seed {
                    FaultSeed::PerPlan { plan, .. } => Some(std::sync::Arc::clone(plan)),
                    _ => None,
                };
                run(DfsPlans::new(iterations, plans), recorder, config, f)
            }
        }
    }
}

/// The size knobs (see [`crate::scenario::size`]) one execution of `scenario`'s `variant`
/// reads, in first-read order, with the values they took given the overrides `sizes` (an
/// override of a knob it does not read is ignored). Scenarios read their knobs up front, so one
/// execution tells, failing or not: the first schedule, no faults, no trace. The kernel's record
/// of the knobs read is the one replay and the shrinker check a seed's `[sizes]` against.
pub(crate) fn sizes_read(
    scenario: &Scenario,
    variant: Variant,
    sizes: &std::collections::BTreeMap<String, usize>,
) -> Vec<(&'static str, usize)> {
    let run = scenario.run;
    let mut harness = Harness::new(move || run(variant));
    harness.setup.trace = false;
    harness.setup.sizes = std::sync::Arc::new(sizes.clone());
    let ended = harness.run(false, |f| {
        #[cfg(not(loom))]
        shuttle::Runner::new(
            shuttle::scheduler::DfsScheduler::new(Some(1), false),
            shuttle_config(None),
        )
        .run(f);
        #[cfg(loom)]
        {
            let mut builder = loom::model::Builder::new();
            builder.checkpoint_file = None;
            builder.max_duration = None;
            builder.checkpoint_interval = 1;
            // loom checks the bound before each execution: 2 lets exactly one run.
            builder.max_permutations = Some(2);
            builder.check(f);
        }
    });
    ended.sizes
}

/// A loom model builder for `strategy` (loom's environment variables apply first).
#[cfg(loom)]
pub(crate) fn loom_builder(strategy: Strategy) -> loom::model::Builder {
    let Strategy::Exhaustive { preemption_bound } = strategy;
    let mut builder = loom::model::Builder::new();
    if preemption_bound.is_some() {
        builder.preemption_bound = preemption_bound;
    }
    builder
}

/// Shuttle's configuration for lockstep: no failure files or schedule printing of its own
/// (lockstep records and reports schedules itself).
#[cfg(not(loom))]
pub(crate) fn shuttle_config(time_budget: Option<Duration>) -> shuttle::Config {
    let mut config = shuttle::Config::new();
    config.failure_persistence = shuttle::FailurePersistence::None;
    config.max_time = time_budget;
    config
}

/// What the recording scheduler saw (shuttle), shared with the explorer.
#[derive(Default)]
struct Recorder {
    #[cfg(not(loom))]
    schedule: crate::schedule::SharedSchedule,
    #[cfg(not(loom))]
    hashes: crate::schedule::SharedHashes,
}

impl Recorder {
    /// The last execution's schedule.
    fn last(&self) -> Vec<usize> {
        #[cfg(not(loom))]
        return self
            .schedule
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        #[cfg(loom)]
        return Vec::new();
    }

    /// How many distinct schedules ran, if known.
    fn distinct(&self) -> Option<usize> {
        #[cfg(not(loom))]
        return Some(crate::schedule::distinct(&self.hashes, &self.schedule));
        #[cfg(loom)]
        return None;
    }
}
