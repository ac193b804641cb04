//! Async tasks, shaped like `tokio::task`: [`spawn`], [`JoinHandle`], [`yield_now`].
//!
//! Under simulation every task is a thread record of the execution, named `task-N` (tasks and
//! threads share one numbering): it has a held stack, appears in traces and in deadlock
//! reports, and counts for the virtual clock (blocked while its last poll is pending).

use super::executor;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Why awaiting a [`JoinHandle`] gave no value.
///
/// ```
/// use lockstep::tokio::task::JoinError;
///
/// let error = JoinError::Cancelled { task: "task-1".into() };
/// assert!(error.is_cancelled());
/// assert_eq!(error.to_string(), "task-1 was cancelled (aborted, or its runtime shut down)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// The task was cancelled before it finished: [`JoinHandle::abort`], or its runtime
    /// (`block_on`) ended first. Its future was dropped at the await point it was pending at.
    #[error("{task} was cancelled (aborted, or its runtime shut down)")]
    Cancelled {
        /// The task (`task-N` under simulation, tokio's task id under std).
        task: String,
    },
    /// The task panicked (std only: under simulation a panicking task fails the execution).
    #[error("{task} panicked: {message}")]
    Panicked {
        /// The task (tokio's task id).
        task: String,
        /// Its panic message.
        message: String,
    },
}

impl JoinError {
    /// Whether the task was cancelled.
    ///
    /// ```
    /// use lockstep::tokio::task::JoinError;
    ///
    /// let error = JoinError::Panicked { task: "task 7".into(), message: "boom".into() };
    /// assert!(!error.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JoinError::Cancelled { .. })
    }
}

/// An owned permission to await a task's end (`.await` gives its output), like tokio's.
/// Dropping it detaches the task, which runs on.
///
/// ```
/// use lockstep::tokio::{block_on, task};
///
/// let sum = block_on(async {
///     let handle = task::spawn(async { 1 + 2 });
///     handle.await.unwrap()
/// });
/// assert_eq!(sum, 3);
/// ```
pub struct JoinHandle<T> {
    task: executor::Task<T>,
}

impl<T> JoinHandle<T> {
    /// Cancels the task: it is dropped at the await point it is pending at (or before its
    /// first poll), unless it finishes first; awaiting the handle then gives
    /// [`JoinError::Cancelled`].
    ///
    /// ```
    /// use lockstep::tokio::{block_on, task, time};
    /// use lockstep::time::Duration;
    ///
    /// let result = block_on(async {
    ///     let handle = task::spawn(time::sleep(Duration::from_secs(3600)));
    ///     handle.abort();
    ///     handle.await
    /// });
    /// assert!(result.unwrap_err().is_cancelled());
    /// ```
    pub fn abort(&self) {
        self.task.abort();
    }

    /// Whether the task has ended (finished or cancelled).
    ///
    /// ```
    /// use lockstep::tokio::{block_on, task};
    ///
    /// block_on(async {
    ///     let handle = task::spawn(async {});
    ///     while !handle.is_finished() {
    ///         task::yield_now().await;
    ///     }
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.task.poll_join(cx)
    }
}

impl<T> Unpin for JoinHandle<T> {}

/// Spawns `future` as a new task of the current runtime (panics outside
/// [`block_on`](crate::tokio::block_on)).
///
/// ```
/// use lockstep::tokio::{block_on, task};
///
/// let handles = block_on(async {
///     let a = task::spawn(async { "a" });
///     let b = task::spawn(async { "b" });
///     (a.await.unwrap(), b.await.unwrap())
/// });
/// assert_eq!(handles, ("a", "b"));
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    JoinHandle {
        task: executor::spawn(future),
    }
}

/// Yields once: the task stays runnable, and another may run first.
///
/// ```
/// lockstep::tokio::block_on(lockstep::tokio::task::yield_now());
/// ```
pub async fn yield_now() {
    executor::yield_now().await;
}

impl<T> std::fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}
