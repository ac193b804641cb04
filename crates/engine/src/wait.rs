//! Parked waiting: the one mechanism behind every wait that can time out (timed lock, semaphore,
//! condvar) — a ticket in the object's queue, then park until notified or past the deadline.
//!
//! Protocol (it must hold on real threads too): the waiter registers its ticket, then re-checks
//! the resource, then parks; the releaser frees the resource, then wakes the queue. Either the
//! re-check sees the release or the releaser sees the ticket, so no wakeup is lost.
//!
//! A condvar's `notify_one` may wake any of its waiters (std promises no order). Under
//! simulation it is an [`Offer`](WaitQueue::offer_one) to every waiter queued at that moment:
//! all of them are unparked and the first to run claims it; the others find it claimed and park
//! again. So which waiter wakes is a scheduling choice, explored (and recorded, and replayed)
//! like any other. Until an offer is claimed, each waiter it was made to counts as runnable.
//!
//! Rule for the whole crate: never call into the backend (unpark, park, lock) while holding a
//! ghost lock or the kernel borrow — under shuttle that call can switch to another task.

use crate::backend::thread::{current, Thread};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as GhostMutex};

/// One wake-up offered to several waiters by one `notify_one`: the first to claim it has it.
#[derive(Default)]
struct Offer {
    claimed: AtomicBool,
}

impl Offer {
    fn is_open(&self) -> bool {
        !self.claimed.load(Ordering::Acquire)
    }
}

/// One parked waiter: its thread, whether a releaser has notified it, and the wake-ups offered
/// to it that it has not looked at yet.
pub struct Ticket {
    notified: AtomicBool,
    /// Whether it found a wake-up offered to it already claimed by another waiter.
    lost_offer: AtomicBool,
    offers: GhostMutex<Vec<Arc<Offer>>>,
    thread: Thread,
}

impl Ticket {
    /// Whether a releaser or notifier has woken this waiter (it claimed an offer, or was woken
    /// on its own).
    pub fn is_notified(&self) -> bool {
        self.notified.load(Ordering::Acquire)
    }

    /// Whether this waiter can go on: it is notified, or it holds an offer nobody has claimed
    /// yet (it may be the one to claim it when it runs).
    pub fn can_wake(&self) -> bool {
        self.is_notified() || lock(&self.offers).iter().any(|offer| offer.is_open())
    }

    /// Whether a wake-up offered to this waiter went to another one while it is not notified:
    /// it found an offer claimed when it woke, or holds one now.
    pub fn lost_an_offer(&self) -> bool {
        !self.is_notified()
            && (self.lost_offer.load(Ordering::Acquire)
                || lock(&self.offers).iter().any(|offer| !offer.is_open()))
    }

    /// Run by the waiter itself when it wakes: claims the first open offer it holds (if it is
    /// not notified already), drops the rest, and returns whether it is notified now.
    pub fn claim(&self) -> bool {
        let mut offers = lock(&self.offers);
        if !self.is_notified() {
            let won = offers.iter().any(|offer| {
                offer
                    .claimed
                    .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            });
            if won {
                self.notified.store(true, Ordering::Release);
            } else if !offers.is_empty() {
                self.lost_offer.store(true, Ordering::Release);
            }
        }
        offers.clear();
        self.is_notified()
    }

    fn notify(&self) {
        self.notified.store(true, Ordering::Release);
        self.thread.unpark();
    }

    fn offer(&self, offer: &Arc<Offer>) {
        lock(&self.offers).push(Arc::clone(offer));
    }
}

/// A ghost lock that a panic elsewhere does not poison.
fn lock<T>(mutex: &GhostMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The waiters parked on one object, in arrival order (which [`offer_one`](WaitQueue::offer_one)
/// does not favour).
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
            lost_offer: AtomicBool::new(false),
            offers: GhostMutex::default(),
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

    /// Wakes `ticket`'s waiter alone, removing it from the queue: a fair primitive's hand-off
    /// to the waiter it chose (a FIFO semaphore's head). A ticket no longer queued is not
    /// woken (its waiter has stopped waiting, and may be blocked elsewhere, where a stray
    /// unpark is not allowed under loom). Returns whether it was still queued.
    ///
    /// ```
    /// use lockstep_engine::wait::WaitQueue;
    ///
    /// let queue = WaitQueue::default();
    /// let first = queue.register();
    /// let second = queue.register();
    /// assert!(queue.wake(&second));
    /// assert!(second.is_notified() && !first.is_notified());
    /// assert!(!queue.wake(&second));
    /// queue.cancel(&first);
    /// assert!(!queue.wake(&first) && !first.is_notified());
    /// ```
    pub fn wake(&self, ticket: &Arc<Ticket>) -> bool {
        let queued = {
            let mut tickets = self.lock();
            let before = tickets.len();
            tickets.retain(|t| !Arc::ptr_eq(t, ticket));
            self.len.store(tickets.len(), Ordering::Release);
            tickets.len() < before
        };
        if queued {
            ticket.notify();
        }
        queued
    }

    /// Wakes the longest-waiting waiter, if any; returns whether one was woken. (On real
    /// threads, where the OS picks who runs, this is one choice std allows; a simulation uses
    /// [`offer_one`](WaitQueue::offer_one) to explore them all.)
    pub fn wake_one(&self) -> bool {
        let first = {
            let mut tickets = self.lock();
            let first = (!tickets.is_empty()).then(|| tickets.remove(0));
            self.len.store(tickets.len(), Ordering::Release);
            first
        };
        first.map(|ticket| ticket.notify()).is_some()
    }

    /// Offers one wake-up to every waiter queued now that is not notified yet, and unparks
    /// them all: the first to run claims it ([`Ticket::claim`]), the others park again. Returns
    /// whether any waiter was offered it.
    pub fn offer_one(&self) -> bool {
        if self.len.load(Ordering::Acquire) == 0 {
            return false;
        }
        let offered: Vec<Arc<Ticket>> = {
            let tickets = self.lock();
            let offer = Arc::new(Offer::default());
            tickets
                .iter()
                .filter(|ticket| !ticket.is_notified())
                .inspect(|ticket| ticket.offer(&offer))
                .cloned()
                .collect()
        };
        for ticket in &offered {
            ticket.thread.unpark();
        }
        !offered.is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Ticket>>> {
        lock(&self.tickets)
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
    /// Whether an unpark found the token already available (it was absorbed), since a timed
    /// park last judged it (see [`take_absorbed`](ParkToken::take_absorbed)).
    absorbed: AtomicBool,
    /// Where parks and unparks of the token meet in the checker's sight (see
    /// [`meet`](ParkToken::meet)).
    meeting: crate::backend::OrderPoint,
}

impl ParkToken {
    /// A park or an unpark of the token is about to look at it: under loom an operation that
    /// depends on every other's, so that loom orders a park on either side of each unpark
    /// (loom's own park and unpark are no scheduling points and depend on nothing); call it
    /// outside the kernel, as it may switch threads.
    ///
    /// ```
    /// use lockstep_engine::wait::ParkToken;
    ///
    /// let token = ParkToken::default();
    /// token.meet();
    /// token.make_available();
    /// assert!(token.take());
    /// ```
    pub fn meet(&self) {
        self.meeting.pass();
    }

    /// Makes the token available (an unpark); an unpark that finds it available already is
    /// absorbed, and remembered as such.
    pub fn make_available(&self) {
        if self.available.swap(true, Ordering::AcqRel) {
            self.absorbed.store(true, Ordering::Release);
        }
    }

    /// Whether an unpark was absorbed since the last call (which forgets it): a timed-out
    /// park asks, so each absorbed unpark marks one timeout.
    ///
    /// ```
    /// use lockstep_engine::wait::ParkToken;
    ///
    /// let token = ParkToken::default();
    /// token.make_available();
    /// assert!(!token.take_absorbed());
    /// token.make_available();
    /// assert!(token.take_absorbed() && !token.take_absorbed());
    /// ```
    pub fn take_absorbed(&self) -> bool {
        self.absorbed.swap(false, Ordering::AcqRel)
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
