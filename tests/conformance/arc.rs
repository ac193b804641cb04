//! `Arc` (std's in every backend): loom `tests/arc.rs`. Upstream's `UnsafeCell` data is a
//! relaxed atomic here, and its `Notify` a flag and `yield_now`.

use super::Body::Runs;
use super::Expect::{Fails, Passes};
use super::{Case, Difference, On};
use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::Arc;
use lockstep::thread;

pub const CASES: &[Case] = &[
    Case::loom("arc.rs", "basic_usage", Runs(basic_usage), Passes),
    Case::loom("arc.rs", "sync_in_drop", Runs(sync_in_drop), Passes),
    Case::loom("arc.rs", "detect_mem_leak", Runs(leak), Fails("leak")).differs(
        Difference::StdArc,
        On::Both,
        Passes,
    ),
    Case::loom(
        "arc.rs",
        "try_unwrap_succeeds",
        Runs(try_unwrap_succeeds),
        Passes,
    ),
    Case::loom("arc.rs", "try_unwrap_fails", Runs(try_unwrap_fails), Passes),
    Case::loom(
        "arc.rs",
        "try_unwrap_multithreaded",
        Runs(try_unwrap_multithreaded),
        Passes,
    ),
];

/// Data published by a release store of `ready`; whoever drops the last clone checks it.
struct State {
    data: AtomicUsize,
    ready: AtomicBool,
}

impl State {
    fn shared() -> Arc<State> {
        Arc::new(State {
            data: AtomicUsize::new(0),
            ready: AtomicBool::new(false),
        })
    }

    fn publish(&self) {
        self.data.store(1, Ordering::Relaxed);
        self.ready.store(true, Ordering::Release);
    }
}

impl Drop for State {
    fn drop(&mut self) {
        assert_eq!(self.data.load(Ordering::Relaxed), 1);
    }
}

fn basic_usage() {
    let state = State::shared();
    {
        let state = Arc::clone(&state);
        thread::spawn(move || state.publish());
    }
    while !state.ready.load(Ordering::Acquire) {
        thread::yield_now();
    }
    assert_eq!(state.data.load(Ordering::Relaxed), 1);
}

fn sync_in_drop() {
    let state = State::shared();
    {
        let state = Arc::clone(&state);
        thread::spawn(move || {
            state.publish();
            drop(state);
        });
    }
    drop(state);
}

fn leak() {
    let state = State::shared();
    state.publish();
    std::mem::forget(state);
}

fn try_unwrap_succeeds() {
    let num = Arc::new(0usize);
    drop(Arc::clone(&num));
    Arc::try_unwrap(num).unwrap();
}

fn try_unwrap_fails() {
    let num = Arc::new(0usize);
    let other = Arc::clone(&num);
    let num = Arc::try_unwrap(num).unwrap_err();
    drop(other);
    Arc::try_unwrap(num).unwrap();
}

fn try_unwrap_multithreaded() {
    let num = Arc::new(0usize);
    let other = Arc::clone(&num);
    let may_drop = Arc::new(AtomicBool::new(false));
    let thread = {
        let may_drop = Arc::clone(&may_drop);
        thread::spawn(move || {
            while !may_drop.load(Ordering::Acquire) {
                thread::yield_now();
            }
            drop(other);
        })
    };
    let num = Arc::try_unwrap(num).unwrap_err();
    may_drop.store(true, Ordering::Release);
    thread.join().unwrap();
    Arc::try_unwrap(num).unwrap();
}
