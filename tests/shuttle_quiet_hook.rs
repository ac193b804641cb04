//! lockstep's panic hook sits above shuttle's: with the output not captured (a child run of this
//! test with `--nocapture`), an exploration that finds a planted bug prints none of shuttle's
//! hook lines ("Task failed, serializing schedule", "test panicked in task 'Tried to get
//! ExecutionState ...'") and no failing-seed block, and a panic of the user's own afterwards
//! reaches the hook that was there before, without shuttle's lines. (The command line also
//! silences shuttle's unconditional `eprintln!`s, see `tests/cli_process.rs`; in-process they
//! remain, and cargo's test harness captures them.)
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
    ] {
        assert!(!stderr.contains(line), "`{line}` reached stderr:\n{stderr}");
    }
}
