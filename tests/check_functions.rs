//! The `lockstep::check` entry points on every backend: under shuttle and loom each explores
//! and panics with the failure's report; under std each runs the body once.

use lockstep::sync::{Arc, Mutex};
#[cfg(any(loom, feature = "shuttle"))]
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Two threads increment a counter by reading it and writing it back in two critical
/// sections: an update can be lost.
#[cfg(any(loom, feature = "shuttle"))]
fn racy_increments() {
    let counter = Arc::new(Mutex::named("counter", 0));
    let other = {
        let counter = Arc::clone(&counter);
        lockstep::thread::spawn(move || {
            let seen = *counter.lock();
            *counter.lock() = seen + 1;
        })
    };
    let seen = *counter.lock();
    *counter.lock() = seen + 1;
    other.join().unwrap();
    assert_eq!(*counter.lock(), 2, "lost update");
}

fn correct_increments() {
    let counter = Arc::new(Mutex::named("counter", 0));
    let other = {
        let counter = Arc::clone(&counter);
        lockstep::thread::spawn(move || *counter.lock() += 1)
    };
    *counter.lock() += 1;
    other.join().unwrap();
    assert_eq!(*counter.lock(), 2);
}

#[cfg(any(loom, feature = "shuttle"))]
fn report_of(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the check fails");
    lockstep::panic_message(&*payload)
}

#[test]
fn every_check_passes_a_correct_body() {
    lockstep::check::check(correct_increments);
    lockstep::check::check_random(correct_increments, 50);
    lockstep::check::check_pct(correct_increments, 50, 2);
    lockstep::check::check_pos(correct_increments, 50);
    lockstep::check::check_dfs(correct_increments, 50);
    lockstep::check::check_exhaustive(correct_increments, 2);
}

#[cfg(any(loom, feature = "shuttle"))]
#[test]
fn every_check_finds_the_lost_update_and_reports_it_with_its_trace() {
    let reports = [
        report_of(|| lockstep::check::check(racy_increments)),
        report_of(|| lockstep::check::check_random(racy_increments, 1000)),
        report_of(|| lockstep::check::check_pct(racy_increments, 1000, 2)),
        report_of(|| lockstep::check::check_pos(racy_increments, 1000)),
        report_of(|| lockstep::check::check_dfs(racy_increments, 1000)),
        report_of(|| lockstep::check::check_exhaustive(racy_increments, 2)),
    ];
    for report in reports {
        assert!(report.contains("found a failure"), "{report}");
        assert!(report.contains("lost update"), "{report}");
        assert!(report.contains("step  time  thread"), "{report}");
    }
}

#[cfg(feature = "shuttle")]
#[test]
fn each_shuttle_check_says_which_strategy_found_it() {
    let pct = report_of(|| lockstep::check::check_pct(racy_increments, 1000, 3));
    assert!(pct.starts_with("lockstep: pct-3 found a failure"), "{pct}");
    let dfs = report_of(|| lockstep::check::check_dfs(racy_increments, 1000));
    assert!(dfs.starts_with("lockstep: dfs found a failure"), "{dfs}");
}

#[cfg(not(any(loom, feature = "shuttle")))]
#[test]
fn under_std_a_check_runs_the_body_exactly_once() {
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&runs);
    lockstep::check::check_random(
        move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        },
        1000,
    );
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
}
