//! `Barrier`: shuttle `tests/basic/barrier.rs` (loom has no barrier tests). The
//! nondeterministic-leader cases collect each execution's leaders, in the order they were
//! recorded, and assert the full set: every ordered choice of one leader per generation.

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes};
use super::{Case, Search};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::mpsc::channel;
use lockstep::sync::{Arc, Barrier, Mutex};
use lockstep::thread;

pub const CASES: &[Case] = &[
    Case::shuttle(
        "barrier.rs",
        "barrier_simple",
        Runs(counter_stays_near_start),
        Passes,
    )
    .search(Search::Dfs)
    .loom_bound(1),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_many_ok",
        Runs(four_at_four),
        Passes,
    )
    .loom_bound(1),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_many_block",
        Runs(three_at_four),
        Fails("deadlock"),
    ),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_one_thread",
        Runs(one_at_one),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_reuse_one",
        Runs(reuse_barrier_of_one),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_reuse_zero",
        Runs(reuse_barrier_of_zero),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_reuse_different_thread",
        Runs(reuse_on_another_thread),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_nondeterministic_leader_1",
        Observes(leaders_of_batches_of_one),
        Outcomes(&[
            "[0, 1, 2, 3]",
            "[0, 1, 3, 2]",
            "[0, 2, 1, 3]",
            "[0, 2, 3, 1]",
            "[0, 3, 1, 2]",
            "[0, 3, 2, 1]",
            "[1, 0, 2, 3]",
            "[1, 0, 3, 2]",
            "[1, 2, 0, 3]",
            "[1, 2, 3, 0]",
            "[1, 3, 0, 2]",
            "[1, 3, 2, 0]",
            "[2, 0, 1, 3]",
            "[2, 0, 3, 1]",
            "[2, 1, 0, 3]",
            "[2, 1, 3, 0]",
            "[2, 3, 0, 1]",
            "[2, 3, 1, 0]",
            "[3, 0, 1, 2]",
            "[3, 0, 2, 1]",
            "[3, 1, 0, 2]",
            "[3, 1, 2, 0]",
            "[3, 2, 0, 1]",
            "[3, 2, 1, 0]",
        ]),
    )
    .loom_bound(3),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_nondeterministic_leader_2",
        Observes(leaders_of_batches_of_two),
        Outcomes(&[
            "[0, 1]", "[0, 2]", "[0, 3]", "[1, 0]", "[1, 2]", "[1, 3]", "[2, 0]", "[2, 1]",
            "[2, 3]", "[3, 0]", "[3, 1]", "[3, 2]",
        ]),
    ),
    Case::shuttle(
        "barrier.rs",
        "barrier_test_nondeterministic_leader_4",
        Observes(leaders_of_one_batch_of_four),
        Outcomes(&["[0]", "[1]", "[2]", "[3]"]),
    ),
];

/// An incrementer and a decrementer, each pausing at the barrier after every step: the
/// counter never strays more than one from 100.
fn counter_stays_near_start() {
    let barrier = Arc::new(Barrier::new(2));
    let counter = Arc::new(AtomicUsize::new(100));
    {
        let (barrier, counter) = (Arc::clone(&barrier), Arc::clone(&counter));
        thread::spawn(move || {
            for _ in 0..5 {
                assert!((99..=100).contains(&counter.fetch_add(1, Ordering::SeqCst)));
                barrier.wait();
            }
        });
    }
    thread::spawn(move || {
        for _ in 0..5 {
            assert!((100..=101).contains(&counter.fetch_sub(1, Ordering::SeqCst)));
            barrier.wait();
        }
    });
}

/// std's barrier test, generalised: `n` threads (main included) wait at a barrier of `c`;
/// exactly one reports being the leader.
fn barrier_test(n: usize, c: usize) {
    let barrier = Arc::new(Barrier::new(c));
    let (tx, rx) = channel();
    let handles: Vec<_> = (0..n - 1)
        .map(|_| {
            let (barrier, tx) = (Arc::clone(&barrier), tx.clone());
            thread::spawn(move || tx.send(barrier.wait().is_leader()).unwrap())
        })
        .collect();
    let mut leader_found = barrier.wait().is_leader();
    for _ in 0..n - 1 {
        if rx.recv().unwrap() {
            assert!(!leader_found);
            leader_found = true;
        }
    }
    assert!(leader_found);
    for handle in handles {
        handle.join().unwrap();
    }
}

fn four_at_four() {
    barrier_test(4, 4);
}

fn three_at_four() {
    barrier_test(3, 4);
}

fn one_at_one() {
    barrier_test(1, 1);
}

/// A barrier of `n` (0 or 1) makes every waiter its own generation's leader.
fn reuse_barrier_of(n: usize) {
    let barrier = Barrier::new(n);
    for _ in 0..5 {
        assert!(barrier.wait().is_leader());
    }
}

fn reuse_barrier_of_one() {
    reuse_barrier_of(1);
}

fn reuse_barrier_of_zero() {
    reuse_barrier_of(0);
}

fn reuse_on_another_thread() {
    let barrier = Barrier::new(1);
    assert!(barrier.wait().is_leader());
    thread::spawn(move || assert!(barrier.wait().is_leader()))
        .join()
        .unwrap();
}

/// Four threads wait at a barrier of `batch`; each generation's leader records its index.
fn leaders(batch: usize) -> String {
    let barrier = Arc::new(Barrier::new(batch));
    let leaders = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (barrier, leaders) = (Arc::clone(&barrier), Arc::clone(&leaders));
            thread::spawn(move || {
                if barrier.wait().is_leader() {
                    leaders.lock().push(i);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let leaders = leaders.lock();
    assert_eq!(leaders.len(), 4 / batch, "one leader per generation");
    format!("{:?}", *leaders)
}

fn leaders_of_batches_of_one() -> String {
    leaders(1)
}

fn leaders_of_batches_of_two() -> String {
    leaders(2)
}

fn leaders_of_one_batch_of_four() -> String {
    leaders(4)
}
