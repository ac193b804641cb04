//! Benchmark: the heap across a long exploration, to show whether what each execution records
//! (its trace, its kernel) piles up over the executions.
//!
//! The scenario `session-close-race` (fixed variant: the session manager's close racing its
//! operations) is explored for 100,000 executions by shuttle random (seed 0), with trace
//! recording and lock-hierarchy checks on, twice:
//!
//! * through `lockstep::execution` under a plain `shuttle::Runner`: the facade's own
//!   per-execution state (kernel, trace buffer, hierarchy checks) and nothing else;
//! * through `lockstep::explore::Explorer`, as `lockstep explore` runs a scenario: also the default
//!   fault plan (every kind of fault at 5 %) and the recording of every schedule.
//!
//! A counting global allocator keeps the live heap bytes and their peak; the body samples them
//! when executions 1,000, 10,000 and 100,000 start, with the process's peak resident set
//! (`VmHWM` in `/proc/self/status`, process-wide). Flat figures from sample to sample mean memory
//! does not grow with the number of executions; anything an exploration keeps per execution
//! shows up as growth (the `Explorer` counts distinct schedules for
//! `Stats::distinct_schedules` exactly up to 4,096, in a set of hashes, and then in a fixed
//! 4 KiB HyperLogLog sketch, so it stops growing there).
//!
//! Run with `cargo run --release --features shuttle --example bench_memory`.

/// Runs the benchmark and prints its table.
#[cfg(all(feature = "shuttle", not(loom)))]
fn main() {
    bench::run();
}

/// Built without the shuttle backend: says how to run the benchmark and fails.
#[cfg(not(all(feature = "shuttle", not(loom))))]
fn main() {
    eprintln!(
        "bench_memory needs the shuttle backend: \
         cargo run --release --features shuttle --example bench_memory"
    );
    std::process::exit(2);
}

#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "support/table.rs"]
mod table;

#[cfg(all(feature = "shuttle", not(loom)))]
mod bench {
    use crate::table::print_table;
    use lockstep::explore::{Explorer, Strategy};
    use lockstep::fault::FaultPlan;
    use lockstep::scenario::Variant;
    use shuttle::scheduler::RandomScheduler;
    use shuttle::{Config, Runner};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// The scenario explored (its fixed variant).
    const SCENARIO: &str = "session-close-race";
    /// Executions in the exploration.
    const EXECUTIONS: usize = 100_000;
    /// The executions at whose start the heap is sampled.
    const SAMPLE_AT: [usize; 3] = [1_000, 10_000, 100_000];

    /// Bytes allocated and not yet freed.
    static LIVE: AtomicUsize = AtomicUsize::new(0);
    /// The most [`LIVE`] has been since the exploration started.
    static PEAK: AtomicUsize = AtomicUsize::new(0);
    /// The most [`LIVE`] has been since the last sample.
    static WINDOW_PEAK: AtomicUsize = AtomicUsize::new(0);

    /// The system allocator, keeping [`LIVE`], [`PEAK`] and [`WINDOW_PEAK`].
    struct CountingAllocator;

    /// Counts `size` more live bytes.
    fn grow(size: usize) {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(live, Ordering::Relaxed);
        WINDOW_PEAK.fetch_max(live, Ordering::Relaxed);
    }

    /// Counts `size` fewer live bytes.
    fn shrink(size: usize) {
        LIVE.fetch_sub(size, Ordering::Relaxed);
    }

    // SAFETY: every call is forwarded unchanged to the system allocator.
    unsafe impl GlobalAlloc for CountingAllocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = System.alloc(layout);
            if !ptr.is_null() {
                grow(layout.size());
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let ptr = System.alloc_zeroed(layout);
            if !ptr.is_null() {
                grow(layout.size());
            }
            ptr
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new = System.realloc(ptr, layout, new_size);
            if !new.is_null() {
                // Counted as the new block before the old one is freed: a moving realloc holds
                // both for a moment.
                grow(new_size);
                shrink(layout.size());
            }
            new
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            System.dealloc(ptr, layout);
            shrink(layout.size());
        }
    }

    #[global_allocator]
    static GLOBAL: CountingAllocator = CountingAllocator;

    /// How the scenario is explored.
    #[derive(Clone, Copy)]
    enum Driver {
        /// `lockstep::explore::Explorer`, as `lockstep explore` runs a scenario: trace recording,
        /// hierarchy checks, the default fault plan, and every schedule recorded.
        Explorer,
        /// `lockstep::execution` under a plain `shuttle::Runner` with the same scheduler:
        /// the same kernel, trace recording and hierarchy checks, but no fault plan (it has no
        /// way to set one) and no schedule recording.
        Execution,
    }

    impl Driver {
        /// Runs `body` for [`EXECUTIONS`] executions, shuttle random from seed 0.
        fn explore(self, body: impl Fn() + Send + Sync + 'static) -> String {
            match self {
                Driver::Explorer => {
                    let stats = Explorer::new(Strategy::Random)
                        .iterations(EXECUTIONS)
                        .trace(true)
                        .hierarchy(true)
                        .faults(FaultPlan::every_kind(0.05, Duration::from_millis(100)))
                        .shrink_budget(0)
                        .run(body)
                        .unwrap_or_else(|failure| panic!("the fixed scenario failed: {failure:?}"));
                    assert_eq!(stats.executions, EXECUTIONS, "every execution ran");
                    format!(
                        "default fault plan, schedules recorded: {} executions, {} distinct \
                         schedules, {:.1} s",
                        stats.executions,
                        stats.distinct_schedules,
                        stats.elapsed.as_secs_f64()
                    )
                }
                Driver::Execution => {
                    let started = Instant::now();
                    let executions =
                        Runner::new(RandomScheduler::new_from_seed(0, EXECUTIONS), Config::new())
                            .run(lockstep::execution(body));
                    assert_eq!(executions, EXECUTIONS, "every execution ran");
                    format!(
                        "under a plain shuttle::Runner, no fault plan, no schedule recording: \
                         {executions} executions, {:.1} s",
                        started.elapsed().as_secs_f64()
                    )
                }
            }
        }

        fn name(self) -> &'static str {
            match self {
                Driver::Explorer => "Explorer",
                Driver::Execution => "lockstep::execution",
            }
        }
    }

    /// The heap and the resident set at one point of an exploration.
    struct Sample {
        /// Where: "execution N starts" or "after the exploration".
        at: String,
        live: usize,
        peak: usize,
        window_peak: usize,
        vm_hwm_kib: Option<u64>,
    }

    impl Sample {
        /// Samples the counters now, and starts a new window for [`Sample::window_peak`].
        fn take(at: String) -> Sample {
            let live = LIVE.load(Ordering::Relaxed);
            let sample = Sample {
                at,
                live,
                peak: PEAK.load(Ordering::Relaxed),
                window_peak: WINDOW_PEAK.swap(live, Ordering::Relaxed),
                vm_hwm_kib: vm_hwm_kib(),
            };
            WINDOW_PEAK.fetch_max(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
            sample
        }
    }

    /// The process's peak resident set size (`VmHWM`), in KiB, if `/proc` says.
    fn vm_hwm_kib() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    }

    /// Explores the scenario with `driver`, sampling as it goes; returns the exploration's
    /// summary and its samples.
    fn sampled(driver: Driver) -> (String, Vec<Sample>) {
        let scenario = model::scenarios::find(SCENARIO).expect("the scenario exists");
        let live = LIVE.load(Ordering::Relaxed);
        PEAK.store(live, Ordering::Relaxed);
        WINDOW_PEAK.store(live, Ordering::Relaxed);
        let started = Arc::new(AtomicUsize::new(0));
        let samples = Arc::new(Mutex::new(Vec::with_capacity(SAMPLE_AT.len() + 1)));
        let body = {
            let (started, samples) = (Arc::clone(&started), Arc::clone(&samples));
            move || {
                let execution = started.fetch_add(1, Ordering::Relaxed) + 1;
                if SAMPLE_AT.contains(&execution) {
                    let sample = Sample::take(format!("execution {execution} starts"));
                    samples
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(sample);
                }
                (scenario.run)(Variant::Fixed);
            }
        };
        let summary = driver.explore(body);
        let mut samples = std::mem::take(
            &mut *samples
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        samples.push(Sample::take("after the exploration".to_owned()));
        (summary, samples)
    }

    /// Runs both explorations, the plain runner first, and prints the table.
    pub fn run() {
        println!(
            "{SCENARIO} (fixed), shuttle random seed 0, trace recording and hierarchy checks on, \
             {EXECUTIONS} executions per exploration; peaks count from the exploration's start"
        );
        let mut rows = Vec::new();
        let mut growth = Vec::new();
        for driver in [Driver::Execution, Driver::Explorer] {
            let (summary, samples) = sampled(driver);
            println!("{}: {summary}", driver.name());
            let kib = |bytes: usize| format!("{:.1} KiB", bytes as f64 / 1024.0);
            rows.extend(samples.iter().map(|sample| {
                [
                    driver.name().to_owned(),
                    sample.at.clone(),
                    kib(sample.live),
                    kib(sample.window_peak),
                    kib(sample.peak),
                    sample
                        .vm_hwm_kib
                        .map_or("-".to_owned(), |hwm| format!("{hwm} KiB")),
                ]
            }));
            let (first, last) = (&samples[0], &samples[SAMPLE_AT.len() - 1]);
            let executions = (SAMPLE_AT[SAMPLE_AT.len() - 1] - SAMPLE_AT[0]) as f64;
            growth.push(format!(
                "{}: from execution {} to {}, live heap {:+} bytes ({:+.2} bytes per \
                 execution), peak live heap {:+} bytes",
                driver.name(),
                SAMPLE_AT[0],
                SAMPLE_AT[SAMPLE_AT.len() - 1],
                last.live as i64 - first.live as i64,
                (last.live as f64 - first.live as f64) / executions,
                last.peak as i64 - first.peak as i64,
            ));
        }
        print_table(
            &[
                "driver",
                "sampled when",
                "live heap",
                "peak live heap since the previous sample",
                "peak live heap so far",
                "VmHWM (process)",
            ],
            &rows,
        );
        for line in growth {
            println!("{line}");
        }
    }
}
