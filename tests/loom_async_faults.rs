//! Cancellation as a fault site and `#[lockstep::test] async fn` under loom. Loom keeps one
//! fault seed for a whole exploration, so the tests enumerate fault seeds: over them the
//! cancellation lands at every await point, and only the one while the unsafe generation's
//! flag is set leaves it set, as under shuttle (tests/shuttle_async_faults.rs).
#![cfg(loom)]

#[path = "support/cancel_programs.rs"]
mod cancel_programs;
#[path = "support/outcomes.rs"]
mod outcomes;

use cancel_programs::{generation_leaves_the_service_idle, one_generation, Restore, GENERATE};
use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::FaultPlan;
use std::collections::BTreeSet;

/// Fault seeds enumerated per test: enough for each of the 3 endings (a draw of 1/2 at each
/// of 2 await points) to come up.
const FAULT_SEEDS: u64 = 16;

/// An exhaustive exploration where half of the generation's await points cancel it, the
/// draws from `fault_seed`.
fn exhaustive(fault_seed: u64) -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .faults(FaultPlan::none().site(GENERATE, 0.5))
    .fault_seed(fault_seed)
}

/// Every ending of one generation over every enumerated fault seed.
fn endings(restore: Restore) -> BTreeSet<(Result<(), usize>, bool)> {
    (0..FAULT_SEEDS)
        .flat_map(|seed| outcomes::outcomes(exhaustive(seed), move || one_generation(restore)))
        .collect()
}

#[test]
fn the_fault_seed_cancels_at_every_await_point_and_only_those_while_the_unsafe_flag_is_set_leave_it(
) {
    // Loom's `block_on` may wake spuriously once (its notify is explored with a spurious
    // wake-up, as real executors may poll a future again without its waker being called), so
    // the sleep can return `Pending` twice: a third await point, also while the flag is set.
    // Shuttle never polls spuriously, so there it has two.
    assert_eq!(
        endings(Restore::AtTheEnd),
        BTreeSet::from([
            (Ok(()), false),
            (Err(1), false),
            (Err(2), true),
            (Err(3), true)
        ])
    );
    assert_eq!(
        endings(Restore::OnDrop),
        BTreeSet::from([
            (Ok(()), false),
            (Err(1), false),
            (Err(2), false),
            (Err(3), false)
        ])
    );
}

#[test]
fn the_cancel_unsafe_generation_is_found_and_its_safe_twin_passes() {
    let failure = (0..FAULT_SEEDS)
        .find_map(|seed| {
            exhaustive(seed)
                .run(|| generation_leaves_the_service_idle(Restore::AtTheEnd))
                .err()
        })
        .expect("some fault seed cancels the generation while its flag is set");
    assert!(
        failure.message.contains("left the service marked running"),
        "{failure}"
    );
    for seed in 0..FAULT_SEEDS {
        exhaustive(seed)
            .run(|| generation_leaves_the_service_idle(Restore::OnDrop))
            .unwrap_or_else(|failure| panic!("fault seed {seed}: {failure}"));
    }
}

/// An async test under loom: the message a spawned task sends through a oneshot arrives, and
/// the task's lock hold is over by then in every interleaving.
#[lockstep::test]
async fn an_async_test_runs_every_interleaving_under_loom() {
    use lockstep::tokio::sync::{oneshot, Mutex};
    use lockstep::tokio::task;
    use std::sync::Arc;

    let lock = Arc::new(Mutex::new(0));
    let (tx, rx) = oneshot::channel();
    let held = Arc::clone(&lock);
    let sender = task::spawn(async move {
        *held.lock().await += 1;
        tx.send(7).unwrap();
    });
    assert_eq!(rx.await.unwrap(), 7);
    assert_eq!(*lock.lock().await, 1);
    sender.await.unwrap();
}
