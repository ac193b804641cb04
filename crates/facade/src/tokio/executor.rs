//! The async facade's one backend switch: who runs the tasks and who keeps the time.
//!
//! Under std, tokio: a multi-threaded runtime, `tokio::spawn`, tokio's timer (`imp` below).
//! Under simulation, [`simulated`]: every top-level poll (a task's, and the root future's in
//! `block_on`) is reported to the kernel, so that a task is a thread record (an index, a name,
//! a held stack) and a pending poll is its wait; time is the kernel's virtual clock. What runs
//! the polls is the one thing the simulated backends differ in (`native` below): under shuttle
//! its futures executor, each task a shuttle task; under loom, which has no executor, each
//! task a loom thread running `loom::future::block_on` (a `Pending` parks the thread on
//! loom's notify, a wake notifies it), so at most 4 tasks and threads per execution. The
//! items are twins: the same names and signatures for every backend.

#[cfg(not(any(loom, feature = "shuttle")))]
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
#[cfg(not(any(loom, feature = "shuttle")))]
pub(crate) use imp::*;

#[cfg(any(loom, feature = "shuttle"))]
mod simulated;
#[cfg(any(loom, feature = "shuttle"))]
pub(crate) use simulated::*;

/// Shuttle runs the polls: its futures executor.
#[cfg(feature = "shuttle")]
mod native {
    use std::future::Future;

    /// What a task's end, its handle and its runtime take to read or change whether it
    /// ended: a std lock, since shuttle switches tasks only at its own operations.
    pub(super) type EndLock<T> = std::sync::Mutex<T>;

    /// Runs `future` to its end on the calling thread, on shuttle's executor.
    pub(super) fn block_on<F: Future>(future: F) -> F::Output {
        shuttle::future::block_on(future)
    }

    /// Spawns the body of task number `index` on shuttle's executor, detached.
    pub(super) fn spawn(_index: usize, body: impl Future<Output = ()> + Send + 'static) {
        drop(shuttle::future::spawn(body));
    }

    /// The scheduling point before each access to a task's end state (its end, an `abort`,
    /// `is_finished`), which takes the [`EndLock`], no scheduling point under shuttle: on a
    /// multi-threaded runtime another worker may run between a task's last poll and its end
    /// becoming visible, an abort races with the task's polls, and another worker may end the
    /// task (finished, or cancelled by an abort) just before `is_finished` looks. Those are
    /// atomic operations on tokio's task state (and shuttle's own `abort` is such a point).
    pub(super) fn before_end_state() {
        shuttle::thread::yield_now();
    }

    /// Yields to the scheduler once (the task stays runnable).
    pub(super) async fn yield_now() {
        shuttle::future::yield_now().await;
    }
}

/// Loom runs the polls: each task a loom thread in `loom::future::block_on`.
#[cfg(loom)]
mod native {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// Loom's threads per execution, `main` included (loom's own bound, which it asserts).
    const LOOM_MAX_THREADS: usize = 5;

    /// What a task's end, its handle and its runtime take to read or change whether it
    /// ended: a loom lock, so that loom sees those accesses depend on each other and explores
    /// both orders of an end and an `abort` or `is_finished` (tokio's task state word).
    pub(super) type EndLock<T> = loom::sync::Mutex<T>;

    /// Runs `future` to its end on the calling loom thread: loom's `block_on`.
    pub(super) fn block_on<F: Future>(future: F) -> F::Output {
        loom::future::block_on(future)
    }

    /// Spawns the body of task number `index` (its index among the execution's threads and
    /// tasks) on a loom thread of its own, detached. Panics with lockstep's message if loom
    /// has no thread left for it.
    pub(super) fn spawn(index: usize, body: impl Future<Output = ()> + Send + 'static) {
        assert!(
            index < LOOM_MAX_THREADS,
            "lockstep::tokio: task-{index} cannot be spawned: under loom every task is a loom \
             thread, and loom runs at most {} spawned threads ({LOOM_MAX_THREADS} with main) per \
             execution; this execution already has {index} threads and tasks (main included)",
            LOOM_MAX_THREADS - 1,
        );
        drop(loom::thread::spawn(move || loom::future::block_on(body)));
    }

    /// Nothing: taking the [`EndLock`] right after is the scheduling point, and loom orders
    /// it against the other accesses of the task's end state (an end, an `abort`,
    /// `is_finished`, a join).
    pub(super) fn before_end_state() {}

    /// Yields once: wakes the task and returns `Pending`, so that loom's `block_on` goes
    /// through its notify (a scheduling point where another thread may run) and polls again.
    pub(super) fn yield_now() -> impl Future<Output = ()> {
        YieldNow { yielded: false }
    }

    /// The future of [`yield_now`].
    struct YieldNow {
        yielded: bool,
    }

    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.yielded {
                return Poll::Ready(());
            }
            self.yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}
