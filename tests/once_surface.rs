//! The rest of std's one-time init surface on every backend: `Once::wait` / `wait_force`,
//! `OnceLock::{wait, get_mut, take}`, `LazyLock::{get, get_mut, force_mut}`. Under shuttle and
//! loom every outcome std allows is reached (a waiter found the init done before it waited or
//! not, a `LazyLock::get` racing a `force` sees `None` or the value, a `wait` on a `Once` that
//! a forced run later completes panics or returns), a `wait` always sees the initializer's
//! writes, `take` makes a cell initialize again, the `&mut` calls add no scheduling point
//! (the same executions with and without them), deadlock reports name what a waiter waits for,
//! and a `get` used where a `wait` was needed is found. On std the same programs' outcomes are
//! among those.

#[path = "support/once_surface_programs.rs"]
mod programs;

#[cfg(any(loom, feature = "shuttle"))]
#[path = "support/outcomes.rs"]
mod collected;

use std::collections::BTreeSet;

#[cfg(any(loom, feature = "shuttle"))]
#[path = "support/simulated.rs"]
mod simulated;

/// Shuttle: 1,000 random executions from seed 29; loom: every interleaving up to 3 preemptions.
#[cfg(any(loom, feature = "shuttle"))]
fn explorer() -> lockstep::explore::Explorer {
    simulated::explorer(29, 1000, 3)
}

/// Every outcome `body` returns: over the exploration under simulation, its one run on std.
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    #[cfg(any(loom, feature = "shuttle"))]
    return collected::outcomes(explorer(), body);
    #[cfg(not(any(loom, feature = "shuttle")))]
    return BTreeSet::from([body()]);
}

/// Asserts the outcomes of `body` are `allowed`: all of them under simulation, a subset on
/// std (one run reaches one outcome).
fn assert_outcomes<T, F>(body: F, allowed: BTreeSet<T>)
where
    T: Ord + Send + std::fmt::Debug + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = outcomes(body);
    if cfg!(any(loom, feature = "shuttle")) {
        assert_eq!(seen, allowed);
    } else {
        assert!(seen.is_subset(&allowed), "{seen:?} not in {allowed:?}");
    }
}

#[test]
fn a_once_waiter_always_sees_the_initializers_write_and_may_find_it_done_first() {
    assert_outcomes(
        programs::once_wait_against_call_once,
        BTreeSet::from([(false, 1), (true, 1)]),
    );
}

#[test]
fn a_once_lock_waiter_always_gets_the_value_and_may_find_it_set_first() {
    assert_outcomes(
        programs::once_lock_wait_against_set,
        BTreeSet::from([(None, 7), (Some(7), 7)]),
    );
}

#[test]
fn a_once_lock_wait_outlasts_a_panicking_initializer() {
    assert_outcomes(
        programs::once_lock_wait_across_a_panicking_initializer,
        BTreeSet::from([3]),
    );
}

#[test]
fn wait_panics_on_a_poisoned_once_and_wait_force_waits_for_the_forced_run() {
    assert_outcomes(
        programs::once_waits_across_poison,
        BTreeSet::from([(false, true), (true, true)]),
    );
}

#[test]
fn a_lazy_get_racing_a_force_sees_none_or_the_value() {
    assert_outcomes(
        programs::lazy_get_against_force,
        BTreeSet::from([None, Some(5)]),
    );
}

#[test]
fn a_taken_cell_is_initialized_again_once_by_either_thread() {
    assert_outcomes(
        programs::once_lock_taken_then_raced,
        BTreeSet::from([(Some(2), 10, 1), (Some(2), 20, 1)]),
    );
}

#[test]
fn a_lazy_value_forced_through_mut_is_shared_changed_and_initialized_once() {
    assert_outcomes(
        programs::lazy_forced_mut_then_shared,
        BTreeSet::from([(Some(3), 3, 1)]),
    );
}

#[test]
fn the_search_finds_a_get_that_needed_a_wait() {
    #[cfg(any(loom, feature = "shuttle"))]
    {
        let failure = explorer()
            .run(|| programs::client_reads_the_published_port(true))
            .expect_err("the client can look before the worker publishes");
        assert_eq!(failure.message, "the client found no port published");
        explorer()
            .run(|| programs::client_reads_the_published_port(false))
            .expect("wait blocks until the port is published");
    }
    #[cfg(not(any(loom, feature = "shuttle")))]
    programs::client_reads_the_published_port(false);
}

/// The `&mut` calls are no scheduling points: a program explores exactly the executions it
/// explores without them (shuttle's DFS and loom's exhaustive search both enumerate).
#[cfg(any(loom, feature = "shuttle"))]
#[test]
fn the_exclusive_calls_add_no_executions() {
    use lockstep::explore::{Explorer, Strategy};
    #[cfg(feature = "shuttle")]
    let explorer = || Explorer::new(Strategy::Dfs).iterations(10_000);
    #[cfg(loom)]
    let explorer = || {
        Explorer::new(Strategy::Exhaustive {
            preemption_bound: None,
        })
    };
    let with = explorer()
        .run(|| programs::exclusive_calls_beside_a_racer(true))
        .expect("passes");
    let without = explorer()
        .run(|| programs::exclusive_calls_beside_a_racer(false))
        .expect("passes");
    assert!(without.executions > 1, "{without:?}");
    assert_eq!(with.executions, without.executions);
}

#[cfg(any(loom, feature = "shuttle"))]
#[test]
fn a_wait_on_a_once_nobody_completes_is_a_deadlock_naming_it() {
    let failure = explorer()
        .run(programs::wait_for_a_once_nobody_completes)
        .expect_err("nobody calls the Once");
    assert_eq!(
        failure.message,
        "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)\n  \
         main    waits to join waiter\n  \
         waiter  waits for Once \"setup\" to complete"
    );
}

#[cfg(any(loom, feature = "shuttle"))]
#[test]
fn a_wait_on_a_once_lock_nobody_sets_is_a_deadlock_naming_it() {
    let failure = explorer()
        .run(programs::wait_for_a_once_lock_nobody_sets)
        .expect_err("nobody sets the cell");
    assert_eq!(
        failure.message,
        "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)\n  \
         main    waits for OnceLock \"config\" to be initialized\n  \
         waiter  waits for OnceLock \"config\" to be initialized"
    );
    assert!(
        failure.trace.contains("wait completion"),
        "{}",
        failure.trace
    );
}
