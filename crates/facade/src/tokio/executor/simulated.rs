//! The simulated executor: tasks as thread records of the kernel, on the virtual clock.
//!
//! Every top-level poll (a task's, and the root future's in `block_on`) goes through
//! [`poll_as_task`], so the kernel sees it begin and end and an idle `Pending` blocks the task.
//! A task's handle, its runtime and the task itself share a [`TaskShared`]: whether it ended
//! (under the backend's `EndLock`), who awaits its end, whether it was aborted. Abort is a flag
//! the task reads at each poll: an aborted task drops its future there (at the await point it
//! is pending at, or before its first poll) and ends as cancelled. What runs the polls is
//! `super::native` (shuttle's executor, or a loom thread per task).

use super::native::{self, EndLock};
use crate::time::Instant;
use crate::tokio::task::JoinError;
use lockstep_engine::kernel::{self, Awaited, Caller};
use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// The waker lockstep hands a task's futures: it tells the kernel the task is runnable, then
/// wakes it in the backend.
struct TaskWaker {
    task: usize,
    native: Waker,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        kernel::task_woken(self.task);
        self.native.wake_by_ref();
    }
}

/// A task's top-level waker, made at its first poll and kept while the executor hands it the
/// same one (so a poll clones no backend waker: under loom a clone is a scheduling point).
#[derive(Default)]
struct TopWaker {
    made: Option<(Arc<TaskWaker>, Waker)>,
}

impl TopWaker {
    /// Task `task`'s waker for a poll in `cx`.
    fn for_poll(&mut self, task: usize, cx: &Context<'_>) -> &Waker {
        let stale = !matches!(&self.made, Some((made, _)) if same_waker(&made.native, cx.waker()));
        if stale {
            let made = Arc::new(TaskWaker {
                task,
                native: cx.waker().clone(),
            });
            self.made = Some((Arc::clone(&made), Waker::from(made)));
        }
        &self.made.as_ref().expect("made above").1
    }
}

/// Whether `a` and `b` wake the same task. Loom's `block_on` hands one waker to every poll,
/// but a clone of it has a vtable at another address (so `will_wake` says no): the same data
/// (its notify) is the same waker there.
fn same_waker(a: &Waker, b: &Waker) -> bool {
    a.will_wake(b) || a.data() == b.data()
}

/// Polls `future` as the calling task's (or `block_on` thread's) top-level future with its
/// top-level `waker`: the kernel sees the poll begin and end, and an idle `Pending` blocks the
/// task.
fn poll_as_task<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    let caller = Caller::current();
    caller.poll_begins();
    let poll = future.poll(&mut Context::from_waker(waker));
    match poll {
        Poll::Ready(_) => caller.poll_ready(),
        Poll::Pending => caller.poll_pending(waker),
    }
    poll
}

/// Whether a task has ended, who awaits its end, and how to reach it to abort it.
#[derive(Default)]
struct Ending {
    ended: bool,
    aborted: bool,
    joiners: Vec<Waker>,
    /// The task's top-level waker, from its first poll until its end.
    waker: Option<Waker>,
}

/// What a task's handle, its runtime and the task itself share.
struct TaskShared {
    index: usize,
    ending: EndLock<Ending>,
    /// `Ending::aborted`, read by the task's later polls without the lock: an abort after the
    /// first poll wakes the task, and its next poll follows that wake-up.
    aborted: AtomicBool,
    /// Whether someone saw the task end (then its runtime need not look again).
    seen_ended: AtomicBool,
}

impl TaskShared {
    fn ending(&self) -> impl std::ops::DerefMut<Target = Ending> + '_ {
        crate::backend::unpoison(self.ending.lock())
    }
}

/// The tasks of one `block_on`: those still running when its future ends are cancelled.
#[derive(Default)]
struct Runtime {
    tasks: RefCell<Vec<Arc<TaskShared>>>,
}

/// The runtime the caller runs in (panics outside `block_on`, as tokio's `spawn` does outside
/// a runtime).
fn current_runtime(caller: &Caller) -> Rc<Runtime> {
    caller
        .runtime()
        .and_then(|runtime| Rc::downcast::<Runtime>(runtime).ok())
        .unwrap_or_else(|| {
            panic!(
                "lockstep::tokio: a task was spawned outside `lockstep::tokio::block_on`; run \
                 the async body with `lockstep::tokio::block_on(async {{ .. }})`"
            )
        })
}

/// Runs `future` to its end as the calling thread's root future, then cancels the tasks
/// still running (as dropping a tokio runtime does) and awaits their end.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let caller = Caller::current();
    let index = caller.index();
    let runtime = Rc::new(Runtime::default());
    let outer = caller.runtime();
    caller.set_runtime(Some(Rc::clone(&runtime) as Rc<dyn Any>));
    let body = async {
        let output = future.await;
        shut_down(&runtime).await;
        output
    };
    let mut body = Box::pin(body);
    let mut top = TopWaker::default();
    let output = native::block_on(std::future::poll_fn(|cx| {
        poll_as_task(body.as_mut(), top.for_poll(index, cx))
    }));
    Caller::current().set_runtime(outer);
    output
}

/// Cancels every task of `runtime` that may still run and awaits their end.
async fn shut_down(runtime: &Runtime) {
    let tasks = std::mem::take(&mut *runtime.tasks.borrow_mut());
    let running: Vec<_> = tasks
        .iter()
        .filter(|task| !task.seen_ended.load(Ordering::Relaxed))
        .collect();
    for task in &running {
        abort(task);
    }
    for task in &running {
        std::future::poll_fn(|cx| poll_end(task, cx)).await;
    }
}

/// Cancels `task` unless it ended: it drops its future at its next poll, which it is woken
/// for.
fn abort(task: &TaskShared) {
    native::before_end_state();
    let waker = {
        let mut ending = task.ending();
        if ending.ended {
            return;
        }
        ending.aborted = true;
        task.aborted.store(true, Ordering::Relaxed);
        ending.waker.clone()
    };
    // Not yet polled: it sees the flag at its first poll.
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Ready once `task` has ended.
fn poll_end(task: &TaskShared, cx: &mut Context<'_>) -> Poll<()> {
    let mut ending = task.ending();
    if ending.ended {
        task.seen_ended.store(true, Ordering::Relaxed);
        return Poll::Ready(());
    }
    ending.joiners.push(cx.waker().clone());
    drop(ending);
    Caller::current().awaits(Awaited::Task { thread: task.index }, None);
    Poll::Pending
}

/// Where a task's result waits for its handle.
type ResultSlot<T> = Arc<Mutex<Option<Result<T, JoinError>>>>;

/// A spawned task: its result, once it ended.
pub(crate) struct Task<T> {
    shared: Arc<TaskShared>,
    result: ResultSlot<T>,
}

/// Registers `future` as a task (`task-N`) and spawns it on the backend.
#[track_caller]
pub(crate) fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = current_runtime(&Caller::current());
    let index = kernel::register_task();
    let result = Arc::new(Mutex::new(None));
    let shared = Arc::new(TaskShared {
        index,
        ending: EndLock::new(Ending::default()),
        aborted: AtomicBool::new(false),
        seen_ended: AtomicBool::new(false),
    });
    runtime.tasks.borrow_mut().push(Arc::clone(&shared));
    native::spawn(
        index,
        TaskBody {
            shared: Arc::clone(&shared),
            polled: false,
            top: TopWaker::default(),
            future: Some(Box::pin(future)),
            result: Arc::clone(&result),
        },
    );
    Task { shared, result }
}

impl<T> Task<T> {
    pub(crate) fn abort(&self) {
        abort(&self.shared);
    }

    pub(crate) fn is_finished(&self) -> bool {
        native::before_end_state();
        let ended = self.shared.ending().ended;
        if ended {
            self.shared.seen_ended.store(true, Ordering::Relaxed);
        }
        ended
    }

    pub(crate) fn poll_join(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        poll_end(&self.shared, cx).map(|()| {
            self.result
                .lock()
                .unwrap()
                .take()
                .expect("lockstep::tokio: a JoinHandle was polled after it returned")
        })
    }
}

/// The future the backend runs for a task: starts the kernel's thread record at its first
/// poll, polls the task's future as a task, and ends the record when the future returns or is
/// dropped because the task was aborted (cancelled at its await point).
struct TaskBody<F: Future> {
    shared: Arc<TaskShared>,
    polled: bool,
    top: TopWaker,
    future: Option<Pin<Box<F>>>,
    result: ResultSlot<F::Output>,
}

impl<F: Future> TaskBody<F> {
    /// Starts the thread record and hands the task's waker to its abort at the first poll;
    /// returns whether the task was aborted.
    fn aborted(&mut self, waker: &Waker) -> bool {
        if self.polled {
            return self.shared.aborted.load(Ordering::Relaxed);
        }
        self.polled = true;
        kernel::thread_started(self.shared.index);
        let mut ending = self.shared.ending();
        ending.waker = Some(waker.clone());
        ending.aborted
    }

    /// Publishes the result and wakes the joiners before the kernel sees the task end, so
    /// that no joiner counts as blocked when the end settles the clock.
    fn end(&mut self, result: Result<F::Output, JoinError>) {
        *self.result.lock().unwrap() = Some(result);
        let joiners = {
            let mut ending = self.shared.ending();
            debug_assert!(
                !ending.ended,
                "lockstep: task-{} ended twice",
                self.shared.index
            );
            ending.ended = true;
            ending.waker = None;
            std::mem::take(&mut ending.joiners)
        };
        for joiner in joiners {
            joiner.wake();
        }
        kernel::thread_finished();
    }
}

impl<F: Future> Future for TaskBody<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let index = this.shared.index;
        let waker = this.top.for_poll(index, cx).clone();
        if this.aborted(&waker) {
            // Dropped at its await point, in the task's own context: what it holds is
            // released and the queues it waits in are left before it ends.
            this.future = None;
            this.end(Err(JoinError::Cancelled {
                task: format!("task-{index}"),
            }));
            return Poll::Ready(());
        }
        let future = this
            .future
            .as_mut()
            .expect("lockstep: a task was polled after it ended");
        let poll = kernel::run_reporting_panics(|| poll_as_task(future.as_mut(), &waker));
        match poll {
            Poll::Ready(value) => {
                this.future = None;
                native::before_end_state();
                this.end(Ok(value));
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: Future> Unpin for TaskBody<F> {}

/// Yields to the scheduler once (the task stays runnable).
pub(crate) async fn yield_now() {
    native::yield_now().await;
}

/// A sleep on the virtual clock: ready once the clock reaches its deadline, which the kernel
/// moves to when every thread and task is blocked and it is the earliest.
pub(crate) struct Sleep {
    until: Duration,
}

/// A sleep until `deadline` on the virtual clock.
pub(crate) fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        until: deadline.since_start(),
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if kernel::now() >= self.until {
            return Poll::Ready(());
        }
        let until = self.until;
        Caller::current().awaits(Awaited::Sleep { until }, Some((until, cx.waker())));
        Poll::Pending
    }
}
