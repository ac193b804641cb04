//! The scenarios `make explore` runs: each asserts its program's invariant, so a panic is a
//! found bug.

use crate::basics::{self, Acquire};
use lockstep::scenario::{size, Scenario};
use lockstep::time::Duration;

/// Every scenario, in a stable order.
pub const ALL: &[Scenario] = &[
    Scenario {
        name: "lost-update",
        about: "concurrent increments of a shared counter all land",
        bugs: &["read-then-write"],
        run: |variant| {
            let workers = size("workers", 5);
            let total = basics::counter_increments(workers, variant.has_bug("read-then-write"));
            assert!(
                total == workers,
                "lost update: counter is {total} after {workers} increments"
            );
        },
    },
    Scenario {
        name: "pool-occupancy",
        about: "a 2-permit semaphore never has 3 holders",
        bugs: &[],
        run: |_| {
            let most = basics::pool_occupancy(size("workers", 4), 2);
            assert!(most <= 2, "semaphore overflow: {most} holders of 2 permits");
        },
    },
    Scenario {
        name: "timeout-fires",
        about: "a 30 s lock timeout fires at exactly t = 30 s while the holder sleeps 60 s",
        bugs: &[],
        run: |_| {
            let got = basics::timed_acquire_against_holder(secs(60), secs(30), true);
            assert_eq!(
                got,
                Acquire::TimedOut(secs(30)),
                "timed acquire ended wrongly"
            );
        },
    },
    Scenario {
        name: "release-before-timeout",
        about: "a holder that sleeps 10 s releases in time for a 30 s timeout",
        bugs: &[],
        run: |_| {
            let got = basics::timed_acquire_against_holder(secs(10), secs(30), true);
            assert_eq!(
                got,
                Acquire::Acquired(secs(10)),
                "timed acquire ended wrongly"
            );
        },
    },
    Scenario {
        name: "release-on-error",
        about: "a transfer that fails at a fault site holds nothing afterwards",
        bugs: &[crate::transfer::LEAK_ON_NETWORK_ERROR],
        run: |variant| {
            crate::transfer::transfers(
                size("workers", 3),
                size("transfers", 2),
                variant.has_bug(crate::transfer::LEAK_ON_NETWORK_ERROR),
            )
        },
    },
    crate::session::scenarios::SCENARIOS[0],
    crate::session::scenarios::SCENARIOS[1],
    crate::session::scenarios::SCENARIOS[2],
    crate::session::scenarios::SCENARIOS[3],
    crate::session::scenarios::SCENARIOS[4],
    crate::session::scenarios::SCENARIOS[5],
    crate::lock_table::SCENARIOS[0],
    crate::lock_table::SCENARIOS[1],
    crate::breaker::SCENARIOS[0],
    crate::breaker::SCENARIOS[1],
    crate::breaker::SCENARIOS[2],
    crate::booking::SCENARIOS[0],
    crate::booking::SCENARIOS[1],
    crate::booking::SCENARIOS[2],
    crate::booking::SCENARIOS[3],
    #[cfg(not(loom))]
    crate::async_session::SCENARIO,
];

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// The scenario called `name`, if any.
pub fn find(name: &str) -> Option<&'static Scenario> {
    lockstep::scenario::find(ALL, name)
}
