//! Whole-program checks: loom `tests/deadlock.rs`, `tests/yield.rs`; shuttle
//! `tests/basic/pct.rs` (PCT's paper figures, with `sleep`s as upstream's yield points) and
//! `tests/basic/dfs.rs` (execution counts of an exhaustive search).

use super::Body::Runs;
use super::Expect::{Executions, Fails, Passes};
use super::{Case, Difference, On, Search};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;
use lockstep::time::{sleep, Duration};

pub const CASES: &[Case] = &[
    Case::loom(
        "deadlock.rs",
        "two_mutexes_deadlock",
        Runs(two_mutexes),
        Fails("deadlock"),
    ),
    Case::loom(
        "yield.rs",
        "yield_completes",
        Runs(yield_until_stored),
        Passes,
    ),
    Case::shuttle("pct.rs", "figure5_random", Runs(figure5), Passes),
    Case::shuttle(
        "pct.rs",
        "figure5_pct",
        Runs(figure5),
        Fails("thread 1 ran to completion"),
    )
    .search(Search::Pct(1))
    .differs(Difference::VirtualTime, On::Both, Passes),
    Case::shuttle("pct.rs", "one_step", Runs(one_step), Passes).search(Search::Pct(2)),
    Case::shuttle(
        "pct.rs",
        "yield_spin_loop_fair",
        Runs(spin_with_yield),
        Passes,
    )
    .search(Search::Pct(1)),
    Case::shuttle(
        "pct.rs",
        "yield_spin_loop_unfair",
        Runs(spin_with_sleep),
        Fails("exceeded max_steps bound"),
    )
    .search(Search::Pct(1))
    .loom_bound(1)
    .differs(Difference::VirtualTime, On::Both, Passes),
    Case::shuttle(
        "pct.rs",
        "figure1a_pct",
        Runs(figure1a),
        Fails("null dereference"),
    )
    .search(Search::Pct(1)),
    Case::shuttle(
        "pct.rs",
        "figure1b_pct",
        Runs(figure1b),
        Fails("null dereference"),
    )
    .search(Search::Pct(2))
    .differs(Difference::VirtualTime, On::Both, Passes),
    Case::shuttle("pct.rs", "figure_1c", Runs(figure1c), Fails("deadlock")).search(Search::Pct(2)),
    Case::shuttle("dfs.rs", "trivial_one_thread", Runs(|| {}), Executions(1))
        .search(Search::Dfs)
        .differs(Difference::OwnDfsCounts, On::Loom, Passes),
    Case::shuttle(
        "dfs.rs",
        "trivial_two_threads",
        Runs(spawn_nothing),
        Executions(2),
    )
    .search(Search::Dfs)
    .differs(Difference::OwnDfsCounts, On::Loom, Passes),
    Case::shuttle(
        "dfs.rs",
        "two_threads",
        Runs(two_threads_lock),
        Executions(15),
    )
    .search(Search::Dfs)
    .differs(Difference::OwnDfsCounts, On::Loom, Passes),
    Case::shuttle(
        "dfs.rs",
        "yield_loop_one_thread",
        Runs(one_thread_yields),
        Executions(6),
    )
    .search(Search::Dfs)
    .differs(Difference::OwnDfsCounts, On::Loom, Passes),
    Case::shuttle(
        "dfs.rs",
        "yield_loop_two_threads",
        Runs(two_threads_yield),
        Executions(252),
    )
    .search(Search::Dfs)
    .differs(Difference::OwnDfsCounts, On::Loom, Passes),
];

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn sleeps(n: usize) {
    for _ in 0..n {
        sleep(ms(1));
    }
}

fn two_mutexes() {
    let (a, b) = (Arc::new(Mutex::new(1)), Arc::new(Mutex::new(2)));
    let first = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::spawn(move || {
            let a = a.lock();
            let b = b.lock();
            assert_eq!(*a + *b, 3);
        })
    };
    let second = thread::spawn(move || {
        let b = b.lock();
        let a = a.lock();
        assert_eq!(*a + *b, 3);
    });
    first.join().unwrap();
    second.join().unwrap();
}

fn yield_until_stored() {
    let stored = Arc::new(AtomicUsize::new(0));
    {
        let stored = Arc::clone(&stored);
        thread::spawn(move || stored.store(1, Ordering::Relaxed));
    }
    while stored.load(Ordering::Relaxed) != 1 {
        thread::yield_now();
    }
}

/// PCT figure 5: a thread that sleeps 20 times, then sets the lock's value, against main's
/// immediate check.
fn figure5() {
    let lock = Arc::new(Mutex::new(0));
    {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            sleeps(20);
            *lock.lock() = 1;
        });
    }
    assert_ne!(*lock.lock(), 1, "thread 1 ran to completion");
}

fn one_step() {
    thread::spawn(|| {});
}

/// Four threads each bump a counter; main waits for all four, pausing with `pause`.
fn spin_until_counted(pause: fn()) {
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..4 {
        let count = Arc::clone(&count);
        thread::spawn(move || count.fetch_add(1, Ordering::SeqCst));
    }
    while count.load(Ordering::SeqCst) < 4 {
        pause();
    }
}

fn spin_with_yield() {
    spin_until_counted(thread::yield_now);
}

fn spin_with_sleep() {
    spin_until_counted(|| sleep(ms(1)));
}

/// PCT figure 1(a): a reader can run before the writer sets the value.
fn figure1a() {
    let value = Arc::new(Mutex::new(None));
    {
        let value = Arc::clone(&value);
        thread::spawn(move || {
            sleeps(5);
            *value.lock() = Some(1);
            sleeps(5);
        });
    }
    thread::spawn(move || {
        sleeps(5);
        value.lock().expect("null dereference");
        sleeps(5);
    });
}

/// PCT figure 1(b): the value is cleared between a reader's check and its use.
fn figure1b() {
    let value = Arc::new(Mutex::new(Some(1)));
    {
        let value = Arc::clone(&value);
        thread::spawn(move || {
            sleeps(5);
            *value.lock() = None;
            sleeps(4);
        });
    }
    thread::spawn(move || {
        sleeps(4);
        let present = value.lock().is_some();
        if present {
            value.lock().expect("null dereference");
        }
        sleeps(4);
    });
}

/// PCT figure 1(c): two threads take two locks in opposite orders, sleeping in between.
fn figure1c() {
    let (a, b) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
    {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::spawn(move || {
            sleeps(4);
            let a = a.lock();
            sleeps(4);
            let b = b.lock();
            sleeps(4);
            assert_eq!(*a + *b, 0);
        });
    }
    thread::spawn(move || {
        sleeps(4);
        let b = b.lock();
        sleeps(4);
        let a = a.lock();
        sleeps(4);
        assert_eq!(*a + *b, 0);
    });
}

fn spawn_nothing() {
    thread::spawn(|| {});
}

fn two_threads_lock() {
    let lock = Arc::new(Mutex::new(0));
    {
        let lock = Arc::clone(&lock);
        thread::spawn(move || *lock.lock() += 1);
    }
    *lock.lock() += 1;
}

fn one_thread_yields() {
    thread::spawn(|| {
        for _ in 0..4 {
            thread::yield_now();
        }
    });
}

fn two_threads_yield() {
    thread::spawn(|| {
        for _ in 0..4 {
            thread::yield_now();
        }
    });
    for _ in 0..4 {
        thread::yield_now();
    }
}
