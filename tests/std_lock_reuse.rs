//! Locks taken again on real threads: recursively read, and after a panic while holding them.
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
