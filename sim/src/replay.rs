//! Replaying seed files: the recorded execution again, alone, with its full trace.
//!
//! A replay runs the schedule twice and compares the traces (so a model that reads a real clock
//! or iterates a `HashMap` is caught as nondeterministic), then checks the outcome the file
//! expects: the same failure message, or a pass.

use crate::explorer::shuttle_config;
use crate::harness::Harness;
use crate::scenario::{self, Scenario, Variant};
use crate::schedule::{Divergence, Replay};
use crate::seed::{Expected, SeedError, SeedFile};
use std::path::Path;
use std::sync::{Arc, Mutex};

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

/// One execution along `schedule`.
struct Run {
    failure: Option<String>,
    trace: String,
    divergence: Option<Divergence>,
}

fn run_once(scenario: &Scenario, variant: Variant, schedule: &[usize]) -> Run {
    let run = scenario.run;
    let divergence = Arc::new(Mutex::new(None));
    let replay = Replay::new(schedule.to_vec(), Arc::clone(&divergence));
    let ended = Harness::new(move || run(variant)).run(true, |f| {
        shuttle::Runner::new(replay, shuttle_config(None)).run(f);
    });
    let divergence = divergence.lock().unwrap_or_else(|e| e.into_inner()).take();
    Run {
        failure: ended.failure,
        trace: ended.trace.unwrap_or_default(),
        divergence,
    }
}

/// Replays the seed file at `path` with the scenarios `scenarios`, checking that it is
/// deterministic and ends the way the file expects.
pub fn replay(path: &Path, scenarios: &[Scenario]) -> Result<Replayed, SeedError> {
    let seed = SeedFile::read(path)?;
    if seed.backend != crate::BACKEND {
        return Err(SeedError::WrongBackend {
            path: path.into(),
            recorded: seed.backend,
            running: crate::BACKEND,
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
    let first = run_once(scenario, variant, &seed.schedule);
    if let Some(Divergence {
        step,
        wanted,
        runnable,
    }) = first.divergence
    {
        return Err(SeedError::Stale {
            path: path.into(),
            step,
            wanted,
            runnable,
        });
    }
    let second = run_once(scenario, variant, &seed.schedule);
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
        Expected::Fail => first.failure.as_deref() == Some(seed.message.as_str()),
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
