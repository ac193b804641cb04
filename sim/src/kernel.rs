//! The simulation kernel: per-execution ghost state under shuttle and loom.
//!
//! It holds the virtual clock and, for every thread, its name, the objects it holds and what it
//! waits for. None of it is a scheduling point: threads still block on the backend's own
//! primitives (a native `lock`, `join` or `park`), so the checker explores exactly the
//! interleavings of the real operations and nothing more. The kernel only decides two things
//! the backends cannot:
//!
//! * **Virtual time.** When the thread about to block (or exit) is the last runnable one, it
//!   "settles": if some waiter has a deadline, the clock jumps to the earliest one and those
//!   waiters are woken as timed out; otherwise every thread is blocked for good and the
//!   execution fails with a deadlock report naming each thread, what it waits for and who holds
//!   it.
//! * **Whether a thread is blocked**, derived from ghost state: a thread in a native acquire is
//!   blocked while another thread holds the object in a conflicting mode; a parked waiter while
//!   its ticket is not notified and its deadline has not fired; a joiner while its target lives.
//!   Ghost state is updated right next to the backend operation it mirrors, with no scheduling
//!   point in between, so it is exact whenever the last runnable thread looks at it. In the one
//!   window where it lags (a release whose backend half has not run yet), the releasing thread
//!   itself is runnable, so no thread can conclude that all are blocked.
//!
//! All model threads of an execution run on one OS thread (loom and shuttle both run them as
//! coroutines), so the kernel lives in an OS-thread-local slot that
//! [`crate::runtime::execution`] fills at the start of every execution.

use crate::backend::thread::{current, Thread};
use crate::fault::{FaultPlan, FaultSite};
use crate::held::Held;
use crate::hierarchy::SharedGraph;
use crate::object::{Mode, ObjectInfo};
#[cfg(not(loom))]
use crate::pending::PendingOp;
use crate::pending::{ObjectId, OpKind};
use crate::trace::{self, Event, Record};
use crate::wait::{Ticket, Woke};
#[cfg(loom)]
use std::cell::Cell;
use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// What a thread waits for.
pub(crate) enum WaitOn {
    /// Blocked natively in the backend's lock/read/write.
    Acquire { object: Arc<ObjectInfo>, mode: Mode },
    /// Parked with a ticket in the object's wait queue.
    Ticket {
        ticket: Arc<Ticket>,
        object: Arc<ObjectInfo>,
        mode: Mode,
    },
    /// Sleeping until its deadline.
    Sleep,
    /// Joining another thread.
    Join { thread: usize },
}

struct Wait {
    on: WaitOn,
    deadline: Option<Duration>,
    fired: bool,
}

struct ThreadRecord {
    name: String,
    handle: Option<Thread>,
    finished: bool,
    held: Vec<Held>,
    wait: Option<Wait>,
    /// This thread's fault-draw stream, made at its first draw.
    faults: Option<rand_chacha::ChaCha8Rng>,
    /// The operation it is about to perform (shuttle: read by the POS scheduler).
    #[cfg(not(loom))]
    pending: Option<PendingOp>,
    /// Where it was spawned (`None`: the execution's main thread; shuttle: read by the
    /// shrinker).
    #[cfg(not(loom))]
    site: Option<SpawnSite>,
}

/// The source location of a `spawn` call: threads spawned at one site (the workers of a loop)
/// are one group to the shrinker.
#[cfg(not(loom))]
pub(crate) type SpawnSite = &'static std::panic::Location<'static>;

/// The first panic message of an execution, shared with the runner that started it.
pub(crate) type FailureSlot = Arc<std::sync::Mutex<Option<String>>>;

struct State {
    /// Under shuttle: shuttle task id → thread index (`usize::MAX`: not a sim thread).
    #[cfg(not(loom))]
    task_threads: Vec<usize>,
    now: Duration,
    next_object: usize,
    threads: Vec<ThreadRecord>,
    trace: Vec<Record>,
    fault_seed: u64,
    /// The size knobs read so far, in first-read order, with the value each returned.
    sizes: Vec<(&'static str, usize)>,
}

/// One execution's kernel.
pub(crate) struct Kernel {
    state: RefCell<State>,
    setup: Setup,
}

/// What an exploration shares with each of its executions' kernels.
#[derive(Clone)]
pub(crate) struct Setup {
    /// Where the first panic message of a failing execution goes.
    pub(crate) failure: FailureSlot,
    /// The exploration's lock-order graph (`None`: potential deadlocks are not checked).
    pub(crate) graph: Option<SharedGraph>,
    /// Whether acquisitions are checked against the lock hierarchy at all.
    pub(crate) hierarchy: bool,
    /// Whether executions record their trace.
    pub(crate) trace: bool,
    /// The coverage points reached so far in the exploration.
    pub(crate) coverage: Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
    /// The fault plan, if faults are injected.
    pub(crate) faults: Option<Arc<FaultPlan>>,
    /// Where each execution's fault seed comes from.
    pub(crate) fault_seed: FaultSeed,
    /// Size knob overrides by name (see [`crate::scenario::size`]).
    pub(crate) sizes: Arc<Sizes>,
}

/// Size knob values by name, as overrides and in seed files.
pub(crate) type Sizes = std::collections::BTreeMap<String, usize>;

/// The fault seed of each execution.
#[derive(Clone, Debug)]
pub(crate) enum FaultSeed {
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
    pub(crate) fn for_execution(&self, execution: usize) -> u64 {
        match self {
            FaultSeed::PerExecution(seed) => crate::fault::execution_seed(*seed, execution),
            FaultSeed::Fixed(seed) => *seed,
            FaultSeed::PerPlan { seed, plan } => {
                match plan.load(std::sync::atomic::Ordering::SeqCst) {
                    0 => *seed,
                    plan => crate::fault::execution_seed(*seed, plan),
                }
            }
        }
    }
}

std::thread_local! {
    static KERNEL: RefCell<Option<Rc<Kernel>>> = const { RefCell::new(None) };
}

// Which thread record the running thread is. Under loom, a loom thread-local. Under shuttle,
// whose thread-locals are a hash map per task, a table from shuttle's dense task ids instead
// (`State::task_threads`): this lookup is on every operation's path.
#[cfg(loom)]
loom::thread_local! {
    static CURRENT: Cell<usize> = Cell::new(0);
}

/// Installs a fresh kernel for execution number `execution` (1-based), starting on this OS
/// thread; the calling thread is registered as `main`.
pub(crate) fn install(setup: Setup, execution: usize) {
    // The previous execution's trace buffer is reused: growing a fresh one to a long trace's
    // length every execution costs more than recording it.
    let previous = KERNEL.with(|slot| slot.borrow_mut().take());
    let mut trace = previous
        .and_then(|kernel| Rc::try_unwrap(kernel).ok())
        .map(|kernel| kernel.state.into_inner().trace)
        .unwrap_or_default();
    trace.clear();
    let kernel = Kernel {
        state: RefCell::new(State {
            #[cfg(not(loom))]
            task_threads: vec![usize::MAX; usize::from(shuttle::current::me())]
                .into_iter()
                .chain([0])
                .collect(),
            now: Duration::ZERO,
            next_object: 0,
            trace,
            fault_seed: setup.fault_seed.for_execution(execution),
            sizes: Vec::new(),
            threads: vec![ThreadRecord {
                name: "main".to_owned(),
                handle: Some(current()),
                finished: false,
                held: Vec::new(),
                wait: None,
                faults: None,
                #[cfg(not(loom))]
                pending: None,
                #[cfg(not(loom))]
                site: None,
            }],
        }),
        setup,
    };
    KERNEL.with(|slot| *slot.borrow_mut() = Some(Rc::new(kernel)));
}

fn try_kernel() -> Option<Rc<Kernel>> {
    KERNEL.with(|slot| slot.borrow().clone())
}

fn kernel() -> Rc<Kernel> {
    try_kernel().unwrap_or_else(|| {
        panic!(
            "lockstep: a sim primitive was used outside a simulated execution; wrap the test \
             body in `sim::runtime::execution(..)` or run it with a `sim::runtime` runner"
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
pub(crate) struct Caller {
    kernel: Rc<Kernel>,
    index: usize,
}

impl Caller {
    /// The calling simulated thread (panics outside a running execution).
    pub(crate) fn current() -> Caller {
        let kernel = kernel();
        let index = kernel.state.borrow().me();
        Caller { kernel, index }
    }

    /// The calling simulated thread, or `None` once its execution is gone (a guard dropped
    /// during teardown) or if it is not a simulated thread.
    pub(crate) fn try_current() -> Option<Caller> {
        let kernel = try_kernel()?;
        let index = kernel.state.borrow().try_me()?;
        Some(Caller { kernel, index })
    }
}

/// The next object number of the running execution, if one is running.
pub(crate) fn next_object_seq() -> Option<usize> {
    let kernel = try_kernel()?;
    let mut state = kernel.state.borrow_mut();
    state.next_object += 1;
    Some(state.next_object - 1)
}

/// The virtual time of the running execution.
pub(crate) fn now() -> Duration {
    kernel().state.borrow().now
}

/// The canonical name of the calling thread.
pub(crate) fn current_thread_name() -> String {
    let kernel = kernel();
    let state = kernel.state.borrow();
    state.threads[state.me()].name.clone()
}

/// Registers a thread about to be spawned at the caller's location; returns its index and
/// canonical name.
#[track_caller]
pub(crate) fn register_thread(name: Option<String>) -> (usize, String) {
    #[cfg(not(loom))]
    let site = std::panic::Location::caller();
    let kernel = kernel();
    let (index, name) = {
        let mut state = kernel.state.borrow_mut();
        let index = state.threads.len();
        let name = name.unwrap_or_else(|| format!("thread-{index}"));
        state.threads.push(ThreadRecord {
            name: name.clone(),
            handle: None,
            finished: false,
            held: Vec::new(),
            wait: None,
            faults: None,
            #[cfg(not(loom))]
            pending: None,
            #[cfg(not(loom))]
            site: Some(site),
        });
        (index, name)
    };
    Caller::current().record(|| Event::Spawn { child: index });
    (index, name)
}

/// Like [`Caller::record`], but does nothing outside a running execution.
pub(crate) fn record_if_running(event: impl FnOnce() -> Event) {
    if let Some(caller) = Caller::try_current() {
        caller.record(event);
    }
}

/// Draws whether fault `site` fires for the calling thread; `Some(latency)` if it does.
pub(crate) fn draw_fault(site: &FaultSite) -> Option<Duration> {
    let kernel = try_kernel()?;
    let plan = kernel.setup.faults.as_ref()?;
    let rate = plan.rate(site);
    if rate <= 0.0 {
        return None;
    }
    let mut state = kernel.state.borrow_mut();
    let index = state.me();
    let seed = state.fault_seed;
    let rng = state.threads[index]
        .faults
        .get_or_insert_with(|| crate::fault::thread_stream(seed, index));
    if !crate::fault::fires(rng, rate) || plan.muted.contains(site.name) {
        return None;
    }
    if kernel.setup.trace {
        let event = Event::Fault {
            site: site.name,
            kind: site.kind,
        };
        state.push_record(index, event);
    }
    Some(Duration::from_millis(plan.latency_ms))
}

/// Records the operation the calling thread is about to perform, if it is a simulated thread
/// (see [`Caller::set_pending`]).
#[cfg_attr(loom, allow(unused_variables))]
pub(crate) fn set_pending(kind: OpKind, object: Option<ObjectId>) {
    #[cfg(not(loom))]
    if let Some(caller) = Caller::try_current() {
        caller.set_pending(kind, object);
    }
}

/// The kind of operation a thread blocking on `on` performs.
fn pending_of(on: &WaitOn) -> (OpKind, Option<ObjectId>) {
    let lock_kind = |mode: &Mode| match mode {
        Mode::Shared => OpKind::Read,
        Mode::Notify => OpKind::Wait,
        _ => OpKind::Acquire,
    };
    match on {
        WaitOn::Acquire { object, mode } | WaitOn::Ticket { object, mode, .. } => (
            lock_kind(mode),
            Some(ObjectId::address(Arc::as_ptr(object))),
        ),
        WaitOn::Sleep => (OpKind::Sleep, None),
        WaitOn::Join { thread } => (OpKind::Join, Some(ObjectId::thread(*thread))),
    }
}

/// Every thread's pending operation, indexed by shuttle task id (shuttle).
#[cfg(not(loom))]
pub(crate) fn pending_by_task() -> Vec<Option<PendingOp>> {
    by_task(|thread| thread.pending)
}

/// `read` of every thread of the last execution on this OS thread, indexed by shuttle task id
/// (`None` for a task that is not a lockstep thread).
#[cfg(not(loom))]
fn by_task<T>(read: impl Fn(&ThreadRecord) -> Option<T>) -> Vec<Option<T>> {
    let Some(kernel) = try_kernel() else {
        return Vec::new();
    };
    let state = kernel.state.borrow();
    state
        .task_threads
        .iter()
        .map(|&thread| state.threads.get(thread).and_then(&read))
        .collect()
}

/// Marks a coverage point as reached.
pub(crate) fn cover(point: &str) {
    if let Some(kernel) = try_kernel() {
        let mut points = kernel
            .setup
            .coverage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !points.contains(point) {
            points.insert(point.to_owned());
        }
    }
}

/// The value of size knob `name` in the running execution (its override, else `default`),
/// recorded at its first read; `None` outside a running execution.
pub(crate) fn size(name: &'static str, default: usize) -> Option<usize> {
    let kernel = try_kernel()?;
    let mut state = kernel.state.borrow_mut();
    if let Some(&(_, value)) = state.sizes.iter().find(|(read, _)| *read == name) {
        return Some(value);
    }
    let value = kernel.setup.sizes.get(name).copied().unwrap_or(default);
    state.sizes.push((name, value));
    Some(value)
}

/// The size knobs the last execution on this OS thread read, in first-read order, with their
/// values.
pub(crate) fn last_sizes() -> Vec<(&'static str, usize)> {
    try_kernel().map_or_else(Vec::new, |kernel| kernel.state.borrow().sizes.clone())
}

/// The task that task `task`'s pending operation spawns or joins, if it is a spawn or a join
/// (shuttle: recorded by the replay scheduler at every step, read by the shrinker).
#[cfg(not(loom))]
pub(crate) fn spawned_or_joined(task: usize) -> Option<usize> {
    let kernel = try_kernel()?;
    let state = kernel.state.borrow();
    let pending = state.threads.get(*state.task_threads.get(task)?)?.pending?;
    if !matches!(pending.kind(), OpKind::Spawn | OpKind::Join) {
        return None;
    }
    let child = pending.object()?.thread_index()?;
    // A child that has not started yet has no task id; shuttle numbers tasks in spawn order,
    // as lockstep numbers threads.
    Some(
        state
            .task_threads
            .iter()
            .position(|&thread| thread == child)
            .unwrap_or(child),
    )
}

/// Where each task of the last execution on this OS thread was spawned, by shuttle task id
/// (`None`: the main thread, or a task that is not a lockstep thread).
#[cfg(not(loom))]
pub(crate) fn last_spawn_sites() -> Vec<Option<SpawnSite>> {
    by_task(|thread| thread.site)
}

/// The fault seed of the last execution on this OS thread (0 if none ran).
pub(crate) fn last_fault_seed() -> u64 {
    try_kernel().map_or(0, |kernel| kernel.state.borrow().fault_seed)
}

/// The fault sites that fired in the execution that ran last on this OS thread, in order.
pub(crate) fn last_faults() -> Vec<&'static str> {
    let Some(kernel) = try_kernel() else {
        return Vec::new();
    };
    let state = kernel.state.borrow();
    state
        .trace
        .iter()
        .filter_map(|r| match r.event {
            Event::Fault { site, .. } => Some(site),
            _ => None,
        })
        .collect()
}

/// The trace of the execution that ran last on this OS thread, rendered.
pub(crate) fn last_trace() -> Option<String> {
    let kernel = try_kernel()?;
    let state = kernel.state.borrow();
    let names: Vec<String> = state.threads.iter().map(|t| t.name.clone()).collect();
    Some(trace::render(&state.trace, &names))
}

/// Called first thing on a spawned thread.
pub(crate) fn thread_started(index: usize) {
    #[cfg(loom)]
    CURRENT.with(|c| c.set(index));
    let kernel = kernel();
    let mut state = kernel.state.borrow_mut();
    #[cfg(not(loom))]
    {
        let task = usize::from(shuttle::current::me());
        if state.task_threads.len() <= task {
            state.task_threads.resize(task + 1, usize::MAX);
        }
        state.task_threads[task] = index;
    }
    state.threads[index].handle = Some(current());
}

/// Called when a thread's body returns (or unwinds): it no longer counts as live, which may
/// leave every remaining thread blocked.
pub(crate) fn thread_finished() {
    let caller = Caller::current();
    {
        let mut state = caller.kernel.state.borrow_mut();
        let record = &mut state.threads[caller.index];
        record.finished = true;
        record.wait = None;
    }
    caller.record(|| Event::Exit);
    caller.kernel.settle();
}

/// Records the first panic of the execution (later ones are consequences).
pub(crate) fn record_failure(message: String) {
    if let Some(kernel) = try_kernel() {
        let mut slot = kernel
            .setup
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.get_or_insert(message);
    }
}

impl Caller {
    /// Records the operation this thread is about to perform (shuttle; a no-op under loom,
    /// whose own search needs no hints).
    #[cfg_attr(loom, allow(unused_variables))]
    pub(crate) fn set_pending(&self, kind: OpKind, object: Option<ObjectId>) {
        #[cfg(not(loom))]
        {
            self.kernel.state.borrow_mut().threads[self.index].pending =
                Some(PendingOp::new(kind, object));
        }
    }

    /// Records the operation this thread is about to perform on a facade object.
    pub(crate) fn set_pending_on(&self, kind: OpKind, object: &Arc<ObjectInfo>) {
        self.set_pending(kind, Some(ObjectId::address(Arc::as_ptr(object))));
    }

    /// Appends an event by this thread to the execution's trace (if it records one).
    pub(crate) fn record(&self, event: impl FnOnce() -> Event) {
        if self.kernel.setup.trace {
            self.kernel
                .state
                .borrow_mut()
                .push_record(self.index, event());
        }
    }

    /// Runs `f` on this thread's held-lock stack.
    pub(crate) fn with_held<R>(&self, f: impl FnOnce(&mut Vec<Held>) -> R) -> R {
        f(&mut self.kernel.state.borrow_mut().threads[self.index].held)
    }

    /// Like [`with_held`](Caller::with_held), with a function giving the thread's name.
    pub(crate) fn with_held_named<R>(
        &self,
        f: impl FnOnce(&dyn Fn() -> String, &mut Vec<Held>) -> R,
    ) -> R {
        let mut state = self.kernel.state.borrow_mut();
        let ThreadRecord { name, held, .. } = &mut state.threads[self.index];
        f(&|| name.clone(), held)
    }

    /// The lock-order graph of the running exploration.
    pub(crate) fn lock_graph(&self) -> Option<&SharedGraph> {
        self.kernel.setup.graph.as_ref()
    }

    /// Whether the running exploration checks the lock hierarchy.
    pub(crate) fn hierarchy_enabled(&self) -> bool {
        self.kernel.setup.hierarchy
    }

    /// Marks this thread as about to block natively (lock, read, write, join; under loom also
    /// a try-lock, which loom blocks while the lock is held) and settles if that leaves no
    /// thread runnable. A `deadline` fires like any other: the thread is unparked, which loom
    /// treats as a wakeup of the blocked try-lock, so the try fails. Call
    /// [`end_native_wait`](Caller::end_native_wait) once the backend call returns.
    pub(crate) fn begin_native_wait(&self, on: WaitOn, deadline: Option<crate::time::Instant>) {
        let (kind, object) = pending_of(&on);
        self.set_pending(kind, object);
        let index = self.index;
        let blocked = {
            let mut state = self.kernel.state.borrow_mut();
            state.threads[index].wait = Some(Wait {
                on,
                deadline: deadline.map(crate::time::Instant::since_start),
                fired: false,
            });
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
    pub(crate) fn end_native_wait(&self) -> bool {
        let mut state = self.kernel.state.borrow_mut();
        state.threads[self.index]
            .wait
            .take()
            .is_some_and(|w| w.fired)
    }

    /// Parks this thread until its wait is satisfied or its deadline fires.
    pub(crate) fn wait(&self, on: WaitOn, deadline: Option<crate::time::Instant>) -> Woke {
        let (kind, object) = pending_of(&on);
        self.set_pending(kind, object);
        let (kernel, index) = (&self.kernel, self.index);
        {
            let mut state = kernel.state.borrow_mut();
            let deadline = deadline.map(crate::time::Instant::since_start);
            if kernel.setup.trace {
                let event = match &on {
                    WaitOn::Ticket { object, mode, .. } => Event::Blocked {
                        object: Arc::clone(object),
                        mode: *mode,
                    },
                    _ => Event::Sleep {
                        until: deadline.unwrap_or_default(),
                    },
                };
                state.push_record(index, event);
            }
            state.threads[index].wait = Some(Wait {
                on,
                deadline,
                fired: false,
            });
        }
        kernel.settle();
        loop {
            let outcome = {
                let mut state = kernel.state.borrow_mut();
                let wait = state.threads[index].wait.as_ref().expect("wait record");
                let outcome = if wait.fired {
                    Some(Woke::TimedOut)
                } else if matches!(&wait.on, WaitOn::Ticket { ticket, .. } if ticket.is_notified())
                {
                    Some(Woke::Notified)
                } else {
                    None
                };
                if outcome.is_some() {
                    let wait = state.threads[index].wait.take().expect("wait record");
                    if kernel.setup.trace {
                        let event = match (wait.on, outcome) {
                            (WaitOn::Ticket { object, mode, .. }, Some(Woke::TimedOut)) => {
                                Event::TimedOut { object, mode }
                            }
                            _ => Event::Woke,
                        };
                        state.push_record(index, event);
                    }
                }
                outcome
            };
            match outcome {
                Some(woke) => return woke,
                None => crate::backend::thread::park(),
            }
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
            .expect("lockstep: this thread was not spawned through sim::thread")
    }

    /// The running thread's index, if it is a simulated thread of this execution.
    fn try_me(&self) -> Option<usize> {
        #[cfg(loom)]
        return Some(CURRENT.with(Cell::get)).filter(|&index| index < self.threads.len());
        #[cfg(not(loom))]
        return self
            .task_threads
            .get(usize::from(shuttle::current::me()))
            .copied()
            .filter(|&index| index != usize::MAX);
    }

    fn is_blocked(&self, index: usize) -> bool {
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
            WaitOn::Ticket { ticket, .. } => !ticket.is_notified(),
            WaitOn::Sleep => true,
            WaitOn::Join { thread } => !self.threads[*thread].finished,
        }
    }

    /// Whether any thread holds `object` in a mode that excludes `wanted`.
    fn is_held_excluding(&self, object: &Arc<ObjectInfo>, wanted: Mode) -> bool {
        self.threads.iter().any(|t| {
            t.held
                .iter()
                .any(|h| Arc::ptr_eq(&h.object, object) && h.mode.excludes(wanted))
        })
    }

    /// Every thread holding any part of `object` (permits included).
    fn all_holders(&self, object: &Arc<ObjectInfo>) -> Vec<String> {
        let mut names = Vec::new();
        for thread in &self.threads {
            let count = thread
                .held
                .iter()
                .filter(|h| Arc::ptr_eq(&h.object, object))
                .count();
            match count {
                0 => {}
                1 => names.push(thread.name.clone()),
                n => names.push(format!("{} (x{n})", thread.name)),
            }
        }
        names
    }

    /// Whether some thread is live and every live thread is blocked.
    fn all_blocked(&self) -> bool {
        self.threads.iter().any(|t| !t.finished)
            && (0..self.threads.len()).all(|t| self.threads[t].finished || self.is_blocked(t))
    }

    fn deadlock_report(&self) -> String {
        let mut out = format!(
            "deadlock: every thread is blocked and no timeout is pending (virtual time {:?})",
            self.now
        );
        let width = self.threads.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for thread in self.threads.iter().filter(|t| !t.finished) {
            let what = match thread.wait.as_ref().map(|w| &w.on) {
                Some(WaitOn::Acquire { object, mode })
                | Some(WaitOn::Ticket { object, mode, .. }) => {
                    let holders = self.all_holders(object);
                    let held_by = if holders.is_empty() {
                        String::new()
                    } else {
                        format!(", held by {}", holders.join(", "))
                    };
                    match mode {
                        Mode::Exclusive => format!("waits to lock {object}{held_by}"),
                        Mode::Shared => format!("waits to read-lock {object}{held_by}"),
                        Mode::Permit => format!("waits for a permit of {object}{held_by}"),
                        Mode::Notify => format!("waits for a notification on {object}"),
                    }
                }
                Some(WaitOn::Join { thread }) => {
                    format!("waits to join {}", self.threads[*thread].name)
                }
                Some(WaitOn::Sleep) | None => "is not blocked".to_owned(),
            };
            let _ = write!(out, "\n  {:<width$}  {what}", thread.name);
        }
        out
    }
}

impl Kernel {
    /// If no thread is runnable: fire the earliest deadline, or fail with a deadlock report.
    fn settle(&self) {
        let to_wake = {
            let mut state = self.state.borrow_mut();
            if !state.all_blocked() {
                return;
            }
            let earliest = state
                .threads
                .iter()
                .filter(|t| !t.finished)
                .filter_map(|t| t.wait.as_ref().and_then(|w| w.deadline))
                .min();
            let Some(deadline) = earliest else {
                let report = state.deadlock_report();
                drop(state);
                panic!("{report}");
            };
            let index = state.me();
            if deadline > state.now {
                state.now = deadline;
                if self.setup.trace {
                    state.push_record(index, Event::Clock { to: deadline });
                }
            }
            let mut to_wake = Vec::new();
            for (t, thread) in state.threads.iter_mut().enumerate() {
                if let Some(wait) = thread.wait.as_mut() {
                    if wait.deadline == Some(deadline) && !thread.finished {
                        wait.fired = true;
                        if t != index {
                            to_wake.extend(thread.handle.clone());
                        }
                    }
                }
            }
            to_wake
        };
        for thread in to_wake {
            thread.unpark();
        }
    }
}
