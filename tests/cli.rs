//! The `lockstep` command line (`sim::cli`), driven in-process: exit codes and one-line
//! messages for bad input, sharding, and the JSON summary.
#![cfg(all(feature = "shuttle", not(loom)))]

use sim::cli::{self, Shard};

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
