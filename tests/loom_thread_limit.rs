//! Loom models at most `loom::MAX_THREADS` (5) threads in one execution, counting the main
//! thread and the threads that already finished: lockstep reports a spawn past that itself,
//! with the number, the spawn's site and what to do, instead of loom's internal assertion.
#![cfg(loom)]

use lockstep::explore::{Explorer, Strategy};
use lockstep::thread;

fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
}

/// The line of the spawn in `spawn_one_after_another`.
const SPAWN_LINE: u32 = line!() + 5;

/// Spawns and joins `count` threads one after the other (never more than two alive at once).
fn spawn_one_after_another(count: usize) {
    for _ in 0..count {
        thread::spawn(|| {}).join().unwrap();
    }
}

#[test]
fn four_spawned_threads_and_main_are_within_loom_s_limit() {
    explorer()
        .run(|| spawn_one_after_another(4))
        .expect("main and four threads are five");
}

#[test]
fn the_sixth_thread_of_an_execution_is_reported_with_loom_s_limit_and_its_site() {
    let failure = explorer()
        .run(|| spawn_one_after_another(5))
        .expect_err("main and five threads are six");
    let site = format!("{}:{SPAWN_LINE}", file!());
    assert_eq!(
        failure.message,
        format!(
            "loom runs at most 5 threads per execution (main and finished threads \
             included); this test spawned a 6th, thread-5, at {site}:9; use shuttle for \
             more threads"
        )
    );
}
