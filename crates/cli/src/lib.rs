//! `lockstep::cli` (feature `cli`): the reusable command-line runner. A crate hands it its
//! scenarios:
//!
//! ```no_run
//! # const SCENARIOS: &[lockstep::scenario::Scenario] = &[];
//! # #[cfg(feature = "shuttle")]
//! fn main() -> std::process::ExitCode {
//!     lockstep::cli::main(SCENARIOS)
//! }
//! # #[cfg(not(feature = "shuttle"))]
//! # fn main() {}
//! ```
//!
//! In the crate's `Cargo.toml`, the binary needs a simulation build:
//!
//! ```toml
//! [dependencies]
//! lockstep = { package = "lockstep-dst", version = "0.1", features = ["cli"] }
//!
//! [features]
//! shuttle = ["lockstep/shuttle"]
//!
//! [[bin]]
//! name = "explore-my-crate"
//! required-features = ["shuttle"]   # drop it to build the binary under loom too
//! ```
//!
//! Then `cargo run --release --features shuttle --bin explore-my-crate -- explore` searches
//! with random and POS, and `RUSTFLAGS="--cfg loom" cargo run --release --bin
//! explore-my-crate -- explore` exhaustively (loom: `list`, `explore`, `replay`, `adopt`;
//! `shrink` says it needs the shuttle build).
//!
//! This is the top layer: it uses the tools (`lockstep-explore`) and the facade, and nothing
//! uses it. It exists only in simulation builds (shuttle or loom); under std the crate is
//! empty.
//!
//! Subcommands: `list`, `explore [PATTERN]`, `replay FILE...`, `shrink FILE...` (shuttle) and
//! `adopt FILE...`. Exit codes: 0 nothing unexpected; 1 a failure where none was expected (a
//! fixed scenario failed, a planted bug was missed, a seed did not reproduce); 2 bad usage or
//! bad input, with a one-line message (also: a seed file that could not be written, after the
//! whole seed was printed to stderr).
//!
//! **Where seeds go.** New findings and the corpus are kept apart: `explore` and `shrink` write
//! into `--seeds-dir`, by default [`FINDINGS_DIR`] (`target/lockstep/seeds`, under the current
//! directory), which no test reads and `cargo clean` empties; the corpus a test suite replays is
//! a folder of its own (`seeds/` in this repository), and `adopt FILE` is the one step that adds
//! a finding to it, after replaying it.
//!
//! **Quiet.** Nothing shuttle prints itself reaches the user: lockstep's panic hook keeps
//! shuttle's from running on exploration threads, lockstep's random scheduler has no
//! failing-seed message, and the command line points the process's stderr at the null device
//! for the duration of every exploration, replay and shrink, so that shuttle's remaining
//! `eprintln!`s go nowhere; its own output is written outside those windows (the `quiet`
//! module says why it is done this way).

#![cfg(any(loom, feature = "shuttle"))]
#![warn(missing_docs)]
// docs.rs (nightly) shows which build has each item; see "What each build has" in `lockstep`.
#![cfg_attr(docsrs, feature(doc_cfg))]

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use lockstep_explore::explore::{
    Explorer, LockOrderRule, Report, Stats, Strategy, DEFAULT_SHRINK_BUDGET,
};
use lockstep_explore::seed::{unread_size, SeedError};
use lockstep_facade::fault::FaultPlan;
use lockstep_facade::scenario::{Scenario, Variant};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

/// Exit code: nothing unexpected.
pub const OK: u8 = 0;
/// Exit code: a failure where none was expected.
pub const FAILED: u8 = 1;
/// Exit code: bad usage or bad input.
pub const BAD_INPUT: u8 = 2;

/// Where `explore` and `shrink` write seed files unless `--seeds-dir` says otherwise: under
/// cargo's `target/`, apart from any corpus a test suite replays (`adopt` copies a finding into
/// one).
pub const FINDINGS_DIR: &str = "target/lockstep/seeds";

/// Where `adopt` copies seed files unless `--corpus` says otherwise.
pub const CORPUS_DIR: &str = "seeds";

mod quiet;
use quiet::silenced;

/// `explore --feedback DIR`: the reads-from search's feedback files, per scenario and variant.
#[cfg(feature = "shuttle")]
mod feedback {
    use super::Shard;
    use lockstep_explore::explore::Feedback;
    use lockstep_facade::scenario::Variant;
    use std::path::{Path, PathBuf};

    /// The prefix of every feedback file of `scenario`'s `variant`.
    fn prefix(scenario: &str, variant: Variant) -> String {
        format!("{scenario}.{variant}.")
    }

    /// The feedback every file of `scenario`'s `variant` in `dir` holds, merged (none yet:
    /// empty), and the folder it goes back to.
    pub(super) fn load(
        dir: &Path,
        scenario: &str,
        variant: Variant,
    ) -> Result<(PathBuf, Feedback), String> {
        let learned = Feedback::new();
        let prefix = prefix(scenario, variant);
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| {
                    path.file_name()
                        .and_then(|name| name.to_str())
                        .is_some_and(|name| name.starts_with(&prefix) && name.ends_with(".toml"))
                })
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(format!(
                    "{}: cannot read the feedback folder: {e}",
                    dir.display()
                ))
            }
        };
        files.sort();
        for file in files {
            learned.merge(&Feedback::load(&file).map_err(|e| e.to_string())?);
        }
        Ok((dir.to_owned(), learned))
    }

    /// Writes `learned` as this shard's file of `scenario`'s `variant` in `dir`.
    pub(super) fn save(
        dir: &Path,
        learned: &Feedback,
        scenario: &str,
        variant: Variant,
        shard: Shard,
    ) -> Result<(), String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: cannot create the feedback folder: {e}", dir.display()))?;
        let name = format!(
            "{}shard-{}-of-{}.toml",
            prefix(scenario, variant),
            shard.index,
            shard.count
        );
        learned.save(dir.join(name)).map_err(|e| e.to_string())
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "lockstep",
    version,
    about = "Deterministic simulation testing: explore scenarios, replay seed files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the scenarios and their planted bugs.
    List,
    /// Explore scenarios (fixed, and every planted bug unless --bug says otherwise).
    Explore(ExploreArgs),
    /// Replay seed files and print their traces.
    Replay {
        /// Seed files to replay.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Shrink seed files (smaller size knobs, fewer preemptions, faults and steps). Each result
    /// is written as `NAME.shrunk.toml` into the seeds directory, beside a copy of its input
    /// (or over the input with --replace); nothing is written when nothing smaller was found.
    #[cfg(feature = "shuttle")]
    Shrink {
        /// Seed files to shrink.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Candidate executions to try per file.
        #[arg(long, default_value_t = DEFAULT_SHRINK_BUDGET)]
        budget: usize,
        /// Where the shrunk seed files are written.
        #[arg(long, default_value = FINDINGS_DIR)]
        seeds_dir: PathBuf,
        /// Replace each input file with its shrunk version instead.
        #[arg(long)]
        replace: bool,
    },
    /// Shrinking needs the shuttle build (loom failures are not shrunk).
    #[cfg(loom)]
    Shrink {
        /// Whatever was given: the command only explains where shrinking lives.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Add seed files to the corpus: each is replayed (it must end as it records) and copied
    /// into the corpus directory under its canonical name.
    Adopt {
        /// Seed files to add.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The corpus directory.
        #[arg(long, default_value = CORPUS_DIR)]
        corpus: PathBuf,
        /// Replace a different seed file of the same name already in the corpus.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args, Debug)]
struct ExploreArgs {
    /// Only scenarios whose name contains this.
    pattern: Option<String>,
    /// Strategies, comma-separated: random, pct-D, pos, dfs (shuttle); exhaustive-B (loom).
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_STRATEGIES)]
    strategy: Vec<String>,
    /// Executions per scenario, variant and strategy.
    #[arg(long, default_value_t = 2000)]
    iterations: usize,
    /// Executions per seed: exploration runs in batches, batch k with seed SEED + k.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stop each exploration after this many seconds (wall clock).
    #[arg(long)]
    time_budget: Option<f64>,
    /// Run only this planted bug (repeatable); `none` runs only the fixed programs.
    #[arg(long)]
    bug: Vec<String>,
    /// Run shard I of N (1-based): the batches whose index is I-1 modulo N.
    #[arg(long)]
    shard: Option<Shard>,
    /// Set a size knob (repeatable): `NAME=VALUE`, VALUE a positive integer, e.g. `workers=2`.
    /// Every chosen scenario that reads knob NAME (`lockstep::scenario::size`) runs with VALUE
    /// instead of its default, and its seed files record it (or the smaller value the shrinker
    /// found) in `[sizes]`; scenarios that do not read it run as they are. A knob no chosen
    /// scenario reads is an error.
    #[arg(long = "size", value_name = "NAME=VALUE")]
    size: Vec<SizeOverride>,
    /// Fault injection: `default` (every kind at 5%) or `none`.
    #[arg(long, value_enum, default_value_t = Faults::Default)]
    faults: Faults,
    /// Where seed files of failures are written (apart from the corpus; see `adopt`).
    #[arg(long, default_value = FINDINGS_DIR)]
    seeds_dir: PathBuf,
    /// Candidate executions to try when shrinking a failure before its seed is written (0:
    /// do not shrink).
    #[arg(long, default_value_t = DEFAULT_SHRINK_BUDGET)]
    shrink_budget: usize,
    /// Which cycles of the lock-order graph are potential deadlocks: `concurrent` (edges of
    /// distinct threads holding no exclusive gate lock in common) or `strict` (lockdep's: any
    /// cycle).
    #[arg(long, default_value_t = LockOrderRule::Concurrent)]
    lock_order: LockOrderRule,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// With `--strategy rff`: a folder of what the reads-from search learned. Each exploration
    /// starts from every file of its scenario and variant there, merged (the files other shards
    /// wrote included), and writes what it knows then as `SCENARIO.VARIANT.shard-I-of-N.toml`.
    /// Seed files never depend on it.
    #[cfg(feature = "shuttle")]
    #[arg(long, value_name = "DIR")]
    feedback: Option<PathBuf>,
}

/// Random and POS: on the ordering family of BENCHMARKS.md POS needs 70-160x fewer schedules
/// than PCT at 10 and 20 threads, and on the planted bugs it is within 1.33x of random; random
/// stays for the bugs where it is fastest.
/// What `shrink` says under loom: shrinking replays edited schedules, which only shuttle runs.
#[cfg(loom)]
#[cfg_attr(docsrs, doc(cfg(loom)))]
pub const SHRINK_NEEDS_SHUTTLE: &str = "shrink needs the shuttle build: it replays edited \
     schedules, which only shuttle runs (loom's search already prefers few preemptions); run \
     the same command built with `--features shuttle` on a shuttle seed";

#[cfg(feature = "shuttle")]
const DEFAULT_STRATEGIES: &str = "random,pos";
#[cfg(loom)]
const DEFAULT_STRATEGIES: &str = "exhaustive-2";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Faults {
    Default,
    None,
}

impl Faults {
    fn plan(self) -> Option<FaultPlan> {
        match self {
            Faults::None => None,
            Faults::Default => Some(FaultPlan::every_kind(0.05, Duration::from_millis(100))),
        }
    }
}

/// Shard `index` of `count`, 1-based, as given on the command line (`I/N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard (1..=count).
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("bad shard `{text}`: expected I/N with 1 <= I <= N, e.g. 2/4");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            index.parse().map_err(|_| bad())?,
            count.parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether batch `batch` (0-based) belongs to this shard.
    pub fn owns(&self, batch: usize) -> bool {
        batch % self.count == self.index - 1
    }
}

/// One `--size NAME=VALUE`: size knob `name` set to `value` (at least 1).
#[derive(Clone, Debug)]
struct SizeOverride {
    name: String,
    value: usize,
}

impl FromStr for SizeOverride {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!("bad size `{text}`: {why}; expected NAME=VALUE with VALUE a positive integer, e.g. workers=2")
        };
        let (name, value) = text.split_once('=').ok_or_else(|| bad("no `=`"))?;
        if name.is_empty() {
            return Err(bad("no NAME"));
        }
        match value.parse() {
            Ok(value) if value > 0 => Ok(SizeOverride {
                name: name.to_owned(),
                value,
            }),
            _ => Err(bad(&format!("VALUE `{value}` is not a positive integer"))),
        }
    }
}

/// Parses the process's arguments, runs, and returns the exit code.
///
/// Failing executions panic by design, silently (lockstep's panic hook, see the module docs);
/// a panic anywhere else is a bug and is printed as usual.
pub fn main(scenarios: &[Scenario]) -> ExitCode {
    let code = run(
        std::env::args(),
        scenarios,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(code)
}

/// Runs the command line `args` (program name first) against `scenarios`, writing the
/// summary to `out` and diagnostics to `err`; returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    scenarios: &[Scenario],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { BAD_INPUT } else { OK };
            let target: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = write!(target, "{}", e.render());
            return code;
        }
    };
    let result = match cli.command {
        Command::List => list(scenarios, out),
        Command::Explore(args) => explore(&args, scenarios, out, err),
        Command::Replay { files } => replay(&files, scenarios, out, err),
        #[cfg(feature = "shuttle")]
        Command::Shrink {
            files,
            budget,
            seeds_dir,
            replace,
        } => shrink(&files, budget, &seeds_dir, replace, scenarios, out, err),
        #[cfg(loom)]
        Command::Shrink { .. } => Err(SHRINK_NEEDS_SHUTTLE.into()),
        Command::Adopt {
            files,
            corpus,
            force,
        } => adopt(&files, &corpus, force, scenarios, out, err),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(err, "lockstep: {message}");
            BAD_INPUT
        }
    }
}

fn list(scenarios: &[Scenario], out: &mut dyn Write) -> Result<u8, String> {
    let width = scenarios.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for s in scenarios {
        let bugs = if s.bugs.is_empty() {
            "-".to_owned()
        } else {
            s.bugs.join(", ")
        };
        let _ = writeln!(
            out,
            "{:<width$}  {}\n{:<width$}  planted bugs: {bugs}",
            s.name, s.about, ""
        );
    }
    Ok(OK)
}

/// One row of the summary.
#[derive(Serialize)]
struct Row {
    scenario: &'static str,
    variant: String,
    strategy: String,
    executions: usize,
    executions_per_second: f64,
    distinct_schedules: usize,
    coverage: usize,
    result: String,
    expected: bool,
    /// The `--size` overrides this run applied (those of the knobs its scenario reads).
    sizes: BTreeMap<String, usize>,
    seeds: Vec<u64>,
    seed_file: Option<String>,
    /// What the run should tell even though it passed (no execution spawned a thread).
    #[serde(skip_serializing_if = "Option::is_none")]
    warning: Option<String>,
    /// Why the failure's seed file could not be written, and the file's text.
    #[serde(skip)]
    unwritten: Option<(String, String)>,
}

fn explore(
    args: &ExploreArgs,
    scenarios: &[Scenario],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let chosen: Vec<&Scenario> = scenarios
        .iter()
        .filter(|s| args.pattern.as_deref().is_none_or(|p| s.name.contains(p)))
        .collect();
    if chosen.is_empty() {
        let known: Vec<_> = scenarios.iter().map(|s| s.name).collect();
        return Err(format!(
            "no scenario matches `{}`; known: {}",
            args.pattern.as_deref().unwrap_or_default(),
            known.join(", ")
        ));
    }
    let strategies = args
        .strategy
        .iter()
        .map(|s| s.parse::<Strategy>())
        .collect::<Result<Vec<_>, _>>()?;
    if args.iterations == 0 || args.batch == 0 {
        return Err("--iterations and --batch must be positive".into());
    }
    for bug in args.bug.iter().filter(|b| *b != "none") {
        if !chosen.iter().any(|s| s.bugs.contains(&bug.as_str())) {
            return Err(format!("no chosen scenario has a planted bug `{bug}`"));
        }
    }
    let runs: Vec<(&Scenario, Variant)> = chosen
        .iter()
        .flat_map(|s| variants(s, &args.bug).into_iter().map(move |v| (*s, v)))
        .collect();
    let sizes = sizes_per_run(&args.size, &runs)?;
    let shard = args.shard.unwrap_or(Shard { index: 1, count: 1 });
    let batches = args.iterations.div_ceil(args.batch);
    let progress = progress_bar(runs.len() * strategies.len());
    let mut rows = Vec::new();
    for ((scenario, variant), sizes) in runs.into_iter().zip(sizes) {
        for strategy in &strategies {
            progress.set_message(format!("{} {variant} {strategy}", scenario.name));
            let row = explore_one(args, scenario, variant, &sizes, *strategy, shard, batches)?;
            if progress.is_hidden() {
                let _ = writeln!(
                    err,
                    "explored {} {} {}: {}",
                    row.scenario, row.variant, row.strategy, row.result
                );
            }
            progress.inc(1);
            rows.push(row);
        }
    }
    progress.finish_and_clear();
    let unwritten: Vec<&Row> = rows.iter().filter(|r| r.unwritten.is_some()).collect();
    for row in &unwritten {
        let (error, toml) = row.unwritten.as_ref().expect("filtered");
        let _ = writeln!(
            err,
            "lockstep: {error}\nthe seed file, so it is not lost:\n{toml}"
        );
    }
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
            let _ = writeln!(out, "{json}");
        }
        Format::Text => {
            print_table(&rows, out);
            let _ = writeln!(out, "{}", totals(&rows));
        }
    }
    if !unwritten.is_empty() {
        let _ = writeln!(
            err,
            "lockstep: {} seed file(s) could not be written into {} (printed above)",
            unwritten.len(),
            args.seeds_dir.display()
        );
        return Ok(BAD_INPUT);
    }
    Ok(if rows.iter().all(|r| r.expected) {
        OK
    } else {
        FAILED
    })
}

/// The summary's last line: how many scenarios, and how their runs ended.
fn totals(rows: &[Row]) -> String {
    let mut scenarios: Vec<&str> = rows.iter().map(|r| r.scenario).collect();
    scenarios.dedup();
    let passed = rows.iter().filter(|r| r.result == "pass").count();
    let found = rows
        .iter()
        .filter(|r| r.result.starts_with("found: "))
        .count();
    let unexpected = rows.iter().filter(|r| !r.expected).count();
    format!(
        "total: {} scenarios, {} runs: {passed} passed, {found} bugs found, {unexpected} unexpected",
        scenarios.len(),
        rows.len()
    )
}

/// The `--size` overrides each run applies: those of the knobs it reads, as one execution of
/// it at the overridden sizes shows (see `lockstep::explore::sizes_read`: the same record
/// replay and the shrinker check a seed's `[sizes]` against, so every seed file written holds
/// only knobs its scenario reads). An error if a knob is set twice or read by no run.
fn sizes_per_run(
    overrides: &[SizeOverride],
    runs: &[(&Scenario, Variant)],
) -> Result<Vec<BTreeMap<String, usize>>, String> {
    let mut all = BTreeMap::new();
    for o in overrides {
        if all.insert(o.name.clone(), o.value).is_some() {
            return Err(format!("--size sets `{}` more than once", o.name));
        }
    }
    if all.is_empty() {
        return Ok(vec![BTreeMap::new(); runs.len()]);
    }
    let read: Vec<_> = runs
        .iter()
        .map(|(scenario, variant)| {
            silenced(|| lockstep_explore::explore::sizes_read(scenario, *variant, &all))
        })
        .collect();
    let mut union: Vec<(&'static str, usize)> = Vec::new();
    for &(name, value) in read.iter().flatten() {
        if !union.iter().any(|(known, _)| *known == name) {
            union.push((name, value));
        }
    }
    if let Some((name, known)) = unread_size(&all, &union) {
        return Err(format!(
            "--size {name}={}: no chosen scenario reads a size knob `{name}`; they read: {known}",
            all[&name]
        ));
    }
    Ok(read
        .iter()
        .map(|knobs| {
            all.iter()
                .filter(|(name, _)| knobs.iter().any(|(read, _)| read == name))
                .map(|(name, value)| (name.clone(), *value))
                .collect()
        })
        .collect())
}

fn variants(scenario: &Scenario, bugs: &[String]) -> Vec<Variant> {
    if bugs.is_empty() {
        return std::iter::once(Variant::Fixed)
            .chain(scenario.bugs.iter().map(|b| Variant::Bug(b)))
            .collect();
    }
    let mut chosen = Vec::new();
    if bugs.iter().any(|b| b == "none") {
        chosen.push(Variant::Fixed);
    }
    chosen.extend(
        scenario
            .bugs
            .iter()
            .filter(|b| bugs.iter().any(|x| x == *b))
            .map(|b| Variant::Bug(b)),
    );
    chosen
}

fn explore_one(
    args: &ExploreArgs,
    scenario: &Scenario,
    variant: Variant,
    sizes: &BTreeMap<String, usize>,
    strategy: Strategy,
    shard: Shard,
    batches: usize,
) -> Result<Row, String> {
    #[cfg(feature = "shuttle")]
    let feedback = match (&args.feedback, strategy) {
        (Some(dir), Strategy::Rff) => Some(feedback::load(dir, scenario.name, variant)?),
        _ => None,
    };
    let seedable = strategy.samples();
    let batches: Vec<usize> = if seedable {
        (0..batches).filter(|b| shard.owns(*b)).collect()
    } else {
        // DFS and loom enumerate, they do not sample: one run, in shard 1 only.
        if shard.index == 1 {
            vec![0]
        } else {
            Vec::new()
        }
    };
    let mut total = Stats {
        executions: 0,
        distinct_schedules: 0,
        coverage: 0,
        max_threads: 1,
        liveness_hints: Default::default(),
        elapsed: Duration::ZERO,
    };
    let mut seeds = Vec::new();
    let mut last: Option<Report> = None;
    for batch in batches {
        let seed = args.seed + batch as u64;
        let iterations = if seedable {
            args.batch.min(args.iterations - batch * args.batch)
        } else {
            args.iterations
        };
        let mut explorer = Explorer::new(strategy)
            .seed(seed)
            .iterations(iterations)
            .shrink_budget(args.shrink_budget)
            .lock_order_rule(args.lock_order)
            .seeds_dir(&args.seeds_dir);
        for (name, value) in sizes {
            explorer = explorer.size(name, *value);
        }
        if let Some(plan) = args.faults.plan() {
            explorer = explorer.faults(plan);
        }
        if let Some(budget) = args.time_budget {
            explorer = explorer.time_budget(Duration::from_secs_f64(budget.max(0.0)));
        }
        #[cfg(feature = "shuttle")]
        if let Some((_, learned)) = &feedback {
            explorer = explorer.feedback(learned);
        }
        let report = silenced(|| explorer.explore(scenario, variant));
        seeds.push(seed);
        total.executions += report.stats.executions;
        total.distinct_schedules += report.stats.distinct_schedules;
        total.coverage = total.coverage.max(report.stats.coverage);
        total.max_threads = total.max_threads.max(report.stats.max_threads);
        total.liveness_hints.count += report.stats.liveness_hints.count;
        if let Some(first) = &report.stats.liveness_hints.first {
            total
                .liveness_hints
                .first
                .get_or_insert_with(|| first.clone());
        }
        total.elapsed += report.stats.elapsed;
        let failed = report.failure.is_some();
        last = Some(report);
        if failed {
            break;
        }
    }
    #[cfg(feature = "shuttle")]
    if let Some((dir, learned)) = &feedback {
        feedback::save(dir, learned, scenario.name, variant, shard)?;
    }
    let warning = total.warning().map(|w| w.to_string());
    let failure = last.as_ref().and_then(|r| r.failure.as_ref());
    let (result, expected) = match (failure, variant) {
        (None, Variant::Fixed) => ("pass".to_owned(), true),
        (None, Variant::Bug(_)) => ("MISSED the planted bug".to_owned(), false),
        (Some(f), Variant::Fixed) => (format!("FAILED: {}", first_line(&f.message)), false),
        (Some(f), Variant::Bug(_)) => (format!("found: {}", first_line(&f.message)), true),
    };
    let unwritten = last.as_ref().and_then(|r| match (&r.seed_file, &r.seed) {
        (Some(Err(e)), Some(seed)) => Some((e.clone(), seed.to_toml())),
        _ => None,
    });
    let seed_file = last.and_then(|r| r.seed_file).map(|written| match written {
        Ok(path) => path.display().to_string(),
        Err(e) => format!("NOT WRITTEN ({e})"),
    });
    Ok(Row {
        scenario: scenario.name,
        variant: variant.to_string(),
        strategy: strategy.to_string(),
        executions: total.executions,
        executions_per_second: total.executions_per_second(),
        distinct_schedules: total.distinct_schedules,
        coverage: total.coverage,
        result,
        expected,
        sizes: sizes.clone(),
        seeds,
        seed_file,
        warning,
        unwritten,
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn progress_bar(len: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}") {
        bar.set_style(style);
    }
    bar
}

fn print_table(rows: &[Row], out: &mut dyn Write) {
    let header = [
        "scenario",
        "variant",
        "strategy",
        "executions",
        "exec/s",
        "distinct",
        "coverage",
        "result",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.scenario.to_owned(),
                r.variant.clone(),
                r.strategy.clone(),
                r.executions.to_string(),
                format!("{:.0}", r.executions_per_second),
                r.distinct_schedules.to_string(),
                r.coverage.to_string(),
                r.result.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cols: &[String]| {
        let mut text = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if (3..7).contains(&i) {
                text.push_str(&format!("{c:>w$}  "));
            } else {
                text.push_str(&format!("{c:<w$}  "));
            }
        }
        text.trim_end().to_owned()
    };
    let _ = writeln!(out, "{}", line(&header.map(String::from)));
    for (row, r) in cells.iter().zip(rows) {
        let _ = writeln!(out, "{}", line(row));
        if !r.sizes.is_empty() {
            let knobs: Vec<String> = r.sizes.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            let _ = writeln!(out, "  sizes: {}", knobs.join(", "));
        }
        if let Some(file) = &r.seed_file {
            let _ = writeln!(out, "  seed: {file}");
        }
        if let Some(warning) = &r.warning {
            let _ = writeln!(out, "  {warning}");
        }
    }
}

fn replay(
    files: &[PathBuf],
    scenarios: &[Scenario],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let mut code = OK;
    for file in files {
        match silenced(|| lockstep_explore::replay::replay(file, scenarios)) {
            Ok(replayed) => {
                let outcome = match &replayed.failure {
                    Some(message) => format!("fails as recorded: {message}"),
                    None => "passes as recorded".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "{}: {} {}: {outcome}\n{}",
                    file.display(),
                    replayed.seed.scenario,
                    replayed.seed.variant,
                    replayed.trace
                );
            }
            Err(e) => {
                let _ = writeln!(err, "lockstep: {e}");
                code = code.max(replay_error_code(&e));
            }
        }
    }
    Ok(code)
}

/// The exit code of a replay that failed with `e`: 1 if the seed no longer ends as it records,
/// 2 if the file cannot be replayed at all (unreadable, malformed, stale, truncated, ...).
fn replay_error_code(e: &SeedError) -> u8 {
    match e {
        SeedError::NotReproduced { .. } | SeedError::Nondeterminism { .. } => FAILED,
        _ => BAD_INPUT,
    }
}

#[cfg(feature = "shuttle")]
fn shrink(
    files: &[PathBuf],
    budget: usize,
    seeds_dir: &Path,
    replace: bool,
    scenarios: &[Scenario],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let mut code = OK;
    for file in files {
        let shrunk =
            match silenced(|| lockstep_explore::shrink::shrink_file(file, scenarios, budget)) {
                Ok(shrunk) => shrunk,
                Err(e) => {
                    let _ = writeln!(err, "lockstep: {e}");
                    code = BAD_INPUT;
                    continue;
                }
            };
        let sizes = shrunk
            .seed
            .shrinking
            .expect("a shrunk seed records its sizes");
        if !shrunk.smaller {
            let _ = writeln!(
                out,
                "{}: nothing smaller found ({}, {} candidates); no file written",
                file.display(),
                shrunk.input,
                sizes.candidates
            );
            continue;
        }
        let knobs: Vec<String> = shrunk
            .seed
            .sizes
            .iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        let knobs = if knobs.is_empty() {
            String::new()
        } else {
            format!("\nsizes: {}", knobs.join(", "))
        };
        let written = if replace {
            std::fs::write(file, shrunk.seed.to_toml())
                .map(|()| file.clone())
                .map_err(|e| format!("{}: cannot write the seed file: {e}", file.display()))
        } else {
            write_shrunk(file, &shrunk.seed, seeds_dir)
        };
        match written {
            Ok(path) => {
                let _ = writeln!(
                    out,
                    "{}: {} -> {} ({} candidates){knobs}\nwritten: {}\n{}",
                    file.display(),
                    shrunk.input,
                    sizes.shrunk,
                    sizes.candidates,
                    path.display(),
                    shrunk.trace
                );
            }
            Err(e) => {
                let _ = writeln!(
                    err,
                    "lockstep: {e}\nthe shrunk seed file, so it is not lost:\n{}",
                    shrunk.seed.to_toml()
                );
                code = BAD_INPUT;
            }
        }
    }
    Ok(code)
}

/// Writes `seed`, the shrunk `input`, into `dir` as `NAME.shrunk.toml` beside a copy of the
/// input as `NAME.toml` (unless the input is in `dir` already), `NAME` the input's file name
/// without `.toml` (and without `.shrunk`, so a shrunk file shrinks into itself).
#[cfg(feature = "shuttle")]
fn write_shrunk(
    input: &Path,
    seed: &lockstep_explore::seed::SeedFile,
    dir: &Path,
) -> Result<PathBuf, String> {
    let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("seed");
    let stem = stem.strip_suffix(".shrunk").unwrap_or(stem);
    let cannot = |path: &Path, e: std::io::Error| {
        format!("{}: cannot write the seed file: {e}", path.display())
    };
    std::fs::create_dir_all(dir).map_err(|e| cannot(dir, e))?;
    let copy = dir.join(format!("{stem}.toml"));
    if !same_file(input, &copy) {
        std::fs::copy(input, &copy).map_err(|e| cannot(&copy, e))?;
    }
    let path = dir.join(format!("{stem}.shrunk.toml"));
    std::fs::write(&path, seed.to_toml()).map_err(|e| cannot(&path, e))?;
    Ok(path)
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `adopt`: replays each file (it must end as it records) and copies it into `corpus` as
/// `<file_stem>.toml` (the name the seed's contents give it, so `X.shrunk.toml` lands as
/// `X.toml`), with its loom checkpoint if it has one. A different file of that name already in
/// the corpus is kept unless `force`.
fn adopt(
    files: &[PathBuf],
    corpus: &Path,
    force: bool,
    scenarios: &[Scenario],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let mut code = OK;
    for file in files {
        let replayed = match silenced(|| lockstep_explore::replay::replay(file, scenarios)) {
            Ok(replayed) => replayed,
            Err(e) => {
                let _ = writeln!(err, "lockstep: {e} (not adopted)");
                code = code.max(replay_error_code(&e));
                continue;
            }
        };
        match adopt_one(file, &replayed.seed, corpus, force) {
            Ok(Some(path)) => {
                let _ = writeln!(out, "{}: adopted as {}", file.display(), path.display());
            }
            Ok(None) => {
                let _ = writeln!(out, "{}: already in the corpus", file.display());
            }
            Err(e) => {
                let _ = writeln!(err, "lockstep: {e}");
                code = BAD_INPUT;
            }
        }
    }
    Ok(code)
}

/// Copies one replayed seed file into the corpus; `None` if the corpus holds it already.
fn adopt_one(
    file: &Path,
    seed: &lockstep_explore::seed::SeedFile,
    corpus: &Path,
    force: bool,
) -> Result<Option<PathBuf>, String> {
    let target = corpus.join(format!("{}.toml", seed.file_stem()));
    let text = std::fs::read(file)
        .map_err(|e| format!("{}: cannot read the seed file: {e}", file.display()))?;
    match std::fs::read(&target) {
        Ok(existing) if existing == text => return Ok(None),
        Ok(_) if !force => {
            return Err(format!(
                "{}: the corpus already has a different seed file of this name; pass --force to replace it (and review its trace snapshot)",
                target.display()
            ))
        }
        _ => {}
    }
    let cannot = |path: &Path, e: std::io::Error| {
        format!("{}: cannot write the seed file: {e}", path.display())
    };
    std::fs::create_dir_all(corpus).map_err(|e| cannot(corpus, e))?;
    if let Some(checkpoint) = &seed.loom_checkpoint {
        let from = file.with_file_name(checkpoint);
        let to = corpus.join(checkpoint);
        if !same_file(&from, &to) {
            std::fs::copy(&from, &to).map_err(|e| cannot(&to, e))?;
        }
    }
    std::fs::write(&target, text).map_err(|e| cannot(&target, e))?;
    Ok(Some(target))
}
