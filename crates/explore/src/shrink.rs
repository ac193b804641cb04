//! Shrinking failing executions: a smaller execution that fails the same way.
//!
//! "The same way" is the same failure message pattern: its first line (what broke; the lines
//! below list threads, operations or rows, fewer in a smaller execution), source locations
//! compared by file and every number masked (a smaller execution of a metrics bug counts fewer
//! operations). "Smaller" is, first, smaller size knobs (fewer clients, operations, rounds: see
//! `lockstep::scenario::size`) in no more steps, then fewer preemptions (switches away from a
//! thread that could have gone on), then fewer injected faults, then fewer scheduling steps.
//! Candidates are replayed leniently along an edited schedule: where a recorded thread cannot
//! run, and past the schedule's end, the replay keeps running the current thread (else the
//! lowest-numbered runnable one), so every candidate is deterministic and so is the whole
//! shrink.
//!
//! The search first tries smaller values of each size knob the failing execution read (knobs
//! in first-read order; values from 1 up, halving the distance to the current value; the first
//! that fails the same way is kept). Each value is replayed along the current schedule, and if
//! the smaller program spawns fewer threads and that does not fail, along the schedule
//! projected onto its threads: threads matched by spawn site, the steps of the threads it no
//! longer spawns (and their spawns and joins) dropped; of a site's threads, the first ones are
//! kept, then, in another candidate, those that ran last. Then it does delta debugging over the recorded schedule (remove chunks, halving
//! their size), then over the faults that fired (turn each site off), and repeats all three
//! until nothing improves or the candidate budget is spent. The budget counts candidates, not
//! seconds, so the same input always gives the same output; the candidates' steps are bounded
//! too ([`STEP_BUDGET`] in all, and no candidate longer than an exploration may run), which
//! bounds the time a shrink takes, deterministically. The shrunk seed keeps the knob values in
//! its `[sizes]` table, and is never a larger file than its input but for the `[shrinking]`
//! summary it adds: a result whose file would be larger is dropped for the input itself.

use crate::replay::{replay_schedule, resolve, scenario_body, Body, ScheduledRun};
use crate::seed::{unread_size, without_line_numbers, SeedError, SeedFile, Shrinking, Size};
use lockstep_engine::fault_plan::FaultPlan;
use lockstep_engine::kernel::SpawnSite;
use lockstep_facade::scenario::{Scenario, Variant};
use std::collections::BTreeMap;
use std::path::Path;

/// A shrunk failure.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The seed file of the smaller execution (its `shrinking` field says by how much).
    pub seed: SeedFile,
    /// Its trace.
    pub trace: String,
    /// The input's execution, as replayed (the input's own `shrinking.original`, if it was
    /// shrunk before, is the size it was first found at).
    pub input: Size,
    /// Whether the result is smaller than the input: a size knob lowered, or fewer
    /// preemptions, faults or steps. If not, the result is the input's execution again.
    pub smaller: bool,
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
    /// The seed sets a size knob its scenario never reads.
    #[error(
        "[sizes] sets `{name}`, but the scenario reads no size knob of that name; it reads: {read}"
    )]
    UnknownSize {
        /// The knob named in the seed.
        name: String,
        /// The knobs the execution read, in first-read order (`none` if it read none).
        read: String,
    },
}

/// One candidate that failed the same way.
struct Candidate {
    message: String,
    schedule: Vec<usize>,
    plan: Option<FaultPlan>,
    /// The size knob overrides it ran with.
    sizes: BTreeMap<String, usize>,
    /// The size knobs it read, in first-read order, with their values.
    read: Vec<(&'static str, usize)>,
    /// Where its threads were spawned, by task id.
    threads: Vec<Option<SpawnSite>>,
    /// For every step of `schedule`, the thread it spawns or joins, if any.
    spawns_and_joins: Vec<Option<usize>>,
    size: Size,
    trace: String,
    sites: Vec<&'static str>,
}

/// The most scheduling steps all the candidates of one shrink may replay together.
pub const STEP_BUDGET: usize = 20_000_000;

struct Search<'a> {
    seed: &'a SeedFile,
    body: &'a Body,
    message: String,
    budget: usize,
    candidates: usize,
    /// The steps replayed so far, by all candidates.
    steps: usize,
}

impl Search<'_> {
    /// Replays `schedule` with `plan` and the size knob overrides `sizes`.
    fn run(
        &mut self,
        schedule: &[usize],
        plan: &Option<FaultPlan>,
        sizes: &BTreeMap<String, usize>,
    ) -> ScheduledRun {
        self.candidates += 1;
        let mut seed = self.seed.clone();
        seed.faults = plan.clone();
        seed.sizes = sizes.clone();
        let run = replay_schedule(&seed, self.body, schedule, true);
        self.steps += run.executed.len();
        run
    }

    /// The candidate `run` is, if it failed the same way (and read every knob it set).
    fn candidate(
        &self,
        run: ScheduledRun,
        plan: &Option<FaultPlan>,
        sizes: &BTreeMap<String, usize>,
    ) -> Option<Candidate> {
        let message = run.ended.failure?;
        // A seed must read every knob it sets (a knob read late may be skipped by a failure
        // that now comes earlier).
        let same =
            pattern(&message) == self.message && unread_size(sizes, &run.ended.sizes).is_none();
        same.then(|| Candidate {
            message,
            size: Size {
                preemptions: run.preemptions,
                faults: run.ended.faults.len(),
                steps: run.executed.len(),
            },
            schedule: run.executed,
            spawns_and_joins: run.spawns_and_joins,
            plan: plan.clone(),
            sizes: sizes.clone(),
            read: run.ended.sizes,
            threads: run.ended.spawn_sites,
            trace: run.ended.trace.unwrap_or_default(),
            sites: run.ended.faults,
        })
    }

    /// Replays `schedule` with `plan` and `sizes`; the candidate if it fails the same way.
    fn try_candidate(
        &mut self,
        schedule: &[usize],
        plan: &Option<FaultPlan>,
        sizes: &BTreeMap<String, usize>,
    ) -> Option<Candidate> {
        let run = self.run(schedule, plan, sizes);
        self.candidate(run, plan, sizes)
    }

    fn spent(&self) -> bool {
        self.candidates >= self.budget || self.steps >= STEP_BUDGET
    }

    /// Lowers each size knob the best candidate read, in first-read order, to the smallest
    /// of [`smaller`]'s values that still fails the same way in no more steps. Each value is
    /// replayed along the current schedule and, if that does not fail the same way and the
    /// smaller program has fewer threads, along the schedule [`projected`] onto its threads
    /// (keeping each site's first threads, then those that ran last).
    fn shrink_sizes(&mut self, best: &mut Candidate) -> bool {
        let mut improved = false;
        let names: Vec<&'static str> = best.read.iter().map(|(name, _)| *name).collect();
        for name in names {
            // Lowering an earlier knob may have changed (or dropped) this one.
            let Some(&(_, current)) = best.read.iter().find(|(read, _)| *read == name) else {
                continue;
            };
            for value in smaller(current) {
                if self.spent() {
                    return improved;
                }
                let mut sizes = best.sizes.clone();
                sizes.insert(name.to_owned(), value);
                let steps = best.size.steps;
                let no_longer = |c: &Candidate| c.size.steps <= steps;
                let run = self.run(&best.schedule, &best.plan, &sizes);
                let threads = run.ended.spawn_sites.clone();
                let mut found = self.candidate(run, &best.plan, &sizes).filter(no_longer);
                let mut tried = vec![best.schedule.clone()];
                for keep in [Keep::First, Keep::Last] {
                    let schedule = projected(best, &threads, keep);
                    if found.is_some() || self.spent() || tried.contains(&schedule) {
                        continue;
                    }
                    found = self
                        .try_candidate(&schedule, &best.plan, &sizes)
                        .filter(no_longer);
                    tried.push(schedule);
                }
                if let Some(candidate) = found {
                    *best = candidate;
                    improved = true;
                    break;
                }
            }
        }
        improved
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
                if let Some(candidate) = self.try_candidate(&schedule, &best.plan, &best.sizes) {
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
            if let Some(candidate) = self.try_candidate(&best.schedule, &plan, &best.sizes) {
                if candidate.size < best.size {
                    *best = candidate;
                    improved = true;
                }
            }
        }
        improved
    }
}

/// Shrinks the failing execution of `seed` (a shuttle seed of `scenario`'s `variant`) within
/// `budget` candidates.
pub fn shrink(
    seed: &SeedFile,
    scenario: &Scenario,
    variant: Variant,
    budget: usize,
) -> Result<Shrunk, ShrinkError> {
    shrink_body(seed, &scenario_body(scenario, variant), budget)
}

/// Shrinks the failing execution of `seed`, whose execution is `body`, within `budget`
/// candidates.
pub(crate) fn shrink_body(
    seed: &SeedFile,
    body: &Body,
    budget: usize,
) -> Result<Shrunk, ShrinkError> {
    let mut search = Search {
        seed,
        body,
        message: pattern(&seed.message),
        budget,
        candidates: 0,
        steps: 0,
    };
    let run = search.run(&seed.schedule, &seed.faults, &seed.sizes);
    if let Some((name, read)) = unread_size(&seed.sizes, &run.ended.sizes) {
        return Err(ShrinkError::UnknownSize { name, read });
    }
    let got = match &run.ended.failure {
        None => "passes".to_owned(),
        Some(message) => format!("fails with `{message}` instead"),
    };
    let Some(mut best) = search.candidate(run, &seed.faults, &seed.sizes) else {
        return Err(ShrinkError::NotFailing { got });
    };
    let original = best.size;
    let input_trace = best.trace.clone();
    loop {
        let sizes = search.shrink_sizes(&mut best);
        let schedule = search.shrink_schedule(&mut best);
        let faults = search.shrink_faults(&mut best);
        if search.spent() || !(sizes || schedule || faults) {
            break;
        }
    }
    let mut smaller = best.sizes != seed.sizes || best.size < original;
    let mut shrunk = seed.clone();
    shrunk.message = best.message;
    shrunk.schedule = best.schedule;
    shrunk.faults = best.plan;
    shrunk.sizes = best.sizes;
    shrunk.shrinking = Some(Shrinking {
        original: seed.shrinking.map_or(original, |s| s.original),
        shrunk: best.size,
        candidates: search.candidates,
    });
    let mut trace = best.trace;
    if recorded_len(&shrunk) > recorded_len(seed) {
        // Fewer preemptions can take more steps, and more steps a longer file: the input stays.
        shrunk = seed.clone();
        trace = input_trace;
        smaller = false;
    }
    Ok(Shrunk {
        seed: shrunk,
        trace,
        input: original,
        smaller,
    })
}

/// Shrinks the seed file at `path` (see [`shrink`]); writes nothing (the command line decides
/// where the result goes, and writes nothing when [`Shrunk::smaller`] is false). Errors name
/// the file.
pub fn shrink_file(
    path: &Path,
    scenarios: &[Scenario],
    budget: usize,
) -> Result<Shrunk, SeedError> {
    let seed = SeedFile::read(path)?;
    let (scenario, variant) = resolve(path, &seed, scenarios)?;
    shrink(&seed, scenario, variant, budget).map_err(|e| match e {
        ShrinkError::UnknownSize { name, read } => SeedError::UnknownSize {
            path: path.into(),
            name,
            scenario: seed.scenario.clone(),
            read,
        },
        ShrinkError::NotFailing { .. } => SeedError::NotReproduced {
            path: path.into(),
            expected: "a failing execution to shrink".to_owned(),
            got: e.to_string(),
        },
    })
}

/// The length of `seed`'s file without its `[shrinking]` summary (the one table a shrink adds).
fn recorded_len(seed: &SeedFile) -> usize {
    let mut seed = seed.clone();
    seed.shrinking = None;
    seed.to_toml().len()
}

/// The values a size knob now at `current` is tried at, smallest first: 1, then halving the
/// distance to `current` (for 16: 1, 8, 12, 14, 15).
fn smaller(current: usize) -> Vec<usize> {
    let mut values = Vec::new();
    let mut distance = current.saturating_sub(1);
    while distance > 0 {
        values.push(current - distance);
        if distance == 1 {
            break;
        }
        distance = distance.div_ceil(2);
    }
    values
}

/// Which of a spawn site's threads a projected schedule keeps when the site spawns fewer.
#[derive(Clone, Copy, Debug)]
enum Keep {
    /// The first spawned (what the smaller program runs anyway).
    First,
    /// Those that ran last in the schedule (near a failure inside a thread).
    Last,
}

/// `best`'s schedule rewritten for a smaller run whose threads were spawned at `new` (by task
/// id). Threads are matched by spawn site, in spawn order; where a site now spawns fewer
/// threads, the ones `keep` says are kept. The steps of the others are dropped, and so are the
/// steps that spawn or join them.
fn projected(best: &Candidate, new: &[Option<SpawnSite>], keep: Keep) -> Vec<usize> {
    let groups = |sites: &[Option<SpawnSite>]| {
        let mut groups: BTreeMap<Option<SpawnSite>, Vec<usize>> = BTreeMap::new();
        for (task, site) in sites.iter().enumerate() {
            groups.entry(*site).or_default().push(task);
        }
        groups
    };
    let schedule = &best.schedule;
    let last_step = |task: usize| schedule.iter().rposition(|t| *t == task);
    let new_groups = groups(new);
    let mut map = vec![None; best.threads.len()];
    for (site, mut olds) in groups(&best.threads) {
        let news = new_groups.get(&site).map_or(&[][..], Vec::as_slice);
        if news.len() < olds.len() && matches!(keep, Keep::Last) {
            olds.sort_by_key(|task| std::cmp::Reverse(last_step(*task)));
            olds.truncate(news.len());
            olds.sort_unstable();
        }
        for (old, new) in olds.into_iter().zip(news) {
            map[old] = Some(*new);
        }
    }
    let kept = |task: usize| map.get(task).copied().flatten();
    schedule
        .iter()
        .zip(&best.spawns_and_joins)
        .filter(|(_, other)| other.is_none_or(|other| kept(other).is_some()))
        .filter_map(|(task, _)| kept(*task))
        .collect()
}

/// A failure message as shrinking compares it: its first line (a smaller execution's report
/// lists fewer threads, operations or shifts below it), source locations reduced to their file,
/// every run of digits replaced by `#`.
fn pattern(message: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    let message = without_line_numbers(message);
    for c in message.lines().next().unwrap_or_default().chars() {
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

#[cfg(test)]
mod tests {
    use super::{projected, recorded_len, smaller, BTreeMap, Candidate, Keep, Size, SpawnSite};
    use crate::seed::{SeedFile, Shrinking};

    #[test]
    fn a_recorded_length_leaves_out_only_the_shrinking_summary() {
        let mut seed = SeedFile::parse(
            "lockstep_version = \"0\"\nscenario = \"s\"\nvariant = \"fixed\"\n\
             backend = \"shuttle\"\nstrategy = \"random\"\nseed = 0\niteration = 1\n\
             expected = \"fail\"\nmessage = \"m\"\nschedule = \"0 1 0 1\"\n",
        )
        .unwrap();
        let bare = seed.to_toml().len();
        assert_eq!(recorded_len(&seed), bare);
        let size = Size {
            preemptions: 3,
            faults: 0,
            steps: 4,
        };
        seed.shrinking = Some(Shrinking {
            original: size,
            shrunk: size,
            candidates: 9,
        });
        assert!(seed.to_toml().len() > bare, "the summary is written");
        assert_eq!(recorded_len(&seed), bare, "and not counted");
        seed.schedule.push(1);
        assert!(
            recorded_len(&seed) > bare,
            "a longer schedule is a longer file"
        );
    }

    #[test]
    fn a_schedule_is_projected_onto_fewer_threads_by_spawn_site() {
        let (a, b): (SpawnSite, SpawnSite) = (
            std::panic::Location::caller(),
            std::panic::Location::caller(),
        );
        // main (0) spawns workers 1, 2, 3 at `a` and a reader 4 at `b`, then joins them all.
        let best = Candidate {
            message: String::new(),
            schedule: vec![0, 0, 0, 0, 1, 1, 2, 3, 4, 2, 3, 0, 0, 0, 0],
            spawns_and_joins: [1, 2, 3, 4]
                .into_iter()
                .map(Some)
                .chain([None; 7])
                .chain([1, 2, 3, 4].map(Some))
                .collect(),
            plan: None,
            sizes: BTreeMap::new(),
            read: Vec::new(),
            threads: vec![None, Some(a), Some(a), Some(a), Some(b)],
            size: Size {
                preemptions: 0,
                faults: 0,
                steps: 15,
            },
            trace: String::new(),
            sites: Vec::new(),
        };
        // Two workers now (1, 2) and the reader is thread 3.
        let new = [None, Some(a), Some(a), Some(b)];
        // Workers 2 and 3 ran last: worker 1's steps go, and so do its spawn and join.
        assert_eq!(
            projected(&best, &new, Keep::Last),
            [0, 0, 0, 1, 2, 3, 1, 2, 0, 0, 0]
        );
        // Keeping the first two workers drops worker 3's steps, spawn and join.
        assert_eq!(
            projected(&best, &new, Keep::First),
            [0, 0, 0, 1, 1, 2, 3, 2, 0, 0, 0]
        );
        assert_eq!(projected(&best, &best.threads, Keep::Last), best.schedule);
    }

    #[test]
    fn knob_values_go_from_one_up_halving_the_distance() {
        assert_eq!(smaller(0), Vec::<usize>::new());
        assert_eq!(smaller(1), Vec::<usize>::new());
        assert_eq!(smaller(2), vec![1]);
        assert_eq!(smaller(3), vec![1, 2]);
        assert_eq!(smaller(4), vec![1, 2, 3]);
        assert_eq!(smaller(16), vec![1, 8, 12, 14, 15]);
    }
}
