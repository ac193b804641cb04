//! Cancellation as a fault site under shuttle (`lockstep::tokio::fault::cancellable`): the
//! fault seed decides at which await point a future is dropped; every await point is reached
//! over an exploration, a cancel-unsafe program fails only when the drop lands where its flag
//! is set, and the failure is written to a seed file, replayed exactly and kept by the
//! shrinker. A cancel-safe twin passes. A future dropped (cancelled, or given up on by a
//! `timeout`) leaves no timer behind, and a failing `#[lockstep::test] async fn` writes its
//! seed and replays it.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/cancel_programs.rs"]
mod cancel_programs;
#[path = "support/outcomes.rs"]
mod outcomes;

use cancel_programs::{generation_leaves_the_service_idle, one_generation, Restore, GENERATE};
use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::{FaultKind, FaultPlan};
use lockstep::time::Duration;
use lockstep::tokio::fault::cancellable;
use lockstep::tokio::{block_on, sync::Notify, time};
use outcomes::outcomes;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Half of the generation's await points cancel it.
fn cancel_half() -> FaultPlan {
    FaultPlan::none().site(GENERATE, 0.5)
}

fn random(plan: Option<FaultPlan>) -> Explorer {
    let explorer = Explorer::new(Strategy::Random).seed(5).iterations(200);
    match plan {
        Some(plan) => explorer.faults(plan),
        None => explorer,
    }
}

/// A fresh, empty directory for one test's seed files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn without_a_plan_no_generation_is_cancelled() {
    for restore in [Restore::AtTheEnd, Restore::OnDrop] {
        let seen = outcomes(random(None), move || one_generation(restore));
        assert_eq!(seen, BTreeSet::from([(Ok(()), false)]), "{restore:?}");
    }
}

#[test]
fn the_seed_cancels_at_every_await_point_and_only_the_second_leaves_the_unsafe_flag_set() {
    let unsafe_ends = outcomes(random(Some(cancel_half())), || {
        one_generation(Restore::AtTheEnd)
    });
    assert_eq!(
        unsafe_ends,
        BTreeSet::from([(Ok(()), false), (Err(1), false), (Err(2), true)])
    );
    let safe_ends = outcomes(random(Some(cancel_half())), || {
        one_generation(Restore::OnDrop)
    });
    assert_eq!(
        safe_ends,
        BTreeSet::from([(Ok(()), false), (Err(1), false), (Err(2), false)])
    );
}

#[test]
fn the_cancel_unsafe_generation_is_found_written_replayed_and_its_fault_kept_by_the_shrinker() {
    const TEST: &str = "shuttle_async_faults::cancel_unsafe";
    let dir = scratch("cancel-unsafe");
    let body = || generation_leaves_the_service_idle(Restore::AtTheEnd);
    let report = random(Some(cancel_half()))
        .seeds_dir(&dir)
        .explore_test(TEST, body);
    let failure = report
        .failure
        .expect("the cancel-unsafe generation is found");
    assert!(
        failure
            .message
            .starts_with("a generation that ended with Err(2) left the service marked running"),
        "{}",
        failure.message
    );
    let cancelled_here = |line: &str| line.contains(GENERATE) && line.contains("cancellation");
    assert_eq!(
        failure.trace.lines().filter(|l| cancelled_here(l)).count(),
        1,
        "one cancellation, traced:\n{}",
        failure.trace
    );
    let path = report.seed_file.expect("a seeds dir").expect("written");
    let seed = lockstep::seed::SeedFile::read(&path).unwrap();
    let faults = seed.faults.clone().expect("the plan is recorded");
    assert_eq!(faults.sites, cancel_half().sites);
    assert!(
        !faults.muted.contains(GENERATE),
        "the shrinker keeps the one fault the failure needs: {faults:?}"
    );
    assert!(seed.fault_seed.is_some(), "the fault seed is recorded");
    let replayed = lockstep::replay::replay_test_outcome(&path, TEST, body).unwrap();
    assert_eq!(replayed.failure.as_deref(), Some(failure.message.as_str()));
    assert_eq!(
        replayed.trace, failure.trace,
        "same cancellation, same execution"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_cancel_safe_twin_passes_with_the_same_faults() {
    let dir = scratch("cancel-safe");
    let report = random(Some(cancel_half()))
        .seeds_dir(&dir)
        .explore_test("shuttle_async_faults::cancel_safe", || {
            generation_leaves_the_service_idle(Restore::OnDrop)
        });
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert!(!dir.exists(), "no seed written for a pass");
}

#[test]
fn a_cancellation_by_kind_fires_at_every_cancellable_site() {
    let plan = FaultPlan::none().kind(FaultKind::Cancellation, 1.0);
    let seen = outcomes(random(Some(plan)), || one_generation(Restore::OnDrop));
    assert_eq!(seen, BTreeSet::from([(Err(1), false)]));
}

#[test]
fn a_cancelled_futures_timer_is_not_the_tasks_so_the_clock_stays_put() {
    // Cancelled at its first await point, the hour-long sleep registered a deadline in the
    // same poll that then awaits a notification nobody sends: a deadlock at t = 0, not a
    // spurious wake-up at t = 1 h.
    let plan = FaultPlan::none().site("nap", 1.0);
    let failure = random(Some(plan))
        .run(|| {
            block_on(async {
                let never = Notify::named("never");
                let nap = cancellable("nap", time::sleep(Duration::from_secs(3600))).await;
                assert_eq!(nap.unwrap_err().await_point, 1);
                never.notified().await;
            });
        })
        .expect_err("the deadlock is found");
    assert!(
        failure.message.starts_with(
            "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)"
        ),
        "{}",
        failure.message
    );
    assert!(!failure.trace.contains("jumps to"), "{}", failure.trace);
}

std::thread_local! {
    /// The seeds folder and fault plan of the async test below when another test runs it;
    /// libtest's own run of it has neither.
    static ATTRIBUTE_RUN: std::cell::RefCell<Option<(PathBuf, FaultPlan)>> =
        const { std::cell::RefCell::new(None) };
}

/// The async test's seeds folder: the calling test's scratch folder, else one that only a
/// failing run would write to.
fn attribute_seeds() -> PathBuf {
    ATTRIBUTE_RUN
        .with_borrow(|run| run.as_ref().map(|(dir, _)| dir.clone()))
        .unwrap_or_else(|| std::env::temp_dir().join("lockstep-async-attribute-standalone"))
}

/// The async test's fault plan: the calling test's, else none.
fn attribute_faults() -> FaultPlan {
    ATTRIBUTE_RUN
        .with_borrow(|run| run.as_ref().map(|(_, plan)| plan.clone()))
        .unwrap_or_else(FaultPlan::none)
}

/// Without faults (libtest's run) every generation leaves the service idle; with the
/// cancellation plan (the test below) it fails.
#[lockstep::test(
    strategy = "random",
    iterations = 200,
    faults = attribute_faults(),
    regressions_dir = attribute_seeds()
)]
async fn an_async_generation_test() {
    cancel_programs::assert_left_idle(cancel_programs::generation(Restore::AtTheEnd).await);
}

/// The panic message of `test`, which must fail.
fn failure_of(test: fn()) -> String {
    let payload = std::panic::catch_unwind(test).expect_err("the async test fails");
    payload
        .downcast::<String>()
        .map(|message| *message)
        .expect("a formatted panic message")
}

#[test]
fn a_failing_async_test_writes_its_seed_and_its_next_run_replays_the_same_trace() {
    const TEST: &str = "shuttle_async_faults::an_async_generation_test";
    let dir = scratch("async-attribute");
    ATTRIBUTE_RUN.with_borrow_mut(|run| *run = Some((dir.clone(), cancel_half())));
    let first = failure_of(an_async_generation_test);
    let seeds: Vec<PathBuf> = std::fs::read_dir(dir.join(TEST.replace("::", "/")))
        .expect("the test's seeds folder")
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(seeds.len(), 1, "one seed file: {seeds:?}");
    let seed = &seeds[0];
    assert!(
        first.contains("a generation that ended with Err(2) left the service marked running")
            && first.contains(&format!("seed: {}", seed.display())),
        "{first}"
    );
    // The seed replays to the failure's trace, and the test's next run replays it first.
    let replayed = lockstep::replay::replay_test_outcome(seed, TEST, || {
        block_on(async {
            cancel_programs::assert_left_idle(cancel_programs::generation(Restore::AtTheEnd).await);
        });
    })
    .unwrap();
    assert!(replayed.failure.is_some(), "the replay fails too");
    assert!(
        first.contains(&replayed.trace),
        "{first}\n---\n{}",
        replayed.trace
    );
    let second = failure_of(an_async_generation_test);
    ATTRIBUTE_RUN.with_borrow_mut(|run| *run = None);
    assert!(
        second.contains(&format!("a stored seed fails: {}", seed.display()))
            && second.contains(&replayed.trace),
        "{second}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_timed_out_futures_timer_is_not_the_tasks_either() {
    // At t = 10 s the timeout gives up on its hour-long sleep in the poll that then awaits a
    // notification nobody sends: a deadlock at t = 10 s, not a spurious wake-up at t = 1 h.
    let failure = random(None)
        .run(|| {
            block_on(async {
                let never = Notify::named("never");
                let nap = time::timeout(
                    Duration::from_secs(10),
                    time::sleep(Duration::from_secs(3600)),
                )
                .await;
                assert!(nap.is_err(), "the timeout fires first");
                never.notified().await;
            });
        })
        .expect_err("the deadlock is found");
    assert!(
        failure.message.starts_with(
            "deadlock: every thread is blocked and no timeout is pending (virtual time 10s)"
        ),
        "{}",
        failure.message
    );
}
