//! Whether a thread is blocked, who holds what, and the deadlock report: all derived from the
//! ghost state (held stacks and wait records), never from the backend.

use super::State;
use super::{Awaited, WaitOn};
use crate::object::{Kind, Mode, ObjectInfo};
use std::fmt::Write as _;
use std::sync::Arc;

impl State {
    pub(super) fn is_blocked(&self, index: usize) -> bool {
        let thread = &self.threads[index];
        if thread.finished {
            return false;
        }
        let Some(wait) = &thread.wait else {
            return false;
        };
        match &wait.on {
            // A native acquire stays blocked while the object is held, even once its deadline
            // has fired: the backend call (loom's blocking try-lock, see `try_native`) is still
            // pending, and the fired deadline is fired again (unparking it) if everything else
            // blocks. The thread's own holds count too: re-locking a held mutex never returns.
            WaitOn::Acquire { object, mode } => self.is_held_excluding(object, *mode),
            _ if wait.fired => false,
            WaitOn::Ticket { ticket, .. } => !ticket.can_wake(),
            WaitOn::Sleep => true,
            WaitOn::Join { thread } => !self.threads[*thread].finished,
            WaitOn::Park { token } => !token.is_available(),
            // Its waker clears the wait; until then nothing it awaits can make it runnable.
            WaitOn::Poll { .. } => true,
        }
    }

    /// Whether any thread holds `object` in a mode that excludes `wanted`.
    pub(super) fn is_held_excluding(&self, object: &Arc<ObjectInfo>, wanted: Mode) -> bool {
        self.threads.iter().any(|t| {
            t.held
                .iter()
                .any(|h| Arc::ptr_eq(&h.object, object) && h.mode.excludes(wanted))
        })
    }

    /// The threads other than `except` waiting to write RwLock `object` (blocked in `write`, or
    /// parked in `write_timeout` with its deadline not fired), by index: under a writer-preferring
    /// policy, what a read of it waits behind when no thread holds it for writing.
    pub(super) fn waiting_writers(&self, object: &Arc<ObjectInfo>, except: usize) -> Vec<usize> {
        (0..self.threads.len())
            .filter(|&t| t != except && !self.threads[t].finished)
            .filter(|&t| {
                self.threads[t]
                    .wait
                    .as_ref()
                    .is_some_and(|wait| match &wait.on {
                        WaitOn::Acquire {
                            object: o,
                            mode: Mode::Exclusive,
                        } => Arc::ptr_eq(o, object) && wait.deadline.is_none(),
                        WaitOn::Ticket {
                            object: o,
                            mode: Mode::Exclusive,
                            ..
                        } => Arc::ptr_eq(o, object) && !wait.fired,
                        _ => false,
                    })
            })
            .collect()
    }

    /// Why a read of RwLock `object` by thread `reader` waits while nobody holds it for
    /// writing: the writers queued before it (` behind thread-1, which waits to write-lock
    /// it`), or nothing if none do (or it is held for writing, which says why already).
    fn behind_writers(&self, object: &Arc<ObjectInfo>, reader: usize) -> String {
        if object.kind() != Kind::RwLock || self.is_held_excluding(object, Mode::Shared) {
            return String::new();
        }
        let writers: Vec<&str> = self
            .waiting_writers(object, reader)
            .into_iter()
            .map(|t| self.threads[t].name.as_str())
            .collect();
        match writers.as_slice() {
            [] => String::new(),
            [one] => format!(
                ", behind {one}, which waits to write-lock it (a writer-preferring RwLock: \
                 reads wait while a writer waits)"
            ),
            many => format!(
                ", behind {}, which wait to write-lock it (a writer-preferring RwLock: reads \
                 wait while a writer waits)",
                many.join(", ")
            ),
        }
    }

    /// Every thread holding any part of `object`, with how many holds (or permits) it has and
    /// how it holds an RwLock (read or write).
    fn all_holders(&self, object: &Arc<ObjectInfo>) -> Vec<String> {
        let mut names = Vec::new();
        for thread in &self.threads {
            let holds: Vec<Mode> = thread
                .held
                .iter()
                .filter(|h| Arc::ptr_eq(&h.object, object))
                .map(|h| h.mode)
                .collect();
            let how = match holds.first() {
                Some(mode) if object.kind() == Kind::RwLock => {
                    if *mode == Mode::Shared {
                        " for reading"
                    } else {
                        " for writing"
                    }
                }
                _ => "",
            };
            let count: usize = holds
                .iter()
                .map(|mode| match mode {
                    Mode::Permits(n) => *n,
                    _ => 1,
                })
                .sum();
            match count {
                0 => {}
                1 => names.push(format!("{}{how}", thread.name)),
                n => names.push(format!("{}{how} (x{n})", thread.name)),
            }
        }
        names
    }

    /// What a semaphore waiter waits for: `3 permits of Semaphore "pool" (1 of 4 free)`. Free
    /// permits are the semaphore's total less the ones in held stacks.
    fn permit_wait(&self, object: &Arc<ObjectInfo>, wanted: usize) -> String {
        let permits = match wanted {
            1 => "a permit".to_owned(),
            n => format!("{n} permits"),
        };
        let Some(total) = object.permits() else {
            return format!("{permits} of {object}");
        };
        let held: usize = self
            .threads
            .iter()
            .flat_map(|t| &t.held)
            .filter(|h| Arc::ptr_eq(&h.object, object))
            .map(|h| match h.mode {
                Mode::Permits(n) => n,
                _ => 0,
            })
            .sum();
        debug_assert!(
            held <= total,
            "lockstep: {object} has {held} permits held of {total}"
        );
        let free = total.saturating_sub(held);
        format!("{permits} of {object} ({free} of {total} free)")
    }

    /// How many threads wait at barrier `object` (in a deadlock, the arrivals of its current
    /// generation: an opened generation's waiters are notified, so not blocked).
    fn arrived_at(&self, object: &Arc<ObjectInfo>) -> usize {
        self.threads
            .iter()
            .filter(|t| !t.finished)
            .filter(|t| {
                matches!(
                    t.wait.as_ref().map(|w| &w.on),
                    Some(WaitOn::Ticket { object: o, mode: Mode::Arrive { .. }, ticket })
                        if Arc::ptr_eq(o, object) && !ticket.is_notified()
                )
            })
            .count()
    }

    /// Whether some thread is live and every live thread is blocked.
    pub(super) fn all_blocked(&self) -> bool {
        self.threads.iter().any(|t| !t.finished)
            && (0..self.threads.len()).all(|t| self.threads[t].finished || self.is_blocked(t))
    }

    pub(super) fn deadlock_report(&self) -> String {
        let mut out = format!(
            "deadlock: every thread is blocked and no timeout is pending (virtual time {:?})",
            self.now
        );
        out.push_str(&self.live_threads());
        out
    }

    /// One line per live thread: its name and what it waits for (or that it does not wait).
    pub(super) fn live_threads(&self) -> String {
        let mut out = String::new();
        let width = self.threads.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for thread in self.threads.iter().filter(|t| !t.finished) {
            let what = self.waits_for(thread);
            let _ = write!(out, "\n  {:<width$}  {what}", thread.name);
        }
        out
    }

    /// What `thread` waits for, as the deadlock and livelock reports say it.
    pub(super) fn waits_for(&self, thread: &super::ThreadRecord) -> String {
        match thread.wait.as_ref().map(|w| &w.on) {
            Some(WaitOn::Acquire { object, mode }) | Some(WaitOn::Ticket { object, mode, .. }) => {
                format!("waits {}", self.object_wait(thread, object, *mode))
            }
            Some(WaitOn::Join { thread }) => {
                format!("waits to join {}", self.threads[*thread].name)
            }
            Some(WaitOn::Park { .. }) => "waits in park (no unpark is coming)".to_owned(),
            Some(WaitOn::Poll { awaits, .. }) => self.awaits_for(thread, awaits),
            Some(WaitOn::Sleep) | None => "is not blocked".to_owned(),
        }
    }

    /// What a pending task awaits: each future its last poll left pending, `or` between them.
    fn awaits_for(&self, thread: &super::ThreadRecord, awaits: &[Awaited]) -> String {
        if awaits.is_empty() {
            return "awaits a future lockstep does not know (no lockstep object will wake it)"
                .to_owned();
        }
        let each: Vec<String> = awaits
            .iter()
            .map(|awaited| match awaited {
                Awaited::Object { object, mode } => self.object_wait(thread, object, *mode),
                Awaited::Sleep { until } => format!("a sleep until {until:?}"),
                Awaited::Task { thread } => format!("{} to finish", self.threads[*thread].name),
            })
            .collect();
        format!("awaits {}", each.join(" or "))
    }

    /// What `thread`, a waiter on `object` in `mode`, waits for, after "waits " or "awaits ":
    /// `to lock Mutex "m", held by thread-1`.
    fn object_wait(
        &self,
        thread: &super::ThreadRecord,
        object: &Arc<ObjectInfo>,
        mode: Mode,
    ) -> String {
        let holders = self.all_holders(object);
        let held_by = if holders.is_empty() {
            String::new()
        } else {
            format!(", held by {}", holders.join(", "))
        };
        match mode {
            Mode::Exclusive if object.kind() == Kind::RwLock => {
                format!("to write-lock {object}{held_by}")
            }
            Mode::Exclusive => format!("to lock {object}{held_by}"),
            Mode::Shared => {
                let reader = self.threads.iter().position(|t| std::ptr::eq(t, thread));
                let reader = reader.expect("lockstep: a thread of this execution");
                let again = thread
                    .held
                    .iter()
                    .any(|h| Arc::ptr_eq(&h.object, object) && h.mode == Mode::Shared);
                let again = if again { " again" } else { "" };
                let behind = self.behind_writers(object, reader);
                format!("to read-lock {object}{again}{held_by}{behind}")
            }
            Mode::Permits(wanted) => {
                format!("for {}{held_by}", self.permit_wait(object, wanted))
            }
            Mode::Notify => format!("for a notification on {object}"),
            Mode::Recv => format!("to recv on {object}"),
            Mode::Send { capacity: 0 } => {
                format!("to send on {object} (a rendezvous: for the receiver to take its message)")
            }
            Mode::Send { capacity } => {
                format!("to send on {object} (full: {capacity} of {capacity})")
            }
            Mode::Arrive { parties } => format!(
                "at {object} ({} of {parties} arrived)",
                self.arrived_at(object)
            ),
            Mode::Init => format!("for {object}'s initializer to finish"),
            Mode::Completion if object.kind() == Kind::Once => format!("for {object} to complete"),
            Mode::Completion => format!("for {object} to be initialized"),
        }
    }
}
