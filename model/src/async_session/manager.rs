//! The async session manager: sends and scrapes over per-session async locks and an operation
//! semaphore, every acquisition under a timeout.

use super::classes::{OPERATION_PERMITS, SESSION};
use super::{BUSY_FLAG_ACROSS_AWAIT, HALF_WRITTEN_ON_TIMEOUT};
use lockstep::scenario::Variant;
use lockstep::time::Duration;
use lockstep::tokio::sync::{Mutex, MutexGuard, Semaphore, SemaphorePermit};
use lockstep::tokio::time;
use thiserror::Error;

/// Which of the manager's planted bugs are switched on (all off: the correct manager). The
/// third, [`super::NOTIFY_WAITERS_BEFORE_WAIT`], is the supervisor's ([`super::supervisor`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bugs {
    /// See [`BUSY_FLAG_ACROSS_AWAIT`].
    pub busy_flag_across_await: bool,
    /// See [`HALF_WRITTEN_ON_TIMEOUT`].
    pub half_written_on_timeout: bool,
}

impl Bugs {
    /// The bugs a scenario variant switches on.
    ///
    /// ```
    /// use lockstep::scenario::Variant;
    /// use model::async_session::{Bugs, BUSY_FLAG_ACROSS_AWAIT};
    ///
    /// assert_eq!(Bugs::from_variant(Variant::Fixed), Bugs::default());
    /// assert!(Bugs::from_variant(Variant::Bug(BUSY_FLAG_ACROSS_AWAIT)).busy_flag_across_await);
    /// ```
    pub fn from_variant(variant: Variant) -> Self {
        Bugs {
            busy_flag_across_await: variant.has_bug(BUSY_FLAG_ACROSS_AWAIT),
            half_written_on_timeout: variant.has_bug(HALF_WRITTEN_ON_TIMEOUT),
        }
    }
}

/// How a manager is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// How many sessions (ids `0..sessions`).
    pub sessions: usize,
    /// Concurrent sends allowed (the operation semaphore's permits).
    pub operation_permits: usize,
    /// The timeout of every permit and lock acquisition.
    pub lock_timeout: Duration,
    /// Planted bugs.
    pub bugs: Bugs,
}

impl Default for Config {
    /// Two sessions, two operation permits, 30 s acquisition timeouts, no bug.
    fn default() -> Self {
        Config {
            sessions: 2,
            operation_permits: 2,
            lock_timeout: Duration::from_secs(30),
            bugs: Bugs::default(),
        }
    }
}

/// Why a request gave up. Every variant names the session.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Error)]
pub enum RequestError {
    /// A permit or lock was not acquired within the acquisition timeout.
    #[error("session {id}: {what} not acquired within {after:?}")]
    Timeout {
        /// The session.
        id: usize,
        /// What was awaited: `an operation permit` or `the session lock`.
        what: &'static str,
        /// The timeout that fired.
        after: Duration,
    },
    /// Another send on the session is in flight (only the busy-flag bug refuses sends so).
    #[error("session {id} is busy: another send is in flight")]
    Busy {
        /// The session.
        id: usize,
    },
}

/// One message in a session's outbox: its header (`seq`) and, once written, its body.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Message {
    seq: u64,
    body: Option<String>,
}

impl Message {
    fn complete(seq: u64) -> Self {
        Message {
            seq,
            body: Some(format!("payload {seq}")),
        }
    }
}

#[derive(Default)]
struct Record {
    outbox: Vec<Message>,
    /// A send is in flight with the lock let go (only the busy-flag bug sets it).
    busy: bool,
}

/// What a scrape saw in a session's record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scraped {
    /// The messages written whole, by sequence number, in outbox order.
    pub delivered: Vec<u64>,
    /// The messages with a header and no body.
    pub half_written: Vec<u64>,
    /// Whether the session was marked busy.
    pub busy: bool,
}

/// Sessions behind an operation semaphore and per-session async locks.
///
/// ```
/// use lockstep::time::Duration;
/// use model::async_session::{AsyncSessionManager, Config};
///
/// let manager = AsyncSessionManager::new(Config::default());
/// lockstep::tokio::block_on(async {
///     manager.send(0, 1, Duration::from_millis(1)).await.unwrap();
///     let scraped = manager.scrape(0).await.unwrap();
///     assert_eq!(scraped.delivered, vec![1]);
/// });
/// ```
pub struct AsyncSessionManager {
    config: Config,
    permits: Semaphore,
    sessions: Vec<Mutex<Record>>,
}

impl AsyncSessionManager {
    /// A manager with `config.sessions` empty sessions.
    ///
    /// ```
    /// use model::async_session::{AsyncSessionManager, Config};
    ///
    /// let manager = AsyncSessionManager::new(Config { sessions: 3, ..Config::default() });
    /// assert_eq!(manager.sessions(), 3);
    /// ```
    pub fn new(config: Config) -> Self {
        let sessions = (0..config.sessions)
            .map(|id| Mutex::ranked_keyed(SESSION, id as u64, Record::default()))
            .collect();
        AsyncSessionManager {
            permits: Semaphore::ranked(OPERATION_PERMITS, config.operation_permits),
            sessions,
            config,
        }
    }

    /// How many sessions there are (ids `0..sessions()`).
    ///
    /// ```
    /// use model::async_session::{AsyncSessionManager, Config};
    ///
    /// assert_eq!(AsyncSessionManager::new(Config::default()).sessions(), 2);
    /// ```
    pub fn sessions(&self) -> usize {
        self.config.sessions
    }

    /// Free operation permits now (all of them once no send is in flight).
    ///
    /// ```
    /// use model::async_session::{AsyncSessionManager, Config};
    ///
    /// assert_eq!(AsyncSessionManager::new(Config::default()).free_permits(), 2);
    /// ```
    pub fn free_permits(&self) -> usize {
        self.permits.available_permits()
    }

    /// Sends message `seq` on session `id`: an operation permit, then the session's lock (each
    /// within the acquisition timeout), then the network transfer (`transfer` of virtual
    /// time), then the message written to the outbox. Dropping the future at any await point
    /// leaves the session as it was (unless a planted bug is on).
    ///
    /// ```
    /// use lockstep::time::Duration;
    /// use model::async_session::{AsyncSessionManager, Config};
    ///
    /// let manager = AsyncSessionManager::new(Config::default());
    /// lockstep::tokio::block_on(manager.send(1, 7, Duration::from_millis(1))).unwrap();
    /// assert_eq!(manager.free_permits(), 2);
    /// ```
    pub async fn send(&self, id: usize, seq: u64, transfer: Duration) -> Result<(), RequestError> {
        let _permit = self.permit(id).await?;
        let mut record = self.lock(id).await?;
        if self.config.bugs.busy_flag_across_await {
            return self.send_with_busy_flag(id, record, seq, transfer).await;
        }
        if self.config.bugs.half_written_on_timeout {
            // The bug: the header goes out before the transfer's await, the body after it.
            record.outbox.push(Message { seq, body: None });
            lockstep::trace::event(&format!("session {id}"), format!("header of {seq} written"));
            time::sleep(transfer).await;
            let last = record.outbox.last_mut().expect("the header just written");
            *last = Message::complete(seq);
        } else {
            // The transfer is the last await; the message is written whole after it.
            time::sleep(transfer).await;
            record.outbox.push(Message::complete(seq));
        }
        lockstep::trace::event(&format!("session {id}"), format!("message {seq} written"));
        Ok(())
    }

    /// The busy-flag bug's send: the lock is let go during the transfer, a mark set before
    /// the await and cleared after it says the session is in use.
    async fn send_with_busy_flag(
        &self,
        id: usize,
        mut record: MutexGuard<'_, Record>,
        seq: u64,
        transfer: Duration,
    ) -> Result<(), RequestError> {
        if record.busy {
            return Err(RequestError::Busy { id });
        }
        record.busy = true;
        drop(record);
        time::sleep(transfer).await;
        let mut record = self.lock(id).await?;
        record.outbox.push(Message::complete(seq));
        record.busy = false;
        lockstep::trace::event(&format!("session {id}"), format!("message {seq} written"));
        Ok(())
    }

    /// Reads session `id`'s record under its lock (within the acquisition timeout).
    ///
    /// ```
    /// use model::async_session::{AsyncSessionManager, Config, Scraped};
    ///
    /// let manager = AsyncSessionManager::new(Config::default());
    /// let scraped = lockstep::tokio::block_on(manager.scrape(0)).unwrap();
    /// assert_eq!(scraped, Scraped::default());
    /// ```
    pub async fn scrape(&self, id: usize) -> Result<Scraped, RequestError> {
        let record = self.lock(id).await?;
        let mut scraped = Scraped {
            busy: record.busy,
            ..Scraped::default()
        };
        for message in &record.outbox {
            match message.body {
                Some(_) => scraped.delivered.push(message.seq),
                None => scraped.half_written.push(message.seq),
            }
        }
        Ok(scraped)
    }

    async fn permit(&self, id: usize) -> Result<SemaphorePermit<'_>, RequestError> {
        let after = self.config.lock_timeout;
        match time::timeout(after, self.permits.acquire()).await {
            Ok(permit) => Ok(permit.expect("the operation permits are never closed")),
            Err(_) => Err(RequestError::Timeout {
                id,
                what: "an operation permit",
                after,
            }),
        }
    }

    async fn lock(&self, id: usize) -> Result<MutexGuard<'_, Record>, RequestError> {
        let after = self.config.lock_timeout;
        time::timeout(after, self.sessions[id].lock())
            .await
            .map_err(|_| RequestError::Timeout {
                id,
                what: "the session lock",
                after,
            })
    }
}
