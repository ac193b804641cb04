//! Scenarios: named, self-checking programs a crate registers for exploration, replay and the
//! command line, and the size knobs ([`size`]) that let shrinking run fewer of their
//! operations.

use std::fmt;

/// Which version of a scenario's program runs: the correct one, or one with a planted bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// The correct program.
    Fixed,
    /// The program with the named planted bug switched on.
    Bug(&'static str),
}

impl Variant {
    /// Whether the planted bug `name` is switched on.
    pub fn has_bug(&self, name: &str) -> bool {
        matches!(self, Variant::Bug(bug) if *bug == name)
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Variant::Fixed => f.write_str("fixed"),
            Variant::Bug(name) => write!(f, "bug:{name}"),
        }
    }
}

/// A named program that checks its own invariants: one call is one execution, and a panic is a
/// found bug.
///
/// ```
/// use lockstep::scenario::{Scenario, Variant};
///
/// const COUNTER: Scenario = Scenario {
///     name: "counter",
///     about: "two increments both land",
///     bugs: &["read-then-write"],
///     run: |variant| {
///         let lost = variant.has_bug("read-then-write");
///         assert!(!lost || true);
///     },
/// };
/// assert_eq!(COUNTER.variant("fixed"), Some(Variant::Fixed));
/// assert_eq!(COUNTER.variant("bug:read-then-write"), Some(Variant::Bug("read-then-write")));
/// assert_eq!(COUNTER.variant("bug:other"), None);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// Unique name, as given on the command line and in seed files.
    pub name: &'static str,
    /// One line on what it checks.
    pub about: &'static str,
    /// The planted bugs it can switch on.
    pub bugs: &'static [&'static str],
    /// Runs one execution; panics when an invariant breaks.
    pub run: fn(Variant),
}

impl Scenario {
    /// Parses a variant as written in seed files and on the command line: `fixed` or
    /// `bug:NAME` for one of this scenario's bugs.
    pub fn variant(&self, text: &str) -> Option<Variant> {
        if text == "fixed" {
            return Some(Variant::Fixed);
        }
        let name = text.strip_prefix("bug:")?;
        self.bugs
            .iter()
            .find(|b| **b == name)
            .map(|b| Variant::Bug(b))
    }
}

/// The scenario called `name` in `scenarios`.
pub fn find<'a>(scenarios: &'a [Scenario], name: &str) -> Option<&'a Scenario> {
    scenarios.iter().find(|s| s.name == name)
}

/// A size knob: how many clients, operations per client, rounds, ... a scenario runs.
///
/// Returns the running exploration's override for `name` if it sets one, else `default`. Under
/// std (no simulated execution running) it is always `default`. In a simulated execution the
/// kernel records every knob read and the value it returned, in first-read order; a knob read
/// again in the same execution returns its first value. Shrinking uses that record: before it
/// shrinks the schedule it tries smaller values of each knob the failing execution read (see
/// `lockstep::shrink`), and a shrunk seed file keeps the values it chose in its `[sizes]` table.
///
/// Read knobs up front, before the threads start: a seed file may only set knobs its
/// execution reads, and a replay that never reads one is an error. Pick defaults that make a
/// realistic workload: the shrinker brings them down to what the failure needs. A scenario's
/// checks must hold for every value from 1 up (say what they expect in terms of the knob, not
/// of its default), so a smaller run that fails is still the same bug.
///
/// ```
/// use lockstep::scenario::{size, Scenario, Variant};
/// use lockstep::sync::{Arc, Mutex};
/// use lockstep::thread;
///
/// fn increments() {
///     let workers = size("workers", 4);
///     let rounds = size("rounds", 2);
///     let counter = Arc::new(Mutex::new(0));
///     let handles: Vec<_> = (0..workers)
///         .map(|_| {
///             let counter = Arc::clone(&counter);
///             thread::spawn(move || {
///                 for _ in 0..rounds {
///                     *counter.lock() += 1;
///                 }
///             })
///         })
///         .collect();
///     for handle in handles {
///         handle.join().unwrap();
///     }
///     let total = *counter.lock();
///     assert_eq!(total, workers * rounds, "lost an increment");
/// }
///
/// const INCREMENTS: Scenario = Scenario {
///     name: "increments",
///     about: "every increment of every worker lands",
///     bugs: &[],
///     run: |_| increments(),
/// };
/// // Outside an exploration every knob has its default; under std the scenario just runs.
/// assert_eq!(size("workers", 4), 4);
/// if !lockstep::SIMULATED {
///     (INCREMENTS.run)(Variant::Fixed);
/// }
/// ```
pub fn size(name: &'static str, default: usize) -> usize {
    crate::ghost::size(name, default)
}
