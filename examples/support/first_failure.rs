//! How fast a strategy finds a failure, over seeds (shuttle only): each seed's exploration is an [`Attempt`],
//! the attempts of one strategy on one program are [`Found`] (included by `bench_bugs` and
//! `bench_search` with `#[path]`).

use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::FaultPlan;
use lockstep::scenario::{Scenario, Variant};
use std::time::{Duration, Instant};

/// One seed's exploration: the execution (1-based) that failed first, if any, how many
/// executions ran, and the wall time they took.
pub struct Attempt {
    pub first_failure: Option<usize>,
    pub executions: usize,
    pub elapsed: Duration,
}

impl Attempt {
    /// Times `explore` (on a fresh OS thread, see [`isolated`]), which returns the first
    /// failure's execution number, or the number of executions if none failed.
    pub fn timed(explore: impl FnOnce() -> Result<usize, usize> + Send + 'static) -> Attempt {
        isolated(move || {
            let started = Instant::now();
            let outcome = explore();
            let elapsed = started.elapsed();
            match outcome {
                Ok(executions) => Attempt {
                    first_failure: None,
                    executions,
                    elapsed,
                },
                Err(execution) => Attempt {
                    first_failure: Some(execution),
                    executions: execution,
                    elapsed,
                },
            }
        })
    }
}

/// One strategy's attempts on one program, one per seed.
pub struct Found {
    pub attempts: Vec<Attempt>,
}

impl Found {
    /// Runs `attempt` for each seed `0..seeds`; with `give_up_after: Some(k)`, stops after the
    /// first `k` seeds if none of them found a failure.
    pub fn measure(
        seeds: u64,
        give_up_after: Option<u64>,
        attempt: impl Fn(u64) -> Attempt,
    ) -> Found {
        let mut attempts: Vec<Attempt> = Vec::new();
        for seed in 0..seeds {
            let attempt = attempt(seed);
            assert!(
                attempt.executions <= BUDGET,
                "seed {seed} ran {} executions, over the budget of {BUDGET}",
                attempt.executions
            );
            attempts.push(attempt);
            let hopeless = attempts.iter().all(|a| a.first_failure.is_none());
            if hopeless && give_up_after == Some(seed + 1) {
                break;
            }
        }
        Found { attempts }
    }

    /// The executions to the first failure of the attempts that found one, ascending.
    pub fn executions_to_first_failure(&self) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .attempts
            .iter()
            .filter_map(|a| a.first_failure)
            .collect();
        found.sort_unstable();
        found
    }

    /// `found/seeds`.
    pub fn found(&self) -> String {
        format!(
            "{}/{}",
            self.executions_to_first_failure().len(),
            self.attempts.len()
        )
    }
}

/// The middle value (the upper one of an even count) of `values`, if any.
pub fn median<T: Copy + Ord>(values: &mut [T]) -> Option<T> {
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

/// Runs `work` on a fresh OS thread: some failures end while a simulated thread is still
/// unwinding, which can leave shuttle's per-OS-thread state unusable for the next exploration
/// on the same thread (seen after hundreds of failing runs in one process).
pub fn isolated<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(work)
        .join()
        .expect("the exploration itself does not panic")
}

/// Seeds per seeded strategy.
pub const SEEDS: u64 = 20;
/// Executions per seed at most.
pub const BUDGET: usize = 10_000;

/// How the benchmarks explore a model scenario: [`BUDGET`] executions from `seed`, the default
/// fault plan (every kind at 5 %, delays up to 100 ms), no shrinking.
pub fn scenario_explorer(strategy: Strategy, seed: u64) -> Explorer {
    Explorer::new(strategy)
        .seed(seed)
        .iterations(BUDGET)
        .faults(FaultPlan::every_kind(0.05, Duration::from_millis(100)))
        .shrink_budget(0)
}

/// One seed's attempt at `scenario`'s `variant`, explored by [`scenario_explorer`].
pub fn scenario_attempt(
    strategy: Strategy,
    seed: u64,
    scenario: &'static Scenario,
    variant: Variant,
) -> Attempt {
    Attempt::timed(move || {
        let report = scenario_explorer(strategy, seed).explore(scenario, variant);
        match report.failure {
            Some(failure) => Err(failure.execution),
            None => Ok(report.stats.executions),
        }
    })
}
