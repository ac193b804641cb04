//! `Barrier`, `Once`, `OnceLock` and `LazyLock` on real threads: std's own types behind the
//! facade, so one leader per barrier generation, one initializer run, a `set` race with
//! exactly one winner, and std's poisoning rules.
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "support/sync_programs.rs"]
mod programs;

#[test]
fn each_barrier_generation_has_exactly_one_leader() {
    let leaders = programs::barrier_leaders(3, 4);
    assert_eq!(leaders.len(), 4);
    assert!(leaders.iter().all(|&leader| leader < 3), "{leaders:?}");
}

#[test]
fn after_a_barrier_both_writes_are_visible() {
    programs::barrier_publishes(false);
}

#[test]
fn a_set_race_has_exactly_one_winner() {
    let (value, mine, theirs) = programs::once_lock_set_race();
    assert!(
        (value, mine, theirs) == (1, true, false) || (value, mine, theirs) == (2, false, true),
        "{value} {mine} {theirs}"
    );
    programs::check_then_set(false);
}

#[test]
fn initializers_run_once() {
    assert!(matches!(
        programs::once_lock_get_against_init(),
        None | Some(5)
    ));
    assert_eq!(programs::once_from_two_threads().0, 1);
    assert_eq!(programs::lazy_lock_forced_twice().0, 1);
}

#[test]
fn panicking_initializers_poison_once_and_lazy_lock_but_not_once_lock() {
    assert_eq!(programs::panicking_initializers(), (true, Some(3), true));
}
