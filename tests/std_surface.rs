//! The std surface issue 17 added last, on real threads: std's own atomics' `update`,
//! `try_update`, `fetch_not` and pointer arithmetic, std's `Once::call_once_force`, a spawn
//! with a stack size, and `Weak`, `thread::Result`, `thread::panicking`, `thread::sleep`
//! behind the facade, with the outcomes std allows.
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "support/surface_programs.rs"]
mod programs;

use std::time::Duration;

#[test]
fn racing_updates_apply_in_one_order_or_the_other() {
    let outcome = programs::update_race();
    assert!(outcome == (3, 2, 1) || outcome == (4, 1, 2), "{outcome:?}");
}

#[test]
fn one_thread_takes_the_last_token() {
    let outcome = programs::try_update_takes_the_last_token();
    assert!(
        outcome == (Ok(1), Err(0)) || outcome == (Err(0), Ok(1)),
        "{outcome:?}"
    );
}

#[test]
fn two_flips_see_each_other() {
    let (seen, mine, theirs) = programs::fetch_not_against_a_load();
    assert_ne!(mine, theirs);
    assert!(
        !seen || mine,
        "a load that saw the flip comes before main's own"
    );
}

#[test]
fn pointer_arithmetic_claims_distinct_slots_and_keeps_the_address() {
    let (mine, theirs) = programs::claim_slots(false);
    assert_eq!(mine + theirs, 1);
    programs::tag_against_untag();
}

#[test]
fn call_once_force_runs_on_the_poison_as_std_s_does() {
    let (panicked, saw_poison) = programs::call_once_force_against_a_panicking_initializer();
    assert_eq!(panicked, saw_poison);
    assert_eq!(
        programs::call_once_force_repoisons_then_recovers(),
        (true, true, true)
    );
}

#[test]
fn a_stack_size_goes_to_std() {
    assert_eq!(
        programs::spawn_with_a_stack_size(),
        ("big-frames".to_owned(), 42)
    );
}

#[test]
fn weak_thread_result_panicking_and_sleep_are_std_s() {
    let strong = lockstep::sync::Arc::new(5);
    let weak: lockstep::sync::Weak<i32> = lockstep::sync::Arc::downgrade(&strong);
    assert_eq!(weak.upgrade().as_deref(), Some(&5));
    drop(strong);
    assert!(weak.upgrade().is_none());
    let joined: lockstep::thread::Result<bool> =
        lockstep::thread::spawn(lockstep::thread::panicking).join();
    assert!(
        !joined.unwrap(),
        "a thread that returned normally was not panicking"
    );
    lockstep::thread::sleep(Duration::from_millis(1));
}
