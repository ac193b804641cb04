//! Replaying seed files: the recorded execution again, alone, with its full trace.
//!
//! A replay runs the execution twice and compares the traces (so a model that reads a real
//! clock or iterates a `HashMap` is caught as nondeterministic), then checks the outcome the
//! file expects: the same failure message (source locations compared by file, not line, so
//! unrelated edits do not invalidate the corpus), or a pass.
//!
//! Shuttle seeds carry the schedule itself; loom seeds name a loom checkpoint beside them (the
//! failing execution's path as loom records it), which loom runs first.

use crate::run::harness::Harness;
use crate::seed::{unread_size, without_line_numbers, Expected, SeedError, SeedFile};
use lockstep_facade::scenario::{self, Scenario, Variant};
use std::path::Path;

/// A replayed seed file.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The file's contents.
    pub seed: SeedFile,
    /// The failure message, if the execution failed.
    pub failure: Option<String>,
    /// The execution's trace, rendered.
    pub trace: String,
}

/// What a seed file replays: a scenario's variant, or a test's body.
pub(crate) type Body = std::sync::Arc<dyn Fn() + Send + Sync + 'static>;

/// The body of `scenario`'s `variant`.
pub(crate) fn scenario_body(scenario: &Scenario, variant: Variant) -> Body {
    let run = scenario.run;
    std::sync::Arc::new(move || run(variant))
}

/// The harness for one replay of `seed`: its body, with its fault plan, fault seed, size
/// knobs, lock-order rule and liveness rule.
fn harness(seed: &SeedFile, body: &Body) -> Harness<impl Fn() + Send + Sync + 'static> {
    let body = std::sync::Arc::clone(body);
    let mut harness = Harness::new(move || body());
    harness.setup.faults = seed.faults.clone().map(std::sync::Arc::new);
    harness.setup.fault_seed =
        lockstep_engine::kernel::FaultSeed::Fixed(seed.fault_seed.unwrap_or(0));
    harness.setup.sizes = std::sync::Arc::new(seed.sizes.clone());
    harness.setup.graph = Some(lockstep_engine::lock_graph::LockGraph::shared(
        seed.lock_order,
    ));
    harness.setup.liveness = seed.liveness;
    harness.setup.livelock_bound = seed.livelock_detection();
    harness
}

#[cfg(loom)]
mod loom;
#[cfg(loom)]
use self::loom::run_once;
#[cfg(feature = "shuttle")]
mod shuttle;
#[cfg(feature = "shuttle")]
use self::shuttle::run_once;
#[cfg(feature = "shuttle")]
pub(crate) use self::shuttle::{replay_schedule, ScheduledRun};

/// One replayed execution.
struct Run {
    failure: Option<String>,
    trace: String,
    /// The size knobs it read, with their values.
    sizes: Vec<(&'static str, usize)>,
}

/// An error unless `seed` was recorded on the backend this build runs.
fn check_backend(path: &Path, seed: &SeedFile) -> Result<(), SeedError> {
    if seed.backend != lockstep_facade::BACKEND {
        return Err(SeedError::WrongBackend {
            path: path.into(),
            recorded: seed.backend.clone(),
            running: lockstep_facade::BACKEND,
        });
    }
    Ok(())
}

/// The registered scenario and variant a seed file names, if this build can run it.
pub(crate) fn resolve<'a>(
    path: &Path,
    seed: &SeedFile,
    scenarios: &'a [Scenario],
) -> Result<(&'a Scenario, Variant), SeedError> {
    check_backend(path, seed)?;
    let scenario = scenario::find(scenarios, &seed.scenario).ok_or_else(|| SeedError::Unknown {
        path: path.into(),
        what: "scenario",
        name: seed.scenario.clone(),
        known: scenarios
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let variant = scenario
        .variant(&seed.variant)
        .ok_or_else(|| SeedError::Unknown {
            path: path.into(),
            what: "variant",
            name: seed.variant.clone(),
            known: std::iter::once("fixed".to_owned())
                .chain(scenario.bugs.iter().map(|b| format!("bug:{b}")))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    Ok((scenario, variant))
}

/// Replays the seed file at `path` with the scenarios `scenarios`, checking that it is
/// deterministic and ends the way the file expects.
///
/// ```no_run
/// # const SCENARIOS: &[lockstep::scenario::Scenario] = &[];
/// let replayed = lockstep::replay::replay("seeds/lost-update.toml".as_ref(), SCENARIOS)?;
/// println!("{}", replayed.trace);
/// # Ok::<(), lockstep::seed::SeedError>(())
/// ```
pub fn replay(path: &Path, scenarios: &[Scenario]) -> Result<Replayed, SeedError> {
    let seed = SeedFile::read(path)?;
    let (scenario, variant) = resolve(path, &seed, scenarios)?;
    replay_seed(path, seed, &scenario_body(scenario, variant))
}

/// Replays the seed file at `path` of the test called `test` (its `scenario` field) with the
/// test's `body`, checking that it is deterministic and ends the way the file expects.
pub fn replay_test(
    path: &Path,
    test: &str,
    body: impl Fn() + Send + Sync + 'static,
) -> Result<Replayed, SeedError> {
    let seed = test_seed(path, test)?;
    replay_seed(path, seed, &(std::sync::Arc::new(body) as Body))
}

/// Replays the seed file at `path` of the test called `test` with its `body`, like
/// [`replay_test`], but without checking the outcome the file expects: a stored regression
/// that now passes is a fixed bug, one that fails is the bug again (or another).
pub fn replay_test_outcome(
    path: &Path,
    test: &str,
    body: impl Fn() + Send + Sync + 'static,
) -> Result<Replayed, SeedError> {
    let seed = test_seed(path, test)?;
    replay_twice(path, seed, &(std::sync::Arc::new(body) as Body))
}

/// The seed file at `path`, if it was recorded on this backend for the test called `test`.
fn test_seed(path: &Path, test: &str) -> Result<SeedFile, SeedError> {
    let seed = SeedFile::read(path)?;
    check_backend(path, &seed)?;
    if seed.scenario != test {
        return Err(SeedError::Unknown {
            path: path.into(),
            what: "test",
            name: seed.scenario.clone(),
            known: test.to_owned(),
        });
    }
    Ok(seed)
}

/// Replays `seed` (read from `path`) with `body`, then checks the outcome it expects.
fn replay_seed(path: &Path, seed: SeedFile, body: &Body) -> Result<Replayed, SeedError> {
    let replayed = replay_twice(path, seed, body)?;
    let seed = &replayed.seed;
    let got = match &replayed.failure {
        None => "passed".to_owned(),
        Some(message) => format!("failed with `{message}`"),
    };
    let reproduced = match seed.expected {
        Expected::Fail => {
            replayed.failure.as_deref().map(without_line_numbers)
                == Some(without_line_numbers(&seed.message))
        }
        Expected::Pass => replayed.failure.is_none(),
    };
    if !reproduced {
        let expected = match seed.expected {
            Expected::Fail => format!("the failure `{}`", seed.message),
            Expected::Pass => "a pass".to_owned(),
        };
        return Err(SeedError::NotReproduced {
            path: path.into(),
            expected,
            got,
        });
    }
    Ok(replayed)
}

/// Replays `seed` (read from `path`) with `body` twice, comparing the traces (a difference is
/// nondeterminism in the code under test).
fn replay_twice(path: &Path, seed: SeedFile, body: &Body) -> Result<Replayed, SeedError> {
    let first = run_once(path, &seed, body)?;
    if let Some((name, read)) = unread_size(&seed.sizes, &first.sizes) {
        return Err(SeedError::UnknownSize {
            path: path.into(),
            name,
            scenario: seed.scenario.clone(),
            read,
        });
    }
    let second = run_once(path, &seed, body)?;
    if let Some((line, first, second)) = first_difference(&first.trace, &second.trace) {
        return Err(SeedError::Nondeterminism {
            path: path.into(),
            line,
            first,
            second,
        });
    }
    Ok(Replayed {
        seed,
        failure: first.failure,
        trace: first.trace,
    })
}

/// The first line (1-based) where two traces differ, with both versions of it.
fn first_difference(a: &str, b: &str) -> Option<(usize, String, String)> {
    let (mut a, mut b) = (a.lines(), b.lines());
    for line in 1.. {
        match (a.next(), b.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => {
                let end = || "<end of trace>".to_owned();
                return Some((
                    line,
                    x.map_or_else(end, str::to_owned),
                    y.map_or_else(end, str::to_owned),
                ));
            }
        }
    }
    None
}
