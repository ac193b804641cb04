//! Seed files under loom: a failure found by exhaustive exploration is written with loom's
//! checkpoint beside it and replays alone, to the same trace.
#![cfg(loom)]

use lockstep::explore::{Explorer, Strategy};
use lockstep::replay::replay;
use lockstep::scenario::Variant;
use lockstep::seed::{SeedError, SeedFile};

#[test]
fn a_loom_failure_round_trips_through_its_seed_file_and_checkpoint() {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-loom-seeds", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let scenario = model::scenarios::find("lost-update").unwrap();
    let report = Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
    .size("workers", 2)
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
    assert_eq!(
        replayed.trace, failure.trace,
        "the replay is the failing execution"
    );

    std::fs::remove_file(dir.join(&checkpoint)).unwrap();
    let err = replay(&path, model::scenarios::ALL).unwrap_err();
    assert!(matches!(err, SeedError::Read { .. }), "{err}");
    assert!(err.to_string().contains(&checkpoint), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn under_loom_the_fault_plan_is_fixed_per_run_and_tests_enumerate_seeds() {
    use lockstep::fault::{self, FaultKind, FaultPlan, FaultSite};
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};
    const COIN: FaultSite = FaultSite::new("coin", FaultKind::OperationError);
    let mut per_seed = Vec::new();
    for fault_seed in 0..8 {
        let seen = Arc::new(Mutex::new(BTreeSet::new()));
        let sink = Arc::clone(&seen);
        Explorer::new(Strategy::Exhaustive {
            preemption_bound: Some(2),
        })
        .faults(FaultPlan::none().site("coin", 0.5))
        .fault_seed(fault_seed)
        .run(move || {
            let other = lockstep::thread::spawn(|| fault::point(&COIN).is_err());
            let mine = fault::point(&COIN).is_err();
            let theirs = other.join().unwrap();
            sink.lock().unwrap().insert((mine, theirs));
        })
        .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen.len(),
            1,
            "one plan for every interleaving of a run: {seen:?}"
        );
        per_seed.extend(seen);
    }
    let plans: BTreeSet<_> = per_seed.into_iter().collect();
    assert!(
        plans.len() > 1,
        "different fault seeds give different plans: {plans:?}"
    );
}

/// `lockstep ARGS...` against the model's scenarios: (exit code, stdout, stderr).
fn lockstep(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("lockstep").chain(args.iter().copied());
    let code = lockstep::cli::run(argv, model::scenarios::ALL, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn a_size_override_on_the_command_line_reaches_the_loom_seed_file() {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-loom-cli-size", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (code, out, err) = lockstep(&[
        "explore",
        "lost-update",
        "--bug",
        "read-then-write",
        "--faults",
        "none",
        "--size",
        "workers=2",
        "--seeds-dir",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, lockstep::cli::OK, "{out}{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["strategy"], "exhaustive-2");
    assert_eq!(rows[0]["sizes"], serde_json::json!({ "workers": 2 }));
    let path = rows[0]["seed_file"]
        .as_str()
        .expect("a seed file is written");
    let seed = SeedFile::read(path.as_ref()).unwrap();
    assert_eq!(seed.sizes, [("workers".to_owned(), 2)].into());
    assert!(
        seed.message.ends_with("after 2 increments"),
        "{}",
        seed.message
    );
    let replayed = replay(path.as_ref(), model::scenarios::ALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.failure.as_deref(), Some(seed.message.as_str()));

    let (code, _, err) = lockstep(&["explore", "lost-update", "--size", "holders=2"]);
    assert_eq!(code, lockstep::cli::BAD_INPUT);
    assert_eq!(
        err,
        "lockstep: --size holders=2: no chosen scenario reads a size knob `holders`; they read: workers\n"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shrink_under_loom_says_it_needs_the_shuttle_build() {
    let (code, _, err) = lockstep(&["shrink", "seeds/any.toml", "--budget", "5"]);
    assert_eq!(code, lockstep::cli::BAD_INPUT);
    assert!(err.contains("shrink needs the shuttle build"), "{err}");
}
