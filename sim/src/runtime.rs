//! Running a test body as simulated executions.
//!
//! [`execution`] wraps a body so that each execution starts with a fresh kernel (virtual clock
//! at zero, thread registry, object numbering). Hand the result to loom's or shuttle's own
//! runners, or use the runners here, which also count executions and catch the first failure
//! with its original message:
//!
//! * [`Explorer`], configured with a [`Strategy`] (and seed, iterations, checks);
//! * shorthands: [`explore`] under shuttle, [`explore_exhaustive`] under loom.
//!
//! Under std, [`execution`] returns the body unchanged: it runs once on real threads.

use std::any::Any;

/// The message of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

#[cfg(any(loom, feature = "shuttle"))]
pub use sim_runners::*;

#[cfg(not(any(loom, feature = "shuttle")))]
/// Wraps a test body as one execution; under std it just runs the body.
pub fn execution<F>(body: F) -> impl Fn() + Send + Sync + 'static
where
    F: Fn() + Send + Sync + 'static,
{
    body
}

#[cfg(any(loom, feature = "shuttle"))]
mod sim_runners {
    use super::panic_message;
    use crate::hierarchy::SharedGraph;
    use crate::kernel::{self, Setup};
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    /// Runs `f`, recording its panic (if any) as the execution's failure before unwinding on.
    pub(crate) fn run_reporting_panics<T>(f: impl FnOnce() -> T) -> T {
        match panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => value,
            Err(payload) => {
                kernel::record_failure(panic_message(&*payload));
                panic::resume_unwind(payload)
            }
        }
    }

    /// Wraps a test body so every execution of it starts with a fresh kernel.
    ///
    /// Use it with the backend's own runners, e.g. `loom::model(sim::runtime::execution(body))`.
    pub fn execution<F>(body: F) -> impl Fn() + Send + Sync + 'static
    where
        F: Fn() + Send + Sync + 'static,
    {
        Harness::new(body).into_fn()
    }

    /// What a completed exploration saw.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Stats {
        /// Executions run.
        pub executions: usize,
    }

    /// The first failing execution of an exploration.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Failure {
        /// Its 1-based number within the exploration.
        pub execution: usize,
        /// The message of the first panic in it (an assertion, a deadlock report, ...).
        pub message: String,
    }

    /// A body plus the counters and failure slot its runner reads back.
    struct Harness<F> {
        body: Arc<F>,
        executions: Arc<AtomicUsize>,
        setup: Setup,
    }

    impl<F: Fn() + Send + Sync + 'static> Harness<F> {
        fn new(body: F) -> Self {
            Harness {
                body: Arc::new(body),
                executions: Arc::new(AtomicUsize::new(0)),
                setup: Setup {
                    failure: Arc::new(Mutex::new(None)),
                    graph: Some(SharedGraph::default()),
                    hierarchy: true,
                },
            }
        }

        fn into_fn(self) -> impl Fn() + Send + Sync + 'static {
            let Harness {
                body,
                executions,
                setup,
            } = self;
            move || {
                executions.fetch_add(1, Ordering::Relaxed);
                kernel::install(setup.clone());
                run_reporting_panics(|| body());
                kernel::thread_finished();
            }
        }

        /// Runs `drive` (a backend runner over the wrapped body) and turns a panic into a
        /// [`Failure`] carrying the first panic message of the failing execution.
        fn run(self, drive: impl FnOnce(Box<dyn Fn() + Send + Sync>)) -> Result<Stats, Failure> {
            let executions = Arc::clone(&self.executions);
            let failure = Arc::clone(&self.setup.failure);
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| drive(Box::new(self.into_fn()))));
            let executions = executions.load(Ordering::Relaxed);
            match outcome {
                Ok(()) => Ok(Stats { executions }),
                Err(payload) => {
                    let recorded = failure.lock().unwrap_or_else(|e| e.into_inner()).take();
                    Err(Failure {
                        execution: executions,
                        message: recorded.unwrap_or_else(|| panic_message(&*payload)),
                    })
                }
            }
        }
    }

    /// How the checker picks the next thread at each scheduling point.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Strategy {
        /// Uniformly random choice, seeded (shuttle).
        #[cfg(not(loom))]
        Random,
        /// Probabilistic concurrency testing (Burckhardt et al.) with bug depth `depth`, seeded
        /// (shuttle).
        #[cfg(not(loom))]
        Pct {
            /// The number of ordering constraints the searched-for bug needs.
            depth: usize,
        },
        /// Depth-first enumeration of schedules, exhaustive if it finishes (shuttle).
        #[cfg(not(loom))]
        Dfs,
        /// Every interleaving up to `preemption_bound` preemptions (loom; `None`: unbounded,
        /// or loom's `LOOM_MAX_PREEMPTIONS`).
        #[cfg(loom)]
        Exhaustive {
            /// The most preemptions per execution.
            preemption_bound: Option<usize>,
        },
    }

    /// Configures and runs an exploration of a test body.
    ///
    /// The same configuration always explores the same executions, so a failure reproduces by
    /// running it again.
    #[derive(Clone, Debug)]
    pub struct Explorer {
        strategy: Strategy,
        seed: u64,
        iterations: usize,
        lock_order_graph: bool,
        hierarchy: bool,
    }

    impl Explorer {
        /// An exploration by `strategy`, from seed 0, for at most 1000 iterations (shuttle),
        /// with lock-order-graph checking on.
        pub fn new(strategy: Strategy) -> Self {
            Explorer {
                strategy,
                seed: 0,
                iterations: 1000,
                lock_order_graph: true,
                hierarchy: true,
            }
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

        /// Runs the exploration: `Ok` with the count of executions, or the first failure.
        pub fn run<F>(&self, body: F) -> Result<Stats, Failure>
        where
            F: Fn() + Send + Sync + 'static,
        {
            let mut harness = Harness::new(body);
            if !self.lock_order_graph || !self.hierarchy {
                harness.setup.graph = None;
            }
            harness.setup.hierarchy = self.hierarchy;
            harness.run(|f| self.drive(f))
        }

        #[cfg(loom)]
        fn drive(&self, f: Box<dyn Fn() + Send + Sync>) {
            let Strategy::Exhaustive { preemption_bound } = self.strategy;
            let mut builder = loom::model::Builder::new();
            if preemption_bound.is_some() {
                builder.preemption_bound = preemption_bound;
            }
            builder.check(f);
        }

        #[cfg(not(loom))]
        fn drive(&self, f: Box<dyn Fn() + Send + Sync>) {
            use shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler};
            use shuttle::{Config, FailurePersistence, Runner};
            let mut config = Config::new();
            config.failure_persistence = FailurePersistence::None;
            let (seed, iterations) = (self.seed, self.iterations);
            match self.strategy {
                Strategy::Random => {
                    Runner::new(RandomScheduler::new_from_seed(seed, iterations), config).run(f);
                }
                Strategy::Pct { depth } => {
                    Runner::new(PctScheduler::new_from_seed(seed, depth, iterations), config)
                        .run(f);
                }
                Strategy::Dfs => {
                    Runner::new(DfsScheduler::new(Some(iterations), false), config).run(f);
                }
            }
        }
    }

    /// Explores every interleaving of `body` with loom, up to `preemption_bound` preemptions;
    /// shorthand for an [`Explorer`] with [`Strategy::Exhaustive`].
    #[cfg(loom)]
    pub fn explore_exhaustive<F>(preemption_bound: Option<usize>, body: F) -> Result<Stats, Failure>
    where
        F: Fn() + Send + Sync + 'static,
    {
        Explorer::new(Strategy::Exhaustive { preemption_bound }).run(body)
    }

    /// Explores `iterations` executions of `body` with shuttle, scheduling by `strategy` from
    /// `seed`; shorthand for an [`Explorer`].
    #[cfg(not(loom))]
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
}
