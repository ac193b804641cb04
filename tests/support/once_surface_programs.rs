//! Programs over the rest of std's one-time init surface (`Once::wait` / `wait_force`,
//! `OnceLock::{wait, get_mut, take}`, `LazyLock::{get, get_mut, force_mut}`), run on every
//! backend by tests/once_surface.rs.
#![allow(dead_code)] // the std build runs only the programs std can check

use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, LazyLock, Once, OnceLock};
use lockstep::thread;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A waiter (it first looks with `is_completed`, then `wait`s) against a `call_once` that
/// stores 1 in a relaxed atomic: whether the waiter found it completed before waiting, and
/// what it read after `wait` returned (always 1: `wait` orders the initializer's writes first).
pub fn once_wait_against_call_once() -> (bool, usize) {
    let once = Arc::new(Once::named("ready"));
    let data = Arc::new(AtomicUsize::new(0));
    let waiter = {
        let (once, data) = (Arc::clone(&once), Arc::clone(&data));
        thread::spawn(move || {
            let before = once.is_completed();
            once.wait();
            (before, data.load(Ordering::Relaxed))
        })
    };
    once.call_once(|| data.store(1, Ordering::Relaxed));
    waiter.join().unwrap()
}

/// A waiter (a `get`, then `wait`) against a `set(7)`: what each saw.
pub fn once_lock_wait_against_set() -> (Option<u8>, u8) {
    let cell = Arc::new(OnceLock::named("config"));
    let waiter = {
        let cell = Arc::clone(&cell);
        thread::spawn(move || (cell.get().copied(), *cell.wait()))
    };
    cell.set(7).unwrap();
    waiter.join().unwrap()
}

/// A waiter against a first initializer that panics (caught) and a second that stores 3: the
/// panic leaves the cell empty, so the wait goes on and always ends with 3.
pub fn once_lock_wait_across_a_panicking_initializer() -> u8 {
    let cell = Arc::new(OnceLock::new());
    let waiter = {
        let cell = Arc::clone(&cell);
        thread::spawn(move || *cell.wait())
    };
    let failed = catch_unwind(AssertUnwindSafe(|| {
        cell.get_or_init(|| panic!("init failed"));
    }));
    assert!(failed.is_err());
    assert_eq!(cell.get_or_init(|| 3), &3);
    waiter.join().unwrap()
}

/// A `Once` poisoned by main, then completed by a `call_once_force`, against a thread that
/// `wait`s (it panics if it sees the poison, returns if it comes after the forced run) and one
/// that `wait_force`s (it always waits for the completion): whether the `wait` panicked, and
/// whether the `Once` was completed when `wait_force` returned.
pub fn once_waits_across_poison() -> (bool, bool) {
    let once = Arc::new(Once::named("setup"));
    let waiter = {
        let once = Arc::clone(&once);
        thread::spawn(move || catch_unwind(AssertUnwindSafe(|| once.wait())).is_err())
    };
    let forcer = {
        let once = Arc::clone(&once);
        thread::spawn(move || {
            once.wait_force();
            once.is_completed()
        })
    };
    let failed = catch_unwind(AssertUnwindSafe(|| {
        once.call_once(|| panic!("init failed"))
    }));
    assert!(failed.is_err());
    once.call_once_force(|state| assert!(state.is_poisoned()));
    (waiter.join().unwrap(), forcer.join().unwrap())
}

/// `LazyLock::get` racing a thread's `force`.
pub fn lazy_get_against_force() -> Option<u8> {
    let lazy = Arc::new(LazyLock::named("table", || 5u8));
    let forcer = {
        let lazy = Arc::clone(&lazy);
        thread::spawn(move || *LazyLock::force(&lazy))
    };
    let seen = LazyLock::get(&lazy).copied();
    assert_eq!(forcer.join().unwrap(), 5);
    seen
}

/// A cell initialized, then `take`n (empty again), then raced by two `get_or_init`s: the value
/// taken, the value it ends with (one initializer ran), and how many ran after the take.
pub fn once_lock_taken_then_raced() -> (Option<u8>, u8, usize) {
    let mut cell = OnceLock::named("slot");
    cell.set(1u8).unwrap();
    *cell.get_mut().unwrap() += 1;
    let taken = cell.take();
    assert_eq!(cell.get_mut(), None);
    let cell = Arc::new(cell);
    let runs = Arc::new(AtomicUsize::new(0));
    let init = |cell: &OnceLock<u8>, runs: &AtomicUsize, me: u8| {
        *cell.get_or_init(|| {
            runs.fetch_add(1, Ordering::SeqCst);
            me
        })
    };
    let other = {
        let (cell, runs) = (Arc::clone(&cell), Arc::clone(&runs));
        thread::spawn(move || init(&cell, &runs, 20))
    };
    let mine = init(&cell, &runs, 10);
    assert_eq!(mine, other.join().unwrap(), "both see the one value");
    (taken, mine, runs.load(Ordering::SeqCst))
}

/// A `LazyLock` forced through `force_mut` and changed, then shared: a thread's `get` and
/// `force` see the changed value, and the initializer ran once.
pub fn lazy_forced_mut_then_shared() -> (Option<u8>, u8, usize) {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut lazy = {
        let runs = Arc::clone(&runs);
        LazyLock::new(move || {
            runs.fetch_add(1, Ordering::SeqCst);
            1u8
        })
    };
    assert_eq!(LazyLock::get_mut(&mut lazy), None);
    *LazyLock::force_mut(&mut lazy) += 1;
    *LazyLock::get_mut(&mut lazy).unwrap() += 1;
    let lazy = Arc::new(lazy);
    let reader = {
        let lazy = Arc::clone(&lazy);
        thread::spawn(move || (LazyLock::get(&lazy).copied(), **lazy))
    };
    let (seen, forced) = reader.join().unwrap();
    (seen, forced, runs.load(Ordering::SeqCst))
}

/// A thread that uses its own cell and lazy value through `&mut` (`get_mut`, `take`,
/// `force_mut`) while another thread does two atomic stores; `with_mut_calls: false` leaves the
/// `&mut` calls out. Both variants have the same executions: the calls are no scheduling
/// points.
pub fn exclusive_calls_beside_a_racer(with_mut_calls: bool) {
    let flag = Arc::new(AtomicUsize::new(0));
    let racer = {
        let flag = Arc::clone(&flag);
        thread::spawn(move || {
            flag.store(1, Ordering::SeqCst);
            flag.store(2, Ordering::SeqCst);
        })
    };
    let mut cell: OnceLock<u8> = OnceLock::new();
    let mut lazy = LazyLock::new(|| 4u8);
    if with_mut_calls {
        assert_eq!(cell.get_mut(), None);
        assert_eq!(cell.take(), None);
        assert_eq!(*LazyLock::force_mut(&mut lazy), 4);
        assert_eq!(LazyLock::get_mut(&mut lazy), Some(&mut 4));
    }
    let _ = flag.load(Ordering::SeqCst);
    racer.join().unwrap();
    drop((cell.into_inner(), lazy));
}

/// A thread that waits for a `Once` nobody ever calls.
pub fn wait_for_a_once_nobody_completes() {
    let once = Arc::new(Once::named("setup"));
    let o = Arc::clone(&once);
    let waiter = thread::Builder::new()
        .name("waiter")
        .spawn(move || o.wait())
        .unwrap();
    waiter.join().unwrap();
}

/// main waits on an empty `OnceLock` nobody sets, after a thread that `wait`s on it too.
pub fn wait_for_a_once_lock_nobody_sets() {
    let cell: Arc<OnceLock<u8>> = Arc::new(OnceLock::named("config"));
    let c = Arc::clone(&cell);
    let _waiter = thread::Builder::new()
        .name("waiter")
        .spawn(move || *c.wait())
        .unwrap();
    let _ = cell.wait();
}

/// A worker publishes a port through a `OnceLock`; a client reads it. Planted bug (`bug`): the
/// client uses `get` where it needed `wait`, so it can find the cell still empty.
pub fn client_reads_the_published_port(bug: bool) {
    let port = Arc::new(OnceLock::named("port"));
    let worker = {
        let port = Arc::clone(&port);
        thread::spawn(move || port.set(8080u16).unwrap())
    };
    let seen = if bug {
        port.get().copied()
    } else {
        Some(*port.wait())
    };
    assert!(seen == Some(8080), "the client found no port published");
    worker.join().unwrap();
}
