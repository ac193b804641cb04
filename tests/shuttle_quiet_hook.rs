//! None of shuttle's own output reaches the user. lockstep's panic hook sits above shuttle's:
//! with the output not captured (a child run of this test with `--nocapture`), an exploration
//! that finds a planted bug prints none of shuttle's hook lines ("Task failed, serializing
//! schedule", "test panicked in task 'Tried to get ExecutionState ...'") and no failing-seed
//! block, and a panic of the user's own afterwards reaches the hook that was there before,
//! without shuttle's lines. A failing thread stops its execution through lockstep's scheduler
//! rather than failing the task in shuttle, so shuttle's unconditional "test panicked in task
//! ..." line is never printed either: not to stderr, and not into the captured output that a
//! failing `#[lockstep::test]` shows (the second test).
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::Variant;
use std::process::Command;

const CHILD: &str = "LOCKSTEP_QUIET_HOOK_CHILD";

#[test]
fn shuttles_panic_hook_prints_nothing_for_explorations_or_for_other_panics() {
    if std::env::var_os(CHILD).is_some() {
        let scenario = model::scenarios::find("lost-update").unwrap();
        for strategy in [Strategy::Random, Strategy::Pos] {
            let report = Explorer::new(strategy).explore(scenario, Variant::Bug("read-then-write"));
            assert!(
                report.failure.is_some(),
                "{strategy}: the planted bug is found"
            );
        }
        // A deadlock found as a thread ends (here main, leaving its child waiting forever).
        let deadlock = Explorer::new(Strategy::Random).run(|| {
            let pair = lockstep::sync::Arc::new((
                lockstep::sync::Mutex::new(()),
                lockstep::sync::Condvar::new(),
            ));
            let child = lockstep::sync::Arc::clone(&pair);
            lockstep::thread::spawn(move || drop(child.1.wait(child.0.lock())));
        });
        assert!(deadlock.is_err(), "the deadlock is found");
        let mine = std::thread::spawn(|| panic!("a panic of the user's own")).join();
        assert!(mine.is_err());
        return;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "shuttles_panic_hook_prints_nothing_for_explorations_or_for_other_panics",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env_remove("SHUTTLE_RANDOM_SEED")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("panicked at") && stderr.contains("a panic of the user's own"),
        "the user's panic reaches the default hook:\n{stderr}"
    );
    for line in [
        "Task failed, serializing schedule",
        "ExecutionState",
        "failing seed",
        "SHUTTLE_RANDOM_SEED",
        "test panicked in task",
    ] {
        assert!(!stderr.contains(line), "`{line}` reached stderr:\n{stderr}");
    }
}

const FAILING_CHILD: &str = "LOCKSTEP_QUIET_FAILING_CHILD";

/// The child of the test below: a test that fails the way a user's does, through the test
/// attribute's machinery, with its seeds in a scratch folder.
#[test]
fn a_failing_lockstep_test() {
    let Some(dir) = std::env::var_os(FAILING_CHILD) else {
        return;
    };
    let scenario = model::scenarios::find("lost-update").unwrap();
    lockstep::check::Test::new("shuttle_quiet_hook::a_failing_lockstep_test", "")
        .regressions_dir(dir)
        .run(move || (scenario.run)(Variant::Bug("read-then-write")));
}

#[test]
fn a_failing_tests_captured_output_is_lockstep_report_alone() {
    let dir = std::env::temp_dir().join(format!("lockstep-quiet-{}", std::process::id()));
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_failing_lockstep_test", "--test-threads=1"])
        .env(FAILING_CHILD, &dir)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success(), "the child test fails:\n{stdout}");
    let captured = &stdout[stdout
        .find("---- a_failing_lockstep_test stdout ----")
        .expect("libtest shows the failing test's captured output")..];
    assert!(
        captured.contains("failed: lost update") && captured.contains("replay: "),
        "the captured output is lockstep's report:\n{captured}"
    );
    for line in [
        "test panicked in task",
        "Task failed, serializing schedule",
        "SHUTTLE_RANDOM_SEED",
    ] {
        assert!(
            !stdout.contains(line) && !stderr.contains(line),
            "`{line}` reached the output:\n{stdout}\n{stderr}"
        );
    }
}
