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

/// The harness for one replay of `seed`: its scenario, with its fault plan, fault seed and size
/// knobs.
fn harness(
    seed: &SeedFile,
    scenario: &Scenario,
    variant: Variant,
) -> Harness<impl Fn() + Send + Sync + 'static> {
    let run = scenario.run;
    let mut harness = Harness::new(move || run(variant));
    harness.setup.faults = seed.faults.clone().map(std::sync::Arc::new);
    harness.setup.fault_seed =
        lockstep_engine::kernel::FaultSeed::Fixed(seed.fault_seed.unwrap_or(0));
    harness.setup.sizes = std::sync::Arc::new(seed.sizes.clone());
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

/// The registered scenario and variant a seed file names, if this build can run it.
pub(crate) fn resolve<'a>(
    path: &Path,
    seed: &SeedFile,
    scenarios: &'a [Scenario],
) -> Result<(&'a Scenario, Variant), SeedError> {
    if seed.backend != lockstep_facade::BACKEND {
        return Err(SeedError::WrongBackend {
            path: path.into(),
            recorded: seed.backend.clone(),
            running: lockstep_facade::BACKEND,
        });
    }
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
pub fn replay(path: &Path, scenarios: &[Scenario]) -> Result<Replayed, SeedError> {
    let seed = SeedFile::read(path)?;
    let (scenario, variant) = resolve(path, &seed, scenarios)?;
    let first = run_once(path, &seed, scenario, variant)?;
    if let Some((name, read)) = unread_size(&seed.sizes, &first.sizes) {
        return Err(SeedError::UnknownSize {
            path: path.into(),
            name,
            scenario: seed.scenario.clone(),
            read,
        });
    }
    let second = run_once(path, &seed, scenario, variant)?;
    if let Some((line, first, second)) = first_difference(&first.trace, &second.trace) {
        return Err(SeedError::Nondeterminism {
            path: path.into(),
            line,
            first,
            second,
        });
    }
    let got = match &first.failure {
        None => "passed".to_owned(),
        Some(message) => format!("failed with `{message}`"),
    };
    let reproduced = match seed.expected {
        Expected::Fail => {
            first.failure.as_deref().map(without_line_numbers)
                == Some(without_line_numbers(&seed.message))
        }
        Expected::Pass => first.failure.is_none(),
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
