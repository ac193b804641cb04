//! Testing your own code: one test body, every backend, failures that persist per test.
//!
//! [`Test`] is what `#[lockstep::test]` expands to, and the `check*` functions are the
//! peers' entry points (shuttle's `check_random`, `check_pct`, `check_dfs`; loom's `model`)
//! with the same meaning. Under shuttle a test explores its body with a strategy from a seed;
//! under loom it explores every interleaving up to a preemption bound; under std (where this
//! module is `lockstep_facade::check`) it runs the body once on real threads.
//!
//! A failing [`Test`] shrinks its failure (shuttle), writes the seed file into the test's own
//! folder of its crate's `lockstep-regressions/` (keyed by the test's path, as
//! proptest-regressions is keyed by source file: commit it), and panics with the failure, its
//! trace, the shrink summary, the seed's path and one line that replays exactly this failure.
//! Every later run replays the test's stored seeds first: one that fails again fails the test,
//! one that passes is a fixed bug, one whose schedule no longer matches the code fails with the
//! reason and the remedy.
//!
//! Environment knobs (they win over the test's own settings, so CI can search further without
//! touching code):
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `LOCKSTEP_ITERATIONS` | executions per test (shuttle) | the test's, else 1000 |
//! | `LOCKSTEP_SEED` | the strategy's seed (shuttle) | the test's, else 0 |
//! | `LOCKSTEP_STRATEGY` | `random`, `pct-D`, `pos`, `dfs` (shuttle); `exhaustive[-B]` (loom) | the test's, else `pos` / `exhaustive-2` |
//! | `LOCKSTEP_TIME_LIMIT` | seconds of wall-clock time per test, then stop (not fail) | none |
//! | `LOCKSTEP_REPLAY` | a seed file: the test it names replays only it | none |
//! | `LOCKSTEP_LOCK_ORDER` | the lock-order rule: `concurrent` or `strict` (lockdep's) | the test's, else `concurrent` |
//! | `LOCKSTEP_LIVENESS` | liveness hints: `hint` (marked in the trace) or `strict` (a failure) | the test's, else `hint` |
//! | `LOCKSTEP_LIVELOCK_BOUND` | retries without progress before a thread counts as spinning (0: off) | the test's, else 1000 |
//! | `LOOM_MAX_PREEMPTIONS`, `LOOM_MAX_BRANCHES` | loom's own, honoured when the test gives no bound | 2, loom's |
//!
//! ```
//! use lockstep::check::check;
//! use lockstep::sync::{Arc, Mutex};
//! use lockstep::thread;
//!
//! check(|| {
//!     let counter = Arc::new(Mutex::new(0));
//!     let c = Arc::clone(&counter);
//!     let t = thread::spawn(move || *c.lock() += 1);
//!     *counter.lock() += 1;
//!     t.join().unwrap();
//!     assert_eq!(*counter.lock(), 2);
//! });
//! ```

use crate::explore::{Explorer, Report, Strategy};
use crate::replay::replay_test_outcome;
use crate::seed::{SeedError, SeedFile};
use lockstep_engine::fault_plan::FaultPlan;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// The executions a test runs under shuttle unless told otherwise.
pub const DEFAULT_ITERATIONS: usize = 1000;

/// The preemption bound a test explores under loom unless told otherwise (or
/// `LOOM_MAX_PREEMPTIONS` says).
pub const DEFAULT_PREEMPTION_BOUND: usize = 2;

/// The folder, beside a crate's `Cargo.toml`, that holds its tests' seed files.
pub const REGRESSIONS_DIR: &str = "lockstep-regressions";

/// One test body's exploration, configured like `#[lockstep::test(...)]`.
///
/// ```no_run
/// use lockstep::check::Test;
///
/// Test::new("my_crate::tests::two_increments", env!("CARGO_MANIFEST_DIR"))
///     .iterations(500)
///     .strategy("pct-3")
///     .preemption_bound(3)
///     .run(|| { /* the test body */ });
/// ```
#[derive(Clone, Debug)]
pub struct Test {
    name: &'static str,
    dir: PathBuf,
    iterations: Option<usize>,
    strategy: Option<String>,
    seed: Option<u64>,
    preemption_bound: Option<usize>,
    faults: Option<FaultPlan>,
    sizes: Vec<(String, usize)>,
    time_limit: Option<Duration>,
    shrink_budget: Option<usize>,
    replay: Option<PathBuf>,
    lock_order: Option<String>,
    liveness: Option<String>,
    livelock_bound: Option<usize>,
}

impl Test {
    /// The test whose path is `name` (`crate::module::test`), in the crate whose manifest
    /// folder is `manifest_dir`: its seeds live in `manifest_dir/lockstep-regressions/` under
    /// the path, `::` a folder level.
    pub fn new(name: &'static str, manifest_dir: &str) -> Test {
        Test {
            name,
            dir: Path::new(manifest_dir).join(REGRESSIONS_DIR),
            iterations: None,
            strategy: None,
            seed: None,
            preemption_bound: None,
            faults: None,
            sizes: Vec::new(),
            time_limit: None,
            shrink_budget: None,
            replay: None,
            lock_order: None,
            liveness: None,
            livelock_bound: None,
        }
    }

    /// After how many retries without progress a thread counts as spinning (see
    /// [`Explorer::livelock_bound`]; 0 turns livelock detection off).
    ///
    /// ```no_run
    /// lockstep::check::Test::new("my_crate::tests::spin", env!("CARGO_MANIFEST_DIR"))
    ///     .livelock_bound(200)
    ///     .run(|| { /* the test body */ });
    /// ```
    pub fn livelock_bound(mut self, retries: usize) -> Test {
        self.livelock_bound = Some(retries);
        self
    }

    /// Keeps the seeds under `dir` instead of the crate's `lockstep-regressions/`.
    pub fn regressions_dir(mut self, dir: impl Into<PathBuf>) -> Test {
        self.dir = dir.into();
        self
    }

    /// Executions to run (shuttle; loom enumerates until done).
    pub fn iterations(mut self, iterations: usize) -> Test {
        self.iterations = Some(iterations);
        self
    }

    /// The shuttle strategy: `random`, `pct-D`, `pos` or `dfs` (loom ignores it: see
    /// [`preemption_bound`](Test::preemption_bound)).
    pub fn strategy(mut self, strategy: &str) -> Test {
        self.strategy = Some(strategy.to_owned());
        self
    }

    /// The seed of the random strategies (shuttle).
    pub fn seed(mut self, seed: u64) -> Test {
        self.seed = Some(seed);
        self
    }

    /// The most preemptions per execution loom explores (shuttle ignores it).
    pub fn preemption_bound(mut self, bound: usize) -> Test {
        self.preemption_bound = Some(bound);
        self
    }

    /// Injects faults by `plan` (see `lockstep::fault`).
    pub fn faults(mut self, plan: FaultPlan) -> Test {
        self.faults = Some(plan);
        self
    }

    /// Sets size knob `name` (see `lockstep::scenario::size`) to `value`.
    pub fn size(mut self, name: &str, value: usize) -> Test {
        self.sizes.push((name.to_owned(), value));
        self
    }

    /// Stops exploring (without failing) after this much wall-clock time.
    pub fn time_limit(mut self, limit: Duration) -> Test {
        self.time_limit = Some(limit);
        self
    }

    /// Candidate executions to try when shrinking a failure (shuttle; 0: do not shrink).
    pub fn shrink_budget(mut self, candidates: usize) -> Test {
        self.shrink_budget = Some(candidates);
        self
    }

    /// Which cycles of the lock-order graph fail the test: `concurrent` (the default: edges of
    /// distinct threads holding no exclusive gate lock in common) or `strict` (lockdep's: any
    /// cycle); see `lockstep::explore::LockOrderRule`. A bad name fails the test, naming both
    /// rules.
    ///
    /// ```no_run
    /// use lockstep::check::Test;
    ///
    /// Test::new("my_crate::tests::strict", env!("CARGO_MANIFEST_DIR"))
    ///     .lock_order("strict")
    ///     .run(|| { /* the test body */ });
    /// ```
    pub fn lock_order(mut self, rule: &str) -> Test {
        self.lock_order = Some(rule.to_owned());
        self
    }

    /// What a liveness hint (a timed wait that timed out while what it waited for was there)
    /// does: `hint` (the default: marked in the trace, a warning) or `strict` (the test
    /// fails); see `lockstep::explore::Liveness`. A bad name fails the test, naming both.
    ///
    /// ```no_run
    /// use lockstep::check::Test;
    ///
    /// Test::new("my_crate::tests::strict_liveness", env!("CARGO_MANIFEST_DIR"))
    ///     .liveness("strict")
    ///     .run(|| { /* the test body */ });
    /// ```
    pub fn liveness(mut self, rule: &str) -> Test {
        self.liveness = Some(rule.to_owned());
        self
    }

    /// Replays only the seed file at `path` (what `LOCKSTEP_REPLAY` does).
    pub fn replay(mut self, path: impl Into<PathBuf>) -> Test {
        self.replay = Some(path.into());
        self
    }

    /// The folder of this test's seeds.
    pub fn seeds_dir(&self) -> PathBuf {
        self.name
            .split("::")
            .fold(self.dir.clone(), |dir, part| dir.join(part))
    }

    /// Runs the test: its stored seeds first, then the exploration. Panics with a report a
    /// person reads (and that names the seed file and the line that replays it) on the first
    /// failure, or with a clear message on bad settings or a stale seed.
    pub fn run(self, body: impl Fn() + Send + Sync + Clone + 'static) {
        let knobs = Knobs::from_env().unwrap_or_else(|message| panic!("lockstep: {message}"));
        if let Some(path) = knobs.replay.clone().or_else(|| self.replay.clone()) {
            if names_this_test(&path, self.name) {
                return self.replay_only(&path, body);
            }
        }
        for path in stored_seeds(&self.seeds_dir()) {
            self.replay_stored(&path, body.clone());
        }
        let explorer = self
            .explorer(&knobs)
            .unwrap_or_else(|message| panic!("lockstep: {}: {message}", self.name));
        let report = explorer.explore_test(self.name, body);
        if report.failure.is_some() {
            panic!("{}", self.failure_report(&report));
        }
        if let Some(warning) = &report.warning {
            eprintln!("lockstep: {}: {warning}", self.name);
        }
    }

    /// The exploration these settings and knobs ask for.
    fn explorer(&self, knobs: &Knobs) -> Result<Explorer, String> {
        let strategy = match &knobs.strategy {
            Some(text) => text.parse::<Strategy>()?,
            None => self.default_strategy()?,
        };
        let mut explorer = Explorer::new(strategy)
            .seed(knobs.seed.or(self.seed).unwrap_or(0))
            .iterations(
                knobs
                    .iterations
                    .or(self.iterations)
                    .unwrap_or(DEFAULT_ITERATIONS),
            )
            .seeds_dir(self.seeds_dir());
        if let Some(limit) = knobs.time_limit.or(self.time_limit) {
            explorer = explorer.time_budget(limit);
        }
        if let Some(budget) = self.shrink_budget {
            explorer = explorer.shrink_budget(budget);
        }
        if let Some(rule) = knobs.lock_order.as_ref().or(self.lock_order.as_ref()) {
            explorer = explorer.lock_order_rule(rule.parse()?);
        }
        if let Some(rule) = knobs.liveness.as_ref().or(self.liveness.as_ref()) {
            explorer = explorer.liveness(rule.parse()?);
        }
        if let Some(bound) = knobs.livelock_bound.or(self.livelock_bound) {
            explorer = explorer.livelock_bound(bound);
        }
        if let Some(plan) = &self.faults {
            explorer = explorer.faults(plan.clone());
        }
        for (name, value) in &self.sizes {
            explorer = explorer.size(name, *value);
        }
        Ok(explorer)
    }

    /// The test's strategy on this backend (see [`backend_strategy`]).
    fn default_strategy(&self) -> Result<Strategy, String> {
        backend_strategy(self.strategy.as_deref(), self.preemption_bound)
    }

    /// Replays the stored seed at `path`: a failure fails the test, a pass is a fixed bug.
    fn replay_stored(&self, path: &Path, body: impl Fn() + Send + Sync + 'static) {
        match replay_test_outcome(path, self.name, body) {
            Ok(replayed) => {
                if let Some(message) = &replayed.failure {
                    panic!(
                        "{}",
                        self.replayed_report(path, message, &replayed.trace, "a stored seed fails")
                    );
                }
            }
            Err(SeedError::WrongBackend { .. }) => {} // replayed by the build it came from
            Err(err @ SeedError::Stale { .. }) => panic!(
                "lockstep: {err}\n(if the bug it recorded is fixed, delete the file; if not, \
                 the test's exploration will find it again and write a new one)"
            ),
            Err(err) => panic!("lockstep: {err}"),
        }
    }

    /// Replays only the seed at `path` and reports it: the failure it records, or an error.
    fn replay_only(&self, path: &Path, body: impl Fn() + Send + Sync + 'static) {
        match replay_test_outcome(path, self.name, body) {
            Ok(replayed) => match &replayed.failure {
                Some(message) => panic!(
                    "{}",
                    self.replayed_report(path, message, &replayed.trace, "replayed")
                ),
                None => println!(
                    "lockstep: {}: {} replays and passes\n\n{}",
                    self.name,
                    path.display(),
                    replayed.trace
                ),
            },
            Err(err) => panic!("lockstep: {err}"),
        }
    }

    fn replayed_report(&self, path: &Path, message: &str, trace: &str, how: &str) -> String {
        format!(
            "lockstep: {} failed ({how}: {}):\n{message}\n\n{trace}\nreplay: {}",
            self.name,
            path.display(),
            replay_line(path, self.name)
        )
    }

    /// The panic message of a failed exploration.
    fn failure_report(&self, report: &Report) -> String {
        let mut out = report.to_string();
        match &report.seed_file {
            Some(Ok(path)) => {
                if let Ok(Some(shrinking)) = SeedFile::read(path).map(|seed| seed.shrinking) {
                    let _ = write!(
                        out,
                        "\nshrunk: {} -> {} ({} candidates)",
                        shrinking.original, shrinking.shrunk, shrinking.candidates
                    );
                }
                let _ = write!(
                    out,
                    "\nseed: {}\nreplay: {}",
                    path.display(),
                    replay_line(path, self.name)
                );
            }
            Some(Err(err)) => {
                let _ = write!(out, "\nseed NOT written: {err} (it is printed above)");
            }
            None => {}
        }
        out
    }
}

/// The strategy a test explores with on this backend, given its own settings: under shuttle
/// `strategy`, else POS.
#[cfg(feature = "shuttle")]
fn backend_strategy(strategy: Option<&str>, _: Option<usize>) -> Result<Strategy, String> {
    strategy.unwrap_or("pos").parse()
}

/// The strategy a test explores with on this backend, given its own settings: under loom
/// exhaustive up to `preemption_bound`, else `LOOM_MAX_PREEMPTIONS` (loom reads it), else
/// [`DEFAULT_PREEMPTION_BOUND`].
#[cfg(loom)]
fn backend_strategy(_: Option<&str>, preemption_bound: Option<usize>) -> Result<Strategy, String> {
    let from_env = std::env::var_os("LOOM_MAX_PREEMPTIONS").is_some();
    let preemption_bound = match preemption_bound {
        Some(bound) => Some(bound),
        None if from_env => None,
        None => Some(DEFAULT_PREEMPTION_BOUND),
    };
    Ok(Strategy::Exhaustive { preemption_bound })
}

/// The environment knobs (see the module docs), read once per test.
#[derive(Debug, Default)]
struct Knobs {
    iterations: Option<usize>,
    seed: Option<u64>,
    strategy: Option<String>,
    time_limit: Option<Duration>,
    replay: Option<PathBuf>,
    lock_order: Option<String>,
    liveness: Option<String>,
    livelock_bound: Option<usize>,
}

impl Knobs {
    fn from_env() -> Result<Knobs, String> {
        Ok(Knobs {
            iterations: parsed("LOCKSTEP_ITERATIONS")?,
            seed: parsed("LOCKSTEP_SEED")?,
            strategy: std::env::var("LOCKSTEP_STRATEGY").ok(),
            time_limit: parsed::<f64>("LOCKSTEP_TIME_LIMIT")?
                .map(|seconds| Duration::from_secs_f64(seconds.max(0.0))),
            replay: std::env::var_os("LOCKSTEP_REPLAY").map(PathBuf::from),
            lock_order: std::env::var("LOCKSTEP_LOCK_ORDER").ok(),
            liveness: std::env::var("LOCKSTEP_LIVENESS").ok(),
            livelock_bound: parsed("LOCKSTEP_LIVELOCK_BOUND")?,
        })
    }
}

/// Environment variable `name`, parsed, if set.
fn parsed<T: FromStr>(name: &str) -> Result<Option<T>, String> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(text) => text.trim().parse().map(Some).map_err(|_| {
            format!(
                "{name}={text} is not a valid {}",
                std::any::type_name::<T>()
            )
        }),
    }
}

/// Whether the seed file at `path` is one of the test `name`'s (a replay of another test's
/// seed leaves this test alone; an unreadable file is this test's problem only if it is its).
fn names_this_test(path: &Path, name: &str) -> bool {
    match SeedFile::read(path) {
        Ok(seed) => seed.scenario == name,
        Err(err) => panic!("lockstep: LOCKSTEP_REPLAY: {err}"),
    }
}

/// The seed files in `dir`, in name order (none if it does not exist).
fn stored_seeds(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

/// The command that replays the seed at `path` of test `name` alone.
fn replay_line(path: &Path, name: &str) -> String {
    let filter = name.split_once("::").map_or(name, |(_, rest)| rest);
    let build = if cfg!(loom) {
        "RUSTFLAGS=\"--cfg loom\" cargo test --release"
    } else {
        "cargo test --features shuttle"
    };
    format!(
        "LOCKSTEP_REPLAY={} {build} -- --exact {filter}",
        path.display()
    )
}

/// Runs `body` with the backend's default search: shuttle POS for
/// [`DEFAULT_ITERATIONS`] executions, loom exhaustive up to [`DEFAULT_PREEMPTION_BOUND`]
/// preemptions (or `LOOM_MAX_PREEMPTIONS`). Panics with the failure's report. Seeds are not
/// stored (a test attribute, which knows the test's name, stores them).
#[track_caller]
pub fn check(body: impl Fn() + Send + Sync + 'static) {
    explore_or_panic(backend_strategy(None, None), None, body);
}

/// Runs `body` for `iterations` executions of uniformly random scheduling (shuttle; loom
/// explores exhaustively instead, as [`check`] does).
#[track_caller]
pub fn check_random(body: impl Fn() + Send + Sync + 'static, iterations: usize) {
    explore_or_panic(shuttle_or_default("random"), Some(iterations), body);
}

/// Runs `body` for `iterations` executions of PCT with bug depth `depth` (shuttle; loom
/// explores exhaustively instead).
#[track_caller]
pub fn check_pct(body: impl Fn() + Send + Sync + 'static, iterations: usize, depth: usize) {
    explore_or_panic(
        shuttle_or_default(&format!("pct-{depth}")),
        Some(iterations),
        body,
    );
}

/// Runs `body` for `iterations` executions of Partial Order Sampling (shuttle; loom explores
/// exhaustively instead).
#[track_caller]
pub fn check_pos(body: impl Fn() + Send + Sync + 'static, iterations: usize) {
    explore_or_panic(shuttle_or_default("pos"), Some(iterations), body);
}

/// Runs `body` under depth-first search of schedules, at most `iterations` of them (shuttle;
/// loom explores exhaustively instead).
#[track_caller]
pub fn check_dfs(body: impl Fn() + Send + Sync + 'static, iterations: usize) {
    explore_or_panic(shuttle_or_default("dfs"), Some(iterations), body);
}

/// Explores every interleaving of `body` up to `preemption_bound` preemptions (loom; shuttle
/// runs its default search instead, as [`check`] does).
#[track_caller]
pub fn check_exhaustive(body: impl Fn() + Send + Sync + 'static, preemption_bound: usize) {
    let strategy = if cfg!(loom) {
        format!("exhaustive-{preemption_bound}").parse()
    } else {
        backend_strategy(None, None)
    };
    explore_or_panic(strategy, None, body);
}

/// `strategy` under shuttle, the default search under loom.
fn shuttle_or_default(strategy: &str) -> Result<Strategy, String> {
    if cfg!(loom) {
        backend_strategy(None, None)
    } else {
        strategy.parse()
    }
}

#[track_caller]
fn explore_or_panic(
    strategy: Result<Strategy, String>,
    iterations: Option<usize>,
    body: impl Fn() + Send + Sync + 'static,
) {
    let strategy = strategy.unwrap_or_else(|message| panic!("lockstep: {message}"));
    let explorer = Explorer::new(strategy).iterations(iterations.unwrap_or(DEFAULT_ITERATIONS));
    match explorer.run(body) {
        Err(failure) => panic!("lockstep: {strategy} found a failure\n{failure}"),
        Ok(stats) => {
            if let Some(warning) = stats.warning() {
                eprintln!("lockstep: {warning}");
            }
        }
    }
}
