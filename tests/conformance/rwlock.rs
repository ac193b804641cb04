//! `RwLock`: loom `tests/rwlock.rs` and `tests/rwlock_regression1.rs`, shuttle
//! `tests/basic/rwlock.rs` (contended `try_*` cases and a `try_read` under one's own read lock,
//! which loom does not handle yet, and a recursive read, are in `after_fixes.rs`).

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes};
use super::{Case, Difference, On, Search};
use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::{Arc, RwLock};
use lockstep::thread;

const SELF_RELOCK: &str = "tried to acquire a RwLock it already holds";

/// Shuttle's `rwlock.rs::name`: `body` relocks a lock main holds; shuttle panics with its
/// message, lockstep reports it first with `report` (the row `own-self-relock-report`).
const fn self_relock(name: &'static str, body: fn(), report: &'static str) -> Case {
    Case::shuttle("rwlock.rs", name, Runs(body), Fails(SELF_RELOCK)).differs(
        Difference::OwnSelfRelockReport,
        On::Both,
        Fails(report),
    )
}

pub const CASES: &[Case] = &[
    Case::loom("rwlock.rs", "rwlock_read_one", Runs(read_one), Passes),
    Case::loom(
        "rwlock.rs",
        "rwlock_read_two_write_one",
        Runs(read_two_write_one),
        Passes,
    ),
    Case::loom("rwlock.rs", "rwlock_write_three", Runs(write_three), Passes),
    Case::loom(
        "rwlock.rs",
        "rwlock_write_then_try_write",
        Runs(write_then_try_write),
        Passes,
    ),
    Case::loom(
        "rwlock.rs",
        "rwlock_write_then_try_read",
        Runs(write_then_try_read),
        Passes,
    ),
    Case::loom(
        "rwlock.rs",
        "rwlock_read_then_try_write",
        Runs(read_then_try_write),
        Passes,
    ),
    Case::loom("rwlock.rs", "rwlock_try_read", Runs(try_read), Passes),
    Case::loom(
        "rwlock.rs",
        "rwlock_write",
        Runs(write_then_try_read),
        Passes,
    ),
    Case::loom(
        "rwlock.rs",
        "rwlock_try_write",
        Runs(read_then_try_write),
        Passes,
    ),
    Case::loom("rwlock.rs", "rwlock_into_inner", Runs(into_inner), Passes),
    Case::loom(
        "rwlock_regression1.rs",
        "rwlock_two_writers",
        Runs(two_unjoined_writers),
        Passes,
    ),
    Case::shuttle(
        "rwlock.rs",
        "reader_concurrency",
        Observes(two_readers_overlap),
        Outcomes(&["false", "true"]),
    ),
    Case::shuttle(
        "rwlock.rs",
        "deadlock_default",
        Runs(deadlock),
        Fails("deadlock"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "rwlock.rs",
        "deadlock_random",
        Runs(deadlock),
        Fails("deadlock"),
    ),
    Case::shuttle(
        "rwlock.rs",
        "deadlock_pct",
        Runs(deadlock),
        Fails("deadlock"),
    )
    .search(Search::Pct(2)),
    Case::shuttle(
        "rwlock.rs",
        "rwlock_two_writers",
        Runs(two_unjoined_writers),
        Passes,
    ),
    Case::shuttle(
        "rwlock.rs",
        "rwlock_allows_multiple_readers",
        Runs(readers_wait_for_each_other),
        Passes,
    ),
    Case::shuttle(
        "rwlock.rs",
        "rwlock_two_readers_and_one_writer_exhaustive",
        Runs(two_readers_one_writer),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle("rwlock.rs", "rwlock_into_inner", Runs(into_inner), Passes),
    Case::shuttle(
        "rwlock.rs",
        "try_lock_implies_std",
        Runs(try_success_implies_std_success),
        Passes,
    )
    .loom_bound(1),
    Case::shuttle(
        "rwlock.rs",
        "try_lock_implied_by_std",
        Runs(std_success_implies_try_success),
        Passes,
    )
    .loom_bound(1),
    self_relock(
        "double_write",
        double_write,
        "deadlock: main wants to write-lock RwLock#0 at tests/conformance/rwlock.rs:",
    ),
    self_relock(
        "read_upgrade",
        read_upgrade,
        "deadlock: main wants to write-lock RwLock#0 at tests/conformance/rwlock.rs:",
    ),
    self_relock(
        "write_downgrade",
        write_downgrade,
        "deadlock: main wants to read-lock RwLock#0 at tests/conformance/rwlock.rs:",
    ),
    Case::shuttle(
        "rwlock.rs",
        "double_try_write",
        Runs(try_write_then_try_write),
        Passes,
    ),
    Case::shuttle(
        "rwlock.rs",
        "write_try_write",
        Runs(write_then_try_write),
        Passes,
    ),
    Case::shuttle(
        "rwlock.rs",
        "try_read_upgrade",
        Runs(try_read_then_try_write),
        Passes,
    ),
    Case::shuttle(
        "rwlock.rs",
        "try_write_downgrade",
        Runs(try_write_then_try_read),
        Passes,
    ),
];

fn read_one() {
    let lock = Arc::new(RwLock::new(1));
    let held = lock.read();
    assert_eq!(*held, 1);
    let other = Arc::clone(&lock);
    thread::spawn(move || assert_eq!(*other.read(), 1))
        .join()
        .unwrap();
}

/// Two threads take the lock (writers with `spawned_write`, else readers) and yield inside,
/// while main writes and yields.
fn two_then_a_writer(spawned_write: bool) {
    let lock = Arc::new(RwLock::new(1));
    for _ in 0..2 {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            if spawned_write {
                let _write = lock.write();
                thread::yield_now();
            } else {
                let _read = lock.read();
                thread::yield_now();
            }
        });
    }
    let _write = lock.write();
    thread::yield_now();
}

fn read_two_write_one() {
    two_then_a_writer(false);
}

fn write_three() {
    two_then_a_writer(true);
}

fn write_then_try_write() {
    let lock = RwLock::new(1);
    let _write = lock.write();
    assert!(lock.try_write().is_none());
}

fn write_then_try_read() {
    let lock = RwLock::new(1);
    let mut write = lock.write();
    *write = 2;
    assert!(lock.try_read().is_none());
}

/// Upstream's `rwlock_read_then_try_write` takes a write lock first (as
/// `rwlock_write_then_try_write` does); the port takes the read lock its name says.
fn read_then_try_write() {
    let lock = RwLock::new(1);
    let read = lock.read();
    assert_eq!(*read, 1);
    assert!(lock.try_write().is_none());
}

fn try_read() {
    let lock = RwLock::new(1);
    assert_eq!(*lock.try_read().expect("uncontended"), 1);
}

fn into_inner() {
    let lock = Arc::new(RwLock::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || *lock.write() += 1)
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let lock = Arc::into_inner(lock).expect("every clone is gone");
    assert_eq!(lock.into_inner(), 2);
}

/// Two writers the main thread never joins (loom PR #135's regression).
fn two_unjoined_writers() {
    let lock = Arc::new(RwLock::new(1));
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 {
        let (lock, count) = (Arc::clone(&lock), Arc::clone(&count));
        thread::spawn(move || {
            *lock.write() += 1;
            count.fetch_add(1, Ordering::Relaxed);
            thread::yield_now();
        });
    }
}

/// Whether both threads were inside their read lock at once.
fn two_readers_overlap() -> String {
    let lock = Arc::new(RwLock::new(0));
    let inside = Arc::new(AtomicUsize::new(0));
    let reader = |lock: &RwLock<i32>, inside: &AtomicUsize| {
        let value = lock.read();
        assert_eq!(*value, 0);
        inside.fetch_add(1, Ordering::SeqCst);
        thread::yield_now();
        let both = inside.load(Ordering::SeqCst) == 2;
        inside.fetch_sub(1, Ordering::SeqCst);
        both
    };
    let other = {
        let (lock, inside) = (Arc::clone(&lock), Arc::clone(&inside));
        thread::spawn(move || reader(&lock, &inside))
    };
    let here = reader(&lock, &inside);
    let there = other.join().unwrap();
    (here || there).to_string()
}

/// One thread reads both locks while the other writes both, in the opposite order.
fn deadlock() {
    let (a, b) = (Arc::new(RwLock::new(0)), Arc::new(RwLock::new(0)));
    {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::spawn(move || {
            let _a = a.read();
            let _b = b.read();
        });
    }
    let _b = b.write();
    let _a = a.write();
}

/// Each reader holds its read lock until it sees the other inside too (upstream hands values
/// over channels, which the facade does not offer yet; flags and `yield_now` stand in, so the
/// search is random, not upstream's DFS, which would follow a spin loop forever).
fn readers_wait_for_each_other() {
    let lock = Arc::new(RwLock::new(1));
    let inside = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
    let threads: Vec<_> = (0..2)
        .map(|me| {
            let (lock, inside) = (Arc::clone(&lock), Arc::clone(&inside));
            thread::spawn(move || {
                let value = lock.read();
                inside[me].store(true, Ordering::SeqCst);
                while !inside[1 - me].load(Ordering::SeqCst) {
                    thread::yield_now();
                }
                assert_eq!(*value, 1);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn two_readers_one_writer() {
    let lock = Arc::new(RwLock::new(1));
    for _ in 0..2 {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            let value = lock.read();
            thread::yield_now();
            assert!(*value > 0);
        });
    }
    *lock.write() += 1;
}

/// Three threads try to read and write three times; whenever the facade's `try_*` succeeds,
/// std's succeeds on a reference lock too.
fn try_success_implies_std_success() {
    let lock = Arc::new(RwLock::new(()));
    let reference = Arc::new(std::sync::RwLock::new(()));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (lock, reference) = (Arc::clone(&lock), Arc::clone(&reference));
            thread::spawn(move || {
                for _ in 0..3 {
                    if lock.try_read().is_some() {
                        assert!(reference.try_read().is_ok());
                    }
                    if lock.try_write().is_some() {
                        assert!(reference.try_write().is_ok());
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// The converse: whenever std's `try_*` succeeds on the reference lock (and stays held), the
/// facade's succeeds too.
fn std_success_implies_try_success() {
    let lock = Arc::new(RwLock::new(()));
    let reference = Arc::new(std::sync::RwLock::new(()));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (lock, reference) = (Arc::clone(&lock), Arc::clone(&reference));
            thread::spawn(move || {
                for _ in 0..3 {
                    if let Ok(_read) = reference.try_read() {
                        assert!(lock.try_read().is_some());
                    }
                    if let Ok(_write) = reference.try_write() {
                        assert!(lock.try_write().is_some());
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn double_write() {
    let lock = RwLock::new(());
    let _first = lock.write();
    let _second = lock.write();
}

fn read_upgrade() {
    let lock = RwLock::new(());
    let _read = lock.read();
    let _write = lock.write();
}

fn write_downgrade() {
    let lock = RwLock::new(());
    let _write = lock.write();
    let _read = lock.read();
}

fn try_write_then_try_write() {
    let lock = RwLock::new(());
    let _first = lock.try_write().expect("uncontended");
    assert!(lock.try_write().is_none());
}

fn try_read_then_try_write() {
    let lock = RwLock::new(());
    let _read = lock.try_read().expect("uncontended");
    assert!(lock.try_write().is_none());
}

fn try_write_then_try_read() {
    let lock = RwLock::new(());
    let _write = lock.try_write().expect("uncontended");
    assert!(lock.try_read().is_none());
}
