//! Benchmark: the `sim` facade against raw shuttle, runner for runner.
//!
//! The workload: 4 threads, each doing 100 iterations of "lock A, then lock B, bump both
//! counters, release both". It runs on three sides, each under a `shuttle::Runner` with a
//! `RandomScheduler` of the same seed and iteration count:
//!
//! * **raw**: `shuttle::sync::Mutex` and `shuttle::thread`;
//! * **facade**: `sim::sync::Mutex` and `sim::thread`, wrapped in `sim::runtime::execution`
//!   (the default configuration, lock-hierarchy checks on);
//! * **facade, no hierarchy**: the same body with the lock-hierarchy checks turned off through
//!   `sim::runtime::Explorer::hierarchy(false)`, to show what those checks cost.
//!
//! The sides are timed in rotating order over several rounds and the median is reported; the
//! target is facade/raw ≤ 1.5. Counter A also folds in the order in which workers took it, so
//! each side yields a fingerprint of the schedules it ran: equal fingerprints mean the facade
//! ran the same schedules as raw shuttle (its bookkeeping adds no scheduling points). A
//! counting global allocator reports the heap allocations each side makes per execution.
//!
//! Run with `cargo run --release --features shuttle --example bench_shuttle`.

/// Runs the benchmark and prints its table.
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
mod bench {
    use shuttle::scheduler::RandomScheduler;
    use shuttle::{Config, Runner};
    use sim::runtime::{Explorer, Strategy};
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
    /// The target for facade time / raw time.
    const TARGET_TIME_RATIO: f64 = 1.5;

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
        use sim::sync::Mutex;
        use sim::thread;
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

    /// Raw shuttle: the raw body under [`runner`]. Returns the executions run.
    fn run_raw(total: Arc<AtomicU64>) -> usize {
        runner().run(raw_body(total))
    }

    /// The facade as a test would use it by default: `sim::runtime::execution` (hierarchy
    /// checks on) handed to the same [`runner`].
    fn run_facade(total: Arc<AtomicU64>) -> usize {
        runner().run(sim::runtime::execution(facade_body(total)))
    }

    /// The facade with the lock-hierarchy checks off, through `sim`'s `Explorer` (which drives
    /// the same scheduler, seed and iteration count), to show what the checks cost.
    fn run_facade_unchecked(total: Arc<AtomicU64>) -> usize {
        Explorer::new(Strategy::Random)
            .seed(SEED)
            .iterations(EXECUTIONS)
            .hierarchy(false)
            .run(facade_body(total))
            .unwrap_or_else(|failure| panic!("the facade workload failed: {failure:?}"))
            .executions
    }

    /// One side of the comparison: how it runs, its timings, its fingerprint and the heap
    /// allocations of one run.
    struct Side {
        run: fn(Arc<AtomicU64>) -> usize,
        times: Vec<Duration>,
        fingerprint: Option<u64>,
        allocations: u64,
    }

    impl Side {
        fn new(run: fn(Arc<AtomicU64>) -> usize) -> Self {
            Side {
                run,
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
            let executions = (self.run)(Arc::clone(&total));
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

    /// Runs every side, rotating which goes first each round, and prints the comparison table.
    pub fn run() {
        let mut sides = [
            Side::new(run_raw),
            Side::new(run_facade),
            Side::new(run_facade_unchecked),
        ];
        for side in &mut sides {
            side.run(false);
        }
        for round in 0..ROUNDS {
            for i in 0..sides.len() {
                sides[(round + i) % sides.len()].run(true);
            }
        }
        let [raw, facade, unchecked] = &sides;

        let time_ratio = |side: &Side| side.median().as_secs_f64() / raw.median().as_secs_f64();
        let per_second = |side: &Side, count: f64| count / side.median().as_secs_f64();
        let acquisitions = EXECUTIONS as f64 * (THREADS * ITERATIONS * 2 + 2) as f64;
        let per_execution = |side: &Side| side.allocations as f64 / EXECUTIONS as f64;
        let fingerprint = |side: &Side| format!("{:016x}", side.fingerprint.unwrap_or_default());
        let same = |side: &Side| {
            if side.fingerprint == raw.fingerprint {
                "same"
            } else {
                "DIFFERENT"
            }
            .to_owned()
        };
        let rows = [
            [
                format!("wall time per run (median of {ROUNDS})"),
                format!("{:.1} ms", millis(raw.median())),
                format!("{:.1} ms", millis(facade.median())),
                format!("{:.2}", time_ratio(facade)),
                format!("{:.1} ms", millis(unchecked.median())),
                format!("{:.2}", time_ratio(unchecked)),
            ],
            [
                "wall time per run (min .. max)".to_owned(),
                spread(&raw.times),
                spread(&facade.times),
                String::new(),
                spread(&unchecked.times),
                String::new(),
            ],
            [
                "executions (schedules) / s".to_owned(),
                format!("{:.0}", per_second(raw, EXECUTIONS as f64)),
                format!("{:.0}", per_second(facade, EXECUTIONS as f64)),
                format!("{:.2}", 1.0 / time_ratio(facade)),
                format!("{:.0}", per_second(unchecked, EXECUTIONS as f64)),
                format!("{:.2}", 1.0 / time_ratio(unchecked)),
            ],
            [
                "lock acquisitions / s".to_owned(),
                format!("{:.0}", per_second(raw, acquisitions)),
                format!("{:.0}", per_second(facade, acquisitions)),
                format!("{:.2}", 1.0 / time_ratio(facade)),
                format!("{:.0}", per_second(unchecked, acquisitions)),
                format!("{:.2}", 1.0 / time_ratio(unchecked)),
            ],
            [
                "heap allocations / execution".to_owned(),
                format!("{:.1}", per_execution(raw)),
                format!("{:.1}", per_execution(facade)),
                format!("{:.2}", per_execution(facade) / per_execution(raw)),
                format!("{:.1}", per_execution(unchecked)),
                format!("{:.2}", per_execution(unchecked) / per_execution(raw)),
            ],
            [
                "schedule fingerprint".to_owned(),
                fingerprint(raw),
                fingerprint(facade),
                same(facade),
                fingerprint(unchecked),
                same(unchecked),
            ],
        ];
        println!(
            "shuttle: {THREADS} threads x {ITERATIONS} iterations of lock A, lock B; \
             RandomScheduler seed {SEED:#x}, {EXECUTIONS} executions per run"
        );
        print_table(
            &[
                "workload",
                "raw shuttle",
                "sim facade",
                "facade/raw",
                "facade, no hierarchy",
                "no hierarchy/raw",
            ],
            &rows,
        );
        let ratio = time_ratio(facade);
        let verdict = if ratio <= TARGET_TIME_RATIO {
            "met"
        } else {
            "MISSED"
        };
        println!("target facade/raw time <= {TARGET_TIME_RATIO}: {verdict} ({ratio:.2})");
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

    /// Prints an aligned table: the first column left-aligned, the others right-aligned.
    fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
        let mut widths = header.map(str::len);
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; N]| {
            let mut out = String::new();
            for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if i == 0 {
                    out.push_str(&format!("{cell:<width$}"));
                } else {
                    out.push_str(&format!(" | {cell:>width$}"));
                }
            }
            println!("{}", out.trim_end());
        };
        line(*header);
        println!(
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("-|-")
        );
        for row in rows {
            line(row.each_ref().map(String::as_str));
        }
    }
}
