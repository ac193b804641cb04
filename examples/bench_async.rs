//! Benchmark: the async facade (`lockstep::tokio`) against raw shuttle futures under shuttle.
//!
//! The workload: 3 tasks, each doing 50 iterations of "acquire the one permit of a semaphore,
//! bump a counter, yield, release", awaited by the root future, 200 executions under a
//! `RandomScheduler` of the same seed on every side:
//!
//! * **raw shuttle**: `shuttle::future::{block_on, spawn, yield_now}` and shuttle's async
//!   semaphore (`shuttle::future::batch_semaphore::BatchSemaphore`, strictly fair, as tokio's)
//!   under a `shuttle::Runner`;
//! * **facade: lockstep::execution**: `lockstep::tokio::{block_on, task, sync::Semaphore}`
//!   (tasks as kernel threads, virtual clock, held stacks, trace recording and hierarchy checks
//!   on), wrapped in `lockstep::execution` under the same `shuttle::Runner`;
//! * **facade: Explorer**: the same facade body under `lockstep::explore::Explorer` (which also
//!   records every schedule).
//!
//! The sides run interleaved, in rotating order over several rounds; the median wall time is
//! reported with its ratio to raw shuttle, with the executions each side ran (the same count)
//! and the distinct permit orders they reached (each execution folds the order in which tasks
//! took the permit into a fingerprint). The two primitives make different scheduling points
//! (the facade's semaphore queue is a shuttle lock; shuttle's semaphore has points of its own),
//! so the same seed does not give the same schedules: the ratio is time per schedule.
//!
//! Run with `cargo run --release --features shuttle --example bench_async`.

/// Runs the benchmark and prints its table.
#[cfg(all(feature = "shuttle", not(loom)))]
fn main() {
    bench::run();
}

/// Built without the shuttle backend: says how to run the benchmark and fails.
#[cfg(not(all(feature = "shuttle", not(loom))))]
fn main() {
    eprintln!(
        "bench_async needs the shuttle backend: \
         cargo run --release --features shuttle --example bench_async"
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
    use shuttle::scheduler::RandomScheduler;
    use shuttle::{Config, Runner};
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// Tasks per execution.
    const TASKS: u64 = 3;
    /// Permit iterations per task.
    const ITERATIONS: u64 = 50;
    /// Executions (schedules) per timed run.
    const EXECUTIONS: usize = 200;
    /// The `RandomScheduler` seed, shared by every side.
    const SEED: u64 = 0x5eed;
    /// Timed rounds per side (after one untimed warm-up round); the median is reported.
    const ROUNDS: usize = 7;

    /// The fingerprints of the executions of one run: the permit orders reached.
    type Orders = Arc<Mutex<BTreeSet<u64>>>;

    /// The order fingerprint's next value after `task` took the permit.
    fn fold(fingerprint: u64, task: u64) -> u64 {
        fingerprint
            .wrapping_mul(0x0000_0100_0000_01b3)
            .wrapping_add(task + 1)
    }

    /// Checks an execution's final count and records its fingerprint.
    fn finish(orders: &Orders, count: u64, fingerprint: u64) {
        assert_eq!(
            count,
            TASKS * ITERATIONS,
            "every iteration bumped the counter"
        );
        orders.lock().unwrap().insert(fingerprint);
    }

    /// The workload on raw shuttle futures and shuttle's async semaphore.
    fn raw_body(orders: Orders) -> impl Fn() + Send + Sync + 'static {
        use shuttle::future::batch_semaphore::{BatchSemaphore, Fairness};
        move || {
            let permit = Arc::new(BatchSemaphore::new(1, Fairness::StrictlyFair));
            let state = Arc::new(Mutex::new((0u64, 0u64)));
            shuttle::future::block_on(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|task| {
                        let (permit, state) = (Arc::clone(&permit), Arc::clone(&state));
                        shuttle::future::spawn(async move {
                            for _ in 0..ITERATIONS {
                                permit.acquire(1).await.unwrap();
                                {
                                    let mut state = state.lock().unwrap();
                                    state.0 += 1;
                                    state.1 = fold(state.1, task);
                                }
                                shuttle::future::yield_now().await;
                                permit.release(1);
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            });
            let (count, fingerprint) = *state.lock().unwrap();
            finish(&orders, count, fingerprint);
        }
    }

    /// The same workload through the async facade.
    fn facade_body(orders: Orders) -> impl Fn() + Send + Sync + 'static {
        use lockstep::tokio::{block_on, sync::Semaphore, task};
        move || {
            let permit = Arc::new(Semaphore::named("permit", 1));
            let state = Arc::new(Mutex::new((0u64, 0u64)));
            block_on(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|t| {
                        let (permit, state) = (Arc::clone(&permit), Arc::clone(&state));
                        task::spawn(async move {
                            for _ in 0..ITERATIONS {
                                let held = permit.acquire().await.unwrap();
                                {
                                    let mut state = state.lock().unwrap();
                                    state.0 += 1;
                                    state.1 = fold(state.1, t);
                                }
                                task::yield_now().await;
                                drop(held);
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            });
            let (count, fingerprint) = *state.lock().unwrap();
            finish(&orders, count, fingerprint);
        }
    }

    /// A `Runner` with the shared scheduler.
    fn runner() -> Runner<RandomScheduler> {
        Runner::new(
            RandomScheduler::new_from_seed(SEED, EXECUTIONS),
            Config::new(),
        )
    }

    /// How one side runs the workload.
    #[derive(Clone, Copy)]
    enum Side {
        Raw,
        Execution,
        Explorer,
    }

    impl Side {
        fn name(self) -> &'static str {
            match self {
                Side::Raw => "raw shuttle futures",
                Side::Execution => "facade: lockstep::execution",
                Side::Explorer => "facade: Explorer",
            }
        }

        /// One run of [`EXECUTIONS`] executions: its wall time, executions and orders reached.
        fn run(self) -> (Duration, usize, usize) {
            let orders = Orders::default();
            let start = Instant::now();
            let executions = match self {
                Side::Raw => runner().run(raw_body(Arc::clone(&orders))),
                Side::Execution => {
                    runner().run(lockstep::execution(facade_body(Arc::clone(&orders))))
                }
                Side::Explorer => {
                    Explorer::new(Strategy::Random)
                        .seed(SEED)
                        .iterations(EXECUTIONS)
                        .run(facade_body(Arc::clone(&orders)))
                        .expect("the workload passes")
                        .executions
                }
            };
            let elapsed = start.elapsed();
            let reached = orders.lock().unwrap().len();
            (elapsed, executions, reached)
        }
    }

    fn median(mut times: Vec<Duration>) -> Duration {
        times.sort();
        times[times.len() / 2]
    }

    pub fn run() {
        let sides = [Side::Raw, Side::Execution, Side::Explorer];
        let mut times = vec![Vec::new(); sides.len()];
        let mut counts = vec![(0, 0); sides.len()];
        for round in 0..=ROUNDS {
            for offset in 0..sides.len() {
                let at = (round + offset) % sides.len();
                let (elapsed, executions, reached) = sides[at].run();
                counts[at] = (executions, reached);
                if round > 0 {
                    times[at].push(elapsed);
                }
            }
        }
        let medians: Vec<Duration> = times.into_iter().map(median).collect();
        let raw = medians[0].as_secs_f64();
        let rows: Vec<[String; 5]> = sides
            .iter()
            .zip(&medians)
            .zip(&counts)
            .map(|((side, time), (executions, reached))| {
                [
                    side.name().to_owned(),
                    executions.to_string(),
                    reached.to_string(),
                    format!("{:.1} ms", time.as_secs_f64() * 1e3),
                    format!("{:.2}", time.as_secs_f64() / raw),
                ]
            })
            .collect();
        println!(
            "The async facade against raw shuttle futures: {TASKS} tasks x {ITERATIONS} \
             permit iterations, {EXECUTIONS} executions, RandomScheduler seed {SEED:#x}, \
             median of {ROUNDS} rounds"
        );
        print_table(
            &[
                "side",
                "executions",
                "permit orders reached",
                "time",
                "time / raw",
            ],
            &rows,
        );
    }
}
