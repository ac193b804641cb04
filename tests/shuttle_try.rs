//! Contended tries under shuttle: every outcome std allows for `try_lock`, `try_read` and
//! `try_write` racing a holder is reached, including the failed try.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/try_programs.rs"]
mod try_programs;

use lockstep::explore::{explore, Strategy};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Every outcome `body` returns over 500 random executions from a fixed seed.
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explore(Strategy::Random, 0x7e57, 500, move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {failure:?}"));
    let seen = seen.lock().unwrap().clone();
    seen
}

#[test]
fn two_contended_try_locks_end_with_one_or_two() {
    assert_eq!(
        outcomes(try_programs::two_try_locks),
        BTreeSet::from([1, 2])
    );
}

#[test]
fn two_contended_try_writes_end_with_one_or_two() {
    assert_eq!(
        outcomes(try_programs::two_try_writes),
        BTreeSet::from([1, 2])
    );
}

#[test]
fn a_try_lock_against_a_plain_lock_can_fail() {
    assert_eq!(
        outcomes(try_programs::try_lock_against_lock),
        BTreeSet::from([1, 2])
    );
}

#[test]
fn a_try_read_fails_while_a_writer_holds_the_lock() {
    assert_eq!(
        outcomes(try_programs::try_read_against_writer),
        BTreeSet::from([None, Some(0), Some(1)])
    );
}

#[test]
fn a_try_write_fails_while_a_reader_holds_the_lock() {
    assert_eq!(
        outcomes(try_programs::try_write_against_reader),
        BTreeSet::from([0, 1])
    );
}
