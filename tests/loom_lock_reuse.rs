//! Locks taken again under loom: after a panic while holding them (lockstep's locks are
//! poison-free) and recursively read. Each exploration runs in a child process of this test
//! binary, so one that aborts the process (as a recursive read once did) fails only its test.
#![cfg(loom)]

#[path = "support/reuse_programs.rs"]
mod reuse_programs;

use lockstep::explore::explore_exhaustive;
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

/// The environment variable naming the test a child process runs in-process.
const CHILD: &str = "LOCKSTEP_REUSE_CHILD";

/// Asserts that loom's exhaustive exploration of `body` (preemption bound 2) passes with
/// exactly the outcomes `expected`, in a child process running the test `name` (which must be
/// the calling test's name).
fn explores_to<T, F>(name: &str, expected: BTreeSet<T>, body: F)
where
    T: Ord + Clone + Debug + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    if std::env::var(CHILD).is_ok_and(|child| child == name) {
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let sink = Arc::clone(&seen);
        explore_exhaustive(Some(2), move || {
            let outcome = body();
            sink.lock().unwrap().insert(outcome);
        })
        .unwrap_or_else(|failure| panic!("unexpected failure: {}", failure.message));
        assert_eq!(*seen.lock().unwrap(), expected);
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let child = std::process::Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, name)
        .output()
        .expect("run the test binary");
    assert!(
        child.status.success(),
        "{name} failed in its child process ({}):\n{}{}",
        child.status,
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
    assert!(
        String::from_utf8_lossy(&child.stdout).contains(&format!("test {name} ... ok")),
        "{name}: the child process did not run the test (is it named after it?)"
    );
}

#[test]
fn a_reader_can_try_read_again() {
    explores_to(
        "a_reader_can_try_read_again",
        BTreeSet::from([Some((7, 7))]),
        reuse_programs::try_read_while_reading,
    );
}

#[test]
fn nested_reads_release_the_lock_once_the_last_one_goes() {
    explores_to(
        "nested_reads_release_the_lock_once_the_last_one_goes",
        BTreeSet::from([(1, 1)]),
        reuse_programs::nested_reads_then_write,
    );
}

#[test]
fn an_rwlock_is_usable_after_a_panic_while_reading() {
    explores_to(
        "an_rwlock_is_usable_after_a_panic_while_reading",
        BTreeSet::from([6]),
        reuse_programs::rwlock_after_a_panic_while_reading,
    );
}

#[test]
fn a_permit_is_usable_after_a_panic_while_held() {
    explores_to(
        "a_permit_is_usable_after_a_panic_while_held",
        BTreeSet::from([(1, 0)]),
        reuse_programs::permit_after_a_panic,
    );
}

#[test]
fn a_mutex_is_usable_after_a_panic_while_locked() {
    explores_to(
        "a_mutex_is_usable_after_a_panic_while_locked",
        BTreeSet::from([5]),
        reuse_programs::lock_after_a_panic_while_locked,
    );
}

#[test]
fn a_contended_mutex_reaches_both_orders_after_a_panic() {
    explores_to(
        "a_contended_mutex_reaches_both_orders_after_a_panic",
        BTreeSet::from([(0, 11), (1, 11)]),
        reuse_programs::contended_lock_after_a_panic,
    );
}

#[test]
fn an_rwlock_is_usable_after_a_panic_while_writing() {
    explores_to(
        "an_rwlock_is_usable_after_a_panic_while_writing",
        BTreeSet::from([(6, 7)]),
        reuse_programs::rwlock_after_a_panic_while_writing,
    );
}

#[test]
fn a_drop_during_unwinding_can_lock_the_mutex_again() {
    explores_to(
        "a_drop_during_unwinding_can_lock_the_mutex_again",
        BTreeSet::from([(3, 3)]),
        reuse_programs::relock_in_a_drop_during_unwinding,
    );
}

#[test]
fn a_mutex_moved_after_a_panic_gives_its_value() {
    explores_to(
        "a_mutex_moved_after_a_panic_gives_its_value",
        BTreeSet::from([8]),
        reuse_programs::into_inner_after_a_panic_while_locked,
    );
}
