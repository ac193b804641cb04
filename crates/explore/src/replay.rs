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

/// One execution along `schedule` (strict, or lenient for the shrinker), with what the
/// replay scheduler saw.
#[cfg(feature = "shuttle")]
pub(crate) fn replay_schedule(
    seed: &SeedFile,
    scenario: &Scenario,
    variant: Variant,
    schedule: &[usize],
    lenient: bool,
) -> ScheduledRun {
    replay_schedule_traced(seed, scenario, variant, schedule, lenient, true)
}

/// [`replay_schedule`], rendering the trace only if `render` (or the execution failed).
#[cfg(feature = "shuttle")]
pub(crate) fn replay_schedule_traced(
    seed: &SeedFile,
    scenario: &Scenario,
    variant: Variant,
    schedule: &[usize],
    lenient: bool,
    render: bool,
) -> ScheduledRun {
    use crate::run::schedule::{Replay, ReplayLog};
    use std::sync::{Arc, Mutex};
    let log = Arc::new(Mutex::new(ReplayLog::default()));
    let replay = Replay::new(schedule.to_vec(), lenient, Arc::clone(&log));
    let mut config = crate::run::config(None);
    if lenient {
        // A shrink candidate that spins (an edited schedule can starve the thread everyone
        // waits for) is not worth a million steps: it fails fast, differently, and is dropped.
        config.max_steps = shuttle::MaxSteps::FailAfter((schedule.len() * 20).max(10_000));
    }
    let ended = harness(seed, scenario, variant).run(render, |f| {
        shuttle::Runner::new(replay, config).run(f);
    });
    let log = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
    ScheduledRun {
        ended,
        divergence: log.divergence,
        executed: log.executed,
        preemptions: log.preemptions,
        spawns_and_joins: log.spawns_and_joins,
    }
}

/// An execution along a given schedule.
#[cfg(feature = "shuttle")]
pub(crate) struct ScheduledRun {
    pub(crate) ended: crate::run::harness::Ended,
    pub(crate) divergence: Option<crate::run::schedule::Divergence>,
    pub(crate) executed: Vec<usize>,
    pub(crate) preemptions: usize,
    pub(crate) spawns_and_joins: Vec<Option<usize>>,
}

/// One replayed execution.
struct Run {
    failure: Option<String>,
    trace: String,
    /// The size knobs it read, with their values.
    sizes: Vec<(&'static str, usize)>,
}

/// Runs the recorded execution once, along the seed's schedule.
#[cfg(feature = "shuttle")]
fn run_once(
    path: &Path,
    seed: &SeedFile,
    scenario: &Scenario,
    variant: Variant,
) -> Result<Run, SeedError> {
    let log = replay_schedule(seed, scenario, variant, &seed.schedule, false);
    if let Some(crate::run::schedule::Divergence {
        step,
        wanted,
        runnable,
    }) = log.divergence
    {
        return Err(SeedError::Stale {
            path: path.into(),
            step,
            wanted,
            runnable,
        });
    }
    let ended = log.ended;
    Ok(Run {
        failure: ended.failure,
        trace: ended.trace.unwrap_or_default(),
        sizes: ended.sizes,
    })
}

/// Runs the recorded execution once: loom runs the checkpointed path first, and only it.
#[cfg(loom)]
fn run_once(
    path: &Path,
    seed: &SeedFile,
    scenario: &Scenario,
    variant: Variant,
) -> Result<Run, SeedError> {
    let malformed = |reason: String| SeedError::Malformed {
        path: path.into(),
        reason,
    };
    let name = seed.loom_checkpoint.as_ref().ok_or_else(|| {
        malformed("missing field `loom_checkpoint` (a loom seed names its checkpoint file)".into())
    })?;
    let checkpoint = path.parent().unwrap_or(Path::new(".")).join(name);
    let text = std::fs::read_to_string(&checkpoint).map_err(|source| SeedError::Read {
        path: checkpoint.as_path().into(),
        source,
    })?;
    serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| malformed(format!("loom checkpoint {}: {e}", checkpoint.display())))?;
    let strategy: crate::run::Strategy = seed.strategy.parse().map_err(malformed)?;
    // loom rewrites its checkpoint file as it goes: give it a copy, never the seed's own, and
    // one per replay (numbered within the process), so concurrent replays (parallel tests) do
    // not rewrite or remove each other's.
    static REPLAYS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let scratch = std::env::temp_dir().join(format!(
        "lockstep-replay-{}-{}.loom.json",
        std::process::id(),
        REPLAYS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&scratch, &text).map_err(|source| SeedError::Write {
        path: scratch.as_path().into(),
        source,
    })?;
    let ended = harness(seed, scenario, variant).run(true, |f| {
        let mut builder = crate::run::builder(strategy);
        builder.checkpoint_file = Some(scratch.clone());
        builder.checkpoint_interval = 1;
        // loom checks the bound before each execution: 2 lets exactly one run.
        builder.max_permutations = Some(2);
        builder.check(f);
    });
    let _ = std::fs::remove_file(&scratch);
    Ok(Run {
        failure: ended.failure,
        trace: ended.trace.unwrap_or_default(),
        sizes: ended.sizes,
    })
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
