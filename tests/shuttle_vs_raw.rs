//! Under shuttle, DFS over a facade program runs as many schedules as raw shuttle's DFS over the
//! same program written against shuttle's own types, or more where the pair says why: the
//! facade adds a scheduling point only where std's type has an operation another thread can
//! see, or where shuttle's API leaves no other way. Before issue 17's fix of the primitives'
//! state lock (shuttle's `Mutex` is a scheduling point at the unlock too, and a woken waiter
//! locked the state again), `two call_once` ran 64 schedules, the `call_once` race 57,601 and
//! the spawned send 77.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/shuttle_pairs.rs"]
mod shuttle_pairs;

use shuttle_pairs::{facade_schedules, raw_schedules, PAIRS};

#[test]
fn dfs_runs_the_measured_number_of_schedules_next_to_raw_shuttle() {
    let mut wrong = Vec::new();
    for pair in PAIRS {
        let (facade, raw) = (facade_schedules(pair.facade), raw_schedules(pair.raw));
        println!("{}: facade {facade}, raw shuttle {raw}", pair.name);
        let reason_given = (facade > raw) == pair.why_more.is_some();
        if (facade, raw) != (pair.facade_schedules, pair.raw_schedules) || !reason_given {
            wrong.push(format!(
                "{}: facade {facade}, raw shuttle {raw}; expected {} and {}{}",
                pair.name,
                pair.facade_schedules,
                pair.raw_schedules,
                if reason_given {
                    ""
                } else {
                    " (say why the facade runs more, or remove the reason)"
                }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
