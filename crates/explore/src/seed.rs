//! Seed files: everything needed to replay one execution, as small human-readable TOML.
//!
//! ```toml
//! lockstep_version = "0.1.0"
//! scenario = "lost-update"
//! variant = "bug:read-then-write"
//! backend = "shuttle"
//! strategy = "random"
//! seed = 0
//! iteration = 1
//! expected = "fail"
//! message = "lost update: counter is 1 after 2 increments"
//! schedule = [0, 0, 1, 1, 2, 2, 0]
//!
//! [sizes]
//! workers = 2
//! ```
//!
//! `[sizes]` (optional) sets the scenario's size knobs (see `lockstep::scenario::size`); the
//! shrinker writes the smaller values it found there.
//!
//! The schedule is written run-length encoded when that is shorter: a string of tokens, `T`
//! for one step of thread `T` and `TxN` for `N` steps in a row (`schedule = "0 0 1x5000 2"`),
//! so a thread that spins for thousands of steps costs a few bytes. Files with the plain
//! array are read as before; see [`encode_schedule`] and [`decode_schedule`].

use lockstep_engine::liveness::Liveness;
use lockstep_engine::lock_graph::LockOrderRule;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What replaying a seed file must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// The execution fails with the recorded message.
    Fail,
    /// The execution passes (a pinned schedule that once failed and was fixed).
    Pass,
}

/// One recorded execution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// The lockstep version that wrote it.
    pub lockstep_version: String,
    /// The scenario's name.
    pub scenario: String,
    /// `fixed`, or `bug:NAME` for a planted bug.
    pub variant: String,
    /// The backend that recorded it (`shuttle`).
    pub backend: String,
    /// The strategy that found it: `random`, `pct-D` or `dfs`.
    pub strategy: String,
    /// The strategy's seed.
    pub seed: u64,
    /// The 1-based execution number within the exploration.
    pub iteration: usize,
    /// What a replay must show.
    pub expected: Expected,
    /// The failure message (empty for an expected pass).
    pub message: String,
    /// The thread index chosen at every scheduling point (shuttle); written run-length
    /// encoded when shorter (see the module docs).
    #[serde(with = "schedule_format")]
    pub schedule: Vec<usize>,
    /// The loom checkpoint (the failing execution's path, as loom writes it), a file beside
    /// this one (loom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loom_checkpoint: Option<String>,
    /// The failing execution's fault seed, if faults were injected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault_seed: Option<u64>,
    /// Size knob overrides by name (see `lockstep::scenario::size`); every one must be a knob
    /// the scenario reads.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sizes: BTreeMap<String, usize>,
    /// The fault plan, if faults were injected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<lockstep_engine::fault_plan::FaultPlan>,
    /// The lock-order rule the exploration reported potential deadlocks by (written only when
    /// it is not the default, `concurrent`; see `lockstep_engine::lock_graph`).
    #[serde(default, skip_serializing_if = "is_default_rule")]
    pub lock_order: LockOrderRule,
    /// The liveness rule (written only when it is not the default, `hint`; see
    /// `lockstep_engine::liveness`): a seed that failed on a strict hint replays strict.
    #[serde(default, skip_serializing_if = "is_default_liveness")]
    pub liveness: Liveness,
    /// The livelock bound the exploration ran with (written only when it is not the default,
    /// `lockstep_engine::kernel::DEFAULT_LIVELOCK_BOUND`; 0: detection off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub livelock_bound: Option<usize>,
    /// How much the execution was shrunk, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrinking: Option<Shrinking>,
}

/// How big an execution is (see `lockstep::shrink`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Size {
    /// Switches away from a thread that could have gone on.
    pub preemptions: usize,
    /// Injected faults that fired.
    pub faults: usize,
    /// Scheduling steps.
    pub steps: usize,
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} steps, {} preemptions, {} faults",
            self.steps, self.preemptions, self.faults
        )
    }
}

/// The sizes before and after shrinking, as recorded in a shrunk seed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shrinking {
    /// The execution as found.
    pub original: Size,
    /// The execution as stored.
    pub shrunk: Size,
    /// Candidates replayed.
    pub candidates: usize,
}

/// Why a seed file could not be read, written or replayed. Every variant names the file.
#[derive(Debug, Error)]
pub enum SeedError {
    /// The file could not be read.
    #[error("{path}: cannot read the seed file: {source}")]
    Read {
        /// The file.
        path: FilePath,
        /// The I/O error.
        source: io::Error,
    },
    /// The file could not be written.
    #[error("{path}: cannot write the seed file: {source}")]
    Write {
        /// The file.
        path: FilePath,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not a valid seed file (bad TOML, a missing or unknown field, a wrong type).
    #[error("{path}: not a valid seed file: {reason}")]
    Malformed {
        /// The file.
        path: FilePath,
        /// What is wrong, with the field.
        reason: String,
    },
    /// The scenario (or its variant) is not registered.
    #[error("{path}: unknown {what} `{name}`; known: {known}")]
    Unknown {
        /// The file.
        path: FilePath,
        /// `scenario` or `variant`.
        what: &'static str,
        /// The name in the file.
        name: String,
        /// The names that exist.
        known: String,
    },
    /// `[sizes]` sets a knob the scenario never reads (renamed or removed since).
    #[error("{path}: [sizes] sets `{name}`, but scenario `{scenario}` reads no size knob of that name; it reads: {read}")]
    UnknownSize {
        /// The file.
        path: FilePath,
        /// The knob named in the file.
        name: String,
        /// The scenario.
        scenario: String,
        /// The knobs the execution read, in first-read order (`none` if it read none).
        read: String,
    },
    /// The file was recorded on another backend than this build runs.
    #[error("{path}: recorded with backend `{recorded}`, but this build runs `{running}` (replay shuttle seeds with `--features shuttle`)")]
    WrongBackend {
        /// The file.
        path: FilePath,
        /// The backend in the file.
        recorded: String,
        /// This build's backend.
        running: &'static str,
    },
    /// The schedule no longer matches the code.
    #[error("{path}: stale schedule: at step {step} it runs thread {wanted}, but only {runnable:?} can run; the code changed since the file was recorded")]
    Stale {
        /// The file.
        path: FilePath,
        /// The 1-based scheduling step where it diverged.
        step: usize,
        /// The thread the schedule wants.
        wanted: usize,
        /// The threads that could run.
        runnable: Vec<usize>,
    },
    /// The recorded schedule ended before the execution did: the replay stopped after its last
    /// step (the file was cut short, or the code now takes more steps than when it was recorded).
    #[error("{path}: the schedule ended at step {step}, but the execution had not: the file is truncated, or the code changed since it was recorded")]
    ScheduleEnded {
        /// The file.
        path: FilePath,
        /// The schedule's last step (its number of steps).
        step: usize,
    },
    /// The replay did not end the way the file expects.
    #[error("{path}: expected {expected}, but the replay {got}")]
    NotReproduced {
        /// The file.
        path: FilePath,
        /// What the file expects.
        expected: String,
        /// What happened instead.
        got: String,
    },
    /// Two replays of the same schedule gave different traces.
    #[error("{path}: nondeterminism detected: two replays of the same schedule differ first at trace line {line}:\n  first:  {first}\n  second: {second}\n(the model reads something lockstep does not control: a real clock, HashMap order, thread ids, ...)")]
    Nondeterminism {
        /// The file.
        path: FilePath,
        /// The 1-based line of the rendered trace.
        line: usize,
        /// That line in the first replay.
        first: String,
        /// That line in the second replay.
        second: String,
    },
}

/// A path as error messages print it.
#[derive(Debug, Clone)]
pub struct FilePath(pub PathBuf);

impl fmt::Display for FilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.display())
    }
}

impl From<&Path> for FilePath {
    fn from(path: &Path) -> Self {
        FilePath(path.to_path_buf())
    }
}

fn is_default_rule(rule: &LockOrderRule) -> bool {
    *rule == LockOrderRule::default()
}

fn is_default_liveness(rule: &Liveness) -> bool {
    *rule == Liveness::default()
}

impl SeedFile {
    /// The livelock bound a replay runs with: the recorded one, else the default (`None`:
    /// detection off).
    ///
    /// ```
    /// # let mut seed = lockstep::seed::SeedFile::parse(
    /// #     "lockstep_version = \"0\"\nscenario = \"s\"\nvariant = \"fixed\"\nbackend = \"shuttle\"\n\
    /// #      strategy = \"random\"\nseed = 0\niteration = 1\nexpected = \"fail\"\nmessage = \"m\"\n\
    /// #      schedule = []\n").unwrap();
    /// assert_eq!(seed.livelock_detection(), Some(lockstep::explore::DEFAULT_LIVELOCK_BOUND));
    /// seed.livelock_bound = Some(0);
    /// assert_eq!(seed.livelock_detection(), None);
    /// ```
    pub fn livelock_detection(&self) -> Option<usize> {
        match self.livelock_bound {
            None => Some(lockstep_engine::kernel::DEFAULT_LIVELOCK_BOUND),
            Some(0) => None,
            Some(bound) => Some(bound),
        }
    }

    /// Reads and parses a seed file.
    pub fn read(path: &Path) -> Result<SeedFile, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.into(),
            source,
        })?;
        SeedFile::parse(&text).map_err(|reason| SeedError::Malformed {
            path: path.into(),
            reason,
        })
    }

    /// Parses seed-file text; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<SeedFile, String> {
        toml::from_str(text).map_err(|e| e.message().to_owned())
    }

    /// The file as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a seed file always serializes")
    }

    /// The file name (without extension) made of its scenario (a test's path with `.` for
    /// `::`), variant, strategy, seed and iteration: the same failure always gets the same name.
    pub fn file_stem(&self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.scenario.replace("::", "."),
            self.variant.replace(':', "-"),
            self.strategy,
            self.seed,
            self.iteration
        )
    }

    /// Writes the file into `dir` (created if needed) as `<file_stem>.toml`; returns the path.
    pub fn write_into(&self, dir: &Path) -> Result<PathBuf, SeedError> {
        let path = dir.join(format!("{}.toml", self.file_stem()));
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, self.to_toml()))
            .map_err(|source| SeedError::Write {
                path: path.as_path().into(),
                source,
            })?;
        Ok(path)
    }
}

/// A schedule token that is not `T` or `TxN` (`N` at least 1).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("bad schedule token `{token}`: expected a thread index `T` or a run `TxN` (N >= 1 steps of thread T)")]
pub struct BadScheduleToken {
    /// The token as written.
    pub token: String,
}

/// A schedule as run-length encoded text: `T` for one step of thread `T`, `TxN` for `N` in a
/// row, separated by spaces.
///
/// ```
/// use lockstep::seed::{decode_schedule, encode_schedule};
///
/// let schedule = [0, 0, 1, 1, 1, 1, 2];
/// assert_eq!(encode_schedule(&schedule), "0x2 1x4 2");
/// assert_eq!(decode_schedule("0x2 1x4 2").unwrap(), schedule);
/// assert!(decode_schedule("0 1x 2").unwrap_err().to_string().contains("`1x`"));
/// ```
pub fn encode_schedule(schedule: &[usize]) -> String {
    let mut out = String::new();
    let mut rest = schedule;
    while let Some(&thread) = rest.first() {
        let run = rest.iter().take_while(|&&t| t == thread).count();
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = match run {
            1 => write!(out, "{thread}"),
            _ => write!(out, "{thread}x{run}"),
        };
        rest = &rest[run..];
    }
    out
}

/// Decodes [`encode_schedule`]'s text; the error names the first malformed token.
pub fn decode_schedule(text: &str) -> Result<Vec<usize>, BadScheduleToken> {
    let mut schedule = Vec::new();
    for token in text.split_whitespace() {
        let bad = || BadScheduleToken {
            token: token.to_owned(),
        };
        let (thread, run) = match token.split_once('x') {
            Some((thread, run)) => (thread, run.parse::<usize>().map_err(|_| bad())?),
            None => (token, 1),
        };
        let thread = thread.parse::<usize>().map_err(|_| bad())?;
        if run == 0 {
            return Err(bad());
        }
        schedule.extend(std::iter::repeat_n(thread, run));
    }
    Ok(schedule)
}

/// The `schedule` field: written as [`encode_schedule`]'s text when that is shorter than the
/// array, read from either.
mod schedule_format {
    use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

    /// The length of the schedule as a TOML array (`[0, 1, 12]`).
    fn array_len(schedule: &[usize]) -> usize {
        let digits: usize = schedule.iter().map(|t| t.to_string().len()).sum();
        2 + digits + 2 * schedule.len().saturating_sub(1)
    }

    pub(super) fn serialize<S: Serializer>(
        schedule: &[usize],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text = super::encode_schedule(schedule);
        if text.len() + 2 < array_len(schedule) {
            serializer.serialize_str(&text)
        } else {
            schedule.serialize(serializer)
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Array(Vec<usize>),
        Text(String),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<usize>, D::Error> {
        match Written::deserialize(deserializer) {
            Ok(Written::Array(schedule)) => Ok(schedule),
            Ok(Written::Text(text)) => super::decode_schedule(&text).map_err(de::Error::custom),
            Err(_) => Err(de::Error::custom(
                "schedule: expected an array of thread indices or a run-length encoded string \
                 such as \"0 0 1x5000 2\"",
            )),
        }
    }
}

/// The first knob `sizes` sets that is not among the knobs an execution `read`, with the
/// names it did read as an error message lists them.
pub fn unread_size(
    sizes: &BTreeMap<String, usize>,
    read: &[(&'static str, usize)],
) -> Option<(String, String)> {
    let name = sizes
        .keys()
        .find(|name| !read.iter().any(|(r, _)| r == name))?;
    let names: Vec<&str> = read.iter().map(|(r, _)| *r).collect();
    let names = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    Some((name.clone(), names))
}

/// `message` with source locations reduced to their file (`src/x.rs:12:5` → `src/x.rs`), so a
/// failure still counts as the same one after unrelated edits move lines around.
pub fn without_line_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(".rs:") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let line = digits(&rest[1..]);
        if line == 0 {
            continue;
        }
        let mut skip = 1 + line;
        if rest[skip..].starts_with(':') {
            let col = digits(&rest[skip + 1..]);
            if col > 0 {
                skip += 1 + col;
            }
        }
        rest = &rest[skip..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{without_line_numbers, SeedFile};

    fn seed_file(schedule: &str) -> SeedFile {
        SeedFile::parse(&format!(
            "lockstep_version = \"0\"\nscenario = \"s\"\nvariant = \"fixed\"\n\
             backend = \"shuttle\"\nstrategy = \"random\"\nseed = 0\niteration = 1\n\
             expected = \"fail\"\nmessage = \"m\"\nschedule = {schedule}\n"
        ))
        .expect("a well-formed seed file")
    }

    #[test]
    fn livelock_detection_is_the_recorded_bound_the_default_or_off() {
        let mut seed = seed_file("[]");
        assert_eq!(
            seed.livelock_detection(),
            Some(lockstep_engine::kernel::DEFAULT_LIVELOCK_BOUND)
        );
        seed.livelock_bound = Some(7);
        assert_eq!(seed.livelock_detection(), Some(7));
        seed.livelock_bound = Some(0);
        assert_eq!(seed.livelock_detection(), None);
    }

    #[test]
    fn a_schedule_is_written_in_whichever_form_is_shorter() {
        // `[3]` is as long as `"3"`: the array stays. Runs are shorter as text.
        for (schedule, written) in [
            ("[]", "schedule = []"),
            ("[3]", "schedule = [3]"),
            ("[3, 3]", "schedule = \"3x2\""),
            ("[0, 1, 0, 1]", "schedule = \"0 1 0 1\""),
        ] {
            let toml = seed_file(schedule).to_toml();
            assert!(
                toml.lines().any(|line| line == written),
                "{schedule} written as {toml:?}, expected a line `{written}`"
            );
            assert_eq!(
                SeedFile::parse(&toml).unwrap().schedule,
                seed_file(schedule).schedule,
                "{schedule} reads back"
            );
        }
    }

    #[test]
    fn source_locations_lose_their_line_and_column_only() {
        assert_eq!(
            without_line_numbers(
                "wants X at model/src/a.rs:317:40 while holding Y (taken at b.rs:9)"
            ),
            "wants X at model/src/a.rs while holding Y (taken at b.rs)"
        );
        assert_eq!(
            without_line_numbers("a.rs: no digits, 3.rs:x"),
            "a.rs: no digits, 3.rs:x"
        );
    }
}
