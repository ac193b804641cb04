//! The std twin of [`super`]: real threads, real time, and held stacks per thread (and per
//! lockstep task, see `holds`).
//!
//! What only a simulation records (pending operations, trace events, native waits) compiles
//! to nothing here, so a production build pays for the lock hierarchy checks and nothing else.

use crate::backend;
use lockstep_engine::fault_plan::{fires, thread_stream, FaultPlan, FaultSite};
use lockstep_engine::held::Held;
use lockstep_engine::lock_graph::SharedGraph;
use lockstep_engine::object::{Mode, ObjectInfo};
use lockstep_engine::op::OpKind;
use lockstep_engine::trace::Event;
use lockstep_engine::wait::{Ticket, WaitQueue, Woke};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A moment in time: the real clock's.
pub(crate) type Moment = std::time::Instant;

/// The current moment.
#[inline]
pub(crate) fn now() -> Moment {
    Moment::now()
}

/// The time from `earlier` to `later` (zero if `earlier` is later).
#[inline]
pub(crate) fn since(later: Moment, earlier: Moment) -> Duration {
    later.saturating_duration_since(earlier)
}

/// Formats a moment as `std::time::Instant` does.
pub(crate) fn fmt_moment(moment: &Moment, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    std::fmt::Debug::fmt(moment, f)
}

mod holds;

#[cfg(feature = "tokio")]
pub(crate) use holds::task_scope;
pub(crate) use holds::HoldOwner;

/// The caller, as the owner of the holds it takes.
pub(crate) fn hold_owner(_holder: &Holder) -> HoldOwner {
    holds::with_holds(holds::Holds::owner)
}

/// The caller gives back `owner`'s most recent hold of `object` in `mode`: from its own stack
/// if it is the owner, else through the owner's inbox.
pub(crate) fn release_for(
    holder: &Holder,
    owner: &HoldOwner,
    object: &Arc<ObjectInfo>,
    mode: Mode,
) {
    if holds::try_with_holds(|holds| holds.owns(owner)).unwrap_or(false) {
        holder.release(object, mode);
    } else {
        owner.post(object, mode);
    }
}

/// Whose holds an operation reads and changes: the lockstep task being polled (its own
/// task-local stack), else the calling OS thread (see `holds`).
pub(crate) struct Holder;

impl Holder {
    /// The caller.
    #[inline]
    pub(crate) fn current() -> Holder {
        Holder
    }

    /// The caller (always there under std).
    #[inline]
    pub(crate) fn try_current() -> Option<Holder> {
        Some(Holder)
    }

    /// The thread's index among the simulated threads of its execution: under std there is
    /// no execution, and nothing keys on it (every OS thread is index 0).
    #[inline]
    pub(crate) fn index(&self) -> usize {
        0
    }

    /// Runs `f` on the caller's held-lock stack.
    pub(crate) fn with_held<R>(&self, f: impl FnOnce(&mut Vec<Held>) -> R) -> R {
        holds::with_holds(|holds| holds.with_stack(f))
    }

    /// Like [`with_held`](Holder::with_held), with a function giving the caller's canonical
    /// name (called only when a report needs it).
    pub(crate) fn with_held_named<R>(
        &self,
        f: impl FnOnce(&dyn Fn() -> String, &mut Vec<Held>) -> R,
    ) -> R {
        holds::with_holds(|holds| holds.with_stack(|stack| f(&holds::holder_name, stack)))
    }

    /// The caller took `hold`.
    pub(crate) fn hold(&self, hold: Held) {
        self.with_held(|stack| stack.push(hold));
    }

    /// The caller gave back its most recent hold of `object` in `mode`. During thread
    /// teardown the thread-local may be gone; nothing is held then.
    pub(crate) fn release(&self, object: &Arc<ObjectInfo>, mode: Mode) {
        let _ = holds::try_with_holds(|holds| holds.remove(object, mode));
    }

    /// Trace events are not recorded under std.
    #[inline]
    pub(crate) fn record(&self, _event: impl FnOnce() -> Event) {}

    /// Pending operations are not recorded under std.
    #[inline]
    pub(crate) fn set_pending_on(&self, _kind: OpKind, _object: &Arc<ObjectInfo>) {}

    /// The process's lock-order graph in debug builds; none in release builds.
    pub(crate) fn lock_graph(&self) -> Option<&'static SharedGraph> {
        if cfg!(debug_assertions) {
            static GRAPH: std::sync::OnceLock<SharedGraph> = std::sync::OnceLock::new();
            Some(GRAPH.get_or_init(SharedGraph::default))
        } else {
            None
        }
    }

    /// The caller's identity in the lock-order graph (a task's own, else its OS thread's): a
    /// number drawn at its first nested acquisition, never reused in the process (a thread
    /// past its thread-locals' teardown gets a fresh one: a new identity can only add reports,
    /// never hide one).
    pub(crate) fn thread_key(&self) -> usize {
        holds::try_with_holds(holds::Holds::key).unwrap_or_else(holds::fresh_key)
    }

    /// The hierarchy is always checked under std.
    #[inline]
    pub(crate) fn hierarchy_enabled(&self) -> bool {
        true
    }
}

/// Object numbers, in creation order across the process.
pub(crate) fn next_object_seq() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Runs a backend blocking acquire; under std there is no ghost wait around it.
#[inline]
pub(crate) fn native_acquire<G>(
    _holder: &Holder,
    _object: &Arc<ObjectInfo>,
    _mode: Mode,
    acquire: impl FnOnce() -> G,
) -> G {
    acquire()
}

/// Runs a backend try-acquire as it is.
#[inline]
pub(crate) fn native_try<G>(
    _holder: &Holder,
    _object: &Arc<ObjectInfo>,
    _mode: Mode,
    _deadline: Option<Moment>,
    try_acquire: impl FnOnce() -> Option<G>,
) -> Option<G> {
    try_acquire()
}

/// A lock's try probe: only loom needs one (see the simulated twin); nothing here.
pub(crate) struct TryProbe;

impl TryProbe {
    /// A probe for a new lock.
    pub(crate) fn new(_object: &ObjectInfo) -> Self {
        TryProbe
    }

    /// The calling thread has just taken the probe's lock.
    #[inline]
    pub(crate) fn held(&self, _holder: &Holder, _object: &Arc<ObjectInfo>, _mode: Mode) {}

    /// The calling thread is about to release the probe's lock.
    #[inline]
    pub(crate) fn releasing(&self, _object: &ObjectInfo) {}

    /// Runs `attempt`, a plain try of the probe's lock, as it is.
    #[inline]
    pub(crate) fn plain_try<G>(
        &self,
        _object: &ObjectInfo,
        attempt: impl FnOnce() -> Option<G>,
    ) -> Option<G> {
        attempt()
    }
}

/// Where a writer of a writer-preferring RwLock arrives: only a simulation needs one (see the
/// simulated twin); under std the lock is std's.
pub(crate) struct ArrivalPoint;

impl ArrivalPoint {
    /// An arrival point for a new lock.
    pub(crate) fn new() -> Self {
        ArrivalPoint
    }

    /// A writer arrives.
    #[inline]
    pub(crate) fn writer_arrives(&self) {}

    /// A reader is about to decide whether a queued writer holds it back.
    #[inline]
    pub(crate) fn reader_arrives(&self) {}
}

/// Whether a writer of a writer-preferring RwLock arrives at a backend `try_write` (a
/// simulation's concern; under std the lock is std's).
pub(crate) const WRITERS_ARRIVE_BY_TRYING: bool = false;

/// Whether a first read of a writer-preferring RwLock decides after its backend read (a
/// simulation's concern).
pub(crate) const READS_DECIDE_AFTER_READING: bool = false;

/// Parks until `ticket` is notified or `deadline` passes.
pub(crate) fn park(
    ticket: &Arc<Ticket>,
    _object: &Arc<ObjectInfo>,
    _mode: Mode,
    deadline: Option<Moment>,
) -> Woke {
    loop {
        if ticket.claim() {
            return Woke::Notified;
        }
        match deadline {
            None => backend::thread::park(),
            Some(deadline) => {
                let now = Moment::now();
                if now >= deadline {
                    return Woke::TimedOut;
                }
                backend::thread::park_timeout(deadline.duration_since(now));
            }
        }
    }
}

/// A timed wait's condition held after it timed out: nothing to mark on real threads (liveness
/// hints are a simulation's, see `lockstep_engine::liveness`).
#[inline]
pub(crate) fn condition_held_after_timeout() {}

/// An unfair semaphore's timed acquire lost the permits to another thread and timed out:
/// nothing to mark on real threads.
#[inline]
pub(crate) fn permits_taken_before_timeout() {}

/// Wakes one waiter of a condvar's queue: the longest-waiting one (the OS decides when it
/// runs; std promises no order, and this is one of the orders it allows).
#[inline]
pub(crate) fn notify_one(waiters: &WaitQueue) {
    waiters.wake_one();
}

/// The scheduling point of an object whose operations are otherwise ghost state only (a
/// condvar): on real threads there is nothing to schedule.
pub(crate) struct SchedulingPoint;

impl SchedulingPoint {
    /// A scheduling point (nothing, on real threads).
    #[inline]
    pub(crate) fn new() -> Self {
        SchedulingPoint
    }

    /// Nothing to do on real threads.
    #[inline]
    pub(crate) fn pass(&self) {}
}

/// Sleeps on the real clock.
pub(crate) fn sleep(duration: Duration) {
    std::thread::sleep(duration);
}

/// `thread::yield_now`: std's.
pub(crate) fn yield_now() {
    std::thread::yield_now();
}

/// A failed try-acquire: nothing to count on real threads.
pub(crate) fn try_failed(_holder: &Holder, _object: &Arc<ObjectInfo>, _mode: Mode) {}

/// A spawned thread: its native handle and the thread.
pub(crate) type Spawned<T> = (NativeJoin<T>, ThreadHandle);

/// A spawned thread's native handle: std's.
pub(crate) type NativeJoin<T> = backend::thread::JoinHandle<T>;

/// The scheduling point of an `is_finished`: none on real threads.
#[inline]
pub(crate) fn before_is_finished(_thread: &ThreadHandle) {}

/// std's `JoinHandle::is_finished`.
#[inline]
pub(crate) fn is_finished<T>(native: &NativeJoin<T>, _thread: &ThreadHandle) -> bool {
    native.is_finished()
}

/// Spawns `f` as a real thread, named `name` if given.
pub(crate) fn spawn<F, T>(
    name: Option<String>,
    stack_size: Option<usize>,
    f: F,
) -> std::io::Result<Spawned<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let mut builder = backend::thread::Builder::new();
    if let Some(name) = name {
        builder = builder.name(name);
    }
    if let Some(bytes) = stack_size {
        builder = builder.stack_size(bytes);
    }
    let native = builder.spawn(f)?;
    let thread = ThreadHandle(native.thread().clone());
    Ok((native, thread))
}

/// Joins a thread.
#[inline]
pub(crate) fn join<R>(_thread: &ThreadHandle, join: impl FnOnce() -> R) -> R {
    join()
}

/// A thread: std's own handle.
#[derive(Clone)]
pub(crate) struct ThreadHandle(backend::thread::Thread);

/// A thread's identity: std's.
pub(crate) type ThreadKey = std::thread::ThreadId;

impl ThreadHandle {
    /// Its name, if it has one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.0.name()
    }

    /// Its name, or `unnamed`.
    pub(crate) fn canonical_name(&self) -> &str {
        self.0.name().unwrap_or("unnamed")
    }

    /// Its identity.
    pub(crate) fn id(&self) -> ThreadKey {
        self.0.id()
    }

    /// std's unpark.
    pub(crate) fn unpark(&self) {
        self.0.unpark();
    }
}

/// The calling thread.
pub(crate) fn current_thread() -> ThreadHandle {
    ThreadHandle(backend::thread::current())
}

/// std's `park` (`None`) or `park_timeout`; std's may return spuriously.
pub(crate) fn park_thread(timeout: Option<Duration>) {
    match timeout {
        None => backend::thread::park(),
        Some(timeout) => backend::thread::park_timeout(timeout),
    }
}

/// The calling thread's name, or `unnamed`.
pub(crate) fn current_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned()
}

/// Model events are not recorded under std.
#[inline]
pub(crate) fn model_event(_subject: &str, _detail: &dyn std::fmt::Display) {}

/// Random draws come from the facade's own entropy-seeded stream under std.
#[inline]
pub(crate) fn draw_random() -> Option<u64> {
    None
}

/// Coverage is not counted under std.
#[inline]
pub(crate) fn cover(_point: &str) {}

/// Size knobs always have their default under std.
#[inline]
pub(crate) fn size(_name: &'static str, default: usize) -> usize {
    default
}

static STD_PLAN: std::sync::Mutex<Option<(FaultPlan, ChaCha8Rng)>> = std::sync::Mutex::new(None);

/// Draws for `site` from the process's plan, if one is set; `Some(latency)` if it fires.
pub(crate) fn draw_fault(site: &FaultSite) -> Option<Duration> {
    let mut plan = STD_PLAN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (plan, rng) = plan.as_mut()?;
    let fired = fires(rng, plan.rate(site)) && !plan.muted.contains(site.name);
    fired.then(|| Duration::from_millis(plan.latency_ms))
}

/// Configures fault injection on real threads (std builds only): `Some((plan, seed))` to
/// inject, `None` to stop. Draws come from one process-wide stream, in whatever order threads
/// reach their sites.
///
/// ```
/// use lockstep_facade::fault::{self, FaultKind, FaultPlan, FaultSite};
///
/// const SEND: FaultSite = FaultSite::new("send", FaultKind::NetworkError);
/// fault::set_std_plan(Some((FaultPlan::none().site("send", 1.0), 7)));
/// assert!(fault::point(&SEND).is_err());
/// fault::set_std_plan(None);
/// assert!(fault::point(&SEND).is_ok());
/// ```
pub fn set_std_plan(plan: Option<(FaultPlan, u64)>) {
    *STD_PLAN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) =
        plan.map(|(plan, seed)| (plan, thread_stream(seed, 0)));
}

/// Wraps a test body as one execution; under std it just runs the body, once, on real threads.
pub fn execution<F>(body: F) -> impl Fn() + Send + Sync + 'static
where
    F: Fn() + Send + Sync + 'static,
{
    body
}

/// The time from the process's first reading of this epoch to `moment` (what virtual time
/// since the start of the execution is under simulation).
pub(crate) fn since_start(moment: Moment) -> Duration {
    static EPOCH: std::sync::OnceLock<Moment> = std::sync::OnceLock::new();
    since(moment, *EPOCH.get_or_init(Moment::now))
}

/// Whether a lock released by unwinding keeps its backend guard until the thread stops
/// panicking: never on std, which releases (and poisons) during unwinding itself.
pub(crate) const RELEASE_AFTER_UNWINDING: bool = false;

/// Runs `f` now: std defers nothing past unwinding (see [`RELEASE_AFTER_UNWINDING`]).
pub(crate) fn after_unwinding(_holder: &Holder, f: impl FnOnce() + 'static) {
    f();
}

/// A backend lock, in place: on std no backend guard outlives its facade guard, so moving
/// the facade lock may move it.
pub(crate) struct Anchored<T: ?Sized>(T);

impl<T> Anchored<T> {
    /// `value`, in place.
    pub(crate) fn new(value: T) -> Self {
        Anchored(value)
    }

    /// The value.
    pub(crate) fn into_inner(self) -> T {
        self.0
    }
}

impl<T: ?Sized> std::ops::Deref for Anchored<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> std::ops::DerefMut for Anchored<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// Whether async locks keep held stacks: yes, each task its own (see `holds`).
#[cfg(feature = "tokio")]
pub(crate) const ASYNC_HOLDS: bool = true;

/// The calling task's pending future awaits `object` in `mode`: only a simulation reports it.
#[cfg(feature = "tokio")]
pub(crate) fn awaits(_object: &Arc<ObjectInfo>, _mode: Mode) {}

/// Where a poll's registrations stand: only a simulation records them.
#[cfg(feature = "tokio")]
pub(crate) struct AwaitsMark;

/// Nothing to mark under std.
#[cfg(feature = "tokio")]
#[inline]
pub(crate) fn awaits_mark() -> AwaitsMark {
    AwaitsMark
}

/// Nothing to withdraw under std.
#[cfg(feature = "tokio")]
#[inline]
pub(crate) fn withdraw_awaits(_mark: AwaitsMark) {}

/// `thread_local!` under std: std's (see `lockstep::thread_local!`).
#[doc(hidden)]
#[macro_export]
macro_rules! __lockstep_thread_local {
    ($($declarations:tt)*) => {
        ::std::thread_local!($($declarations)*);
    };
}

/// A key to a thread-local value: std's `LocalKey` (see [`crate::thread_local!`]).
///
/// ```
/// use std::cell::RefCell;
///
/// lockstep::thread_local!(static SEEN: RefCell<Vec<u8>> = RefCell::new(Vec::new()));
///
/// let key: &'static lockstep::thread::LocalKey<RefCell<Vec<u8>>> = &SEEN;
/// key.with_borrow_mut(|seen| seen.push(1));
/// assert_eq!(key.with_borrow(Vec::len), 1);
/// ```
pub use std::thread::LocalKey;

/// What [`LocalKey::try_with`] returns for a key whose value was dropped: std's.
///
/// ```
/// lockstep::thread_local!(static N: u8 = 1);
///
/// let value: Result<u8, lockstep::thread::AccessError> = N.try_with(|n| *n);
/// assert_eq!(value, Ok(1));
/// ```
pub use std::thread::AccessError;
