//! Parked waiting: the one mechanism behind every wait that can time out (timed lock, semaphore,
//! condvar) — a ticket in the object's queue, then park until notified or past the deadline.
//!
//! Protocol (it must hold on real threads too): the waiter registers its ticket, then re-checks
//! the resource, then parks; the releaser frees the resource, then wakes the queue. Either the
//! re-check sees the release or the releaser sees the ticket, so no wakeup is lost.
//!
//! Rule for the whole crate: never call into the backend (unpark, park, lock) while holding a
//! ghost lock or the kernel borrow — under shuttle that call can switch to another task.

use crate::backend::thread::{current, Thread};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as GhostMutex};

/// One parked waiter: its thread and whether a releaser has notified it.
pub struct Ticket {
    notified: AtomicBool,
    thread: Thread,
}

impl Ticket {
    /// Whether a releaser or notifier has woken this waiter.
    pub fn is_notified(&self) -> bool {
        self.notified.load(Ordering::Acquire)
    }

    fn notify(&self) {
        self.notified.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

/// The waiters parked on one object, in arrival order.
#[derive(Default)]
pub struct WaitQueue {
    len: AtomicUsize,
    tickets: GhostMutex<Vec<Arc<Ticket>>>,
}

impl WaitQueue {
    /// Adds the calling thread to the queue.
    pub fn register(&self) -> Arc<Ticket> {
        let ticket = Arc::new(Ticket {
            notified: AtomicBool::new(false),
            thread: current(),
        });
        let mut tickets = self.lock();
        tickets.push(Arc::clone(&ticket));
        self.len.store(tickets.len(), Ordering::Release);
        ticket
    }

    /// Removes a ticket (the waiter gave up, or got the resource).
    pub fn cancel(&self, ticket: &Arc<Ticket>) {
        let mut tickets = self.lock();
        tickets.retain(|t| !Arc::ptr_eq(t, ticket));
        self.len.store(tickets.len(), Ordering::Release);
    }

    /// Wakes every waiter (they race for the resource again). Cheap when nobody waits.
    pub fn wake_all(&self) {
        if self.len.load(Ordering::Acquire) == 0 {
            return;
        }
        let woken = {
            let mut tickets = self.lock();
            self.len.store(0, Ordering::Release);
            std::mem::take(&mut *tickets)
        };
        for ticket in woken {
            ticket.notify();
        }
    }

    /// Wakes the longest-waiting waiter, if any; returns whether one was woken.
    pub fn wake_one(&self) -> bool {
        let first = {
            let mut tickets = self.lock();
            let first = (!tickets.is_empty()).then(|| tickets.remove(0));
            self.len.store(tickets.len(), Ordering::Release);
            first
        };
        first.map(|ticket| ticket.notify()).is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Ticket>>> {
        self.tickets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// How a parked wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Woke {
    /// A releaser or notifier woke it.
    Notified,
    /// Its deadline passed first.
    TimedOut,
}

/// A thread's park token, as `thread::park` and `Thread::unpark` use it under simulation: an
/// unpark makes it available (at most one is kept), a park consumes it, returning at once if it
/// was already available. Ghost state only (a plain atomic, never a scheduling point); the
/// backend's own park and unpark run beside it, so loom and shuttle see the same operations as
/// in raw code.
///
/// ```
/// use lockstep_engine::wait::ParkToken;
///
/// let token = ParkToken::default();
/// assert!(!token.take());
/// token.make_available();
/// token.make_available(); // tokens do not add up
/// assert!(token.is_available());
/// assert!(token.take());
/// assert!(!token.take());
/// ```
#[derive(Default)]
pub struct ParkToken {
    available: AtomicBool,
}

impl ParkToken {
    /// Makes the token available (an unpark).
    pub fn make_available(&self) {
        self.available.store(true, Ordering::Release);
    }

    /// Whether an unpark is waiting to be consumed.
    pub fn is_available(&self) -> bool {
        self.available.load(Ordering::Acquire)
    }

    /// Consumes the token if it is available; returns whether it was.
    pub fn take(&self) -> bool {
        self.available.swap(false, Ordering::AcqRel)
    }
}
