//! Threads of an execution: registered at spawn, started on their own task, finished when
//! their body returns or unwinds; and the numbering of the objects they create.

use super::{kernel, try_kernel, Caller, ThreadRecord};
use crate::backend::thread::current;
use crate::op::{ObjectId, OpKind};
use crate::trace::Event;
use crate::wait::ParkToken;
use std::sync::Arc;

/// A thread of the running execution as `thread::current()` and `JoinHandle::thread` show it.
#[derive(Clone)]
pub struct ThreadView {
    /// Its index in the execution (0 is `main`): the same in every execution of a program.
    pub index: usize,
    /// Its canonical name (given, or `thread-N` by spawn order).
    pub name: String,
    /// Whether the name was given (`Builder::name`, or `main`).
    pub named: bool,
    /// Its park token.
    pub park: Arc<ParkToken>,
}

impl ThreadView {
    fn of(index: usize, record: &ThreadRecord) -> ThreadView {
        ThreadView {
            index,
            name: record.name.clone(),
            named: record.named,
            park: Arc::clone(&record.park),
        }
    }
}

/// Registers a thread about to be spawned at the caller's location; returns it (its index,
/// canonical name, `name` or `thread-N` by spawn order, and park token).
#[track_caller]
pub fn register_thread(name: Option<String>) -> ThreadView {
    let site = std::panic::Location::caller();
    let kernel = kernel();
    let view = {
        let mut state = kernel.state.borrow_mut();
        let index = state.threads.len();
        let named = name.is_some();
        let name = name.unwrap_or_else(|| format!("thread-{index}"));
        if let Some(limit) = crate::backend::THREAD_LIMIT {
            if index >= limit {
                drop(state);
                panic!("{}", over_thread_limit(limit, index + 1, &name, site));
            }
        }
        let record = ThreadRecord::new(name, named, Some(site));
        let view = ThreadView::of(index, &record);
        state.threads.push(record);
        view
    };
    let child = view.index;
    kernel
        .setup
        .max_threads
        .fetch_max(child + 1, std::sync::atomic::Ordering::Relaxed);
    Caller::current().record(|| Event::Spawn { child });
    view
}

/// The report of a spawn past the backend's thread limit (loom's): the `number`th thread of the
/// execution, `name`, spawned at `site`.
fn over_thread_limit(
    limit: usize,
    number: usize,
    name: &str,
    site: &std::panic::Location<'_>,
) -> String {
    format!(
        "loom runs at most {limit} threads per execution (main and finished threads included); \
         this test spawned a {number}{}, {name}, at {site}; use shuttle for more threads",
        ordinal_suffix(number)
    )
}

/// `st`, `nd`, `rd` or `th`, as English writes `number`th.
fn ordinal_suffix(number: usize) -> &'static str {
    match (number % 10, number % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// The calling thread of the running execution.
pub fn current_thread() -> ThreadView {
    let kernel = kernel();
    let state = kernel.state.borrow();
    let index = state.me();
    ThreadView::of(index, &state.threads[index])
}

impl Caller {
    /// Makes thread `target`'s park token available (traced; pending as an unpark of it).
    /// Returns whether the backend may unpark `target` too: not while it is blocked in a
    /// backend lock or join (a native wait), which loom would wake and then fail its own
    /// assertion on. Anywhere else (parked, running, in a parked wait, which re-checks its
    /// condition) the backend's unpark is harmless, and it carries the unpark's ordering.
    pub fn unpark(&self, target: &ThreadView) -> bool {
        self.set_pending(
            OpKind::Unpark,
            Some(ObjectId::address(Arc::as_ptr(&target.park))),
        );
        let index = target.index;
        self.record(|| Event::Unpark { target: index });
        target.park.make_available();
        let state = self.kernel.state.borrow();
        !matches!(
            state.threads[index].wait.as_ref().map(|w| &w.on),
            Some(super::WaitOn::Acquire { .. } | super::WaitOn::Join { .. })
        )
    }
}

impl Caller {
    /// What `JoinHandle::is_finished` of thread `target` answers to this thread, right after
    /// the call's scheduling point: `false` while `target` runs, `true` once it finished, unless
    /// the end is still unseen (no `is_finished` answered `true` for it yet) and `postpone`
    /// says to answer as if it had not happened yet (a backend with no scheduling point at a
    /// thread's end decides so). Once `true`, always `true`. Traced; a `false` is a retry to the
    /// livelock detector.
    ///
    /// ```
    /// use lockstep_engine::kernel::Caller;
    ///
    /// // Only a thread of a running execution asks.
    /// assert!(Caller::try_current().map(|me| me.is_finished(1, || false)).is_none());
    /// ```
    pub fn is_finished(&self, target: usize, postpone: impl FnOnce() -> bool) -> bool {
        let (finished, seen) = {
            let state = self.kernel.state.borrow();
            let record = &state.threads[target];
            (record.finished, record.end_seen)
        };
        let answer = finished && (seen || !postpone());
        if answer {
            self.kernel.state.borrow_mut().threads[target].end_seen = true;
        }
        self.record_only(|| Event::IsFinished {
            thread: target,
            finished: answer,
        });
        if !answer {
            let thread = self.kernel.state.borrow().threads[target].name.clone();
            self.retried(super::SpinOn::IsFinished { thread });
        }
        answer
    }
}

/// Called first thing on a spawned thread, with the index [`register_thread`] gave it.
pub fn thread_started(index: usize) {
    let kernel = kernel();
    let mut state = kernel.state.borrow_mut();
    state.identity.started(index);
    let record = &mut state.threads[index];
    debug_assert!(
        record.handle.is_none() && !record.finished,
        "lockstep: thread {index} started twice"
    );
    record.handle = Some(current());
}

/// Called when a thread's body returns: its thread-local values are dropped (see
/// [`super::drop_thread_locals`]), then it no longer counts as live, which may leave every
/// remaining thread blocked.
pub fn thread_finished() {
    super::drop_thread_locals();
    let caller = Caller::current();
    {
        let mut state = caller.kernel.state.borrow_mut();
        let record = &mut state.threads[caller.index];
        debug_assert!(!record.finished, "lockstep: {} finished twice", record.name);
        record.finished = true;
        record.wait = None;
    }
    caller.record(|| Event::Exit);
    caller.kernel.settle();
}

/// The canonical name of the calling thread.
pub fn current_thread_name() -> String {
    let kernel = kernel();
    let state = kernel.state.borrow();
    state.threads[state.me()].name.clone()
}

/// The next object number of the running execution, if one is running: unnamed objects are
/// named by it, so the same program always names its objects the same way.
pub fn next_object_seq() -> Option<usize> {
    let kernel = try_kernel()?;
    let mut state = kernel.state.borrow_mut();
    state.next_object += 1;
    Some(state.next_object - 1)
}
