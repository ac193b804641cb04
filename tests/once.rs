//! `Barrier`, `Once`, `OnceLock` and `LazyLock` under shuttle and loom (one file: only the
//! explorer differs): every outcome std allows is reached (each thread wins a `set` race and
//! leads a barrier generation, a `get` sees the cell empty or set, either thread runs the lazy
//! initializer), the rules that always hold do (one leader per generation, one initializer
//! run), a poisoned `Once` stays usable as std's (no loom `PoisonError`), deadlock reports name
//! the barrier's count and the initializer, and planted bugs are found by random search and by
//! loom's exhaustive search.
#![cfg(any(loom, feature = "shuttle"))]

#[path = "support/sync_programs.rs"]
mod programs;

#[path = "support/outcomes.rs"]
mod collected;

use std::collections::BTreeSet;

#[cfg(any(loom, feature = "shuttle"))]
#[path = "support/simulated.rs"]
mod simulated;

/// Shuttle: 1,000 random executions from seed 29 (the bug hunts and reports use this too);
/// loom: every interleaving up to 3 preemptions.
#[cfg(any(loom, feature = "shuttle"))]
fn explorer() -> lockstep::explore::Explorer {
    simulated::explorer(29, 1000, 3)
}

/// Every outcome `body` returns over the exploration.
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    collected::outcomes(explorer(), body)
}

fn s(text: &str) -> String {
    text.to_owned()
}

#[test]
fn every_thread_leads_some_generation_and_each_has_exactly_one_leader() {
    let leaders = outcomes(|| programs::barrier_leaders(3, 2));
    let first: BTreeSet<usize> = leaders.iter().map(|l| l[0]).collect();
    let second: BTreeSet<usize> = leaders.iter().map(|l| l[1]).collect();
    assert_eq!(first, BTreeSet::from([0, 1, 2]));
    assert_eq!(second, BTreeSet::from([0, 1, 2]));
}

#[test]
fn a_barrier_short_of_a_party_is_a_deadlock_with_the_count() {
    let failure = explorer()
        .run(programs::barrier_short_of_a_party)
        .expect_err("the third party never comes");
    assert_eq!(
        failure.message,
        "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)\n  \
         main      waits at Barrier#0 (2 of 3 arrived)\n  \
         thread-1  waits at Barrier#0 (2 of 3 arrived)"
    );
}

#[test]
fn the_search_finds_a_read_before_the_barrier() {
    let failure = explorer()
        .run(|| programs::barrier_publishes(true))
        .expect_err("a read before the barrier can miss the other write");
    assert!(
        failure.message.contains("before it was written"),
        "{}",
        failure.message
    );
    assert!(failure.trace.contains("arrive"), "{}", failure.trace);
    explorer()
        .run(|| programs::barrier_publishes(false))
        .expect("after the barrier both writes are visible");
}

#[test]
fn each_thread_wins_the_set_race_in_some_execution() {
    assert_eq!(
        outcomes(programs::once_lock_set_race),
        BTreeSet::from([(1, true, false), (2, false, true)])
    );
}

#[test]
fn a_get_racing_the_initializer_sees_the_cell_empty_or_set() {
    assert_eq!(
        outcomes(programs::once_lock_get_against_init),
        BTreeSet::from([None, Some(5)])
    );
}

#[test]
fn once_runs_once_and_is_completed_may_be_seen_either_way() {
    assert_eq!(
        outcomes(programs::once_from_two_threads),
        BTreeSet::from([(1, false), (1, true)])
    );
}

#[test]
fn either_thread_may_run_the_lazy_initializer_and_it_runs_once() {
    assert_eq!(
        outcomes(programs::lazy_lock_forced_twice),
        BTreeSet::from([(1, s("main")), (1, s("other"))])
    );
}

#[test]
fn panicking_initializers_poison_once_and_lazy_lock_but_not_once_lock() {
    assert_eq!(
        outcomes(programs::panicking_initializers),
        BTreeSet::from([(true, Some(3), true)])
    );
}

#[test]
fn a_poisoned_once_panics_on_every_later_call_and_is_never_completed() {
    assert_eq!(
        outcomes(programs::once_poisoned_twice),
        BTreeSet::from([(true, true, false)])
    );
}

#[test]
fn the_search_finds_the_check_then_set_double_initialization() {
    let failure = explorer()
        .run(|| programs::check_then_set(true))
        .expect_err("both threads can find the cell empty");
    assert_eq!(
        failure.message,
        "2 threads believe they initialized the leader"
    );
    explorer()
        .run(|| programs::check_then_set(false))
        .expect("one set wins");
}

#[test]
fn an_initializer_waiting_for_a_lock_its_waiter_holds_is_a_deadlock_naming_both() {
    let failure = explorer()
        .run(programs::initializer_needs_a_held_lock)
        .expect_err("the loader waits for main's lock, main for the loader's initializer");
    assert_eq!(
        failure.message,
        "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)\n  \
         main    waits for OnceLock \"config\"'s initializer to finish\n  \
         loader  waits to lock Mutex \"registry\", held by main"
    );
}

#[test]
fn the_search_finds_the_once_checked_before_it_is_called() {
    let failure = explorer()
        .run(|| programs::once_checked_then_called(true))
        .expect_err("both threads can find the setup not completed");
    assert_eq!(failure.message, "2 threads believe they ran the setup");
    explorer()
        .run(|| programs::once_checked_then_called(false))
        .expect("counting inside call_once counts once");
}

#[test]
fn the_search_finds_the_lazy_value_computed_from_the_old_setting() {
    let failure = explorer()
        .run(|| programs::lazy_computed_before_the_setting(true))
        .expect_err("the worker can force the lazy value first");
    assert!(
        failure.message.starts_with(
            "assertion `left == right` failed: the lazy value was computed from the old setting"
        ),
        "{}",
        failure.message
    );
    explorer()
        .run(|| programs::lazy_computed_before_the_setting(false))
        .expect("a setting made before the spawn is seen");
}
