//! The async facade's one backend switch: who runs the tasks and who keeps the time.
//!
//! Under std, tokio: a multi-threaded runtime, `tokio::spawn`, tokio's timer. Under shuttle,
//! shuttle's futures executor, with every top-level poll (a task's, and the root future's in
//! `block_on`) reported to the kernel, so that a task is a thread record (an index, a name, a
//! held stack) and a pending poll is its wait; time is the kernel's virtual clock. The items
//! below are twins: the same names and signatures for both backends.

#[cfg(not(feature = "shuttle"))]
mod imp {
    use crate::time::Instant;
    use crate::tokio::task::JoinError;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// Runs `future` to its end on a new tokio runtime (multi-threaded, with its timer), then
    /// shuts the runtime down, which cancels the tasks still running.
    pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_multi_thread()
            .enable_time()
            .build()
            .expect("lockstep::tokio: the tokio runtime could not start")
            .block_on(future)
    }

    /// A spawned tokio task.
    pub(crate) struct Task<T>(tokio::task::JoinHandle<T>);

    /// Spawns `future` on the current tokio runtime, with a held stack of its own.
    #[track_caller]
    pub(crate) fn spawn<F>(future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Task(tokio::spawn(crate::ghost::task_scope(future)))
    }

    impl<T> Task<T> {
        pub(crate) fn abort(&self) {
            self.0.abort();
        }

        pub(crate) fn is_finished(&self) -> bool {
            self.0.is_finished()
        }

        pub(crate) fn poll_join(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
            Pin::new(&mut self.0).poll(cx).map(|result| {
                result.map_err(|error| {
                    let task = format!("task {}", error.id());
                    if error.is_cancelled() {
                        JoinError::Cancelled { task }
                    } else {
                        let message = crate::panic_message(&*error.into_panic());
                        JoinError::Panicked { task, message }
                    }
                })
            })
        }
    }

    /// Yields to the runtime once.
    pub(crate) async fn yield_now() {
        tokio::task::yield_now().await;
    }

    /// tokio's timer, made at the first poll (so a sleep can be made outside the runtime
    /// that will poll it, as in `block_on(timeout(..))`).
    pub(crate) struct Sleep {
        deadline: Instant,
        timer: Option<Pin<Box<tokio::time::Sleep>>>,
    }

    /// A sleep until `deadline` on tokio's timer.
    pub(crate) fn sleep_until(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            timer: None,
        }
    }

    impl Future for Sleep {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let deadline = tokio::time::Instant::from_std(self.deadline.moment());
            self.timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)))
                .as_mut()
                .poll(cx)
        }
    }
}

#[cfg(feature = "shuttle")]
mod imp {
    use crate::time::Instant;
    use crate::tokio::task::JoinError;
    use lockstep_engine::kernel::{self, Awaited, Caller};
    use std::any::Any;
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Wake, Waker};
    use std::time::Duration;

    /// The waker lockstep hands a task's futures: it tells the kernel the task is runnable,
    /// then wakes it in shuttle.
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

    /// Polls `future` as the calling task's (or `block_on` thread's) top-level future: the
    /// kernel sees the poll begin and end, and an idle `Pending` blocks the task.
    fn poll_as_task<F: Future + ?Sized>(
        future: Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> Poll<F::Output> {
        let caller = Caller::current();
        caller.poll_begins();
        let waker = Waker::from(Arc::new(TaskWaker {
            task: caller.index(),
            native: cx.waker().clone(),
        }));
        let poll = future.poll(&mut Context::from_waker(&waker));
        match poll {
            Poll::Ready(_) => caller.poll_ready(),
            Poll::Pending => caller.poll_pending(&waker),
        }
        poll
    }

    /// Whether a task has ended, and who awaits its end.
    #[derive(Default)]
    struct Ending {
        ended: bool,
        joiners: Vec<Waker>,
    }

    /// What a task's handle, its runtime and the task itself share.
    struct TaskShared {
        index: usize,
        abort: shuttle::future::AbortHandle,
        ending: Arc<Mutex<Ending>>,
    }

    /// The tasks of one `block_on`: those still running when its future ends are cancelled.
    #[derive(Default)]
    struct Runtime {
        tasks: RefCell<Vec<Arc<TaskShared>>>,
    }

    /// The runtime the caller runs in (panics outside `block_on`, as tokio's `spawn` does
    /// outside a runtime).
    fn current_runtime(caller: &Caller) -> Rc<Runtime> {
        caller
            .runtime()
            .and_then(|runtime| Rc::downcast::<Runtime>(runtime).ok())
            .unwrap_or_else(|| {
                panic!(
                    "lockstep::tokio: a task was spawned outside `lockstep::tokio::block_on`; \
                     run the async body with `lockstep::tokio::block_on(async {{ .. }})`"
                )
            })
    }

    /// Runs `future` to its end as the calling thread's root future, then cancels the tasks
    /// still running (as dropping a tokio runtime does) and awaits their end.
    pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
        let caller = Caller::current();
        let runtime = Rc::new(Runtime::default());
        let outer = caller.runtime();
        caller.set_runtime(Some(Rc::clone(&runtime) as Rc<dyn Any>));
        let body = async {
            let output = future.await;
            shut_down(&runtime).await;
            output
        };
        let mut body = Box::pin(body);
        let output =
            shuttle::future::block_on(std::future::poll_fn(|cx| poll_as_task(body.as_mut(), cx)));
        Caller::current().set_runtime(outer);
        output
    }

    /// Cancels every task of `runtime` that is still running and awaits their end.
    async fn shut_down(runtime: &Runtime) {
        let tasks = std::mem::take(&mut *runtime.tasks.borrow_mut());
        for task in &tasks {
            if !task.ending.lock().unwrap().ended {
                abort(task);
            }
        }
        for task in &tasks {
            std::future::poll_fn(|cx| poll_end(task, cx)).await;
        }
    }

    /// Cancels `task`: shuttle drops its future at its next poll, which it wakes it for
    /// (not through the task's lockstep waker, so the kernel is told here).
    fn abort(task: &TaskShared) {
        task.abort.abort();
        kernel::task_woken(task.index);
    }

    /// Ready once `task` has ended.
    fn poll_end(task: &TaskShared, cx: &mut Context<'_>) -> Poll<()> {
        let mut ending = task.ending.lock().unwrap();
        if ending.ended {
            return Poll::Ready(());
        }
        ending.joiners.push(cx.waker().clone());
        drop(ending);
        Caller::current().awaits(Awaited::Task { thread: task.index }, None);
        Poll::Pending
    }

    /// Where a task's result waits for its handle.
    type ResultSlot<T> = Arc<Mutex<Option<Result<T, JoinError>>>>;

    /// A spawned task: its result, once it ended, and shuttle's handle.
    pub(crate) struct Task<T> {
        shared: Arc<TaskShared>,
        result: ResultSlot<T>,
        _native: shuttle::future::JoinHandle<()>,
    }

    /// Registers `future` as a task (`task-N`) and spawns it on shuttle's executor.
    #[track_caller]
    pub(crate) fn spawn<F>(future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let runtime = current_runtime(&Caller::current());
        let index = kernel::register_task();
        let result = Arc::new(Mutex::new(None));
        let ending = Arc::new(Mutex::new(Ending::default()));
        let native = shuttle::future::spawn(TaskBody {
            index,
            started: false,
            ended: false,
            future: Some(Box::pin(future)),
            result: Arc::clone(&result),
            ending: Arc::clone(&ending),
        });
        let shared = Arc::new(TaskShared {
            index,
            abort: native.abort_handle(),
            ending,
        });
        runtime.tasks.borrow_mut().push(Arc::clone(&shared));
        Task {
            shared,
            result,
            _native: native,
        }
    }

    impl<T> Task<T> {
        pub(crate) fn abort(&self) {
            abort(&self.shared);
        }

        pub(crate) fn is_finished(&self) -> bool {
            self.shared.ending.lock().unwrap().ended
        }

        pub(crate) fn poll_join(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
            if let Some(result) = self.result.lock().unwrap().take() {
                return Poll::Ready(result);
            }
            poll_end(&self.shared, cx).map(|()| {
                self.result
                    .lock()
                    .unwrap()
                    .take()
                    .expect("lockstep::tokio: a JoinHandle was polled after it returned")
            })
        }
    }

    /// The future shuttle runs for a task: starts the kernel's thread record at its first poll,
    /// polls the task's future as a task, and ends the record when the future returns or is
    /// dropped (aborted: cancelled at its await point).
    struct TaskBody<F: Future> {
        index: usize,
        started: bool,
        ended: bool,
        future: Option<Pin<Box<F>>>,
        result: ResultSlot<F::Output>,
        ending: Arc<Mutex<Ending>>,
    }

    impl<F: Future> TaskBody<F> {
        fn start(&mut self) {
            if !self.started {
                self.started = true;
                kernel::thread_started(self.index);
            }
        }

        /// Publishes the result and wakes the joiners before the kernel sees the task end, so
        /// that no joiner counts as blocked when the end settles the clock.
        fn end(&mut self, result: Result<F::Output, JoinError>) {
            debug_assert!(!self.ended, "lockstep: task-{} ended twice", self.index);
            self.ended = true;
            *self.result.lock().unwrap() = Some(result);
            let joiners = {
                let mut ending = self.ending.lock().unwrap();
                ending.ended = true;
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
            this.start();
            let future = this
                .future
                .as_mut()
                .expect("lockstep: a task was polled after it ended");
            let poll = kernel::run_reporting_panics(|| poll_as_task(future.as_mut(), cx));
            match poll {
                Poll::Ready(value) => {
                    this.future = None;
                    // On a multi-threaded runtime another worker may run between a task's
                    // last poll and its end becoming visible: an `abort` or `is_finished`
                    // there sees a running task that then finishes with its output. The one
                    // scheduling point that lets shuttle reach that.
                    shuttle::thread::yield_now();
                    this.end(Ok(value));
                    Poll::Ready(())
                }
                Poll::Pending => Poll::Pending,
            }
        }
    }

    impl<F: Future> Unpin for TaskBody<F> {}

    impl<F: Future> Drop for TaskBody<F> {
        /// A task dropped before it ended was cancelled (aborted, or its runtime shut down):
        /// its future is dropped first, releasing what it holds and leaving the queues it
        /// waits in, then it ends. During an execution's teardown (another task, or no task,
        /// runs) the future is only dropped.
        fn drop(&mut self) {
            if self.ended || std::thread::panicking() {
                return;
            }
            let index = self.index;
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.start();
                if Caller::try_current().is_some_and(|caller| caller.index() == index) {
                    self.future = None;
                    self.end(Err(JoinError::Cancelled {
                        task: format!("task-{index}"),
                    }));
                }
            }));
        }
    }

    /// Yields to the scheduler once (the task stays runnable).
    pub(crate) async fn yield_now() {
        shuttle::future::yield_now().await;
    }

    /// A sleep on the virtual clock: ready once the clock reaches its deadline, which the
    /// kernel moves to when every thread and task is blocked and it is the earliest.
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
}

pub(crate) use imp::*;
