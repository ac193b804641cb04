//! Simulated one-time initialization: `Once`, `OnceLock`, `LazyLock`, all on one
//! [`InitCell`] (the phase behind the backend mutex; threads that find the initializer running
//! park in the object's queue until it finishes or unwinds).

use super::{park_on, Guarded};
use crate::ghost::Holder;
use crate::sync::holds;
use lockstep_engine::object::{Kind, Mode};
use lockstep_engine::op::OpKind;
use lockstep_engine::trace::Event;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    New,
    Running,
    Done,
    /// A `Once` whose initializer panicked.
    Poisoned,
}

/// What a panicking initializer leaves behind.
#[derive(Clone, Copy)]
enum OnPanic {
    /// `Once`: poisoned, every later call panics.
    Poison,
    /// `OnceLock`: uninitialized, the next caller tries.
    Reset,
}

/// The phase of a one-time initialization.
struct InitCell {
    phase: Guarded<Phase>,
}

impl InitCell {
    fn new(kind: Kind, name: Option<&str>) -> Self {
        InitCell {
            phase: Guarded::new(holds::object(kind, name), Phase::New),
        }
    }

    /// Whether the initializer has finished (one scheduling point, as std's acquire load).
    fn is_done(&self) -> bool {
        *self.phase.lock(&Holder::current(), OpKind::Read) == Phase::Done
    }

    /// Blocks until the initialization completes (when it already has, one scheduling point,
    /// as std's acquire load). A poisoned cell panics, unless `force`: then the wait goes on
    /// until a forced run completes it. A parked waiter waits for the running initializer to
    /// finish, or, when nobody runs one, for the completion (as deadlock reports name it).
    fn wait(&self, force: bool) {
        let holder = Holder::current();
        let info = &self.phase.info;
        let mut woke = None;
        loop {
            let phase = self.phase.lock_after(&holder, OpKind::Read, woke);
            let mode = match *phase {
                Phase::Done => return,
                Phase::Poisoned if !force => {
                    // Unlocked first, as in `run_once`.
                    drop(phase);
                    panic!("Once instance has previously been poisoned")
                }
                Phase::Running => Mode::Init,
                Phase::New | Phase::Poisoned => Mode::Completion,
            };
            woke = Some(park_on(&info.waiters, phase, info, mode, None));
        }
    }

    /// Whether the initializer has finished, seen through an exclusive borrow: no other
    /// thread can be running it, so no scheduling point.
    fn is_done_mut(&mut self) -> bool {
        *self.phase.get_mut() == Phase::Done
    }

    /// Sets the phase through an exclusive borrow (no scheduling point): `Done` after an
    /// initialization the borrower ran itself, `New` after it took the value out.
    fn set_phase_mut(&mut self, phase: Phase) {
        *self.phase.get_mut() = phase;
    }

    /// Completes the initialization with `store` (which must not block: it runs with the phase
    /// locked, so the whole `set` is one scheduling point) unless it already ran; waits while
    /// another thread runs it. Returns whether `store` ran.
    fn complete_with(&self, store: impl FnOnce()) -> bool {
        let holder = Holder::current();
        let info = &self.phase.info;
        let mut woke = None;
        loop {
            let mut phase = self.phase.lock_after(&holder, OpKind::Write, woke);
            match *phase {
                Phase::Done => return false,
                Phase::Poisoned => unreachable!("only a `Once` is poisoned, and it never stores"),
                Phase::Running => {
                    woke = Some(park_on(&info.waiters, phase, info, Mode::Init, None));
                }
                Phase::New => {
                    store();
                    *phase = Phase::Done;
                    drop(phase);
                    holder.record(|| Event::Initialized {
                        object: Arc::clone(info),
                    });
                    info.waiters.wake_all();
                    return true;
                }
            }
        }
    }

    /// Runs `init` unless it already ran; waits while another thread runs it. A poisoned
    /// cell panics, unless `force`: then `init` runs on it, told that it was poisoned.
    fn run_once(&self, on_panic: OnPanic, force: bool, init: impl FnOnce(bool)) {
        let holder = Holder::current();
        let info = &self.phase.info;
        let mut poisoned = false;
        let mut woke = None;
        loop {
            let mut phase = self.phase.lock_after(&holder, OpKind::Write, woke);
            match *phase {
                Phase::Done => return,
                Phase::Poisoned if force => {
                    *phase = Phase::Running;
                    poisoned = true;
                    break;
                }
                Phase::Poisoned => {
                    // Unlocked first: under loom a backend guard dropped by the unwinding
                    // would poison loom's inner std lock, and every later use of this `Once`
                    // (`is_completed`, another `call_once`) would panic with a `PoisonError`.
                    drop(phase);
                    panic!("Once instance has previously been poisoned")
                }
                Phase::Running => {
                    woke = Some(park_on(&info.waiters, phase, info, Mode::Init, None));
                }
                Phase::New => {
                    *phase = Phase::Running;
                    break;
                }
            }
        }
        let mut finish = Finish {
            cell: self,
            on_panic,
            completed: false,
        };
        init(poisoned);
        finish.completed = true;
        drop(finish);
        holder.record(|| Event::Initialized {
            object: Arc::clone(info),
        });
    }
}

/// Ends a run of the initializer, also when it unwinds: the phase moves on and the threads
/// waiting for it wake.
struct Finish<'a> {
    cell: &'a InitCell,
    on_panic: OnPanic,
    completed: bool,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        let next = match (self.completed, self.on_panic) {
            (true, _) => Phase::Done,
            (false, OnPanic::Poison) => Phase::Poisoned,
            (false, OnPanic::Reset) => Phase::New,
        };
        let phase = &self.cell.phase;
        holds::release_bookkeeping(|| {
            *phase.lock_for_drop() = next;
            phase.info.waiters.wake_all();
        });
    }
}

/// A simulated `Once`.
pub(crate) struct Once(InitCell);

impl Once {
    pub(crate) fn new(name: Option<&str>) -> Self {
        Once(InitCell::new(Kind::Once, name))
    }

    pub(crate) fn call_once(&self, f: impl FnOnce()) {
        self.0.run_once(OnPanic::Poison, false, |_| f());
    }

    /// Runs `f` as `call_once` does, also on a poisoned `Once` (`f` is told whether it was).
    pub(crate) fn call_once_force(&self, f: impl FnOnce(bool)) {
        self.0.run_once(OnPanic::Poison, true, f);
    }

    pub(crate) fn is_completed(&self) -> bool {
        self.0.is_done()
    }

    /// Blocks until a run completes; panics if the `Once` is (or becomes) poisoned.
    pub(crate) fn wait(&self) {
        self.0.wait(false);
    }

    /// Blocks until a run completes, also across poisoning.
    pub(crate) fn wait_force(&self) {
        self.0.wait(true);
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.phase.info)
    }
}

/// A simulated `OnceLock`: the phase says whether the value may be read; the value itself sits
/// in a std `OnceLock` that only the one initializing thread ever writes (plain storage, not
/// a scheduling point).
pub(crate) struct OnceLock<T> {
    cell: InitCell,
    value: std::sync::OnceLock<T>,
}

/// A new empty `OnceLock` named `name`.
pub(crate) fn once_lock<T>(name: Option<&str>) -> OnceLock<T> {
    OnceLock::with_kind(Kind::OnceLock, name)
}

impl<T> OnceLock<T> {
    fn with_kind(kind: Kind, name: Option<&str>) -> Self {
        OnceLock {
            cell: InitCell::new(kind, name),
            value: std::sync::OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> Option<&T> {
        if self.cell.is_done() {
            self.value.get()
        } else {
            None
        }
    }

    pub(crate) fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        self.cell.run_once(OnPanic::Reset, false, |_| {
            assert!(
                self.value.set(f()).is_ok(),
                "{}: initialized twice",
                self.cell.phase.info
            );
        });
        self.value.get().expect("the initializer ran")
    }

    pub(crate) fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.cell.complete_with(|| {
            let value = value.take().expect("stored once");
            assert!(
                self.value.set(value).is_ok(),
                "{}: initialized twice",
                self.cell.phase.info
            );
        });
        match value {
            None => Ok(()),
            Some(value) => Err(value),
        }
    }

    /// Blocks until the cell is initialized (std's `wait`: a panicking initializer leaves
    /// the cell empty, and the wait goes on).
    pub(crate) fn wait(&self) -> &T {
        self.cell.wait(true);
        self.value.get().expect("the cell is initialized")
    }

    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        if self.cell.is_done_mut() {
            self.value.get_mut()
        } else {
            None
        }
    }

    /// Takes the value out, leaving the cell uninitialized: the next `set` or `get_or_init`
    /// initializes it again.
    pub(crate) fn take(&mut self) -> Option<T> {
        if self.cell.is_done_mut() {
            self.cell.set_phase_mut(Phase::New);
            self.value.take()
        } else {
            None
        }
    }

    /// Initializes the cell with `init`'s value through an exclusive borrow (no scheduling
    /// point: nobody else can be initializing it), recording the initialization.
    fn init_mut(&mut self, init: impl FnOnce() -> T) -> &mut T {
        let value = init();
        assert!(
            self.value.set(value).is_ok(),
            "{}: initialized twice",
            self.cell.phase.info
        );
        self.cell.set_phase_mut(Phase::Done);
        Holder::current().record(|| Event::Initialized {
            object: Arc::clone(&self.cell.phase.info),
        });
        self.value.get_mut().expect("just initialized")
    }

    pub(crate) fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Peeks without a scheduling point: formatting is not an operation to explore.
        match self.value.get() {
            Some(value) => write!(f, "{}({value:?})", self.cell.phase.info),
            None => write!(f, "{}(<uninit>)", self.cell.phase.info),
        }
    }
}

/// A simulated `LazyLock`: a `OnceLock` and the initializer it runs on first use.
pub(crate) struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    /// Taken by the one thread that runs it (a std mutex: never held across a scheduling
    /// point); `None` after a panicking run, which poisons the lock as std's does.
    init: std::sync::Mutex<Option<F>>,
}

/// A new `LazyLock` named `name` that runs `init` on first use.
pub(crate) fn lazy_lock<T, F: FnOnce() -> T>(name: Option<&str>, init: F) -> LazyLock<T, F> {
    LazyLock {
        cell: OnceLock::with_kind(Kind::LazyLock, name),
        init: std::sync::Mutex::new(Some(init)),
    }
}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    pub(crate) fn force(this: &Self) -> &T {
        this.cell.get_or_init(|| {
            let init = crate::backend::unpoison(this.init.lock()).take();
            match init {
                Some(init) => init(),
                None => panic!("LazyLock instance has previously been poisoned"),
            }
        })
    }

    /// Forces the value through an exclusive borrow: no other thread can be running the
    /// initializer, so no scheduling point.
    pub(crate) fn force_mut(this: &mut Self) -> &mut T {
        if this.cell.cell.is_done_mut() {
            return this.cell.value.get_mut().expect("the cell is initialized");
        }
        let init = crate::backend::unpoison(this.init.get_mut()).take();
        match init {
            Some(init) => this.cell.init_mut(init),
            None => panic!("LazyLock instance has previously been poisoned"),
        }
    }
}

impl<T, F> LazyLock<T, F> {
    /// The value, if initialized (one scheduling point, as std's acquire load); `None` also
    /// when a panicking initializer poisoned it.
    pub(crate) fn get(this: &Self) -> Option<&T> {
        this.cell.get()
    }

    /// The value, if initialized, through an exclusive borrow (no scheduling point).
    pub(crate) fn get_mut(this: &mut Self) -> Option<&mut T> {
        this.cell.get_mut()
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.cell, f)
    }
}
