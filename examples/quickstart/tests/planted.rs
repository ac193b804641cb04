//! The planted bug, found through the same machinery `#[lockstep::test]` uses: the failure is
//! reported with its trace, its seed is written, the printed replay line reproduces the same
//! trace, and the next run replays the stored seed first. (Simulation builds only: under std
//! the race may or may not happen in one run. The seeds go to a scratch folder, not to the
//! crate's checked-in `lockstep-regressions/`.)
#![cfg(any(loom, feature = "shuttle"))]

use lockstep::check::Test;
use quickstart::{two_threads_one_connection, Pool};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// The path the seed files record; `replay_target` below is the test of that name.
const NAME: &str = "planted::replay_target";

fn racy() {
    two_threads_one_connection(Pool::checkout_checking_first);
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-quickstart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the test fails");
    lockstep::panic_message(&*payload)
}

/// The trace table in a report: from its header to the first blank line.
fn trace(report: &str) -> String {
    let start = report.find("step  time").expect("the report has a trace");
    let table = &report[start..];
    table[..table.find("\n\n").unwrap_or(table.len())].to_owned()
}

#[test]
fn the_planted_bug_is_found_persisted_and_replayed() {
    let dir = scratch();
    let test = || Test::new(NAME, "").regressions_dir(&dir);
    let report = panic_message(|| test().run(racy));
    assert!(
        report.contains("a connection was free a moment ago"),
        "{report}"
    );
    let seed = report
        .lines()
        .find_map(|line| line.strip_prefix("seed: "))
        .expect("the report names the seed file")
        .to_owned();
    assert!(PathBuf::from(&seed).is_file(), "{seed} was written");
    let replay_line = format!("replay: LOCKSTEP_REPLAY={seed} ");
    assert!(report.contains(&replay_line), "{report}");
    assert!(report.contains("-- --exact replay_target"), "{report}");

    // The pasted line: this test binary, LOCKSTEP_REPLAY set, the one test.
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "replay_target",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("LOCKSTEP_REPLAY", &seed)
        .output()
        .expect("the test binary runs");
    let output = String::from_utf8_lossy(&child.stdout).into_owned()
        + &String::from_utf8_lossy(&child.stderr);
    assert!(!child.status.success(), "the replay fails again: {output}");
    assert!(
        output.contains(&trace(&report)),
        "the same trace:\n{output}"
    );

    // The next run replays the stored seed before it explores.
    let again = panic_message(|| test().run(racy));
    assert!(again.contains("a stored seed fails"), "{again}");
    assert_eq!(trace(&again), trace(&report));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The test the seed files name: it runs only when a replay line asks for it.
#[test]
fn replay_target() {
    if std::env::var_os("LOCKSTEP_REPLAY").is_some() {
        Test::new(NAME, "").run(racy);
    }
}
