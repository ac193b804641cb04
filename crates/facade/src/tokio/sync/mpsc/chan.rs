//! The state one mpsc channel's senders and receiver share: the buffer, the room (for a
//! bounded channel), the queue of senders waiting for room, and who is still there.

use crate::backend::{self, unpoison};
use crate::ghost;
use crate::sync::holds;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use std::collections::VecDeque;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// One channel: its name and its state.
pub(super) struct Chan<T> {
    pub(super) info: Arc<ObjectInfo>,
    state: backend::Mutex<State<T>>,
}

pub(super) struct State<T> {
    buffer: VecDeque<T>,
    /// `None`: unbounded.
    capacity: Option<usize>,
    /// Slots set aside for a reservation (a `Permit`, or a queued sender granted room) and not
    /// yet filled.
    reserved: usize,
    senders: usize,
    /// The receiver closed the channel or was dropped: no new message is accepted.
    closed: bool,
    /// Senders waiting for room, first come first.
    waiting: VecDeque<RoomWaiter>,
    receiver: Option<Waker>,
    next_id: u64,
}

struct RoomWaiter {
    id: u64,
    waker: Waker,
    /// A slot was set aside for it (counted in `reserved`); it takes it at its next poll.
    granted: bool,
}

impl<T> State<T> {
    /// Free slots nobody has reserved (a bounded channel's).
    fn room(&self, capacity: usize) -> usize {
        capacity - self.buffer.len() - self.reserved
    }

    /// Gives free slots to the queued senders in order, waking each.
    fn serve(&mut self) {
        let Some(capacity) = self.capacity else {
            return;
        };
        let mut room = self.room(capacity);
        for waiter in self.waiting.iter_mut().filter(|w| !w.granted) {
            if room == 0 {
                break;
            }
            room -= 1;
            self.reserved += 1;
            waiter.granted = true;
            waiter.waker.wake_by_ref();
        }
    }

    fn wake_receiver(&mut self) {
        if let Some(receiver) = self.receiver.take() {
            receiver.wake();
        }
    }

    /// The first buffered message (its slot goes to the next queued sender), or why none.
    fn take(&mut self) -> Received<T> {
        match self.buffer.pop_front() {
            Some(message) => {
                self.serve();
                Received::Message(message)
            }
            None if (self.senders == 0 || self.closed) && self.reserved == 0 => {
                Received::Disconnected
            }
            None => Received::Empty,
        }
    }

    /// Whether a newcomer may reserve a slot now: room is free and no sender is queued ahead.
    fn may_reserve(&self, capacity: usize) -> bool {
        self.waiting.iter().all(|w| w.granted) && self.room(capacity) > 0
    }
}

/// What a sender's reservation came to.
pub(super) enum Reserved {
    /// A slot is set aside for this sender.
    Slot,
    /// The receiver is gone or closed the channel.
    Closed,
}

/// What the receiver found.
pub(super) enum Received<T> {
    Message(T),
    /// Nothing buffered, but a sender (or a reservation) may still send.
    Empty,
    /// Nothing buffered and nothing more can come.
    Disconnected,
}

impl<T> Chan<T> {
    /// A channel with one sender; `capacity` `None` for unbounded.
    pub(super) fn new(name: Option<&str>, capacity: Option<usize>) -> Arc<Self> {
        assert!(
            capacity != Some(0),
            "lockstep::tokio: mpsc bounded channel requires buffer > 0"
        );
        Arc::new(Chan {
            info: holds::object(Kind::Channel, name),
            state: backend::Mutex::new(State {
                buffer: VecDeque::new(),
                capacity,
                reserved: 0,
                senders: 1,
                closed: false,
                waiting: VecDeque::new(),
                receiver: None,
                next_id: 0,
            }),
        })
    }

    fn state(&self) -> backend::MutexGuard<'_, State<T>> {
        unpoison(self.state.lock())
    }

    pub(super) fn capacity(&self) -> Option<usize> {
        self.state().capacity
    }

    /// Free slots of a bounded channel.
    pub(super) fn room(&self) -> usize {
        let state = self.state();
        let capacity = state.capacity.expect("a bounded channel");
        state.room(capacity)
    }

    pub(super) fn is_closed(&self) -> bool {
        self.state().closed
    }

    pub(super) fn sender_cloned(&self) {
        self.state().senders += 1;
    }

    /// A sender is dropped: the last one wakes the receiver (it sees the end).
    pub(super) fn sender_dropped(&self) {
        holds::release_bookkeeping(|| {
            let mut state = self.state();
            debug_assert!(state.senders > 0, "lockstep: {} lost a sender", self.info);
            state.senders -= 1;
            if state.senders == 0 {
                state.wake_receiver();
            }
        });
    }

    /// The receiver closes the channel (or is dropped): senders waiting for room fail.
    pub(super) fn close(&self) {
        holds::release_bookkeeping(|| {
            let mut state = self.state();
            state.closed = true;
            for waiter in state.waiting.iter().filter(|w| !w.granted) {
                waiter.waker.wake_by_ref();
            }
        });
    }

    /// Puts `message` in the buffer; gives it back if the channel is closed. `reserved`: it
    /// fills a slot set aside for it (sent even if the channel closed since, as tokio's
    /// permits do).
    pub(super) fn push(&self, message: T, reserved: bool) -> Result<(), T> {
        let mut state = self.state();
        if reserved {
            debug_assert!(
                state.reserved > 0,
                "lockstep: {} sent unreserved",
                self.info
            );
            state.reserved -= 1;
        } else if state.closed {
            return Err(message);
        }
        state.buffer.push_back(message);
        state.wake_receiver();
        Ok(())
    }

    /// Takes a free slot now, if a bounded channel has one and nobody is queued for it.
    pub(super) fn try_reserve(&self) -> Result<(), Full> {
        let mut state = self.state();
        let capacity = state.capacity.expect("a bounded channel");
        if state.closed {
            return Err(Full::Closed);
        }
        if !state.may_reserve(capacity) {
            return Err(Full::NoRoom);
        }
        state.reserved += 1;
        Ok(())
    }

    /// Gives back a reserved slot that was not filled (a permit dropped unused).
    pub(super) fn unreserve(&self) {
        holds::release_bookkeeping(|| {
            let mut state = self.state();
            debug_assert!(
                state.reserved > 0,
                "lockstep: {} unreserved twice",
                self.info
            );
            state.reserved -= 1;
            state.serve();
            // A closed channel's receiver may have waited only for this reservation.
            if state.closed {
                state.wake_receiver();
            }
        });
    }

    /// Polls for a slot of a bounded channel, queuing as `queued` (FIFO).
    pub(super) fn poll_reserve(
        &self,
        queued: &mut Option<u64>,
        cx: &Context<'_>,
    ) -> Poll<Reserved> {
        let mut state = self.state();
        let capacity = state.capacity.expect("a bounded channel");
        match *queued {
            None if state.closed => return Poll::Ready(Reserved::Closed),
            None if state.may_reserve(capacity) => {
                state.reserved += 1;
                return Poll::Ready(Reserved::Slot);
            }
            None => {
                let id = state.next_id;
                state.next_id += 1;
                state.waiting.push_back(RoomWaiter {
                    id,
                    waker: cx.waker().clone(),
                    granted: false,
                });
                *queued = Some(id);
            }
            Some(id) => {
                let at = state
                    .waiting
                    .iter()
                    .position(|w| w.id == id)
                    .expect("lockstep: a queued send lost its place");
                if state.waiting[at].granted {
                    state.waiting.remove(at);
                    *queued = None;
                    return Poll::Ready(Reserved::Slot);
                }
                if state.closed {
                    state.waiting.remove(at);
                    *queued = None;
                    return Poll::Ready(Reserved::Closed);
                }
                state.waiting[at].waker = cx.waker().clone();
            }
        }
        drop(state);
        ghost::awaits(&self.info, Mode::Send { capacity });
        Poll::Pending
    }

    /// A pending send or reserve is dropped while queued: it leaves the queue, and a slot set
    /// aside for it goes to the next sender.
    pub(super) fn cancel_reserve(&self, queued: &mut Option<u64>) {
        let Some(id) = queued.take() else {
            return;
        };
        holds::release_bookkeeping(|| {
            let mut state = self.state();
            let at = state.waiting.iter().position(|w| w.id == id);
            if let Some(waiter) = at.and_then(|at| state.waiting.remove(at)) {
                if waiter.granted {
                    state.reserved -= 1;
                    if state.closed {
                        state.wake_receiver();
                    }
                }
            }
            state.serve();
        });
    }

    /// Takes the first buffered message, freeing its slot for the next queued sender.
    pub(super) fn try_take(&self) -> Received<T> {
        self.state().take()
    }

    /// Polls for the next message: `None` once nothing more can come.
    pub(super) fn poll_recv(&self, cx: &Context<'_>) -> Poll<Option<T>> {
        let mut state = self.state();
        match state.take() {
            Received::Message(message) => Poll::Ready(Some(message)),
            Received::Disconnected => Poll::Ready(None),
            Received::Empty => {
                state.receiver = Some(cx.waker().clone());
                drop(state);
                ghost::awaits(&self.info, Mode::Recv);
                Poll::Pending
            }
        }
    }

    /// A pending receive is dropped: nothing to give back (messages stay buffered).
    pub(super) fn cancel_recv(&self) {
        holds::release_bookkeeping(|| self.state().receiver = None);
    }
}

/// Why a reservation could not be made at once.
pub(super) enum Full {
    NoRoom,
    Closed,
}
