//! `Semaphore`: shuttle `tests/basic/panic.rs`'s permit cases (upstream's `BatchSemaphore`;
//! the facade's semaphore has no fairness setting, so both upstream cases run one body).

use super::Body::Runs;
use super::Case;
use super::Expect::Passes;
use lockstep::sync::{Arc, Semaphore};
use lockstep::thread;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const CASES: &[Case] = &[
    Case::shuttle(
        "panic.rs",
        "fair_waiter_gets_permit_when_holder_panics",
        Runs(waiter_gets_permit_when_holder_panics),
        Passes,
    ),
    Case::shuttle(
        "panic.rs",
        "unfair_waiter_gets_permit_when_holder_panics",
        Runs(waiter_gets_permit_when_holder_panics),
        Passes,
    ),
];

/// Main holds the only permit and panics; the unwinding returns the permit, and the waiter
/// gets it.
fn waiter_gets_permit_when_holder_panics() {
    let semaphore = Arc::new(Semaphore::new(1));
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
