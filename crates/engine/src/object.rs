//! Identity and naming of the objects threads wait on, shared by every primitive: its kind,
//! its canonical name, its place in the lock hierarchy ([`LockClass`]) and its wait queue.
//!
//! ```
//! use lockstep_engine::object::{Kind, LockClass, ObjectInfo};
//!
//! const SESSION: LockClass = LockClass::new("session", 3);
//! assert_eq!(ObjectInfo::new(Kind::Mutex, Some("accounts"), 0).to_string(), "Mutex \"accounts\"");
//! assert_eq!(ObjectInfo::new(Kind::Condvar, None, 4).to_string(), "Condvar#4");
//! let ranked = ObjectInfo::ranked(Kind::Mutex, SESSION, Some(7), 1);
//! assert_eq!(ranked.to_string(), "Mutex \"session\" (rank 3, key 7)");
//! ```

use crate::try_watch::TryWatch;
use crate::wait::WaitQueue;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A lock's place in the hierarchy: a name shared by all its instances and a rank (lower ranks
/// are taken first).
///
/// ```
/// use lockstep_engine::object::LockClass;
///
/// const MANAGER: LockClass = LockClass::new("manager", 1);
/// assert_eq!((MANAGER.name(), MANAGER.rank()), ("manager", 1));
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

/// What kind of primitive an object is; part of its canonical name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A mutex.
    Mutex,
    /// A reader-writer lock.
    RwLock,
    /// A counting semaphore.
    Semaphore,
    /// A condition variable.
    Condvar,
    /// An `mpsc` channel (both ends: its senders and its receiver).
    Channel,
    /// A barrier.
    Barrier,
    /// A one-time initialization (`Once`).
    Once,
    /// A cell written once (`OnceLock`).
    OnceLock,
    /// A value initialized on first use (`LazyLock`).
    LazyLock,
    /// An async task notifier (`lockstep::tokio::sync::Notify`).
    Notify,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Mutex => "Mutex",
            Kind::Notify => "Notify",
            Kind::RwLock => "RwLock",
            Kind::Semaphore => "Semaphore",
            Kind::Condvar => "Condvar",
            Kind::Channel => "Channel",
            Kind::Barrier => "Barrier",
            Kind::Once => "Once",
            Kind::OnceLock => "OnceLock",
            Kind::LazyLock => "LazyLock",
        })
    }
}

/// How a thread holds (or wants) an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A mutex, or an RwLock for writing.
    Exclusive,
    /// An RwLock for reading.
    Shared,
    /// Semaphore permits: how many one hold has (an `acquire_many(n)` guard is one hold of
    /// `n`), or how many a waiter waits for.
    Permits(usize),
    /// A condvar notification.
    Notify,
    /// A message on a channel (the receiver waits for one).
    Recv,
    /// Room on a channel of `capacity` (0: a rendezvous, whose sender waits for the receiver
    /// to take its message).
    Send {
        /// The channel's capacity.
        capacity: usize,
    },
    /// The rest of a barrier's `parties` (a thread that arrived waits for them).
    Arrive {
        /// How many threads the barrier waits for.
        parties: usize,
    },
    /// Another thread's run of a one-time initializer (`Once`, `OnceLock`, `LazyLock`).
    Init,
    /// The completion of a one-time initialization whoever runs it: a `wait` on a `Once` or
    /// `OnceLock` that no thread was initializing when it parked.
    Completion,
}

impl Mode {
    /// Whether a holder in `self` mode keeps a requester in `wanted` mode waiting.
    pub fn excludes(self, wanted: Mode) -> bool {
        matches!(
            (self, wanted),
            (Mode::Exclusive, Mode::Exclusive | Mode::Shared) | (Mode::Shared, Mode::Exclusive)
        )
    }
}

/// The ghost side of a lockstep primitive: its canonical name and the queue of parked waiters.
/// Never a scheduling point: reading or changing it does not touch the backend.
pub struct ObjectInfo {
    kind: Kind,
    name: Option<String>,
    seq: usize,
    /// Its place in the lock hierarchy, if ranked.
    pub class: Option<LockClass>,
    /// Which instance of its class (e.g. the session id), if keyed.
    pub key: Option<u64>,
    /// Its node in the lock-order graph: the class name for ranked objects (all instances of a
    /// class are one node, as in lockdep), else the object's own name.
    pub node: Arc<str>,
    /// The threads parked on it, waiting for a release or a notification.
    pub waiters: WaitQueue,
    /// The tries stopped at its scheduling point, and its holders' yields (locks only).
    pub tries: TryWatch,
    /// A semaphore's permits in all, free or held (ghost state, for its deadlock report);
    /// `None` for every other kind.
    permits: Option<AtomicUsize>,
}

impl ObjectInfo {
    /// A new object numbered `seq`: unnamed objects are called by their number, which the
    /// facade draws in creation order within the execution, so the same program always gives
    /// the same names.
    pub fn new(kind: Kind, name: Option<&str>, seq: usize) -> Self {
        let mut info = ObjectInfo {
            kind,
            name: name.map(str::to_owned),
            seq,
            class: None,
            key: None,
            node: Arc::from(""),
            waiters: WaitQueue::default(),
            tries: TryWatch::default(),
            permits: None,
        };
        info.node = Arc::from(info.to_string());
        info
    }

    /// A ranked object of `class` (named after it), optionally keyed, numbered `seq`.
    pub fn ranked(kind: Kind, class: LockClass, key: Option<u64>, seq: usize) -> Self {
        let mut info = ObjectInfo::new(kind, Some(class.name()), seq);
        info.class = Some(class);
        info.key = key;
        info.node = Arc::from(format!("{kind} \"{}\"", class.name()));
        info
    }

    /// The same object, counting `total` semaphore permits (see [`permits`](Self::permits)).
    ///
    /// ```
    /// use lockstep_engine::object::{Kind, ObjectInfo};
    ///
    /// let pool = ObjectInfo::new(Kind::Semaphore, Some("pool"), 0).with_permits(4);
    /// pool.add_permits(2);
    /// assert_eq!(pool.permits(), Some(6));
    /// assert_eq!(ObjectInfo::new(Kind::Mutex, None, 1).permits(), None);
    /// ```
    pub fn with_permits(mut self, total: usize) -> Self {
        self.permits = Some(AtomicUsize::new(total));
        self
    }

    /// A semaphore's permits in all, free or held: the free ones are this less the ones in
    /// held stacks. `None` if it counts no permits.
    ///
    /// ```
    /// use lockstep_engine::object::{Kind, ObjectInfo};
    ///
    /// let pool = ObjectInfo::new(Kind::Semaphore, None, 0).with_permits(3);
    /// assert_eq!(pool.permits(), Some(3));
    /// ```
    pub fn permits(&self) -> Option<usize> {
        self.permits.as_ref().map(|p| p.load(Ordering::Relaxed))
    }

    /// The semaphore got `n` more permits. Panics if it counts none (not a semaphore).
    ///
    /// ```
    /// use lockstep_engine::object::{Kind, ObjectInfo};
    ///
    /// let gate = ObjectInfo::new(Kind::Semaphore, Some("gate"), 0).with_permits(0);
    /// gate.add_permits(1);
    /// assert_eq!(gate.permits(), Some(1));
    /// ```
    pub fn add_permits(&self, n: usize) {
        let permits = self
            .permits
            .as_ref()
            .unwrap_or_else(|| panic!("lockstep: {self} counts no permits"));
        permits.fetch_add(n, Ordering::Relaxed);
    }

    /// The semaphore lost `n` permits for good (a held permit was forgotten). Panics if it
    /// counts none, or fewer than `n`.
    ///
    /// ```
    /// use lockstep_engine::object::{Kind, ObjectInfo};
    ///
    /// let pool = ObjectInfo::new(Kind::Semaphore, Some("pool"), 0).with_permits(3);
    /// pool.forget_permits(1);
    /// assert_eq!(pool.permits(), Some(2));
    /// ```
    pub fn forget_permits(&self, n: usize) {
        let permits = self
            .permits
            .as_ref()
            .unwrap_or_else(|| panic!("lockstep: {self} counts no permits"));
        let before = permits.fetch_sub(n, Ordering::Relaxed);
        assert!(
            before >= n,
            "lockstep: {self} forgot {n} permits of {before}"
        );
    }

    /// Its number: in creation order within its execution under simulation (the same object
    /// of the same program gets the same number in every execution), across the process
    /// under std. The lock-order graph compares gate locks by it.
    ///
    /// ```
    /// use lockstep_engine::object::{Kind, ObjectInfo};
    ///
    /// assert_eq!(ObjectInfo::new(Kind::Mutex, Some("m"), 4).seq(), 4);
    /// ```
    pub fn seq(&self) -> usize {
        self.seq
    }

    /// What kind of primitive it is.
    ///
    /// ```
    /// use lockstep_engine::object::{Kind, ObjectInfo};
    ///
    /// assert_eq!(ObjectInfo::new(Kind::RwLock, None, 0).kind(), Kind::RwLock);
    /// ```
    pub fn kind(&self) -> Kind {
        self.kind
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
