//! Livelock detection: threads that retry while nothing changes.
//!
//! **Retries** are the operations a spin loop repeats: `yield_now`, a zero `sleep`, an
//! `is_finished` that answered `false`, a failed
//! `try_lock` / `try_read` / `try_write` / `try_acquire*` (a semaphore's), a `try_recv` on an
//! empty channel, a `try_send` on a full one, an atomic load, and an atomic
//! read-modify-write, compare-exchange or `fetch_update` that left the value as it was (a
//! failed exchange, a `swap(true)` on `true`), or a store of the value the atomic's last write
//! left (the kernel remembers it: reading it back would be a scheduling point).
//!
//! **Progress** is any change another thread could observe through a lockstep primitive: a
//! lock, permit or read lock acquired or released; a thread spawned, finished, joined or
//! unparked; a notification; a message sent or received; a barrier arrival; an initializer
//! finished; a wait that ended (woken or timed out); the virtual clock moving; an atomic store,
//! read-modify-write, exchange or update that changed the value (a store whose previous value
//! the kernel does not know, the first one to an atomic or one after `get_mut`, counts). Model events, fault
//! draws and `lockstep::random` draws are neither. Every progress starts a new *epoch*; a
//! thread's retries count within the current epoch only.
//!
//! A thread is **spinning** once it has retried `bound` times ([`Setup::livelock_bound`],
//! default [`DEFAULT_LIVELOCK_BOUND`]) in the current epoch. At each retry of a spinning
//! thread the kernel looks at the others:
//!
//! * every unfinished thread is blocked or spinning, and some wait has a deadline: spinning
//!   burns real time, so the clock jumps to the earliest deadline as if all were blocked
//!   (a thread spin-waiting for a sleeper's store does not spin forever);
//! * every unfinished thread is blocked or spinning, and no deadline is pending: nothing can
//!   ever change, and the execution fails with the livelock report, naming each spinning
//!   thread and what it retries, each blocked thread and what it waits for, and the finished
//!   ones;
//! * some thread is neither (it runs, or is runnable but was not scheduled): no livelock. A
//!   thread starved by an unfair strategy (PCT keeps running the highest-priority thread)
//!   is such a thread, so under shuttle the spinning thread yields once every `bound`
//!   retries, which lets PCT run the others as a real scheduler eventually would. Under
//!   loom the kernel never yields (no scheduling point loom would not have); loom's own
//!   branch bound (`LOOM_MAX_BRANCHES`, default 1000) stops a spin first, and lockstep
//!   reports it as a livelock too (see [`spin_report`]).

use super::{yield_to_the_others, Caller, Kernel, State, ThreadRecord};
use crate::access::{AtomicOp, AtomicValue};
use crate::object::{Mode, ObjectInfo};
use crate::trace::Event;
use std::fmt::{self, Write as _};
use std::sync::Arc;

/// Retries of one thread, in one epoch without progress, after which it counts as spinning.
pub const DEFAULT_LIVELOCK_BOUND: usize = 1000;

/// What a thread retried last.
#[derive(Clone)]
pub enum SpinOn {
    /// `thread::yield_now`.
    Yield,
    /// `thread::sleep` (or `time::sleep`) of zero.
    ZeroSleep,
    /// A failed `try_*` on `object` in `mode`.
    TryAcquire {
        /// The object tried.
        object: Arc<ObjectInfo>,
        /// How it was wanted.
        mode: Mode,
    },
    /// A `JoinHandle::is_finished` of `thread` that answered `false`.
    IsFinished {
        /// The thread asked about, by canonical name.
        thread: String,
    },
    /// An atomic access that changed nothing.
    Atomic {
        /// The atomic's number (first access order).
        atomic: usize,
        /// Its type name.
        kind: &'static str,
        /// The operation (`load`, `compare_exchange`, ...).
        op: &'static str,
    },
}

impl fmt::Display for SpinOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpinOn::Yield => f.write_str("yield_now"),
            SpinOn::ZeroSleep => f.write_str("sleep(0)"),
            SpinOn::TryAcquire { object, mode } => {
                let what = match mode {
                    Mode::Shared => "try_read",
                    Mode::Permits(_) => "try_acquire",
                    Mode::Recv => "try_recv",
                    Mode::Send { .. } => "try_send",
                    _ => "try_lock",
                };
                write!(f, "a failed {what} of {object}")
            }
            SpinOn::IsFinished { thread } => write!(f, "is_finished of {thread} (false)"),
            SpinOn::Atomic { atomic, kind, op } => write!(f, "{op} of {kind}#{atomic}"),
        }
    }
}

/// One thread's retries in the current epoch.
#[derive(Default)]
pub(super) struct Spin {
    epoch: u64,
    retries: usize,
    on: Option<SpinOn>,
}

/// What the kernel knows of one atomic.
pub(super) struct AtomicGhost {
    /// Its number in the trace (first-access order).
    number: usize,
    /// The value the last write through the facade left (`None`: not known yet, or changed in
    /// place since). The last write is the latest in the atomic's modification order, on
    /// shuttle and on loom alike, so a store of this value changes nothing any thread can see.
    latest: Option<AtomicValue>,
}

/// What the other threads allow when one thread spins.
enum Others {
    /// Some thread is neither blocked nor spinning: it can make progress.
    CanProgress,
    /// Every unfinished thread is blocked or spinning.
    Stuck,
}

impl Kernel {
    /// A new epoch: something changed that a spinning thread may be waiting for.
    #[inline]
    pub(super) fn progress(&self) {
        self.epoch.set(self.epoch.get() + 1);
        self.changes.set(self.changes.get() + 1);
    }

    /// A new epoch for a lock taken or given back: progress, but not a change to
    /// [`Caller::yields_again`] (a spin loop that locks, looks and unlocks each turn changes
    /// nothing by it).
    #[inline]
    pub(super) fn lock_progress(&self) {
        self.epoch.set(self.epoch.get() + 1);
    }
}

impl State {
    /// Whether thread `index` has retried `bound` times in `epoch`.
    fn spinning(&self, index: usize, epoch: u64, bound: usize) -> bool {
        let spin = &self.threads[index].spin;
        spin.epoch == epoch && spin.retries >= bound
    }

    fn others(&self, epoch: u64, bound: usize) -> Others {
        let stuck = (0..self.threads.len()).all(|t| {
            self.threads[t].finished || self.is_blocked(t) || self.spinning(t, epoch, bound)
        });
        if stuck {
            Others::Stuck
        } else {
            Others::CanProgress
        }
    }

    /// What the kernel knows of the atomic at `address` in this execution, numbered in
    /// first-access order (an address reused by a later atomic keeps the number, and the value
    /// last written there).
    pub(super) fn atomic_ghost(&mut self, address: usize) -> &mut AtomicGhost {
        let next = self.atomics.len() + 1;
        self.atomics.entry(address).or_insert(AtomicGhost {
            number: next,
            latest: None,
        })
    }

    /// What thread `thread` is doing, as the livelock report lists it.
    fn doing(&self, thread: &ThreadRecord, epoch: u64) -> String {
        if thread.finished {
            return "has finished".to_owned();
        }
        let spin = &thread.spin;
        match (&spin.on, spin.epoch == epoch) {
            (Some(on), true) if thread.wait.is_none() => format!(
                "spins: {} retries since the last progress, the last one {on}",
                spin.retries
            ),
            _ => self.waits_for(thread),
        }
    }

    /// The livelock report: every thread and what it does.
    fn livelock_report(&self, epoch: u64, bound: usize) -> String {
        let mut out = format!(
            "livelock: every thread is spinning or blocked, and none made progress in the last \
             {bound} retries of a spinning thread (virtual time {:?}; the bound is \
             `livelock_bound`, LOCKSTEP_LIVELOCK_BOUND)",
            self.now
        );
        self.list_threads(&mut out, epoch);
        out
    }

    fn list_threads(&self, out: &mut String, epoch: u64) {
        let width = self.threads.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for thread in &self.threads {
            let _ = write!(
                out,
                "\n  {:<width$}  {}",
                thread.name,
                self.doing(thread, epoch)
            );
        }
    }
}

impl Caller {
    /// This thread retried `on` without changing anything: counted, and checked for a
    /// livelock once the thread spins (see the module docs).
    pub fn retried(&self, on: SpinOn) {
        let Some(bound) = self.kernel.setup.livelock_bound else {
            return;
        };
        let epoch = self.kernel.epoch.get();
        let others = {
            let mut state = self.kernel.state.borrow_mut();
            let spin = &mut state.threads[self.index].spin;
            if spin.epoch != epoch {
                *spin = Spin {
                    epoch,
                    ..Spin::default()
                };
            }
            spin.retries += 1;
            spin.on = Some(on);
            if spin.retries < bound {
                return;
            }
            let fair_turn = spin.retries.is_multiple_of(bound);
            match state.others(epoch, bound) {
                Others::Stuck => Others::Stuck,
                Others::CanProgress if fair_turn => Others::CanProgress,
                Others::CanProgress => return,
            }
        };
        match others {
            Others::Stuck => {
                self.kernel
                    .jump_to_earliest_deadline_or(|state| state.livelock_report(epoch, bound));
            }
            Others::CanProgress => yield_to_the_others(),
        }
    }

    /// This thread yields (`yield_now`, a zero sleep): whether it yielded before with nothing
    /// changed since, by it or any other thread: no progress but locks taken and given back
    /// (a spin loop's second turn, or later, even one that locks and unlocks to look).
    ///
    /// Under loom the facade makes only such a yield loom's own, which runs another thread
    /// before the yielder: a first yield after a change is no scheduling point, so that loom
    /// may run the yielder on past it, as std may (see `ghost::yield_now` in the facade).
    pub fn yields_again(&self) -> bool {
        let changes = self.kernel.changes.get();
        let mut state = self.kernel.state.borrow_mut();
        state.threads[self.index].last_yield.replace(changes) == Some(changes)
    }

    /// This thread accessed the atomic at `address` (of type `kind`): traced, and counted as
    /// progress if it changed the value, else as a retry.
    pub fn atomic(&self, address: usize, kind: &'static str, op: AtomicOp) {
        let (atomic, changed) = {
            let mut state = self.kernel.state.borrow_mut();
            let ghost = state.atomic_ghost(address);
            let (atomic, changed) = (ghost.number, op.changed(ghost.latest));
            if let Some(written) = op.written() {
                ghost.latest = Some(written);
            }
            if self.kernel.setup.trace {
                state.push_record(self.index, Event::Atomic { atomic, kind, op });
            }
            (atomic, changed)
        };
        if changed {
            self.kernel.progress();
        } else {
            self.retried(SpinOn::Atomic {
                atomic,
                kind,
                op: op.word(),
            });
        }
    }
}

impl Caller {
    /// The atomic at `address` was changed in place (`get_mut`, `with_mut`): the kernel no
    /// longer knows the value last written to it.
    pub fn atomic_forgotten(&self, address: usize) {
        if let Some(ghost) = self.kernel.state.borrow_mut().atomics.get_mut(&address) {
            ghost.latest = None;
        }
    }
}

/// What the threads of the execution that ran last on this OS thread were doing, as the
/// livelock report lists them: for a backend's own bound on a spin (loom's branch bound,
/// shuttle's step bound), so that its report names the spinning threads too. `None` outside
/// an execution.
pub fn spin_report() -> Option<String> {
    let kernel = super::try_kernel()?;
    let state = kernel.state.borrow();
    let mut out = String::new();
    state.list_threads(&mut out, kernel.epoch.get());
    Some(out)
}
