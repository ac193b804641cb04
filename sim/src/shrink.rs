//! Shrinking failing executions: a smaller execution that fails the same way.
//!
//! "The same way" is the same failure message pattern: source locations compared by file and
//! every number masked (a smaller execution of a metrics bug counts fewer operations). "Smaller"
//! is fewer preemptions (switches away from a thread that could have gone on), then fewer
//! injected faults, then fewer scheduling steps. Candidates are replayed leniently along an
//! edited schedule: where a recorded thread cannot run, and past the schedule's end, the
//! replay keeps running the current thread (else the lowest-numbered runnable one), so every
//! candidate is deterministic and so is the whole shrink.
//!
//! The search is delta debugging over the recorded schedule (remove chunks, halving their
//! size), then over the faults that fired (turn each site off), repeated until nothing
//! improves or the candidate budget is spent. The budget counts candidates, not seconds, so
//! the same input always gives the same output.

use crate::replay::replay_schedule;
use crate::scenario::{Scenario, Variant};
use crate::seed::{without_line_numbers, SeedFile, Shrinking, Size};

/// A shrunk failure.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The seed file of the smaller execution (its `shrinking` field says by how much).
    pub seed: SeedFile,
    /// Its trace.
    pub trace: String,
}

/// Why shrinking could not start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShrinkError {
    /// The seed's own execution does not fail (as it expects) to begin with.
    #[error("the seed's execution does not fail, so there is nothing to shrink (it {got})")]
    NotFailing {
        /// What happened instead.
        got: String,
    },
}

/// One candidate that failed the same way.
struct Candidate {
    message: String,
    schedule: Vec<usize>,
    plan: Option<crate::fault::FaultPlan>,
    size: Size,
    trace: String,
    sites: Vec<&'static str>,
}

struct Search<'a> {
    seed: &'a SeedFile,
    scenario: &'a Scenario,
    variant: Variant,
    message: String,
    budget: usize,
    candidates: usize,
}

impl Search<'_> {
    /// Replays `schedule` with `plan`; the candidate if it fails the same way.
    fn try_candidate(
        &mut self,
        schedule: &[usize],
        plan: &Option<crate::fault::FaultPlan>,
    ) -> Option<Candidate> {
        self.candidates += 1;
        let mut seed = self.seed.clone();
        seed.faults = plan.clone();
        let run = replay_schedule(&seed, self.scenario, self.variant, schedule, true);
        let message = run.ended.failure?;
        (pattern(&message) == self.message).then(|| Candidate {
            message,
            size: Size {
                preemptions: run.preemptions,
                faults: run.ended.faults.len(),
                steps: run.executed.len(),
            },
            schedule: run.executed,
            plan: plan.clone(),
            trace: run.ended.trace.unwrap_or_default(),
            sites: run.ended.faults,
        })
    }

    fn spent(&self) -> bool {
        self.candidates >= self.budget
    }

    /// Delta debugging over the schedule: remove chunks of halving size while that helps.
    fn shrink_schedule(&mut self, best: &mut Candidate) -> bool {
        let mut improved = false;
        let mut chunks = 2;
        while !self.spent() && chunks <= best.schedule.len().max(1) {
            let len = best.schedule.len();
            let size = len.div_ceil(chunks);
            let mut progress = false;
            for start in (0..len).step_by(size.max(1)) {
                if self.spent() {
                    break;
                }
                let mut schedule = best.schedule.clone();
                schedule.drain(start..(start + size).min(schedule.len()));
                if let Some(candidate) = self.try_candidate(&schedule, &best.plan) {
                    if candidate.size < best.size {
                        *best = candidate;
                        progress = true;
                        break;
                    }
                }
            }
            if progress {
                improved = true;
                chunks = (chunks - 1).max(2);
            } else if size == 1 {
                break;
            } else {
                chunks *= 2;
            }
        }
        improved
    }

    /// Mutes, one by one, the fault sites that fired (they keep drawing, so the other faults
    /// fire exactly as before).
    fn shrink_faults(&mut self, best: &mut Candidate) -> bool {
        let mut improved = false;
        let mut sites = best.sites.clone();
        sites.dedup();
        for site in sites {
            if self.spent() {
                break;
            }
            let Some(plan) = &best.plan else { break };
            let plan = Some(plan.clone().mute(site));
            if let Some(candidate) = self.try_candidate(&best.schedule, &plan) {
                if candidate.size < best.size {
                    *best = candidate;
                    improved = true;
                }
            }
        }
        improved
    }
}

/// Shrinks the failing execution of `seed` (a shuttle seed) within `budget` candidates.
pub fn shrink(
    seed: &SeedFile,
    scenario: &Scenario,
    variant: Variant,
    budget: usize,
) -> Result<Shrunk, ShrinkError> {
    let mut search = Search {
        seed,
        scenario,
        variant,
        message: pattern(&seed.message),
        budget,
        candidates: 0,
    };
    let Some(mut best) = search.try_candidate(&seed.schedule, &seed.faults) else {
        let run = replay_schedule(seed, scenario, variant, &seed.schedule, true);
        let got = match run.ended.failure {
            None => "passes".to_owned(),
            Some(message) => format!("fails with `{message}` instead"),
        };
        return Err(ShrinkError::NotFailing { got });
    };
    let original = best.size;
    loop {
        let schedule = search.shrink_schedule(&mut best);
        let faults = search.shrink_faults(&mut best);
        if search.spent() || !(schedule || faults) {
            break;
        }
    }
    let mut shrunk = seed.clone();
    shrunk.message = best.message;
    shrunk.schedule = best.schedule;
    shrunk.faults = best.plan;
    shrunk.shrinking = Some(Shrinking {
        original: seed.shrinking.map_or(original, |s| s.original),
        shrunk: best.size,
        candidates: search.candidates,
    });
    Ok(Shrunk {
        seed: shrunk,
        trace: best.trace,
    })
}

/// A failure message as shrinking compares it: source locations reduced to their file, every
/// run of digits replaced by `#`.
fn pattern(message: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in without_line_numbers(message).chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}
