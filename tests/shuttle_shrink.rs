//! Shrinking under shuttle: a failure shrinks to a smaller execution that fails the same way,
//! deterministically, and the shrunk seed replays.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::fault::FaultPlan;
use lockstep::scenario::Variant;
use lockstep::seed::{SeedError, SeedFile};
use lockstep::shrink::shrink;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-shrink-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The unshrunk seed of the session manager's leaked operation lock (found with faults).
fn unshrunk_seed(dir: &std::path::Path) -> SeedFile {
    let plan = FaultPlan::every_kind(0.05, std::time::Duration::ZERO);
    let report = Explorer::new(Strategy::Random)
        .faults(plan)
        .shrink_budget(0)
        .seeds_dir(dir)
        .explore(
            model::scenarios::find("session-release-on-error").unwrap(),
            Variant::Bug(model::session::manager::SKIP_RELEASE_ON_ERROR),
        );
    SeedFile::read(&report.seed_file.unwrap().unwrap()).unwrap()
}

#[test]
fn a_failure_shrinks_deterministically_to_a_smaller_one_that_fails_the_same_way() {
    let dir = scratch("smaller");
    let seed = unshrunk_seed(&dir);
    assert!(seed.shrinking.is_none());
    let scenario = model::scenarios::find(&seed.scenario).unwrap();
    let variant = scenario.variant(&seed.variant).unwrap();
    let first = shrink(&seed, scenario, variant, 600).unwrap();
    let second = shrink(&seed, scenario, variant, 600).unwrap();
    assert_eq!(first.seed, second.seed, "same input, same output");
    assert_eq!(first.trace, second.trace);
    let sizes = first.seed.shrinking.unwrap();
    assert!(sizes.shrunk < sizes.original, "{sizes:?}");
    assert!(sizes.shrunk.steps <= sizes.original.steps);
    assert!(sizes.shrunk.preemptions <= sizes.original.preemptions);
    assert!(sizes.shrunk.faults <= sizes.original.faults);
    assert!(
        first
            .seed
            .message
            .contains("while holding Mutex \"operation\""),
        "{}",
        first.seed.message
    );
    assert_eq!(first.seed.schedule.len(), sizes.shrunk.steps);

    let path = dir.join("shrunk.toml");
    std::fs::write(&path, first.seed.to_toml()).unwrap();
    let replayed =
        lockstep::replay::replay(&path, model::scenarios::ALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        replayed.trace, first.trace,
        "the shrunk seed replays its shrunk trace"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_explorer_shrinks_before_it_writes_the_seed_file() {
    let dir = scratch("explorer");
    let report = Explorer::new(Strategy::Random)
        .seed(0)
        .seeds_dir(&dir)
        .explore(
            model::scenarios::find("lost-update").unwrap(),
            Variant::Bug("read-then-write"),
        );
    let failure = report.failure.unwrap();
    let seed = SeedFile::read(&report.seed_file.unwrap().unwrap()).unwrap();
    let sizes = seed.shrinking.expect("the stored seed is the shrunk one");
    assert!(sizes.shrunk <= sizes.original);
    assert_eq!(
        seed.schedule, failure.schedule,
        "the report shows the shrunk execution"
    );
    assert_eq!(seed.message, failure.message, "and its message");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shrinking_a_seed_that_does_not_fail_is_a_clear_error() {
    let dir = scratch("not-failing");
    let seed = unshrunk_seed(&dir);
    let mut passing = seed.clone();
    passing.variant = "fixed".into();
    let path = dir.join("passing.toml");
    std::fs::write(&path, passing.to_toml()).unwrap();
    let err = lockstep::shrink::shrink_file(&path, model::scenarios::ALL, 100).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("the seed's execution does not fail, so there is nothing to shrink"),
        "{message}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The unshrunk seed of the lost update, found with `workers` workers.
fn unshrunk_lost_update(dir: &std::path::Path, workers: usize) -> SeedFile {
    let report = Explorer::new(Strategy::Random)
        .size("workers", workers)
        .shrink_budget(0)
        .seeds_dir(dir)
        .explore(
            model::scenarios::find("lost-update").unwrap(),
            Variant::Bug("read-then-write"),
        );
    SeedFile::read(&report.seed_file.unwrap().unwrap()).unwrap()
}

#[test]
fn shrinking_lowers_a_size_knob_and_the_result_replays_with_the_same_message() {
    let dir = scratch("knob");
    let seed = unshrunk_lost_update(&dir, 4);
    assert_eq!(
        seed.sizes.get("workers"),
        Some(&4),
        "the explorer's override is recorded"
    );
    assert!(
        seed.message.ends_with("after 4 increments"),
        "{}",
        seed.message
    );
    let scenario = model::scenarios::find(&seed.scenario).unwrap();
    let variant = scenario.variant(&seed.variant).unwrap();
    let shrunk = shrink(&seed, scenario, variant, 600).unwrap();
    assert_eq!(
        shrunk.seed.sizes.get("workers"),
        Some(&2),
        "two workers are the fewest that lose an update"
    );
    assert_eq!(
        shrunk.seed.message, "lost update: counter is 1 after 2 increments",
        "the same failure, counted on the smaller run"
    );
    let sizes = shrunk.seed.shrinking.unwrap();
    assert!(
        sizes.shrunk.steps < sizes.original.steps,
        "fewer operations: {sizes:?}"
    );
    let text = shrunk.seed.to_toml();
    assert!(text.contains("\n[sizes]\nworkers = 2\n"), "{text}");

    let path = dir.join("shrunk.toml");
    std::fs::write(&path, &text).unwrap();
    let replayed =
        lockstep::replay::replay(&path, model::scenarios::ALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        replayed.failure.as_deref(),
        Some(shrunk.seed.message.as_str())
    );
    assert_eq!(
        replayed.trace, shrunk.trace,
        "the knob is applied by the replay"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shrinking_with_size_knobs_is_deterministic() {
    let dir = scratch("knob-determinism");
    let seed = unshrunk_lost_update(&dir, 5);
    let scenario = model::scenarios::find(&seed.scenario).unwrap();
    let variant = scenario.variant(&seed.variant).unwrap();
    let first = shrink(&seed, scenario, variant, 600).unwrap();
    for _ in 0..2 {
        let again = shrink(&seed, scenario, variant, 600).unwrap();
        assert_eq!(again.seed, first.seed, "same input, same output");
        assert_eq!(again.trace, first.trace);
    }
    assert!(!first.seed.sizes.is_empty(), "{:?}", first.seed);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_seed_naming_a_size_knob_the_scenario_never_reads_is_a_clear_error() {
    let dir = scratch("unknown-knob");
    let mut seed = unshrunk_lost_update(&dir, 2);
    seed.sizes.clear();
    let old = seed.to_toml();
    assert!(!old.contains("[sizes]"), "no knobs, no table: {old}");
    assert!(
        SeedFile::parse(&old).unwrap().sizes.is_empty(),
        "a file without [sizes] parses"
    );
    seed.sizes.insert("clients".into(), 3);
    let path = dir.join("unknown-knob.toml");
    std::fs::write(&path, seed.to_toml()).unwrap();
    let replayed = lockstep::replay::replay(&path, model::scenarios::ALL).unwrap_err();
    let shrunk = lockstep::shrink::shrink_file(&path, model::scenarios::ALL, 100).unwrap_err();
    for err in [replayed, shrunk] {
        assert!(matches!(err, SeedError::UnknownSize { .. }), "{err}");
        let message = err.to_string();
        assert_eq!(
            message,
            format!(
                "{}: [sizes] sets `clients`, but scenario `lost-update` reads no size knob of \
                 that name; it reads: workers",
                path.display()
            )
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_shrunk_seed_is_a_fixpoint_that_shrinks_no_further() {
    let dir = scratch("fixpoint");
    for seed in [unshrunk_seed(&dir), unshrunk_lost_update(&dir, 4)] {
        let scenario = model::scenarios::find(&seed.scenario).unwrap();
        let variant = scenario.variant(&seed.variant).unwrap();
        let once = shrink(&seed, scenario, variant, 600).unwrap();
        assert!(once.smaller, "{}: the unshrunk seed shrinks", seed.scenario);
        let twice = shrink(&once.seed, scenario, variant, 600).unwrap();
        assert!(
            !twice.smaller,
            "{}: shrinking stopped before its fixpoint: {:?} shrank again to {:?}",
            seed.scenario, once.seed.shrinking, twice.seed.shrinking
        );
        assert_eq!(twice.seed.schedule, once.seed.schedule);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn delta_debugging_removes_single_steps_once_halves_no_longer_help() {
    // With two workers no knob can shrink: the schedule alone must go from 5 preemptions to 2
    // (a worker preempted between its read and its write, and the switch back), which takes
    // removing single steps; removing halves alone stops at 3.
    let dir = scratch("single-steps");
    let seed = unshrunk_lost_update(&dir, 2);
    let scenario = model::scenarios::find(&seed.scenario).unwrap();
    let variant = scenario.variant(&seed.variant).unwrap();
    let shrunk = shrink(&seed, scenario, variant, 600).unwrap();
    assert_eq!(shrunk.seed.sizes, seed.sizes, "no knob could shrink");
    assert!(shrunk.smaller, "a shorter schedule alone is smaller");
    let sizes = shrunk.seed.shrinking.unwrap();
    assert_eq!(
        (sizes.shrunk.preemptions, sizes.shrunk.steps),
        (2, 17),
        "{sizes:?}: {:?}",
        shrunk.seed.schedule
    );
    std::fs::remove_dir_all(dir).unwrap();
}
