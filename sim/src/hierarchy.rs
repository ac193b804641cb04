//! The lock hierarchy, enforced: ranks checked at every blocking acquire, and the lock-order
//! graph (lockdep-style) that reports potential deadlocks even when no explored interleaving
//! deadlocked.
//!
//! Rules:
//! * Taking a lock of rank r while holding one of rank ≥ r is an **order violation**, except
//!   within one class with strictly increasing keys (e.g. two sessions' locks in id order).
//!   Unranked objects are not rank-checked.
//! * Every blocking acquisition made while holding other objects adds edges held → requested
//!   to the **lock-order graph**. A ranked object's node is its class (all sessions' locks are
//!   one node); an unranked object's node is the object itself. Edges are kept across all
//!   executions of one exploration (process-wide under std, in debug builds). A new edge that
//!   closes a cycle fails the execution with the cycle and, for each edge, the thread and call
//!   sites that created it.
//! * Semaphore permits and read locks are nodes like any lock: a permit wait or a read acquire
//!   while holding something is an edge. Read/read edges are kept, not exempted: std's and
//!   loom's `RwLock` may block a new reader behind a waiting writer, so two threads taking two
//!   read locks in opposite orders can deadlock once a writer queues on each.
//! * `try_*` acquisitions never block, so they neither check ranks nor add edges; they do join
//!   the held stack, so what is taken while holding them is checked.
//! * A condvar wait releases its mutex (it leaves the held stack) and re-acquires it, checked.

use crate::held::{Held, Holder};
use crate::object::ObjectInfo;
use crate::LockError;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::Location;
use std::sync::Arc;

/// A lock's place in the hierarchy: a name shared by all its instances and a rank (lower ranks
/// are taken first).
///
/// ```
/// use sim::sync::{LockClass, Mutex};
///
/// const MANAGER: LockClass = LockClass::new("manager", 1);
/// const SESSION: LockClass = LockClass::new("session", 3);
///
/// let manager = Mutex::ranked(MANAGER, ());
/// let session = Mutex::ranked_keyed(SESSION, 7, ());
/// let _m = manager.lock();
/// let _s = session.lock(); // rank 1 then rank 3: in order
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LockClass {
    name: &'static str,
    rank: u32,
}

impl LockClass {
    /// A class named `name` with rank `rank`.
    pub const fn new(name: &'static str, rank: u32) -> Self {
        LockClass { name, rank }
    }

    /// The class name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The rank: locks are taken in increasing rank order.
    pub const fn rank(&self) -> u32 {
        self.rank
    }
}

/// How an edge of the lock-order graph came about.
#[derive(Clone, Debug)]
struct Edge {
    thread: String,
    held: String,
    held_site: String,
    requested: String,
    site: String,
}

/// The lock-order graph of one exploration: node → node → the first acquisition that made the
/// edge. Ordered maps, so reports are deterministic.
#[derive(Default)]
pub(crate) struct LockGraph {
    edges: BTreeMap<Arc<str>, BTreeMap<Arc<str>, Edge>>,
}

/// The graph handle a kernel (or std) records into.
pub(crate) type SharedGraph = Arc<std::sync::Mutex<LockGraph>>;

impl LockGraph {
    /// Adds `from → to` (if new) and returns the cycle it closes, if any, as its edges in order.
    /// `edge` describes the acquisition; it runs only for a new edge.
    fn add(
        &mut self,
        from: &Arc<str>,
        to: &Arc<str>,
        edge: impl FnOnce() -> Edge,
    ) -> Option<Vec<Edge>> {
        if self.edges.get(from).is_some_and(|out| out.contains_key(to)) {
            return None;
        }
        let edge = edge();
        self.edges
            .entry(Arc::clone(from))
            .or_default()
            .insert(Arc::clone(to), edge.clone());
        let path = self.path(to, from)?;
        let mut cycle = vec![edge];
        cycle.extend(path);
        Some(cycle)
    }

    /// The edges of a path `from →* to`, depth-first in node order.
    fn path(&self, from: &Arc<str>, to: &Arc<str>) -> Option<Vec<Edge>> {
        let mut visited = std::collections::BTreeSet::new();
        let mut trail = Vec::new();
        self.dfs(from, to, &mut visited, &mut trail)
            .then_some(trail)
    }

    fn dfs<'a>(
        &'a self,
        at: &'a Arc<str>,
        goal: &Arc<str>,
        visited: &mut std::collections::BTreeSet<&'a Arc<str>>,
        trail: &mut Vec<Edge>,
    ) -> bool {
        if at == goal {
            return true;
        }
        if !visited.insert(at) {
            return false;
        }
        for (next, edge) in self.edges.get(at).into_iter().flatten() {
            trail.push(edge.clone());
            if self.dfs(next, goal, visited, trail) {
                return true;
            }
            trail.pop();
        }
        false
    }
}

/// Whether holding `held` forbids requesting `requested` (ranks, keys within a class).
fn violates(held: &ObjectInfo, requested: &ObjectInfo) -> bool {
    let (Some(h), Some(r)) = (held.class, requested.class) else {
        return false;
    };
    if h.rank < r.rank {
        return false;
    }
    let increasing_key = matches!((held.key, requested.key), (Some(hk), Some(rk)) if rk > hk);
    !(h == r && increasing_key)
}

/// Checks a blocking acquisition of `object` at `site` by `holder` against its held stack and
/// records its lock-order edges. Returns the order violation, if any; panics (failing the
/// execution) with a potential-deadlock report if a new edge closes a cycle.
///
/// This is on every nested acquisition's path, so nothing is formatted or allocated unless an
/// edge is new or something is wrong.
pub(crate) fn before_acquire(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    site: &'static Location<'static>,
) -> Result<(), LockError> {
    #[cfg(any(loom, feature = "shuttle"))]
    if !holder.hierarchy_enabled() {
        return Ok(());
    }
    let graph = graph(holder);
    let outcome = holder.with_held_named(|thread, stack| {
        if stack.is_empty() {
            return Ok(None);
        }
        if let Some(h) = stack.iter().find(|h| violates(&h.object, object)) {
            let (thread, held, requested) = (thread(), h.object.to_string(), object.to_string());
            return Err(LockError::OrderViolation {
                report: format!(
                    "lock order violation: {thread} wants {requested} at {site} while holding {held}\n  held by {thread}, oldest first:{}",
                    stack_report(stack)
                ),
                held,
                requested,
            });
        }
        let Some(graph) = graph else { return Ok(None) };
        let mut graph = graph
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let cycle = stack
            .iter()
            .filter(|h| h.object.node != object.node)
            .find_map(|h| {
                graph.add(&h.object.node, &object.node, || Edge {
                    thread: thread(),
                    held: h.object.to_string(),
                    held_site: h.site.to_string(),
                    requested: object.to_string(),
                    site: site.to_string(),
                })
            });
        Ok(cycle)
    });
    match outcome {
        Ok(Some(cycle)) => panic!("{}", cycle_report(&cycle)),
        Ok(None) => Ok(()),
        Err(violation) => Err(violation),
    }
}

fn stack_report(stack: &[Held]) -> String {
    let mut out = String::new();
    for h in stack {
        let _ = write!(out, "\n    {}, taken at {}", h.object, h.site);
    }
    out
}

fn cycle_report(cycle: &[Edge]) -> String {
    let mut report = String::from("potential deadlock: the lock-order graph has a cycle");
    for edge in cycle {
        let _ = write!(
            report,
            "\n  {} -> {}: {} took it at {} while holding {} (taken at {})",
            edge.held, edge.requested, edge.thread, edge.site, edge.held, edge.held_site
        );
    }
    report
}

/// The graph this acquisition records into: the exploration's under simulation, the process's
/// under std in debug builds, none in std release builds.
#[cfg_attr(not(any(loom, feature = "shuttle")), allow(unused_variables))]
fn graph(holder: &Holder) -> Option<&SharedGraph> {
    #[cfg(any(loom, feature = "shuttle"))]
    return holder.lock_graph();
    #[cfg(all(not(any(loom, feature = "shuttle")), debug_assertions))]
    return {
        static GRAPH: std::sync::OnceLock<SharedGraph> = std::sync::OnceLock::new();
        Some(GRAPH.get_or_init(SharedGraph::default))
    };
    #[cfg(all(not(any(loom, feature = "shuttle")), not(debug_assertions)))]
    return None;
}

/// What a thread holds, for model invariants ("after an error, nothing is held").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldLock {
    /// The object's canonical name, e.g. `Mutex "session" (rank 3, key 7)`.
    pub object: String,
    /// Its class, if ranked.
    pub class: Option<LockClass>,
    /// Its key, if keyed.
    pub key: Option<u64>,
    /// How it is held.
    pub hold: Hold,
}

/// How a [`HeldLock`] is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// A mutex, or an RwLock for writing.
    Exclusive,
    /// An RwLock for reading.
    Shared,
    /// A semaphore permit.
    Permit,
}

/// The locks and permits the calling thread holds now, oldest first.
///
/// ```
/// use sim::sync::{held, Mutex};
///
/// let m = Mutex::named("accounts", 0);
/// let guard = m.lock();
/// assert_eq!(held()[0].object, "Mutex \"accounts\"");
/// drop(guard);
/// assert!(held().is_empty());
/// ```
pub fn held() -> Vec<HeldLock> {
    use crate::object::Mode;
    Holder::current().with_held(|stack| {
        stack
            .iter()
            .map(|h| HeldLock {
                object: h.object.to_string(),
                class: h.object.class,
                key: h.object.key,
                hold: match h.mode {
                    Mode::Shared => Hold::Shared,
                    Mode::Permit => Hold::Permit,
                    Mode::Exclusive | Mode::Notify => Hold::Exclusive,
                },
            })
            .collect()
    })
}
