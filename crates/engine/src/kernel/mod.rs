//! The simulation kernel: per-execution ghost state under shuttle and loom.
//!
//! It holds the virtual clock and, for every thread, its name, the objects it holds and what it
//! waits for. None of it is a scheduling point: threads still block on the backend's own
//! primitives (a native `lock`, `join` or `park`), so the checker explores exactly the
//! interleavings of the real operations and nothing more. The kernel only decides two things
//! the backends cannot:
//!
//! * **Virtual time** (`clock`). When the thread about to block (or exit) is
//!   the last runnable one, it "settles": if some waiter has a deadline, the clock jumps to the
//!   earliest one and those waiters are woken as timed out; otherwise every thread is blocked
//!   for good and the execution fails with a deadlock report naming each thread, what it waits
//!   for and who holds it.
//! * **Whether a thread is livelocked** (`spin`): a thread that keeps retrying (yields,
//!   failed try-locks, atomic loads and exchanges that change nothing) while every other
//!   thread is blocked or retrying too, with no progress (a lock taken or released, a value
//!   changed, a thread spawned or finished, a wait ended, ...) for a bound of retries, fails
//!   the execution with a livelock report. "Retry" and "progress" are defined exactly in
//!   `spin`'s docs.
//! * **Whether a thread is blocked** (`deadlock`), derived from ghost state: a thread in a
//!   native acquire is blocked while another thread holds the object in a conflicting mode; a
//!   parked waiter while its ticket is not notified and its deadline has not fired; a joiner
//!   while its target lives. Ghost state is updated right next to the backend operation it
//!   mirrors, with no scheduling point in between, so it is exact whenever the last runnable
//!   thread looks at it. In the one window where it lags (a release whose backend half has not
//!   run yet), the releasing thread itself is runnable, so no thread can conclude that all are
//!   blocked.
//!
//! All model threads of an execution run on one OS thread (loom and shuttle both run them as
//! coroutines), so the kernel lives in an OS-thread-local slot that [`run_execution`] fills at
//! the start of every execution. Every facade operation reaches it through one accessor,
//! [`Caller`], looked up once per operation.
//!
//! Where to read, by job:
//!
//! | module | job |
//! |---|---|
//! | this file | the slot, [`Setup`], [`install`], [`Caller`] and the thread records |
//! | `identity` | which thread record the running task is (shuttle: a task table; loom: a loom thread-local) |
//! | `threads` | spawn, start and exit of threads, `is_finished`; object numbering |
//! | `locals` | each thread's thread-local values |
//! | `caller` | what one operation records: pending operation, trace event, held stack |
//! | `clock` | waits, deadlines, settling and the virtual clock |
//! | `deadlock` | "is this thread blocked", holders, the deadlock report |
//! | `hints` | liveness hints: timed waits that timed out while what they waited for was there |
//! | `polls` | async tasks: a poll's awaited futures, going idle on `Pending`, waking |
//! | `spin` | retries, progress epochs, the livelock report |
//! | `observe` | what model code marks (coverage, size knobs, faults) and what runners read back |
//! | `tasks` (shuttle) | per-task readings for schedulers and the shrinker |
//!
//! The submodules are this module's `impl` blocks split by job: they share its private
//! `State`, `Kernel` and thread records (and reach them through `super::`), and this file
//! re-exports their entry points. That cycle stays inside the kernel; nothing in the engine
//! outside it imports the kernel, and the kernel imports nothing above the engine.
//!
//! Invariants asserted where they hold: a thread waits on one thing at a time; a hold is taken
//! only while no other thread holds the object in a conflicting mode; a release matches a hold;
//! a parked wait's deadline fires once; the clock never runs backwards; a thread starts and
//! finishes once.

mod caller;
mod clock;
mod deadlock;
mod hints;
mod identity;
mod locals;
mod observe;
mod polls;
mod spin;
#[cfg(feature = "shuttle")]
mod tasks;
mod threads;

pub use clock::now;
pub use locals::{drop_thread_locals, LocalSlot};
pub use observe::{
    cover, draw_fault, draw_random, last_fault_seed, last_faults, last_live_threads,
    last_random_draws, last_sizes, last_trace, note_panic, record_failure, record_if_running,
    set_pending, size,
};
pub use polls::{register_task, task_woken, Awaited, AwaitsMark};
pub use spin::{spin_report, SpinOn, DEFAULT_LIVELOCK_BOUND};
#[cfg(feature = "shuttle")]
pub use tasks::{last_spawn_sites, pending_by_task, spawned_or_joined};
pub use threads::{
    current_thread, current_thread_name, next_object_seq, register_thread, thread_finished,
    thread_started, ThreadView,
};

use crate::backend::thread::{current, Thread};
use crate::fault_plan::FaultPlan;
use crate::held::Held;
use crate::liveness::{Hint, HintLog, Liveness};
use crate::lock_graph::SharedGraph;
use crate::object::{Mode, ObjectInfo};
use crate::op::PendingOp;
use crate::trace::{Event, Record};
use crate::wait::{ParkToken, Ticket};
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// What a blocked thread waits for.
pub enum WaitOn {
    /// Blocked natively in the backend's lock/read/write.
    Acquire {
        /// The object it acquires.
        object: Arc<ObjectInfo>,
        /// How it wants to hold it.
        mode: Mode,
    },
    /// Parked with a ticket in the object's wait queue.
    Ticket {
        /// Its ticket in the object's queue.
        ticket: Arc<Ticket>,
        /// The object it waits on.
        object: Arc<ObjectInfo>,
        /// What it waits for.
        mode: Mode,
    },
    /// Sleeping until its deadline.
    Sleep,
    /// Joining another thread.
    Join {
        /// The joined thread's index in the execution.
        thread: usize,
    },
    /// Parked on its own park token (`thread::park`, `park_timeout`).
    Park {
        /// The thread's park token.
        token: Arc<ParkToken>,
    },
    /// An async task (or a thread in `block_on`) whose last poll returned `Pending` without
    /// being woken: it is blocked until its waker is called or its earliest deadline fires
    /// (see `polls`).
    Poll {
        /// What the pending futures of its last poll await, in the order they registered.
        awaits: Vec<Awaited>,
        /// The waker of the task's top-level poll: called when its deadline fires.
        waker: std::task::Waker,
        /// The wakers of its futures that have deadlines, with them: those due are woken too
        /// (a combinator may poll only the futures whose own waker was called).
        timers: Vec<(Duration, std::task::Waker)>,
    },
}

struct Wait {
    on: WaitOn,
    deadline: Option<Duration>,
    fired: bool,
    /// Why its deadline firing looks like a lost wake-up, judged when it fired (every thread
    /// was blocked then, so the ghost state was exact).
    hint: Option<Hint>,
    /// Whether it was the only wait its deadline fired.
    fired_alone: bool,
}

impl Wait {
    fn new(on: WaitOn, deadline: Option<Duration>) -> Self {
        Wait {
            on,
            deadline,
            fired: false,
            hint: None,
            fired_alone: false,
        }
    }
}

/// A thread's last parked wait that timed out, kept for a hint the facade can only judge after
/// the wait returned (a `wait_timeout_while` condition).
struct LastTimeout {
    object: Arc<ObjectInfo>,
    /// Its `timed out` record in the trace, if traced.
    record: Option<usize>,
    /// The kernel's count of fired deadlines when it timed out.
    fires: u64,
    /// Whether it was the only wait its deadline fired.
    alone: bool,
}

struct ThreadRecord {
    name: String,
    /// Whether the name was given (`Builder::name`, or `main`) rather than made by spawn order.
    named: bool,
    /// Its park token (`thread::park`, `Thread::unpark`).
    park: Arc<ParkToken>,
    handle: Option<Thread>,
    finished: bool,
    /// Whether a `JoinHandle::is_finished` answered `true` for it (see
    /// [`Caller::is_finished`]).
    end_seen: bool,
    /// Its thread-local values (`thread_local!`).
    locals: locals::Locals,
    held: Vec<Held>,
    wait: Option<Wait>,
    last_timeout: Option<LastTimeout>,
    /// This thread's fault-draw stream, made at its first draw.
    faults: Option<rand_chacha::ChaCha8Rng>,
    /// This thread's `lockstep::random` stream, made at its first draw.
    random: Option<rand_chacha::ChaCha8Rng>,
    /// The operation it is about to perform (read by the POS scheduler under shuttle).
    pending: Option<PendingOp>,
    /// Where it was spawned (`None`: the execution's main thread); the shrinker groups threads
    /// by it (shuttle: loom failures are not shrunk).
    #[cfg_attr(loom, allow(dead_code))]
    site: Option<SpawnSite>,
    /// Its retries since the last progress (see `spin`).
    spin: spin::Spin,
    /// The kernel's change count at its last yield (see [`Caller::yields_again`]).
    last_yield: Option<u64>,
    /// What runs at its first facade operation made while it is not panicking (see
    /// [`Caller::after_unwinding`]), in the order deferred.
    after_unwinding: Vec<Box<dyn FnOnce()>>,
    /// The poll it is in, if it is an async task (or a thread in `block_on`) polling now.
    poll: Option<polls::Poll>,
    /// The async runtime it runs in (the facade's, opaque here), inherited by the tasks it
    /// spawns.
    runtime: Option<Rc<dyn std::any::Any>>,
}

/// The source location of a `spawn` call: threads spawned at one site (the workers of a loop)
/// are one group to the shrinker.
pub type SpawnSite = &'static std::panic::Location<'static>;

impl ThreadRecord {
    fn new(name: String, named: bool, site: Option<SpawnSite>) -> Self {
        ThreadRecord {
            name,
            named,
            park: Arc::default(),
            handle: None,
            finished: false,
            end_seen: false,
            locals: locals::Locals::default(),
            held: Vec::new(),
            wait: None,
            last_timeout: None,
            faults: None,
            random: None,
            pending: None,
            site,
            spin: spin::Spin::default(),
            last_yield: None,
            after_unwinding: Vec::new(),
            poll: None,
            runtime: None,
        }
    }
}

/// The first panic message of an execution, shared with the runner that started it.
pub type FailureSlot = Arc<std::sync::Mutex<Option<String>>>;

struct State {
    identity: identity::Identity,
    now: Duration,
    next_object: usize,
    threads: Vec<ThreadRecord>,
    trace: Vec<Record>,
    fault_seed: u64,
    /// The size knobs read so far, in first-read order, with the value each returned.
    sizes: Vec<(&'static str, usize)>,
    /// How many `lockstep::random` draws the execution made.
    random_draws: usize,
    /// How many times a deadline fired (the clock settled on a deadline).
    fires: u64,
    /// Where the rendered trace ends: at the failing thread's panic, so that what its
    /// unwinding released does not bury the failing request.
    failure_end: Option<usize>,
    /// How long the trace was when a thread last began to panic (see [`note_panic`]).
    last_panic_at: Option<usize>,
    /// The atomics accessed so far, by address: their numbers and last written values.
    atomics: std::collections::BTreeMap<usize, spin::AtomicGhost>,
}

/// One execution's kernel.
struct Kernel {
    state: RefCell<State>,
    setup: Setup,
    /// Whether a thread failed and asked the scheduler to stop the execution (see
    /// [`Setup::stop_on_failure`]).
    stop: std::cell::Cell<bool>,
    /// The progress epoch: bumped by every progress (see `spin`).
    epoch: std::cell::Cell<u64>,
    /// The changes so far: every progress but a lock taken or given back (see
    /// [`Caller::yields_again`]).
    changes: std::cell::Cell<u64>,
}

/// What an exploration shares with each of its executions' kernels.
#[derive(Clone)]
pub struct Setup {
    /// Where the first panic message of a failing execution goes.
    pub failure: FailureSlot,
    /// The exploration's lock-order graph (`None`: potential deadlocks are not checked).
    pub graph: Option<SharedGraph>,
    /// Whether acquisitions are checked against the lock hierarchy at all.
    pub hierarchy: bool,
    /// Whether executions record their trace.
    pub trace: bool,
    /// The coverage points reached so far in the exploration.
    pub coverage: Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
    /// The most threads (the main one included) any execution so far has registered: 1 means
    /// no execution spawned a thread, so there was nothing to interleave.
    pub max_threads: Arc<std::sync::atomic::AtomicUsize>,
    /// The fault plan, if faults are injected.
    pub faults: Option<Arc<FaultPlan>>,
    /// Where each execution's fault seed comes from.
    pub fault_seed: FaultSeed,
    /// Size knob overrides by name (see `lockstep::scenario::size`).
    pub sizes: Arc<Sizes>,
    /// Whether a thread's panic stops the execution through the scheduler (shuttle; see
    /// [`stop_requested`]) instead of unwinding into the backend. Only a runner whose scheduler
    /// answers [`stop_requested`] may set it: any other would let the execution go on.
    pub stop_on_failure: bool,
    /// Whether a liveness hint fails the execution (see [`crate::liveness`]).
    pub liveness: Liveness,
    /// The liveness hints of the exploration so far.
    pub hints: Arc<std::sync::Mutex<HintLog>>,
    /// After how many retries without progress a thread counts as spinning (`None`: livelocks
    /// are not detected; see the `spin` module of the kernel).
    pub livelock_bound: Option<usize>,
}

impl Default for Setup {
    /// Every check and the trace on, a lock-order graph of its own, no faults, no size
    /// overrides: what a test gets from `lockstep::execution`.
    fn default() -> Self {
        Setup {
            failure: FailureSlot::default(),
            graph: Some(SharedGraph::default()),
            hierarchy: true,
            trace: true,
            coverage: Arc::default(),
            max_threads: Arc::default(),
            faults: None,
            fault_seed: FaultSeed::Fixed(0),
            sizes: Arc::default(),
            stop_on_failure: false,
            liveness: Liveness::default(),
            hints: Arc::default(),
            livelock_bound: Some(DEFAULT_LIVELOCK_BOUND),
        }
    }
}

/// Size knob values by name, as overrides and in seed files.
pub type Sizes = std::collections::BTreeMap<String, usize>;

/// The fault seed of each execution.
#[derive(Clone, Debug)]
pub enum FaultSeed {
    /// Derived from this seed and the execution's number (a new plan draw per execution).
    PerExecution(u64),
    /// The same for every execution (loom's fixed plan; a replay).
    Fixed(u64),
    /// The same for every execution of one plan; the explorer moves to the next plan (DFS,
    /// once it has enumerated the schedules of this one). Plan 0 uses `seed` itself.
    PerPlan {
        /// The exploration's seed.
        seed: u64,
        /// The plan running now.
        plan: Arc<std::sync::atomic::AtomicUsize>,
    },
}

impl FaultSeed {
    /// The fault seed of execution number `execution` (1-based).
    pub fn for_execution(&self, execution: usize) -> u64 {
        use crate::fault_plan::execution_seed;
        match self {
            FaultSeed::PerExecution(seed) => execution_seed(*seed, execution),
            FaultSeed::Fixed(seed) => *seed,
            FaultSeed::PerPlan { seed, plan } => {
                match plan.load(std::sync::atomic::Ordering::SeqCst) {
                    0 => *seed,
                    plan => execution_seed(*seed, plan),
                }
            }
        }
    }
}

std::thread_local! {
    static KERNEL: RefCell<Option<Rc<Kernel>>> = const { RefCell::new(None) };
}

/// Installs a fresh kernel for execution number `execution` (1-based), starting on this OS
/// thread; the calling thread is registered as `main`.
pub fn install(setup: Setup, execution: usize) {
    // The previous execution's trace buffer is reused: growing a fresh one to a long trace's
    // length every execution costs more than recording it.
    let previous = KERNEL.with(|slot| slot.borrow_mut().take());
    let mut trace = previous
        .and_then(|kernel| Rc::try_unwrap(kernel).ok())
        .map(|kernel| kernel.state.into_inner().trace)
        .unwrap_or_default();
    trace.clear();
    let mut main = ThreadRecord::new("main".to_owned(), true, None);
    main.handle = Some(current());
    let kernel = Kernel {
        state: RefCell::new(State {
            identity: identity::Identity::main(),
            now: Duration::ZERO,
            next_object: 0,
            trace,
            fault_seed: setup.fault_seed.for_execution(execution),
            sizes: Vec::new(),
            random_draws: 0,
            fires: 0,
            failure_end: None,
            last_panic_at: None,
            atomics: std::collections::BTreeMap::new(),
            threads: vec![main],
        }),
        setup,
        stop: std::cell::Cell::new(false),
        epoch: std::cell::Cell::new(0),
        changes: std::cell::Cell::new(0),
    };
    KERNEL.with(|slot| *slot.borrow_mut() = Some(Rc::new(kernel)));
}

/// Runs one execution of `body` as execution number `execution`: installs its kernel, runs the
/// body as the `main` thread (a panic is recorded as the execution's failure, then unwinds on)
/// and ends the thread, which may leave the others deadlocked.
pub fn run_execution(setup: Setup, execution: usize, body: impl FnOnce()) {
    install(setup, execution);
    let _wakers = DropWakersAtEnd;
    // The thread's end is inside: ending it can settle the clock and report a deadlock.
    run_reporting_panics(|| {
        body();
        thread_finished();
    });
}

/// At the end of an execution (also when it unwinds), drops the wakers its pending tasks left
/// in the kernel's wait records. The kernel outlives its execution (the next one reuses its
/// trace buffer; the last one lives until its OS thread exits), and a loom waker dropped after
/// loom's model has ended panics in a thread-local destructor, which aborts the process: a
/// deadlock of a task awaiting forever under loom took the whole test binary down.
struct DropWakersAtEnd;

impl Drop for DropWakersAtEnd {
    fn drop(&mut self) {
        let Some(kernel) = try_kernel() else {
            return;
        };
        // Taken out under the borrow, dropped after it: dropping a loom waker is a loom
        // operation, at which another thread may run and use the kernel.
        let mut released = Vec::new();
        if let Ok(mut state) = kernel.state.try_borrow_mut() {
            for record in &mut state.threads {
                if matches!(
                    record.wait,
                    Some(Wait {
                        on: WaitOn::Poll { .. },
                        ..
                    })
                ) {
                    released.push((record.wait.take(), None));
                }
                released.push((None, record.poll.take()));
            }
        }
        drop(released);
    }
}

/// Runs `f`, recording its panic (if any) as the execution's failure before unwinding on.
///
/// With [`Setup::stop_on_failure`], the first failing thread of an execution asks the
/// scheduler to stop the execution instead (a scheduling point whose answer is "stop"), so the
/// execution ends without a task failure in the backend: shuttle prints a line to stderr for
/// every failed task, which no panic hook can silence and which a test harness's output
/// capture collects into the failing test's output. The runner reads the failure from
/// [`Setup::failure`]. Should the scheduler let the thread go on after all, it unwinds as
/// without the setting, so a failure is never lost.
pub fn run_reporting_panics<T>(f: impl FnOnce() -> T) -> T {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(payload) => {
            record_failure(crate::panic::message(&*payload));
            stop_after_failure();
            panic::resume_unwind(payload)
        }
    }
}

/// Asks the scheduler to stop the execution, if this is its first failure and the runner
/// stops on failures: sets the flag [`stop_requested`] reads, then yields to the scheduler.
fn stop_after_failure() {
    let first = try_kernel()
        .is_some_and(|kernel| kernel.setup.stop_on_failure && !kernel.stop.replace(true));
    // The kernel is let go first: the stack of a thread the execution stops at is never
    // resumed, and what it still holds is never dropped.
    if first {
        crate::backend::thread::yield_now();
    }
}

/// A spinning thread that other threads could overtake yields to them under shuttle, so that an
/// unfair strategy (PCT) lets them run (see `spin`). Under loom the kernel adds no scheduling
/// point: loom explores what raw loom would.
#[cfg(feature = "shuttle")]
fn yield_to_the_others() {
    crate::backend::thread::yield_now();
}

/// Under loom the kernel adds no scheduling point.
#[cfg(not(feature = "shuttle"))]
fn yield_to_the_others() {}

/// Whether a thread of the running execution failed and asked to stop it (read by the
/// scheduler of a runner with [`Setup::stop_on_failure`], which then schedules nothing more).
pub fn stop_requested() -> bool {
    try_kernel().is_some_and(|kernel| kernel.stop.get())
}

fn try_kernel() -> Option<Rc<Kernel>> {
    KERNEL.with(|slot| slot.borrow().clone())
}

fn kernel() -> Rc<Kernel> {
    try_kernel().unwrap_or_else(|| {
        panic!(
            "lockstep: a lockstep primitive was used outside a simulated execution; wrap the \
             test body in `lockstep::execution(..)` or run it with a `lockstep::explore` runner"
        )
    })
}

/// The calling simulated thread, looked up once for a whole facade operation.
///
/// Finding the running thread asks the backend which task runs (under shuttle a walk through
/// its execution state), which costs more than the bookkeeping it guards; an operation that
/// records its pending operation, waits, updates its held stack and appends to the trace looks
/// it up once here. The answer stays right across the operation's own scheduling point: the
/// thread that resumes is the thread that blocked.
pub struct Caller {
    kernel: Rc<Kernel>,
    index: usize,
}

impl Caller {
    /// The calling simulated thread (panics outside a running execution). Runs what the
    /// thread deferred [`after_unwinding`](Caller::after_unwinding) first, if it no longer
    /// panics.
    #[inline]
    pub fn current() -> Caller {
        let kernel = kernel();
        let index = kernel.state.borrow().me();
        let caller = Caller { kernel, index };
        caller.run_after_unwinding();
        caller
    }

    /// The thread's index in its execution (0 is the execution's first thread).
    ///
    /// ```
    /// use lockstep_engine::kernel::Caller;
    ///
    /// // Outside a simulated execution there is no calling thread, so no index.
    /// assert_eq!(Caller::try_current().map(|caller| caller.index()), None);
    /// ```
    #[inline]
    pub fn index(&self) -> usize {
        self.index
    }

    /// The calling simulated thread, or `None` once its execution is gone (a guard dropped
    /// during teardown) or if it is not a simulated thread.
    #[inline]
    pub fn try_current() -> Option<Caller> {
        let kernel = try_kernel()?;
        let index = kernel.state.borrow().try_me()?;
        let caller = Caller { kernel, index };
        caller.run_after_unwinding();
        Some(caller)
    }

    /// Defers `f` to this thread's first facade operation made while it is not panicking
    /// (at the latest its end, which is one): a release that cannot run during unwinding (a
    /// loom lock released by unwinding poisons loom's inner std lock) runs there instead.
    ///
    /// ```
    /// use lockstep_engine::kernel::Caller;
    ///
    /// // Only a thread of a running execution defers anything.
    /// assert!(Caller::try_current().is_none());
    /// ```
    pub fn after_unwinding(&self, f: impl FnOnce() + 'static) {
        self.kernel.state.borrow_mut().threads[self.index]
            .after_unwinding
            .push(Box::new(f));
    }

    /// Runs what this thread deferred [`after_unwinding`](Caller::after_unwinding), unless it
    /// is still panicking. The list is taken first: a deferred release makes facade calls.
    #[inline]
    fn run_after_unwinding(&self) {
        if self.kernel.state.borrow().threads[self.index]
            .after_unwinding
            .is_empty()
            || std::thread::panicking()
        {
            return;
        }
        let deferred =
            std::mem::take(&mut self.kernel.state.borrow_mut().threads[self.index].after_unwinding);
        for f in deferred {
            f();
        }
    }
}

impl State {
    fn push_record(&mut self, thread: usize, event: Event) {
        let time = self.now;
        self.trace.push(Record {
            thread,
            time,
            event,
        });
    }

    /// The running thread's index.
    fn me(&self) -> usize {
        self.try_me()
            .expect("lockstep: this thread was not spawned through lockstep::thread")
    }

    /// The running thread's index, if it is a simulated thread of this execution.
    fn try_me(&self) -> Option<usize> {
        self.identity.current(self.threads.len())
    }
}
