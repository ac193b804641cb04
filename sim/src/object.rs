//! Identity and naming of the objects threads wait on, shared by every primitive.

use crate::hierarchy::LockClass;
use crate::wait::WaitQueue;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What kind of primitive an object is; part of its canonical name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Mutex,
    RwLock,
    Semaphore,
    Condvar,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Mutex => "Mutex",
            Kind::RwLock => "RwLock",
            Kind::Semaphore => "Semaphore",
            Kind::Condvar => "Condvar",
        })
    }
}

/// How a thread holds (or wants) an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A mutex, or an RwLock for writing.
    Exclusive,
    /// An RwLock for reading.
    Shared,
    /// One semaphore permit.
    Permit,
    /// A condvar notification.
    Notify,
}

impl Mode {
    /// Whether a holder in `self` mode keeps a requester in `wanted` mode waiting.
    #[cfg(any(loom, feature = "shuttle"))]
    pub(crate) fn excludes(self, wanted: Mode) -> bool {
        matches!(
            (self, wanted),
            (Mode::Exclusive, Mode::Exclusive | Mode::Shared) | (Mode::Shared, Mode::Exclusive)
        )
    }
}

/// Fallback numbering for objects created outside a simulated execution (and under std).
static NEXT_GLOBAL_SEQ: AtomicUsize = AtomicUsize::new(0);

/// The ghost side of a lockstep primitive: its canonical name and the queue of parked waiters.
/// Never a scheduling point: reading or changing it does not touch the backend.
pub(crate) struct ObjectInfo {
    kind: Kind,
    name: Option<String>,
    seq: usize,
    /// Its place in the lock hierarchy, if ranked.
    pub(crate) class: Option<LockClass>,
    /// Which instance of its class (e.g. the session id), if keyed.
    pub(crate) key: Option<u64>,
    /// Its node in the lock-order graph: the class name for ranked objects (all instances of a
    /// class are one node, as in lockdep), else the object's own name.
    pub(crate) node: Arc<str>,
    pub(crate) waiters: WaitQueue,
}

impl ObjectInfo {
    /// A new object; unnamed objects are numbered in creation order within the execution, so
    /// the same program always gives the same names.
    pub(crate) fn new(kind: Kind, name: Option<&str>) -> Self {
        #[cfg(any(loom, feature = "shuttle"))]
        let seq = crate::kernel::next_object_seq()
            .unwrap_or_else(|| NEXT_GLOBAL_SEQ.fetch_add(1, Ordering::Relaxed));
        #[cfg(not(any(loom, feature = "shuttle")))]
        let seq = NEXT_GLOBAL_SEQ.fetch_add(1, Ordering::Relaxed);
        let mut info = ObjectInfo {
            kind,
            name: name.map(str::to_owned),
            seq,
            class: None,
            key: None,
            node: Arc::from(""),
            waiters: WaitQueue::default(),
        };
        info.node = Arc::from(info.to_string());
        info
    }

    /// A ranked object of `class` (named after it), optionally keyed.
    pub(crate) fn ranked(kind: Kind, class: LockClass, key: Option<u64>) -> Self {
        let mut info = ObjectInfo::new(kind, Some(class.name()));
        info.class = Some(class);
        info.key = key;
        info.node = Arc::from(format!("{kind} \"{}\"", class.name()));
        info
    }
}

impl fmt::Display for ObjectInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} \"{}\"", self.kind, name)?,
            None => write!(f, "{}#{}", self.kind, self.seq)?,
        }
        match (self.class, self.key) {
            (Some(class), Some(key)) => write!(f, " (rank {}, key {key})", class.rank()),
            (Some(class), None) => write!(f, " (rank {})", class.rank()),
            (None, Some(key)) => write!(f, " (key {key})"),
            (None, None) => Ok(()),
        }
    }
}
