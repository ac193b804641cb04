//! An RwLock's priority policy ([`RwLockPolicy`]) under simulation: which threads wait to
//! write (the queued writers), the gate where reads wait behind them, and the recursive-read
//! check of a reader-preferring lock.
//!
//! std promises no policy ("a writer which is waiting to acquire the lock in write might or
//! might not block concurrent calls to read"), and platforms differ: Linux's futex lock blocks
//! new readers while a writer waits, macOS's pthread lock lets them in. loom's and shuttle's
//! own locks let readers in, so the writer-preferring policy is ghost state here: a writer is
//! *queued* from its blocking `write` (or `write_timeout`) call until it gets the lock or gives
//! up, and a read that finds another thread's writer queued waits at the gate (a ticket in the
//! gate's queue, parked like every timed wait) until no writer is queued, then takes the
//! backend read lock; a `try_read` fails instead. The queued writer that stops waiting opens
//! the gate.
//!
//! Scheduling points: a writer's arrival is one backend operation and a read's decision comes
//! right after one (see `ghost::ArrivalPoint`), so the checker explores a read on both sides
//! of each writer's arrival; the gate parks (and the writer wakes it) only when a read waits
//! behind a writer, which raw loom has no counterpart of. A reader-preferring lock does none
//! of this, so it explores exactly what raw loom does.
//!
//! Under std the lock is std's own, with the platform's policy; nothing here runs.

use crate::ghost::{self, ArrivalPoint, Holder, Moment};
use lockstep_engine::object::{Mode, ObjectInfo};
use lockstep_engine::wait::{WaitQueue, Woke};
use std::panic::Location;
use std::sync::{Arc, Mutex};

/// Whether a waiting writer holds back new readers of an [`RwLock`](super::RwLock).
///
/// The policy decides which schedules a simulation explores; under std the lock is std's and
/// behaves as the platform's does. The default is
/// [`WriterPreferring`](RwLockPolicy::WriterPreferring), as std's lock on Linux: it is the policy
/// that can deadlock (a thread that reads a lock again while another thread waits to write it
/// waits behind that writer, which waits for the first read), and every outcome a
/// reader-preferring lock reaches is reached under it too (a read that passed a waiting writer
/// is the same as a read that came before the writer queued), so it hides nothing std allows.
///
/// ```
/// use lockstep::sync::{RwLock, RwLockPolicy};
///
/// assert_eq!(RwLock::new(0).policy(), RwLockPolicy::WriterPreferring);
/// let config = RwLock::named("config", 0).with_policy(RwLockPolicy::ReaderPreferring);
/// assert_eq!(config.policy(), RwLockPolicy::ReaderPreferring);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RwLockPolicy {
    /// A read waits while another thread waits to write (`write`, `write_timeout`), as std's
    /// lock on Linux; a `try_read` fails then. A thread that reads again while a writer waits
    /// deadlocks, and the simulation reports it. The default.
    #[default]
    WriterPreferring,
    /// Reads go ahead while writers wait, as std's lock on macOS and loom's and shuttle's own.
    /// A read of a lock the thread already reads is let through, and reported as a potential
    /// deadlock if another thread of the execution requests the lock for writing (it hangs
    /// on a writer-preferring platform), unless potential deadlocks are not checked
    /// (`Explorer::lock_order_graph(false)`).
    ReaderPreferring,
}

/// One RwLock's policy and its ghost state under simulation.
pub(crate) struct Fairness {
    policy: RwLockPolicy,
    /// Threads waiting to write, by index, in arrival order (one entry per waiting call).
    queued: Mutex<Vec<usize>>,
    /// Readers waiting for the queued writers (writer-preferring).
    gate: WaitQueue,
    /// Where writers arrive and readers decide (writer-preferring).
    arrival: ArrivalPoint,
    /// What the recursive-read check has seen in this execution (reader-preferring).
    seen: Mutex<Seen>,
}

/// A re-read (a blocking read by a thread that already reads the lock) and a blocking write
/// request, the first of each in the execution.
#[derive(Default)]
struct Seen {
    re_read: Option<Request>,
    write: Option<Request>,
    reported: bool,
}

/// A request by `thread` (its index) at `site`; for a re-read, where the first read was taken.
#[derive(Clone)]
struct Request {
    thread: usize,
    name: String,
    site: &'static Location<'static>,
    first_read_at: Option<&'static Location<'static>>,
}

/// A writer's place in the queue; leaving it (dropped, on success, timeout or panic) opens the
/// gate for the readers behind it.
pub(crate) struct Queued<'a> {
    fairness: &'a Fairness,
    thread: Option<usize>,
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        let Some(thread) = self.thread else { return };
        super::holds::release_bookkeeping(|| {
            {
                let mut queued = lock(&self.fairness.queued);
                let at = queued
                    .iter()
                    .position(|&t| t == thread)
                    .expect("lockstep: a queued writer left a queue it was not in");
                queued.remove(at);
            }
            self.fairness.gate.wake_all();
        });
    }
}

/// A ghost lock that a panic elsewhere does not poison.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Fairness {
    /// A lock with `policy`, nobody queued.
    pub(crate) fn new(policy: RwLockPolicy) -> Self {
        Fairness {
            policy,
            queued: Mutex::default(),
            gate: WaitQueue::default(),
            arrival: ArrivalPoint::new(),
            seen: Mutex::default(),
        }
    }

    /// The policy.
    pub(crate) fn policy(&self) -> RwLockPolicy {
        self.policy
    }

    /// `holder` waits to write from now until the returned place is dropped (a writer-preferring
    /// lock under simulation: it arrives first, at a scheduling point of its own).
    pub(crate) fn queue_writer(&self, holder: &Holder) -> Queued<'_> {
        let thread = self.prefers_writers().then(|| holder.index());
        if let Some(thread) = thread {
            self.arrival.writer_arrives();
            lock(&self.queued).push(thread);
        }
        Queued {
            fairness: self,
            thread,
        }
    }

    fn prefers_writers(&self) -> bool {
        crate::SIMULATED && self.policy == RwLockPolicy::WriterPreferring
    }

    /// A read by `holder` is about to decide whether it goes on: the scheduling point that
    /// orders it against writers' arrivals (writer-preferring, under loom), then whether it
    /// must wait (or a `try_read` fail) because another thread waits to write.
    pub(crate) fn holds_back_reader(&self, holder: &Holder) -> bool {
        if !self.prefers_writers() {
            return false;
        }
        self.arrival.reader_arrives();
        self.writer_queued_before(holder)
    }

    /// Whether a thread other than `holder` waits to write (the decision alone, right after
    /// [`holds_back_reader`](Self::holds_back_reader) passed its scheduling point).
    pub(crate) fn writer_queued_before(&self, holder: &Holder) -> bool {
        self.prefers_writers() && lock(&self.queued).iter().any(|&t| t != holder.index())
    }

    /// Waits at the gate until no other thread waits to write `object`, or `deadline` passes
    /// (virtual time); returns whether the read may go on.
    pub(crate) fn admit_reader(
        &self,
        holder: &Holder,
        object: &Arc<ObjectInfo>,
        deadline: Option<Moment>,
    ) -> bool {
        while self.holds_back_reader(holder) {
            let ticket = self.gate.register();
            // Under simulation nothing runs between the check and the registration, so the
            // writer that leaves the queue finds the ticket.
            let woke = ghost::park(&ticket, object, Mode::Shared, deadline);
            self.gate.cancel(&ticket);
            if woke == Woke::TimedOut {
                return false;
            }
        }
        true
    }

    /// A reader-preferring lock's recursive-read check, at a blocking read by `holder` of
    /// `object` at `site`: the report of a potential deadlock if this read re-reads the lock
    /// while another thread of the execution has requested it for writing (or the other way
    /// round, see [`saw_write_request`](Self::saw_write_request)).
    pub(crate) fn saw_read(
        &self,
        holder: &Holder,
        object: &Arc<ObjectInfo>,
        site: &'static Location<'static>,
    ) -> Option<String> {
        if !self.checks_recursive_reads(holder) {
            return None;
        }
        let (name, first_read_at) = holder.with_held_named(|name, stack| {
            let first = stack
                .iter()
                .find(|h| Arc::ptr_eq(&h.object, object) && h.mode == Mode::Shared)
                .map(|h| h.site);
            (first.map(|_| name()), first)
        });
        let name = name?;
        let mut seen = lock(&self.seen);
        seen.re_read.get_or_insert(Request {
            thread: holder.index(),
            name,
            site,
            first_read_at,
        });
        seen.report(object)
    }

    /// The recursive-read check at a blocking write request by `holder` at `site`.
    pub(crate) fn saw_write_request(
        &self,
        holder: &Holder,
        object: &Arc<ObjectInfo>,
        site: &'static Location<'static>,
    ) -> Option<String> {
        if !self.checks_recursive_reads(holder) {
            return None;
        }
        let name = holder.with_held_named(|name, _| name());
        let mut seen = lock(&self.seen);
        if seen.write.is_none() {
            seen.write = Some(Request {
                thread: holder.index(),
                name,
                site,
                first_read_at: None,
            });
        }
        seen.report(object)
    }

    fn checks_recursive_reads(&self, holder: &Holder) -> bool {
        crate::SIMULATED
            && self.policy == RwLockPolicy::ReaderPreferring
            && holder.lock_graph().is_some()
    }
}

impl Seen {
    /// The potential-deadlock report, once, if a re-read and another thread's write request
    /// have both been seen.
    fn report(&mut self, object: &Arc<ObjectInfo>) -> Option<String> {
        let (re_read, write) = (self.re_read.as_ref()?, self.write.as_ref()?);
        if re_read.thread == write.thread || self.reported {
            return None;
        }
        self.reported = true;
        let first = re_read
            .first_read_at
            .map(|at| format!(" (taken at {at})"))
            .unwrap_or_default();
        Some(format!(
            "potential deadlock: {reader} read-locks {object} again at {again} while it holds \
             it for reading{first}, and {writer} requests it for writing at {wsite}; this lock \
             is reader-preferring, so the second read goes ahead, but on a writer-preferring \
             lock (std's on Linux) it waits behind the queued writer, which waits for the \
             first read: deadlock",
            reader = re_read.name,
            again = re_read.site,
            writer = write.name,
            wsite = write.site,
        ))
    }
}
