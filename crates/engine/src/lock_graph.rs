//! The lock-order graph of one exploration: node → node, each edge with the acquisitions that
//! made it. An acquisition that closes a cycle is a potential deadlock, reported with every
//! edge's thread and call sites, even when no explored interleaving deadlocked. Which
//! acquisitions are recorded at all (blocking ones, under other holds) is the facade's rule
//! (`lockstep::sync::LockClass`); this module is the data structure and the cycle rule.
//!
//! ## The rule
//!
//! Every blocking acquisition of `r` by thread `t` while holding `h1 .. hn` adds an edge
//! `hi → r` for every held `hi` on another node (a ranked object's node is its class, an
//! unranked object's is the object itself). Each edge carries its **thread** and its **gate
//! set**: every object `t` held at that moment, by identity (its number in the execution and its
//! node) and mode, the `hi` themselves included. Semaphore permits are not gates: a count of
//! permits may be held by several threads at once, so a permit never keeps anyone out.
//!
//! Under [`LockOrderRule::Concurrent`] (the default) a cycle of edges `L1 → L2 → .. → L1` is a
//! potential deadlock only if all its edges could be *in progress at once*, which a deadlock
//! needs (each thread holds its `Li` and waits for `Li+1`, all at the same time):
//!
//! * they come from **pairwise distinct threads**: one thread's own `A → B` and, later, `B → A`
//!   cannot deadlock by themselves. lockdep reports them, because in a kernel any other task
//!   may run the same code; a lockstep thread *is* its code path, and a test that runs that
//!   path twice concurrently spawns it twice, which makes two threads with opposite orders;
//! * their gate sets are **pairwise compatible**: no object is in two of them unless every
//!   hold of it is shared. A common exclusive gate (a global mutex around the dining
//!   philosophers' forks, or one side holding the gate for writing and the other for reading)
//!   serializes the edges, so the cycle cannot close; a gate both sides hold for reading lets
//!   both in and protects nothing.
//!
//! This is GoodLock's rule (Havelund 2000; Bensalem and Havelund 2005) with lockdep's classes
//! as nodes and objects as gates. It is exact for the edges one execution records: the moment
//! a new edge variant closes a cycle whose edges pass both tests, that cycle is reported (both
//! tests are pairwise, so a closed walk that passes them splits into simple cycles that do, and
//! the search over simple cycles misses none). Edges are kept across the executions of an
//! exploration; across executions a thread is its index (spawn order) and an object its
//! creation number (what names unnamed objects), the same code path in a deterministic program,
//! so a cycle may also combine edges of different executions, as in lockdep.
//!
//! The search for such a cycle runs only when a new variant's edge lies on some cycle of
//! nodes at all (a plain reachability check first), so a program with a consistent lock order
//! never pays for it.
//!
//! Under std the graph is process-wide (debug builds): every OS thread is a thread of its own
//! and every object a gate of its own for the life of the process, so a program run twice in
//! one process is checked as if its two runs could overlap (a gate re-created for the second
//! run does not protect the first run's edges).
//!
//! [`LockOrderRule::Strict`] is lockdep's rule: any cycle of nodes is reported, whoever made
//! its edges and whatever they held; it reports the single-thread inversion and gate-protected
//! cycles too. It keeps one variant per pair of nodes (the first acquisition), as before gates.
//!
//! ## Memory
//!
//! Edges are deduplicated by (from, to, gate set, thread), so an exploration that repeats the
//! same acquisitions does not grow the graph. An edge keeps at most [`MAX_VARIANTS`] distinct
//! (gate set, thread) variants; past that, further acquisitions of the same edge share one
//! *widened* variant with no gates and no thread, which is compatible with every other edge: the
//! graph stays bounded by the number of node pairs, and widening can only add reports, never
//! lose one.
//!
//! ```
//! use lockstep_engine::held::Held;
//! use lockstep_engine::lock_graph::{Acquisition, LockGraph, LockOrderRule};
//! use lockstep_engine::object::{Kind, Mode, ObjectInfo};
//! use std::panic::Location;
//! use std::sync::Arc;
//!
//! let object = |name, seq| Arc::new(ObjectInfo::new(Kind::Mutex, Some(name), seq));
//! let (gate, a, b) = (object("G", 0), object("A", 1), object("B", 2));
//! let hold = |object: &Arc<ObjectInfo>| Held {
//!     object: Arc::clone(object),
//!     mode: Mode::Exclusive,
//!     site: Location::caller(),
//! };
//! let take = |graph: &mut LockGraph, thread, held: &[Held], requested: &ObjectInfo| {
//!     let acquisition = Acquisition { thread, held, requested, site: Location::caller() };
//!     graph.record(&acquisition, &|| format!("t{thread}"))
//! };
//! // Two threads take A and B in opposite orders, always inside the gate G: no deadlock.
//! let mut graph = LockGraph::default();
//! assert!(take(&mut graph, 1, &[hold(&gate), hold(&a)], &b).is_none());
//! assert!(take(&mut graph, 2, &[hold(&gate), hold(&b)], &a).is_none());
//! // Without the gate they can deadlock.
//! let deadlock = take(&mut graph, 2, &[hold(&b)], &a).expect("B -> A closes a cycle");
//! assert_eq!(deadlock.edges.len(), 2);
//! assert!(deadlock.to_string().starts_with("potential deadlock"));
//! // lockdep's rule reports the gated cycle at once.
//! let mut strict = LockGraph::new(LockOrderRule::Strict);
//! assert!(take(&mut strict, 1, &[hold(&gate), hold(&a)], &b).is_none());
//! assert!(take(&mut strict, 2, &[hold(&gate), hold(&b)], &a).is_some());
//! ```

use crate::held::Held;
use crate::object::{Mode, ObjectInfo};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::panic::Location;
use std::str::FromStr;
use std::sync::Arc;

/// The most (gate set, thread) variants one edge keeps before it widens (see the module docs).
pub const MAX_VARIANTS: usize = 32;

/// Which cycles of the lock-order graph are potential deadlocks (see the module docs).
///
/// ```
/// use lockstep_engine::lock_graph::LockOrderRule;
///
/// assert_eq!(LockOrderRule::default(), LockOrderRule::Concurrent);
/// assert_eq!("strict".parse::<LockOrderRule>(), Ok(LockOrderRule::Strict));
/// assert_eq!(LockOrderRule::Concurrent.to_string(), "concurrent");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum LockOrderRule {
    /// A cycle whose edges come from distinct threads with pairwise compatible gate sets.
    #[default]
    Concurrent,
    /// Any cycle (lockdep's rule): gates and threads are ignored.
    Strict,
}

impl fmt::Display for LockOrderRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LockOrderRule::Concurrent => "concurrent",
            LockOrderRule::Strict => "strict",
        })
    }
}

impl FromStr for LockOrderRule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "concurrent" => Ok(LockOrderRule::Concurrent),
            "strict" => Ok(LockOrderRule::Strict),
            other => Err(format!(
                "unknown lock-order rule `{other}`: expected `concurrent` or `strict`"
            )),
        }
    }
}

/// One blocking acquisition made while holding other objects: what the graph records (the
/// module example records several).
///
/// ```
/// use lockstep_engine::held::Held;
/// use lockstep_engine::lock_graph::{Acquisition, LockGraph};
/// use lockstep_engine::object::{Kind, Mode, ObjectInfo};
/// use std::panic::Location;
/// use std::sync::Arc;
///
/// let a = Arc::new(ObjectInfo::new(Kind::Mutex, Some("A"), 0));
/// let b = ObjectInfo::new(Kind::Mutex, Some("B"), 1);
/// let held = [Held { object: a, mode: Mode::Exclusive, site: Location::caller() }];
/// let acquisition = Acquisition { thread: 1, held: &held, requested: &b, site: Location::caller() };
/// let mut graph = LockGraph::default();
/// assert!(graph.record(&acquisition, &|| "worker".into()).is_none());
/// assert_eq!(graph.len(), 1, "the edge A -> B");
/// ```
pub struct Acquisition<'a> {
    /// The acquiring thread's identity: its index in the execution (simulation), or a number
    /// per OS thread (std). Only compared, never printed.
    pub thread: usize,
    /// What it holds, oldest first.
    pub held: &'a [Held],
    /// What it requests.
    pub requested: &'a ObjectInfo,
    /// Where it requests it.
    pub site: &'static Location<'static>,
}

/// How an edge of the lock-order graph came about: its first acquisition (of one variant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The thread that made the acquisition.
    pub thread: String,
    /// The object it held.
    pub held: String,
    /// Where it took the held object.
    pub held_site: String,
    /// The object it requested.
    pub requested: String,
    /// Where it requested it.
    pub site: String,
    /// The other objects it held at that moment, with their mode (`Mutex "G" (exclusive)`).
    pub also_holding: Vec<String>,
    /// Whether this edge stands for many acquisitions whose gates and threads were forgotten
    /// (see the module docs on memory).
    pub widened: bool,
}

/// A cycle of the lock-order graph that the rule counts as a potential deadlock; its
/// `Display` is the report.
///
/// ```
/// use lockstep_engine::lock_graph::{Edge, LockOrderRule, PotentialDeadlock};
///
/// let edge = |held: &str, requested: &str, thread: &str| Edge {
///     thread: thread.into(),
///     held: held.into(),
///     held_site: "x.rs:1".into(),
///     requested: requested.into(),
///     site: "x.rs:2".into(),
///     also_holding: Vec::new(),
///     widened: false,
/// };
/// let deadlock = PotentialDeadlock {
///     rule: LockOrderRule::Concurrent,
///     edges: vec![edge("B", "A", "right"), edge("A", "B", "left")],
/// };
/// assert_eq!(
///     deadlock.to_string().lines().nth(1),
///     Some("  B -> A: right requested it at x.rs:2 while holding B (taken at x.rs:1)")
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PotentialDeadlock {
    /// The rule that reported it.
    pub rule: LockOrderRule,
    /// The cycle's edges in order, starting with the one just added.
    pub edges: Vec<Edge>,
}

impl fmt::Display for PotentialDeadlock {
    /// The cycle's edges, each with its thread, call sites and other holds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("potential deadlock: the lock-order graph has a cycle")?;
        if self.rule == LockOrderRule::Strict {
            f.write_str(" (strict rule: threads and gate locks not compared)")?;
        }
        for edge in &self.edges {
            write!(
                f,
                "\n  {} -> {}: {} requested it at {} while holding {} (taken at {})",
                edge.held, edge.requested, edge.thread, edge.site, edge.held, edge.held_site
            )?;
            if !edge.also_holding.is_empty() {
                write!(f, ", also holding {}", edge.also_holding.join(", "))?;
            }
            if edge.widened {
                write!(
                    f,
                    " [one of more than {MAX_VARIANTS} variants of this edge: gates and thread not compared]"
                )?;
            }
        }
        Ok(())
    }
}

/// One object held when an edge was taken, by identity: its number in the execution and its
/// node (so objects numbered in different numberings do not meet), and whether it was shared.
#[derive(Clone, Debug)]
struct Gate {
    seq: usize,
    node: Arc<str>,
    shared: bool,
}

/// Whether a hold is a gate, and how: `Some(shared)`, or `None` for a permit (which keeps no
/// one out).
fn gate_mode(held: &Held) -> Option<bool> {
    match held.mode {
        Mode::Exclusive => Some(false),
        Mode::Shared => Some(true),
        // A permit keeps no one out; the wait-only modes are never held.
        Mode::Permits(_)
        | Mode::Notify
        | Mode::Recv
        | Mode::Send { .. }
        | Mode::Arrive { .. }
        | Mode::Init
        | Mode::Completion => None,
    }
}

/// Whether two holds are of the same object (by its identity across executions).
fn same_object(a: &Held, b: &Held) -> bool {
    a.object.seq() == b.object.seq() && a.object.node == b.object.node
}

impl Gate {
    /// The gate a hold is, if it can keep another thread out.
    fn of(held: &Held) -> Option<Gate> {
        Some(Gate {
            seq: held.object.seq(),
            node: Arc::clone(&held.object.node),
            shared: gate_mode(held)?,
        })
    }

    /// Whether this gate is `held` (held as `shared`), compared without cloning anything.
    fn is_hold(&self, held: &Held, shared: bool) -> bool {
        self.shared == shared && self.seq == held.object.seq() && *self.node == *held.object.node
    }

    fn same_object(&self, other: &Gate) -> bool {
        self.seq == other.seq && (Arc::ptr_eq(&self.node, &other.node) || self.node == other.node)
    }

    /// Whether a thread holding `self` keeps out a thread wanting `other` (or the reverse).
    fn excludes(&self, other: &Gate) -> bool {
        self.same_object(other) && !(self.shared && other.shared)
    }
}

/// The gate set of an acquisition: its gates, each once, in held order.
fn gates_of(held: &[Held]) -> Vec<Gate> {
    let mut gates: Vec<Gate> = Vec::new();
    for gate in held.iter().filter_map(Gate::of) {
        if !gates
            .iter()
            .any(|g| g.shared == gate.shared && g.same_object(&gate))
        {
            gates.push(gate);
        }
    }
    gates
}

/// Whether `stored` is the gate set of `held`, without allocating or cloning (this runs on
/// every nested acquisition).
fn same_gates(stored: &[Gate], held: &[Held]) -> bool {
    let mut distinct = 0;
    for (i, hold) in held.iter().enumerate() {
        let Some(shared) = gate_mode(hold) else {
            continue;
        };
        let repeated = held[..i]
            .iter()
            .any(|earlier| gate_mode(earlier) == Some(shared) && same_object(earlier, hold));
        if repeated {
            continue;
        }
        if !stored.iter().any(|g| g.is_hold(hold, shared)) {
            return false;
        }
        distinct += 1;
    }
    distinct == stored.len()
}

/// One way an edge was taken: by which thread, under which gates.
#[derive(Clone, Debug)]
struct Variant {
    /// `None`: the widened variant, which stands for any thread.
    thread: Option<usize>,
    gates: Vec<Gate>,
    edge: Edge,
}

impl Variant {
    /// Whether `self` and `other` could be in progress at the same time.
    fn concurrent_with(&self, other: &Variant) -> bool {
        let same_thread = matches!((self.thread, other.thread), (Some(a), Some(b)) if a == b);
        !same_thread
            && !self
                .gates
                .iter()
                .any(|g| other.gates.iter().any(|o| g.excludes(o)))
    }
}

/// The lock-order graph of one exploration: node → node → the variants of that edge. Ordered
/// maps and insertion-ordered variants, so reports are deterministic.
#[derive(Default)]
pub struct LockGraph {
    rule: LockOrderRule,
    edges: BTreeMap<Arc<str>, BTreeMap<Arc<str>, Vec<Variant>>>,
}

/// The graph handle a kernel (or std) records into.
pub type SharedGraph = Arc<std::sync::Mutex<LockGraph>>;

impl LockGraph {
    /// An empty graph that reports cycles by `rule`.
    ///
    /// ```
    /// use lockstep_engine::lock_graph::{LockGraph, LockOrderRule};
    ///
    /// let graph = LockGraph::new(LockOrderRule::Strict);
    /// assert_eq!(graph.rule(), LockOrderRule::Strict);
    /// assert!(graph.is_empty() && graph.len() == 0);
    /// ```
    pub fn new(rule: LockOrderRule) -> Self {
        LockGraph {
            rule,
            edges: BTreeMap::new(),
        }
    }

    /// A graph shared by the executions of one exploration, reporting by `rule`.
    pub fn shared(rule: LockOrderRule) -> SharedGraph {
        Arc::new(std::sync::Mutex::new(LockGraph::new(rule)))
    }

    /// The rule it reports cycles by.
    pub fn rule(&self) -> LockOrderRule {
        self.rule
    }

    /// How many edge variants it keeps: at most [`MAX_VARIANTS`] + 1 per pair of nodes.
    pub fn len(&self) -> usize {
        self.edges
            .values()
            .flat_map(BTreeMap::values)
            .map(Vec::len)
            .sum()
    }

    /// Whether it has no edge yet.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Records the edges of `acquisition` (held → requested, for every held object on another
    /// node) and returns the first potential deadlock one of them closes. `thread_name` names
    /// the acquiring thread; it runs, and anything is allocated, only for a new edge.
    pub fn record(
        &mut self,
        acquisition: &Acquisition<'_>,
        thread_name: &dyn Fn() -> String,
    ) -> Option<PotentialDeadlock> {
        let to = &acquisition.requested.node;
        acquisition
            .held
            .iter()
            .filter(|hold| hold.object.node != *to)
            .find_map(|hold| self.add(acquisition, hold, thread_name))
    }

    /// Adds the edge `hold → requested` of `acquisition`, if it is a new variant, and returns
    /// the potential deadlock it closes.
    fn add(
        &mut self,
        acquisition: &Acquisition<'_>,
        hold: &Held,
        thread_name: &dyn Fn() -> String,
    ) -> Option<PotentialDeadlock> {
        let (from, to) = (&hold.object.node, &acquisition.requested.node);
        let known = self.edges.get(from).and_then(|out| out.get(to));
        let variant = match (self.rule, known) {
            (LockOrderRule::Strict, Some(_)) => return None,
            (LockOrderRule::Concurrent, Some(variants)) => {
                let seen = variants.iter().any(|v| {
                    v.thread.is_none()
                        || (v.thread == Some(acquisition.thread)
                            && same_gates(&v.gates, acquisition.held))
                });
                if seen {
                    return None;
                }
                let widen = variants.len() >= MAX_VARIANTS;
                Self::variant(acquisition, hold, thread_name, widen)
            }
            (_, None) => Self::variant(acquisition, hold, thread_name, false),
        };
        let variants = self
            .edges
            .entry(Arc::clone(from))
            .or_default()
            .entry(Arc::clone(to))
            .or_default();
        variants.push(variant.clone());
        let path = match self.rule {
            LockOrderRule::Strict => self.any_path(to, from)?,
            LockOrderRule::Concurrent => {
                self.any_path(to, from)?;
                self.concurrent_path(to, from, &variant)?
            }
        };
        let mut edges = vec![variant.edge];
        edges.extend(path);
        Some(PotentialDeadlock {
            rule: self.rule,
            edges,
        })
    }

    /// The variant `acquisition` makes of `hold → requested`: its own, or the widened one.
    fn variant(
        acquisition: &Acquisition<'_>,
        hold: &Held,
        thread_name: &dyn Fn() -> String,
        widen: bool,
    ) -> Variant {
        let also_holding = acquisition
            .held
            .iter()
            .filter(|other| !std::ptr::eq(*other, hold))
            .map(|other| format!("{} ({})", other.object, mode_name(other.mode)))
            .collect();
        let edge = Edge {
            thread: thread_name(),
            held: hold.object.to_string(),
            held_site: hold.site.to_string(),
            requested: acquisition.requested.to_string(),
            site: acquisition.site.to_string(),
            also_holding,
            widened: widen,
        };
        Variant {
            thread: (!widen).then_some(acquisition.thread),
            gates: if widen {
                Vec::new()
            } else {
                gates_of(acquisition.held)
            },
            edge,
        }
    }

    /// The edges (first variants) of some path `from →* to`, depth-first in node order,
    /// ignoring threads and gates.
    fn any_path(&self, from: &Arc<str>, to: &Arc<str>) -> Option<Vec<Edge>> {
        let mut visited = BTreeSet::new();
        let mut trail = Vec::new();
        self.dfs(from, to, &mut visited, &mut trail)
            .then_some(trail)
    }

    fn dfs<'a>(
        &'a self,
        at: &'a Arc<str>,
        goal: &Arc<str>,
        visited: &mut BTreeSet<&'a Arc<str>>,
        trail: &mut Vec<Edge>,
    ) -> bool {
        if at == goal {
            return true;
        }
        if !visited.insert(at) {
            return false;
        }
        for (next, variants) in self.edges.get(at).into_iter().flatten() {
            trail.push(variants[0].edge.clone());
            if self.dfs(next, goal, visited, trail) {
                return true;
            }
            trail.pop();
        }
        false
    }

    /// The edges of a simple path `from →* to` whose variants, with `first`, are pairwise
    /// concurrent (distinct threads, compatible gates), depth-first in node then insertion
    /// order. Called only once some path exists, so a graph without cycles never searches.
    fn concurrent_path(
        &self,
        from: &Arc<str>,
        to: &Arc<str>,
        first: &Variant,
    ) -> Option<Vec<Edge>> {
        let mut on_path = BTreeSet::from([from]);
        let mut chosen = vec![first];
        self.concurrent_dfs(from, to, &mut on_path, &mut chosen)
            .then(|| chosen[1..].iter().map(|v| v.edge.clone()).collect())
    }

    fn concurrent_dfs<'a>(
        &'a self,
        at: &'a Arc<str>,
        goal: &Arc<str>,
        on_path: &mut BTreeSet<&'a Arc<str>>,
        chosen: &mut Vec<&'a Variant>,
    ) -> bool {
        for (next, variants) in self.edges.get(at).into_iter().flatten() {
            let closes = next == goal;
            if !closes && on_path.contains(next) {
                continue;
            }
            for variant in variants {
                if !chosen.iter().all(|c| c.concurrent_with(variant)) {
                    continue;
                }
                chosen.push(variant);
                if closes {
                    return true;
                }
                on_path.insert(next);
                if self.concurrent_dfs(next, goal, on_path, chosen) {
                    return true;
                }
                on_path.remove(next);
                chosen.pop();
            }
        }
        false
    }
}

/// How a hold is named in a report.
fn mode_name(mode: Mode) -> &'static str {
    match mode {
        // The wait-only modes are never held; named as exclusive should one ever be.
        Mode::Exclusive
        | Mode::Notify
        | Mode::Recv
        | Mode::Send { .. }
        | Mode::Arrive { .. }
        | Mode::Init
        | Mode::Completion => "exclusive",
        Mode::Shared => "shared",
        Mode::Permits(_) => "permit",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Kind;

    fn object(name: &str, seq: usize) -> Arc<ObjectInfo> {
        Arc::new(ObjectInfo::new(Kind::Mutex, Some(name), seq))
    }

    fn hold(object: &Arc<ObjectInfo>, mode: Mode) -> Held {
        Held {
            object: Arc::clone(object),
            mode,
            site: Location::caller(),
        }
    }

    /// Thread `thread`, holding `held` (exclusive unless told), requests `requested`.
    fn take(
        graph: &mut LockGraph,
        thread: usize,
        held: &[Held],
        requested: &Arc<ObjectInfo>,
    ) -> Option<PotentialDeadlock> {
        let acquisition = Acquisition {
            thread,
            held,
            requested,
            site: Location::caller(),
        };
        graph.record(&acquisition, &|| format!("t{thread}"))
    }

    fn ex(object: &Arc<ObjectInfo>) -> Held {
        hold(object, Mode::Exclusive)
    }

    #[test]
    fn a_repeated_acquisition_is_one_variant() {
        let (a, b) = (object("A", 0), object("B", 1));
        let mut graph = LockGraph::default();
        for _ in 0..1000 {
            assert!(take(&mut graph, 1, &[ex(&a)], &b).is_none());
        }
        assert_eq!(graph.len(), 1);
        // The same edge under another thread, or another gate set, is a variant of its own.
        assert!(take(&mut graph, 2, &[ex(&a)], &b).is_none());
        let g = object("G", 2);
        assert!(take(&mut graph, 1, &[ex(&g), ex(&a)], &b).is_none());
        assert_eq!(graph.len(), 4, "G -> B, and A -> B three ways");
    }

    #[test]
    fn an_edge_widens_past_the_cap_and_still_closes_cycles() {
        let (a, b) = (object("A", 0), object("B", 1));
        let mut graph = LockGraph::default();
        // Many gates, one per acquisition, all on nodes of their own: A -> B gets one variant
        // per gate (and each gate an edge G_i -> B).
        let gates: Vec<_> = (0..3 * MAX_VARIANTS)
            .map(|i| object(&format!("G{i}"), 10 + i))
            .collect();
        for gate in &gates {
            assert!(take(&mut graph, 1, &[ex(gate), ex(&a)], &b).is_none());
        }
        let a_to_b = graph.edges[&a.node][&b.node].len();
        assert_eq!(
            a_to_b,
            MAX_VARIANTS + 1,
            "the cap, then one widened variant"
        );
        // Thread 1 itself now takes B -> A: against its own exact variants that is no
        // deadlock, but the widened variant no longer remembers whose it is, so the cycle is
        // reported through it (widening only adds reports, never hides one).
        let last = gates.last().unwrap();
        let deadlock = take(&mut graph, 1, &[ex(last), ex(&b)], &a).expect("reported");
        assert!(deadlock.edges[1].widened, "{deadlock}");
        assert!(deadlock
            .to_string()
            .contains("gates and thread not compared"));
    }

    #[test]
    fn a_three_edge_cycle_needs_pairwise_distinct_threads_and_compatible_gates() {
        let (a, b, c) = (object("A", 0), object("B", 1), object("C", 2));
        let (g, h) = (object("G", 3), object("H", 4));
        // t1 and t3 share the gate G: no deadlock, though t2 shares nothing with either.
        let mut graph = LockGraph::default();
        assert!(take(&mut graph, 1, &[ex(&g), ex(&a)], &b).is_none());
        assert!(take(&mut graph, 2, &[ex(&b)], &c).is_none());
        assert!(take(&mut graph, 3, &[ex(&g), ex(&c)], &a).is_none());
        // With its own gate H, t3 closes the cycle.
        let deadlock = take(&mut graph, 3, &[ex(&h), ex(&c)], &a).expect("reported");
        assert_eq!(deadlock.edges.len(), 3);
        // t1 making two of the three edges is no deadlock either.
        let mut graph = LockGraph::default();
        assert!(take(&mut graph, 1, &[ex(&a)], &b).is_none());
        assert!(take(&mut graph, 2, &[ex(&b)], &c).is_none());
        assert!(take(&mut graph, 1, &[ex(&c)], &a).is_none());
        assert!(take(&mut graph, 3, &[ex(&c)], &a).is_some());
    }

    #[test]
    fn a_shared_gate_protects_only_against_an_exclusive_hold_of_it() {
        let (a, b, g) = (object("A", 0), object("B", 1), object("G", 2));
        let shared = |o: &Arc<ObjectInfo>| hold(o, Mode::Shared);
        let mut graph = LockGraph::default();
        assert!(take(&mut graph, 1, &[shared(&g), ex(&a)], &b).is_none());
        assert!(take(&mut graph, 2, &[ex(&g), ex(&b)], &a).is_none());
        assert!(take(&mut graph, 3, &[shared(&g), ex(&b)], &a).is_some());
        // A permit is no gate at all.
        let mut graph = LockGraph::default();
        let permit = |o: &Arc<ObjectInfo>| hold(o, Mode::Permits(1));
        assert!(take(&mut graph, 1, &[permit(&g), ex(&a)], &b).is_none());
        assert!(take(&mut graph, 2, &[permit(&g), ex(&b)], &a).is_some());
    }

    #[test]
    fn the_strict_rule_reports_any_cycle_once_per_node_pair() {
        let (a, b, g) = (object("A", 0), object("B", 1), object("G", 2));
        let mut graph = LockGraph::new(LockOrderRule::Strict);
        assert!(take(&mut graph, 1, &[ex(&g), ex(&a)], &b).is_none());
        assert!(take(&mut graph, 1, &[ex(&a)], &b).is_none());
        assert_eq!(graph.len(), 2, "G -> B and A -> B: node pairs only");
        let deadlock = take(&mut graph, 1, &[ex(&g), ex(&b)], &a).expect("reported");
        assert!(deadlock.to_string().contains("strict rule"), "{deadlock}");
    }
}
