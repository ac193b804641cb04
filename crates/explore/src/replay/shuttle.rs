//! Replaying under shuttle: one execution along a recorded schedule, strictly (a seed file) or
//! leniently (a shrink candidate).

use super::{harness, Body, Run};
use crate::seed::{unread_size, SeedError, SeedFile};
use std::path::Path;

/// One execution along `schedule` (strict, or lenient for the shrinker), with what the
/// replay scheduler saw.
pub(crate) fn replay_schedule(
    seed: &SeedFile,
    body: &Body,
    schedule: &[usize],
    lenient: bool,
) -> ScheduledRun {
    use crate::run::schedule::{Replay, ReplayLog};
    use std::sync::{Arc, Mutex};
    let log = Arc::new(Mutex::new(ReplayLog::default()));
    let replay = Replay::new(schedule.to_vec(), lenient, Arc::clone(&log));
    let mut config = crate::run::config(None);
    if lenient {
        // A shrink candidate that spins (an edited schedule can starve the thread everyone
        // waits for) is not worth a million steps: it fails fast, differently, and is dropped.
        // Never above the exploration's bound, which a strict replay keeps: a candidate must
        // not run (and record) more steps than the exploration allowed.
        let bound = (schedule.len() * 20).clamp(10_000, crate::run::MAX_STEPS);
        config.max_steps = shuttle::MaxSteps::FailAfter(bound);
    }
    let ended = harness(seed, body).run(true, |f| {
        crate::run::runner(replay, config).run(f);
    });
    let log = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
    ScheduledRun {
        ended,
        divergence: log.divergence,
        ran_out: log.ran_out,
        executed: log.executed,
        preemptions: log.preemptions,
        spawns_and_joins: log.spawns_and_joins,
    }
}

/// An execution along a given schedule.
pub(crate) struct ScheduledRun {
    pub(crate) ended: crate::run::harness::Ended,
    pub(crate) divergence: Option<crate::run::schedule::Divergence>,
    /// Where a strict replay ran out of recorded steps (the schedule's length), if it did.
    pub(crate) ran_out: Option<usize>,
    pub(crate) executed: Vec<usize>,
    pub(crate) preemptions: usize,
    pub(crate) spawns_and_joins: Vec<Option<usize>>,
}

/// Runs the recorded execution once, along the seed's schedule.
pub(super) fn run_once(path: &Path, seed: &SeedFile, body: &Body) -> Result<Run, SeedError> {
    let log = replay_schedule(seed, body, &seed.schedule, false);
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
    if let Some(steps) = log.ran_out {
        // A knob the scenario does not read is the file's real problem (the schedule was
        // recorded at other sizes); scenarios read their knobs up front, so it shows already.
        if let Some((name, read)) = unread_size(&seed.sizes, &log.ended.sizes) {
            return Err(SeedError::UnknownSize {
                path: path.into(),
                name,
                scenario: seed.scenario.clone(),
                read,
            });
        }
        return Err(SeedError::ScheduleEnded {
            path: path.into(),
            step: steps,
        });
    }
    let ended = log.ended;
    Ok(Run {
        failure: ended.failure,
        trace: ended.trace.unwrap_or_default(),
        sizes: ended.sizes,
    })
}
