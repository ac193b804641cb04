//! Seed files under loom: a failure found by exhaustive exploration is written with loom's
//! checkpoint beside it and replays alone, to the same trace.
#![cfg(loom)]

use sim::explorer::{Explorer, Strategy};
use sim::replay::replay;
use sim::scenario::Variant;
use sim::seed::{SeedError, SeedFile};

#[test]
fn a_loom_failure_round_trips_through_its_seed_file_and_checkpoint() {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-loom-seeds", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let scenario = model::scenarios::find("lost-update").unwrap();
    let report = Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .seeds_dir(&dir)
    .explore(scenario, Variant::Bug("read-then-write"));
    let failure = report.failure.expect("loom finds the lost update");
    let path = report.seed_file.expect("a seed file").expect("written");
    let seed = SeedFile::read(&path).unwrap();
    assert_eq!(seed.backend, "loom");
    assert_eq!(seed.strategy, "exhaustive-2");
    let checkpoint = seed.loom_checkpoint.clone().expect("names its checkpoint");
    assert!(dir.join(&checkpoint).is_file());

    let replayed = replay(&path, model::scenarios::ALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.failure.as_deref(), Some(failure.message.as_str()));
    assert_eq!(replayed.trace, failure.trace, "the replay is the failing execution");

    std::fs::remove_file(dir.join(&checkpoint)).unwrap();
    let err = replay(&path, model::scenarios::ALL).unwrap_err();
    assert!(matches!(err, SeedError::Read { .. }), "{err}");
    assert!(err.to_string().contains(&checkpoint), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
