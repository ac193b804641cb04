//! The std surface issue 17 added last, under shuttle and loom (one file: only the explorer
//! differs): every outcome std allows for racing `update`s, `try_update`s, `fetch_not`s,
//! pointer `fetch_or` / `fetch_and` and `call_once_force` against a panicking initializer is
//! reached, the rules that always hold do (one token taken once, two slots claimed apart), and
//! the planted bugs (a cursor bumped by a load and a store, a recovery that assumes it runs
//! first) are found.
#![cfg(any(loom, feature = "shuttle"))]

#[path = "support/surface_programs.rs"]
mod programs;

#[path = "support/outcomes.rs"]
mod collected;

use std::collections::BTreeSet;

#[cfg(any(loom, feature = "shuttle"))]
#[path = "support/simulated.rs"]
mod simulated;

/// Shuttle: 1,000 random executions from seed 17; loom: every interleaving up to 2 preemptions.
#[cfg(any(loom, feature = "shuttle"))]
fn explorer() -> lockstep::explore::Explorer {
    simulated::explorer(17, 1000, 2)
}

fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    collected::outcomes(explorer(), body)
}

#[test]
fn racing_updates_apply_in_either_order() {
    assert_eq!(
        outcomes(programs::update_race),
        BTreeSet::from([(3, 2, 1), (4, 1, 2)])
    );
}

#[test]
fn either_thread_takes_the_last_token_with_try_update() {
    assert_eq!(
        outcomes(programs::try_update_takes_the_last_token),
        BTreeSet::from([(Ok(1), Err(0)), (Err(0), Ok(1))])
    );
}

#[test]
fn a_load_racing_fetch_not_sees_the_flag_either_way() {
    assert_eq!(
        outcomes(programs::fetch_not_against_a_load),
        BTreeSet::from([
            (false, false, true),
            (false, true, false),
            (true, true, false)
        ])
    );
}

#[test]
fn fetch_ptr_add_claims_distinct_slots_in_either_order() {
    assert_eq!(
        outcomes(|| programs::claim_slots(false)),
        BTreeSet::from([(0, 1), (1, 0)])
    );
}

#[test]
fn the_search_finds_the_cursor_bumped_by_a_load_and_a_store() {
    let failure = explorer()
        .run(|| {
            programs::claim_slots(true);
        })
        .expect_err("both threads can load the cursor before either stores");
    assert!(
        failure
            .message
            .starts_with("assertion `left != right` failed: two threads claimed slot 0"),
        "{}",
        failure.message
    );
}

#[test]
fn a_tag_and_an_untag_of_a_pointer_race_either_way() {
    assert_eq!(
        outcomes(programs::tag_against_untag),
        BTreeSet::from([false, true])
    );
}

#[test]
fn a_forced_initializer_runs_before_the_panicking_one_or_after_it_on_the_poison() {
    assert_eq!(
        outcomes(programs::call_once_force_against_a_panicking_initializer),
        BTreeSet::from([(false, false), (true, true)])
    );
}

#[test]
fn the_search_finds_the_recovery_that_assumes_it_runs_first() {
    let failure = explorer()
        .run(|| programs::recovery_that_assumes_a_clean_once(true))
        .expect_err("the panicking initializer can run first");
    assert_eq!(failure.message, "the recovery ran on a poisoned Once");
    explorer()
        .run(|| programs::recovery_that_assumes_a_clean_once(false))
        .expect("a recovery that takes either state passes");
}

#[test]
fn a_forced_initializer_that_panics_repoisons_and_the_next_one_recovers() {
    assert_eq!(
        outcomes(programs::call_once_force_repoisons_then_recovers),
        BTreeSet::from([(true, true, true)])
    );
}

#[test]
fn a_thread_with_a_stack_size_runs_under_simulation() {
    assert_eq!(
        outcomes(programs::spawn_with_a_stack_size),
        BTreeSet::from([("big-frames".to_owned(), 42)])
    );
}
