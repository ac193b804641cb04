//! A semaphore's permit count and its queue of waiters: which acquire is served, in which
//! order, and who is handed permits when some come back. Plain data behind the semaphore's
//! backend mutex; the caller wakes the waiters it is told to, after letting the mutex go.

use super::SemaphoreFairness;
use lockstep_engine::wait::Ticket;
use std::collections::VecDeque;
use std::sync::Arc;

/// One queued acquire: its waiter's ticket and how many permits it waits for.
struct Waiter {
    ticket: Arc<Ticket>,
    wanted: usize,
}

/// Free permits and, under [`SemaphoreFairness::Fifo`] (the caller says which policy
/// applies), the waiters in arrival order.
///
/// Invariant (FIFO): the head of the queue wants more permits than are free; a waiter leaves
/// the queue only when it is handed its permits (by [`give`](Permits::give) or
/// [`leave`](Permits::leave)) or gives up ([`leave`](Permits::leave)).
pub(super) struct Permits {
    free: usize,
    queue: VecDeque<Waiter>,
    /// How many acquires took permits so far: a woken waiter that finds the count moved
    /// since it queued lost them to another thread.
    takes: u64,
}

impl Permits {
    pub(super) fn new(free: usize) -> Self {
        Permits {
            free,
            queue: VecDeque::new(),
            takes: 0,
        }
    }

    /// Takes `n` permits now, if `fairness` lets this caller have them: they are free and
    /// (FIFO) nobody is queued before it.
    pub(super) fn try_take(&mut self, n: usize, fairness: SemaphoreFairness) -> bool {
        let queued_first = fairness == SemaphoreFairness::Fifo && !self.queue.is_empty();
        if queued_first || self.free < n {
            return false;
        }
        self.free -= n;
        self.takes += 1;
        true
    }

    /// How many acquires have taken permits at once so far (not counting FIFO hand-overs).
    pub(super) fn takes(&self) -> u64 {
        self.takes
    }

    /// Queues a FIFO waiter for `wanted` permits behind the others.
    pub(super) fn enqueue(&mut self, ticket: Arc<Ticket>, wanted: usize) {
        self.queue.push_back(Waiter { ticket, wanted });
    }

    /// `n` permits come back. Returns the waiters handed their permits (FIFO; nobody is
    /// queued under an unfair policy), to wake.
    pub(super) fn give(&mut self, n: usize) -> Vec<Arc<Ticket>> {
        self.free = self.free.checked_add(n).expect("permit count overflow");
        self.serve()
    }

    /// The waiter of `ticket` stops waiting. `None` if it is no longer queued: it was handed
    /// its permits already, and has them. Else it leaves the queue, and the waiters behind it
    /// that the free permits now satisfy are handed theirs (returned, to wake): a head waiter
    /// that gives up must not leave the next one waiting on permits that are free.
    pub(super) fn leave(&mut self, ticket: &Arc<Ticket>) -> Option<Vec<Arc<Ticket>>> {
        let position = self
            .queue
            .iter()
            .position(|w| Arc::ptr_eq(&w.ticket, ticket))?;
        self.queue.remove(position);
        Some(self.serve())
    }

    /// Hands permits to the waiters at the head of the queue while they suffice.
    fn serve(&mut self) -> Vec<Arc<Ticket>> {
        let mut served = Vec::new();
        while let Some(head) = self.queue.front() {
            if head.wanted > self.free {
                break;
            }
            self.free -= head.wanted;
            served.extend(self.queue.pop_front().map(|w| w.ticket));
        }
        debug_assert!(self
            .queue
            .front()
            .is_none_or(|head| head.wanted > self.free));
        served
    }

    /// The permits an acquire could take now, as tokio counts them: under FIFO, none while
    /// anyone is queued (tokio sets free permits aside for the queue's head).
    pub(super) fn available(&self) -> usize {
        if self.queue.is_empty() {
            self.free
        } else {
            0
        }
    }

    /// The permits no thread holds (under FIFO, possibly too few for the queue's head).
    pub(super) fn free(&self) -> usize {
        self.free
    }
}
