//! Scenarios: named, self-checking programs a crate registers for exploration, replay and the
//! command line.

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
/// use sim::scenario::{Scenario, Variant};
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
