//! What each simulated thread is about to do, as a partial-order-aware scheduler sees it.
//!
//! Every facade operation records its thread's *pending operation* (its [`OpKind`] and the
//! object it touches) just before it reaches the backend's scheduling point. So at every
//! scheduling point the scheduler knows, for each runnable thread, the operation that thread
//! performs if it is chosen. lockstep's POS strategy uses it to reorder only operations that
//! race; a custom shuttle scheduler can read it with `lockstep::schedule::operations_by_task`
//! (shuttle builds).
//!
//! ```
//! use lockstep_engine::op::{ObjectId, OpKind, PendingOp};
//!
//! let (a, b) = (ObjectId::address(&1u8), ObjectId::thread(1));
//! let read = PendingOp::new(OpKind::Read, Some(a));
//! assert!(!read.races(&read));
//! assert!(read.races(&PendingOp::new(OpKind::Write, Some(a))));
//! assert!(!read.races(&PendingOp::new(OpKind::Join, Some(b))));
//! ```
//!
//! Object identities are compared, never shown: they are addresses, which differ from run to
//! run, so nothing derived from them may reach a trace.

/// The kind of a pending operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// Taking a lock exclusively: a mutex, a write lock, a semaphore permit, a try-lock.
    Acquire,
    /// Giving back a lock or a permit.
    Release,
    /// Reading without excluding other readers: an atomic load or taking a read lock.
    Read,
    /// Writing: an atomic store or read-modify-write.
    Write,
    /// Waiting on a condition variable.
    Wait,
    /// Notifying a condition variable.
    Notify,
    /// Spawning a thread.
    Spawn,
    /// Joining a thread.
    Join,
    /// Sleeping (on virtual time under simulation).
    Sleep,
    /// Parking on the thread's own park token (`thread::park`).
    Park,
    /// Making a thread's park token available (`Thread::unpark`).
    Unpark,
}

/// The identity of the object a pending operation touches (compared, never shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjectId(Identity);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Identity {
    /// A facade object or an atomic, by address.
    Address(usize),
    /// A simulated thread, by its index in the execution.
    Thread(usize),
}

impl ObjectId {
    /// The object at `address` (a facade primitive or an atomic).
    pub fn address<T: ?Sized>(object: *const T) -> ObjectId {
        ObjectId(Identity::Address(object.cast::<()>() as usize))
    }

    /// The simulated thread with index `index` in its execution.
    pub fn thread(index: usize) -> ObjectId {
        ObjectId(Identity::Thread(index))
    }

    /// The index of the simulated thread this is, if it is one.
    pub fn thread_index(self) -> Option<usize> {
        match self.0 {
            Identity::Thread(index) => Some(index),
            Identity::Address(_) => None,
        }
    }
}

/// An operation a thread is about to perform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PendingOp {
    kind: OpKind,
    object: Option<ObjectId>,
}

impl PendingOp {
    /// An operation of `kind` on `object` (`None`: it touches no shared object, as a sleep).
    pub fn new(kind: OpKind, object: Option<ObjectId>) -> PendingOp {
        PendingOp { kind, object }
    }

    /// What the operation does.
    pub fn kind(&self) -> OpKind {
        self.kind
    }

    /// The object it touches, if any.
    pub fn object(&self) -> Option<ObjectId> {
        self.object
    }

    /// Whether the two operations race: they touch the same object and at least one of them
    /// does more than read it. Operations that do not race commute: running them in either
    /// order leads to the same state.
    pub fn races(&self, other: &PendingOp) -> bool {
        self.object.is_some()
            && self.object == other.object
            && !(self.kind == OpKind::Read && other.kind == OpKind::Read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: OpKind, address: usize) -> PendingOp {
        PendingOp::new(kind, Some(ObjectId(Identity::Address(address))))
    }

    #[test]
    fn reads_of_one_object_commute_and_everything_else_on_it_races() {
        assert!(!op(OpKind::Read, 1).races(&op(OpKind::Read, 1)));
        assert!(op(OpKind::Read, 1).races(&op(OpKind::Write, 1)));
        assert!(op(OpKind::Acquire, 1).races(&op(OpKind::Release, 1)));
        assert!(op(OpKind::Wait, 1).races(&op(OpKind::Notify, 1)));
        assert!(!op(OpKind::Write, 1).races(&op(OpKind::Write, 2)));
    }

    #[test]
    fn operations_without_an_object_never_race() {
        let sleep = PendingOp::new(OpKind::Sleep, None);
        assert!(!sleep.races(&sleep));
        assert!(!sleep.races(&op(OpKind::Write, 1)));
    }

    #[test]
    fn a_thread_and_an_address_are_different_objects() {
        let join = PendingOp::new(OpKind::Join, Some(ObjectId::thread(1)));
        assert!(!join.races(&op(OpKind::Write, 1)));
        assert!(join.races(&PendingOp::new(OpKind::Join, Some(ObjectId::thread(1)))));
    }
}
