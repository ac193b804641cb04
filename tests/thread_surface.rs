//! The rest of std's thread surface under shuttle and loom (one file: only the explorer
//! differs): `is_finished` answers `false` and `true` while a worker ends and never `true`
//! before its closure returned; `spawn_scoped` names its thread; every simulated thread has
//! its own thread-locals, made lazily, dropped before a join returns and fresh in every
//! execution; `available_parallelism` is fixed (or the size knob); and the planted bugs (a
//! delivered result taken for a finished worker, a thread-local used as if shared, a spin on
//! `is_finished` of a worker that never ends) are found.
#![cfg(any(loom, feature = "shuttle"))]

#[path = "support/thread_surface_programs.rs"]
mod programs;

#[path = "support/outcomes.rs"]
mod collected;

use std::collections::BTreeSet;

#[cfg(any(loom, feature = "shuttle"))]
#[path = "support/simulated.rs"]
mod simulated;

/// Shuttle: 1,000 random executions from seed 8; loom: every interleaving up to 2 preemptions.
#[cfg(any(loom, feature = "shuttle"))]
fn explorer() -> lockstep::explore::Explorer {
    simulated::explorer(8, 1000, 2)
}

fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    collected::outcomes(explorer(), body)
}

#[test]
fn is_finished_asked_twice_is_false_or_true_after_the_workers_last_step() {
    assert_eq!(
        outcomes(programs::result_then_is_finished_asked_twice),
        BTreeSet::from([(false, false), (false, true), (true, false), (true, true)])
    );
}

#[test]
fn is_finished_is_false_or_true_after_the_workers_last_step() {
    assert_eq!(
        outcomes(programs::result_then_is_finished),
        BTreeSet::from([(false, false), (false, true), (true, false), (true, true)])
    );
}

#[test]
fn is_finished_is_never_true_before_the_closure_returned() {
    assert_eq!(
        outcomes(programs::is_finished_then_result),
        BTreeSet::from([(false, false), (false, true), (true, true)])
    );
}

#[test]
fn a_scoped_is_finished_is_false_or_true_after_the_workers_last_step() {
    assert_eq!(
        outcomes(programs::scoped_result_then_is_finished),
        BTreeSet::from([(false, false), (false, true), (true, false), (true, true)])
    );
}

#[test]
fn the_search_finds_a_delivered_result_taken_for_a_finished_worker() {
    let failure = explorer()
        .run(programs::trusts_a_delivered_result_as_finished)
        .expect_err("the worker can be past its store and not yet ended");
    assert!(
        failure
            .message
            .contains("the worker delivered its result but is not finished"),
        "{}",
        failure.message
    );
    assert!(failure.trace.contains("is_finished"), "{}", failure.trace);
}

#[test]
fn a_spin_on_is_finished_of_a_worker_that_never_ends_is_a_livelock() {
    let failure = explorer()
        .run(programs::spins_on_is_finished_of_a_parked_worker)
        .expect_err("nothing ends the worker's park");
    assert!(failure.message.contains("livelock"), "{}", failure.message);
    assert!(
        failure.message.contains("is_finished of thread-1 (false)"),
        "{}",
        failure.message
    );
}

#[test]
fn spawn_scoped_gives_the_thread_the_builders_name() {
    assert_eq!(
        outcomes(programs::spawn_scoped_name),
        BTreeSet::from([Some("scoped-worker".to_owned())])
    );
}

#[test]
fn a_named_scoped_threads_failure_names_it() {
    let failure = explorer()
        .run(programs::named_scoped_thread_panics)
        .expect_err("the scoped worker panics");
    assert!(
        failure.message.contains("the scoped worker failed"),
        "{}",
        failure.message
    );
    assert!(failure.trace.contains("scoped-worker"), "{}", failure.trace);
}

#[test]
fn every_simulated_thread_has_its_own_thread_local() {
    assert_eq!(
        outcomes(programs::each_thread_counts_alone),
        BTreeSet::from([(1, 2, 2)])
    );
}

#[test]
fn no_thread_local_value_leaks_into_the_next_execution() {
    let explorer = explorer();
    let counted = collected::outcomes(explorer, programs::one_run_counted);
    assert_eq!(counted, BTreeSet::from([(1, 1)]));
}

#[test]
fn a_thread_local_is_made_lazily_once_per_thread_that_uses_it() {
    assert_eq!(
        outcomes(programs::lazy_initialization),
        BTreeSet::from([(1, 14)])
    );
}

#[test]
fn thread_local_destructors_run_before_join_returns() {
    assert_eq!(
        outcomes(programs::destructor_runs_before_join_returns),
        BTreeSet::from([(0, 4), (4, 4)])
    );
}

#[test]
fn the_cell_and_refcell_conveniences_work_per_thread() {
    assert_eq!(
        outcomes(programs::conveniences),
        BTreeSet::from([(3, 3, 5, vec![1, 2], 3, vec![4])])
    );
}

#[test]
fn the_search_finds_a_thread_local_used_as_if_shared() {
    let failure = explorer()
        .run(programs::thread_local_used_as_shared)
        .expect_err("main's own count is 0");
    assert!(
        failure
            .message
            .contains("the workers' counts are not in main's thread-local"),
        "{}",
        failure.message
    );
}

#[test]
fn available_parallelism_is_four_under_simulation() {
    assert_eq!(outcomes(programs::parallelism), BTreeSet::from([4]));
}

#[test]
fn available_parallelism_follows_the_size_knob() {
    let explorer = explorer().size("available_parallelism", 2);
    assert_eq!(
        collected::outcomes(explorer, programs::parallelism),
        BTreeSet::from([2])
    );
}
