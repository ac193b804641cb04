//! Programs over the rest of std's thread surface (`JoinHandle::is_finished`,
//! `ScopedJoinHandle::is_finished`, `Builder::spawn_scoped`, `thread_local!` / `LocalKey`,
//! `available_parallelism`), written once against the facade and run by
//! `tests/std_thread_surface.rs` on real threads and by `tests/thread_surface.rs` under
//! shuttle and loom.
#![allow(dead_code)] // each test file uses its own subset

use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;
use std::cell::{Cell, RefCell};

/// A worker's last step is a write under a lock; main reads it, then asks whether the worker
/// finished. Returns (main saw the write, `is_finished`): std allows all four, `(true, false)`
/// while the worker is past its last step but not yet ended.
pub fn result_then_is_finished() -> (bool, bool) {
    let written = Arc::new(Mutex::new(false));
    let worker = {
        let written = Arc::clone(&written);
        thread::spawn(move || *written.lock() = true)
    };
    let seen = *written.lock();
    let finished = worker.is_finished();
    worker.join().unwrap();
    (seen, finished)
}

/// [`result_then_is_finished`] with an `is_finished` first, whose answer main drops: the
/// same four outcomes.
pub fn result_then_is_finished_asked_twice() -> (bool, bool) {
    let written = Arc::new(Mutex::new(false));
    let worker = {
        let written = Arc::clone(&written);
        thread::spawn(move || *written.lock() = true)
    };
    let _ = worker.is_finished();
    let seen = *written.lock();
    let finished = worker.is_finished();
    worker.join().unwrap();
    (seen, finished)
}

/// As [`result_then_is_finished`] the other way round: main asks first, then reads. Returns
/// (`is_finished`, main saw the write): never `(true, false)`, since a finished worker's
/// closure has returned.
pub fn is_finished_then_result() -> (bool, bool) {
    let written = Arc::new(Mutex::new(false));
    let worker = {
        let written = Arc::clone(&written);
        thread::spawn(move || *written.lock() = true)
    };
    let finished = worker.is_finished();
    let seen = *written.lock();
    worker.join().unwrap();
    (finished, seen)
}

/// [`result_then_is_finished_asked_twice`] with a scoped thread spawned by a named `Builder`.
pub fn scoped_result_then_is_finished() -> (bool, bool) {
    let written = Mutex::new(false);
    thread::scope(|s| {
        let worker = thread::Builder::new()
            .name("scoped-worker")
            .spawn_scoped(s, || *written.lock() = true)
            .unwrap();
        let _ = worker.is_finished();
        let seen = *written.lock();
        (seen, worker.is_finished())
    })
}

/// Planted bug: a watchdog polls a worker and takes one whose result it sees for a finished
/// one (to reuse it without a join, say). The worker can be past its last step and not yet
/// ended.
pub fn trusts_a_delivered_result_as_finished() {
    let result = Arc::new(AtomicUsize::new(0));
    let worker = {
        let result = Arc::clone(&result);
        thread::spawn(move || result.store(42, SeqCst))
    };
    while !worker.is_finished() {
        if result.load(SeqCst) == 42 {
            assert!(
                worker.is_finished(),
                "the worker delivered its result but is not finished"
            );
        }
        thread::yield_now();
    }
    worker.join().unwrap();
}

/// A worker that parks for good, and main spinning on its `is_finished`: a livelock.
pub fn spins_on_is_finished_of_a_parked_worker() {
    let worker = thread::spawn(thread::park);
    while !worker.is_finished() {}
    worker.join().unwrap();
}

/// The name a thread spawned by `Builder::name(..).spawn_scoped` sees for itself.
pub fn spawn_scoped_name() -> Option<String> {
    thread::scope(|s| {
        thread::Builder::new()
            .name("scoped-worker")
            .spawn_scoped(s, || thread::current().name().map(str::to_owned))
            .unwrap()
            .join()
            .unwrap()
    })
}

/// A named scoped thread that fails: the report names it.
pub fn named_scoped_thread_panics() {
    thread::scope(|s| {
        thread::Builder::new()
            .name("scoped-worker")
            .stack_size(128 * 1024)
            .spawn_scoped(s, || panic!("the scoped worker failed"))
            .unwrap();
    });
}

lockstep::thread_local! {
    static COUNT: Cell<u32> = const { Cell::new(0) };
}

/// Main and two threads each count in `COUNT`: main once, the others twice. Returns the three
/// counts: every thread has its own, `(1, 2, 2)`.
pub fn each_thread_counts_alone() -> (u32, u32, u32) {
    let count_twice = || {
        COUNT.set(COUNT.get() + 1);
        COUNT.set(COUNT.get() + 1);
        COUNT.get()
    };
    let a = thread::spawn(count_twice);
    let b = thread::spawn(count_twice);
    COUNT.set(COUNT.get() + 1);
    let mine = COUNT.get();
    (mine, a.join().unwrap(), b.join().unwrap())
}

lockstep::thread_local! {
    static RUNS: Cell<u32> = const { Cell::new(0) };
}

/// Counts one run in the calling thread's `RUNS`, and one in a spawned thread's: returns both
/// counts, `(1, 1)` in every execution if no value outlives its execution (under std, run it
/// on a fresh thread).
pub fn one_run_counted() -> (u32, u32) {
    let count = || {
        RUNS.set(RUNS.get() + 1);
        RUNS.get()
    };
    let theirs = thread::spawn(count).join().unwrap();
    (count(), theirs)
}

/// Every value of `LAZY` made so far, in this process.
static LAZY_INITS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

lockstep::thread_local! {
    static LAZY: u8 = {
        LAZY_INITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        7
    };
}

/// One thread never uses `LAZY`, another uses it twice: returns how many values were made
/// (1: lazily, once per thread that uses it) and what the user read.
pub fn lazy_initialization() -> (usize, u8) {
    let before = LAZY_INITS.load(std::sync::atomic::Ordering::Relaxed);
    thread::spawn(|| ()).join().unwrap();
    let read = thread::spawn(|| LAZY.with(|a| *a) + LAZY.with(|b| *b))
        .join()
        .unwrap();
    let made = LAZY_INITS.load(std::sync::atomic::Ordering::Relaxed) - before;
    (made, read)
}

/// Records, when dropped, that it was dropped and whether its own key was destroyed then.
struct ReportsDrop(Arc<AtomicUsize>);

impl Drop for ReportsDrop {
    fn drop(&mut self) {
        let own_key_gone = GUARD.try_with(|_| ()).is_err();
        // Another key still works in a destructor (made now if this thread never used it).
        let other = COUNT.try_with(Cell::get).is_ok();
        self.0.store(
            1 + usize::from(own_key_gone) + 2 * usize::from(other),
            SeqCst,
        );
    }
}

lockstep::thread_local! {
    static GUARD: RefCell<Option<ReportsDrop>> = const { RefCell::new(None) };
}

/// A worker leaves a value in `GUARD`; main reads the drop report before and after joining.
/// Returns (before, after): after the join the destructor has run (4: dropped, its own key
/// destroyed, another key usable); before it, 0 or 4.
pub fn destructor_runs_before_join_returns() -> (usize, usize) {
    let report = Arc::new(AtomicUsize::new(0));
    let worker = {
        let report = Arc::clone(&report);
        thread::spawn(move || GUARD.set(Some(ReportsDrop(report))))
    };
    let before = report.load(SeqCst);
    worker.join().unwrap();
    (before, report.load(SeqCst))
}

lockstep::thread_local! {
    static NEVER_INIT: Cell<u8> = panic!("set comes before any other use");
    static LOG: RefCell<Vec<u8>> = RefCell::new(vec![1]);
}

/// The `Cell` and `RefCell` conveniences of `LocalKey`, on a fresh thread: `set` without the
/// initializer, `get`, `replace`, `take`, `with_borrow`, `with_borrow_mut`.
pub fn conveniences() -> (u8, u8, u8, Vec<u8>, usize, Vec<u8>) {
    thread::spawn(|| {
        NEVER_INIT.set(3);
        let got = NEVER_INIT.get();
        let replaced = NEVER_INIT.replace(5);
        let taken = NEVER_INIT.take();
        LOG.with_borrow_mut(|log| log.push(2));
        let old = LOG.replace(vec![9, 9, 9]);
        let len = LOG.with_borrow(Vec::len);
        LOG.set(vec![4]);
        (got, replaced, taken, old, len, LOG.take())
    })
    .join()
    .unwrap()
}

/// Planted bug: two workers count in a thread-local as if it were shared; main expects their
/// total in its own.
pub fn thread_local_used_as_shared() {
    let done = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let done = Arc::clone(&done);
            thread::spawn(move || {
                COUNT.set(COUNT.get() + 1);
                done.store(true, SeqCst);
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert!(done.load(SeqCst));
    assert_eq!(
        COUNT.get(),
        2,
        "the workers' counts are not in main's thread-local"
    );
}

/// What `available_parallelism` says.
pub fn parallelism() -> usize {
    thread::available_parallelism().unwrap().get()
}
