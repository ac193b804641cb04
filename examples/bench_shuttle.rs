//! Benchmark: the cost of the `lockstep` facade under shuttle.
//!
//! **Facade against raw shuttle.** The workload: 4 threads, each doing 100 iterations of "lock
//! A, then lock B, bump both counters, release both", 200 executions under a `RandomScheduler`
//! of the same seed on every side:
//!
//! * **raw shuttle**: `shuttle::sync::Mutex` and `shuttle::thread` under a `shuttle::Runner`;
//! * **facade: lockstep::execution**: `lockstep::sync::Mutex` and `lockstep::thread`, wrapped in
//!   `lockstep::execution` (trace recording and lock-hierarchy checks on, as a test uses it
//!   by default) under the same `shuttle::Runner`;
//! * **facade: Explorer**, four times: the same facade body under `lockstep::explore::Explorer`
//!   (which also records every schedule), with trace recording and the lock-hierarchy checks
//!   each on or off, to show what each costs.
//!
//! The sides run interleaved, in rotating order over several rounds, and the median wall time is
//! reported with its ratio to raw shuttle; the target is facade/raw ≤ 1.5 with trace recording
//! and hierarchy checks on. Counter A also folds in the order in which workers took it, so each
//! side yields a fingerprint of the schedules it ran: equal fingerprints mean the facade ran the
//! same schedules as raw shuttle (its bookkeeping adds no scheduling points). A counting global
//! allocator reports the heap allocations each side makes per execution.
//!
//! **Schedules per second of each model scenario.** Every scenario of `model::scenarios::ALL`,
//! fixed variant, explored for 1,000 executions by shuttle random (seed 0) with the default
//! fault plan (every kind of fault at 5 %), as `lockstep explore` runs it: executions per
//! second of wall time.
//!
//! Run with `cargo run --release --features shuttle --example bench_shuttle`.

/// Runs the benchmark and prints its tables.
#[cfg(all(feature = "shuttle", not(loom)))]
fn main() {
    bench::run();
}

/// Built without the shuttle backend: says how to run the benchmark and fails.
#[cfg(not(all(feature = "shuttle", not(loom))))]
fn main() {
    eprintln!(
        "bench_shuttle needs the shuttle backend: \
         cargo run --release --features shuttle --example bench_shuttle"
    );
    std::process::exit(2);
}

#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "support/table.rs"]
mod table;

#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "../tests/support/shuttle_pairs.rs"]
mod shuttle_pairs;

#[cfg(all(feature = "shuttle", not(loom)))]
mod bench {
    use crate::table::print_table;
    use lockstep::explore::{Explorer, Strategy};
    use lockstep::fault::FaultPlan;
    use lockstep::scenario::Variant;
    use shuttle::scheduler::RandomScheduler;
    use shuttle::{Config, Runner};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Worker threads per execution.
    const THREADS: u64 = 4;
    /// Lock-A-then-B iterations per worker.
    const ITERATIONS: u64 = 100;
    /// Executions (schedules) per timed run.
    const EXECUTIONS: usize = 200;
    /// The `RandomScheduler` seed, shared by every side.
    const SEED: u64 = 0x5eed;
    /// Timed rounds per side (after one untimed warm-up round); the median is reported.
    const ROUNDS: usize = 9;
    /// The target for facade time / raw time, with trace recording and hierarchy
    /// checks on.
    const TARGET_TIME_RATIO: f64 = 1.5;
    /// Executions of each model scenario in the table of scenario rates.
    const SCENARIO_EXECUTIONS: usize = 1_000;

    /// Heap allocations (including reallocations) made by the process so far.
    static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

    /// The system allocator, counting allocations in [`ALLOCATIONS`].
    struct CountingAllocator;

    // SAFETY: every call is forwarded unchanged to the system allocator.
    unsafe impl GlobalAlloc for CountingAllocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            System.alloc(layout)
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            System.alloc_zeroed(layout)
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            System.realloc(ptr, layout, new_size)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            System.dealloc(ptr, layout)
        }
    }

    #[global_allocator]
    static GLOBAL: CountingAllocator = CountingAllocator;

    /// Counter A's next value: folds in which worker took the lock, so the final value
    /// fingerprints the order in which workers acquired A in this execution.
    fn fold(fingerprint: u64, worker: u64) -> u64 {
        fingerprint
            .wrapping_mul(0x0000_0100_0000_01b3)
            .wrapping_add(worker + 1)
    }

    /// Checks an execution's final counters and adds its fingerprint to the run's total.
    fn finish_execution(total: &AtomicU64, a: u64, b: u64) {
        assert_eq!(b, THREADS * ITERATIONS, "every iteration bumped counter B");
        total.fetch_add(a, Ordering::Relaxed);
    }

    /// The workload on raw shuttle primitives.
    fn raw_body(total: Arc<AtomicU64>) -> impl Fn() + Send + Sync + 'static {
        use shuttle::sync::Mutex;
        use shuttle::thread;
        move || {
            let a = Arc::new(Mutex::new(0u64));
            let b = Arc::new(Mutex::new(0u64));
            let workers: Vec<_> = (0..THREADS)
                .map(|worker| {
                    let (a, b) = (Arc::clone(&a), Arc::clone(&b));
                    thread::spawn(move || {
                        for _ in 0..ITERATIONS {
                            let mut a = a.lock().unwrap();
                            let mut b = b.lock().unwrap();
                            *a = fold(*a, worker);
                            *b += 1;
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.join().expect("worker panicked");
            }
            let final_a = *a.lock().unwrap();
            let final_b = *b.lock().unwrap();
            finish_execution(&total, final_a, final_b);
        }
    }

    /// The same workload through the facade.
    fn facade_body(total: Arc<AtomicU64>) -> impl Fn() + Send + Sync + 'static {
        use lockstep::sync::Mutex;
        use lockstep::thread;
        move || {
            let a = Arc::new(Mutex::named("A", 0u64));
            let b = Arc::new(Mutex::named("B", 0u64));
            let workers: Vec<_> = (0..THREADS)
                .map(|worker| {
                    let (a, b) = (Arc::clone(&a), Arc::clone(&b));
                    thread::spawn(move || {
                        for _ in 0..ITERATIONS {
                            let mut a = a.lock();
                            let mut b = b.lock();
                            *a = fold(*a, worker);
                            *b += 1;
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.join().expect("worker panicked");
            }
            let final_a = *a.lock();
            let final_b = *b.lock();
            finish_execution(&total, final_a, final_b);
        }
    }

    /// A `Runner` with the shared scheduler: `RandomScheduler` from [`SEED`], [`EXECUTIONS`]
    /// executions.
    fn runner() -> Runner<RandomScheduler> {
        Runner::new(
            RandomScheduler::new_from_seed(SEED, EXECUTIONS),
            Config::new(),
        )
    }

    /// How one side of the comparison runs the workload.
    #[derive(Clone, Copy)]
    enum Driver {
        /// The raw body under [`runner`].
        Raw,
        /// The facade body wrapped in `lockstep::execution` (trace recording and hierarchy
        /// checks on, as a test uses it by default) under the same [`runner`].
        Execution,
        /// The facade body under lockstep's `Explorer` (which drives the same scheduler, seed and
        /// iteration count, and also records every schedule), with trace recording and the
        /// lock-hierarchy checks each on or off.
        Explorer { trace: bool, hierarchy: bool },
    }

    impl Driver {
        /// Runs [`EXECUTIONS`] executions of the workload, adding each one's fingerprint to
        /// `total`; returns the executions run.
        fn run(self, total: Arc<AtomicU64>) -> usize {
            match self {
                Driver::Raw => runner().run(raw_body(total)),
                Driver::Execution => runner().run(lockstep::execution(facade_body(total))),
                Driver::Explorer { trace, hierarchy } => {
                    Explorer::new(Strategy::Random)
                        .seed(SEED)
                        .iterations(EXECUTIONS)
                        .trace(trace)
                        .hierarchy(hierarchy)
                        .run(facade_body(total))
                        .unwrap_or_else(|failure| panic!("the facade workload failed: {failure:?}"))
                        .executions
                }
            }
        }

        /// The side's name, and whether trace recording and hierarchy checks are on.
        fn describe(self) -> [String; 3] {
            let on = |enabled: bool| if enabled { "on" } else { "off" }.to_owned();
            match self {
                Driver::Raw => ["raw shuttle".to_owned(), "-".to_owned(), "-".to_owned()],
                Driver::Execution => ["facade: lockstep::execution".to_owned(), on(true), on(true)],
                Driver::Explorer { trace, hierarchy } => {
                    ["facade: Explorer".to_owned(), on(trace), on(hierarchy)]
                }
            }
        }

        /// Whether every check and trace recording is on.
        fn everything_on(self) -> bool {
            match self {
                Driver::Raw => false,
                Driver::Execution => true,
                Driver::Explorer { trace, hierarchy } => trace && hierarchy,
            }
        }
    }

    /// One side of the comparison: how it runs, its timings, its fingerprint and the heap
    /// allocations of one run.
    struct Side {
        driver: Driver,
        times: Vec<Duration>,
        fingerprint: Option<u64>,
        allocations: u64,
    }

    impl Side {
        fn new(driver: Driver) -> Self {
            Side {
                driver,
                times: Vec::new(),
                fingerprint: None,
                allocations: 0,
            }
        }

        /// Runs [`EXECUTIONS`] executions; records the wall time (if `timed`) and the
        /// allocations, and checks the fingerprint is the same every round.
        fn run(&mut self, timed: bool) {
            let total = Arc::new(AtomicU64::new(0));
            let allocations = ALLOCATIONS.load(Ordering::Relaxed);
            let start = Instant::now();
            let executions = self.driver.run(Arc::clone(&total));
            let elapsed = start.elapsed();
            self.allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations;
            assert_eq!(executions, EXECUTIONS, "the runner ran every execution");
            if timed {
                self.times.push(elapsed);
            }
            let fingerprint = total.load(Ordering::Relaxed);
            assert_eq!(
                *self.fingerprint.get_or_insert(fingerprint),
                fingerprint,
                "the same seed runs the same schedules"
            );
        }

        fn median(&self) -> Duration {
            let mut times = self.times.clone();
            times.sort();
            times[times.len() / 2]
        }
    }

    /// Prints both tables: the facade against raw shuttle, then each model scenario's rate.
    pub fn run() {
        facade_against_raw();
        println!();
        scenario_rates();
        println!();
        dfs_schedules_against_raw();
    }

    /// Prints how many schedules lockstep's DFS and raw shuttle's DFS run to exhaust the same
    /// programs (tests/support/shuttle_pairs.rs), and why lockstep runs more where it does.
    fn dfs_schedules_against_raw() {
        use crate::shuttle_pairs::{facade_schedules, raw_schedules, PAIRS};
        println!("DFS schedules to exhaust a program: lockstep's facade against raw shuttle");
        let rows: Vec<[String; 5]> = PAIRS
            .iter()
            .map(|pair| {
                let (facade, raw) = (facade_schedules(pair.facade), raw_schedules(pair.raw));
                let recorded = (pair.facade_schedules, pair.raw_schedules);
                [
                    pair.name.to_owned(),
                    facade.to_string(),
                    raw.to_string(),
                    format!("{:.2}", facade as f64 / raw as f64),
                    if (facade, raw) == recorded {
                        "yes".to_owned()
                    } else {
                        format!("no: {} and {}", recorded.0, recorded.1)
                    },
                ]
            })
            .collect();
        print_table(
            &[
                "program",
                "lockstep DFS",
                "raw shuttle DFS",
                "ratio",
                "as in tests/shuttle_vs_raw.rs",
            ],
            &rows,
        );
        for pair in PAIRS.iter().filter(|pair| pair.why_more.is_some()) {
            println!("  {}: {}", pair.name, pair.why_more.unwrap_or_default());
        }
    }

    /// Runs every side, rotating which goes first each round, and prints the comparison table.
    fn facade_against_raw() {
        let mut sides = [
            Driver::Raw,
            Driver::Execution,
            Driver::Explorer {
                trace: true,
                hierarchy: true,
            },
            Driver::Explorer {
                trace: true,
                hierarchy: false,
            },
            Driver::Explorer {
                trace: false,
                hierarchy: true,
            },
            Driver::Explorer {
                trace: false,
                hierarchy: false,
            },
        ]
        .map(Side::new);
        for side in &mut sides {
            side.run(false);
        }
        for round in 0..ROUNDS {
            for i in 0..sides.len() {
                sides[(round + i) % sides.len()].run(true);
            }
        }
        let raw = &sides[0];
        let time_ratio = |side: &Side| side.median().as_secs_f64() / raw.median().as_secs_f64();
        let per_execution = |side: &Side| side.allocations as f64 / EXECUTIONS as f64;
        let rows: Vec<[String; 9]> = sides
            .iter()
            .map(|side| {
                let [name, trace, hierarchy] = side.driver.describe();
                [
                    name,
                    trace,
                    hierarchy,
                    format!("{:.1} ms", millis(side.median())),
                    spread(&side.times),
                    format!("{:.2}", time_ratio(side)),
                    format!("{:.0}", EXECUTIONS as f64 / side.median().as_secs_f64()),
                    format!(
                        "{:.1} ({:.2})",
                        per_execution(side),
                        per_execution(side) / per_execution(raw)
                    ),
                    if side.fingerprint == raw.fingerprint {
                        "same"
                    } else {
                        "DIFFERENT"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        println!(
            "shuttle: {THREADS} threads x {ITERATIONS} iterations of lock A, lock B; \
             RandomScheduler seed {SEED:#x}, {EXECUTIONS} executions per run, \
             sides interleaved, median of {ROUNDS} runs"
        );
        print_table(
            &[
                "side",
                "trace",
                "hierarchy",
                "wall time per run",
                "min .. max",
                "time/raw",
                "executions/s",
                "allocations/execution (/raw)",
                "schedules vs raw",
            ],
            &rows,
        );
        println!(
            "schedule fingerprint of raw shuttle: {:016x}",
            raw.fingerprint.unwrap_or_default()
        );
        let worst = sides
            .iter()
            .filter(|side| side.driver.everything_on())
            .map(time_ratio)
            .fold(0.0, f64::max);
        let verdict = if worst <= TARGET_TIME_RATIO {
            "met"
        } else {
            "MISSED"
        };
        println!(
            "target facade/raw time <= {TARGET_TIME_RATIO} with trace and hierarchy on: \
             {verdict} (worst {worst:.2})"
        );
    }

    /// Explores every model scenario's fixed variant under shuttle random with the default
    /// fault plan, and prints the executions (schedules) each explores per second.
    fn scenario_rates() {
        let rows: Vec<[String; 4]> = model::scenarios::ALL
            .iter()
            .map(|scenario| {
                let report = Explorer::new(Strategy::Random)
                    .iterations(SCENARIO_EXECUTIONS)
                    .faults(FaultPlan::every_kind(0.05, Duration::from_millis(100)))
                    .shrink_budget(0)
                    .explore(scenario, Variant::Fixed);
                let result = match &report.failure {
                    None => "pass".to_owned(),
                    Some(failure) => format!(
                        "FAILED: {}",
                        failure.message.lines().next().unwrap_or_default()
                    ),
                };
                [
                    scenario.name.to_owned(),
                    report.stats.executions.to_string(),
                    format!("{:.0}", report.stats.executions_per_second()),
                    result,
                ]
            })
            .collect();
        println!(
            "model scenarios, fixed variant: shuttle random, seed 0, default fault plan \
             (every kind at 5 %), {SCENARIO_EXECUTIONS} executions each"
        );
        print_table(&["scenario", "executions", "executions/s", "result"], &rows);
    }

    fn millis(time: Duration) -> f64 {
        time.as_secs_f64() * 1e3
    }

    /// The fastest and slowest of `times`, in milliseconds.
    fn spread(times: &[Duration]) -> String {
        let min = times.iter().min().copied().unwrap_or_default();
        let max = times.iter().max().copied().unwrap_or_default();
        format!("{:.1} .. {:.1} ms", millis(min), millis(max))
    }
}
