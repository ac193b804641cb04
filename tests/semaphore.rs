//! Semaphores under shuttle and loom (one file: only the explorer differs): FIFO grants
//! permits in arrival order only, unfair in every order; `acquire_many` waits for all its
//! permits; a try does not overtake queued waiters (FIFO); a head waiter that times out lets
//! the next one be served, and the hand-built fair semaphore that forgets to is found by
//! random, PCT and POS under shuttle and by loom's exhaustive search; the deadlock report
//! counts permits. (std has no semaphore: tokio's semantics are the reference.)
#![cfg(any(loom, feature = "shuttle"))]

#[path = "support/semaphore_programs.rs"]
mod semaphore_programs;

use lockstep::explore::{Explorer, Strategy};
use lockstep::sync::{Semaphore, SemaphoreFairness};
use lockstep::time::Duration;
use semaphore_programs::{HandBuiltFair, HEAD_PATIENCE};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// How hard to search: shuttle, this many random executions from seed 7; loom, every
/// interleaving up to this many preemptions.
#[derive(Clone, Copy)]
struct Budget {
    #[cfg_attr(loom, allow(dead_code))] // shuttle's half
    random: usize,
    #[cfg_attr(not(loom), allow(dead_code))] // loom's half
    preemptions: usize,
}

#[cfg(feature = "shuttle")]
fn explorer(budget: Budget) -> Explorer {
    Explorer::new(Strategy::Random)
        .seed(7)
        .iterations(budget.random)
}

#[cfg(loom)]
fn explorer(budget: Budget) -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(budget.preemptions),
    })
}

/// Every outcome `body` returns over the exploration (the execution count is printed).
fn outcomes<T, F>(budget: Budget, body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    let stats = explorer(budget)
        .run(move || {
            let outcome = body();
            sink.lock().unwrap().insert(outcome);
        })
        .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    println!("{} executions", stats.executions);
    let seen = seen.lock().unwrap().clone();
    seen
}

/// Every permutation of `0..n`.
fn permutations(n: usize) -> BTreeSet<Vec<usize>> {
    if n == 0 {
        return BTreeSet::from([Vec::new()]);
    }
    let mut all = BTreeSet::new();
    for shorter in permutations(n - 1) {
        for at in 0..=shorter.len() {
            let mut order = shorter.clone();
            order.insert(at, n - 1);
            all.insert(order);
        }
    }
    all
}

/// Waiters of the unfair grant-order test: three under shuttle, two under loom (three would
/// multiply loom's executions).
const UNFAIR_WAITERS: usize = if cfg!(loom) { 2 } else { 3 };

#[test]
fn fifo_grants_permits_in_arrival_order_only() {
    let budget = Budget {
        random: 300,
        preemptions: 2,
    };
    assert_eq!(
        outcomes(budget, || semaphore_programs::grant_order(
            SemaphoreFairness::Fifo,
            3
        )),
        BTreeSet::from([vec![0, 1, 2]])
    );
}

#[test]
fn unfair_grants_permits_in_every_order() {
    let budget = Budget {
        random: 1000,
        preemptions: 2,
    };
    assert_eq!(
        outcomes(budget, || semaphore_programs::grant_order(
            SemaphoreFairness::Unfair,
            UNFAIR_WAITERS
        )),
        permutations(UNFAIR_WAITERS)
    );
}

#[test]
fn fifo_serves_the_head_first_and_a_try_does_not_overtake_it() {
    let budget = Budget {
        random: 500,
        preemptions: 2,
    };
    assert_eq!(
        outcomes(budget, || semaphore_programs::head_of_line(
            SemaphoreFairness::Fifo
        )),
        BTreeSet::from([(false, vec!["big", "small"])])
    );
}

#[test]
fn unfair_lets_a_smaller_request_and_a_try_overtake_a_waiter() {
    let budget = Budget {
        random: 1000,
        preemptions: 2,
    };
    assert_eq!(
        outcomes(budget, || semaphore_programs::head_of_line(
            SemaphoreFairness::Unfair
        )),
        BTreeSet::from([
            (false, vec!["small", "big"]),
            (true, vec!["big", "small"]),
            (true, vec!["small", "big"]),
        ])
    );
}

#[test]
fn acquire_many_waits_until_all_its_permits_are_free() {
    let budget = Budget {
        random: 300,
        preemptions: 3,
    };
    assert_eq!(
        outcomes(budget, semaphore_programs::acquire_many_waits),
        BTreeSet::from([vec![
            "main gives 2 back".to_owned(),
            "took 2, 1 left".to_owned()
        ]])
    );
}

#[test]
fn try_acquire_many_fails_when_fewer_are_free() {
    let budget = Budget {
        random: 1,
        preemptions: 0,
    };
    explorer(budget)
        .run(|| {
            let pool = Semaphore::named("pool", 3);
            let one = pool.acquire();
            assert!(pool.try_acquire_many(3).is_none());
            assert_eq!(pool.available_permits(), 2);
            drop(one);
            assert_eq!(pool.try_acquire_many(3).map(|p| p.num_permits()), Some(3));
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

/// Both arrival orders of `head_waiter_times_out`: `next` first (served at once) or behind
/// `head` (served when `head` times out).
fn head_timeout_outcomes() -> BTreeSet<(bool, Duration)> {
    BTreeSet::from([(false, Duration::ZERO), (false, HEAD_PATIENCE)])
}

const HEAD_TIMEOUT_BUDGET: Budget = Budget {
    random: 500,
    preemptions: 2,
};

#[test]
fn a_head_waiter_that_times_out_lets_the_next_be_served() {
    assert_eq!(
        outcomes(HEAD_TIMEOUT_BUDGET, || {
            semaphore_programs::head_waiter_times_out(Semaphore::named("pool", 2))
        }),
        head_timeout_outcomes()
    );
}

#[test]
fn the_hand_built_fair_semaphore_without_the_bug_behaves_the_same() {
    assert_eq!(
        outcomes(HEAD_TIMEOUT_BUDGET, || {
            semaphore_programs::head_waiter_times_out(HandBuiltFair::new(2, false))
        }),
        head_timeout_outcomes()
    );
}

/// The searches that must find the planted bug: random, PCT and POS, 200 executions from
/// seed 1 each.
#[cfg(feature = "shuttle")]
fn bug_hunters() -> Vec<Explorer> {
    [Strategy::Random, Strategy::Pct { depth: 3 }, Strategy::Pos]
        .into_iter()
        .map(|strategy| Explorer::new(strategy).seed(1).iterations(200))
        .collect()
}

/// The search that must find the planted bug: loom's exhaustive one, 2 preemptions.
#[cfg(loom)]
fn bug_hunters() -> Vec<Explorer> {
    vec![explorer(HEAD_TIMEOUT_BUDGET)]
}

#[test]
fn every_strategy_finds_the_timed_out_head_that_never_wakes_the_next() {
    for hunter in bug_hunters() {
        let failure = hunter
            .shrink_budget(0)
            .run(|| {
                semaphore_programs::head_waiter_times_out(HandBuiltFair::new(2, true));
            })
            .expect_err("the stranded next waiter deadlocks");
        assert!(
            failure
                .message
                .starts_with("deadlock: every thread is blocked")
                && failure
                    .message
                    .contains("next  waits for a notification on Condvar \"fair-changed\""),
            "{}",
            failure.message
        );
    }
}

#[test]
fn a_deadlock_report_says_how_many_permits_are_wanted_and_free() {
    let budget = Budget {
        random: 10,
        preemptions: 1,
    };
    let failure = explorer(budget)
        .shrink_budget(0)
        .run(|| {
            let pool = Arc::new(Semaphore::named("pool", 4));
            let _three = pool.acquire_many(3);
            let worker = {
                let pool = Arc::clone(&pool);
                lockstep::thread::spawn(move || drop(pool.acquire_many(3)))
            };
            worker.join().unwrap();
        })
        .expect_err("the worker waits for permits main keeps while joining it");
    assert!(
        failure.message.contains(
            "\n  thread-1  waits for 3 permits of Semaphore \"pool\" (1 of 4 free), held by \
             main (x3)"
        ),
        "{}",
        failure.message
    );
    assert!(failure.trace.contains("3 permits"), "{}", failure.trace);
}

#[test]
fn a_release_between_a_failed_try_and_the_wait_is_not_lost() {
    let budget = Budget {
        random: 500,
        preemptions: 3,
    };
    for fairness in [SemaphoreFairness::Fifo, SemaphoreFairness::Unfair] {
        assert_eq!(
            outcomes(budget, move || semaphore_programs::release_races_a_waiter(
                fairness
            )),
            BTreeSet::from([1]),
            "{fairness:?}"
        );
    }
}
