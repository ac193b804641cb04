//! Bug shapes from the classic concurrency benchmarks (SCTBench, as the RFF paper measures them:
//! Wolff et al., "Greybox Fuzzing for Concurrency Testing", ASPLOS 2024), written against the
//! facade, for measuring search strategies: each program is small, has one planted bug, and
//! the bug needs one particular ordering of a few operations among all the threads' steps.
//!
//! - N-thread reorder: [`crate::ordering::reorder`] with `gated = false` (main spawns the
//!   `N - 1` setters, then the checker; no start gate).
//! - [`two_stage`]: an atomicity violation between two critical sections of one setter.
//! - [`token_ring`]: three writers that must run in ring order, and a checker.
//! - [`account`]: an audit that must run after a deposit and a withdrawal to check anything.
//!
//! [`INSTANCES`] lists the sizes the paper measures (the benchmark `bench_search` runs them).

pub mod account;
pub mod token_ring;
pub mod two_stage;

use lockstep::scenario::Variant;

/// One sized program of a family, with its planted bug switched on.
///
/// ```
/// let instance = model::search::find("two-stage-1+1").expect("listed");
/// assert_eq!(instance.family, "two-stage");
/// assert!(instance.message.contains("data2"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Instance {
    /// The family's name: `reorder`, `two-stage`, `token-ring` or `account`.
    pub family: &'static str,
    /// The instance's name: the family's and its size (`reorder-10`, `two-stage-99+1`).
    pub name: &'static str,
    /// The name of the same program in the RFF paper's artifact (SCTBench's `CS/...`), for the
    /// published figures.
    pub published_as: &'static str,
    /// What every failure of the planted bug's panic message contains.
    pub message: &'static str,
    /// Runs one execution of the buggy program.
    pub run: fn(),
}

const REORDER: &str = "reorder: the checker saw the pair half published";
const TWO_STAGE: &str = "two-stage: a reader saw data1 = 1 but data2 = 0";
const TOKEN_RING: &str = "token ring: all three writers are done but the slots disagree";
const ACCOUNT: &str = "account: after the deposit of 2 and the withdrawal of 4 from 1 the \
                       balance is -1, expected -5";

const fn reorder(name: &'static str, published_as: &'static str, run: fn()) -> Instance {
    Instance {
        family: "reorder",
        name,
        published_as,
        message: REORDER,
        run,
    }
}

const fn two_stage(name: &'static str, published_as: &'static str, run: fn()) -> Instance {
    Instance {
        family: "two-stage",
        name,
        published_as,
        message: TWO_STAGE,
        run,
    }
}

fn split(setters: usize, readers: usize) {
    two_stage::two_stage(setters, readers, Variant::Bug(two_stage::SPLIT_STAGES));
}

/// Every instance, smallest first within a family: reorder at N = 3, 5, 10, 20, 50, 100
/// threads; two-stage at 1+1, 10+10, 40+10, 99+1 (setters + readers); the token ring; the
/// account.
pub const INSTANCES: &[Instance] = &[
    reorder("reorder-3", "CS/reorder_3", || {
        crate::ordering::reorder(3, false)
    }),
    reorder("reorder-5", "CS/reorder_5", || {
        crate::ordering::reorder(5, false)
    }),
    reorder("reorder-10", "CS/reorder_10", || {
        crate::ordering::reorder(10, false)
    }),
    reorder("reorder-20", "CS/reorder_20", || {
        crate::ordering::reorder(20, false)
    }),
    reorder("reorder-50", "CS/reorder_50", || {
        crate::ordering::reorder(50, false)
    }),
    reorder("reorder-100", "CS/reorder_100", || {
        crate::ordering::reorder(100, false)
    }),
    two_stage("two-stage-1+1", "CS/twostage", || split(1, 1)),
    two_stage("two-stage-10+10", "CS/twostage_20", || split(10, 10)),
    two_stage("two-stage-40+10", "CS/twostage_50", || split(40, 10)),
    two_stage("two-stage-99+1", "CS/twostage_100", || split(99, 1)),
    Instance {
        family: "token-ring",
        name: "token-ring",
        published_as: "CS/token_ring",
        message: TOKEN_RING,
        run: || token_ring::token_ring(Variant::Bug(token_ring::NO_TOKEN)),
    },
    Instance {
        family: "account",
        name: "account",
        published_as: "CS/account",
        message: ACCOUNT,
        run: || account::account(Variant::Bug(account::AUDIT_SUBTRACTS_DEPOSIT)),
    },
];

/// The instance called `name`, if any.
///
/// ```
/// assert!(model::search::find("reorder-100").is_some());
/// assert!(model::search::find("reorder-7").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static Instance> {
    INSTANCES.iter().find(|instance| instance.name == name)
}
