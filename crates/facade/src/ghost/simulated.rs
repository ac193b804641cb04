//! The simulation twin of [`super`] (shuttle and loom): every operation's ghost half goes to
//! the engine's kernel, through one [`Caller`] per operation.

use crate::backend;
pub(crate) use lockstep_engine::kernel::Caller as Holder;
use lockstep_engine::kernel::{self, Caller, SpinOn, ThreadView, WaitOn};
use lockstep_engine::object::{Mode, ObjectInfo};
use lockstep_engine::op::{ObjectId, OpKind};
use lockstep_engine::trace::Event;
use lockstep_engine::wait::{Ticket, WaitQueue, Woke};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub(crate) use lockstep_engine::kernel::{cover, draw_fault, draw_random};

/// The thread a hold belongs to (its index), for a permit that may be dropped by another.
pub(crate) type HoldOwner = usize;

/// The calling thread, as the owner of the holds it takes.
pub(crate) fn hold_owner(holder: &Holder) -> HoldOwner {
    holder.index()
}

/// The calling thread gives back `owner`'s most recent hold of `object` in `mode` (its own, or
/// an owned permit another thread took and this one dropped).
pub(crate) fn release_for(
    holder: &Holder,
    owner: &HoldOwner,
    object: &Arc<ObjectInfo>,
    mode: Mode,
) {
    holder.release_for(*owner, object, mode);
}

/// A moment in time: virtual time since the start of the execution.
pub(crate) type Moment = Duration;

/// The current moment: the execution's virtual clock.
#[inline]
pub(crate) fn now() -> Moment {
    kernel::now()
}

/// The time from `earlier` to `later` (zero if `earlier` is later).
#[inline]
pub(crate) fn since(later: Moment, earlier: Moment) -> Duration {
    later.saturating_sub(earlier)
}

/// Formats a moment as `t=<virtual time>`.
pub(crate) fn fmt_moment(moment: &Moment, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(f, "t={moment:?}")
}

/// Object numbers: in creation order within the running execution (so names are the same in
/// every execution), else across the process.
pub(crate) fn next_object_seq() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    kernel::next_object_seq().unwrap_or_else(|| NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Runs a backend blocking acquire (`lock`, `read`, `write`) seen by the kernel as a native
/// wait while it blocks.
#[inline]
pub(crate) fn native_acquire<G>(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    acquire: impl FnOnce() -> G,
) -> G {
    holder.begin_native_wait(
        WaitOn::Acquire {
            object: Arc::clone(object),
            mode,
        },
        None,
    );
    let native = acquire();
    holder.end_native_wait();
    native
}

/// `thread::yield_now`: a retry to the livelock detector, then a yield (see [`yield_point`]).
pub(crate) fn yield_now() {
    let caller = Caller::try_current();
    if let Some(caller) = &caller {
        caller.retried(SpinOn::Yield);
    }
    yield_point(caller.as_ref());
}

/// A yield of the calling thread (`yield_now`, a zero sleep), after its retry was counted.
///
/// Under shuttle it is the backend's yield, a scheduling point. Under loom a yield of loom's
/// makes another runnable thread take its next step before the yielder, and loom never
/// explores the yielder going first: `x = 1; yield_now(); y = 1` against a reader of `y` then
/// `x` never showed the reader both stores, which std allows (a yield is a hint). So under
/// loom a thread's first yield since the last change (any progress another thread could see,
/// see the kernel's `spin` module, but a lock taken or given back) is no scheduling point at
/// all: loom runs the yielder on, and switches before any of its later operations that a peer
/// depends on. Only a yield that comes again with nothing changed since the thread's previous
/// one ([`Caller::yields_again`]), a spin loop's second turn, is loom's: the turn between them
/// changed nothing, so running a peer first there hides no outcome of a loop that repeats
/// itself, and it keeps spin loops over `yield_now` finite, also those that lock, look and
/// unlock each turn. Loom's yield is also a yield of every lock the thread holds (see
/// [`TryProbe`]).
fn yield_point(caller: Option<&Caller>) {
    let backend_yields = match caller {
        Some(caller) if cfg!(loom) => caller.yields_again(),
        _ => true,
    };
    if backend_yields {
        if let Some(caller) = caller {
            holder_yields(caller);
        }
        backend::thread::yield_now();
    }
}

/// A try-acquire of `object` in `mode` whose failure the caller sees: a retry to the livelock
/// detector.
pub(crate) fn try_failed(holder: &Holder, object: &Arc<ObjectInfo>, mode: Mode) {
    holder.retried(SpinOn::TryAcquire {
        object: Arc::clone(object),
        mode,
    });
}

/// The kind a try of `mode` is to a partial-order scheduler.
fn try_kind(mode: Mode) -> OpKind {
    match mode {
        Mode::Shared => OpKind::Read,
        _ => OpKind::Acquire,
    }
}

/// Runs a backend try-acquire (`try_lock`, `try_read`, `try_write`) under shuttle: it never
/// blocks, so only its pending operation is recorded.
#[cfg(feature = "shuttle")]
#[inline]
pub(crate) fn native_try<G>(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    _deadline: Option<Moment>,
    try_acquire: impl FnOnce() -> Option<G>,
) -> Option<G> {
    holder.set_pending_on(try_kind(mode), object);
    try_acquire()
}

/// Runs a backend try-acquire (`try_lock`, `try_read`, `try_write`) under loom.
///
/// A loom `try_lock` that is preempted at its own scheduling point while another thread takes
/// the lock is *blocked* until that lock is released (loom issue #376), which can turn a
/// failing `try_lock` into a false deadlock. The kernel records the try as a native wait with a
/// deadline (the caller's, or "now" for a plain try): if every thread ends up blocked, the
/// deadline fires, the thread is unparked, loom lets the try run, and it fails, as a try on a
/// held lock does (if loom's try got the lock after all, it is given back). The native try
/// still runs in every case, so loom sees the dependency on the lock and explores both orders.
#[cfg(loom)]
pub(crate) fn native_try<G>(
    holder: &Holder,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    deadline: Option<Moment>,
    try_acquire: impl FnOnce() -> Option<G>,
) -> Option<G> {
    holder.set_pending_on(try_kind(mode), object);
    holder.begin_native_wait(
        WaitOn::Acquire {
            object: Arc::clone(object),
            mode,
        },
        Some(deadline.unwrap_or_else(now)),
    );
    let acquired = try_acquire();
    // A try whose deadline fired while loom blocked it has failed, even if loom then let it
    // take the lock: the timeout came first (the backend guard is simply dropped again).
    if holder.end_native_wait() {
        return None;
    }
    acquired
}

/// A pair of loom operations that depend on each other and on nothing else: a *mark* (a
/// clone of a loom `Arc`, kept until the point is dropped) and a *look* (a count of its
/// references). Loom orders each look on both sides of each mark by another thread; marks do
/// not depend on each other, nor do looks, so code that only marks (or only looks) explores
/// what it would without the point. Unlike an atomic's load, a look has one value (a load may
/// read any store coherence allows, each one more execution) and orders nothing else (no
/// drop comes before the point's own). Under shuttle it is nothing. Its clones are given
/// back when it is dropped, so it suits an object that is rare and dropped inside the
/// execution: on every mutex (tried for the try probe) a stopped execution's teardown dropped
/// some outside it and aborted the process (`loom_seeds`).
pub(crate) struct LoomPoint {
    #[cfg(loom)]
    count: backend::LoomArc<()>,
    /// One clone per mark so far.
    #[cfg(loom)]
    marks: std::sync::Mutex<Vec<backend::LoomArc<()>>>,
}

impl LoomPoint {
    /// A point nobody marked yet.
    pub(crate) fn new() -> Self {
        LoomPoint {
            #[cfg(loom)]
            count: backend::LoomArc::new(()),
            #[cfg(loom)]
            marks: std::sync::Mutex::default(),
        }
    }

    /// A mark: under loom one clone, kept.
    #[inline]
    pub(crate) fn mark(&self) {
        #[cfg(loom)]
        {
            let mark = backend::LoomArc::clone(&self.count);
            backend::unpoison(self.marks.lock()).push(mark);
        }
    }

    /// A look: under loom one count.
    #[inline]
    pub(crate) fn look(&self) {
        #[cfg(loom)]
        backend::LoomArc::strong_count(&self.count);
    }
}

#[cfg(loom)]
impl Drop for LoomPoint {
    /// Gives the clones back (each a scheduling point of the dropping thread). While it
    /// unwinds, loom may be tearing the execution down, so they are let go without loom.
    fn drop(&mut self) {
        let marks = std::mem::take(&mut *backend::unpoison(self.marks.lock()));
        if std::thread::panicking() {
            std::mem::forget(marks);
        }
    }
}

/// The scheduling points that let a try-acquire land inside another thread's critical
/// section, one probe per lock. Only plain tries (whose failure the caller sees: a plain try,
/// a zero timeout) use them: a timed attempt that fails parks and retries when the holder
/// releases, which ends the same as running after the release.
///
/// A simulated thread runs from one scheduling point to the next with no other thread in
/// between, and a try that fails must be able to land between any two steps of the holder's
/// critical section, including before and after work on data the checker cannot see (a
/// `std::sync::Mutex`, plain data).
///
/// **Under loom** raw loom never fails a contended `try_lock` (loom issue #376), for two
/// reasons measured on loom 0.7: a critical section with no operation that depends on the try
/// has no scheduling point where the try could run while the lock is held; and a try already
/// pending on the lock when another thread takes it is blocked until the lock is free, so it
/// succeeds. So the probe is a loom atomic (the lock's
/// [`TryWatch`](lockstep_engine::try_watch::TryWatch) holds it): every holder *loads* it right
/// after taking the lock and right before releasing it, and every plain try *stores* to it
/// before its backend try. Loads never depend on each other, so a program without tries
/// explores exactly what raw loom does (two extra branches per critical section, no extra
/// execution); a try depends on every holder's loads, so loom's partial-order reduction
/// schedules it inside the critical section at both ends, where the backend try fails. Both
/// accesses are `Relaxed`: the probe orders nothing else.
///
/// Between the two ends a try must land too, between any two of the holder's steps: the
/// holder's other loom operations inside the critical section do not depend on the try, so
/// loom would never run the try between two stretches of invisible work they separate
/// (`x *= 2; unrelated.store(1); x *= 3` against a try never saw the try between the
/// doubling and the tripling). So while a try is stopped at its store, every holder loads the
/// probe again before each of its operations (`Caller::pass_stopped_tries`, from each
/// operation's pending record): ghost state tells when, so a program whose tries never wait
/// at their store while the lock is held passes nothing more.
///
/// A holder that yields inside its critical section needs more: after a `yield_now` loom
/// runs another thread for at least one step before the yielder, and never backtracks to
/// let the yielder go first. A try stopped at its store is then made to store right at the
/// yield, so it could never land after the yielder's later work (shuttle's
/// `mutex_rwlock_interaction` missed `11`). A try whose store ran while a holder of the lock
/// yielded therefore stores once more (see [`TryProbe::plain_try`]): the new store is a
/// scheduling point of its own, where loom can run the holder on past its yield and then the
/// try before the release. Only such tries store again, so programs without yields in a
/// critical section that a try races explore what they did. The loop ends: a try stores again
/// only if a holder yielded while it waited at its store, and once it runs on it stores at
/// once; waiting again takes another preemption of the trying thread.
///
/// **Under shuttle** a switch can happen before every backend operation, but a holder runs
/// from its acquire to its next backend operation with no scheduling point in between, so a
/// try never failed *before* the holder's first step. A holder passes a scheduling point
/// right after its acquire, but only while some plain try of the lock is stopped at its own
/// scheduling point (the lock's [`TryWatch`](lockstep_engine::try_watch::TryWatch)): a
/// program with no try passes none, so its schedules (the seed corpus) are unchanged. That
/// is enough: any try that could land right after the acquire can be brought to its
/// scheduling point before it, since nothing it does before its try depends on the acquire
/// (only a try observes a lock being held); shuttle can run it up to there at the
/// scheduling point before the acquire, and then switch at the new point. Its release is a
/// scheduling point already.
pub(crate) struct TryProbe;

impl TryProbe {
    /// A probe for a new lock (`object`, not shared yet): under loom its watch gets its probe.
    pub(crate) fn new(object: &ObjectInfo) -> Self {
        object.tries.attach_probe();
        TryProbe
    }

    /// The calling thread has just taken the probe's lock: under loom it passes the probe.
    #[cfg(loom)]
    #[inline]
    pub(crate) fn held(&self, _holder: &Holder, object: &Arc<ObjectInfo>, _mode: Mode) {
        object.tries.pass_probe();
    }

    /// `holder` has just taken the probe's lock (`object`) in `mode`: under shuttle a
    /// scheduling point, if a plain try of the lock is stopped at its own.
    #[cfg(not(loom))]
    #[inline]
    pub(crate) fn held(&self, holder: &Holder, object: &Arc<ObjectInfo>, mode: Mode) {
        if object.tries.has_stopped_try() {
            holder.set_pending_on(try_kind(mode), object);
            backend::thread::sleep(Duration::ZERO);
        }
    }

    /// The calling thread is about to release the probe's lock (`object`): after everything
    /// it did while holding it, so that a try can fail there too. Under loom it passes the
    /// probe; under shuttle the release is a scheduling point already.
    #[inline]
    pub(crate) fn releasing(&self, object: &ObjectInfo) {
        if backend::TRY_PROBES {
            object.tries.pass_probe();
        }
    }

    /// Runs `attempt`, a plain try of the probe's lock (`object`), from its scheduling point.
    ///
    /// Under loom the try touches the probe first, and once more each time a holder of the
    /// lock yielded while the try was stopped at its store (see the type's docs). Under
    /// shuttle the try counts as stopped at its scheduling point, the backend try's own, until
    /// it has run.
    #[inline]
    pub(crate) fn plain_try<G>(
        &self,
        object: &ObjectInfo,
        attempt: impl FnOnce() -> Option<G>,
    ) -> Option<G> {
        #[cfg(loom)]
        loop {
            let yields = object.tries.holder_yields();
            {
                let _stopped = object.tries.stop_try();
                object.tries.touch_probe();
            }
            if object.tries.holder_yields() == yields {
                break;
            }
        }
        #[cfg(not(loom))]
        let _stopped = object.tries.stop_try();
        attempt()
    }
}

/// A thread that holds locks yields: each of them counts a holder's yield (see
/// [`TryProbe`]; only loom needs it).
fn holder_yields(caller: &Caller) {
    if cfg!(loom) {
        caller.with_held(|held| {
            for hold in held.iter() {
                hold.object.tries.holder_yielded();
            }
        });
    }
}

/// Where a writer of a writer-preferring RwLock arrives (from then on it holds back new
/// readers), as one backend operation of its own, so that the checker orders each arrival
/// against each read's decision (see `sync::rwlock_policy`).
///
/// A thread's ghost state changes when it runs, which is right after its previous scheduling
/// point: a writer marked queued there, before its backend `write`, would hold back every
/// read that comes after that point, and a read that reached the lock first (between the two)
/// could never be explored. So under loom the writer passes a scheduling point and marks itself
/// queued right after, and each read passes one that depends on it before it decides whether
/// to wait, so that loom's partial-order reduction runs a read on both sides of each arrival.
///
/// The points are a [`LoomPoint`]'s: a writer's arrival marks it, a read's decision looks at
/// it, so writers alone and readers alone explore what raw loom does. Under shuttle, whose scheduler may switch before any backend operation, a writer
/// arrives at its backend `try_write` instead (see [`WRITERS_ARRIVE_BY_TRYING`]) and a first
/// read decides after its backend read ([`READS_DECIDE_AFTER_READING`]); only a recursive read,
/// which has no backend operation, passes this point, as a yield.
pub(crate) struct ArrivalPoint {
    /// Marked by each writer's arrival, looked at by each read's decision.
    point: LoomPoint,
}

/// Whether a writer of a writer-preferring RwLock arrives at a backend `try_write` of its own
/// (then, if that fails, waits in `write`) rather than at an [`ArrivalPoint`]: under shuttle,
/// which switches threads right before the try and runs the writer on right after it, so the
/// try is the arrival, and where the lock is free it is the only scheduling point of the
/// write, as the backend `write` would have been. Not under loom, which blocks a try that is
/// pending on a lock another thread takes until the lock is free (loom issue #376).
pub(crate) const WRITERS_ARRIVE_BY_TRYING: bool = cfg!(not(loom));

/// Whether a first read of a writer-preferring RwLock decides whether a queued writer holds it
/// back right after its backend read (or try), giving it back if so, rather than after an
/// [`ArrivalPoint`]: under shuttle, where the backend read's scheduling point comes right
/// before it, so a writer's arrival is explored on either side of the decision with no
/// scheduling point added. Not under loom, whose partial-order reduction needs an operation
/// that depends on the arrival (a backend read does not: the arrival is an `Arc`'s).
pub(crate) const READS_DECIDE_AFTER_READING: bool = cfg!(not(loom));

impl ArrivalPoint {
    /// An arrival point for a new lock.
    pub(crate) fn new() -> Self {
        ArrivalPoint {
            point: LoomPoint::new(),
        }
    }

    /// A writer arrives.
    #[inline]
    pub(crate) fn writer_arrives(&self) {
        self.point.mark();
    }

    /// A reader is about to decide whether a queued writer holds it back: under loom a look
    /// at the point; under shuttle (only a recursive read decides before a backend operation,
    /// see [`READS_DECIDE_AFTER_READING`]) a yield.
    #[inline]
    pub(crate) fn reader_arrives(&self) {
        self.point.look();
        #[cfg(not(loom))]
        backend::thread::yield_now();
    }
}

/// Parks until `ticket` is notified or `deadline` passes on the virtual clock.
pub(crate) fn park(
    ticket: &Arc<Ticket>,
    object: &Arc<ObjectInfo>,
    mode: Mode,
    deadline: Option<Moment>,
) -> Woke {
    Caller::current().wait(
        WaitOn::Ticket {
            ticket: Arc::clone(ticket),
            object: Arc::clone(object),
            mode,
        },
        deadline,
    )
}

/// The calling thread's last timed wait timed out and the condition it waited for held
/// afterwards: marks the timeout as a liveness hint if it held already then.
pub(crate) fn condition_held_after_timeout() {
    Caller::current().condition_held_after_timeout();
}

/// The calling thread's last timed wait, an unfair semaphore's acquire, timed out after a
/// release woke it and another thread took the permits: marks the timeout as a liveness hint.
pub(crate) fn permits_taken_before_timeout() {
    Caller::current().permits_taken_before_timeout();
}

/// Wakes one waiter of a condvar's queue, any of them: the wake-up is offered to every waiter
/// queued now and the first the checker runs takes it, so each choice is a schedule (explored
/// by loom, drawn, recorded and replayed under shuttle).
#[inline]
pub(crate) fn notify_one(waiters: &WaitQueue) {
    waiters.offer_one();
}

/// The scheduling point of an object whose operations are otherwise ghost state only (a
/// condvar's `wait` and `notify_*`): one backend operation on an atomic of its own, so the
/// checker may switch threads there, and sees two operations on the object as dependent, as it
/// does at raw loom's and shuttle's own condvar operations. Without it a notification would be
/// glued to the notifier's previous operation and a wait's registration to the waiter's, and
/// the interleavings in between (a lost wakeup by an unlocked notifier) never explored.
pub(crate) struct SchedulingPoint(backend::atomic::AtomicUsize);

impl SchedulingPoint {
    /// A scheduling point of its own (made inside the execution under loom, like every loom
    /// object).
    pub(crate) fn new() -> Self {
        SchedulingPoint(backend::atomic::AtomicUsize::new(0))
    }

    /// Passes the scheduling point (a relaxed increment: no synchronization of its own).
    #[inline]
    pub(crate) fn pass(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Sleeps on the virtual clock (a zero sleep is a yield).
pub(crate) fn sleep(duration: Duration) {
    if duration.is_zero() {
        kernel::set_pending(OpKind::Sleep, None);
        let caller = Caller::try_current();
        if let Some(caller) = &caller {
            caller.retried(SpinOn::ZeroSleep);
        }
        yield_point(caller.as_ref());
        return;
    }
    let caller = Caller::current();
    caller.wait(WaitOn::Sleep, Some(now() + duration));
}

/// A spawned thread: its native handle and the thread as `Thread` shows it.
pub(crate) type Spawned<T> = (NativeJoin<T>, ThreadHandle);

/// A spawned thread's backend handle.
pub(crate) type NativeJoin<T> = backend::thread::JoinHandle<T>;

/// Where a thread's end meets `is_finished`: the scheduling point that lets an `is_finished`
/// land between the thread's last step and its end.
///
/// **Under loom** a loom atomic: the thread's end stores to it (right after its closure
/// returned and its thread-locals were dropped, right before it counts as finished) and
/// `is_finished` loads it. Both are `Relaxed`: it orders nothing, as std's `is_finished`
/// orders nothing; the answer is the kernel's (finished or not when the load ran), not the
/// loaded value, so a stale read never answers `false`. The store depends only on those
/// loads, so a program that never calls `is_finished` explores what it did without it: every
/// pair of `tests/loom_vs_raw.rs` explores as many executions with the store as without it
/// (measured on each, and on a spin loop over `yield_now`: 47 both ways). (Before loom's first
/// yield since a change stopped being a scheduling point, it did not: "yields inside critical
/// sections" went from 8 executions to 12.)
///
/// **Under shuttle** nothing: a scheduling point at every thread's end would change every
/// program's schedules (and the corpus's seeds). Shuttle runs a thread's last step and its
/// end with no switch in between, so an `is_finished` after that step finds the thread
/// finished; it may then answer as if the end had not happened yet (see [`is_finished`]).
pub(crate) struct EndPoint {
    #[cfg(loom)]
    end: backend::atomic::AtomicBool,
}

impl EndPoint {
    fn new() -> Self {
        EndPoint {
            #[cfg(loom)]
            end: backend::atomic::AtomicBool::new(false),
        }
    }

    /// The thread ends: under loom a store.
    fn pass(&self) {
        #[cfg(loom)]
        self.end.store(true, Ordering::Relaxed);
    }

    /// An `is_finished` looks: under loom a load, under shuttle a plain scheduling point.
    fn look(&self) {
        #[cfg(loom)]
        self.end.load(Ordering::Relaxed);
        #[cfg(not(loom))]
        backend::thread::sleep(Duration::ZERO);
    }
}

/// The scheduling point of an `is_finished` of `thread` ([`EndPoint`]), passed before
/// [`is_finished`] reads the answer (and before its caller takes any lock of its own).
pub(crate) fn before_is_finished(thread: &ThreadHandle) {
    let caller = Caller::current();
    caller.set_pending(OpKind::Read, Some(ObjectId::thread(thread.view.index)));
    if let Some(end) = &thread.end {
        end.look();
    }
}

/// Whether `thread` has finished, right after [`before_is_finished`]: the kernel's answer.
/// `false` while the thread runs (its closure has not returned), `true` once it finished and
/// some `is_finished` saw it, and in between, under shuttle, either: a draw from the caller's
/// `lockstep::random` stream (part of the seed) picks whether the end has happened yet, as std
/// allows while a thread exits; a draw per call, until one answers `true`. Under loom the end
/// has a scheduling point of its own, and the answer follows the interleaving (see
/// [`EndPoint`]). On both, once an `is_finished` of the thread answered `true`, every later
/// one does (row `is-finished-stays-true` of docs/CONFORMANCE.md).
pub(crate) fn is_finished<T>(_native: &NativeJoin<T>, thread: &ThreadHandle) -> bool {
    Caller::current().is_finished(thread.view.index, || {
        cfg!(not(loom)) && kernel::draw_random().is_some_and(|bits| bits & 1 == 0)
    })
}

/// The least stack a simulated thread gets, whatever its `Builder` asked for: room for the
/// checker's own frames around the body (shuttle's default is 60 KiB).
const LEAST_STACK: usize = 64 * 1024;

/// Registers and spawns `f` as a simulated thread named `name` (`thread-N` by spawn order if
/// `None`) on a stack of `stack_size` bytes if given (at least [`LEAST_STACK`]); its panic
/// becomes the execution's failure. After `f` returns, the thread drops its thread-locals,
/// passes its [`EndPoint`] and finishes.
#[track_caller]
pub(crate) fn spawn<F, T>(
    name: Option<String>,
    stack_size: Option<usize>,
    f: F,
) -> std::io::Result<Spawned<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let view = kernel::register_thread(name);
    let index = view.index;
    kernel::set_pending(OpKind::Spawn, Some(ObjectId::thread(index)));
    let end = Arc::new(EndPoint::new());
    let ends = Arc::clone(&end);
    let body = move || {
        kernel::thread_started(index);
        // The thread's end is inside: ending it can settle the clock and report a deadlock.
        kernel::run_reporting_panics(|| {
            let value = f();
            kernel::drop_thread_locals();
            ends.pass();
            kernel::thread_finished();
            value
        })
    };
    let mut builder = backend::thread::Builder::new().name(view.name.clone());
    if let Some(bytes) = stack_size {
        builder = builder.stack_size(bytes.max(LEAST_STACK));
    }
    let handle = builder.spawn(body)?;
    let thread = ThreadHandle {
        native: handle.thread().clone(),
        view,
        end: Some(end),
    };
    Ok((handle, thread))
}

/// Joins `thread`, seen by the kernel as a native wait.
pub(crate) fn join<R>(thread: &ThreadHandle, join: impl FnOnce() -> R) -> R {
    let index = thread.view.index;
    let caller = Caller::current();
    caller.begin_native_wait(WaitOn::Join { thread: index }, None);
    let result = join();
    caller.end_native_wait();
    caller.record(|| Event::Joined { child: index });
    result
}

/// A thread as `lockstep::thread::Thread` holds it: the backend's handle, the kernel's view
/// (index, canonical name, park token) and, for a thread this one spawned, its end point.
#[derive(Clone)]
pub(crate) struct ThreadHandle {
    native: backend::thread::Thread,
    view: ThreadView,
    /// Its [`EndPoint`] (`None` for `thread::current()`, which no `is_finished` asks about).
    end: Option<Arc<EndPoint>>,
}

/// A thread's identity: its index in the execution, the same in every execution.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ThreadKey(usize);

impl std::fmt::Debug for ThreadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ThreadId({})", self.0)
    }
}

impl ThreadHandle {
    /// The name it was given (`main` for the execution's first thread), as std reports it.
    pub(crate) fn name(&self) -> Option<&str> {
        self.view.named.then_some(self.view.name.as_str())
    }

    /// Its canonical name (given, or `thread-N` by spawn order).
    pub(crate) fn canonical_name(&self) -> &str {
        &self.view.name
    }

    /// Its identity in the execution.
    pub(crate) fn id(&self) -> ThreadKey {
        ThreadKey(self.view.index)
    }

    /// Makes its park token available, ghost first, then the backend's unpark (which carries
    /// the unpark's happens-before edge under loom, and is a scheduling point under shuttle, as
    /// in raw code).
    ///
    /// Loom wakes a thread blocked in a join or a lock on any unpark and then fails its own
    /// assertion (`state.notified`); raw loom code that unparks such a thread crashes loom. The
    /// facade skips the backend's unpark there: the token stays ghost state, which the thread's
    /// next `park` consumes. (Loom then misses that unpark's ordering edge, so it may show a
    /// stale read std rules out, never hide one.) Shuttle keeps a token for a thread that is
    /// not parked without disturbing its other waits, so it always gets the unpark.
    ///
    /// First the unpark meets the thread's parks at its token (`ParkToken::meet`): loom's
    /// park and unpark depend on nothing, so without it loom never runs a park between two
    /// unparks.
    pub(crate) fn unpark(&self) {
        self.view.park.meet();
        let backend_may_unpark = Caller::current().unpark(&self.view);
        if backend_may_unpark || cfg!(not(loom)) {
            self.native.unpark();
        }
    }
}

/// The calling thread.
pub(crate) fn current_thread() -> ThreadHandle {
    ThreadHandle {
        native: backend::thread::current(),
        view: kernel::current_thread(),
        end: None,
    }
}

/// Parks the calling thread until its token is available (consuming it) or `timeout` passes on
/// the virtual clock. Never returns spuriously: the backend's own wakeups (shuttle explores
/// spurious ones) park again until the token is there. It meets the thread's unparks at its
/// token first (see [`ThreadHandle::unpark`]).
pub(crate) fn park_thread(timeout: Option<Duration>) {
    let token = kernel::current_thread().park;
    token.meet();
    let deadline = timeout.and_then(|timeout| now().checked_add(timeout));
    Caller::current().wait(WaitOn::Park { token }, deadline);
}

pub(crate) use lockstep_engine::kernel::LocalSlot;

/// The calling simulated thread's slot for thread-local key `key` (panics outside a running
/// execution, as every primitive does).
pub(crate) fn thread_local(key: usize) -> LocalSlot {
    Caller::current().thread_local(key)
}

/// Gives the calling thread's key `key` its first value, unless its initializer gave it one
/// meanwhile (then `value` is dropped); returns the slot.
pub(crate) fn init_thread_local(key: usize, value: Box<dyn std::any::Any>) -> LocalSlot {
    let (slot, spare) = Caller::current().init_thread_local(key, value);
    drop(spare);
    slot
}

/// The calling thread's canonical name.
pub(crate) fn current_name() -> String {
    kernel::current_thread_name()
}

/// Records a model event in the running execution's trace.
pub(crate) fn model_event(subject: &str, detail: &dyn std::fmt::Display) {
    kernel::record_if_running(|| Event::Model {
        subject: subject.to_owned(),
        detail: detail.to_string(),
    });
}

/// The running exploration's value of size knob `name`, else `default`.
pub(crate) fn size(name: &'static str, default: usize) -> usize {
    kernel::size(name, default).unwrap_or(default)
}

/// Wraps a test body so that every execution of it starts with a fresh kernel: virtual clock
/// at zero, thread registry, object numbering, trace.
///
/// Hand the result to loom's or shuttle's own runners, or use `lockstep::explore::Explorer`,
/// which also records schedules, catches the first failure with its message and trace, and
/// writes seed files.
///
/// ```
/// let body = lockstep_facade::execution(|| {
///     let m = lockstep_facade::sync::Mutex::new(0);
///     *m.lock() += 1;
/// });
/// # #[cfg(feature = "shuttle")]
/// shuttle::check_random(body, 10);
/// # #[cfg(loom)]
/// # loom::model(body);
/// ```
pub fn execution<F>(body: F) -> impl Fn() + Send + Sync + 'static
where
    F: Fn() + Send + Sync + 'static,
{
    let setup = kernel::Setup::default();
    let executions = AtomicUsize::new(0);
    move || {
        let execution = executions.fetch_add(1, Ordering::Relaxed) + 1;
        kernel::run_execution(setup.clone(), execution, &body);
    }
}

/// Virtual time since the start of the execution.
#[inline]
pub(crate) fn since_start(moment: Moment) -> Duration {
    moment
}

/// Whether a Mutex guard or RwLock write guard dropped while its thread unwinds keeps its
/// backend guard until the thread stops panicking (see `sync::unwind_park`): under loom, whose
/// locks wrap a std lock that such a drop poisons, after which loom's next `lock` panics.
/// Shuttle's locks do not poison, so they are released at once.
pub(crate) const RELEASE_AFTER_UNWINDING: bool = cfg!(loom);

/// Runs `f` at `holder`'s first lockstep operation made while it is not panicking (at the
/// latest when the thread ends).
pub(crate) fn after_unwinding(holder: &Holder, f: impl FnOnce() + 'static) {
    holder.after_unwinding(f);
}

/// A backend lock whose address moving its facade lock does not change, so that a backend
/// guard parked past unwinding (`sync::unwind_park`) still points at it.
pub(crate) struct Anchored<T: ?Sized>(Box<T>);

impl<T> Anchored<T> {
    /// `value` at an address of its own.
    pub(crate) fn new(value: T) -> Self {
        Anchored(Box::new(value))
    }

    /// The value, moved out.
    pub(crate) fn into_inner(self) -> T {
        *self.0
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

/// Whether async locks keep held stacks (and so are checked against the hierarchy): under
/// simulation a task is a thread record with a stack of its own.
#[cfg(feature = "tokio")]
pub(crate) const ASYNC_HOLDS: bool = true;

/// The calling task's pending future awaits `object` in `mode` (for the deadlock report).
#[cfg(feature = "tokio")]
pub(crate) fn awaits(object: &Arc<ObjectInfo>, mode: Mode) {
    if let Some(caller) = Caller::try_current() {
        caller.awaits(
            kernel::Awaited::Object {
                object: Arc::clone(object),
                mode,
            },
            None,
        );
    }
}

/// Where the calling task's poll's registrations stand, to withdraw those of a future that
/// is dropped in this poll.
#[cfg(feature = "tokio")]
pub(crate) type AwaitsMark = Option<kernel::AwaitsMark>;

/// Marks where the calling task's poll's registrations stand now.
#[cfg(feature = "tokio")]
pub(crate) fn awaits_mark() -> AwaitsMark {
    Caller::try_current().and_then(|caller| caller.awaits_mark())
}

/// Withdraws what the calling task's poll registered since `mark` (its futures were dropped:
/// cancelled at their await point).
#[cfg(feature = "tokio")]
pub(crate) fn withdraw_awaits(mark: AwaitsMark) {
    if let (Some(mark), Some(caller)) = (mark, Caller::try_current()) {
        caller.withdraw_awaits(mark);
    }
}
