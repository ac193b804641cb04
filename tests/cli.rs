//! The `lockstep` command line (`lockstep::cli`), driven in-process: exit codes and one-line
//! messages for bad input, sharding, and the JSON summary.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::cli::{self, Shard};

/// Runs `lockstep ARGS...` against the model's scenarios: (exit code, stdout, stderr).
fn lockstep(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("lockstep").chain(args.iter().copied());
    let code = cli::run(argv, model::scenarios::ALL, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
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
    let cases: [(&[&str], String); 5] = [
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
