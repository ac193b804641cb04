//! Simulated `mpsc` channels: unbounded, bounded and rendezvous (bound 0), with std's
//! disconnection rules.
//!
//! The receiver parks in the channel object's own queue (`Mode::Recv`); senders of a full
//! channel, and a rendezvous sender until its message is taken, park in `room`
//! (`Mode::Send`). A send that finds the receiver parked hands the message straight to it
//! (`handoff`), so the woken receiver returns without locking the state again: a blocking
//! `recv` is one scheduling point, as loom's own channel's is. The last sender's drop and the
//! receiver's drop are one scheduling point each (a ghost count, exact under simulation, tells
//! which sender drop is the last), also when the other end is gone already: skipping it then
//! would hide from loom's DPOR that this drop conflicts with the other end's earlier
//! operations, and the executions where it comes first (a `try_send` that finds the receiver
//! gone, a `try_recv` that finds the senders gone) would never be explored. Only a drop that
//! the other end can still observe records a `disconnect` and wakes waiters.

use super::{park_on, Guarded};
use crate::ghost::{self, Holder, Moment};
use crate::sync::holds;
use crate::time::{deadline_after, Instant};
use lockstep_engine::object::{Kind, Mode};
use lockstep_engine::op::OpKind;
use lockstep_engine::trace::Event;
use lockstep_engine::wait::{WaitQueue, Woke};
use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};
use std::sync::Arc;
use std::time::Duration;

/// What both ends share.
struct Channel<T> {
    /// The state; the receiver waits in its object's queue.
    guarded: Guarded<State<T>>,
    /// `None`: unbounded; `Some(0)`: a rendezvous.
    capacity: Option<usize>,
    /// Senders waiting for room, or (rendezvous) for the receiver to take their message.
    room: WaitQueue,
    /// Live `Sender`/`SyncSender` values (ghost: tells which sender drop is the last).
    senders: AtomicUsize,
    /// A message handed by a sender to the parked receiver (ghost storage, filled only with
    /// the state locked and the receiver parked, taken by the receiver when it wakes).
    handoff: std::sync::Mutex<Option<T>>,
}

struct State<T> {
    queue: VecDeque<T>,
    /// Messages ever queued and ever taken: a rendezvous sender waits for `received` to reach
    /// its message's number.
    sent: u64,
    received: u64,
    senders_gone: bool,
    receiver_gone: bool,
    /// The receiver is parked in `recv` (the queue is empty then): the next message is handed
    /// to it, and a rendezvous `try_send` succeeds only then.
    receiver_waiting: bool,
}

/// How a receive may wait.
#[derive(Clone, Copy)]
enum Patience {
    /// Not at all (`try_recv`).
    None,
    /// Until the deadline (`None`: forever).
    Until(Option<Moment>),
}

/// How a receive ended.
enum Received<T> {
    Message(T),
    /// Nothing came (a try, or the deadline passed).
    Empty,
    Disconnected,
}

impl<T> Channel<T> {
    fn new(name: Option<&str>, capacity: Option<usize>) -> Arc<Self> {
        Arc::new(Channel {
            guarded: Guarded::new(
                holds::object(Kind::Channel, name),
                State {
                    queue: VecDeque::new(),
                    sent: 0,
                    received: 0,
                    senders_gone: false,
                    receiver_gone: false,
                    receiver_waiting: false,
                },
            ),
            capacity,
            room: WaitQueue::default(),
            senders: AtomicUsize::new(1),
            handoff: std::sync::Mutex::new(None),
        })
    }

    /// Whether a message may be queued now; a `try_send` on a rendezvous needs a waiting
    /// receiver to hand it to.
    fn has_room(&self, state: &State<T>, trying: bool) -> bool {
        match self.capacity {
            None => true,
            Some(0) => state.queue.is_empty() && (!trying || state.receiver_waiting),
            Some(capacity) => state.queue.len() < capacity,
        }
    }

    /// Sends `message`, waiting for room unless `trying`.
    fn send(&self, message: T, trying: bool) -> Result<(), TrySendError<T>> {
        let holder = Holder::current();
        let info = &self.guarded.info;
        let mut woke = None;
        loop {
            let mut state = self.guarded.lock_after(&holder, OpKind::Write, woke);
            if state.receiver_gone {
                return Err(TrySendError::Disconnected(message));
            }
            if state.receiver_waiting {
                debug_assert!(
                    state.queue.is_empty(),
                    "{info}: a parked receiver with messages"
                );
                state.receiver_waiting = false;
                state.sent += 1;
                state.received += 1;
                self.hand_over(message);
                holder.record(|| Event::Sent {
                    object: Arc::clone(info),
                });
                drop(state);
                info.waiters.wake_all();
                return Ok(());
            }
            if self.has_room(&state, trying) {
                state.queue.push_back(message);
                state.sent += 1;
                let number = state.sent;
                holder.record(|| Event::Sent {
                    object: Arc::clone(info),
                });
                drop(state);
                info.waiters.wake_all();
                if self.capacity == Some(0) && !trying {
                    return self.await_taken(&holder, number);
                }
                return Ok(());
            }
            let capacity = self.capacity.unwrap_or_default();
            if trying {
                drop(state);
                ghost::try_failed(&holder, info, Mode::Send { capacity });
                return Err(TrySendError::Full(message));
            }
            woke = Some(park_on(
                &self.room,
                state,
                info,
                Mode::Send { capacity },
                None,
            ));
        }
    }

    /// A rendezvous sender waits until the receiver took message `number`; if the receiver
    /// goes first, the message (still queued: a rendezvous receiver drops nothing) comes back.
    fn await_taken(&self, holder: &Holder, number: u64) -> Result<(), TrySendError<T>> {
        let info = &self.guarded.info;
        let mut woke = None;
        loop {
            let mut state = self.guarded.lock_after(holder, OpKind::Write, woke);
            if state.received >= number {
                return Ok(());
            }
            if state.receiver_gone {
                let message = state
                    .queue
                    .pop_back()
                    .expect("the untaken message is queued");
                return Err(TrySendError::Disconnected(message));
            }
            woke = Some(park_on(
                &self.room,
                state,
                info,
                Mode::Send { capacity: 0 },
                None,
            ));
        }
    }

    fn hand_over(&self, message: T) {
        let previous = crate::backend::unpoison(self.handoff.lock()).replace(message);
        debug_assert!(previous.is_none(), "{}: two hand-overs", self.guarded.info);
    }

    /// The message a sender handed over while this receiver was parked, if any.
    fn take_handoff(&self, holder: &Holder) -> Option<T> {
        let message = crate::backend::unpoison(self.handoff.lock()).take()?;
        holder.record(|| Event::Received {
            object: Arc::clone(&self.guarded.info),
        });
        Some(message)
    }

    /// Receives a message, waiting as `patience` allows.
    fn receive(&self, patience: Patience) -> Received<T> {
        let holder = Holder::current();
        let info = &self.guarded.info;
        let mut woke = None;
        loop {
            let mut state = self.guarded.lock_after(&holder, OpKind::Write, woke);
            state.receiver_waiting = false;
            // Handed over while a timed-out wait was on its way back here.
            if let Some(message) = self.take_handoff(&holder) {
                return Received::Message(message);
            }
            if let Some(message) = state.queue.pop_front() {
                state.received += 1;
                holder.record(|| Event::Received {
                    object: Arc::clone(info),
                });
                drop(state);
                self.room.wake_all();
                return Received::Message(message);
            }
            if state.senders_gone {
                return Received::Disconnected;
            }
            let deadline = match patience {
                Patience::None => {
                    drop(state);
                    ghost::try_failed(&holder, info, Mode::Recv);
                    return Received::Empty;
                }
                Patience::Until(deadline) => deadline,
            };
            // A timed-out receive looks once more (above) so that a message handed over as
            // the deadline fired is taken, not left queued.
            if woke == Some(Woke::TimedOut)
                || deadline.is_some_and(|d| Instant::now().moment() >= d)
            {
                return Received::Empty;
            }
            state.receiver_waiting = true;
            woke = Some(park_on(&info.waiters, state, info, Mode::Recv, deadline));
            if let Some(message) = self.take_handoff(&holder) {
                return Received::Message(message);
            }
            // Woken by the last sender's drop, or timed out: look again with the state locked.
        }
    }

    /// A sender value went away; the last one disconnects (observed only while the receiver
    /// lives).
    fn drop_sender(&self) {
        if self.senders.fetch_sub(1, Ordering::Relaxed) != 1 {
            return;
        }
        holds::release_bookkeeping(|| {
            let mut state = self.guarded.lock_for_drop();
            state.senders_gone = true;
            let observed = !state.receiver_gone;
            drop(state);
            if observed {
                self.record_disconnect(true);
                self.guarded.info.waiters.wake_all();
            }
        });
    }

    /// The receiver went away: later sends fail, and queued messages are dropped (on a
    /// rendezvous, the waiting sender takes its message back).
    fn drop_receiver(&self) {
        holds::release_bookkeeping(|| {
            let mut state = self.guarded.lock_for_drop();
            state.receiver_gone = true;
            let observed = !state.senders_gone;
            let undelivered = match self.capacity {
                Some(0) => VecDeque::new(),
                _ => std::mem::take(&mut state.queue),
            };
            drop(state);
            if observed {
                self.record_disconnect(false);
                self.room.wake_all();
            }
            drop(undelivered);
        });
    }

    fn record_disconnect(&self, senders: bool) {
        if let Some(holder) = Holder::try_current() {
            holder.record(|| Event::Disconnected {
                object: Arc::clone(&self.guarded.info),
                senders,
            });
        }
    }
}

/// The sending half of an unbounded channel.
pub(crate) struct Sender<T>(Arc<Channel<T>>);

/// The sending half of a bounded (or rendezvous) channel.
pub(crate) struct SyncSender<T>(Arc<Channel<T>>);

/// The receiving half; like std's, it may move between threads but not be shared.
pub(crate) struct Receiver<T>(Arc<Channel<T>>, PhantomData<std::cell::Cell<()>>);

/// An unbounded channel named `name` (`Channel#N` if `None`).
pub(crate) fn channel<T>(name: Option<&str>) -> (Sender<T>, Receiver<T>) {
    let channel = Channel::new(name, None);
    (Sender(Arc::clone(&channel)), Receiver(channel, PhantomData))
}

/// A channel of `bound` messages (0: a rendezvous) named `name`.
pub(crate) fn sync_channel<T>(name: Option<&str>, bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let channel = Channel::new(name, Some(bound));
    (
        SyncSender(Arc::clone(&channel)),
        Receiver(channel, PhantomData),
    )
}

/// Receives, waiting at most `timeout` of virtual time.
pub(crate) fn recv_timeout<T>(
    receiver: &Receiver<T>,
    timeout: Duration,
) -> Result<T, RecvTimeoutError> {
    let deadline = deadline_after(timeout).map(Instant::moment);
    match receiver.0.receive(Patience::Until(deadline)) {
        Received::Message(message) => Ok(message),
        Received::Empty => Err(RecvTimeoutError::Timeout),
        Received::Disconnected => Err(RecvTimeoutError::Disconnected),
    }
}

impl<T> Sender<T> {
    pub(crate) fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.0.send(message, false).map_err(|error| match error {
            TrySendError::Disconnected(message) => SendError(message),
            TrySendError::Full(_) => unreachable!("an unbounded channel is never full"),
        })
    }
}

impl<T> SyncSender<T> {
    pub(crate) fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.0.send(message, false).map_err(|error| match error {
            TrySendError::Disconnected(message) => SendError(message),
            TrySendError::Full(_) => unreachable!("a blocking send waits for room"),
        })
    }

    pub(crate) fn try_send(&self, message: T) -> Result<(), TrySendError<T>> {
        self.0.send(message, true)
    }
}

impl<T> Receiver<T> {
    pub(crate) fn recv(&self) -> Result<T, RecvError> {
        match self.0.receive(Patience::Until(None)) {
            Received::Message(message) => Ok(message),
            Received::Empty => unreachable!("a receive without a deadline waits"),
            Received::Disconnected => Err(RecvError),
        }
    }

    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.0.receive(Patience::None) {
            Received::Message(message) => Ok(message),
            Received::Empty => Err(TryRecvError::Empty),
            Received::Disconnected => Err(TryRecvError::Disconnected),
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        Sender(Arc::clone(&self.0))
    }
}

impl<T> Clone for SyncSender<T> {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        SyncSender(Arc::clone(&self.0))
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.0.drop_sender();
    }
}

impl<T> Drop for SyncSender<T> {
    fn drop(&mut self) {
        self.0.drop_sender();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.0.drop_receiver();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sender of {}", self.0.guarded.info)
    }
}

impl<T> fmt::Debug for SyncSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SyncSender of {}", self.0.guarded.info)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Receiver of {}", self.0.guarded.info)
    }
}
