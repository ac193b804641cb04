//! Atomic operations in the trace under shuttle and loom (one file: only the explorer
//! differs): a lock-free check-then-act bug fails with a trace that shows each thread's loads,
//! stores and read-modify-writes with their values; every operation kind appears with its
//! values; with the trace off nothing is recorded. That the recording adds no loom execution
//! is `tests/loom_vs_raw.rs`'s "atomics of every kind" pair.
#![cfg(any(loom, feature = "shuttle"))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::Arc;
use lockstep::thread;
use std::collections::BTreeSet;

/// Shuttle: random schedules from a fixed seed.
#[cfg(feature = "shuttle")]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Random).seed(5).iterations(200)
}

/// Loom: every interleaving up to 2 preemptions.
#[cfg(loom)]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
}

/// Two threads claim a slot by load-then-store (not a compare-exchange): both can see it empty,
/// and both count themselves winners.
fn check_then_act_claim() {
    let slot = Arc::new(AtomicUsize::new(0));
    let winners = Arc::new(AtomicUsize::new(0));
    let claimers: Vec<_> = (1..=2)
        .map(|id| {
            let (slot, winners) = (Arc::clone(&slot), Arc::clone(&winners));
            thread::spawn(move || {
                if slot.load(Ordering::Acquire) == 0 {
                    slot.store(id, Ordering::Release);
                    winners.fetch_add(1, Ordering::AcqRel);
                }
            })
        })
        .collect();
    for claimer in claimers {
        claimer.join().unwrap();
    }
    assert_eq!(winners.load(Ordering::Acquire), 1, "two winners");
}

/// The trace's rows whose event column is `atomic <word>`, as (thread, rest of the row).
fn atomic_rows<'a>(trace: &'a str, word: &str) -> Vec<(&'a str, Vec<&'a str>)> {
    trace
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.windows(2).position(|pair| pair == ["atomic", word])?;
            Some((words[at - 1], words[at + 2..].to_vec()))
        })
        .collect()
}

#[test]
fn a_lock_free_check_then_act_bug_fails_with_the_atomic_rows_in_the_trace() {
    let failure = explorer()
        .run(check_then_act_claim)
        .expect_err("both claimers can win");
    assert!(
        failure.message.contains("two winners"),
        "{}",
        failure.message
    );
    let trace = &failure.trace;
    // The slot is the first atomic accessed, the counter the second; both claimers saw the
    // slot empty, both stored their id, and the second increment took the count from 1 to 2.
    let loads: BTreeSet<_> = atomic_rows(trace, "load")
        .into_iter()
        .filter(|(_, rest)| rest[0] == "AtomicUsize#1")
        .collect();
    assert_eq!(
        loads,
        BTreeSet::from([
            ("thread-1", vec!["AtomicUsize#1", "0"]),
            ("thread-2", vec!["AtomicUsize#1", "0"]),
        ]),
        "{trace}"
    );
    let stores: BTreeSet<_> = atomic_rows(trace, "store").into_iter().collect();
    assert_eq!(
        stores,
        BTreeSet::from([
            ("thread-1", vec!["AtomicUsize#1", "1"]),
            ("thread-2", vec!["AtomicUsize#1", "2"]),
        ]),
        "{trace}"
    );
    let increments: Vec<_> = atomic_rows(trace, "fetch_add")
        .into_iter()
        .map(|(_, rest)| rest.join(" "))
        .collect();
    assert_eq!(
        increments,
        ["AtomicUsize#2 1 (0 -> 1)", "AtomicUsize#2 1 (1 -> 2)"],
        "{trace}"
    );
    assert_eq!(
        atomic_rows(trace, "load").last(),
        Some(&("main", vec!["AtomicUsize#2", "2"])),
        "{trace}"
    );
}

#[test]
fn every_kind_of_atomic_operation_is_traced_with_its_values() {
    let failure = explorer()
        .run(|| {
            let counter = AtomicUsize::new(3);
            let flag = AtomicBool::new(false);
            counter.store(4, Ordering::Release);
            counter.fetch_add(2, Ordering::AcqRel);
            assert_eq!(counter.load(Ordering::Acquire), 6);
            assert_eq!(
                counter.compare_exchange(6, 7, Ordering::AcqRel, Ordering::Acquire),
                Ok(6)
            );
            assert_eq!(
                counter.compare_exchange_weak(1, 2, Ordering::AcqRel, Ordering::Acquire),
                Err(7)
            );
            assert!(!flag.swap(true, Ordering::AcqRel));
            assert_eq!(
                counter.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| v.checked_sub(10)),
                Err(7)
            );
            assert_eq!(
                counter.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| Some(v * 2)),
                Ok(7)
            );
            panic!("done");
        })
        .unwrap_err();
    let rows: Vec<String> = failure
        .trace
        .lines()
        .filter_map(|line| {
            line.split_once("main")
                .map(|(_, rest)| rest.trim().to_owned())
        })
        .filter(|rest| rest.starts_with("atomic"))
        .map(|rest| rest.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows,
        [
            "atomic store AtomicUsize#1 4",
            "atomic fetch_add AtomicUsize#1 2 (4 -> 6)",
            "atomic load AtomicUsize#1 6",
            "atomic compare_exchange AtomicUsize#1 6 -> 7 ok",
            "atomic compare_exchange AtomicUsize#1 1 -> 2 failed, found 7",
            "atomic swap AtomicBool#2 true (false -> true)",
            "atomic fetch_update AtomicUsize#1 declined at 7",
            "atomic fetch_update AtomicUsize#1 7 -> 14",
        ],
        "{}",
        failure.trace
    );
}

#[test]
fn with_the_trace_off_no_atomic_is_recorded() {
    let failure = explorer()
        .trace(false)
        .run(check_then_act_claim)
        .expect_err("the bug is still found");
    assert!(
        failure.message.contains("two winners"),
        "{}",
        failure.message
    );
    assert!(!failure.trace.contains("atomic"), "{}", failure.trace);
}
