//! The facade explores what raw loom explores: each program of `support/loom_pairs.rs` (and of
//! `support/loom_async_pairs.rs`), written against the facade and against raw loom, explores
//! as many executions as its relation says (equal for most; never more unless the pair says
//! why). `make bench` prints the same table.
#![cfg(loom)]

#[path = "support/loom_async_pairs.rs"]
mod loom_async_pairs;
#[path = "support/loom_pairs.rs"]
mod loom_pairs;
#[path = "support/primitives.rs"]
mod primitives;
#[path = "support/sync_programs.rs"]
mod programs;
#[path = "support/try_programs.rs"]
#[allow(dead_code)]
mod try_programs;

use loom_pairs::{facade_executions, raw_executions, Expect, PAIRS};

#[test]
fn every_pair_explores_as_many_executions_as_its_relation_says() {
    let mut wrong = Vec::new();
    for pair in PAIRS.iter().chain(loom_async_pairs::ASYNC_PAIRS) {
        let raw = raw_executions(pair.bound, pair.raw);
        let facade = facade_executions(pair.bound, pair.facade);
        println!("{}: raw loom {raw}, facade {facade}", pair.name);
        let holds = match pair.expect {
            Expect::Equal => facade == raw,
            Expect::AtMost => facade <= raw,
            Expect::More(why) => {
                println!("  (more by design: {why})");
                facade > raw
            }
        };
        if !holds {
            wrong.push(format!(
                "{}: raw loom {raw}, facade {facade}, expected {:?}",
                pair.name, pair.expect
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
