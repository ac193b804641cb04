//! Testing your own code (std build): every entry point runs the body once, on real threads.
//!
//! The same calls explore under simulation: `cargo test --features shuttle` (random, PCT, POS,
//! DFS from a seed) or `RUSTFLAGS="--cfg loom" cargo test --release` (every interleaving up to
//! a preemption bound), where `lockstep::check` is the tools' version, with per-test seed files
//! and the environment knobs (`LOCKSTEP_ITERATIONS`, `LOCKSTEP_SEED`, `LOCKSTEP_STRATEGY`,
//! `LOCKSTEP_TIME_LIMIT`, `LOCKSTEP_REPLAY`). Under std they have nothing to explore: the body
//! runs once, and a panic in it fails the test as usual.
//!
//! ```
//! use lockstep::check::check;
//! use lockstep::sync::Mutex;
//!
//! check(|| assert_eq!(*Mutex::new(1).lock(), 1));
//! ```

use crate::fault::FaultPlan;
use std::path::PathBuf;
use std::time::Duration;

/// The executions a test runs under shuttle unless told otherwise.
pub const DEFAULT_ITERATIONS: usize = 1000;

/// The preemption bound a test explores under loom unless told otherwise.
pub const DEFAULT_PREEMPTION_BOUND: usize = 2;

/// The folder, beside a crate's `Cargo.toml`, that holds its tests' seed files.
pub const REGRESSIONS_DIR: &str = "lockstep-regressions";

/// One test body, configured like `#[lockstep::test(...)]`. Under std every setting is kept
/// for the simulated builds and [`run`](Test::run) runs the body once.
///
/// ```
/// use lockstep::check::Test;
///
/// Test::new("my_crate::tests::runs", env!("CARGO_MANIFEST_DIR"))
///     .iterations(500)
///     .strategy("pct-3")
///     .run(|| assert_eq!(1 + 1, 2));
/// ```
#[derive(Clone, Debug)]
pub struct Test {
    name: &'static str,
    dir: PathBuf,
}

impl Test {
    /// The test whose path is `name`, in the crate whose manifest folder is `manifest_dir`.
    pub fn new(name: &'static str, manifest_dir: &str) -> Test {
        Test {
            name,
            dir: PathBuf::from(manifest_dir).join(REGRESSIONS_DIR),
        }
    }

    /// Keeps the seeds under `dir` (simulated builds).
    pub fn regressions_dir(mut self, dir: impl Into<PathBuf>) -> Test {
        self.dir = dir.into();
        self
    }

    /// Executions to run (shuttle).
    pub fn iterations(self, _iterations: usize) -> Test {
        self
    }

    /// The shuttle strategy.
    pub fn strategy(self, _strategy: &str) -> Test {
        self
    }

    /// The seed of the random strategies (shuttle).
    pub fn seed(self, _seed: u64) -> Test {
        self
    }

    /// The most preemptions per execution (loom).
    pub fn preemption_bound(self, _bound: usize) -> Test {
        self
    }

    /// Injects faults by `plan` (simulated builds; under std see `fault::set_std_plan`).
    pub fn faults(self, _plan: FaultPlan) -> Test {
        self
    }

    /// Sets size knob `name` (simulated builds; under std every knob has its default).
    pub fn size(self, _name: &str, _value: usize) -> Test {
        self
    }

    /// A wall-clock limit on the exploration (simulated builds).
    pub fn time_limit(self, _limit: Duration) -> Test {
        self
    }

    /// Candidate executions for shrinking (shuttle).
    pub fn shrink_budget(self, _candidates: usize) -> Test {
        self
    }

    /// The lock-order rule, `concurrent` or `strict` (simulated builds; under std the
    /// process-wide graph reports by `concurrent`).
    ///
    /// ```
    /// use lockstep::check::Test;
    ///
    /// Test::new("my_crate::tests::strict", env!("CARGO_MANIFEST_DIR"))
    ///     .lock_order("strict")
    ///     .run(|| assert_eq!(1 + 1, 2));
    /// ```
    pub fn lock_order(self, _rule: &str) -> Test {
        self
    }

    /// What a liveness hint does, `hint` or `strict` (simulated builds: real threads have no
    /// virtual clock to judge a timeout by).
    ///
    /// ```
    /// use lockstep::check::Test;
    ///
    /// Test::new("my_crate::tests::strict_liveness", env!("CARGO_MANIFEST_DIR"))
    ///     .liveness("strict")
    ///     .run(|| assert_eq!(1 + 1, 2));
    /// ```
    pub fn liveness(self, _rule: &str) -> Test {
        self
    }

    /// Replays only the seed file at `path` (simulated builds).
    pub fn replay(self, _path: impl Into<PathBuf>) -> Test {
        self
    }

    /// The folder of this test's seeds (used by the simulated builds).
    pub fn seeds_dir(&self) -> PathBuf {
        self.name
            .split("::")
            .fold(self.dir.clone(), |dir, part| dir.join(part))
    }

    /// Runs the body once on real threads.
    pub fn run(self, body: impl Fn() + Send + Sync + Clone + 'static) {
        body();
    }
}

/// Runs `body` once (std; explores under shuttle and loom).
pub fn check(body: impl Fn() + Send + Sync + 'static) {
    body();
}

/// Runs `body` once (std; under shuttle: `iterations` executions of random scheduling).
pub fn check_random(body: impl Fn() + Send + Sync + 'static, _iterations: usize) {
    body();
}

/// Runs `body` once (std; under shuttle: `iterations` executions of PCT with depth `depth`).
pub fn check_pct(body: impl Fn() + Send + Sync + 'static, _iterations: usize, _depth: usize) {
    body();
}

/// Runs `body` once (std; under shuttle: `iterations` executions of POS).
pub fn check_pos(body: impl Fn() + Send + Sync + 'static, _iterations: usize) {
    body();
}

/// Runs `body` once (std; under shuttle: depth-first search, at most `iterations` schedules).
pub fn check_dfs(body: impl Fn() + Send + Sync + 'static, _iterations: usize) {
    body();
}

/// Runs `body` once (std; under loom: every interleaving up to `preemption_bound`).
pub fn check_exhaustive(body: impl Fn() + Send + Sync + 'static, _preemption_bound: usize) {
    body();
}
