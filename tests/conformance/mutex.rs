//! `Mutex`: loom `tests/mutex.rs`, shuttle `tests/basic/mutex.rs` (the `try_lock` cases whose
//! failed branch loom does not reach yet are in `after_fixes.rs`).

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes};
use super::{Case, Difference, On, Search};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;

pub const CASES: &[Case] = &[
    Case::loom(
        "mutex.rs",
        "mutex_enforces_mutual_exclusion",
        Runs(enforces_mutual_exclusion),
        Passes,
    ),
    Case::loom(
        "mutex.rs",
        "mutex_establishes_seq_cst",
        Runs(establishes_happens_before),
        Passes,
    ),
    Case::loom("mutex.rs", "mutex_into_inner", Runs(into_inner), Passes),
    Case::shuttle("mutex.rs", "basic_lock_test", Runs(basic_lock), Passes),
    Case::shuttle(
        "mutex.rs",
        "deadlock_default",
        Runs(deadlock),
        Fails("deadlock"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mutex.rs",
        "deadlock_random",
        Runs(deadlock),
        Fails("deadlock"),
    ),
    Case::shuttle(
        "mutex.rs",
        "deadlock_pct",
        Runs(deadlock),
        Fails("deadlock"),
    )
    .search(Search::Pct(2)),
    Case::shuttle(
        "mutex.rs",
        "concurrent_increment_buggy",
        Runs(increment_in_two_critical_sections),
        Fails("racing increments"),
    )
    .search(Search::Pct(2)),
    Case::shuttle(
        "mutex.rs",
        "concurrent_increment",
        Runs(increment_in_one_critical_section),
        Passes,
    )
    .search(Search::Pct(2)),
    Case::shuttle(
        "mutex.rs",
        "unlock_yields",
        Observes(add_twice_against_double),
        Outcomes(&["2", "3", "4"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mutex.rs",
        "double_lock",
        Runs(double_lock),
        Fails("tried to acquire a Mutex it already holds"),
    )
    .differs(
        Difference::OwnSelfRelockReport,
        On::Both,
        Fails("deadlock: main wants to lock Mutex#0 at tests/conformance/mutex.rs:"),
    ),
    Case::shuttle("mutex.rs", "double_try_lock", Runs(double_try_lock), Passes),
    Case::shuttle(
        "mutex.rs",
        "panic_drop",
        Runs(panic_while_holding),
        Fails("expected panic"),
    ),
    Case::shuttle("mutex.rs", "mutex_into_inner", Runs(into_inner), Passes),
    Case::shuttle(
        "mutex.rs",
        "mutex_unfair",
        Observes(wake_order_of_two_waiters),
        Outcomes(&[
            "([0, 1], [0, 1])",
            "([0, 1], [1, 0])",
            "([1, 0], [0, 1])",
            "([1, 0], [1, 0])",
        ]),
    ),
];

/// Two threads each check, under the lock, that a counter kept beside it agrees with it.
fn enforces_mutual_exclusion() {
    let data = Arc::new((Mutex::new(0), AtomicUsize::new(0)));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let data = Arc::clone(&data);
            thread::spawn(move || {
                let mut locked = data.0.lock();
                let before = data.1.fetch_add(1, Ordering::SeqCst);
                assert_eq!(before, *locked);
                *locked += 1;
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*data.0.lock(), data.1.load(Ordering::SeqCst));
}

/// A relaxed write before an unlock is visible after the next lock (upstream uses an
/// `UnsafeCell`, which the facade does not offer; a relaxed atomic stands in for it).
fn establishes_happens_before() {
    let data = Arc::new((AtomicUsize::new(0), Mutex::new(false)));
    let writer = {
        let data = Arc::clone(&data);
        thread::spawn(move || {
            data.0.store(1, Ordering::Relaxed);
            *data.1.lock() = true;
        })
    };
    if *data.1.lock() {
        assert_eq!(data.0.load(Ordering::Relaxed), 1);
    }
    writer.join().unwrap();
}

/// Two threads each add 1 under the lock; both joined.
fn two_locked_increments() -> Arc<Mutex<i32>> {
    let lock = Arc::new(Mutex::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || *lock.lock() += 1)
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    lock
}

fn into_inner() {
    let lock = Arc::into_inner(two_locked_increments()).expect("every clone is gone");
    assert_eq!(lock.into_inner(), 2);
}

fn basic_lock() {
    let lock = Arc::new(Mutex::new(0));
    {
        let lock = Arc::clone(&lock);
        thread::spawn(move || *lock.lock() += 1);
    }
    *lock.lock() += 1;
}

/// Two threads take two locks in opposite orders.
pub fn deadlock() {
    let (a, b) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::spawn(move || {
            let _a = a.lock();
            let _b = b.lock();
        });
    }
    let _b = b.lock();
    let _a = a.lock();
}

fn increment_in_two_critical_sections() {
    let lock = Arc::new(Mutex::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || {
                let seen = *lock.lock();
                *lock.lock() = seen + 1;
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*lock.lock(), 2, "racing increments");
}

fn increment_in_one_critical_section() {
    let lock = two_locked_increments();
    assert_eq!(*lock.lock(), 2);
}

/// One thread adds 1 twice, another doubles: the doubling lands before, between or after.
fn add_twice_against_double() -> String {
    let lock = Arc::new(Mutex::new(0));
    let adder = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            *lock.lock() += 1;
            *lock.lock() += 1;
        })
    };
    let doubler = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || *lock.lock() *= 2)
    };
    adder.join().unwrap();
    doubler.join().unwrap();
    let value = *lock.lock();
    value.to_string()
}

fn double_lock() {
    let mutex = Mutex::new(());
    let _first = mutex.lock();
    let _second = mutex.lock();
}

fn double_try_lock() {
    let mutex = Mutex::new(());
    let _first = mutex.try_lock().expect("uncontended");
    assert!(mutex.try_lock().is_none());
}

fn panic_while_holding() {
    let lock = Mutex::new(0);
    let _held = lock.lock();
    panic!("expected panic");
}

/// Two threads queue on a held lock in either order and are let in in either order: the
/// pair is (the order they got the lock, the order they queued). Upstream records the queue
/// order in a std mutex, invisible to the scheduler; loom's partial-order reduction then never
/// reorders the two records, so the port records it in a facade mutex.
fn wake_order_of_two_waiters() -> String {
    let lock = Arc::new(Mutex::new(Vec::new()));
    let guard = lock.lock();
    let queued = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..2)
        .map(|id| {
            let (lock, queued) = (Arc::clone(&lock), Arc::clone(&queued));
            thread::spawn(move || {
                queued.lock().push(id);
                lock.lock().push(id);
            })
        })
        .collect();
    while queued.lock().len() < 2 {
        thread::yield_now();
    }
    drop(guard);
    for t in threads {
        t.join().unwrap();
    }
    let got = lock.lock().clone();
    let queued = queued.lock().clone();
    format!("({got:?}, {queued:?})")
}
