//! Locks taken again on real threads: recursively read, and after a panic while holding them
//! (lockstep's locks are poison-free).
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "support/reuse_programs.rs"]
mod reuse_programs;

#[test]
fn a_reader_can_try_read_again() {
    assert_eq!(reuse_programs::try_read_while_reading(), Some((7, 7)));
}

#[test]
fn nested_reads_release_the_lock_once_the_last_one_goes() {
    assert_eq!(reuse_programs::nested_reads_then_write(), (1, 1));
}

#[test]
fn an_rwlock_is_usable_after_a_panic_while_reading() {
    assert_eq!(reuse_programs::rwlock_after_a_panic_while_reading(), 6);
}

#[test]
fn a_permit_is_usable_after_a_panic_while_held() {
    assert_eq!(reuse_programs::permit_after_a_panic(), (1, 0));
}

#[test]
fn a_mutex_is_usable_after_a_panic_while_locked() {
    assert_eq!(reuse_programs::lock_after_a_panic_while_locked(), 5);
}

#[test]
fn a_contended_mutex_reaches_both_orders_after_a_panic() {
    let (seen, last) = reuse_programs::contended_lock_after_a_panic();
    assert!([0, 1].contains(&seen), "the adder saw {seen}");
    assert_eq!(last, 11);
}

#[test]
fn an_rwlock_is_usable_after_a_panic_while_writing() {
    assert_eq!(reuse_programs::rwlock_after_a_panic_while_writing(), (6, 7));
}

#[test]
fn a_drop_during_unwinding_can_lock_the_mutex_again() {
    assert_eq!(reuse_programs::relock_in_a_drop_during_unwinding(), (3, 3));
}

#[test]
fn a_mutex_moved_after_a_panic_gives_its_value() {
    assert_eq!(reuse_programs::into_inner_after_a_panic_while_locked(), 8);
}
