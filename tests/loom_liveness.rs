//! Liveness under loom: a spin loop is reported as a livelock in lockstep's words, whether
//! loom's branch bound stops it or the kernel's livelock bound does; a spin-wait for a sleeper
//! lets virtual time pass.
#![cfg(loom)]

use lockstep::explore::{Explorer, Strategy};
use lockstep::sync::atomic::{AtomicBool, Ordering};
use lockstep::sync::Arc;
use lockstep::thread;
use lockstep::time::Duration;

const EXHAUSTIVE: Strategy = Strategy::Exhaustive {
    preemption_bound: Some(2),
};

/// A thread yields until a flag nobody sets is set, while main joins it.
fn yield_on_a_flag_nobody_sets() {
    let flag = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&flag);
    let spinner = thread::spawn(move || {
        while !f.load(Ordering::Acquire) {
            thread::yield_now();
        }
    });
    spinner.join().unwrap();
}

#[test]
fn loom_branch_bound_on_a_spin_is_reported_as_a_livelock_naming_the_threads() {
    let failure = Explorer::new(EXHAUSTIVE)
        .run(yield_on_a_flag_nobody_sets)
        .unwrap_err();
    let message = &failure.message;
    assert!(
        message.starts_with("livelock: the execution reached loom's bound of"),
        "{message}"
    );
    assert!(
        message.contains("main      waits to join thread-1"),
        "{message}"
    );
    assert!(
        message.contains("thread-1  spins:") && message.contains("the last one yield_now"),
        "{message}"
    );
}

#[test]
fn the_kernel_reports_a_livelock_before_loom_bound_with_a_smaller_livelock_bound() {
    let failure = Explorer::new(EXHAUSTIVE)
        .livelock_bound(20)
        .run(yield_on_a_flag_nobody_sets)
        .unwrap_err();
    let message = &failure.message;
    assert!(
        message.starts_with("livelock: every thread is spinning or blocked"),
        "{message}"
    );
    assert!(
        message.contains(
            "thread-1  spins: 20 retries since the last progress, the last one yield_now"
        ),
        "{message}"
    );
}

#[test]
fn a_spin_wait_for_a_sleeper_lets_virtual_time_pass() {
    Explorer::new(EXHAUSTIVE)
        .livelock_bound(20)
        .run(|| {
            let flag = Arc::new(AtomicBool::new(false));
            let f = Arc::clone(&flag);
            let sleeper = thread::spawn(move || {
                lockstep::time::sleep(Duration::from_secs(1));
                f.store(true, Ordering::Release);
            });
            while !flag.load(Ordering::Acquire) {
                thread::yield_now();
            }
            assert!(lockstep::time::Instant::now().since_start() >= Duration::from_secs(1));
            sleeper.join().unwrap();
        })
        .unwrap_or_else(|failure| panic!("{}", failure.message));
}
