//! `yield_now` and a zero `sleep` under shuttle and loom: a yield is a hint, so std lets the
//! yielder run straight on past it, and every outcome that allows is reached; a spin loop over
//! yields still ends (loom's own yield makes another thread run first, and raw loom never
//! explores the yielder going on: `ghost::yield_now` in the facade).
#![cfg(any(loom, feature = "shuttle"))]

#[path = "support/outcomes.rs"]
mod collected;

use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::Arc;
use lockstep::thread;
use std::collections::BTreeSet;
use std::time::Duration;

#[cfg(any(loom, feature = "shuttle"))]
#[path = "support/simulated.rs"]
mod simulated;

/// Shuttle: 500 random executions from seed 0x41e1d; loom: every interleaving up to 3 preemptions.
#[cfg(any(loom, feature = "shuttle"))]
fn explorer() -> lockstep::explore::Explorer {
    simulated::explorer(0x41e1d, 500, 3)
}

/// Every outcome `body` returns over the exploration.
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    collected::outcomes(explorer(), body)
}

/// How a writer yields between its two stores.
#[derive(Clone, Copy)]
enum Yield {
    YieldNow,
    ZeroSleep,
}

/// A writer stores `x = 1`, yields, stores `y = 1`; a reader loads `y` then `x`: what it read.
/// std allows (0, 0), (0, 1) and (1, 1) (not (1, 0): the loads and stores are `SeqCst`).
fn stores_around_a_yield(how: Yield) -> (usize, usize) {
    let (x, y) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let writer = {
        let (x, y) = (Arc::clone(&x), Arc::clone(&y));
        thread::spawn(move || {
            x.store(1, Ordering::SeqCst);
            match how {
                Yield::YieldNow => thread::yield_now(),
                Yield::ZeroSleep => thread::sleep(Duration::ZERO),
            }
            y.store(1, Ordering::SeqCst);
        })
    };
    let seen_y = y.load(Ordering::SeqCst);
    let seen_x = x.load(Ordering::SeqCst);
    writer.join().expect("writer");
    (seen_y, seen_x)
}

#[test]
fn a_reader_sees_both_stores_around_a_yield() {
    // (1, 1): the writer ran on past its yield before the reader's first load (raw loom never
    // explores it: its yield runs the reader first).
    assert_eq!(
        outcomes(|| stores_around_a_yield(Yield::YieldNow)),
        BTreeSet::from([(0, 0), (0, 1), (1, 1)])
    );
}

#[test]
fn a_reader_sees_both_stores_around_a_zero_sleep() {
    assert_eq!(
        outcomes(|| stores_around_a_yield(Yield::ZeroSleep)),
        BTreeSet::from([(0, 0), (0, 1), (1, 1)])
    );
}

/// A thread spins with `yield_now` until another raises a flag, counting its turns; the other
/// raises it at once: whether the spinner turned at all. Both are allowed, and the spin ends in
/// every execution (a second yield with nothing changed since the first is loom's, which runs
/// the flag's thread).
fn spin_until_raised() -> bool {
    let flag = Arc::new(AtomicBool::new(false));
    let spinner = {
        let flag = Arc::clone(&flag);
        thread::spawn(move || {
            let mut turns = 0;
            while !flag.load(Ordering::Acquire) {
                turns += 1;
                thread::yield_now();
            }
            turns > 0
        })
    };
    flag.store(true, Ordering::Release);
    spinner.join().expect("spinner")
}

#[test]
fn a_spin_loop_over_yields_ends_either_way() {
    assert_eq!(outcomes(spin_until_raised), BTreeSet::from([false, true]));
}
