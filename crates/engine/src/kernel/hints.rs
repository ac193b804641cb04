//! Liveness hints (see [`crate::liveness`]): judged when a deadline fires, logged when the
//! waiter wakes timed out, and the one hint only the facade can judge (a condition that held).

use super::{Caller, Kernel, LastTimeout, State, WaitOn};
use crate::liveness::{Hint, Liveness};
use crate::object::{Mode, ObjectInfo};
use crate::trace::Event;
use std::sync::Arc;
use std::time::Duration;

impl State {
    /// Every live thread whose wait has deadline `deadline`, with the hint its timeout earns.
    /// Called as the deadline fires, when every thread is blocked: what is free now was free
    /// all along the waiter's last stretch of waiting.
    pub(super) fn timeout_hints(&self, deadline: Duration) -> Vec<(usize, Option<Hint>)> {
        let mut fired = Vec::new();
        for (t, thread) in self.threads.iter().enumerate() {
            let Some(wait) = thread.wait.as_ref().filter(|_| !thread.finished) else {
                continue;
            };
            if wait.deadline != Some(deadline) {
                continue;
            }
            let hint = match &wait.on {
                WaitOn::Ticket {
                    object,
                    mode: mode @ (Mode::Exclusive | Mode::Shared),
                    ..
                } if !self.is_held_excluding(object, *mode)
                    && (*mode == Mode::Exclusive || self.waiting_writers(object, t).is_empty()) =>
                {
                    Some(Hint::ObjectFree)
                }
                WaitOn::Ticket {
                    ticket,
                    mode: Mode::Notify,
                    ..
                } if ticket.lost_an_offer() => Some(Hint::NotifiedAnother),
                WaitOn::Park { token } if token.take_absorbed() => Some(Hint::UnparkAbsorbed),
                _ => None,
            };
            fired.push((t, hint));
        }
        fired
    }
}

impl Kernel {
    /// Counts `thread`'s `hint` on `object` (what it waited for, as the report names it) in
    /// the exploration's log; returns its report if the liveness rule makes it a failure.
    pub(super) fn log_hint(
        &self,
        state: &State,
        thread: usize,
        object: &str,
        hint: Hint,
    ) -> Option<String> {
        let report = hint.report(&state.threads[thread].name, object, state.now);
        let strict = self.setup.liveness == Liveness::Strict;
        let failure = strict.then(|| report.clone());
        self.setup
            .hints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .add(report);
        failure
    }
}

impl Caller {
    /// This thread's last parked wait timed out and the condition it waited for (a
    /// `Condvar::wait_timeout_while` predicate) turned out satisfied. If its deadline fired for
    /// it alone and no deadline fired since, no other thread has run in between, so the
    /// condition already held when it timed out: its timeout is marked
    /// [`Hint::ConditionHeld`] (panicking with the report under the strict rule). Otherwise
    /// another thread may have made it true after the timeout, and nothing is marked.
    pub fn condition_held_after_timeout(&self) {
        self.mark_last_timeout(Hint::ConditionHeld, |last, state| {
            last.alone && last.fires == state.fires
        });
    }

    /// This thread's last parked wait, an unfair semaphore's timed acquire, timed out after a
    /// release woke it and another thread took the permits first: its timeout is marked
    /// [`Hint::PermitsTakenByAnother`] (panicking with the report under the strict rule).
    pub fn permits_taken_before_timeout(&self) {
        self.mark_last_timeout(Hint::PermitsTakenByAnother, |_, _| true);
    }

    /// Marks this thread's last timed-out parked wait with `hint`, if `applies` to it.
    fn mark_last_timeout(&self, hint: Hint, applies: impl FnOnce(&LastTimeout, &State) -> bool) {
        let failure = {
            let mut state = self.kernel.state.borrow_mut();
            let Some(last) = state.threads[self.index].last_timeout.take() else {
                return;
            };
            if !applies(&last, &state) {
                return;
            }
            if let Some(record) = last.record {
                if let Some(Event::TimedOut { hint: marked, .. }) =
                    state.trace.get_mut(record).map(|r| &mut r.event)
                {
                    *marked = Some(hint);
                }
            }
            let object: Arc<ObjectInfo> = last.object;
            self.kernel
                .log_hint(&state, self.index, &object.to_string(), hint)
        };
        if let Some(report) = failure {
            panic!("{report}");
        }
    }
}
