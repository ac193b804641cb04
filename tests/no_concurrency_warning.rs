//! An exploration whose body never spawns a thread tests one schedule, whatever the strategy:
//! it passes with a warning in its `Report` (and `Stats`), and `check*` and
//! `#[lockstep::test]` print that warning as one line to stderr. A body that spawns gets none.
#![cfg(any(loom, feature = "shuttle"))]

use lockstep::explore::{Explorer, Report, Strategy, Warning};
use lockstep::sync::{Arc, Mutex};
use std::process::Command;

/// Every strategy of this backend.
fn strategies() -> Vec<Strategy> {
    let names: &[&str] = if cfg!(loom) {
        &["exhaustive-2"]
    } else {
        &["random", "pct-3", "pos", "dfs"]
    };
    names.iter().map(|name| name.parse().unwrap()).collect()
}

fn one_thread() {
    let counter = Mutex::named("counter", 0);
    *counter.lock() += 1;
    assert_eq!(*counter.lock(), 1);
}

fn two_threads() {
    let counter = Arc::new(Mutex::named("counter", 0));
    let other = {
        let counter = Arc::clone(&counter);
        lockstep::thread::spawn(move || *counter.lock() += 1)
    };
    *counter.lock() += 1;
    other.join().unwrap();
    assert_eq!(*counter.lock(), 2);
}

fn explored(strategy: Strategy, body: fn()) -> Report {
    Explorer::new(strategy)
        .iterations(20)
        .explore_test("tests::body", body)
}

#[test]
fn a_body_that_spawns_no_thread_passes_with_the_warning_under_every_strategy() {
    for strategy in strategies() {
        let report = explored(strategy, one_thread);
        assert!(report.failure.is_none(), "{report}");
        let executions = report.stats.executions;
        assert_eq!(report.stats.max_threads, 1, "{strategy}");
        assert_eq!(
            report.warning,
            Some(Warning::NoConcurrency { executions }),
            "{strategy}"
        );
        let text = report.to_string();
        let line = format!(
            "warning: the test exercised no concurrency: none of its {executions} executions spawned a thread"
        );
        assert_eq!(text.lines().nth(1), Some(line.as_str()), "{text}");
    }
}

#[test]
fn a_body_that_spawns_gets_no_warning() {
    for strategy in strategies() {
        let report = explored(strategy, two_threads);
        assert!(report.failure.is_none(), "{report}");
        assert_eq!(report.stats.max_threads, 2, "{strategy}");
        assert_eq!(report.warning, None, "{strategy}");
        assert!(!report.to_string().contains("no concurrency"), "{report}");
    }
}

/// The name of the test below, which re-runs itself as a child process to read its stderr.
const PRINTING_TEST: &str = "check_and_the_test_attribute_print_the_warning_once_to_stderr";
const CHILD: &str = "LOCKSTEP_NO_CONCURRENCY_CHILD";

#[test]
fn check_and_the_test_attribute_print_the_warning_once_to_stderr() {
    if let Some(dir) = std::env::var_os(CHILD) {
        lockstep::check::check_pct(one_thread, 20, 3);
        lockstep::check::check_pct(two_threads, 20, 3);
        let test = |name| {
            lockstep::check::Test::new(name, "")
                .regressions_dir(&dir)
                .iterations(20)
        };
        test("no_concurrency_warning::one").run(one_thread);
        test("no_concurrency_warning::two").run(two_threads);
        return;
    }
    let dir = std::env::temp_dir().join(format!("lockstep-{}-no-concurrency", std::process::id()));
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", PRINTING_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, &dir)
        .env_remove("LOCKSTEP_ITERATIONS")
        .env_remove("LOCKSTEP_STRATEGY")
        .output()
        .expect("the test binary runs");
    let stderr = String::from_utf8(child.stderr).unwrap();
    assert!(child.status.success(), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("lockstep"))
        .collect();
    // Under loom `check_pct` explores exhaustively: one execution of a body with one thread.
    let executions = if cfg!(loom) { 1 } else { 20 };
    let warning = format!(
        "warning: the test exercised no concurrency: none of its {executions} executions spawned a thread"
    );
    assert_eq!(
        lines,
        [
            format!("lockstep: {warning}"),
            format!("lockstep: no_concurrency_warning::one: {warning}"),
        ],
        "{stderr}"
    );
}
