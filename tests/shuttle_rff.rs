//! Reads-from fuzzing (`Strategy::Rff`): deterministic from its seed, replayable from its seed
//! files, and quick on the ordering and atomicity shapes that feedback-free search needs
//! hundreds of schedules for.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::sync::atomic::{AtomicI64, Ordering};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;

/// SCTBench's TwoStage at `writers` + `readers` threads: each writer sets `data1` under one
/// lock, then `data2 = data1 + 1` under another; each reader reads `data1` in one critical
/// section and `data2` in the next and expects `data2 == data1 + 1` once `data1` is set.
fn two_stage(writers: usize, readers: usize) {
    #[derive(Default)]
    struct Shared {
        first: Mutex<()>,
        second: Mutex<()>,
        data1: AtomicI64,
        data2: AtomicI64,
    }
    let shared = Arc::new(Shared::default());
    let mut handles = Vec::new();
    for _ in 0..writers {
        let shared = Arc::clone(&shared);
        handles.push(thread::spawn(move || {
            {
                let _first = shared.first.lock();
                shared.data1.store(1, Ordering::SeqCst);
            }
            let _second = shared.second.lock();
            let data1 = shared.data1.load(Ordering::SeqCst);
            shared.data2.store(data1 + 1, Ordering::SeqCst);
        }));
    }
    for _ in 0..readers {
        let shared = Arc::clone(&shared);
        handles.push(thread::spawn(move || {
            let data1 = {
                let _first = shared.first.lock();
                shared.data1.load(Ordering::SeqCst)
            };
            if data1 == 0 {
                return;
            }
            let data2 = {
                let _second = shared.second.lock();
                shared.data2.load(Ordering::SeqCst)
            };
            assert_eq!(data2, data1 + 1, "two-stage: data2 lags data1");
        }));
    }
    for handle in handles {
        handle.join().expect("a two-stage thread panicked");
    }
}

/// The execution (1-based) at which `strategy` from `seed` first fails `body`, if it does
/// within `budget` executions.
fn executions_to_failure(
    strategy: Strategy,
    seed: u64,
    budget: usize,
    body: impl Fn() + Send + Sync + 'static,
) -> Option<usize> {
    Explorer::new(strategy)
        .seed(seed)
        .iterations(budget)
        .shrink_budget(0)
        .run(body)
        .err()
        .map(|failure| failure.execution)
}

fn median(mut values: Vec<usize>) -> usize {
    values.sort_unstable();
    values[values.len() / 2]
}

/// How many of 20 seeds find the bug within `budget`, and the median execution of the first
/// failure (a miss counts as `budget + 1`).
fn found_and_median(
    strategy: Strategy,
    budget: usize,
    body: impl Fn() + Clone + Send + Sync + 'static,
) -> (usize, usize) {
    let firsts: Vec<Option<usize>> = (0..20)
        .map(|seed| executions_to_failure(strategy, seed, budget, body.clone()))
        .collect();
    let found = firsts.iter().filter(|first| first.is_some()).count();
    let median = median(firsts.iter().map(|f| f.unwrap_or(budget + 1)).collect());
    (found, median)
}

#[test]
fn measure() {
    for strategy in [Strategy::Rff] {
        for n in [10, 20] {
            let r = found_and_median(strategy, 2000, move || model::ordering::reorder(n, false));
            eprintln!("{strategy} reorder {n}: {r:?}");
        }
        for (w, r) in [(10, 10), (99, 1)] {
            let res = found_and_median(strategy, 2000, move || two_stage(w, r));
            eprintln!("{strategy} two-stage {w}+{r}: {res:?}");
        }
    }
}
