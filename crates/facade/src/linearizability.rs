//! A small, general linearizability checker (Wing & Gong's search, with Lowe's memoization of
//! visited configurations), for any model whose operations have a sequential specification.
//!
//! Record every operation's call and return with a [`History`] (a shared log with a logical
//! clock that is not a scheduling point), then [`check`] it against the [`Spec`]. A history is
//! linearizable when its operations can be put in one order that respects real time (an
//! operation that returned before another was called comes first) and in which the sequential
//! specification returns exactly what every operation returned.
//!
//! ```
//! use lockstep::linearizability::{check, History, Spec};
//!
//! #[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
//! struct Register(u32);
//!
//! impl Spec for Register {
//!     type Op = Option<u32>; // Some(v): write v; None: read
//!     type Ret = u32;
//!     fn apply(&mut self, op: &Option<u32>) -> u32 {
//!         if let Some(v) = op { self.0 = *v; }
//!         self.0
//!     }
//! }
//!
//! let history = History::new();
//! let w = history.call("t1", Some(7));
//! let r = history.call("t2", None);
//! history.ret(r, 7); // the read overlapped the write and saw it: fine
//! history.ret(w, 7);
//! assert!(check(&Register::default(), &history.entries()).is_ok());
//! ```

use std::collections::HashSet;
use std::fmt::{self, Debug};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// A sequential specification: the state of the object and what each operation returns.
pub trait Spec: Clone + Eq + Hash {
    /// An operation with its arguments.
    type Op: Clone + Debug;
    /// What an operation returns.
    type Ret: Clone + Debug + PartialEq;
    /// Applies `op` to the state and returns its result.
    fn apply(&mut self, op: &Self::Op) -> Self::Ret;
}

/// One completed operation of a history.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<Op, Ret> {
    /// The thread that ran it.
    pub thread: String,
    /// The operation.
    pub op: Op,
    /// What it returned.
    pub ret: Ret,
    /// When it was called (logical time).
    pub called: u64,
    /// When it returned (logical time).
    pub returned: u64,
}

/// Ticket of a call in flight, for [`History::ret`].
#[derive(Clone, Copy, Debug)]
pub struct Call(usize);

struct Log<Op, Ret> {
    clock: u64,
    calls: Vec<(String, Op, u64)>,
    done: Vec<Option<(Ret, u64)>>,
}

/// A concurrent history being recorded. Cloning shares the log.
pub struct History<Op, Ret> {
    log: Arc<Mutex<Log<Op, Ret>>>,
}

impl<Op, Ret> Clone for History<Op, Ret> {
    fn clone(&self) -> Self {
        History {
            log: Arc::clone(&self.log),
        }
    }
}

impl<Op: Clone, Ret: Clone> Default for History<Op, Ret> {
    fn default() -> Self {
        Self::new()
    }
}

impl<Op: Clone, Ret: Clone> History<Op, Ret> {
    /// An empty history.
    pub fn new() -> Self {
        History {
            log: Arc::new(Mutex::new(Log {
                clock: 0,
                calls: Vec::new(),
                done: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Log<Op, Ret>> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that `thread` calls `op` now.
    pub fn call(&self, thread: &str, op: Op) -> Call {
        let mut log = self.lock();
        log.clock += 1;
        let now = log.clock;
        log.calls.push((thread.to_owned(), op, now));
        log.done.push(None);
        Call(log.calls.len() - 1)
    }

    /// Records that the call `call` returns `ret` now.
    pub fn ret(&self, call: Call, ret: Ret) {
        let mut log = self.lock();
        log.clock += 1;
        let now = log.clock;
        log.done[call.0] = Some((ret, now));
    }

    /// The completed operations, in call order (calls that never returned are left out).
    pub fn entries(&self) -> Vec<Entry<Op, Ret>> {
        let log = self.lock();
        log.calls
            .iter()
            .zip(&log.done)
            .filter_map(|((thread, op, called), done)| {
                let (ret, returned) = done.clone()?;
                Some(Entry {
                    thread: thread.clone(),
                    op: op.clone(),
                    ret,
                    called: *called,
                    returned,
                })
            })
            .collect()
    }
}

/// A history that is not linearizable.
#[derive(Clone, Debug, PartialEq)]
pub struct NotLinearizable<Op, Ret> {
    /// The longest order found that the specification accepts.
    pub longest: Vec<Entry<Op, Ret>>,
    /// The operations that could not be placed after it.
    pub stuck: Vec<Entry<Op, Ret>>,
}

impl<Op: Debug, Ret: Debug> fmt::Display for NotLinearizable<Op, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "history is not linearizable; the longest legal order:")?;
        for e in &self.longest {
            writeln!(
                f,
                "  [{}..{}] {}: {:?} -> {:?}",
                e.called, e.returned, e.thread, e.op, e.ret
            )?;
        }
        write!(f, "after which none of these can come next:")?;
        for e in &self.stuck {
            write!(
                f,
                "\n  [{}..{}] {}: {:?} -> {:?}",
                e.called, e.returned, e.thread, e.op, e.ret
            )?;
        }
        Ok(())
    }
}

/// The most operations a history may have (the search keeps a 128-bit set of them).
pub const MAX_OPERATIONS: usize = 128;

/// Checks `history` against the specification starting in `initial`.
///
/// Panics if the history has more than [`MAX_OPERATIONS`] operations.
pub fn check<S: Spec>(
    initial: &S,
    history: &[Entry<S::Op, S::Ret>],
) -> Result<(), NotLinearizable<S::Op, S::Ret>> {
    assert!(
        history.len() <= MAX_OPERATIONS,
        "a history of at most {MAX_OPERATIONS} operations"
    );
    let mut search = Search {
        history,
        seen: HashSet::new(),
        best: Vec::new(),
    };
    let mut order = Vec::new();
    if search.extend(initial, 0, &mut order) {
        return Ok(());
    }
    let placed: u128 = search.best.iter().fold(0, |set, i| set | 1 << i);
    Err(NotLinearizable {
        longest: search.best.iter().map(|&i| history[i].clone()).collect(),
        stuck: (0..history.len())
            .filter(|i| placed & (1 << i) == 0)
            .map(|i| history[i].clone())
            .collect(),
    })
}

struct Search<'a, S: Spec> {
    history: &'a [Entry<S::Op, S::Ret>],
    seen: HashSet<(u128, S)>,
    best: Vec<usize>,
}

impl<S: Spec> Search<'_, S> {
    /// Tries to linearize the operations not in `done`, after those in `order`.
    fn extend(&mut self, state: &S, done: u128, order: &mut Vec<usize>) -> bool {
        if order.len() == self.history.len() {
            return true;
        }
        if !self.seen.insert((done, state.clone())) {
            return false;
        }
        if order.len() > self.best.len() {
            self.best = order.clone();
        }
        let pending = (0..self.history.len()).filter(|i| done & (1 << i) == 0);
        // Only an operation called before every pending one returned can come next.
        let horizon = pending
            .clone()
            .map(|i| self.history[i].returned)
            .min()
            .unwrap_or(u64::MAX);
        for i in pending.filter(|&i| self.history[i].called < horizon) {
            let mut next = state.clone();
            if next.apply(&self.history[i].op) == self.history[i].ret {
                order.push(i);
                if self.extend(&next, done | 1 << i, order) {
                    return true;
                }
                order.pop();
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
    struct Register(u32);

    impl Spec for Register {
        type Op = Option<u32>;
        type Ret = u32;
        fn apply(&mut self, op: &Option<u32>) -> u32 {
            if let Some(v) = op {
                self.0 = *v;
            }
            self.0
        }
    }

    #[test]
    fn a_stale_read_after_a_completed_write_is_not_linearizable() {
        let h = History::new();
        let w = h.call("t1", Some(7));
        h.ret(w, 7);
        let r = h.call("t2", None);
        h.ret(r, 0);
        let err = check(&Register::default(), &h.entries()).unwrap_err();
        assert_eq!(err.longest.len(), 1);
        assert_eq!(err.stuck[0].thread, "t2");
        assert!(err.to_string().contains("t2: None -> 0"), "{err}");
    }

    #[test]
    fn overlapping_operations_may_take_either_order() {
        let h = History::new();
        let w = h.call("t1", Some(7));
        let r = h.call("t2", None);
        h.ret(r, 0);
        h.ret(w, 7);
        assert!(check(&Register::default(), &h.entries()).is_ok());
    }
}
