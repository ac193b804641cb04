//! Async tasks in the kernel: a task is a thread record, and a pending poll is its wait.
//!
//! Every async task (and every thread while it runs `block_on`) is polled by a wrapper that
//! tells the kernel where each poll begins and ends. During a poll, each lockstep future that
//! returns `Pending` says what it awaits ([`Caller::awaits`]); a future that is dropped simply
//! does not register again at the next poll, so a cancelled wait leaves no ghost behind. When
//! the poll returns `Pending` and the task was not woken meanwhile, the task goes idle: its
//! wait becomes [`WaitOn::Poll`] with the earliest deadline its futures registered, and it
//! settles like a thread about to park. The task's waker (wrapped by the facade so that it
//! calls [`task_woken`] first) clears the wait; a fired deadline calls that waker.
//!
//! The rule that keeps "every task is blocked" exact is the sync facade's: whoever makes a
//! task runnable (a release, a notification, a task's end) wakes its waker before it blocks
//! itself, with no scheduling point in between that could settle.

use super::{kernel, try_kernel, Caller, ThreadRecord, Wait, WaitOn};
use crate::object::{Mode, ObjectInfo};
use crate::trace::Event;
use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

/// One thing a pending future of a task's poll awaits, for the deadlock report.
#[derive(Clone)]
pub enum Awaited {
    /// A lockstep object: an async lock in `mode`, a `Notify`, a channel.
    Object {
        /// The object.
        object: Arc<ObjectInfo>,
        /// How it waits on it.
        mode: Mode,
    },
    /// A sleep (a `sleep`, or the deadline of a `timeout`) until this virtual time.
    Sleep {
        /// Its deadline.
        until: Duration,
    },
    /// Another task's end (awaiting its `JoinHandle`).
    Task {
        /// The task's index in the execution.
        thread: usize,
    },
}

/// A poll in progress.
#[derive(Default)]
pub(super) struct Poll {
    /// What its pending futures await so far.
    awaits: Vec<Awaited>,
    /// The earliest deadline any of them registered.
    deadline: Option<Duration>,
    /// The wakers of the futures that registered a deadline, with it.
    timers: Vec<(Duration, Waker)>,
    /// Whether the task's waker was called since the poll began (then `Pending` is a yield).
    woken: bool,
}

/// How far a poll's registrations had come at some moment: what a future registers after it
/// can be withdrawn ([`Caller::withdraw_awaits`]) when that future is dropped within the same
/// poll (cancelled at its await point), so the task does not go idle on a wait it left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwaitsMark {
    awaits: usize,
    timers: usize,
}

/// Registers an async task about to be spawned at the caller's location, named `task-N` by
/// its index (tasks and threads share one numbering); returns its index.
#[track_caller]
pub fn register_task() -> usize {
    let kernel = kernel();
    let index = {
        let mut state = kernel.state.borrow_mut();
        let index = state.threads.len();
        let mut record = ThreadRecord::new(
            format!("task-{index}"),
            false,
            Some(std::panic::Location::caller()),
        );
        record.runtime = state.threads[state.me()].runtime.clone();
        state.threads.push(record);
        index
    };
    kernel
        .setup
        .max_threads
        .fetch_max(index + 1, std::sync::atomic::Ordering::Relaxed);
    Caller::current().record(|| Event::Spawn { child: index });
    index
}

/// Task `index`'s waker was called: it is runnable (its idle wait, if any, is over). Outside a
/// running execution (a waker called during teardown) nothing happens.
pub fn task_woken(index: usize) {
    let Some(kernel) = try_kernel() else {
        return;
    };
    let mut state = kernel.state.borrow_mut();
    let Some(record) = state.threads.get_mut(index) else {
        return;
    };
    if let Some(poll) = record.poll.as_mut() {
        poll.woken = true;
    }
    if matches!(
        record.wait.as_ref().map(|w| &w.on),
        Some(WaitOn::Poll { .. })
    ) {
        record.wait = None;
        kernel.progress();
        if kernel.setup.trace {
            state.push_record(index, Event::Woke);
        }
    }
}

impl Caller {
    /// The async runtime this thread or task runs in, if any (set by `block_on`, inherited by
    /// the tasks it spawns).
    pub fn runtime(&self) -> Option<Rc<dyn Any>> {
        self.kernel.state.borrow().threads[self.index]
            .runtime
            .clone()
    }

    /// This thread runs in `runtime` from now on (`None`: in none).
    pub fn set_runtime(&self, runtime: Option<Rc<dyn Any>>) {
        self.kernel.state.borrow_mut().threads[self.index].runtime = runtime;
    }

    /// This task begins a poll: whatever it awaited before is forgotten (its futures register
    /// again if they are still pending).
    pub fn poll_begins(&self) {
        let mut state = self.kernel.state.borrow_mut();
        let record = &mut state.threads[self.index];
        debug_assert!(
            record.wait.is_none()
                || matches!(
                    record.wait.as_ref().map(|w| &w.on),
                    Some(WaitOn::Poll { .. })
                ),
            "lockstep: {} was polled while blocked in a sync wait",
            record.name
        );
        // A poll that runs while still idle (shuttle polls a task once more after its
        // deadline fired, before our waker ran) is a wake-up too.
        record.wait = None;
        record.poll = Some(Poll::default());
    }

    /// A future of this task's poll returns `Pending` awaiting `awaited`, until `deadline`
    /// (virtual time) at the latest if it has one, when `waker` (its context's) is woken.
    pub fn awaits(&self, awaited: Awaited, deadline: Option<(Duration, &Waker)>) {
        let mut state = self.kernel.state.borrow_mut();
        let record = &mut state.threads[self.index];
        let Some(poll) = record.poll.as_mut() else {
            // A lockstep future polled outside lockstep's executor: nothing to record.
            return;
        };
        poll.awaits.push(awaited);
        if let Some((deadline, waker)) = deadline {
            poll.deadline = Some(poll.deadline.map_or(deadline, |d| d.min(deadline)));
            poll.timers.push((deadline, waker.clone()));
        }
    }

    /// Where this task's poll's registrations stand now (`None` outside a poll: a lockstep
    /// future polled outside lockstep's executor).
    pub fn awaits_mark(&self) -> Option<AwaitsMark> {
        let state = self.kernel.state.borrow();
        let poll = state.threads[self.index].poll.as_ref()?;
        Some(AwaitsMark {
            awaits: poll.awaits.len(),
            timers: poll.timers.len(),
        })
    }

    /// Forgets what this task's poll registered since `mark`: the futures that registered it
    /// were dropped in this poll (cancelled), so they await nothing and their deadlines are
    /// not the task's.
    pub fn withdraw_awaits(&self, mark: AwaitsMark) {
        let mut state = self.kernel.state.borrow_mut();
        let Some(poll) = state.threads[self.index].poll.as_mut() else {
            return;
        };
        assert!(
            mark.awaits <= poll.awaits.len() && mark.timers <= poll.timers.len(),
            "lockstep: a poll's registrations were withdrawn past their mark \
             ({} awaits, {} timers registered; mark at {} and {})",
            poll.awaits.len(),
            poll.timers.len(),
            mark.awaits,
            mark.timers
        );
        poll.awaits.truncate(mark.awaits);
        poll.timers.truncate(mark.timers);
        poll.deadline = poll.timers.iter().map(|(deadline, _)| *deadline).min();
    }

    /// This task's poll returned `Pending`: unless it was woken during the poll, it is idle
    /// (blocked) until `waker` is called, and settles like a thread about to park.
    pub fn poll_pending(&self, waker: &Waker) {
        {
            let mut state = self.kernel.state.borrow_mut();
            let record = &mut state.threads[self.index];
            let poll = record
                .poll
                .take()
                .expect("lockstep: a poll ended that never began");
            if poll.woken {
                return;
            }
            if self.kernel.setup.trace {
                let event = match poll.awaits.first() {
                    Some(Awaited::Object { object, mode }) => Event::Blocked {
                        object: Arc::clone(object),
                        mode: *mode,
                    },
                    Some(Awaited::Sleep { until }) => Event::Sleep { until: *until },
                    _ => Event::Pending {
                        until: poll.deadline,
                    },
                };
                state.push_record(self.index, event);
            }
            let on = WaitOn::Poll {
                awaits: poll.awaits,
                waker: waker.clone(),
                timers: poll.timers,
            };
            state.threads[self.index].wait = Some(Wait::new(on, poll.deadline));
        }
        self.kernel.settle();
    }

    /// This task's poll returned `Ready`.
    pub fn poll_ready(&self) {
        let mut state = self.kernel.state.borrow_mut();
        let record = &mut state.threads[self.index];
        debug_assert!(
            record.poll.is_some(),
            "lockstep: a poll ended that never began"
        );
        record.poll = None;
    }
}
