//! Uniformly random scheduling, seeded: shuttle's `RandomScheduler`, choice for choice, without
//! its stderr.

use rand::seq::SliceRandom;
use rand::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

/// A uniformly random choice among the runnable threads at every scheduling point, seeded.
///
/// It makes exactly the choices shuttle's `RandomScheduler::new_from_seed(seed, iterations)`
/// makes (the same PCG streams, drawn in the same order: the first execution is seeded by
/// `seed`, each later one by the next draw of the previous one's data stream), so the
/// `Explorer` runs the schedules raw shuttle runs for the same seed (`make bench` compares them,
/// "schedules vs raw", and a unit test below checks it). lockstep runs its own copy because
/// shuttle's prints a "failing seed ... SHUTTLE_RANDOM_SEED" block to stderr whenever it is
/// dropped during a failing execution (lockstep replays its own seed files, so the block
/// only misleads), and because shuttle's reads `SHUTTLE_RANDOM_SEED` (and
/// `SHUTTLE_ALWAYS_PERSIST_SEED`) from the environment, which would silently run other seeds
/// than the ones lockstep records.
pub(crate) struct Random {
    iterations_left: usize,
    /// The first execution's seed, which is the exploration's own.
    first: Option<u64>,
    /// This execution's random data (`next_u64`); the next execution's seed is its next draw
    /// (shuttle's `RandomDataSource`: one stream, reseeded with each execution's seed).
    data: Pcg64Mcg,
    /// This execution's scheduling choices, seeded like `data`.
    choices: Pcg64Mcg,
}

impl Random {
    pub(crate) fn new(seed: u64, iterations: usize) -> Self {
        Random {
            iterations_left: iterations,
            first: Some(seed),
            data: Pcg64Mcg::seed_from_u64(seed),
            choices: Pcg64Mcg::seed_from_u64(seed),
        }
    }
}

impl Scheduler for Random {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.iterations_left == 0 {
            return None;
        }
        self.iterations_left -= 1;
        let seed = self.first.take().unwrap_or_else(|| self.data.next_u64());
        self.data = Pcg64Mcg::seed_from_u64(seed);
        self.choices = Pcg64Mcg::seed_from_u64(seed);
        Some(Schedule::new(seed))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        _current: Option<TaskId>,
        _is_yielding: bool,
    ) -> Option<TaskId> {
        runnable.choose(&mut self.choices).map(|task| task.id())
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::Random;
    use shuttle::scheduler::{RandomScheduler, Schedule, Scheduler, Task, TaskId};
    use std::sync::{Arc, Mutex};

    /// Logs every choice (and random draw) of the scheduler it wraps.
    struct Logged<S> {
        inner: S,
        log: Arc<Mutex<Vec<u64>>>,
    }

    impl<S: Scheduler> Scheduler for Logged<S> {
        fn new_execution(&mut self) -> Option<Schedule> {
            self.log.lock().unwrap().push(u64::MAX);
            self.inner.new_execution()
        }

        fn next_task(
            &mut self,
            runnable: &[&Task],
            current: Option<TaskId>,
            is_yielding: bool,
        ) -> Option<TaskId> {
            let next = self.inner.next_task(runnable, current, is_yielding)?;
            self.log.lock().unwrap().push(usize::from(next) as u64);
            Some(next)
        }

        fn next_u64(&mut self) -> u64 {
            let draw = self.inner.next_u64();
            self.log.lock().unwrap().push(draw);
            draw
        }
    }

    /// Three threads contending on a lock, each drawing a random number.
    fn body() {
        use shuttle::sync::Mutex;
        let counter = Arc::new(Mutex::new(0u64));
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let counter = Arc::clone(&counter);
                shuttle::thread::spawn(move || {
                    for _ in 0..3 {
                        let draw = rand::RngCore::next_u64(&mut shuttle::rand::thread_rng());
                        *counter.lock().unwrap() += draw % 7;
                        shuttle::thread::yield_now();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
    }

    fn choices(scheduler: impl Scheduler + 'static) -> Vec<u64> {
        let log = Arc::new(Mutex::new(Vec::new()));
        let logged = Logged {
            inner: scheduler,
            log: Arc::clone(&log),
        };
        shuttle::Runner::new(logged, shuttle::Config::new()).run(body);
        let log = log.lock().unwrap().clone();
        log
    }

    #[test]
    fn makes_the_choices_of_shuttles_random_scheduler_for_the_same_seed() {
        for seed in [0, 1, 7, 0xdead_beef] {
            let ours = choices(Random::new(seed, 40));
            let theirs = choices(RandomScheduler::new_from_seed(seed, 40));
            assert_eq!(ours, theirs, "seed {seed}");
            let executions = ours.split(|c| *c == u64::MAX).filter(|e| !e.is_empty());
            let distinct: std::collections::HashSet<_> = executions.collect();
            assert!(distinct.len() > 10, "seed {seed}: the schedules vary");
        }
    }
}
