//! The search strategies lockstep runs itself: POS on the ordering family, PCT on programs
//! without scheduling choices, and DFS on scenarios with timeouts and faults.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::FaultPlan;
use lockstep::scenario::Variant;
use lockstep::time::Duration;

fn faults() -> FaultPlan {
    FaultPlan::every_kind(0.05, Duration::from_millis(100))
}

fn scenario(name: &str) -> &'static lockstep::scenario::Scenario {
    model::scenarios::find(name).expect("scenario exists")
}

#[test]
fn pos_finds_the_ten_thread_ordering_bug_within_a_hundred_schedules() {
    for seed in 0..5 {
        let failure = Explorer::new(Strategy::Pos)
            .seed(seed)
            .iterations(100)
            .shrink_budget(0)
            .run(|| model::ordering::reorder(10, true))
            .expect_err("POS finds the half-published pair");
        // The only inconsistent pairs: a set but not b, or b set but not a.
        assert!(
            failure.message.ends_with("half published: a = 1, b = 0")
                || failure.message.ends_with("half published: a = 0, b = -1"),
            "seed {seed}: {}",
            failure.message
        );
    }
}

#[test]
fn pct_explores_a_program_that_makes_no_scheduling_choice() {
    // The holder takes the lock before the waiter exists: one thread runs at a time, yet the
    // fault plan still differs per execution, so every execution is worth running.
    let report = Explorer::new(Strategy::Pct { depth: 3 })
        .iterations(50)
        .faults(faults())
        .explore(scenario("timeout-fires"), Variant::Fixed);
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(report.stats.executions, 50);
}

/// Two transfers, one per worker: few enough schedules for DFS to enumerate them all.
fn small_transfers(explorer: Explorer) -> Explorer {
    explorer.size("workers", 2).size("transfers", 1)
}

#[test]
fn dfs_enumerates_every_schedule_of_a_program_and_stops() {
    // Waiters parked in the kernel are not offered for spurious wakeups, so DFS ends.
    let report = small_transfers(Explorer::new(Strategy::Dfs).iterations(10_000))
        .explore(scenario("release-on-error"), Variant::Fixed);
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert!(
        report.stats.executions < 10_000,
        "DFS ran out of budget after {} executions instead of finishing",
        report.stats.executions
    );
    assert!(report.stats.executions > 1, "{:?}", report.stats);
    assert_eq!(
        report.stats.distinct_schedules, report.stats.executions,
        "DFS runs each schedule once"
    );
    let random =
        small_transfers(Explorer::new(Strategy::Random).iterations(report.stats.executions * 4))
            .explore(scenario("release-on-error"), Variant::Fixed);
    assert!(
        random.stats.distinct_schedules > 1
            && random.stats.distinct_schedules <= report.stats.executions,
        "random sampling {} times repeats some of the {} schedules and finds several: {:?}",
        random.stats.executions,
        report.stats.executions,
        random.stats
    );
}

#[test]
fn dfs_moves_on_to_the_next_fault_plan_and_its_seed_file_replays() {
    // The first plan (seed 0) never fails the fetch, so finding the leak takes DFS through
    // every schedule of that plan and on to later ones; each plan is one program for DFS.
    let one_plan = small_transfers(Explorer::new(Strategy::Dfs).iterations(10_000))
        .explore(scenario("release-on-error"), Variant::Fixed)
        .stats
        .executions;
    let dir = std::env::temp_dir().join(format!("lockstep-dfs-plans-{}", std::process::id()));
    let report = small_transfers(Explorer::new(Strategy::Dfs).iterations(10_000))
        .faults(faults())
        .shrink_budget(0)
        .seeds_dir(&dir)
        .explore(
            scenario("release-on-error"),
            Variant::Bug("leak-on-network-error"),
        );
    let failure = report.failure.expect("DFS finds the planted leak");
    assert!(
        failure.execution > one_plan,
        "found at execution {}, within the first plan's {one_plan}",
        failure.execution
    );
    let path = report
        .seed_file
        .expect("a seed directory was set")
        .expect("the seed file was written");
    let replayed =
        lockstep::replay::replay(&path, model::scenarios::ALL).expect("the seed replays");
    assert_eq!(replayed.failure.as_deref(), Some(failure.message.as_str()));
    std::fs::remove_dir_all(&dir).expect("remove the temporary seeds");
}

#[test]
fn dfs_passes_the_fixed_session_scenarios_with_timeouts() {
    for name in ["session-close-race", "session-lock-timeout-retry"] {
        let report = Explorer::new(Strategy::Dfs)
            .iterations(500)
            .faults(faults())
            .explore(scenario(name), Variant::Fixed);
        assert!(report.failure.is_none(), "{name}: {:?}", report.failure);
    }
}

/// A body that draws shuttle's own random data (`shuttle::rand`, not `lockstep::random`) gets
/// it from the strategy's stream through lockstep's schedulers: the draws vary, and the same
/// seed gives the same draws.
#[test]
fn shuttles_own_random_data_comes_from_the_strategys_stream() {
    use shuttle::rand::RngCore;
    use std::sync::{Arc, Mutex};
    let draws_of = |seed: u64| {
        let draws = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&draws);
        Explorer::new(Strategy::Random)
            .seed(seed)
            .iterations(2)
            .run(move || {
                let mut rng = shuttle::rand::thread_rng();
                let pair = (rng.next_u64(), rng.next_u64());
                sink.lock().unwrap().push(pair);
            })
            .unwrap_or_else(|f| panic!("{}", f.message));
        let draws = draws.lock().unwrap().clone();
        draws
    };
    let first = draws_of(3);
    assert_eq!(first.len(), 2, "one pair per execution");
    assert_eq!(first, draws_of(3), "the same seed, the same draws");
    let all: std::collections::BTreeSet<u64> = first.iter().flat_map(|&(a, b)| [a, b]).collect();
    assert_eq!(
        all.len(),
        4,
        "four draws, four different numbers: {first:?}"
    );
}
