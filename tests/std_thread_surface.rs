//! The rest of std's thread surface on real threads: `is_finished` and the scoped one (std's),
//! `Builder::spawn_scoped`, `thread_local!` / `LocalKey` (std's own) and
//! `available_parallelism` (std's), with the outcomes std allows.
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "support/thread_surface_programs.rs"]
mod programs;

use lockstep::thread;

#[test]
fn is_finished_is_true_only_once_the_closure_returned() {
    let (finished, seen) = programs::is_finished_then_result();
    assert!(
        seen || !finished,
        "finished before its write: {finished} {seen}"
    );
    // Any of the other three is a timing std allows.
    let _ = programs::result_then_is_finished();
}

#[test]
fn is_finished_turns_true_without_a_join() {
    let worker = thread::spawn(|| 6 * 7);
    while !worker.is_finished() {
        thread::yield_now();
    }
    assert_eq!(worker.join().unwrap(), 42);
}

#[test]
fn a_scoped_is_finished_turns_true_without_a_join() {
    thread::scope(|s| {
        let worker = s.spawn(|| 1);
        while !worker.is_finished() {
            thread::yield_now();
        }
        assert_eq!(worker.join().unwrap(), 1);
    });
    let _ = programs::scoped_result_then_is_finished();
}

#[test]
fn spawn_scoped_gives_the_thread_the_builders_name() {
    assert_eq!(
        programs::spawn_scoped_name().as_deref(),
        Some("scoped-worker")
    );
}

#[test]
fn a_named_scoped_threads_panic_reaches_the_scope() {
    let panicked = std::panic::catch_unwind(programs::named_scoped_thread_panics);
    assert!(panicked.is_err());
}

#[test]
fn every_thread_has_its_own_thread_local() {
    // On a fresh thread: the test harness may run other tests on this one.
    let counts = thread::spawn(programs::each_thread_counts_alone)
        .join()
        .unwrap();
    assert_eq!(counts, (1, 2, 2));
}

#[test]
fn a_fresh_thread_counts_one_run() {
    let counted = thread::spawn(programs::one_run_counted).join().unwrap();
    assert_eq!(counted, (1, 1));
}

#[test]
fn a_thread_local_is_made_lazily_once_per_thread_that_uses_it() {
    assert_eq!(programs::lazy_initialization(), (1, 14));
}

#[test]
fn thread_local_destructors_run_before_join_returns() {
    let (before, after) = programs::destructor_runs_before_join_returns();
    assert!(before == 0 || before == 4, "{before}");
    assert_eq!(after, 4);
}

#[test]
fn the_cell_and_refcell_conveniences_are_stds() {
    assert_eq!(programs::conveniences(), (3, 3, 5, vec![1, 2], 3, vec![4]));
}

#[test]
fn a_thread_local_used_as_if_shared_fails_on_std_too() {
    let result = thread::spawn(programs::thread_local_used_as_shared).join();
    assert!(result.is_err());
}

#[test]
fn available_parallelism_is_stds() {
    assert_eq!(
        programs::parallelism(),
        std::thread::available_parallelism().unwrap().get()
    );
}
