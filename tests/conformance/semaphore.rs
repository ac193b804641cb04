//! `Semaphore`: shuttle `tests/basic/panic.rs`'s permit cases (upstream's `BatchSemaphore`
//! with `Fairness::StrictlyFair` and `Fairness::Unfair`: the facade's FIFO and unfair
//! policies).

use super::Body::Runs;
use super::Case;
use super::Expect::Passes;
use lockstep::sync::{Arc, Semaphore, SemaphoreFairness};
use lockstep::thread;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const CASES: &[Case] = &[
    Case::shuttle(
        "panic.rs",
        "fair_waiter_gets_permit_when_holder_panics",
        Runs(fair_waiter_gets_permit_when_holder_panics),
        Passes,
    ),
    Case::shuttle(
        "panic.rs",
        "unfair_waiter_gets_permit_when_holder_panics",
        Runs(unfair_waiter_gets_permit_when_holder_panics),
        Passes,
    ),
];

fn fair_waiter_gets_permit_when_holder_panics() {
    waiter_gets_permit_when_holder_panics(SemaphoreFairness::Fifo);
}

fn unfair_waiter_gets_permit_when_holder_panics() {
    waiter_gets_permit_when_holder_panics(SemaphoreFairness::Unfair);
}

/// Main holds the only permit and panics; the unwinding returns the permit, and the waiter
/// gets it.
fn waiter_gets_permit_when_holder_panics(fairness: SemaphoreFairness) {
    let semaphore = Arc::new(Semaphore::new(1).with_fairness(fairness));
    let held = semaphore.acquire();
    let waiter = {
        let semaphore = Arc::clone(&semaphore);
        thread::spawn(move || drop(semaphore.acquire()))
    };
    catch_unwind(AssertUnwindSafe(|| {
        let _held = held;
        thread::yield_now();
        panic!("expected");
    }))
    .unwrap_err();
    waiter.join().unwrap();
}
