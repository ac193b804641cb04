//! Benchmark: the `sim` facade against raw shuttle, runner for runner.
//!
//! The workload: 4 threads, each doing 100 iterations of "lock A, then lock B, bump both
//! counters, release both". It runs twice under the same `shuttle::Runner` with the same
//! `RandomScheduler` seed and iteration count:
//!
//! * **raw**: `shuttle::sync::Mutex` and `shuttle::thread`;
//! * **facade**: `sim::sync::Mutex` and `sim::thread`, wrapped in `sim::runtime::execution`.
//!
//! The two are timed alternately over several rounds and the median is reported, with the
//! target facade/raw ≤ 1.5. Counter A also folds in the order in which workers took it, so each
//! side yields a fingerprint of the schedules it ran: equal fingerprints show that the facade
//! explored exactly the schedules raw shuttle did (it adds no scheduling points).
//!
//! Run with `cargo run --release --features shuttle --example bench_shuttle`.

#[cfg(all(feature = "shuttle", not(loom)))]
fn main() {
    bench::run();
}

#[cfg(not(all(feature = "shuttle", not(loom))))]
fn main() {
    eprintln!(
        "bench_shuttle needs the shuttle backend: \
         cargo run --release --features shuttle --example bench_shuttle"
    );
}

#[cfg(all(feature = "shuttle", not(loom)))]
mod bench {
    use shuttle::scheduler::RandomScheduler;
    use shuttle::{Config, Runner};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// Worker threads per execution.
    const THREADS: u64 = 4;
    /// Lock-A-then-B iterations per worker.
    const ITERATIONS: u64 = 100;
    /// Executions (schedules) per timed run.
    const EXECUTIONS: usize = 200;
    /// The `RandomScheduler` seed, shared by both sides.
    const SEED: u64 = 0x5eed;
    /// Timed rounds per side (after one untimed warm-up round); the median is reported.
    const ROUNDS: usize = 9;
    /// The target for facade time / raw time.
    const TARGET_TIME_RATIO: f64 = 1.5;

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

    /// One side of the comparison: which body it runs, its timings and its fingerprint.
    struct Side {
        body: fn(Arc<AtomicU64>) -> Box<dyn Fn() + Send + Sync>,
        times: Vec<Duration>,
        fingerprint: Option<u64>,
    }

    impl Side {
        fn new(body: fn(Arc<AtomicU64>) -> Box<dyn Fn() + Send + Sync>) -> Self {
            Side {
                body,
                times: Vec::new(),
                fingerprint: None,
            }
        }

        /// Runs `EXECUTIONS` executions under a fresh runner with the shared seed; records the
        /// wall time (if `timed`) and checks the fingerprint is the same every round.
        fn run(&mut self, timed: bool) {
            let total = Arc::new(AtomicU64::new(0));
            let body = (self.body)(Arc::clone(&total));
            let runner = Runner::new(
                RandomScheduler::new_from_seed(SEED, EXECUTIONS),
                Config::new(),
            );
            let start = Instant::now();
            let executions = runner.run(body);
            let elapsed = start.elapsed();
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

    /// Runs both sides, alternating which goes first, and prints the comparison table.
    pub fn run() {
        let mut raw = Side::new(|total| Box::new(raw_body(total)));
        let mut facade = Side::new(|total| Box::new(sim::runtime::execution(facade_body(total))));
        raw.run(false);
        facade.run(false);
        for round in 0..ROUNDS {
            if round % 2 == 0 {
                raw.run(true);
                facade.run(true);
            } else {
                facade.run(true);
                raw.run(true);
            }
        }

        let (raw_time, facade_time) = (raw.median(), facade.median());
        let ratio = facade_time.as_secs_f64() / raw_time.as_secs_f64();
        let per_second = |time: Duration| EXECUTIONS as f64 / time.as_secs_f64();
        let acquisitions = EXECUTIONS as f64 * (THREADS * ITERATIONS * 2 + 2) as f64;
        let (raw_fp, facade_fp) = (raw.fingerprint, facade.fingerprint);
        let rows = [
            [
                format!("wall time per run (median of {ROUNDS})"),
                format!("{:.1} ms", millis(raw_time)),
                format!("{:.1} ms", millis(facade_time)),
                format!("{ratio:.2}"),
            ],
            [
                "wall time per run (min .. max)".to_owned(),
                spread(&raw.times),
                spread(&facade.times),
                String::new(),
            ],
            [
                "executions (schedules) / s".to_owned(),
                format!("{:.0}", per_second(raw_time)),
                format!("{:.0}", per_second(facade_time)),
                format!("{:.2}", 1.0 / ratio),
            ],
            [
                "lock acquisitions / s".to_owned(),
                format!("{:.0}", acquisitions / raw_time.as_secs_f64()),
                format!("{:.0}", acquisitions / facade_time.as_secs_f64()),
                format!("{:.2}", 1.0 / ratio),
            ],
            [
                "schedule fingerprint".to_owned(),
                format!("{:016x}", raw_fp.unwrap_or_default()),
                format!("{:016x}", facade_fp.unwrap_or_default()),
                if raw_fp == facade_fp {
                    "same"
                } else {
                    "DIFFERENT"
                }
                .to_owned(),
            ],
        ];
        println!(
            "shuttle: {THREADS} threads x {ITERATIONS} iterations of lock A, lock B; \
             RandomScheduler seed {SEED:#x}, {EXECUTIONS} executions per run"
        );
        print_table(
            &["workload", "raw shuttle", "sim facade", "facade/raw"],
            &rows,
        );
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
