//! The `lockstep` command line (`lockstep::cli`), driven in-process: exit codes and one-line
//! messages for bad input, sharding, the summary, where seed files go (findings apart from the
//! corpus), shrinking into the findings folder and adopting into a corpus. Every directory
//! written is a fresh one under the system's temp dir.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::cli::{self, Shard};
use lockstep::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `lockstep ARGS...` against the model's scenarios: (exit code, stdout, stderr). An
/// `explore` that names no `--seeds-dir` gets a fresh one under the temp dir (removed again if
/// nothing was written into it), so no test writes seed files into the checkout.
fn lockstep(args: &[&str]) -> (u8, String, String) {
    if args.first() != Some(&"explore") || args.contains(&"--seeds-dir") {
        return lockstep_with(model::scenarios::ALL, args);
    }
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let seeds = scratch(&format!("seeds-{}", CALLS.fetch_add(1, Ordering::Relaxed)));
    let mut with_seeds = args.to_vec();
    with_seeds.extend(["--seeds-dir", seeds.to_str().unwrap()]);
    let result = lockstep_with(model::scenarios::ALL, &with_seeds);
    let _ = std::fs::remove_dir(&seeds);
    result
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-cli-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn list_names_every_scenario_and_its_bugs() {
    let (code, out, _) = lockstep(&["list"]);
    assert_eq!(code, cli::OK);
    for scenario in model::scenarios::ALL {
        assert!(out.contains(scenario.name), "{out}");
    }
    assert!(out.contains("planted bugs: read-then-write"), "{out}");
}

#[test]
fn bad_input_exits_2_with_a_one_line_message() {
    let dir = scratch("bad-input");
    let malformed = dir.join("malformed.toml");
    std::fs::write(&malformed, "this is = not [a seed").unwrap();
    let missing = dir.join("missing.toml");
    let cases: [(&[&str], String); 6] = [
        (
            &["explore", "--strategy", "random,pct-0"],
            "lockstep: bad strategy `pct-0`: PCT's depth D is the number of ordering \
             constraints the bug needs, at least 1; use pct-D with D >= 1, e.g. pct-3"
                .into(),
        ),
        (
            &["explore", "no-such-scenario"],
            "lockstep: no scenario matches `no-such-scenario`; known: lost-update".into(),
        ),
        (
            &["explore", "--shard", "3/2"],
            "bad shard `3/2`: expected I/N with 1 <= I <= N".into(),
        ),
        (
            &["explore", "--strategy", "bogus"],
            "lockstep: unknown strategy `bogus` for shuttle".into(),
        ),
        (
            &["replay", malformed.to_str().unwrap()],
            format!("lockstep: {}: not a valid seed file", malformed.display()),
        ),
        (
            &["replay", missing.to_str().unwrap()],
            format!("lockstep: {}: cannot read the seed file", missing.display()),
        ),
    ];
    for (args, expected) in cases {
        let (code, _, err) = lockstep(args);
        assert_eq!(code, cli::BAD_INPUT, "{args:?}: {err}");
        assert!(err.contains(&expected), "{args:?}: {err}");
    }
    let (code, _, err) = lockstep(&["explore", "--bug", "no-such-bug"]);
    assert_eq!(code, cli::BAD_INPUT);
    assert_eq!(
        err,
        "lockstep: no chosen scenario has a planted bug `no-such-bug`\n"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn exit_codes_say_whether_anything_unexpected_happened() {
    let dir = scratch("exit-codes");
    let seeds = dir.to_str().unwrap();
    let (code, out, _) = lockstep(&[
        "explore",
        "lost-update",
        "--bug",
        "none",
        "--iterations",
        "200",
        "--seeds-dir",
        seeds,
    ]);
    assert_eq!(code, cli::OK, "{out}");
    let (code, out, _) = lockstep(&[
        "explore",
        "lost-update",
        "--bug",
        "read-then-write",
        "--seeds-dir",
        seeds,
    ]);
    assert_eq!(
        code,
        cli::OK,
        "a planted bug that is found is expected: {out}"
    );
    assert!(out.contains("found: lost update"), "{out}");
    let seed_file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let (code, out, _) = lockstep(&["replay", seed_file.to_str().unwrap()]);
    assert_eq!(code, cli::OK);
    assert!(out.contains("fails as recorded: lost update"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shards_cover_disjoint_seeds_whose_union_is_the_whole_run() {
    let seeds_of = |shard: Option<&str>| -> Vec<u64> {
        let mut args = vec![
            "explore",
            "pool-occupancy",
            "--strategy",
            "random",
            "--iterations",
            "1000",
            "--batch",
            "100",
            "--format",
            "json",
        ];
        if let Some(shard) = shard {
            args.extend(["--shard", shard]);
        }
        let (code, out, _) = lockstep(&args);
        assert_eq!(code, cli::OK);
        let rows: serde_json::Value = serde_json::from_str(&out).expect("--format json parses");
        rows[0]["seeds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap())
            .collect()
    };
    let whole = seeds_of(None);
    assert_eq!(whole, (0..10).collect::<Vec<_>>());
    let mut union = Vec::new();
    for i in 1..=3 {
        let shard = seeds_of(Some(&format!("{i}/3")));
        assert!(
            shard.iter().all(|s| !union.contains(s)),
            "shard {i}/3 overlaps: {shard:?}"
        );
        union.extend(shard);
    }
    union.sort();
    assert_eq!(union, whole);
    assert!(Shard { index: 2, count: 3 }.owns(4));
}

#[test]
fn the_json_summary_has_one_object_per_run() {
    let (code, out, _) = lockstep(&[
        "explore",
        "timeout-fires",
        "--iterations",
        "50",
        "--format",
        "json",
    ]);
    assert_eq!(code, cli::OK);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "fixed × (random, pos)");
    assert_eq!(rows[0]["scenario"], "timeout-fires");
    assert_eq!(rows[0]["strategy"], "random");
    assert_eq!(rows[1]["strategy"], "pos");
    assert_eq!(rows[0]["result"], "pass");
    assert_eq!(rows[0]["executions"], 50);
}

/// `explore ARGS... --format json`: (exit code, the summary's rows, stderr).
fn explore_json(args: &[&str]) -> (u8, Vec<serde_json::Value>, String) {
    let args: Vec<&str> = std::iter::once("explore")
        .chain(args.iter().copied())
        .chain(["--format", "json"])
        .collect();
    let (code, out, err) = lockstep(&args);
    let rows: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, rows.as_array().unwrap().clone(), err)
}

#[test]
fn a_size_override_runs_the_smaller_scenario_and_its_seed_file_replays_it() {
    let dir = scratch("size-seed");
    let (code, rows, err) = explore_json(&[
        "lost-update",
        "--bug",
        "read-then-write",
        "--strategy",
        "random",
        "--size",
        "workers=3",
        "--shrink-budget",
        "0",
        "--seeds-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, cli::OK, "{rows:?} {err}");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["sizes"], serde_json::json!({ "workers": 3 }));
    let result = rows[0]["result"].as_str().unwrap();
    assert!(
        result.starts_with("found: lost update") && result.ends_with("after 3 increments"),
        "3 workers, not the default 5: {result}"
    );
    let path = rows[0]["seed_file"]
        .as_str()
        .expect("a seed file is written");
    let seed = lockstep::seed::SeedFile::read(path.as_ref()).unwrap();
    assert_eq!(
        seed.sizes,
        [("workers".to_owned(), 3)].into(),
        "the override is in [sizes]"
    );
    let (code, out, err) = lockstep(&["replay", path]);
    assert_eq!(code, cli::OK, "{err}");
    assert!(
        out.contains("fails as recorded: lost update") && out.contains("after 3 increments"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_size_override_applies_only_to_the_scenarios_that_read_it() {
    // `release` chooses release-before-timeout (no knobs), release-on-error (`workers`,
    // `transfers`) and session-release-on-error (no `workers`).
    let (code, rows, err) = explore_json(&[
        "release",
        "--bug",
        "none",
        "--strategy",
        "random",
        "--iterations",
        "20",
        "--size",
        "workers=2",
    ]);
    assert_eq!(code, cli::OK, "{rows:?} {err}");
    let sizes: Vec<(&str, &serde_json::Value)> = rows
        .iter()
        .map(|r| (r["scenario"].as_str().unwrap(), &r["sizes"]))
        .collect();
    assert_eq!(
        sizes,
        [
            ("release-before-timeout", &serde_json::json!({})),
            ("release-on-error", &serde_json::json!({ "workers": 2 })),
            ("session-release-on-error", &serde_json::json!({})),
        ]
    );
    assert!(rows.iter().all(|r| r["result"] == "pass"), "{rows:?}");
    let (code, out, _) = lockstep(&[
        "explore",
        "release-on-error",
        "--bug",
        "none",
        "--iterations",
        "20",
        "--size",
        "transfers=1",
    ]);
    assert_eq!(code, cli::OK, "{out}");
    assert!(out.contains("\n  sizes: transfers = 1\n"), "{out}");
}

#[test]
fn a_size_knob_no_chosen_scenario_reads_is_bad_input_naming_the_knobs_they_read() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["lost-update", "--size", "holders=2"],
            "lockstep: --size holders=2: no chosen scenario reads a size knob `holders`; they read: workers\n",
        ),
        (
            &["lock-table", "--bug", "none", "--size", "rounds=1", "--size", "workers=2"],
            "lockstep: --size workers=2: no chosen scenario reads a size knob `workers`; they read: holders, rounds\n",
        ),
        (
            &["timeout-fires", "--size", "workers=2"],
            "lockstep: --size workers=2: no chosen scenario reads a size knob `workers`; they read: none\n",
        ),
        (
            &["lost-update", "--size", "workers=2", "--size", "workers=3"],
            "lockstep: --size sets `workers` more than once\n",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = std::iter::once("explore")
            .chain(args.iter().copied())
            .collect();
        let (code, out, err) = lockstep(&args);
        assert_eq!(code, cli::BAD_INPUT, "{args:?}: {err}");
        assert_eq!(err, expected, "{args:?}");
        assert_eq!(out, "", "{args:?}: nothing is explored");
    }
}

#[test]
fn a_malformed_size_override_is_a_usage_error() {
    let cases = [
        ("workers", "no `=`"),
        ("workers=", "VALUE `` is not a positive integer"),
        ("=3", "no NAME"),
        ("workers=-1", "VALUE `-1` is not a positive integer"),
        ("workers=0", "VALUE `0` is not a positive integer"),
        ("workers=two", "VALUE `two` is not a positive integer"),
    ];
    for (size, why) in cases {
        let (code, out, err) = lockstep(&["explore", "lost-update", "--size", size]);
        assert_eq!(code, cli::BAD_INPUT, "{size}: {err}");
        assert_eq!(out, "", "{size}");
        let expected = format!(
            "invalid value '{size}' for '--size <NAME=VALUE>': bad size `{size}`: {why}; \
             expected NAME=VALUE with VALUE a positive integer, e.g. workers=2"
        );
        assert!(err.contains(&expected), "{size}: {err}");
    }
}

/// Runs `lockstep ARGS...` against `scenarios`: (exit code, stdout, stderr).
fn lockstep_with(scenarios: &[Scenario], args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("lockstep").chain(args.iter().copied());
    let code = cli::run(argv, scenarios, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// The only `.toml` file in `dir`.
fn only_seed_in(dir: &Path) -> PathBuf {
    let files = toml_files(dir);
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// The `.toml` files in `dir`, sorted (none if it does not exist).
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// `lockstep explore lost-update --bug read-then-write --strategy random --seeds-dir SEEDS`,
/// plus `extra`: (exit code, stdout, stderr).
fn explore_the_planted_lost_update(seeds: &Path, extra: &[&str]) -> (u8, String, String) {
    let mut args = vec![
        "explore",
        "lost-update",
        "--bug",
        "read-then-write",
        "--strategy",
        "random",
        "--seeds-dir",
        seeds.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    lockstep(&args)
}

/// Explores lost-update's planted bug with random into `dir`, unshrunk (`--shrink-budget 0`):
/// the seed file written.
fn unshrunk_seed(dir: &Path) -> PathBuf {
    let (code, out, err) = explore_the_planted_lost_update(dir, &["--shrink-budget", "0"]);
    assert_eq!(code, cli::OK, "{out}{err}");
    only_seed_in(dir)
}

#[test]
fn the_text_summary_ends_with_one_totals_line() {
    let dir = scratch("totals");
    let (code, out, _) = lockstep(&[
        "explore",
        "lost-update",
        "--strategy",
        "random",
        "--iterations",
        "100",
        "--seeds-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, cli::OK, "{out}");
    assert_eq!(
        out.lines().last(),
        Some("total: 1 scenarios, 2 runs: 1 passed, 1 bugs found, 0 unexpected"),
        "{out}"
    );
    let (code, out, _) = lockstep(&[
        "explore",
        "o",
        "--bug",
        "none",
        "--iterations",
        "20",
        "--seeds-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, cli::OK, "{out}");
    let chosen = model::scenarios::ALL
        .iter()
        .filter(|s| s.name.contains('o'))
        .count();
    assert!(chosen > 1);
    assert!(
        out.ends_with(&format!(
            "\ntotal: {chosen} scenarios, {} runs: {} passed, 0 bugs found, 0 unexpected\n",
            2 * chosen,
            2 * chosen
        )),
        "{out}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn list_columns_stay_aligned_for_long_names() {
    const SHORT: Scenario = Scenario {
        name: "short",
        about: "a short name",
        bugs: &["one"],
        run: |_| {},
    };
    const LONG: Scenario = Scenario {
        name: "a-scenario-name-much-longer-than-twenty-four-characters",
        about: "a long name",
        bugs: &[],
        run: |_| {},
    };
    let (code, out, _) = lockstep_with(&[SHORT, LONG], &["list"]);
    assert_eq!(code, cli::OK);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    let column = LONG.name.len() + 2;
    for (line, text) in lines.iter().zip([
        "a short name",
        "planted bugs: one",
        "a long name",
        "planted bugs: -",
    ]) {
        assert_eq!(line.find(text), Some(column), "{out}");
    }
}

#[test]
fn an_unwritable_seeds_dir_exits_2_after_printing_the_whole_seed() {
    let dir = scratch("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let seeds = file.join("seeds");
    let (code, out, err) = explore_the_planted_lost_update(&seeds, &[]);
    assert_eq!(code, cli::BAD_INPUT, "{out}{err}");
    assert!(out.contains("found: lost update"), "{out}");
    assert!(out.contains("NOT WRITTEN"), "{out}");
    let (_, printed) = err
        .split_once("the seed file, so it is not lost:\n")
        .unwrap_or_else(|| panic!("{err}"));
    let (toml, last) = printed.rsplit_once("lockstep: ").unwrap();
    let seed = lockstep::seed::SeedFile::parse(toml).expect("the whole seed is printed");
    assert_eq!(seed.scenario, "lost-update");
    assert!(!seed.schedule.is_empty());
    assert!(
        last.starts_with("1 seed file(s) could not be written into "),
        "{err}"
    );
    assert!(err.contains("cannot write the seed file"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_truncated_seed_says_where_its_schedule_ended() {
    let dir = scratch("truncated");
    let path = unshrunk_seed(&dir);
    let mut seed = lockstep::seed::SeedFile::read(&path).unwrap();
    seed.schedule.truncate(4);
    std::fs::write(&path, seed.to_toml()).unwrap();
    let (code, _, err) = lockstep(&["replay", path.to_str().unwrap()]);
    assert_eq!(code, cli::BAD_INPUT, "{err}");
    assert_eq!(
        err,
        format!(
            "lockstep: {}: the schedule ended at step 4, but the execution had not: the file is \
             truncated, or the code changed since it was recorded\n",
            path.display()
        )
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn shrink_writes_into_the_findings_folder_beside_a_copy_or_replaces_when_asked() {
    let dir = scratch("shrink");
    let input = unshrunk_seed(&dir.join("in"));
    let original = std::fs::read_to_string(&input).unwrap();
    let findings = dir.join("findings");
    let (code, out, err) = lockstep(&[
        "shrink",
        input.to_str().unwrap(),
        "--seeds-dir",
        findings.to_str().unwrap(),
    ]);
    assert_eq!(code, cli::OK, "{out}{err}");
    let name = input.file_stem().unwrap().to_str().unwrap();
    let shrunk = findings.join(format!("{name}.shrunk.toml"));
    assert!(
        out.contains(&format!("written: {}", shrunk.display())),
        "{out}"
    );
    let sizes = lockstep::seed::SeedFile::read(&shrunk)
        .unwrap()
        .shrinking
        .unwrap();
    let size = |s: lockstep::seed::Size| {
        format!(
            "{} steps, {} preemptions, {} faults",
            s.steps, s.preemptions, s.faults
        )
    };
    assert!(
        out.starts_with(&format!(
            "{}: {} -> {} ({} candidates)",
            input.display(),
            size(sizes.original),
            size(sizes.shrunk),
            sizes.candidates
        )),
        "the sizes before and after: {out}"
    );
    assert_eq!(
        toml_files(&findings),
        [
            findings.join(format!("{name}.shrunk.toml")),
            findings.join(format!("{name}.toml"))
        ]
    );
    assert_eq!(
        std::fs::read_to_string(findings.join(format!("{name}.toml"))).unwrap(),
        original,
        "the copy is the input"
    );
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        original,
        "the input is untouched"
    );
    let (code, out, _) = lockstep(&["replay", shrunk.to_str().unwrap()]);
    assert_eq!(code, cli::OK);
    assert!(out.contains("fails as recorded: lost update"), "{out}");
    // Shrinking the shrunk seed again finds nothing smaller, and writes nothing.
    let again = dir.join("again");
    let (code, out, _) = lockstep(&[
        "shrink",
        shrunk.to_str().unwrap(),
        "--seeds-dir",
        again.to_str().unwrap(),
    ]);
    assert_eq!(code, cli::OK, "{out}");
    assert!(out.contains("nothing smaller found"), "{out}");
    assert!(out.contains("no file written"), "{out}");
    assert!(!again.exists(), "nothing is written");
    // --replace rewrites the input itself, and nothing else.
    let (code, out, _) = lockstep(&[
        "shrink",
        input.to_str().unwrap(),
        "--replace",
        "--seeds-dir",
        again.to_str().unwrap(),
    ]);
    assert_eq!(code, cli::OK, "{out}");
    assert_eq!(
        std::fs::read_to_string(&input).unwrap(),
        std::fs::read_to_string(&shrunk).unwrap(),
        "the input is now the shrunk seed"
    );
    assert!(!again.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn adopt_replays_a_finding_and_copies_it_into_the_corpus_under_its_name() {
    let dir = scratch("adopt");
    let found = unshrunk_seed(&dir.join("findings"));
    let corpus = dir.join("corpus");
    let seed = lockstep::seed::SeedFile::read(&found).unwrap();
    // A renamed copy lands under the name its contents give it.
    let renamed = dir.join("renamed.toml");
    std::fs::copy(&found, &renamed).unwrap();
    let adopt = |file: &Path, extra: &[&str]| {
        let mut args = vec![
            "adopt",
            file.to_str().unwrap(),
            "--corpus",
            corpus.to_str().unwrap(),
        ];
        args.extend(extra);
        lockstep(&args)
    };
    let (code, out, err) = adopt(&renamed, &[]);
    assert_eq!(code, cli::OK, "{out}{err}");
    let target = corpus.join(format!("{}.toml", seed.file_stem()));
    assert_eq!(
        out,
        format!("{}: adopted as {}\n", renamed.display(), target.display())
    );
    assert_eq!(toml_files(&corpus), std::slice::from_ref(&target));
    let (code, out, _) = adopt(&found, &[]);
    assert_eq!(code, cli::OK);
    assert!(out.ends_with("already in the corpus\n"), "{out}");
    // A different seed of the same name is kept unless --force.
    let mut other = seed.clone();
    other.message = other.message.replace("lost update", "lost update,");
    let smaller = dir.join("smaller.toml");
    let shrunk = lockstep::shrink::shrink_file(&found, model::scenarios::ALL, 200).unwrap();
    assert!(shrunk.smaller);
    std::fs::write(&smaller, shrunk.seed.to_toml()).unwrap();
    let (code, _, err) = adopt(&smaller, &[]);
    assert_eq!(code, cli::BAD_INPUT);
    assert!(
        err.contains("the corpus already has a different seed file of this name; pass --force"),
        "{err}"
    );
    let (code, _, err) = adopt(&smaller, &["--force"]);
    assert_eq!(code, cli::OK, "{err}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        shrunk.seed.to_toml()
    );
    // A seed that does not end as it records is not adopted.
    let wrong = dir.join("wrong.toml");
    std::fs::write(&wrong, other.to_toml()).unwrap();
    let (code, _, err) = adopt(&wrong, &["--force"]);
    assert_eq!(code, cli::FAILED, "{err}");
    assert!(err.ends_with("(not adopted)\n"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        shrunk.seed.to_toml(),
        "the corpus is unchanged"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A scenario whose body never spawns a thread.
const SOLO: Scenario = Scenario {
    name: "solo",
    about: "one thread, nothing to interleave",
    bugs: &[],
    run: |_| {
        let counter = lockstep::sync::Mutex::named("solo", 0);
        *counter.lock() += 1;
    },
};

/// A scenario whose body spawns one thread.
const DUO: Scenario = Scenario {
    name: "duo",
    about: "two threads",
    bugs: &[],
    run: |_| lockstep::thread::spawn(|| ()).join().unwrap(),
};

#[test]
fn the_summary_warns_under_a_run_that_spawned_no_thread() {
    let args = [
        "explore",
        "--strategy",
        "random,pct-2",
        "--iterations",
        "10",
    ];
    let (code, out, err) = lockstep_with(&[SOLO, DUO], &args);
    assert_eq!(code, cli::OK, "{out}{err}");
    let warning =
        "  warning: the test exercised no concurrency: none of its 10 executions spawned a thread";
    let rows: Vec<&str> = out.lines().collect();
    for (i, line) in rows.iter().enumerate() {
        let under = rows.get(i + 1) == Some(&warning);
        if line.starts_with("solo ") {
            assert!(under, "no warning under {line}:\n{out}");
        } else if line.starts_with("duo ") {
            assert!(!under, "a warning under {line}:\n{out}");
        }
    }
    assert_eq!(out.matches(warning).count(), 2, "{out}");
    let (mut json, mut stderr) = (Vec::new(), Vec::new());
    let argv = [
        "lockstep",
        "explore",
        "--iterations",
        "10",
        "--format",
        "json",
    ];
    assert_eq!(
        cli::run(argv, &[SOLO, DUO], &mut json, &mut stderr),
        cli::OK
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
    for row in &rows {
        let warned = row.get("warning").is_some();
        assert_eq!(warned, row["scenario"] == "solo", "{row}");
    }
}

/// One thread takes A then B, then B then A.
const OWN_INVERSION: Scenario = Scenario {
    name: "own-inversion",
    about: "one thread's own A -> B and B -> A",
    bugs: &[],
    run: |_| {
        let worker = lockstep::thread::spawn(|| {
            let a = lockstep::sync::Mutex::named("A", ());
            let b = lockstep::sync::Mutex::named("B", ());
            drop((a.lock(), b.lock()));
            let _b = b.lock();
            let _a = a.lock();
        });
        worker.join().unwrap();
    },
};

#[test]
fn lock_order_strict_reports_a_single_thread_inversion_and_its_seed_replays_strictly() {
    let seeds = scratch("lock-order");
    let seeds_dir = seeds.to_str().unwrap();
    let explore = |extra: &[&str]| {
        let mut args = vec!["explore", "--strategy", "random", "--iterations", "10"];
        args.extend(["--seeds-dir", seeds_dir]);
        args.extend(extra);
        lockstep_with(&[OWN_INVERSION], &args)
    };
    let (code, out, err) = explore(&[]);
    assert_eq!(code, cli::OK, "the default rule passes it: {out}{err}");
    let (code, out, err) = explore(&["--lock-order", "strict"]);
    assert_eq!(code, cli::FAILED, "{out}{err}");
    assert!(out.contains("FAILED: potential deadlock"), "{out}");
    let seed = only_seed_in(&seeds);
    let text = std::fs::read_to_string(&seed).unwrap();
    assert!(text.contains("lock_order = \"strict\""), "{text}");
    let (code, out, err) = lockstep_with(&[OWN_INVERSION], &["replay", seed.to_str().unwrap()]);
    assert_eq!(code, cli::OK, "the replay fails as recorded: {out}{err}");
    assert!(out.contains("Mutex \"B\""), "{out}");
    let (code, _, err) = explore(&["--lock-order", "lockdep"]);
    assert_eq!(code, cli::BAD_INPUT);
    assert!(err.contains("unknown lock-order rule `lockdep`"), "{err}");
    std::fs::remove_dir_all(seeds).unwrap();
}

#[test]
fn rff_shards_write_their_feedback_and_a_later_run_starts_from_all_of_it() {
    use lockstep::explore::Feedback;
    let dir = scratch("feedback");
    let folder = dir.to_str().unwrap();
    let run = |shard: &str, iterations: &str| {
        let (code, out, err) = lockstep(&[
            "explore",
            "lock-table-contended-row",
            "--bug",
            "none",
            "--strategy",
            "rff",
            "--iterations",
            iterations,
            "--batch",
            "50",
            "--shard",
            shard,
            "--feedback",
            folder,
        ]);
        assert_eq!(code, cli::OK, "{out}{err}");
    };
    run("1/2", "200");
    run("2/2", "200");
    let pairs = |name: &str| Feedback::load(dir.join(name)).unwrap().pairs();
    let (first, second) = (
        pairs("lock-table-contended-row.fixed.shard-1-of-2.toml"),
        pairs("lock-table-contended-row.fixed.shard-2-of-2.toml"),
    );
    assert!(
        first > 0 && second > 0,
        "each shard learned: {first}, {second}"
    );
    // One execution alone learns less than either shard did.
    run("1/1", "1");
    let merged = pairs("lock-table-contended-row.fixed.shard-1-of-1.toml");
    assert!(
        merged >= first.max(second),
        "the later run started from both shards: {merged} pairs, theirs {first} and {second}"
    );

    std::fs::write(
        dir.join("lock-table-contended-row.fixed.shard-1-of-2.toml"),
        "not feedback",
    )
    .unwrap();
    let (code, _, err) = lockstep(&[
        "explore",
        "lock-table-contended-row",
        "--bug",
        "none",
        "--strategy",
        "rff",
        "--iterations",
        "10",
        "--feedback",
        folder,
    ]);
    assert_eq!(code, cli::BAD_INPUT, "{err}");
    assert!(
        err.contains("lock-table-contended-row.fixed.shard-1-of-2.toml")
            && err.contains("not a feedback file"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
