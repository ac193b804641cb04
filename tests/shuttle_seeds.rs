//! Seed files under shuttle: written on failure, read back, replayed to the same trace for
//! every strategy; every kind of bad input gives a clear error naming the file.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::replay::replay;
use lockstep::scenario::{Scenario, Variant};
use lockstep::seed::{SeedError, SeedFile};
use std::path::{Path, PathBuf};

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lost_update() -> &'static Scenario {
    model::scenarios::find("lost-update").unwrap()
}

const BUG: Variant = Variant::Bug("read-then-write");

#[test]
fn a_failure_round_trips_through_its_seed_file_for_every_strategy() {
    let dir = scratch("round-trip");
    for strategy in [
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Dfs,
    ] {
        let report = Explorer::new(strategy)
            .seed(11)
            .seeds_dir(&dir)
            .explore(lost_update(), BUG);
        let failure = report.failure.expect("the planted bug is found");
        let path = report.seed_file.expect("a seed file").expect("written");
        let seed = SeedFile::read(&path).unwrap();
        assert_eq!(seed.strategy, strategy.to_string());
        assert_eq!(seed.message, failure.message);
        assert_eq!(seed.schedule, failure.schedule);
        let replayed = replay(&path, model::scenarios::ALL).unwrap();
        assert_eq!(replayed.failure.as_deref(), Some(failure.message.as_str()));
        assert_eq!(
            replayed.trace, failure.trace,
            "{strategy}: the replay is the same execution"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_seed_that_cannot_be_written_is_printed_and_the_failure_still_reported() {
    let dir = scratch("unwritable");
    let file = dir.join("not-a-directory");
    std::fs::write(&file, "").unwrap();
    let report = Explorer::new(Strategy::Random)
        .seeds_dir(file.join("seeds"))
        .explore(lost_update(), BUG);
    assert!(report.failure.is_some(), "the failure is reported");
    let err = report
        .seed_file
        .expect("an attempt")
        .expect_err("cannot be written");
    assert!(err.contains("cannot write the seed file"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A valid seed file for the planted lost update, as text.
fn valid_seed(dir: &Path) -> String {
    let report = Explorer::new(Strategy::Random)
        .seeds_dir(dir)
        .explore(lost_update(), BUG);
    std::fs::read_to_string(report.seed_file.unwrap().unwrap()).unwrap()
}

/// Writes `text` as `name` in `dir` and replays it.
fn replay_text(dir: &Path, name: &str, text: &str) -> SeedError {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    replay(&path, model::scenarios::ALL).expect_err("bad input is an error")
}

/// `seed` (a seed file's text) with its schedule cut to its first `steps` steps.
fn truncated(seed: &str, steps: usize) -> String {
    let mut file = SeedFile::parse(seed).unwrap();
    assert!(file.schedule.len() > steps, "{:?}", file.schedule);
    file.schedule.truncate(steps);
    file.to_toml()
}

#[test]
fn bad_seed_files_give_errors_that_name_the_file_and_the_problem() {
    let dir = scratch("bad-input");
    let valid = valid_seed(&dir);
    let with = |from: &str, to: &str| {
        assert!(valid.contains(from), "{from}");
        valid.replace(from, to)
    };
    let cases = [
        (
            "malformed.toml",
            "scenario = [".to_owned(),
            "not a valid seed file",
        ),
        (
            "missing.toml",
            valid
                .lines()
                .filter(|l| !l.starts_with("schedule"))
                .collect::<Vec<_>>()
                .join("\n"),
            "missing field `schedule`",
        ),
        (
            "unknown-scenario.toml",
            with("scenario = \"lost-update\"", "scenario = \"no-such\""),
            "unknown scenario `no-such`; known: lost-update, pool-occupancy",
        ),
        (
            "unknown-variant.toml",
            with("bug:read-then-write", "bug:nope"),
            "unknown variant `bug:nope`; known: fixed, bug:read-then-write",
        ),
        (
            "wrong-backend.toml",
            with("backend = \"shuttle\"", "backend = \"loom\""),
            "recorded with backend `loom`, but this build runs `shuttle`",
        ),
        (
            "stale.toml",
            // Seed files write their schedule run-length encoded (`"0x2 1 ..."`).
            with("schedule = \"0", "schedule = \"7"),
            "stale schedule: at step 1 it runs thread 7, but only [0] can run",
        ),
        (
            "not-reproduced.toml",
            with("expected = \"fail\"", "expected = \"pass\""),
            "expected a pass, but the replay failed with `lost update",
        ),
        (
            "truncated.toml",
            truncated(&valid, 3),
            "the schedule ended at step 3, but the execution had not: the file is truncated",
        ),
    ];
    for (name, text, expected) in cases {
        let message = replay_text(&dir, name, &text).to_string();
        assert!(
            message.starts_with(&dir.join(name).display().to_string()),
            "{message}"
        );
        assert!(message.contains(expected), "{name}: {message}");
    }
    let missing = replay(&dir.join("absent.toml"), model::scenarios::ALL).unwrap_err();
    assert!(matches!(missing, SeedError::Read { .. }), "{missing}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A scenario whose trace depends on something lockstep does not control: a counter that
/// survives from one execution to the next (like a real clock, or a `HashMap`'s order).
const LEAKY: Scenario = Scenario {
    name: "leaky",
    about: "reads state from outside the simulation",
    bugs: &[],
    run: |_| {
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lockstep::trace::event("leaky", format!("run {run}"));
    },
};

/// A scenario that iterates a `HashMap`, whose order is randomized per map.
const HASHING: Scenario = Scenario {
    name: "hashing",
    about: "iterates a HashMap",
    bugs: &[],
    run: |_| {
        let map: std::collections::HashMap<u32, ()> = (0..32).map(|k| (k, ())).collect();
        let order: Vec<String> = map.keys().map(u32::to_string).collect();
        lockstep::trace::event("map", order.join(","));
    },
};

#[test]
fn a_model_that_reads_state_outside_the_simulation_is_caught_as_nondeterministic() {
    let dir = scratch("nondeterminism");
    for scenario in [&LEAKY, &HASHING] {
        let seed = SeedFile {
            lockstep_version: "0.1.0".into(),
            scenario: scenario.name.into(),
            variant: "fixed".into(),
            backend: "shuttle".into(),
            strategy: "random".into(),
            seed: 0,
            iteration: 1,
            expected: lockstep::seed::Expected::Pass,
            message: String::new(),
            schedule: vec![0, 0],
            loom_checkpoint: None,
            fault_seed: None,
            faults: None,
            shrinking: None,
            sizes: Default::default(),
            lock_order: Default::default(),
            liveness: Default::default(),
            livelock_bound: None,
        };
        let path = dir.join(format!("{}.toml", scenario.name));
        std::fs::write(&path, seed.to_toml()).unwrap();
        let err = replay(&path, &[LEAKY, HASHING]).unwrap_err();
        assert!(
            matches!(err, SeedError::Nondeterminism { line: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("nondeterminism detected"), "{err}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
