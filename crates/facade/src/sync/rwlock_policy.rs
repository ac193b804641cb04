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
//! Scheduling points. A thread's ghost state changes when it runs, right after its previous
//! scheduling point, so a writer's arrival and a read's decision each come right after a
//! backend operation that the checker orders against the other, and a read is explored on
//! both sides of each writer's arrival. Under loom those are a loom `Arc`'s clone (arrival) and
//! count (decision), see `ghost::ArrivalPoint`: writers alone and readers alone explore what
//! raw loom does. Under shuttle a writer arrives at a backend `try_write` (then waits in
//! `write` if that failed) and a first read decides right after its backend read or try,
//! giving it back if a writer is queued ([`Fairness::gives_back`]); a recursive read, which
//! has no backend operation, yields first. So where the lock is free no scheduling point is
//! added. The gate parks (and the writer wakes it) only when a read waits behind a writer,
//! which raw loom has no counterpart of. A reader-preferring lock does none of this, so it
//! explores exactly what raw loom does.
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

/// A writing call's place in the queue of a writer-preferring lock: its writer waits to write
/// once it has arrived (see [`Fairness::queue_writer`]); leaving it (dropped, on success,
/// timeout or panic) opens the gate for the readers behind it.
pub(crate) struct Queued<'a> {
    fairness: &'a Fairness,
    object: &'a Arc<ObjectInfo>,
    /// The writer's index, if the lock prefers writers (under simulation).
    writer: Option<usize>,
    /// Whether it has arrived (is in the queue).
    arrived: bool,
}

impl Queued<'_> {
    /// The writer has arrived: it holds back new readers from now on (once per call).
    pub(crate) fn arrive(&mut self) {
        if let (Some(writer), false) = (self.writer, self.arrived) {
            self.arrived = true;
            lock(&self.fairness.queued).push(writer);
        }
    }

    /// A blocking backend write of a writer that has not arrived yet: under shuttle the
    /// backend's `try_write` is its arrival (a scheduling point right before it, as before the
    /// backend `write` it stands in for when the lock is free), and if that fails the writer
    /// arrives and waits in `write`. Otherwise (it arrived already, or the lock does not
    /// prefer writers) just `write`.
    pub(crate) fn write<G>(
        &mut self,
        try_write: impl FnOnce() -> Option<G>,
        write: impl FnOnce() -> G,
    ) -> G {
        if self.writer.is_none() || self.arrived {
            return write();
        }
        if let Some(native) = try_write() {
            return native;
        }
        self.arrive();
        write()
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        let (Some(thread), true) = (self.writer, self.arrived) else {
            return;
        };
        super::holds::release_bookkeeping(|| {
            {
                let mut queued = lock(&self.fairness.queued);
                let at = queued
                    .iter()
                    .position(|&t| t == thread)
                    .expect("lockstep: a queued writer left a queue it was not in");
                queued.remove(at);
            }
            // The readers at the gate, and timed readers that gave their read back (shuttle).
            self.fairness.gate.wake_all();
            self.object.waiters.wake_all();
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

    /// A writing call of `holder` (`write`, `write_timeout`), in the queue until the returned
    /// place is dropped. On a writer-preferring lock under simulation it must arrive at a
    /// scheduling point of its own: under loom it does so here (see `ghost::ArrivalPoint`);
    /// under shuttle at its first backend try ([`Queued::write`], or a timed write's first
    /// failed attempt, [`Queued::arrive`]), which adds no scheduling point where the lock is
    /// free.
    pub(crate) fn queue_writer<'a>(
        &'a self,
        holder: &Holder,
        object: &'a Arc<ObjectInfo>,
    ) -> Queued<'a> {
        let mut queued = Queued {
            fairness: self,
            object,
            writer: self.prefers_writers().then(|| holder.index()),
            arrived: false,
        };
        if queued.writer.is_some() && !ghost::WRITERS_ARRIVE_BY_TRYING {
            self.arrival.writer_arrives();
            queued.arrive();
        }
        queued
    }

    fn prefers_writers(&self) -> bool {
        crate::SIMULATED && self.policy == RwLockPolicy::WriterPreferring
    }

    /// Whether `holder` reads `object` already: a recursive read, which under simulation has
    /// no backend operation of its own (see `read_share`).
    pub(crate) fn rereads(&self, holder: &Holder, object: &Arc<ObjectInfo>) -> bool {
        self.prefers_writers()
            && holder.with_held(|stack| {
                stack
                    .iter()
                    .any(|h| Arc::ptr_eq(&h.object, object) && h.mode == Mode::Shared)
            })
    }

    /// Whether a read decides before its backend read whether a queued writer holds it back:
    /// under loom, right after the read's arrival point; under shuttle only a recursive read
    /// (which passes a scheduling point of its own, having no backend read), while a first read
    /// decides right after its backend read or try, the scheduling point before which shuttle
    /// may run a writer's arrival ([`gives_back`](Self::gives_back)).
    fn decides_before(&self, rereads: bool) -> bool {
        self.prefers_writers() && (!ghost::READS_DECIDE_AFTER_READING || rereads)
    }

    /// Before a blocking or timed read's backend read by `holder`: passes the read's arrival
    /// point and waits at the gate while another thread waits to write (if it decides here,
    /// see [`decides_before`](Self::decides_before)); `false` if `deadline` (virtual time)
    /// passed first.
    pub(crate) fn admit_reader(
        &self,
        holder: &Holder,
        object: &Arc<ObjectInfo>,
        rereads: bool,
        deadline: Option<Moment>,
    ) -> bool {
        if !self.decides_before(rereads) {
            return true;
        }
        self.arrival.reader_arrives();
        self.wait_at_gate(holder, object, deadline)
    }

    /// Before a plain `try_read`'s backend try: whether it fails because another thread waits
    /// to write (if it decides here).
    pub(crate) fn try_held_back(&self, holder: &Holder, rereads: bool) -> bool {
        if !self.decides_before(rereads) {
            return false;
        }
        self.arrival.reader_arrives();
        self.writer_queued_before(holder)
    }

    /// After a first read's backend read or try by `holder` succeeded, under shuttle: whether
    /// it must give the backend read back (and wait at the gate, or fail), because another
    /// thread waits to write.
    pub(crate) fn gives_back(&self, holder: &Holder, rereads: bool) -> bool {
        self.prefers_writers() && !self.decides_before(rereads) && self.writer_queued_before(holder)
    }

    /// Waits at the gate until no thread other than `holder` waits to write `object`, or
    /// `deadline` passes; returns whether the read may go on.
    pub(crate) fn wait_at_gate(
        &self,
        holder: &Holder,
        object: &Arc<ObjectInfo>,
        deadline: Option<Moment>,
    ) -> bool {
        while self.writer_queued_before(holder) {
            let ticket = self.gate.register();
            // Under simulation nothing runs between the check and the registration, so the
            // writer that leaves the queue finds the ticket.
            let woke = ghost::park(&ticket, object, Mode::Shared, deadline);
            self.gate.cancel(&ticket);
            if woke == Woke::TimedOut {
                return false;
            }
            // Under loom the park orders nothing against writers' arrivals: decide again after
            // the arrival point. Under shuttle the park was a scheduling point.
            if !ghost::READS_DECIDE_AFTER_READING {
                self.arrival.reader_arrives();
            }
        }
        true
    }

    /// Whether a thread other than `holder` waits to write.
    fn writer_queued_before(&self, holder: &Holder) -> bool {
        self.prefers_writers() && lock(&self.queued).iter().any(|&t| t != holder.index())
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
