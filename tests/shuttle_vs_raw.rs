//! Under shuttle, DFS over a facade program runs no more schedules than raw shuttle's DFS over
//! the same program written against shuttle's own types, unless the pair says why: the facade
//! adds a scheduling point only where std's type has an operation another thread can see.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// More than any pair here needs: a DFS that stops at it did not finish.
const BUDGET: usize = 200_000;

/// Schedules lockstep's DFS runs to exhaust `body`.
fn facade_schedules(body: fn()) -> usize {
    let stats = Explorer::new(Strategy::Dfs)
        .iterations(BUDGET)
        .run(body)
        .expect("the program passes");
    println!("facade: {}", stats.executions);
    stats.executions
}

/// Schedules raw shuttle's DFS runs to exhaust `body`.
fn raw_schedules(body: fn()) -> usize {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    shuttle::check_dfs(
        move || {
            counted.fetch_add(1, Ordering::Relaxed);
            body()
        },
        Some(BUDGET),
    );
    let runs = runs.load(Ordering::Relaxed);
    assert!(runs < BUDGET, "raw DFS did not finish within {BUDGET}");
    runs
}

mod facade {
    use lockstep::sync::atomic::{AtomicUsize, Ordering};
    use lockstep::sync::mpsc::channel;
    use lockstep::sync::{Arc, Mutex, Once};
    use lockstep::thread;

    pub fn spawn_join() {
        thread::spawn(|| {}).join().unwrap();
    }
    pub fn spawn_only() {
        thread::spawn(|| {});
    }
    pub fn two_atomics() {
        let a = Arc::new(AtomicUsize::new(0));
        let b = Arc::clone(&a);
        thread::spawn(move || b.fetch_add(1, Ordering::SeqCst));
        a.fetch_add(1, Ordering::SeqCst);
    }
    pub fn once_only() {
        let once = Arc::new(Once::new());
        let o = Arc::clone(&once);
        thread::spawn(move || o.call_once(|| {}));
        once.call_once(|| {});
    }

    /// Two threads race one `Once` (shuttle's `once.rs::basic_dfs`).
    pub fn once_race() {
        let once = Arc::new(Once::new());
        let counter = Arc::new(AtomicUsize::new(0));
        let initializer = Arc::new(Mutex::new(None));
        assert!(!once.is_completed());
        let handles: Vec<_> = (0..2)
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
        assert!(initializer.lock().take().is_some());
    }

    /// A spawned thread sends one message that main receives (loom's `mpsc.rs::basic_parallel_usage`).
    pub fn spawned_send() {
        let (tx, rx) = channel();
        thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(rx.recv().unwrap(), 5);
    }
}

mod raw {
    use shuttle::sync::atomic::{AtomicUsize, Ordering};
    use shuttle::sync::mpsc::channel;
    use shuttle::sync::{Mutex, Once};
    use shuttle::thread;
    use std::sync::Arc;

    pub fn spawn_join() {
        thread::spawn(|| {}).join().unwrap();
    }
    pub fn spawn_only() {
        thread::spawn(|| {});
    }
    pub fn two_atomics() {
        let a = Arc::new(AtomicUsize::new(0));
        let b = Arc::clone(&a);
        thread::spawn(move || b.fetch_add(1, Ordering::SeqCst));
        a.fetch_add(1, Ordering::SeqCst);
    }
    pub fn once_only() {
        let once = Arc::new(Once::new());
        let o = Arc::clone(&once);
        thread::spawn(move || o.call_once(|| {}));
        once.call_once(|| {});
    }

    pub fn once_race() {
        let once = Arc::new(Once::new());
        let counter = Arc::new(AtomicUsize::new(0));
        let initializer = Arc::new(Mutex::new(None));
        assert!(!once.is_completed());
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (once, counter, initializer) = (
                    Arc::clone(&once),
                    Arc::clone(&counter),
                    Arc::clone(&initializer),
                );
                thread::spawn(move || {
                    once.call_once(|| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        *initializer.lock().unwrap() = Some(thread::current().id());
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
        assert!(initializer.lock().unwrap().take().is_some());
    }

    pub fn spawned_send() {
        let (tx, rx) = channel();
        thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(rx.recv().unwrap(), 5);
    }
}

#[test]
fn measure() {
    for (name, f, r) in [
        (
            "spawn_only",
            facade::spawn_only as fn(),
            raw::spawn_only as fn(),
        ),
        ("spawn_join", facade::spawn_join, raw::spawn_join),
        ("two_atomics", facade::two_atomics, raw::two_atomics),
        ("once_only", facade::once_only, raw::once_only),
        ("once_race", facade::once_race, raw::once_race),
        ("spawned_send", facade::spawned_send, raw::spawned_send),
    ] {
        println!(
            "{name}: facade {} raw {}",
            facade_schedules(f),
            raw_schedules(r)
        );
    }
}
