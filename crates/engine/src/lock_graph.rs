//! The lock-order graph of one exploration (lockdep-style): node → node, each edge with the
//! first acquisition that made it. A new edge that closes a cycle is a potential deadlock,
//! reported with every edge's thread and call sites, even when no explored interleaving
//! deadlocked. The rules for which acquisitions add edges live with the hierarchy checks in
//! the facade (`lockstep::sync::LockClass`); this is the data structure.
//!
//! ```
//! use lockstep_engine::lock_graph::{cycle_report, Edge, LockGraph};
//! use std::sync::Arc;
//!
//! let (a, b): (Arc<str>, Arc<str>) = (Arc::from("A"), Arc::from("B"));
//! let edge = |held: &str, requested: &str| Edge {
//!     thread: "t".into(),
//!     held: held.into(),
//!     held_site: "x.rs:1".into(),
//!     requested: requested.into(),
//!     site: "x.rs:2".into(),
//! };
//! let mut graph = LockGraph::default();
//! assert!(graph.add(&a, &b, || edge("A", "B")).is_none());
//! let cycle = graph.add(&b, &a, || edge("B", "A")).expect("B -> A closes a cycle");
//! assert_eq!(cycle.len(), 2);
//! assert!(cycle_report(&cycle).starts_with("potential deadlock"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// How an edge of the lock-order graph came about.
#[derive(Clone, Debug)]
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
}

/// The lock-order graph of one exploration: node → node → the first acquisition that made the
/// edge. Ordered maps, so reports are deterministic.
#[derive(Default)]
pub struct LockGraph {
    edges: BTreeMap<Arc<str>, BTreeMap<Arc<str>, Edge>>,
}

/// The graph handle a kernel (or std) records into.
pub type SharedGraph = Arc<std::sync::Mutex<LockGraph>>;

impl LockGraph {
    /// Adds `from → to` (if new) and returns the cycle it closes, if any, as its edges in order.
    /// `edge` describes the acquisition; it runs only for a new edge.
    pub fn add(
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

/// The report of a potential deadlock: the cycle's edges, each with its thread and call sites.
pub fn cycle_report(cycle: &[Edge]) -> String {
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
