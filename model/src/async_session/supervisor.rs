//! The requests' bookkeeping and the supervisor that waits, on a `Notify`, for all of them to
//! finish.

use super::classes::PROGRESS;
use lockstep::time::{Duration, Instant};
use lockstep::tokio::sync::{Mutex, Notify};
use lockstep::tokio::time;
use thiserror::Error;

/// A request cancelled by its caller's deadline: which, and when (virtual time since the start).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cancelled {
    /// The request, e.g. `send 2 (session 0)`.
    pub request: String,
    /// The session it ran on.
    pub session: usize,
    /// When its deadline fired.
    pub at: Duration,
}

/// Why the supervisor gave up waiting.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SupervisionError {
    /// Every request had finished, but the supervisor was not woken for the last of them.
    #[error(
        "supervisor lost a wake-up: all {expected} requests had finished by t = {last:?}, but \
         Notify \"async-finished\" did not wake it; it found out at its {patience:?} patience \
         deadline (t = {now:?})"
    )]
    LostWakeUp {
        /// How many requests there were.
        expected: usize,
        /// When the last one finished.
        last: Duration,
        /// How long the supervisor waits for the next one.
        patience: Duration,
        /// When it gave up.
        now: Duration,
    },
    /// Some requests had not finished, and none finished for `patience`.
    #[error("supervisor: {finished} of {expected} requests finished, none for {patience:?}")]
    Stalled {
        /// How many had finished.
        finished: usize,
        /// How many requests there were.
        expected: usize,
        /// How long it waited.
        patience: Duration,
    },
}

#[derive(Default)]
struct Book {
    finished: usize,
    last: Duration,
    cancelled: Vec<Cancelled>,
}

/// How many requests finished, which were cancelled, and the `Notify` that tells the
/// supervisor.
///
/// ```
/// use lockstep::time::Duration;
/// use model::async_session::supervisor::Progress;
///
/// let progress = Progress::new(false);
/// lockstep::tokio::block_on(async {
///     progress.finish(None).await;
///     progress.supervise(1, Duration::from_secs(60)).await.unwrap();
/// });
/// ```
pub struct Progress {
    book: Mutex<Book>,
    finished: Notify,
    /// The planted bug [`super::NOTIFY_WAITERS_BEFORE_WAIT`].
    wake_with_notify_waiters: bool,
}

impl Progress {
    /// Nothing finished yet. `wake_with_notify_waiters` plants the lost wake-up.
    ///
    /// ```
    /// let progress = model::async_session::supervisor::Progress::new(false);
    /// assert!(lockstep::tokio::block_on(progress.cancelled()).is_empty());
    /// ```
    pub fn new(wake_with_notify_waiters: bool) -> Self {
        Progress {
            book: Mutex::ranked(PROGRESS, Book::default()),
            finished: Notify::named("async-finished"),
            wake_with_notify_waiters,
        }
    }

    /// Records that a request finished (cancelled, if `cancelled` says so) and wakes the
    /// supervisor.
    ///
    /// ```
    /// use lockstep::time::Duration;
    /// use model::async_session::supervisor::{Cancelled, Progress};
    ///
    /// let progress = Progress::new(false);
    /// let gone = Cancelled { request: "send 1 (session 0)".into(), session: 0, at: Duration::ZERO };
    /// lockstep::tokio::block_on(progress.finish(Some(gone.clone())));
    /// assert_eq!(lockstep::tokio::block_on(progress.cancelled()), vec![gone]);
    /// ```
    pub async fn finish(&self, cancelled: Option<Cancelled>) {
        let mut book = self.book.lock().await;
        book.finished += 1;
        book.last = Instant::now().since_start();
        book.cancelled.extend(cancelled);
        drop(book);
        if self.wake_with_notify_waiters {
            // The bug: no permit is kept for a supervisor between its check and `notified()`.
            self.finished.notify_waiters();
        } else {
            self.finished.notify_one();
        }
    }

    /// The requests cancelled so far, in the order they finished.
    ///
    /// ```
    /// let progress = model::async_session::supervisor::Progress::new(false);
    /// lockstep::tokio::block_on(progress.finish(None));
    /// assert!(lockstep::tokio::block_on(progress.cancelled()).is_empty());
    /// ```
    pub async fn cancelled(&self) -> Vec<Cancelled> {
        self.book.lock().await.cancelled.clone()
    }

    /// Waits until `expected` requests have finished, woken by each; a wait for the next
    /// finish lasts at most `patience`, after which it says why it gave up.
    ///
    /// ```
    /// use lockstep::time::Duration;
    /// use model::async_session::supervisor::{Progress, SupervisionError};
    ///
    /// let progress = Progress::new(false);
    /// let error = lockstep::tokio::block_on(progress.supervise(1, Duration::from_millis(1)));
    /// assert!(matches!(error, Err(SupervisionError::Stalled { finished: 0, expected: 1, .. })));
    /// ```
    pub async fn supervise(
        &self,
        expected: usize,
        patience: Duration,
    ) -> Result<(), SupervisionError> {
        loop {
            if self.book.lock().await.finished == expected {
                return Ok(());
            }
            if time::timeout(patience, self.finished.notified())
                .await
                .is_err()
            {
                let book = self.book.lock().await;
                let now = Instant::now().since_start();
                return Err(if book.finished == expected {
                    SupervisionError::LostWakeUp {
                        expected,
                        last: book.last,
                        patience,
                        now,
                    }
                } else {
                    SupervisionError::Stalled {
                        finished: book.finished,
                        expected,
                        patience,
                    }
                });
            }
        }
    }
}
