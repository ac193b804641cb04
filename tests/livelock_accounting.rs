//! What counts as a retry and what as progress, under shuttle and loom (one file: only the
//! explorer differs): a spin on a semaphore's `try_acquire`, on `try_recv` of an empty channel
//! or on `try_send` of a full one is a livelock naming the object; a loop that keeps storing
//! the value an atomic already holds is a livelock; loops that really change something are not.
#![cfg(any(loom, feature = "shuttle"))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::{mpsc, Arc, Semaphore};
use lockstep::thread;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// Retries without progress after which a thread spins: far below shuttle's step bound and
/// loom's branch bound, so the kernel's report comes first on both.
const BOUND: usize = 40;

/// Shuttle: random schedules from a fixed seed.
#[cfg(feature = "shuttle")]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Random)
        .seed(11)
        .iterations(50)
        .livelock_bound(BOUND)
}

/// Loom: every interleaving up to 2 preemptions.
#[cfg(loom)]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .livelock_bound(BOUND)
}

/// The livelock report of `program`, which must fail with one.
fn livelock_of(program: fn()) -> String {
    let failure = explorer().run(program).expect_err("the spin is a livelock");
    let message = failure.message;
    assert!(
        message.starts_with("livelock: every thread is spinning or blocked"),
        "{message}"
    );
    message
}

#[test]
fn a_spin_on_try_acquire_is_a_livelock_naming_the_semaphore() {
    let message = livelock_of(|| {
        let pool = Arc::new(Semaphore::named("pool", 1));
        let held = pool.acquire();
        let p = Arc::clone(&pool);
        let spinner = thread::spawn(move || while p.try_acquire().is_none() {});
        spinner.join().unwrap();
        drop(held);
    });
    assert!(
        message.contains(&format!(
            "thread-1  spins: {BOUND} retries since the last progress, the last one a failed \
             try_acquire of Semaphore \"pool\""
        )),
        "{message}"
    );
    assert!(
        message.contains("main      waits to join thread-1"),
        "{message}"
    );
}

#[test]
fn a_spin_on_try_recv_of_an_empty_channel_is_a_livelock_naming_the_channel() {
    let message = livelock_of(|| {
        let (tx, rx) = mpsc::named_channel::<u8>("inbox");
        let spinner = thread::spawn(move || while rx.try_recv().is_err() {});
        spinner.join().unwrap();
        drop(tx);
    });
    assert!(
        message.contains("the last one a failed try_recv of Channel \"inbox\""),
        "{message}"
    );
}

#[test]
fn a_spin_on_try_send_to_a_full_channel_is_a_livelock_naming_the_channel() {
    let message = livelock_of(|| {
        let (tx, rx) = mpsc::named_sync_channel::<u8>("outbox", 1);
        tx.send(0).unwrap();
        let spinner = thread::spawn(move || while tx.try_send(1).is_err() {});
        spinner.join().unwrap();
        drop(rx);
    });
    assert!(
        message.contains("the last one a failed try_send of Channel \"outbox\""),
        "{message}"
    );
}

#[test]
fn a_loop_that_keeps_storing_the_same_value_is_a_livelock() {
    let message = livelock_of(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let busy = Arc::new(AtomicBool::new(false));
        let (s, b) = (Arc::clone(&stop), Arc::clone(&busy));
        let spinner = thread::spawn(move || {
            while !s.load(Ordering::Acquire) {
                b.store(true, Ordering::Release);
            }
        });
        spinner.join().unwrap();
    });
    assert!(
        message.contains(&format!(
            "thread-1  spins: {BOUND} retries since the last progress"
        )),
        "{message}"
    );
}

#[test]
fn a_loop_whose_stores_change_the_value_is_not_a_livelock() {
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explorer()
        .run(move || {
            let stop = Arc::new(AtomicBool::new(false));
            let ticks = Arc::new(AtomicUsize::new(0));
            let (s, t) = (Arc::clone(&stop), Arc::clone(&ticks));
            // Each store writes a new value: progress every time, however long it runs.
            let ticker = thread::spawn(move || {
                for tick in 1..=3 * BOUND {
                    if s.load(Ordering::Acquire) {
                        break;
                    }
                    t.store(tick, Ordering::Release);
                }
            });
            ticker.join().unwrap();
            stop.store(true, Ordering::Release);
            sink.lock().unwrap().insert(ticks.load(Ordering::Acquire));
        })
        .unwrap_or_else(|failure| panic!("no livelock: {failure}"));
    assert_eq!(*seen.lock().unwrap(), BTreeSet::from([3 * BOUND]));
}

#[test]
fn a_try_acquire_spin_that_gets_the_permit_once_it_is_released_is_not_a_livelock() {
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explorer()
        .run(move || {
            let pool = Arc::new(Semaphore::named("pool", 1));
            let held = pool.acquire();
            let p = Arc::clone(&pool);
            let spinner = thread::spawn(move || {
                let mut failures = 0;
                // The yield lets loom run the releaser (loom never preempts a spin by itself).
                while p.try_acquire().is_none() {
                    failures += 1;
                    thread::yield_now();
                }
                failures > 0
            });
            drop(held);
            let failed_first = spinner.join().unwrap();
            sink.lock().unwrap().insert(failed_first);
        })
        .unwrap_or_else(|failure| panic!("no livelock: {failure}"));
    // Both orders are reached: the permit was free at the first try, or only after some.
    assert_eq!(*seen.lock().unwrap(), BTreeSet::from([false, true]));
}
