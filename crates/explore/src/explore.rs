//! The explorer: runs a body or a scenario under a strategy, and on failure reports the
//! message, the rendered trace and the recorded schedule, shrinks it (shuttle) and writes a
//! seed file.
//!
//! ```
//! use lockstep::explore::{Explorer, Strategy};
//! use lockstep::sync::{Arc, Mutex};
//! use lockstep::thread;
//!
//! # #[cfg(feature = "shuttle")]
//! let strategy = Strategy::Pct { depth: 3 };
//! # #[cfg(loom)]
//! # let strategy = Strategy::Exhaustive { preemption_bound: Some(2) };
//! let result = Explorer::new(strategy).seed(7).iterations(100).run(|| {
//!     let counter = Arc::new(Mutex::new(0));
//!     let c = Arc::clone(&counter);
//!     let t = thread::spawn(move || *c.lock() += 1);
//!     *counter.lock() += 1;
//!     t.join().unwrap();
//!     assert_eq!(*counter.lock(), 2);
//! });
//! assert!(result.is_ok());
//! ```

use crate::replay::{scenario_body, Body};
use crate::run::harness::Harness;
use crate::run::{self, Drive, Recorder};
use crate::seed::{Expected, SeedFile};
use lockstep_engine::fault_plan::FaultPlan;
use lockstep_engine::kernel::FaultSeed;
pub use lockstep_engine::kernel::DEFAULT_LIVELOCK_BOUND;
use lockstep_engine::lock_graph::LockGraph;
use lockstep_facade::scenario::{Scenario, Variant};
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use crate::run::Strategy;
#[cfg(feature = "shuttle")]
#[cfg_attr(docsrs, doc(cfg(feature = "shuttle")))]
pub use crate::run::{Feedback, FeedbackError};
pub use lockstep_engine::liveness::{HintLog, Liveness};
pub use lockstep_engine::lock_graph::LockOrderRule;

/// The default of [`Explorer::shrink_budget`].
pub const DEFAULT_SHRINK_BUDGET: usize = 600;

/// What a completed (or failed) exploration saw.
#[derive(Clone, Debug)]
pub struct Stats {
    /// Executions run (up to and including a failing one).
    pub executions: usize,
    /// Distinct schedules among them, by hash of the recorded schedule: exact up to 4,096,
    /// then a HyperLogLog estimate (about 1.6 % standard error), so a long exploration counts
    /// them in flat memory. Under loom every execution is a distinct interleaving.
    pub distinct_schedules: usize,
    /// Distinct coverage points the model marked (see `lockstep::coverage`).
    pub coverage: usize,
    /// The most threads any execution had, the main one included: 1 means the body never
    /// spawned a thread (see [`Stats::warning`]).
    pub max_threads: usize,
    /// The liveness hints: timed waits that timed out while what they waited for was there
    /// (see [`Explorer::liveness`]).
    pub liveness_hints: HintLog,
    /// Wall-clock time the exploration took.
    pub elapsed: Duration,
}

impl Stats {
    /// Executions per second of wall-clock time.
    pub fn executions_per_second(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// What a passing exploration should still tell its user: that it tested nothing
    /// concurrent, if no execution spawned a thread.
    ///
    /// ```
    /// use lockstep::explore::{Stats, Warning};
    /// use std::time::Duration;
    ///
    /// let stats = |max_threads| Stats {
    ///     executions: 1000,
    ///     distinct_schedules: 1,
    ///     coverage: 0,
    ///     max_threads,
    ///     liveness_hints: Default::default(),
    ///     elapsed: Duration::ZERO,
    /// };
    /// assert_eq!(stats(1).warning(), Some(Warning::NoConcurrency { executions: 1000 }));
    /// assert_eq!(stats(2).warning(), None);
    /// ```
    ///
    /// A timed wait that timed out while what it waited for was there is the other warning
    /// (after this one): a lost wake-up hidden behind a timeout.
    pub fn warning(&self) -> Option<Warning> {
        if self.executions > 0 && self.max_threads < 2 {
            return Some(Warning::NoConcurrency {
                executions: self.executions,
            });
        }
        let first = self.liveness_hints.first.clone()?;
        Some(Warning::LivenessHints {
            count: self.liveness_hints.count,
            first,
        })
    }
}

/// Something an exploration saw that makes its verdict weaker than it looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// No execution spawned a thread: every schedule is the same one, and the strategy
    /// explored nothing.
    NoConcurrency {
        /// How many executions ran.
        executions: usize,
    },
    /// Timed waits timed out while what they waited for was there (see
    /// `lockstep_engine::liveness`).
    LivenessHints {
        /// How many.
        count: usize,
        /// The report of the first one.
        first: String,
    },
}

impl fmt::Display for Warning {
    /// One line, e.g. `warning: the test exercised no concurrency: none of its 1000
    /// executions spawned a thread`.
    ///
    /// ```
    /// let warning = lockstep::explore::Warning::NoConcurrency { executions: 3 };
    /// assert_eq!(
    ///     warning.to_string(),
    ///     "warning: the test exercised no concurrency: none of its 3 executions spawned a thread"
    /// );
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NoConcurrency { executions } => write!(
                f,
                "warning: the test exercised no concurrency: none of its {executions} executions \
                 spawned a thread"
            ),
            Warning::LivenessHints { count, first } => write!(
                f,
                "warning: {count} timed wait(s) timed out while what they waited for was there                  (a lost wake-up hidden behind a timeout?); the first: {first}"
            ),
        }
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
    /// The seed of its fault draws and `lockstep::random` draws (meaningful when faults were
    /// injected or it drew random values).
    pub fault_seed: u64,
    /// How many `lockstep::random` draws it made (a seed file keeps the fault seed if any).
    pub random_draws: usize,
}

impl fmt::Display for Failure {
    /// The message, then the trace as a table.
    ///
    /// ```
    /// let failure = lockstep::explore::Failure {
    ///     execution: 3,
    ///     message: "lost update".into(),
    ///     trace: "step  time  thread\n".into(),
    ///     schedule: vec![0, 1],
    ///     fault_seed: 0,
    ///     random_draws: 0,
    /// };
    /// assert_eq!(failure.to_string(), "execution 3 failed: lost update\n\nstep  time  thread\n");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "execution {} failed: {}\n\n{}",
            self.execution, self.message, self.trace
        )
    }
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
    /// The strategy's seed.
    pub strategy_seed: u64,
    /// What the exploration saw.
    pub stats: Stats,
    /// The failure, if one was found.
    pub failure: Option<Failure>,
    /// Where the failure's seed file was written, or why it could not be (the seed was then
    /// printed to stderr in full, so it is not lost).
    pub seed_file: Option<Result<PathBuf, String>>,
    /// The failure's seed file (the shrunk one, if shrinking found a smaller execution),
    /// whether or not it was written: what a caller prints when it could not be.
    pub seed: Option<SeedFile>,
    /// What the exploration should tell its user even when it passed (see
    /// [`Stats::warning`]).
    pub warning: Option<Warning>,
}

impl fmt::Display for Report {
    /// What ran, how far, the warning (on a line of its own) if there is one, and the failure
    /// (with its trace) if one was found.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variant = match self.variant {
            Variant::Fixed => String::new(),
            bug => format!(" {bug}"),
        };
        write!(
            f,
            "lockstep: {}{variant}, {} from seed {}: {} executions ({} distinct schedules)",
            self.scenario,
            self.strategy,
            self.strategy_seed,
            self.stats.executions,
            self.stats.distinct_schedules
        )?;
        if self.failure.is_none() {
            f.write_str(", no failure")?;
        }
        if let Some(warning) = &self.warning {
            write!(f, "\n{warning}")?;
        }
        match &self.failure {
            None => Ok(()),
            Some(failure) => write!(f, "\n{failure}"),
        }
    }
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
    lock_order_rule: LockOrderRule,
    liveness: Liveness,
    hierarchy: bool,
    trace: bool,
    seeds_dir: Option<PathBuf>,
    faults: Option<FaultPlan>,
    fault_seed: Option<u64>,
    shrink_budget: usize,
    sizes: std::collections::BTreeMap<String, usize>,
    livelock_bound: usize,
    #[cfg(feature = "shuttle")]
    feedback: Option<Feedback>,
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
            lock_order_rule: LockOrderRule::default(),
            liveness: Liveness::default(),
            hierarchy: true,
            trace: true,
            seeds_dir: None,
            faults: None,
            fault_seed: None,
            shrink_budget: DEFAULT_SHRINK_BUDGET,
            sizes: std::collections::BTreeMap::new(),
            livelock_bound: DEFAULT_LIVELOCK_BOUND,
            #[cfg(feature = "shuttle")]
            feedback: None,
        }
    }

    /// Where the reads-from search ([`Strategy::Rff`]) starts from and leaves what it learned
    /// (its coverage and corpus; see [`Feedback`]): by default each exploration starts afresh.
    /// Other strategies ignore it. The executions then depend on the feedback too (the same
    /// seed and the same feedback give the same executions); seed files still replay alone.
    ///
    /// ```
    /// use lockstep::explore::{Explorer, Feedback, Strategy};
    ///
    /// // Two threads race to set a flag the other one then reads.
    /// let race = || {
    ///     use lockstep::sync::atomic::{AtomicBool, Ordering};
    ///     let flag = lockstep::sync::Arc::new(AtomicBool::new(false));
    ///     let other = flag.clone();
    ///     let t = lockstep::thread::spawn(move || other.swap(true, Ordering::SeqCst));
    ///     flag.swap(true, Ordering::SeqCst);
    ///     t.join().unwrap();
    /// };
    /// let feedback = Feedback::new();
    /// Explorer::new(Strategy::Rff).iterations(50).feedback(&feedback).run(race).unwrap();
    /// assert!(feedback.schedules() > 0, "it kept the schedules that showed new pairs");
    /// let pairs = feedback.pairs();
    /// Explorer::new(Strategy::Rff).seed(1).iterations(50).feedback(&feedback).run(race).unwrap();
    /// assert!(feedback.pairs() >= pairs, "the second run started from the first one's");
    /// ```
    #[cfg(feature = "shuttle")]
    #[cfg_attr(docsrs, doc(cfg(feature = "shuttle")))]
    pub fn feedback(mut self, feedback: &Feedback) -> Self {
        self.feedback = Some(feedback.clone());
        self
    }

    /// After how many retries without progress (yields, failed try-locks, atomic loads and
    /// exchanges that change nothing) a thread counts as spinning; when every thread is
    /// spinning or blocked and no timeout is pending, the execution fails as a livelock (see
    /// the README's liveness section). Default [`DEFAULT_LIVELOCK_BOUND`]; 0 turns detection
    /// off. A seed file written with another bound than the default records it, and its
    /// replay uses it.
    ///
    /// ```
    /// use lockstep::explore::{Explorer, Strategy};
    /// use lockstep::sync::atomic::{AtomicBool, Ordering};
    ///
    /// # #[cfg(feature = "shuttle")]
    /// # let strategy = Strategy::Random;
    /// # #[cfg(loom)]
    /// # let strategy = Strategy::Exhaustive { preemption_bound: Some(2) };
    /// // Waits for a flag nobody sets, yielding: a livelock after 50 yields.
    /// let spin = || {
    ///     let never = AtomicBool::new(false);
    ///     while !never.load(Ordering::Acquire) {
    ///         lockstep::thread::yield_now();
    ///     }
    /// };
    /// let failure = Explorer::new(strategy).livelock_bound(50).run(spin).unwrap_err();
    /// assert!(failure.message.contains("livelock"), "{}", failure.message);
    /// ```
    pub fn livelock_bound(mut self, retries: usize) -> Self {
        self.livelock_bound = retries;
        self
    }

    /// Sets size knob `name` (see `lockstep::scenario::size`) to `value` in every execution,
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

    /// What a liveness hint does: a timed wait that timed out while what it waited for was
    /// there (the lock free, its condition already true, its notification taken by another
    /// waiter; see `lockstep_engine::liveness`). [`Liveness::Hint`] (the default) marks it in
    /// the trace's detail column and counts it in [`Stats::liveness_hints`] and the report's
    /// warning; [`Liveness::Strict`] fails the execution with the hint's report. A seed file
    /// written by this exploration records the rule.
    ///
    /// ```
    /// use lockstep::explore::{Explorer, Liveness, Strategy};
    ///
    /// # #[cfg(feature = "shuttle")]
    /// # let strategy = Strategy::Random;
    /// # #[cfg(loom)]
    /// # let strategy = Strategy::Exhaustive { preemption_bound: Some(2) };
    /// let strict = Explorer::new(strategy).liveness(Liveness::Strict);
    /// # let _ = strict;
    /// ```
    pub fn liveness(mut self, rule: Liveness) -> Self {
        self.liveness = rule;
        self
    }

    /// Whether to fail on a cycle in the lock-order graph (a potential deadlock) before it
    /// deadlocks. On by default; turn it off to see the deadlocks themselves.
    pub fn lock_order_graph(mut self, enabled: bool) -> Self {
        self.lock_order_graph = enabled;
        self
    }

    /// Which cycles of the lock-order graph are potential deadlocks: by default
    /// [`LockOrderRule::Concurrent`] (edges of distinct threads that hold no exclusive gate
    /// lock in common), or lockdep's [`LockOrderRule::Strict`] (any cycle). A seed file written
    /// by a strict exploration records it, and its replay uses it.
    ///
    /// ```
    /// use lockstep::explore::{Explorer, LockOrderRule, Strategy};
    /// use lockstep::sync::Mutex;
    ///
    /// # #[cfg(feature = "shuttle")]
    /// # let strategy = Strategy::Random;
    /// # #[cfg(loom)]
    /// # let strategy = Strategy::Exhaustive { preemption_bound: Some(2) };
    /// // One thread's own A -> B, then B -> A: no deadlock by the default rule, reported by
    /// // the strict one.
    /// let inversion = || {
    ///     let (a, b) = (Mutex::named("A", ()), Mutex::named("B", ()));
    ///     drop((a.lock(), b.lock()));
    ///     let _b = b.lock();
    ///     let _a = a.lock();
    /// };
    /// assert!(Explorer::new(strategy).iterations(10).run(inversion).is_ok());
    /// let strict = Explorer::new(strategy).lock_order_rule(LockOrderRule::Strict);
    /// assert!(strict.run(inversion).is_err());
    /// ```
    pub fn lock_order_rule(mut self, rule: LockOrderRule) -> Self {
        self.lock_order_rule = rule;
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

    /// Injects faults by `plan` (see `lockstep::fault`). Under shuttle each execution draws
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
        run::fault_seeds(
            self.strategy,
            self.seed,
            self.fault_seed,
            self.faults.is_some(),
        )
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
        self.explore_body(scenario.name, variant, scenario_body(scenario, variant))
    }

    /// Explores a test's `body`, named `test` in its seed file (the test's path, e.g.
    /// `my_crate::queue::tests::no_lost_item`), as [`explore`](Explorer::explore) explores a
    /// scenario: on failure the failure is shrunk and its seed file written.
    pub fn explore_test(
        &self,
        test: &'static str,
        body: impl Fn() + Send + Sync + 'static,
    ) -> Report {
        self.explore_body(test, Variant::Fixed, std::sync::Arc::new(body))
    }

    fn explore_body(&self, name: &'static str, variant: Variant, body: Body) -> Report {
        let checkpoint = self.loom_checkpoint(name);
        let run = std::sync::Arc::clone(&body);
        let (stats, mut failure) = self.run_inner(move || run(), checkpoint.as_deref());
        let mut shrunk_seed = None;
        if let Some(failure) = failure.as_mut() {
            shrunk_seed = self.shrink(name, variant, &body, failure);
        }
        let mut seed = failure.as_ref().map(|failure| {
            shrunk_seed.unwrap_or_else(|| self.seed_file_named(name, variant, failure))
        });
        let seed_file = match (&mut seed, &self.seeds_dir) {
            (Some(seed), Some(dir)) => {
                if let Some(checkpoint) = &checkpoint {
                    let name = format!("{}.loom.json", seed.file_stem());
                    // The scratch file may sit on another file system than the seeds.
                    let kept = std::fs::create_dir_all(dir)
                        .and_then(|()| std::fs::copy(checkpoint, dir.join(&name)));
                    if kept.is_ok() {
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
            scenario: name,
            variant,
            strategy: self.strategy.to_string(),
            strategy_seed: self.seed,
            warning: stats.warning(),
            stats,
            failure,
            seed_file,
            seed,
        }
    }

    /// Shrinks `failure` (shuttle, within the shrink budget): on success its message, schedule
    /// and trace become the shrunk ones, and the shrunk seed file is returned.
    #[cfg(feature = "shuttle")]
    fn shrink(
        &self,
        name: &str,
        variant: Variant,
        body: &Body,
        failure: &mut Failure,
    ) -> Option<SeedFile> {
        if self.shrink_budget == 0 {
            return None;
        }
        let seed = self.seed_file_named(name, variant, failure);
        let shrunk = crate::shrink::shrink_body(&seed, body, self.shrink_budget).ok()?;
        failure.message.clone_from(&shrunk.seed.message);
        failure.schedule.clone_from(&shrunk.seed.schedule);
        failure.trace = shrunk.trace;
        Some(shrunk.seed)
    }

    /// Loom failures are not shrunk: loom's own search already prefers few preemptions.
    #[cfg(loom)]
    fn shrink(&self, _: &str, _: Variant, _: &Body, _: &mut Failure) -> Option<SeedFile> {
        None
    }

    /// The seed file that replays `failure` of `scenario`.
    pub fn seed_file(&self, scenario: &Scenario, variant: Variant, failure: &Failure) -> SeedFile {
        self.seed_file_named(scenario.name, variant, failure)
    }

    /// The seed file that replays `failure` of the scenario (or test) called `name`.
    fn seed_file_named(&self, name: &str, variant: Variant, failure: &Failure) -> SeedFile {
        SeedFile {
            lockstep_version: env!("CARGO_PKG_VERSION").to_owned(),
            scenario: name.to_owned(),
            variant: variant.to_string(),
            backend: lockstep_facade::BACKEND.to_owned(),
            strategy: self.strategy.to_string(),
            seed: self.seed,
            iteration: failure.execution,
            expected: Expected::Fail,
            message: failure.message.clone(),
            schedule: failure.schedule.clone(),
            loom_checkpoint: None,
            shrinking: None,
            faults: self.faults.clone(),
            fault_seed: (self.faults.is_some() || failure.random_draws > 0)
                .then_some(failure.fault_seed),
            sizes: self.sizes.clone(),
            lock_order: self.lock_order_rule,
            liveness: self.liveness,
            livelock_bound: (self.livelock_bound != DEFAULT_LIVELOCK_BOUND)
                .then_some(self.livelock_bound),
        }
    }

    /// Under loom with a seeds directory: where loom keeps the path of the execution it is
    /// running (written before each one, so after a failure it is the failing one's). A scratch
    /// file in the temp folder, numbered within the process so parallel tests keep apart; it is
    /// copied beside the seed only on a failure, so a passing exploration leaves the seeds
    /// folder as it was.
    fn loom_checkpoint(&self, name: &str) -> Option<PathBuf> {
        static EXPLORATIONS: std::sync::atomic::AtomicUsize =
            std::sync::atomic::AtomicUsize::new(0);
        if !cfg!(loom) {
            return None;
        }
        self.seeds_dir.as_ref()?;
        let number = EXPLORATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(std::env::temp_dir().join(format!(
            "lockstep-{}-{number}-{}.loom.json",
            std::process::id(),
            name.replace("::", "."),
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
        harness.setup.graph = (self.lock_order_graph && self.hierarchy)
            .then(|| LockGraph::shared(self.lock_order_rule));
        harness.setup.hierarchy = self.hierarchy;
        harness.setup.trace = self.trace;
        harness.setup.liveness = self.liveness;
        let hints = std::sync::Arc::clone(&harness.setup.hints);
        harness.setup.livelock_bound = (self.livelock_bound > 0).then_some(self.livelock_bound);
        harness.setup.faults = self.faults.clone().map(std::sync::Arc::new);
        harness.setup.sizes = std::sync::Arc::new(self.sizes.clone());
        let fault_seed = self.fault_seeds();
        harness.setup.fault_seed = fault_seed.clone();
        let started = Instant::now();
        let recorder = Recorder::new();
        let drive = Drive {
            strategy: self.strategy,
            seed: self.seed,
            iterations: self.iterations,
            time_budget: self.time_budget,
            checkpoint,
            fault_seed: &fault_seed,
            #[cfg(feature = "shuttle")]
            feedback: self.feedback.as_ref(),
        };
        let ended = harness.run(false, |f| run::drive(&drive, &recorder, f));
        let stats = Stats {
            executions: ended.executions,
            distinct_schedules: recorder.distinct().unwrap_or(ended.executions),
            coverage: ended.coverage,
            max_threads: ended.max_threads,
            liveness_hints: hints
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
            elapsed: started.elapsed(),
        };
        let failure = ended.failure.map(|message| Failure {
            execution: ended.executions,
            message,
            trace: ended.trace.unwrap_or_default(),
            schedule: recorder.last(),
            fault_seed: ended.fault_seed,
            random_draws: ended.random_draws,
        });
        (stats, failure)
    }
}

/// The size knobs (see `lockstep::scenario::size`) one execution of `scenario`'s `variant`
/// reads, in first-read order, with the values they took given the overrides `sizes` (an
/// override of a knob it does not read is ignored). Scenarios read their knobs up front, so one
/// execution tells, failing or not: the first schedule, no faults, no trace. The kernel's record
/// of the knobs read is the one replay and the shrinker check a seed's `[sizes]` against.
pub fn sizes_read(
    scenario: &Scenario,
    variant: Variant,
    sizes: &std::collections::BTreeMap<String, usize>,
) -> Vec<(&'static str, usize)> {
    let run = scenario.run;
    let mut harness = Harness::new(move || run(variant));
    harness.setup.trace = false;
    harness.setup.sizes = std::sync::Arc::new(sizes.clone());
    let ended = harness.run(false, run::run_first_schedule);
    ended.sizes
}

/// Explores every interleaving of `body` with loom, up to `preemption_bound` preemptions;
/// shorthand for an [`Explorer`] with [`Strategy::Exhaustive`].
#[cfg(loom)]
#[cfg_attr(docsrs, doc(cfg(loom)))]
pub fn explore_exhaustive<F>(preemption_bound: Option<usize>, body: F) -> Result<Stats, Failure>
where
    F: Fn() + Send + Sync + 'static,
{
    Explorer::new(Strategy::Exhaustive { preemption_bound }).run(body)
}

/// Explores `iterations` executions of `body` with shuttle, scheduling by `strategy` from
/// `seed`; shorthand for an [`Explorer`].
#[cfg(feature = "shuttle")]
#[cfg_attr(docsrs, doc(cfg(feature = "shuttle")))]
pub fn explore<F>(
    strategy: Strategy,
    seed: u64,
    iterations: usize,
    body: F,
) -> Result<Stats, Failure>
where
    F: Fn() + Send + Sync + 'static,
{
    Explorer::new(strategy)
        .seed(seed)
        .iterations(iterations)
        .run(body)
}
