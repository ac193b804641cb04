//! Semaphores on real threads: FIFO serves the head first and a try does not overtake it,
//! unfair's try takes what is free; `acquire_many` waits for all its permits;
//! `try_acquire_many` fails when fewer are free; a head waiter that times out lets the next
//! one be served, with the facade's semaphore and the hand-built fair one. (std has no
//! semaphore: tokio's semantics are the reference.)
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "support/semaphore_programs.rs"]
mod semaphore_programs;

use lockstep::sync::{Semaphore, SemaphoreFairness};
use semaphore_programs::HandBuiltFair;

#[test]
fn fifo_serves_the_head_first_and_a_try_does_not_overtake_it() {
    for _ in 0..50 {
        assert_eq!(
            semaphore_programs::head_of_line(SemaphoreFairness::Fifo),
            (false, vec!["big", "small"])
        );
    }
}

#[test]
fn unfair_try_acquire_takes_what_is_free() {
    // One thread, so nobody queues: the overtaking itself is shown under shuttle and loom.
    let pool = Semaphore::named("pool", 1).with_fairness(SemaphoreFairness::Unfair);
    assert!(pool.try_acquire_many(2).is_none());
    assert!(pool.try_acquire().is_some());
}

#[test]
fn acquire_many_waits_until_all_its_permits_are_free() {
    for _ in 0..50 {
        assert_eq!(
            semaphore_programs::acquire_many_waits(),
            ["main gives 2 back", "took 2, 1 left"]
        );
    }
}

#[test]
fn try_acquire_many_fails_when_fewer_are_free() {
    let pool = Semaphore::named("pool", 3);
    let one = pool.acquire();
    assert!(pool.try_acquire_many(3).is_none());
    assert_eq!(pool.available_permits(), 2);
    drop(one);
    assert_eq!(pool.try_acquire_many(3).map(|p| p.num_permits()), Some(3));
}

#[test]
fn a_release_racing_a_waiter_is_not_lost() {
    for fairness in [SemaphoreFairness::Fifo, SemaphoreFairness::Unfair] {
        for _ in 0..50 {
            assert_eq!(semaphore_programs::release_races_a_waiter(fairness), 1);
        }
    }
}

#[test]
fn a_head_waiter_that_times_out_lets_the_next_be_served() {
    for _ in 0..5 {
        let (head, _) = semaphore_programs::head_waiter_times_out(Semaphore::named("pool", 2));
        assert!(!head, "head got 2 permits while main held 1 of 2");
        let (head, _) = semaphore_programs::head_waiter_times_out(HandBuiltFair::new(2, false));
        assert!(!head, "head got 2 permits while main held 1 of 2");
    }
}
