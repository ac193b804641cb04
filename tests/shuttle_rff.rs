//! Reads-from fuzzing (`Strategy::Rff`): deterministic from its seed, replayable from its seed
//! files, and quick on the ordering and atomicity shapes that feedback-free search needs
//! hundreds of schedules for.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::sync::atomic::{AtomicI64, Ordering};
use lockstep::sync::Arc;
use lockstep::thread;

/// The execution (1-based) at which `strategy` from `seed` first fails `body`, if it does
/// within `budget` executions.
fn executions_to_failure(
    strategy: Strategy,
    seed: u64,
    budget: usize,
    body: impl Fn() + Send + Sync + 'static,
) -> Option<usize> {
    Explorer::new(strategy)
        .seed(seed)
        .iterations(budget)
        .shrink_budget(0)
        .run(body)
        .err()
        .map(|failure| failure.execution)
}

/// The buggy program of `model::search`'s instance `name`.
fn instance(name: &str) -> fn() {
    model::search::find(name).expect("a listed instance").run
}

fn median(mut values: Vec<usize>) -> usize {
    values.sort_unstable();
    values[values.len() / 2]
}

/// How many of 20 seeds find the bug within `budget`, and the median execution of the first
/// failure (a miss counts as `budget + 1`).
fn found_and_median(
    strategy: Strategy,
    budget: usize,
    body: impl Fn() + Clone + Send + Sync + 'static,
) -> (usize, usize) {
    let firsts: Vec<Option<usize>> = (0..20)
        .map(|seed| executions_to_failure(strategy, seed, budget, body.clone()))
        .collect();
    let found = firsts.iter().filter(|first| first.is_some()).count();
    let median = median(firsts.iter().map(|f| f.unwrap_or(budget + 1)).collect());
    (found, median)
}

/// Runs `body` under `strategy` from `seed` for `budget` executions and returns the set of
/// outcomes (what `body` returned) over all of them.
fn outcomes<T: Ord + Send + 'static>(
    strategy: Strategy,
    seed: u64,
    budget: usize,
    body: impl Fn() -> T + Send + Sync + 'static,
) -> std::collections::BTreeSet<T> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let sink = std::sync::Arc::clone(&seen);
    Explorer::new(strategy)
        .seed(seed)
        .iterations(budget)
        .run(move || {
            let outcome = body();
            sink.lock().unwrap().insert(outcome);
        })
        .expect("the program has no bug");
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    seen
}

#[test]
fn the_same_seed_runs_the_same_executions_to_the_same_failure() {
    let run = |seed| {
        Explorer::new(Strategy::Rff)
            .seed(seed)
            .iterations(1000)
            .shrink_budget(0)
            .run(instance("two-stage-10+10"))
            .expect_err("RFF finds the two-stage violation")
    };
    for seed in [1, 2] {
        let (first, again) = (run(seed), run(seed));
        assert_eq!(first.execution, again.execution, "seed {seed}");
        assert_eq!(first.schedule, again.schedule, "seed {seed}");
        assert_eq!(first.trace, again.trace, "seed {seed}");
        assert_eq!(first.message, again.message, "seed {seed}");
    }
    // Without a failure, the whole sequence of executions is the same too: the same outcome
    // at every execution.
    let sequence = || {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&seen);
        Explorer::new(Strategy::Rff)
            .seed(5)
            .iterations(300)
            .run(move || sink.lock().unwrap().push(store_buffering()))
            .expect("no bug");
        let sequence = std::mem::take(&mut *seen.lock().unwrap());
        sequence
    };
    let first = sequence();
    assert_eq!(first.len(), 300);
    assert_eq!(first, sequence());
}

#[test]
fn two_seeds_search_differently() {
    let first =
        |seed| executions_to_failure(Strategy::Rff, seed, 1000, instance("two-stage-10+10"));
    let firsts: std::collections::BTreeSet<_> = (0..8).map(first).collect();
    assert!(
        firsts.len() > 1,
        "eight seeds failed at the same execution: {firsts:?}"
    );
}

/// Each thread stores its flag, then loads the other's: what the two loads saw.
fn store_buffering() -> (i64, i64) {
    let flags = Arc::new([AtomicI64::new(0), AtomicI64::new(0)]);
    let other = Arc::clone(&flags);
    let left = thread::spawn(move || {
        other[0].store(1, Ordering::SeqCst);
        other[1].load(Ordering::SeqCst)
    });
    flags[1].store(1, Ordering::SeqCst);
    let right = flags[0].load(Ordering::SeqCst);
    (left.join().expect("left"), right)
}

#[test]
fn every_sequentially_consistent_outcome_of_store_buffering_is_reached() {
    // Under sequential consistency (shuttle's model) the loads see (0, 1), (1, 0) or (1, 1).
    let seen = outcomes(Strategy::Rff, 0, 200, store_buffering);
    assert_eq!(seen, [(0, 1), (1, 0), (1, 1)].into());
}

#[test]
fn a_failure_found_by_rff_replays_from_its_seed_file() {
    let dir = std::env::temp_dir().join(format!("lockstep-rff-seeds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let scenario = model::scenarios::find("lost-update").expect("scenario exists");
    let bug = lockstep::scenario::Variant::Bug("read-then-write");
    let report = Explorer::new(Strategy::Rff)
        .seed(3)
        .seeds_dir(&dir)
        .explore(scenario, bug);
    let failure = report.failure.expect("RFF finds the lost update");
    let path = report.seed_file.expect("a seed file").expect("written");
    let seed = lockstep::seed::SeedFile::read(&path).expect("readable");
    assert_eq!(seed.strategy, "rff");
    assert_eq!(seed.schedule, failure.schedule);
    let replayed = lockstep::replay::replay(&path, model::scenarios::ALL).expect("replays");
    assert_eq!(replayed.failure.as_deref(), Some(failure.message.as_str()));
    assert_eq!(
        replayed.trace, failure.trace,
        "the replay is the same execution"
    );
    std::fs::remove_dir_all(dir).expect("cleaned up");
}

/// Found on all 20 seeds within `budget`, with a median of at most `median_bound` executions
/// (seeded, so the same on every run; the bounds leave margin over what was measured).
fn assert_found_everywhere(
    what: &str,
    budget: usize,
    median_bound: usize,
    body: impl Fn() + Clone + Send + Sync + 'static,
) {
    let (found, median) = found_and_median(Strategy::Rff, budget, body);
    assert_eq!(
        found, 20,
        "{what}: found on {found}/20 seeds within {budget}"
    );
    assert!(
        median <= median_bound,
        "{what}: median {median} executions to the first failure, more than {median_bound}"
    );
}

#[test]
fn the_ungated_reorder_is_found_within_single_digit_medians_at_any_thread_count() {
    // Measured: median 3 at N = 10, 20 and 100.
    for threads in [10, 20, 100] {
        let name = format!("reorder-{threads}");
        assert_found_everywhere(&name, 100, 6, instance(&name));
    }
}

#[test]
fn the_two_stage_violation_is_found_on_every_seed() {
    // Measured: median 7 at 10 + 10 threads, 16 at 99 + 1.
    for (name, median_bound) in [("two-stage-10+10", 15), ("two-stage-99+1", 32)] {
        assert_found_everywhere(name, 400, median_bound, instance(name));
    }
}

#[test]
fn feedback_round_trips_through_its_file_merges_and_steers_the_next_run() {
    use lockstep::explore::{Feedback, FeedbackError};
    let dir = std::env::temp_dir().join(format!("lockstep-rff-feedback-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Two shards of one search: other seeds, so other mutations, each with its feedback.
    let shards = [Feedback::new(), Feedback::new()];
    for (seed, feedback) in (0..).zip(&shards) {
        Explorer::new(Strategy::Rff)
            .seed(seed)
            .iterations(40)
            .feedback(feedback)
            .run(|| {
                store_buffering();
            })
            .expect("no bug");
        assert!(
            feedback.pairs() > 0 && feedback.schedules() > 0,
            "{feedback:?}"
        );
    }
    let file = dir.join("shard-1.toml");
    shards[0].save(&file).expect("saved");
    let loaded = Feedback::load(&file).expect("loaded");
    assert_eq!(
        (loaded.pairs(), loaded.schedules()),
        (shards[0].pairs(), shards[0].schedules())
    );
    loaded.merge(&shards[1]);
    assert_eq!(
        loaded.schedules(),
        shards[0].schedules() + shards[1].schedules()
    );
    assert!(loaded.pairs() >= shards[0].pairs().max(shards[1].pairs()));
    assert!(loaded.pairs() <= shards[0].pairs() + shards[1].pairs());
    let merged = dir.join("merged.toml");
    loaded.save(&merged).expect("saved");
    // The same seed from the same feedback runs the same executions.
    let from_merged = || {
        Explorer::new(Strategy::Rff)
            .seed(9)
            .iterations(1000)
            .shrink_budget(0)
            .feedback(&Feedback::load(&merged).expect("loaded"))
            .run(instance("two-stage-10+10"))
            .expect_err("RFF finds the two-stage violation")
    };
    let (first, again) = (from_merged(), from_merged());
    assert_eq!(
        (first.execution, &first.schedule),
        (again.execution, &again.schedule)
    );
    std::fs::write(
        dir.join("bad.toml"),
        "version = 7\npairs = []\nentries = []\n",
    )
    .unwrap();
    let error = Feedback::load(dir.join("bad.toml")).expect_err("another version");
    assert!(matches!(error, FeedbackError::Invalid { .. }), "{error}");
    assert!(
        error.to_string().contains("bad.toml") && error.to_string().contains("version 7"),
        "{error}"
    );
    std::fs::remove_dir_all(dir).expect("cleaned up");
}
