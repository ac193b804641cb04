//! Every internal check of the model that is a plain function fires on a state built to break
//! it, with a message that names what broke (and stays quiet on a state that holds). Runs on
//! every backend: nothing here touches a lock or a thread.

use lockstep::linearizability::{self, History};
use model::booking::{assert_no_double_booking, assert_one_generation, Shift};
use model::breaker::{check_metrics, Metrics};
use model::lock_table::{RowOp, RowSpec};
use std::panic::{catch_unwind, UnwindSafe};

/// The message `check` panics with; fails the test if it does not panic.
fn panic_message(check: impl FnOnce() + UnwindSafe) -> String {
    let payload = catch_unwind(check).expect_err("the check fires");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => (*payload.downcast::<&str>().expect("a text panic")).to_owned(),
    }
}

fn shift(person: Option<u32>, generation: u32) -> Shift {
    Shift {
        person,
        slot: 0,
        generation,
        version: 0,
    }
}

#[test]
fn the_breaker_metrics_check_fires_when_a_call_is_unaccounted_for() {
    check_metrics(&Metrics {
        calls: 4,
        successes: 1,
        failures: 1,
        rejections: 1,
        in_flight: 1,
        ..Metrics::default()
    });
    let message = panic_message(|| {
        check_metrics(&Metrics {
            calls: 3,
            successes: 1,
            failures: 1,
            ..Metrics::default()
        })
    });
    assert!(
        message.starts_with("assertion `left == right` failed: breaker metrics inconsistent: "),
        "{message}"
    );
    assert!(
        message.contains("calls: 3, successes: 1, failures: 1"),
        "{message}"
    );
    assert!(message.contains("left: 3\n right: 2"), "{message}");
}

#[test]
fn the_double_booking_check_names_the_person_and_both_shifts() {
    assert_no_double_booking(&[shift(Some(1), 0), shift(None, 0), shift(None, 0)]);
    let message = panic_message(|| {
        assert_no_double_booking(&[shift(Some(4), 0), shift(Some(1), 0), shift(Some(4), 0)])
    });
    assert!(
        message.starts_with("a person is double-booked: person 4 works shifts 0 and 2\n"),
        "{message}"
    );
}

#[test]
fn the_one_generation_check_fires_on_a_mixed_snapshot() {
    assert_one_generation(&[shift(Some(0), 3), shift(Some(1), 3)]);
    let message = panic_message(|| assert_one_generation(&[shift(Some(0), 1), shift(Some(1), 0)]));
    assert!(
        message.starts_with("a reader saw a half-generated schedule: [Shift {"),
        "{message}"
    );
}

/// Records `ops` one after another (no overlap): (holder, operation, what it returned).
fn sequential(ops: &[(&str, RowOp, bool)]) -> History<RowOp, bool> {
    let history = History::new();
    for (who, op, ret) in ops {
        let call = history.call(who, op.clone());
        history.ret(call, *ret);
    }
    history
}

fn acquire(who: &str) -> RowOp {
    RowOp::Acquire(who.to_owned())
}

fn release(who: &str) -> RowOp {
    RowOp::Release(who.to_owned())
}

#[test]
fn the_row_specification_accepts_one_holder_at_a_time_and_nothing_else() {
    let legal = sequential(&[
        ("a", acquire("a"), true),
        ("b", acquire("b"), false),
        ("a", acquire("a"), true),
        ("b", release("b"), false),
        ("a", release("a"), true),
        ("a", release("a"), false),
        ("b", acquire("b"), true),
    ]);
    assert_eq!(
        linearizability::check(&RowSpec::default(), &legal.entries()),
        Ok(())
    );
    let illegal = [
        // Two holders at once (the check-then-act race).
        sequential(&[("a", acquire("a"), true), ("b", acquire("b"), true)]),
        // Another holder's release clears the row (release-any-holder).
        sequential(&[("a", acquire("a"), true), ("b", release("b"), true)]),
        // A re-acquire by the holder itself refused.
        sequential(&[("a", acquire("a"), true), ("a", acquire("a"), false)]),
        // A free row refused.
        sequential(&[("a", acquire("a"), false)]),
        // A second release that still releases.
        sequential(&[
            ("a", acquire("a"), true),
            ("a", release("a"), true),
            ("a", release("a"), true),
        ]),
    ];
    for history in illegal {
        let entries = history.entries();
        let error = linearizability::check(&RowSpec::default(), &entries)
            .expect_err("the history breaks the row's specification");
        assert_eq!(
            error.stuck.last(),
            entries.last(),
            "the last operation is the one that cannot be placed: {error}"
        );
        assert!(
            error
                .to_string()
                .starts_with("history is not linearizable; the longest legal order:\n"),
            "{error}"
        );
    }
}
