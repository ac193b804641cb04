//! The cases that waited for the fixes of issue 17: a contended `try_lock` / `try_read` /
//! `try_write` that can fail under loom; `notify_one` waking any waiter; poison-freedom under
//! loom; one rule for a `try_read` or a second `read` under one's own read lock; the PCT
//! warning for a body that spawns no thread. Both runners include them (`after_fixes` tests).

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes, Warns};
use super::{Case, Difference, On, Search};
use lockstep::sync::{Arc, Condvar, Mutex, RwLock};
use lockstep::thread;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const CASES: &[Case] = &[
    // Contended `try_*` under loom never fails today.
    Case::shuttle(
        "mutex.rs",
        "concurrent_try_increment",
        Observes(two_try_lock_increments),
        Outcomes(&["1", "2"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "mutex.rs",
        "concurrent_lock_try_lock",
        Observes(lock_against_two_try_locks),
        Outcomes(&["1", "2", "3", "4"]),
    )
    .search(Search::Dfs)
    .loom_bound(3),
    Case::shuttle(
        "mutex.rs",
        "mutex_rwlock_interaction",
        Observes(mutex_rwlock_interaction),
        Outcomes(&["11", "12", "17", "6", "7", "9"]),
    )
    .search(Search::Dfs)
    // 11 needs the `try_lock` after the doubler's `yield_now` and doubling (on a std mutex,
    // which loom does not see) and before its release: three preemptions under loom.
    .loom_bound(3),
    Case::shuttle(
        "rwlock.rs",
        "concurrent_try_increment",
        Observes(two_try_write_increments),
        Outcomes(&["1", "2"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "rwlock.rs",
        "concurrent_write_try_write_try_read",
        Observes(write_try_write_try_read),
        Outcomes(&[
            "(1, None)",
            "(1, Some(0))",
            "(1, Some(1))",
            "(2, None)",
            "(2, Some(0))",
            "(2, Some(1))",
            "(2, Some(2))",
            "(3, None)",
            "(3, Some(0))",
            "(3, Some(1))",
            "(3, Some(3))",
            "(4, None)",
            "(4, Some(0))",
            "(4, Some(1))",
            "(4, Some(2))",
            "(4, Some(3))",
            "(4, Some(4))",
        ]),
    )
    .search(Search::Dfs)
    .loom_bound(4),
    // A `try_read` under one's own read lock succeeds under lockstep on both backends (no
    // writer is queued; as std's does), where upstream's assertion wants it to fail.
    Case::shuttle(
        "rwlock.rs",
        "read_try_read",
        Runs(read_then_try_read),
        Passes,
    )
    .differs(
        Difference::RecursiveRead,
        On::Both,
        Fails("assertion failed: lock.try_read().is_none()"),
    ),
    Case::shuttle(
        "rwlock.rs",
        "double_try_read",
        Runs(try_read_then_try_read),
        Passes,
    )
    .differs(
        Difference::RecursiveRead,
        On::Both,
        Fails("assertion failed: lock.try_read().is_none()"),
    ),
    // A second `read` under one's own read lock: shuttle reports it with its own message;
    // lockstep lets it through (no writer is queued).
    Case::shuttle(
        "rwlock.rs",
        "double_read",
        Runs(double_read),
        Fails("tried to acquire a RwLock it already holds"),
    )
    .differs(Difference::RecursiveRead, On::Both, Passes),
    // `notify_one` may wake either waiter. By DFS, as upstream: lockstep's DFS reaches the
    // failing execution at its 4,075th, within the runner's DFS budget of 5,000.
    Case::shuttle(
        "condvar.rs",
        "notify_one_order",
        Runs(notify_one_wakes_the_second_waiter),
        Fails("found the failing execution"),
    )
    .search(Search::Dfs),
    // A panic while holding a lock leaves it usable (under loom too).
    Case::shuttle(
        "panic.rs",
        "mutex_poison",
        Runs(mutex_poison),
        Fails("PoisonError"),
    )
    .differs(Difference::PoisonFree, On::Both, Passes),
    Case::shuttle(
        "panic.rs",
        "rwlock_poison",
        Runs(rwlock_poison),
        Fails("PoisonError"),
    )
    .differs(Difference::PoisonFree, On::Both, Passes),
    Case::shuttle(
        "panic.rs",
        "mutex_lock_while_holder_panics",
        Runs(mutex_lock_while_holder_panics),
        Passes,
    )
    .search(Search::Dfs)
    .differs(Difference::PoisonFree, On::Both, Passes),
    Case::shuttle(
        "panic.rs",
        "rwlock_lock_while_holder_panics",
        Runs(rwlock_lock_while_holder_panics),
        Passes,
    )
    .search(Search::Dfs)
    .differs(Difference::PoisonFree, On::Both, Passes),
    Case::shuttle(
        "panic.rs",
        "into_inner_of_poisoned_lock",
        Runs(into_inner_after_panic),
        Passes,
    )
    .differs(Difference::PoisonFree, On::Both, Passes),
    // A body that spawns no thread passes with lockstep's warning (shuttle fails it).
    Case::shuttle(
        "pct.rs",
        "no_concurrency",
        Runs(|| {}),
        Fails("test closure did not exercise any concurrency"),
    )
    .search(Search::Pct(2))
    .differs(
        Difference::NoConcurrencyWarning,
        On::Both,
        Warns("the test exercised no concurrency"),
    ),
];

/// Two threads each add 1 with `try_increment` (a `try_lock` / `try_write`): the final value.
fn two_try_increments<L: Send + Sync + 'static>(
    lock: L,
    try_increment: fn(&L, i32),
    value: fn(&L) -> i32,
) -> String {
    let lock = Arc::new(lock);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || try_increment(&lock, 1))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    value(&lock).to_string()
}

/// A thread adds 1 with `increment` (a plain lock) while another tries to add 1, then 2, with
/// `try_increment`; `observe` may look from main meanwhile. The final value and what
/// `observe` saw.
fn lock_against_two_tries<L: Send + Sync + 'static, T>(
    lock: L,
    increment: fn(&L),
    try_increment: fn(&L, i32),
    observe: fn(&L) -> T,
    value: fn(&L) -> i32,
) -> (i32, T) {
    let lock = Arc::new(lock);
    let locker = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || increment(&lock))
    };
    let trier = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            for n in 1..3 {
                try_increment(&lock, n);
            }
        })
    };
    let seen = observe(&lock);
    locker.join().unwrap();
    trier.join().unwrap();
    (value(&lock), seen)
}

fn try_lock_add(lock: &Mutex<i32>, n: i32) {
    if let Some(mut guard) = lock.try_lock() {
        *guard += n;
    }
}

fn try_write_add(lock: &RwLock<i32>, n: i32) {
    if let Some(mut guard) = lock.try_write() {
        *guard += n;
    }
}

fn two_try_lock_increments() -> String {
    two_try_increments(Mutex::new(0), try_lock_add, |lock| *lock.lock())
}

fn lock_against_two_try_locks() -> String {
    let (value, ()) = lock_against_two_tries(
        Mutex::new(0),
        |lock| *lock.lock() += 1,
        try_lock_add,
        |_| (),
        |lock| *lock.lock(),
    );
    value.to_string()
}

fn two_try_write_increments() -> String {
    two_try_increments(RwLock::new(0), try_write_add, |lock| *lock.read())
}

/// `(final value, what main's try_read saw)` with a writer and two `try_write`s racing it.
fn write_try_write_try_read() -> String {
    let outcome = lock_against_two_tries(
        RwLock::new(0),
        |lock| *lock.write() += 1,
        try_write_add,
        |lock| lock.try_read().map(|guard| *guard),
        |lock| *lock.read(),
    );
    format!("{outcome:?}")
}

/// Shuttle's `mutex_rwlock_interaction`: +1, then +2 if a `try_lock` under a write lock
/// succeeds (else +6), then +3, against a doubling under the mutex.
fn mutex_rwlock_interaction() -> String {
    let lock = Arc::new(Mutex::new(()));
    let rwlock = Arc::new(RwLock::new(()));
    let value = Arc::new(std::sync::Mutex::new(0));
    let adder = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        thread::spawn(move || {
            {
                let _guard = lock.lock();
                *value.lock().unwrap() += 1;
            }
            {
                let _write = rwlock.write();
                if let Some(_guard) = lock.try_lock() {
                    *value.lock().unwrap() += 2;
                } else {
                    *value.lock().unwrap() += 6;
                }
            }
            let _guard = lock.lock();
            *value.lock().unwrap() += 3;
        })
    };
    let doubler = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        thread::spawn(move || {
            let _guard = lock.lock();
            thread::yield_now(); // the std mutex is invisible to the scheduler
            *value.lock().unwrap() *= 2;
        })
    };
    adder.join().unwrap();
    doubler.join().unwrap();
    let value = *value.lock().unwrap();
    value.to_string()
}

/// Upstream: the second `try_read` fails (lockstep's succeeds: no writer is queued).
fn read_then_try_read() {
    let lock = RwLock::new(());
    let _read = lock.read();
    assert!(lock.try_read().is_none());
}

fn try_read_then_try_read() {
    let lock = RwLock::new(());
    let _read = lock.try_read().expect("uncontended");
    assert!(lock.try_read().is_none());
}

fn double_read() {
    let lock = RwLock::new(());
    let _first = lock.read();
    let _second = lock.read();
}

/// Thread 1 queues on `cond` before thread 2 (a sequencer condvar orders them); one
/// `notify_one` may wake thread 2, which sets 20.
fn notify_one_wakes_the_second_waiter() {
    let shared = Arc::new((Mutex::new(0u8), Condvar::new(), Condvar::new()));
    let waiter = |turn: u8, done: u8| {
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            let (lock, cond, sequencer) = &*shared;
            let mut state = lock.lock();
            while *state != turn {
                state = sequencer.wait(state);
            }
            *state = turn + 1;
            sequencer.notify_all();
            while *state < 5 {
                state = cond.wait(state);
            }
            *state = done;
        });
    };
    waiter(1, 10);
    waiter(3, 20);
    let (lock, cond, sequencer) = &*shared;
    let mut state = lock.lock();
    for (set, until) in [(1, 2), (3, 4)] {
        *state = set;
        sequencer.notify_all();
        while *state != until {
            state = sequencer.wait(state);
        }
    }
    *state = 5;
    cond.notify_one();
    drop(state);
    assert_ne!(*lock.lock(), 20, "found the failing execution");
    cond.notify_one();
}

/// A thread panics holding a lock (taken and released by `hold`, which runs its closure
/// in between) while main holds another; upstream then gets a `PoisonError`, lockstep the
/// lock.
fn usable_after_a_panic_inside<L: Send + Sync + 'static>(
    new: fn() -> L,
    hold: fn(&L, &mut dyn FnMut()),
) {
    let lock = Arc::new(new());
    let other = new();
    hold(&other, &mut || {
        let panicking = Arc::clone(&lock);
        thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                hold(&panicking, &mut || panic!("expected"))
            }))
            .unwrap_err();
        })
        .join()
        .unwrap();
        hold(&lock, &mut || {});
    });
    hold(&other, &mut || {});
}

fn mutex_poison() {
    usable_after_a_panic_inside(
        || Mutex::new(()),
        |lock, inside| {
            let _guard = lock.lock();
            inside();
        },
    );
}

fn rwlock_poison() {
    usable_after_a_panic_inside(
        || RwLock::new(()),
        |lock, inside| {
            let _guard = lock.write();
            inside();
        },
    );
}

/// Main locks while the holder panics holding the lock: main gets it in every interleaving
/// (upstream: poisoned or not by the order; lockstep: never poisoned).
fn mutex_lock_while_holder_panics() {
    let lock = Arc::new(Mutex::new(0));
    let holder = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                let _guard = lock.lock();
                thread::yield_now();
                panic!("expected");
            }))
            .unwrap_err();
        })
    };
    *lock.lock() += 1;
    holder.join().unwrap();
    assert_eq!(*lock.lock(), 1);
}

fn rwlock_lock_while_holder_panics() {
    let lock = Arc::new(RwLock::new(0));
    let holder = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                let _guard = lock.write();
                thread::yield_now();
                panic!("expected");
            }))
            .unwrap_err();
        })
    };
    let reader = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || drop(lock.read()))
    };
    *lock.write() += 1;
    holder.join().unwrap();
    reader.join().unwrap();
    assert_eq!(*lock.read(), 1);
}

fn into_inner_after_panic() {
    let mutex = Arc::new(Mutex::new(1));
    let rwlock = Arc::new(RwLock::new(2));
    {
        let (mutex, rwlock) = (Arc::clone(&mutex), Arc::clone(&rwlock));
        thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                let _m = mutex.lock();
                let _r = rwlock.write();
                panic!("expected");
            }))
            .unwrap_err();
        })
        .join()
        .unwrap();
    }
    let mutex = Arc::into_inner(mutex).expect("the only clone");
    assert_eq!(mutex.into_inner(), 1);
    let rwlock = Arc::into_inner(rwlock).expect("the only clone");
    assert_eq!(rwlock.into_inner(), 2);
}
