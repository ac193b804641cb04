//! The rest of the async surface under std (tokio runs the tasks, real time): the programs of
//! tests/async_programs/ that do not depend on timing, each run several times; every outcome
//! must be one the shuttle tests reach (tests/shuttle_async_surface.rs asserts the full sets).
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "async_programs/interval.rs"]
mod interval;
#[path = "async_programs/mpsc.rs"]
mod mpsc;
#[path = "async_programs/rwlock.rs"]
mod rwlock;
#[path = "async_programs/select.rs"]
mod select;

use std::collections::BTreeSet;
use std::time::Duration;

/// What `body` returns over `runs` runs.
fn runs<T: Ord>(runs: usize, body: impl Fn() -> T) -> BTreeSet<T> {
    (0..runs).map(|_| body()).collect()
}

/// Asserts every outcome of 20 runs of `body` is in `allowed`.
fn only<T: Ord + std::fmt::Debug>(body: impl Fn() -> T, allowed: impl IntoIterator<Item = T>) {
    let allowed: BTreeSet<T> = allowed.into_iter().collect();
    let seen = runs(20, body);
    assert!(seen.is_subset(&allowed), "{seen:?} not within {allowed:?}");
}

#[test]
fn mpsc_messages_arrive_in_an_order_std_allows() {
    only(mpsc::two_senders, [vec![1, 2], vec![2, 1]]);
    only(
        mpsc::fifo_per_sender,
        [
            vec![10, 1, 2, 3],
            vec![1, 10, 2, 3],
            vec![1, 2, 10, 3],
            vec![1, 2, 3, 10],
        ],
    );
}

#[test]
fn mpsc_disconnection_on_tokio() {
    only(mpsc::send_races_the_receivers_drop, [Ok(()), Err(7)]);
    only(
        mpsc::a_waiting_sender_fails_when_the_receiver_goes,
        [Err(2)],
    );
    only(
        mpsc::the_end_comes_after_every_message,
        [(
            vec![1, 2],
            Err(lockstep::tokio::sync::mpsc::TryRecvError::Disconnected),
        )],
    );
    only(mpsc::close_keeps_reserved_slots, [(vec![1], true)]);
    only(mpsc::a_dropped_send_future_passes_its_slot_on, [vec![0, 2]]);
}

#[test]
fn rwlock_and_try_lock_on_tokio() {
    only(
        rwlock::readers_share_and_a_writer_excludes,
        [
            (0, 0, false),
            (0, 0, true),
            (0, 1, false),
            (1, 0, false),
            (1, 1, false),
            (1, 1, true),
        ],
    );
    only(rwlock::a_queued_writer_holds_up_later_readers, [(false, 1)]);
    only(rwlock::a_cancelled_writer_lets_readers_through, [5]);
    only(rwlock::try_lock_refuses_while_held, [(true, true, true)]);
    only(rwlock::a_forgotten_permit_is_gone_for_good, [(1, true)]);
}

#[test]
fn interval_ticks_return_their_due_instants_on_tokio() {
    let ms = Duration::from_millis;
    assert_eq!(
        interval::ticks_are_due_one_period_apart(),
        vec![ms(0), ms(10), ms(20)]
    );
}

#[test]
fn select_on_tokio() {
    // The branch order is drawn from the thread's entropy: both orders over 64 runs (the
    // chance of missing one is 2^-63).
    assert_eq!(
        runs(64, select::two_ready_branches),
        BTreeSet::from(["first", "second"])
    );
    only(select::biased_takes_the_first_ready, ["first"]);
    only(select::refuted_branches_are_disabled, [(4, "else")]);
    only(
        select::the_losing_recv_loses_nothing,
        [(1, vec![2]), (2, vec![1])],
    );
}
