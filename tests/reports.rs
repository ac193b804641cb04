//! Failure reports under shuttle and loom (one file: only the explorer differs): RwLock
//! deadlocks say read or write, lock-order reports say "requested" for an acquisition that was
//! only requested, and a failing trace ends with the failing request.
#![cfg(any(loom, feature = "shuttle"))]

mod report_programs;

use lockstep::explore::{Explorer, Failure, Strategy};

/// Shuttle: 500 random schedules from a fixed seed.
#[cfg(feature = "shuttle")]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Random).seed(1).iterations(500)
}

/// Loom: every interleaving up to 2 preemptions.
#[cfg(loom)]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
}

fn failure(explorer: Explorer) -> Failure {
    explorer
        .run(report_programs::rwlock_read_write_deadlock)
        .expect_err("the program can deadlock")
}

#[test]
fn an_rwlock_deadlock_report_says_read_or_write_and_its_trace_ends_with_the_request() {
    let failure = failure(explorer().lock_order_graph(false));
    let lines: Vec<&str> = failure.message.lines().collect();
    assert_eq!(
        lines[1..],
        [
            "  main    waits to join reader",
            "  reader  waits to write-lock RwLock \"B\", held by writer for writing",
            "  writer  waits to write-lock RwLock \"A\", held by reader for reading",
        ],
        "{}",
        failure.message
    );
    let last = failure.trace.lines().last().unwrap();
    assert!(
        last.contains("wait write") && last.contains("RwLock"),
        "{}",
        failure.trace
    );
}

#[test]
fn a_lock_order_report_says_requested_and_its_trace_ends_with_the_refused_request() {
    let failure = failure(explorer());
    assert!(
        failure.message.starts_with("potential deadlock"),
        "{}",
        failure.message
    );
    assert!(!failure.message.contains("took it"), "{}", failure.message);
    assert_eq!(
        failure.message.matches(" requested it at ").count(),
        2,
        "{}",
        failure.message
    );
    let last = failure.trace.lines().last().unwrap();
    assert!(
        last.contains("request") && last.ends_with("refused: potential deadlock"),
        "{}",
        failure.trace
    );
}
