//! Fault injection under shuttle: plans drawn from the execution's seed, one stream per
//! thread, recorded in seed files and replayed exactly.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::{self, FaultKind, FaultPlan, FaultSite};
use lockstep::scenario::Variant;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

fn release_on_error() -> &'static lockstep::scenario::Scenario {
    model::scenarios::find("release-on-error").unwrap()
}

const LEAK: Variant = Variant::Bug(model::transfer::LEAK_ON_NETWORK_ERROR);

#[test]
fn without_a_plan_no_fault_fires_and_the_error_path_stays_hidden() {
    let report = Explorer::new(Strategy::Random)
        .iterations(300)
        .explore(release_on_error(), LEAK);
    assert!(report.failure.is_none(), "{:?}", report.failure);
}

#[test]
fn a_planted_leak_on_an_error_path_is_found_and_its_fault_plan_replays_exactly() {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-faults", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let plan = FaultPlan::none().kind(FaultKind::NetworkError, 0.5);
    let report = Explorer::new(Strategy::Random)
        .seed(3)
        .faults(plan.clone())
        .seeds_dir(&dir)
        .explore(release_on_error(), LEAK);
    let failure = report.failure.expect("the leak is found");
    assert!(
        failure.message.starts_with("after Err(Fault { site: \"transfer.fetch\", kind: NetworkError }) the thread still holds [\"Mutex \\\"accounts\\\" (rank 1)\"]"),
        "{}",
        failure.message
    );
    let fault_line = |l: &str| l.contains(" fault ") && l.contains("transfer.fetch");
    assert!(failure.trace.lines().any(fault_line), "{}", failure.trace);
    let path = report.seed_file.unwrap().unwrap();
    let seed = lockstep::seed::SeedFile::read(&path).unwrap();
    assert_eq!(seed.faults, Some(plan));
    assert!(seed.fault_seed.is_some());
    let replayed =
        lockstep::replay::replay(&path, model::scenarios::ALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.trace, failure.trace, "same faults, same execution");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_fixed_transfer_releases_on_every_error_path() {
    let plan = FaultPlan::none()
        .kind(FaultKind::NetworkError, 0.3)
        .kind(FaultKind::OperationError, 0.3);
    let report = Explorer::new(Strategy::Pct { depth: 2 })
        .iterations(500)
        .faults(plan)
        .explore(release_on_error(), Variant::Fixed);
    assert!(report.failure.is_none(), "{:?}", report.failure);
}

const COIN: FaultSite = FaultSite::new("coin", FaultKind::OperationError);

#[test]
fn each_thread_draws_from_its_own_stream_whatever_the_schedule() {
    let draws = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&draws);
    let stats = Explorer::new(Strategy::Random)
        .iterations(200)
        .faults(FaultPlan::none().site("coin", 0.5))
        .fault_seed(42)
        .run(move || {
            let threads: Vec<_> = (0..3)
                .map(|t| {
                    lockstep::thread::spawn(move || {
                        let flips: String = (0..8)
                            .map(|_| {
                                if fault::point(&COIN).is_err() {
                                    'E'
                                } else {
                                    '.'
                                }
                            })
                            .collect();
                        lockstep::thread::yield_now();
                        (t, flips)
                    })
                })
                .collect();
            for thread in threads {
                let drawn = thread.join().unwrap();
                sink.lock().unwrap().insert(drawn);
            }
        })
        .unwrap();
    let draws = draws.lock().unwrap().clone();
    assert!(
        stats.distinct_schedules > 50,
        "many schedules ran: {stats:?}"
    );
    assert_eq!(
        draws.len(),
        3,
        "one sequence per thread over every schedule: {draws:?}"
    );
    assert!(draws.iter().any(|(_, flips)| flips.contains('E')));
    assert!(draws.iter().any(|(_, flips)| flips.contains('.')));
}
