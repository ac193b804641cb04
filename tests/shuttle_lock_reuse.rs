//! Locks taken again under shuttle: recursively read (shuttle itself fails a recursive
//! `try_read` and panics on a recursive `read`; std allows both), and after a panic while
//! holding them.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/reuse_programs.rs"]
mod reuse_programs;

use lockstep::explore::{explore, Strategy};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Every outcome `body` returns over 200 random executions from a fixed seed.
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explore(Strategy::Random, 0x7e57, 200, move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {}", failure.message));
    let seen = seen.lock().unwrap().clone();
    seen
}

#[test]
fn a_reader_can_try_read_again() {
    assert_eq!(
        outcomes(reuse_programs::try_read_while_reading),
        BTreeSet::from([Some((7, 7))])
    );
}

#[test]
fn nested_reads_release_the_lock_once_the_last_one_goes() {
    assert_eq!(
        outcomes(reuse_programs::nested_reads_then_write),
        BTreeSet::from([(1, 1)])
    );
}

#[test]
fn an_rwlock_is_usable_after_a_panic_while_reading() {
    assert_eq!(
        outcomes(reuse_programs::rwlock_after_a_panic_while_reading),
        BTreeSet::from([6])
    );
}

#[test]
fn a_permit_is_usable_after_a_panic_while_held() {
    assert_eq!(
        outcomes(reuse_programs::permit_after_a_panic),
        BTreeSet::from([(1, 0)])
    );
}

#[test]
fn a_mutex_is_usable_after_a_panic_while_locked() {
    assert_eq!(
        outcomes(reuse_programs::lock_after_a_panic_while_locked),
        BTreeSet::from([5])
    );
}

#[test]
fn a_contended_mutex_reaches_both_orders_after_a_panic() {
    assert_eq!(
        outcomes(reuse_programs::contended_lock_after_a_panic),
        BTreeSet::from([(0, 11), (1, 11)])
    );
}

#[test]
fn an_rwlock_is_usable_after_a_panic_while_writing() {
    assert_eq!(
        outcomes(reuse_programs::rwlock_after_a_panic_while_writing),
        BTreeSet::from([(6, 7)])
    );
}

#[test]
fn a_drop_during_unwinding_can_lock_the_mutex_again() {
    assert_eq!(
        outcomes(reuse_programs::relock_in_a_drop_during_unwinding),
        BTreeSet::from([(3, 3)])
    );
}

#[test]
fn a_mutex_moved_after_a_panic_gives_its_value() {
    assert_eq!(
        outcomes(reuse_programs::into_inner_after_a_panic_while_locked),
        BTreeSet::from([8])
    );
}
