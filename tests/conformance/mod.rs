//! The conformance suite: loom's (`tokio-rs/loom`, `tests/*.rs`) and shuttle's
//! (`awslabs/shuttle`, `tests/basic/*.rs`) own tests, ported to lockstep's facade.
//!
//! Each [`Case`] is one upstream test: a body written once against the facade, the upstream
//! expectation ([`Expect`]) and, where lockstep deliberately behaves otherwise, the row of the
//! table of intended differences in `docs/CONFORMANCE.md` ([`Difference`]) with what lockstep
//! does instead, which is what the runner then asserts on that backend. The runner
//! (`tests/upstream_conformance.rs`, built for shuttle or for loom) explores every case on its
//! backend and [`judge`]s the result. `after_fixes.rs` holds the cases that waited for the fixes
//! of issue 17 (contended tries, `notify_one`, poison under loom, recursive reads).
#![allow(dead_code)] // each runner uses the part of the harness its backend needs

pub mod after_fixes;
pub mod arc;
pub mod atomic;
pub mod barrier;
pub mod condvar;
pub mod fence;
pub mod mpsc;
pub mod mutex;
pub mod once;
pub mod rwlock;
pub mod scheduling;
pub mod semaphore;
pub mod thread;

use std::collections::BTreeSet;
use std::fmt;

/// Whose test suite a case comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Upstream {
    /// tokio-rs/loom, `tests/<file>`.
    Loom,
    /// awslabs/shuttle, `tests/basic/<file>`.
    Shuttle,
}

/// The simulation backend a runner explores on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `--features shuttle`.
    Shuttle,
    /// `--cfg loom`.
    Loom,
}

/// Which backends an intended difference applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    /// Both backends.
    Both,
    /// Only under shuttle.
    Shuttle,
    /// Only under loom.
    Loom,
}

impl On {
    fn includes(self, backend: Backend) -> bool {
        matches!(
            (self, backend),
            (On::Both, _) | (On::Shuttle, Backend::Shuttle) | (On::Loom, Backend::Loom)
        )
    }
}

/// What an exploration of a case must end with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// No execution fails.
    Passes,
    /// No execution fails, and the bodies' outcomes over the exploration are exactly this set.
    Outcomes(&'static [&'static str]),
    /// Some execution fails, with a message containing this text (`""`: any failure, where
    /// upstream's `#[should_panic]` names none).
    Fails(&'static str),
    /// No execution fails, in exactly this many executions (shuttle's DFS counts).
    Executions(usize),
    /// No execution fails, and the exploration ends with a warning containing this text.
    Warns(&'static str),
}

/// A row of the table of intended differences in `docs/CONFORMANCE.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difference {
    /// A panic while holding a lock leaves it usable: no `PoisonError`, ever.
    PoisonFree,
    /// A thread blocking on a lock it holds in an excluding mode gets lockstep's report.
    OwnSelfRelockReport,
    /// `sleep` waits in virtual time: a sleeping thread runs again only at its deadline.
    VirtualTime,
    /// Under shuttle, atomics are sequentially consistent.
    ShuttleAtomicsSequentiallyConsistent,
    /// Every thread has a name: `main`, `thread-N` or the builder's.
    CanonicalThreadNames,
    /// `Arc` is `std::sync::Arc`: no leak check, refcounts invisible to the model checker.
    StdArc,
    /// A recursive read lock is let through, as std's does on most platforms.
    RecursiveRead,
    /// Execution counts are the counts of lockstep's own DFS.
    OwnDfsCounts,
    /// Under loom, `SeqCst` loads and stores are `AcqRel` (loom's documented limitation).
    LoomSeqCstIsAcqRel,
    /// A body that spawns no thread passes, with a warning on the exploration's summary.
    NoConcurrencyWarning,
    /// Under simulation `thread::park` never returns spuriously.
    NoSpuriousPark,
    /// Under loom relaxed accesses are modelled: outcomes shuttle's tests expect never to see
    /// (while saying a faithful model would) are reached.
    LoomModelsRelaxed,
    /// Under loom an execution runs at most 5 threads (loom's `MAX_THREADS`).
    LoomThreadLimit,
}

impl Difference {
    /// Every row, in table order.
    pub const ALL: [Difference; 13] = [
        Difference::PoisonFree,
        Difference::OwnSelfRelockReport,
        Difference::VirtualTime,
        Difference::ShuttleAtomicsSequentiallyConsistent,
        Difference::CanonicalThreadNames,
        Difference::StdArc,
        Difference::RecursiveRead,
        Difference::OwnDfsCounts,
        Difference::LoomSeqCstIsAcqRel,
        Difference::NoConcurrencyWarning,
        Difference::NoSpuriousPark,
        Difference::LoomModelsRelaxed,
        Difference::LoomThreadLimit,
    ];

    /// The row's key in the table's first column.
    pub fn key(self) -> &'static str {
        match self {
            Difference::PoisonFree => "poison-free",
            Difference::OwnSelfRelockReport => "own-self-relock-report",
            Difference::VirtualTime => "virtual-time",
            Difference::ShuttleAtomicsSequentiallyConsistent => "shuttle-sc-atomics",
            Difference::CanonicalThreadNames => "canonical-thread-names",
            Difference::StdArc => "std-arc",
            Difference::RecursiveRead => "recursive-read",
            Difference::OwnDfsCounts => "own-dfs-counts",
            Difference::LoomSeqCstIsAcqRel => "loom-seqcst-is-acqrel",
            Difference::NoConcurrencyWarning => "no-concurrency-warning",
            Difference::NoSpuriousPark => "no-spurious-park",
            Difference::LoomModelsRelaxed => "loom-models-relaxed",
            Difference::LoomThreadLimit => "loom-thread-limit",
        }
    }
}

/// What lockstep does compared with the upstream expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The same, on both backends.
    Agrees,
    /// Deliberately otherwise on `on`, as the table's `row` says: lockstep ends with `expect`.
    Differs {
        /// The table row.
        row: Difference,
        /// Where.
        on: On,
        /// What lockstep's exploration ends with there.
        expect: Expect,
    },
}

/// How the shuttle runner explores a case, where upstream asks for a particular search (the
/// loom runner always explores exhaustively).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// Random (seeded).
    Default,
    /// Shuttle: DFS (the upstream case counts its executions).
    Dfs,
    /// Shuttle: PCT with this depth.
    Pct(usize),
}

/// A case's body: run once per execution.
#[derive(Clone, Copy)]
pub enum Body {
    /// Asserts inside; its outcome is not collected.
    Runs(fn()),
    /// Returns an outcome; the set of outcomes is what the case checks.
    Observes(fn() -> String),
}

impl Body {
    /// Runs the body: its outcome, or `None` for [`Body::Runs`].
    pub fn run(self) -> Option<String> {
        match self {
            Body::Runs(body) => {
                body();
                None
            }
            Body::Observes(body) => Some(body()),
        }
    }
}

/// One upstream test, ported.
#[derive(Clone, Copy)]
pub struct Case {
    /// Whose suite.
    pub upstream: Upstream,
    /// The upstream file (`tests/` for loom, `tests/basic/` for shuttle).
    pub file: &'static str,
    /// The upstream test function.
    pub name: &'static str,
    /// The port.
    pub body: Body,
    /// What the upstream test expects.
    pub expect: Expect,
    /// Lockstep's relation to it.
    pub verdict: Verdict,
    /// How to search under shuttle.
    pub search: Search,
    /// Loom's preemption bound, where not the runner's (smaller for a bigger body, bigger
    /// where an upstream outcome needs more preemptions).
    pub loom_bound: Option<usize>,
}

impl Case {
    /// A port of loom's `tests/<file>::<name>`.
    pub const fn loom(file: &'static str, name: &'static str, body: Body, expect: Expect) -> Case {
        Case::new(Upstream::Loom, file, name, body, expect)
    }

    /// A port of shuttle's `tests/basic/<file>::<name>`.
    pub const fn shuttle(
        file: &'static str,
        name: &'static str,
        body: Body,
        expect: Expect,
    ) -> Case {
        Case::new(Upstream::Shuttle, file, name, body, expect)
    }

    const fn new(
        upstream: Upstream,
        file: &'static str,
        name: &'static str,
        body: Body,
        expect: Expect,
    ) -> Case {
        Case {
            upstream,
            file,
            name,
            body,
            expect,
            verdict: Verdict::Agrees,
            search: Search::Default,
            loom_bound: None,
        }
    }

    /// Lockstep deliberately ends with `expect` on `on`, as row `row` of the table says.
    pub const fn differs(mut self, row: Difference, on: On, expect: Expect) -> Case {
        self.verdict = Verdict::Differs { row, on, expect };
        self
    }

    /// Explores with `search` under shuttle.
    pub const fn search(mut self, search: Search) -> Case {
        self.search = search;
        self
    }

    /// Explores with preemption bound `bound` under loom.
    pub const fn loom_bound(mut self, bound: usize) -> Case {
        self.loom_bound = Some(bound);
        self
    }

    /// What the exploration must end with on `backend`, and the table row if that is not the
    /// upstream expectation.
    pub fn expected_on(&self, backend: Backend) -> (Expect, Option<Difference>) {
        match self.verdict {
            Verdict::Differs { row, on, expect } if on.includes(backend) => (expect, Some(row)),
            _ => (self.expect, None),
        }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = match self.upstream {
            Upstream::Loom => "loom tests",
            Upstream::Shuttle => "shuttle tests/basic",
        };
        write!(f, "{dir}/{}::{}", self.file, self.name)
    }
}

/// What one exploration of a case ended with.
#[derive(Debug)]
pub struct Explored {
    /// The executions run, or the first failure's message.
    pub result: Result<usize, String>,
    /// Every outcome an [`Body::Observes`] body returned.
    pub outcomes: BTreeSet<String>,
    /// The warning a passing exploration ended with, if any.
    pub warning: Option<String>,
}

/// Whether `explored` is what `case` must end with on `backend`: `Err` says what differs.
pub fn judge(case: &Case, backend: Backend, explored: &Explored) -> Result<(), String> {
    let (expect, row) = case.expected_on(backend);
    let wanted = match row {
        Some(row) => format!("{expect:?} (intended difference `{}`)", row.key()),
        None => format!("{expect:?} (as upstream)"),
    };
    let agrees = match (expect, &explored.result) {
        (Expect::Passes, Ok(_)) => true,
        (Expect::Outcomes(set), Ok(_)) => {
            explored.outcomes == set.iter().map(|s| s.to_string()).collect()
        }
        (Expect::Fails(text), Err(message)) => message.contains(text),
        (Expect::Executions(n), Ok(executions)) => *executions == n,
        (Expect::Warns(text), Ok(_)) => explored
            .warning
            .as_deref()
            .is_some_and(|warning| warning.contains(text)),
        _ => false,
    };
    if agrees {
        Ok(())
    } else {
        Err(format!(
            "{case}: wanted {wanted}, got {:?} with outcomes {:?}",
            explored.result, explored.outcomes
        ))
    }
}

/// Explores every case in `cases` with `explore` and asserts each ends as [`judge`] wants,
/// listing every case that does not.
pub fn check(backend: Backend, cases: &[Case], explore: impl Fn(&Case) -> Explored) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|case| judge(case, backend, &explore(case)).err())
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

/// Every case the runners explore, by primitive.
pub fn all() -> Vec<Case> {
    [
        after_fixes::CASES,
        arc::CASES,
        atomic::CASES,
        barrier::CASES,
        condvar::CASES,
        fence::CASES,
        mpsc::CASES,
        mutex::CASES,
        once::CASES,
        rwlock::CASES,
        scheduling::CASES,
        semaphore::CASES,
        thread::CASES,
    ]
    .concat()
}
