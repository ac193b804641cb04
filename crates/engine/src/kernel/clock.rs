//! Waits, deadlines and the virtual clock.
//!
//! Time starts at zero in every execution and moves only in [`Kernel::settle`], which the
//! thread about to block (or exit) runs: if that leaves no thread runnable, the clock jumps to
//! the earliest pending deadline and the waiters whose deadline it is are woken as timed out;
//! with no deadline pending, every thread is blocked for good and the execution fails with the
//! deadlock report. Deadlines are virtual durations since the start of the execution.

use super::WaitOn;
use super::{kernel, Caller, Kernel, LastTimeout, State, Wait};
use crate::object::Mode;
use crate::op::{ObjectId, OpKind};
use crate::trace::Event;
use crate::wait::Woke;
use std::sync::Arc;
use std::time::Duration;

/// The virtual time of the running execution.
pub fn now() -> Duration {
    kernel().state.borrow().now
}

/// The kind of operation a thread blocking on `on` performs.
fn pending_of(on: &WaitOn) -> (OpKind, Option<ObjectId>) {
    let lock_kind = |mode: &Mode| match mode {
        Mode::Shared => OpKind::Read,
        Mode::Notify
        | Mode::Recv
        | Mode::Send { .. }
        | Mode::Arrive { .. }
        | Mode::Init
        | Mode::Completion => OpKind::Wait,
        _ => OpKind::Acquire,
    };
    match on {
        WaitOn::Acquire { object, mode } | WaitOn::Ticket { object, mode, .. } => (
            lock_kind(mode),
            Some(ObjectId::address(Arc::as_ptr(object))),
        ),
        WaitOn::Sleep => (OpKind::Sleep, None),
        WaitOn::Join { thread } => (OpKind::Join, Some(ObjectId::thread(*thread))),
        WaitOn::Park { token } => (OpKind::Park, Some(ObjectId::address(Arc::as_ptr(token)))),
        WaitOn::Poll { .. } => (OpKind::Wait, None),
    }
}

impl Caller {
    /// Marks this thread as about to block natively (lock, read, write, join; under loom also
    /// a try-lock, which loom blocks while the lock is held) and settles if that leaves no
    /// thread runnable. A `deadline` (virtual time) fires like any other: the thread is
    /// unparked, which loom treats as a wakeup of the blocked try-lock, so the try fails. Call
    /// [`end_native_wait`](Caller::end_native_wait) once the backend call returns.
    #[inline]
    pub fn begin_native_wait(&self, on: WaitOn, deadline: Option<Duration>) {
        let (kind, object) = pending_of(&on);
        self.set_pending(kind, object);
        let index = self.index;
        let blocked = {
            let mut state = self.kernel.state.borrow_mut();
            debug_assert!(
                state.threads[index].wait.is_none(),
                "lockstep: {} began a wait while already waiting",
                state.threads[index].name
            );
            state.threads[index].wait = Some(Wait::new(on, deadline));
            let blocked = state.is_blocked(index);
            if blocked && self.kernel.setup.trace {
                if let Some(Wait {
                    on: WaitOn::Acquire { object, mode },
                    ..
                }) = &state.threads[index].wait
                {
                    let event = Event::Blocked {
                        object: Arc::clone(object),
                        mode: *mode,
                    };
                    state.push_record(index, event);
                }
            }
            blocked
        };
        if blocked {
            self.kernel.settle();
        }
    }

    /// The native wait begun by [`begin_native_wait`](Caller::begin_native_wait) is over;
    /// returns whether its deadline fired.
    #[inline]
    pub fn end_native_wait(&self) -> bool {
        let mut state = self.kernel.state.borrow_mut();
        let wait = state.threads[self.index].wait.take();
        debug_assert!(
            wait.is_some(),
            "lockstep: {} ended a native wait it never began",
            state.threads[self.index].name
        );
        wait.is_some_and(|w| w.fired)
    }

    /// Parks this thread until its wait is satisfied or its deadline (virtual time) fires.
    pub fn wait(&self, on: WaitOn, deadline: Option<Duration>) -> Woke {
        let (kind, object) = pending_of(&on);
        self.set_pending(kind, object);
        let (kernel, index) = (&self.kernel, self.index);
        {
            let mut state = kernel.state.borrow_mut();
            debug_assert!(
                state.threads[index].wait.is_none(),
                "lockstep: {} began a wait while already waiting",
                state.threads[index].name
            );
            if kernel.setup.trace {
                let event = match &on {
                    WaitOn::Ticket { object, mode, .. } => Event::Blocked {
                        object: Arc::clone(object),
                        mode: *mode,
                    },
                    WaitOn::Park { .. } => Event::Park { until: deadline },
                    _ => Event::Sleep {
                        until: deadline.unwrap_or_default(),
                    },
                };
                state.push_record(index, event);
            }
            state.threads[index].wait = Some(Wait::new(on, deadline));
        }
        kernel.settle();
        loop {
            match self.woken() {
                Some((woke, None)) => return woke,
                Some((_, Some(failure))) => panic!("{failure}"),
                None => crate::backend::thread::park(),
            }
        }
    }

    /// How this thread's parked wait ended, if it has (then the wait record is gone and the
    /// wakeup traced), with the report of its liveness hint if that fails the execution;
    /// `None` while it must park on.
    fn woken(&self) -> Option<(Woke, Option<String>)> {
        let mut state = self.kernel.state.borrow_mut();
        let wait = state.threads[self.index]
            .wait
            .as_ref()
            .expect("lockstep: a parked thread lost its wait record");
        // An unpark that came by the deadline is consumed, as std's `park_timeout` does.
        let outcome = if matches!(&wait.on, WaitOn::Park { token } if token.take()) {
            Woke::Notified
        } else if wait.fired {
            Woke::TimedOut
        } else if matches!(&wait.on, WaitOn::Ticket { ticket, .. } if ticket.claim()) {
            Woke::Notified
        } else {
            return None;
        };
        let wait = state.threads[self.index].wait.take()?;
        self.kernel.progress();
        let record = self.kernel.setup.trace.then_some(state.trace.len());
        let mut failure = None;
        match (wait.on, outcome) {
            (WaitOn::Ticket { object, mode, .. }, Woke::TimedOut) => {
                if let Some(hint) = wait.hint {
                    failure = self
                        .kernel
                        .log_hint(&state, self.index, &object.to_string(), hint);
                }
                state.threads[self.index].last_timeout = Some(LastTimeout {
                    object: Arc::clone(&object),
                    record,
                    fires: state.fires,
                    alone: wait.fired_alone,
                });
                if record.is_some() {
                    let hint = wait.hint;
                    state.push_record(self.index, Event::TimedOut { object, mode, hint });
                }
            }
            (WaitOn::Park { .. }, Woke::TimedOut) => {
                if let Some(hint) = wait.hint {
                    failure = self.kernel.log_hint(&state, self.index, "its unpark", hint);
                }
                if record.is_some() {
                    let hint = wait.hint;
                    state.push_record(self.index, Event::ParkTimedOut { hint });
                }
            }
            _ if record.is_some() => state.push_record(self.index, Event::Woke),
            _ => {}
        }
        Some((outcome, failure))
    }
}

impl Kernel {
    /// If no thread is runnable: fire the earliest deadline, or fail with a deadlock report.
    pub(super) fn settle(&self) {
        if !self.state.borrow().all_blocked() {
            return;
        }
        self.jump_to_earliest_deadline_or(State::deadlock_report);
    }

    /// With no thread able to make progress: the clock jumps to the earliest pending deadline
    /// and wakes its waiters (progress); with no deadline pending, the execution fails with
    /// `report` (a deadlock's, or a livelock's).
    pub(super) fn jump_to_earliest_deadline_or(&self, report: impl FnOnce(&State) -> String) {
        let to_wake = {
            let mut state = self.state.borrow_mut();
            let earliest = state
                .threads
                .iter()
                .filter(|t| !t.finished)
                .filter_map(|t| t.wait.as_ref().and_then(|w| w.deadline))
                .min();
            let Some(deadline) = earliest else {
                let report = report(&state);
                drop(state);
                panic!("{report}");
            };
            let index = state.me();
            self.progress();
            if deadline > state.now {
                state.now = deadline;
                if self.setup.trace {
                    state.push_record(index, Event::Clock { to: deadline });
                }
            }
            debug_assert!(state.now >= deadline, "lockstep: the clock ran backwards");
            state.fires += 1;
            let hints = state.timeout_hints(deadline);
            let alone = hints.len() == 1;
            let mut to_wake = Vec::new();
            let mut to_wake_tasks = Vec::new();
            for (t, thread) in state.threads.iter_mut().enumerate() {
                if let Some(wait) = thread.wait.as_mut() {
                    if wait.deadline == Some(deadline) && !thread.finished {
                        wait.hint = hints.iter().find(|(h, _)| *h == t).and_then(|(_, h)| *h);
                        wait.fired_alone = alone;
                        // A native acquire stays blocked after its deadline fired (the backend
                        // call is still pending) and may be fired again; a parked wait is
                        // runnable once fired, so it cannot be chosen a second time.
                        debug_assert!(
                            !wait.fired || matches!(wait.on, WaitOn::Acquire { .. }),
                            "lockstep: the deadline of {}'s parked wait fired twice",
                            thread.name
                        );
                        wait.fired = true;
                        // A task is woken through its waker, even the calling one: it is
                        // inside its poll, about to return `Pending`, and must be polled again.
                        if let WaitOn::Poll { waker, timers, .. } = &wait.on {
                            to_wake_tasks.push(waker.clone());
                            to_wake_tasks.extend(
                                timers
                                    .iter()
                                    .filter(|(at, _)| *at <= deadline)
                                    .map(|(_, waker)| waker.clone()),
                            );
                        } else if t != index {
                            to_wake.extend(thread.handle.clone());
                        }
                    }
                }
            }
            (to_wake, to_wake_tasks)
        };
        let (to_wake, to_wake_tasks) = to_wake;
        for thread in to_wake {
            thread.unpark();
        }
        for task in to_wake_tasks {
            task.wake();
        }
    }
}
