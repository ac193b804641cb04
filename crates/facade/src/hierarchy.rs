//! The lock hierarchy, enforced: ranks checked at every blocking acquire, and the lock-order
//! graph (lockdep-style) that reports potential deadlocks even when no explored interleaving
//! deadlocked.
//!
//! Rules:
//! * Taking a lock of rank r while holding one of rank ≥ r is an **order violation**, except
//!   within one class with strictly increasing keys (e.g. two sessions' locks in id order).
//!   Unranked objects are not rank-checked.
//! * Every blocking acquisition made while holding other objects adds edges held → requested
//!   to the **lock-order graph**, each with its thread and the locks held at that moment (its
//!   gate set). A ranked object's node is its class (all sessions' locks are one node); an
//!   unranked object's node is the object itself. Edges are kept across all executions of one
//!   exploration (process-wide under std, in debug builds). A new edge that closes a cycle the
//!   exploration's rule counts (by default: edges of distinct threads, no exclusive gate lock
//!   in common; see `lockstep_engine::lock_graph`) fails the execution with the cycle and, for
//!   each edge, the thread, call sites and other holds that created it.
//! * Semaphore permits and read locks are nodes like any lock: a permit wait or a read acquire
//!   while holding something is an edge. Read/read edges are kept, not exempted: std's and
//!   loom's `RwLock` may block a new reader behind a waiting writer, so two threads taking two
//!   read locks in opposite orders can deadlock once a writer queues on each.
//! * `try_*` acquisitions never block, so they neither check ranks nor add edges; they do join
//!   the held stack, so what is taken while holding them is checked.
//! * A condvar wait releases its mutex (it leaves the held stack) and re-acquires it, checked.

use crate::ghost::Holder;
use crate::LockError;
use lockstep_engine::held::Held;
use lockstep_engine::lock_graph::Acquisition;
use lockstep_engine::object::{LockClass, Mode, ObjectInfo};
use lockstep_engine::trace::Event;
use std::fmt::Write as _;
use std::panic::Location;
use std::sync::Arc;

/// Whether holding `held` forbids requesting `requested` (ranks, keys within a class).
fn violates(held: &ObjectInfo, requested: &ObjectInfo) -> bool {
    let (Some(h), Some(r)) = (held.class, requested.class) else {
        return false;
    };
    if h.rank() < r.rank() {
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
    if !holder.hierarchy_enabled() {
        return Ok(());
    }
    let graph = holder.lock_graph();
    let thread_key = holder.thread_key();
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
        let acquisition = Acquisition {
            thread: thread_key,
            held: stack,
            requested: object,
            site,
        };
        let cycle = graph
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .record(&acquisition, thread);
        Ok(cycle)
    });
    // A refused request is the trace's last line of a failure: traced before the panic.
    let refuse = |why| {
        holder.record(|| Event::Requested {
            object: Arc::clone(object),
            why,
        });
    };
    match outcome {
        Ok(Some(cycle)) => {
            refuse("potential deadlock");
            panic!("{cycle}")
        }
        Ok(None) => Ok(()),
        Err(violation) => {
            refuse("lock order violation");
            Err(violation)
        }
    }
}

fn stack_report(stack: &[Held]) -> String {
    let mut out = String::new();
    for h in stack {
        let _ = write!(out, "\n    {}, taken at {}", h.object, h.site);
    }
    out
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

impl std::fmt::Display for HeldLock {
    /// The object and how it is held, e.g. `Mutex "accounts" (exclusive)`.
    ///
    /// ```
    /// use lockstep::sync::{held, Mutex};
    ///
    /// let m = Mutex::named("accounts", 0);
    /// let _guard = m.lock();
    /// assert_eq!(held()[0].to_string(), "Mutex \"accounts\" (exclusive)");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hold = match self.hold {
            Hold::Exclusive => "exclusive",
            Hold::Shared => "shared",
            Hold::Permit => "permit",
        };
        write!(f, "{} ({hold})", self.object)
    }
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
/// use lockstep::sync::{held, Mutex};
///
/// let m = Mutex::named("accounts", 0);
/// let guard = m.lock();
/// assert_eq!(held()[0].object, "Mutex \"accounts\"");
/// drop(guard);
/// assert!(held().is_empty());
/// ```
pub fn held() -> Vec<HeldLock> {
    Holder::current().with_held(|stack| {
        stack
            .iter()
            .map(|h| HeldLock {
                object: h.object.to_string(),
                class: h.object.class,
                key: h.object.key,
                hold: match h.mode {
                    Mode::Shared => Hold::Shared,
                    Mode::Permits(_) => Hold::Permit,
                    // Only locks and permits are held; the other modes are what a thread
                    // waits for.
                    _ => Hold::Exclusive,
                },
            })
            .collect()
    })
}
