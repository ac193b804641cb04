//! One-time initialization: shuttle `tests/basic/once.rs` (`Once`) and `lazy_static.rs`
//! (ported to `LazyLock`, std's replacement for `lazy_static!`), loom `tests/atomic.rs`'s
//! `lazy_static` cases. The facade's cells are objects of the running execution, not `const`:
//! upstream's `static`s become a cell made per execution and shared by `Arc` (the `static`
//! variants of upstream cases test that shuttle resets statics between executions, which has
//! no counterpart here).
//!
//! `basic_dfs` is searched by DFS, as upstream: lockstep's DFS exhausts it within the runner's
//! budget since a primitive's state lock is one scheduling point under shuttle
//! (`tests/shuttle_vs_raw.rs` compares the counts with raw shuttle's).

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes};
use super::{Case, Difference, On, Search};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, LazyLock, Mutex, Once};
use lockstep::thread;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const CASES: &[Case] = &[
    Case::shuttle(
        "once.rs",
        "basic_dfs",
        Observes(two_threads_race_call_once),
        Outcomes(&["thread-1", "thread-2"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "once.rs",
        "basic_pct",
        Observes(ten_threads_race_call_once),
        Outcomes(&[
            "thread-1",
            "thread-10",
            "thread-2",
            "thread-3",
            "thread-4",
            "thread-5",
            "thread-6",
            "thread-7",
            "thread-8",
            "thread-9",
        ]),
    )
    .search(Search::Pct(3))
    .differs(
        Difference::LoomThreadLimit,
        On::Loom,
        Fails("loom runs at most 5 threads per execution (main and finished threads included); this test spawned a 6th, thread-5,"),
    ),
    Case::shuttle(
        "once.rs",
        "multiple",
        Observes(two_onces_race_independently),
        Outcomes(&["10", "5", "6", "9"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "once.rs",
        "poison",
        Runs(panicking_call_once_poisons),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle("once.rs", "moved_dfs", Runs(moved_once_stays_done), Passes).search(Search::Dfs),
    Case::shuttle("lazy_static.rs", "basic", Runs(lazy_lookup), Passes).search(Search::Dfs),
    Case::shuttle(
        "lazy_static.rs",
        "racing_init",
        Runs(two_threads_deref_lazy),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "lazy_static.rs",
        "racing_init_explicit",
        Runs(two_threads_force_lazy),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "lazy_static.rs",
        "init_with_yield",
        Runs(initializer_yields),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "lazy_static.rs",
        "mutex_dfs",
        Observes(two_threads_push_to_lazy_mutex),
        Outcomes(&["[1, 2]", "[2, 1]"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "lazy_static.rs",
        "mutex_random",
        Observes(four_threads_push_to_lazy_mutex),
        Outcomes(&[
            "[1, 2, 3, 4]",
            "[1, 2, 4, 3]",
            "[1, 3, 2, 4]",
            "[1, 3, 4, 2]",
            "[1, 4, 2, 3]",
            "[1, 4, 3, 2]",
            "[2, 1, 3, 4]",
            "[2, 1, 4, 3]",
            "[2, 3, 1, 4]",
            "[2, 3, 4, 1]",
            "[2, 4, 1, 3]",
            "[2, 4, 3, 1]",
            "[3, 1, 2, 4]",
            "[3, 1, 4, 2]",
            "[3, 2, 1, 4]",
            "[3, 2, 4, 1]",
            "[3, 4, 1, 2]",
            "[3, 4, 2, 1]",
            "[4, 1, 2, 3]",
            "[4, 1, 3, 2]",
            "[4, 2, 1, 3]",
            "[4, 2, 3, 1]",
            "[4, 3, 1, 2]",
            "[4, 3, 2, 1]",
        ]),
    )
    .loom_bound(3),
    Case::shuttle("lazy_static.rs", "chained", Runs(chained_lazies), Passes).search(Search::Dfs),
    Case::shuttle(
        "lazy_static.rs",
        "panic",
        Runs(panic_after_lazy),
        Fails("the only panic"),
    )
    .search(Search::Dfs),
    Case::loom(
        "atomic.rs",
        "lazy_static_arc_race",
        Runs(slow_lazy_arc_race),
        Passes,
    ),
    Case::loom(
        "atomic.rs",
        "lazy_static_arc_doesnt_leak",
        Runs(lazy_arc_read),
        Passes,
    ),
];

/// `threads` threads race one `Once`: the initializer runs once, every thread sees it done;
/// the outcome is which thread ran it.
fn threads_race_call_once(threads: usize) -> String {
    let once = Arc::new(Once::new());
    let counter = Arc::new(AtomicUsize::new(0));
    let initializer = Arc::new(Mutex::new(None));
    assert!(!once.is_completed());
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (once, counter, initializer) = (
                Arc::clone(&once),
                Arc::clone(&counter),
                Arc::clone(&initializer),
            );
            thread::spawn(move || {
                once.call_once(|| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    *initializer.lock() = Some(thread::current_name());
                });
                assert!(once.is_completed());
                assert_eq!(counter.load(Ordering::SeqCst), 1);
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert!(once.is_completed());
    assert_eq!(counter.load(Ordering::SeqCst), 1);
    let winner = initializer.lock().take();
    winner.expect("the initializer ran")
}

fn two_threads_race_call_once() -> String {
    threads_race_call_once(2)
}

fn ten_threads_race_call_once() -> String {
    threads_race_call_once(10)
}

/// Two `Once`s raced by two threads: exactly one initializer of each runs (bits 1|2 for the
/// first, 4|8 for the second); the outcome is the sum.
fn two_onces_race_independently() -> String {
    let (first, second) = (Arc::new(Once::new()), Arc::new(Once::new()));
    let counter = Arc::new(AtomicUsize::new(0));
    let other = {
        let (first, second, counter) = (
            Arc::clone(&first),
            Arc::clone(&second),
            Arc::clone(&counter),
        );
        thread::spawn(move || {
            first.call_once(|| {
                let _ = counter.fetch_add(1, Ordering::SeqCst);
            });
            second.call_once(|| {
                let _ = counter.fetch_add(4, Ordering::SeqCst);
            });
        })
    };
    first.call_once(|| {
        let _ = counter.fetch_add(2, Ordering::SeqCst);
    });
    second.call_once(|| {
        let _ = counter.fetch_add(8, Ordering::SeqCst);
    });
    other.join().unwrap();
    let counter = counter.load(Ordering::SeqCst);
    assert!(
        matches!(counter & 3, 1 | 2),
        "exactly one first initializer"
    );
    assert!(
        matches!(counter & 12, 4 | 8),
        "exactly one second initializer"
    );
    counter.to_string()
}

/// A panicking initializer poisons the `Once`: the next `call_once` panics; `call_once_force`
/// runs on the poison (told so) and completes it, and a `call_once` after that runs nothing.
fn panicking_call_once_poisons() {
    let once = Once::new();
    let first = catch_unwind(AssertUnwindSafe(|| {
        once.call_once(|| panic!("expected panic"))
    }));
    assert!(first.is_err(), "`call_once` should panic");
    let second = catch_unwind(AssertUnwindSafe(|| once.call_once(|| {})));
    assert!(second.is_err(), "the once should be poisoned");
    assert!(!once.is_completed());
    let forced = catch_unwind(AssertUnwindSafe(|| {
        once.call_once_force(|state| assert!(state.is_poisoned()))
    }));
    assert!(forced.is_ok(), "`call_once_force` ignores poison");
    let after = catch_unwind(AssertUnwindSafe(|| {
        once.call_once(|| unreachable!("previous call should have initialized the cell"))
    }));
    assert!(after.is_ok(), "cell should no longer be poisoned");
    assert!(once.is_completed());
}

/// A completed `Once` moved to another address stays completed.
fn moved_once_stays_done() {
    let once = Box::new(Once::new());
    assert!(!once.is_completed());
    once.call_once(|| {});
    assert!(once.is_completed());
    let once = Box::new(*once);
    assert!(once.is_completed());
    assert!(!Once::new().is_completed());
}

fn lazy_lookup() {
    let table: LazyLock<Vec<(u32, u32)>> = LazyLock::new(|| vec![(1, 1)]);
    assert_eq!(table.iter().find(|(k, _)| *k == 1), Some(&(1, 1)));
}

/// Two threads reach one `LazyLock` (through `deref`, or `LazyLock::force` first with
/// `force`): its initializer runs exactly once.
fn two_threads_reach_lazy(force: bool) {
    let runs = Arc::new(AtomicUsize::new(0));
    let lazy = {
        let runs = Arc::clone(&runs);
        Arc::new(LazyLock::new(move || {
            runs.fetch_add(1, Ordering::SeqCst);
            vec![(1u32, 1u32)]
        }))
    };
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let lazy = Arc::clone(&lazy);
            thread::spawn(move || {
                if force {
                    LazyLock::force(&lazy);
                }
                assert_eq!(lazy.first(), Some(&(1, 1)));
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

fn two_threads_deref_lazy() {
    two_threads_reach_lazy(false);
}

fn two_threads_force_lazy() {
    two_threads_reach_lazy(true);
}

/// An initializer may yield (a scheduling point inside it); both threads see its value.
fn initializer_yields() {
    let thing: Arc<LazyLock<Arc<usize>>> = Arc::new(LazyLock::new(|| {
        thread::yield_now();
        Arc::default()
    }));
    let other = {
        let thing = Arc::clone(&thing);
        thread::spawn(move || assert_eq!(***thing, 0))
    };
    assert_eq!(***thing, 0);
    other.join().unwrap();
}

/// `threads` threads push their index into a lazily made `Mutex<Vec<_>>`: the order they
/// won the race in.
fn threads_push_to_lazy_mutex(threads: usize) -> String {
    let order: Arc<LazyLock<Mutex<Vec<usize>>>> = Arc::new(LazyLock::new(|| Mutex::new(vec![])));
    let handles: Vec<_> = (1..=threads)
        .map(|i| {
            let order = Arc::clone(&order);
            thread::spawn(move || order.lock().push(i))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let order = order.lock();
    assert_eq!(order.len(), threads);
    format!("{:?}", *order)
}

fn two_threads_push_to_lazy_mutex() -> String {
    threads_push_to_lazy_mutex(2)
}

fn four_threads_push_to_lazy_mutex() -> String {
    threads_push_to_lazy_mutex(4)
}

/// A second `LazyLock` whose initializer reads the first.
fn chained_lazies() {
    let first: Arc<LazyLock<Arc<usize>>> = Arc::new(LazyLock::new(Arc::default));
    let second = {
        let first = Arc::clone(&first);
        Arc::new(LazyLock::new(move || Arc::new(***first)))
    };
    let other = {
        let second = Arc::clone(&second);
        thread::spawn(move || assert_eq!(***second, 0))
    };
    assert_eq!(***first, 0);
    other.join().unwrap();
}

/// A panic after reading a `LazyLock` is the only panic reported (the cell's drop does not
/// panic while unwinding).
fn panic_after_lazy() {
    let value = LazyLock::new(|| 42);
    assert_eq!(*value, 42);
    panic!("the only panic");
}

/// Both threads read a `LazyLock` whose initializer yields.
fn slow_lazy_arc_race() {
    let lazy: Arc<LazyLock<Arc<usize>>> = Arc::new(LazyLock::new(|| {
        thread::yield_now();
        Arc::default()
    }));
    let other = {
        let lazy = Arc::clone(&lazy);
        thread::spawn(move || assert_eq!(***lazy, 0))
    };
    assert_eq!(***lazy, 0);
    other.join().unwrap();
}

fn lazy_arc_read() {
    let lazy: LazyLock<Arc<usize>> = LazyLock::new(Arc::default);
    assert_eq!(**lazy, 0);
}
