//! The command line as a user runs it, a separate process: nothing shuttle prints itself
//! reaches its stderr (no "Task failed, serializing schedule", no "test panicked in task ...",
//! no failing-seed block naming `SHUTTLE_RANDOM_SEED`), while it explores planted bugs, replays
//! their seeds and shrinks them (hundreds of failing candidates). Only lockstep's own lines do.
//!
//! The binary is the model's `lockstep` (the file `make explore` runs), built for this package
//! as `lockstep-model`.
#![cfg(all(feature = "shuttle", not(loom)))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-process-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the command line with `args`: (exit code, stdout, stderr).
fn lockstep(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_lockstep-model"))
        .args(args)
        .env_remove("SHUTTLE_RANDOM_SEED")
        .output()
        .expect("the command line runs");
    (
        output.status.code().expect("an exit code"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// What shuttle prints on its own, in any of its forms.
const SHUTTLE_LINES: [&str; 7] = [
    "Task failed",
    "serializing schedule",
    "test panicked",
    "failing seed",
    "SHUTTLE_RANDOM_SEED",
    "shuttle::",
    "ExecutionState",
];

fn assert_nothing_from_shuttle(stderr: &str) {
    for line in SHUTTLE_LINES {
        assert!(
            !stderr.contains(line),
            "shuttle's `{line}` reached stderr:\n{stderr}"
        );
    }
}

fn seeds_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn exploring_replaying_and_shrinking_planted_bugs_prints_nothing_of_shuttles() {
    let dir = scratch("quiet");
    let found = dir.join("found");
    // Every strategy, each finding the bug after failing executions and shrinking it.
    let (code, out, err) = lockstep(&[
        "explore",
        "lost-update",
        "--strategy",
        "random,pct-3,pos,dfs",
        "--seeds-dir",
        found.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("total: 1 scenarios, 8 runs: 4 passed, 4 bugs found, 0 unexpected"),
        "{out}"
    );
    assert_nothing_from_shuttle(&err);
    // Without a terminal, stderr holds one progress line per run and nothing else.
    assert_eq!(err.lines().count(), 8, "{err}");
    assert!(
        err.lines().all(|l| l.starts_with("explored lost-update ")),
        "{err}"
    );

    let seeds = seeds_in(&found);
    assert_eq!(seeds.len(), 4, "{seeds:?}");
    let mut args = vec!["replay"];
    args.extend(seeds.iter().map(|s| s.to_str().unwrap()));
    let (code, out, err) = lockstep(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.matches("fails as recorded: lost update").count(),
        4,
        "{out}"
    );
    assert_eq!(err, "", "a replay writes nothing to stderr");

    // Shrinking an unshrunk seed replays hundreds of failing candidates.
    let unshrunk = dir.join("unshrunk");
    let (code, out, err) = lockstep(&[
        "explore",
        "lost-update",
        "--bug",
        "read-then-write",
        "--strategy",
        "random",
        "--shrink-budget",
        "0",
        "--seeds-dir",
        unshrunk.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_nothing_from_shuttle(&err);
    let seed = seeds_in(&unshrunk).remove(0);
    let (code, out, err) = lockstep(&[
        "shrink",
        seed.to_str().unwrap(),
        "--seeds-dir",
        dir.join("shrunk").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("written: "), "{out}");
    assert_eq!(err, "", "a shrink writes nothing to stderr");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_seed_that_cannot_be_written_reaches_the_real_stderr() {
    let dir = scratch("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let (code, out, err) = lockstep(&[
        "explore",
        "lost-update",
        "--bug",
        "read-then-write",
        "--strategy",
        "random",
        "--seeds-dir",
        file.join("seeds").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert_nothing_from_shuttle(&err);
    assert!(
        err.contains("the seed file, so it is not lost:\nlockstep_version"),
        "{err}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
