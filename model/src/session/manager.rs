//! The session manager and its operations.

use super::classes::{
    GLOBAL_TASK, HANDLER, METRICS, OPERATION, OPERATION_PERMITS, SCRAPE_PERMITS, SESSION_ENTRY,
    TASK,
};
use super::state::{IllegalTransition, SessionState};
use lockstep::fault::{self, Fault, FaultKind, FaultSite};
use lockstep::scenario::Variant;
use lockstep::sync::{held, Arc, Mutex, MutexGuard, Semaphore};
use lockstep::time::{sleep, Duration};
use lockstep::LockError;
use thiserror::Error;

/// Planted bug: an error path skips releasing the session's operation lock.
pub const SKIP_RELEASE_ON_ERROR: &str = "skip-release-on-error";
/// Planted bug: `send` takes the handler lock before the operation lock.
pub const HANDLER_BEFORE_OPERATION: &str = "handler-before-operation";
/// Planted bug: a semaphore permit is leaked when a lock acquisition times out.
pub const LEAK_PERMIT_ON_TIMEOUT: &str = "leak-permit-on-timeout";
/// Planted bug: `close` writes the session state without taking the operation lock.
pub const STATE_OUTSIDE_LOCK: &str = "state-outside-lock";
/// Planted bug: the metrics are not updated when an operation times out.
pub const METRICS_SKIP_TIMEOUT: &str = "metrics-skip-timeout";

/// Which planted bugs are switched on (all off: the correct manager).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bugs {
    /// See [`SKIP_RELEASE_ON_ERROR`].
    pub skip_release_on_error: bool,
    /// See [`HANDLER_BEFORE_OPERATION`].
    pub handler_before_operation: bool,
    /// See [`LEAK_PERMIT_ON_TIMEOUT`].
    pub leak_permit_on_timeout: bool,
    /// See [`STATE_OUTSIDE_LOCK`].
    pub state_outside_lock: bool,
    /// See [`METRICS_SKIP_TIMEOUT`].
    pub metrics_skip_timeout: bool,
}

impl Bugs {
    /// The bugs a scenario variant switches on.
    pub fn from_variant(variant: Variant) -> Self {
        Bugs {
            skip_release_on_error: variant.has_bug(SKIP_RELEASE_ON_ERROR),
            handler_before_operation: variant.has_bug(HANDLER_BEFORE_OPERATION),
            leak_permit_on_timeout: variant.has_bug(LEAK_PERMIT_ON_TIMEOUT),
            state_outside_lock: variant.has_bug(STATE_OUTSIDE_LOCK),
            metrics_skip_timeout: variant.has_bug(METRICS_SKIP_TIMEOUT),
        }
    }
}

/// How a manager is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// How many sessions (ids `0..sessions`).
    pub sessions: usize,
    /// The timeout of every lock and permit acquisition.
    pub lock_timeout: Duration,
    /// Concurrent scrapes allowed.
    pub scrape_permits: usize,
    /// Concurrent sends allowed.
    pub operation_permits: usize,
    /// How often `send` retries after a network error.
    pub retries: u32,
    /// The first retry's backoff; it doubles for each further retry.
    pub backoff: Duration,
    /// Planted bugs.
    pub bugs: Bugs,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sessions: 2,
            lock_timeout: Duration::from_secs(30),
            scrape_permits: 2,
            operation_permits: 2,
            retries: 2,
            backoff: Duration::from_secs(5),
            bugs: Bugs::default(),
        }
    }
}

/// The operations a session runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Scrape the client (takes a scrape permit).
    Scrape,
    /// Send to the client (takes an operation permit; retries network errors with backoff).
    Send,
    /// Queue an operation for later (takes an operation permit; allowed while the session is
    /// busy, so it does not wait for the operation lock).
    Queue,
}

/// Why an operation failed. Every variant names the session.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SessionError {
    /// An injected fault.
    #[error("session {id}: {fault}")]
    Fault {
        /// The session.
        id: usize,
        /// The fault.
        fault: Fault,
    },
    /// A lock or permit was not acquired (timeout, or an order violation).
    #[error("session {id}: {source}")]
    Lock {
        /// The session.
        id: usize,
        /// Why.
        source: LockError,
    },
    /// The state machine refused a transition.
    #[error("session {id}: {source}")]
    Illegal {
        /// The session.
        id: usize,
        /// The refused transition.
        source: IllegalTransition,
    },
    /// The session was closed.
    #[error("session {id} is closed")]
    Closed {
        /// The session.
        id: usize,
    },
    /// The session is not in a state that runs operations.
    #[error("session {id} is {state}, not ready for an operation")]
    NotReady {
        /// The session.
        id: usize,
        /// Its state.
        state: SessionState,
    },
}

impl SessionError {
    /// Whether this is a timeout (of a lock, or an injected one): counted as timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            SessionError::Lock {
                source: LockError::Timeout { .. },
                ..
            } | SessionError::Fault {
                fault: Fault {
                    kind: FaultKind::Timeout | FaultKind::LockTimeout,
                    ..
                },
                ..
            }
        )
    }

    /// Whether this error is itself a broken invariant (not an expected failure): an illegal
    /// transition or a lock-order violation.
    pub fn breaks_an_invariant(&self) -> bool {
        matches!(
            self,
            SessionError::Illegal { .. }
                | SessionError::Lock {
                    source: LockError::OrderViolation { .. },
                    ..
                }
        )
    }
}

/// Operation counters: `started == succeeded + failed + timed_out` once all have finished.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Operations started.
    pub started: u64,
    /// Operations that succeeded.
    pub succeeded: u64,
    /// Operations that failed (other than by timing out).
    pub failed: u64,
    /// Operations that timed out.
    pub timed_out: u64,
}

/// Where an operation passes through fault sites: after its entry lock (depth 1), its
/// operation lock (depth 2), and during its work under the handler lock (depth 3).
pub const DEPTHS: usize = 3;

/// The error kinds injected at every depth.
pub const ERROR_KINDS: [FaultKind; 5] = [
    FaultKind::OperationError,
    FaultKind::Timeout,
    FaultKind::LockTimeout,
    FaultKind::NetworkError,
    FaultKind::ValidationError,
];

macro_rules! sites {
    ($($depth:literal),*) => {
        [$([
            FaultSite::new(concat!("session.depth", $depth, ".operation-error"), FaultKind::OperationError),
            FaultSite::new(concat!("session.depth", $depth, ".timeout"), FaultKind::Timeout),
            FaultSite::new(concat!("session.depth", $depth, ".lock-timeout"), FaultKind::LockTimeout),
            FaultSite::new(concat!("session.depth", $depth, ".network-error"), FaultKind::NetworkError),
            FaultSite::new(concat!("session.depth", $depth, ".validation-error"), FaultKind::ValidationError),
        ]),*]
    };
}

/// The fault sites, by depth (0-based) and [`ERROR_KINDS`] order.
pub static SITES: [[FaultSite; 5]; DEPTHS] = sites!(1, 2, 3);

/// Extra latency while working (virtual time).
pub const WORK_LATENCY: FaultSite = FaultSite::new("session.work.latency", FaultKind::Latency);
/// The network while connecting or reconnecting.
pub const CONNECT: FaultSite = FaultSite::new("session.connect", FaultKind::NetworkError);

/// The fault site for `kind` at `depth` (1-based).
pub fn site(depth: usize, kind: FaultKind) -> &'static FaultSite {
    let k = ERROR_KINDS
        .iter()
        .position(|k| *k == kind)
        .expect("an error kind");
    &SITES[depth - 1][k]
}

struct Session {
    id: usize,
    operation: Mutex<()>,
    state: Mutex<SessionState>,
    handler: Mutex<Handler>,
}

#[derive(Default)]
struct Handler {
    scraped: u64,
    sent: u64,
    queued: u64,
}

struct Entry {
    session: Arc<Session>,
    closed: bool,
}

/// Long-lived client sessions behind the six-level lock hierarchy.
pub struct SessionManager {
    config: Config,
    global_task: Mutex<u64>,
    metrics: Mutex<Metrics>,
    scrape: Semaphore,
    operations: Semaphore,
    entries: Vec<Mutex<Entry>>,
}

impl SessionManager {
    /// A manager with `config.sessions` sessions, all `Created`.
    pub fn new(config: Config) -> Self {
        let entries = (0..config.sessions)
            .map(|id| {
                let key = id as u64;
                let session = Session {
                    id,
                    operation: Mutex::ranked_keyed(OPERATION, key, ()),
                    state: Mutex::ranked_keyed(TASK, key, SessionState::Created),
                    handler: Mutex::ranked_keyed(HANDLER, key, Handler::default()),
                };
                Mutex::ranked_keyed(
                    SESSION_ENTRY,
                    key,
                    Entry {
                        session: Arc::new(session),
                        closed: false,
                    },
                )
            })
            .collect();
        SessionManager {
            global_task: Mutex::ranked(GLOBAL_TASK, 0),
            metrics: Mutex::ranked(METRICS, Metrics::default()),
            scrape: Semaphore::ranked(SCRAPE_PERMITS, config.scrape_permits),
            operations: Semaphore::ranked(OPERATION_PERMITS, config.operation_permits),
            entries,
            config,
        }
    }

    /// Connects session `id`: Created → Connecting → Connected (or Failed on a network error).
    pub fn connect(&self, id: usize) -> Result<(), SessionError> {
        *self.global_task.lock() += 1;
        let entry = self.lock(id, &self.entries[id])?;
        let session = Arc::clone(&entry.session);
        let _operation = self.lock(id, &session.operation)?;
        self.set_state(&session, SessionState::Connecting)?;
        match fault::point(&CONNECT) {
            Ok(()) => self.set_state(&session, SessionState::Connected),
            Err(fault) => {
                self.set_state(&session, SessionState::Failed)?;
                Err(SessionError::Fault { id, fault })
            }
        }
    }

    /// Runs one operation on session `id`, working for `work` (virtual time) under its handler
    /// lock. Counted in the metrics as succeeded, failed or timed out.
    pub fn run(&self, id: usize, op: Op, work: Duration) -> Result<(), SessionError> {
        self.metrics.lock().started += 1;
        let mut attempt = 0;
        let result = loop {
            let result = self.attempt(id, op, work);
            let network = matches!(&result, Err(SessionError::Fault { fault, .. }) if fault.kind == FaultKind::NetworkError);
            if op == Op::Send && network && attempt < self.config.retries {
                sleep(self.config.backoff * 2u32.pow(attempt));
                attempt += 1;
                continue;
            }
            break result;
        };
        let mut metrics = self.metrics.lock();
        match &result {
            Ok(()) => metrics.succeeded += 1,
            Err(e) if e.is_timeout() => {
                if !self.config.bugs.metrics_skip_timeout {
                    metrics.timed_out += 1;
                }
            }
            Err(_) => metrics.failed += 1,
        }
        result
    }

    fn attempt(&self, id: usize, op: Op, work: Duration) -> Result<(), SessionError> {
        let semaphore = match op {
            Op::Scrape => &self.scrape,
            Op::Send | Op::Queue => &self.operations,
        };
        let permit = semaphore
            .acquire_timeout(self.config.lock_timeout)
            .map_err(|source| SessionError::Lock { id, source })?;
        let entry = match self.lock(id, &self.entries[id]) {
            Ok(entry) => entry,
            Err(e) => {
                if self.config.bugs.leak_permit_on_timeout && e.is_timeout() {
                    std::mem::forget(permit);
                }
                return Err(e);
            }
        };
        if entry.closed {
            return Err(SessionError::Closed { id });
        }
        let session = Arc::clone(&entry.session);
        faults_at(id, 1)?;
        if op == Op::Queue {
            return self.queue(&session);
        }
        let early_handler = if op == Op::Send && self.config.bugs.handler_before_operation {
            Some(self.lock(id, &session.handler)?)
        } else {
            None
        };
        let operation = self.lock(id, &session.operation)?;
        drop(early_handler);
        if let Err(e) = faults_at(id, 2) {
            if self.config.bugs.skip_release_on_error {
                std::mem::forget(operation);
            }
            return Err(e);
        }
        {
            let mut state = self.lock(id, &session.state)?;
            if *state != SessionState::Connected {
                return Err(SessionError::NotReady { id, state: *state });
            }
            self.transition(id, &mut state, SessionState::Busy)?;
        }
        let outcome = self.work(&session, op, work);
        let next = match outcome {
            Ok(()) => SessionState::Connected,
            Err(_) => SessionState::Recovering,
        };
        self.set_state(&session, next)?;
        drop((operation, entry, permit));
        outcome
    }

    /// The work itself, under the handler lock (released before the state moves on).
    fn work(&self, session: &Session, op: Op, work: Duration) -> Result<(), SessionError> {
        let id = session.id;
        let mut handler = self.lock(id, &session.handler)?;
        sleep(work);
        fault::point(&WORK_LATENCY).map_err(|fault| SessionError::Fault { id, fault })?;
        faults_at(id, 3)?;
        match op {
            Op::Scrape => handler.scraped += 1,
            Op::Send => handler.sent += 1,
            Op::Queue => unreachable!("a queued operation is done by `queue`, before any work"),
        }
        Ok(())
    }

    /// Queues an operation on a connected (or busy) session.
    fn queue(&self, session: &Session) -> Result<(), SessionError> {
        let id = session.id;
        let state = *self.lock(id, &session.state)?;
        if !matches!(state, SessionState::Connected | SessionState::Busy) {
            return Err(SessionError::NotReady { id, state });
        }
        self.lock(id, &session.handler)?.queued += 1;
        Ok(())
    }

    /// Recovers session `id`: Recovering → Connected (or Failed on a network error).
    pub fn recover(&self, id: usize) -> Result<(), SessionError> {
        let entry = self.lock(id, &self.entries[id])?;
        let session = Arc::clone(&entry.session);
        let _operation = self.lock(id, &session.operation)?;
        if *self.lock(id, &session.state)? != SessionState::Recovering {
            return Ok(());
        }
        match fault::point(&CONNECT) {
            Ok(()) => self.set_state(&session, SessionState::Connected),
            Err(fault) => {
                self.set_state(&session, SessionState::Failed)?;
                Err(SessionError::Fault { id, fault })
            }
        }
    }

    /// Closes session `id` once its operation in flight (if any) is done: → Closing → Closed.
    pub fn close(&self, id: usize) -> Result<(), SessionError> {
        if self.config.bugs.state_outside_lock {
            // The bug: the state is written without the entry and operation locks, so an
            // operation in flight finds its session Closed under it.
            let session = Arc::clone(&self.entries[id].lock().session);
            self.set_state(&session, SessionState::Closing)?;
            return self.set_state(&session, SessionState::Closed);
        }
        let mut entry = self.lock(id, &self.entries[id])?;
        let session = Arc::clone(&entry.session);
        let _operation = self.lock(id, &session.operation)?;
        self.set_state(&session, SessionState::Closing)?;
        self.set_state(&session, SessionState::Closed)?;
        entry.closed = true;
        Ok(())
    }

    /// How many sessions there are (ids `0..sessions()`).
    pub fn sessions(&self) -> usize {
        self.config.sessions
    }

    /// Session `id`'s state.
    pub fn state(&self, id: usize) -> SessionState {
        let session = Arc::clone(&self.entries[id].lock().session);
        let state = *session.state.lock();
        state
    }

    /// How many connects were started (counted under the global task lock, the outermost
    /// level of the hierarchy, before anything else is taken).
    ///
    /// ```
    /// use model::session::{Config, SessionManager};
    ///
    /// let manager = SessionManager::new(Config::default());
    /// manager.connect(0).unwrap();
    /// manager.connect(1).unwrap();
    /// assert_eq!(manager.connects(), 2);
    /// ```
    pub fn connects(&self) -> u64 {
        *self.global_task.lock()
    }

    /// The operation counters.
    pub fn metrics(&self) -> Metrics {
        *self.metrics.lock()
    }

    /// Operations completed by session `id`'s handler: scraped + sent + queued.
    pub fn completed(&self, id: usize) -> u64 {
        let session = Arc::clone(&self.entries[id].lock().session);
        let handler = session.handler.lock();
        handler.scraped + handler.sent + handler.queued
    }

    /// The invariants that hold once every operation has finished: metrics consistent, every
    /// session in a resting state, every permit back, nothing held. Panics with what broke.
    pub fn check_at_rest(&self) {
        let m = self.metrics();
        assert!(
            m.started == m.succeeded + m.failed + m.timed_out,
            "metrics inconsistent: {} started but {} succeeded + {} failed + {} timed out",
            m.started,
            m.succeeded,
            m.failed,
            m.timed_out
        );
        for id in 0..self.config.sessions {
            let state = self.state(id);
            assert!(state.is_resting(), "session {id} ends in {state}, mid-way");
        }
        for (semaphore, permits) in [
            (&self.scrape, self.config.scrape_permits),
            (&self.operations, self.config.operation_permits),
        ] {
            let free = semaphore.available_permits();
            assert!(
                free == permits,
                "{} has {free} of {permits} permits free at rest: a permit leaked",
                semaphore.name()
            );
        }
        assert_nothing_held("at rest");
    }

    fn lock<'a, T>(&self, id: usize, mutex: &'a Mutex<T>) -> Result<Logged<'a, T>, SessionError> {
        match mutex.lock_timeout(self.config.lock_timeout) {
            Ok(guard) => {
                tracing::debug!(session = id, lock = %mutex.name(), "acquired");
                Ok(Logged { guard, mutex, id })
            }
            Err(source) => {
                tracing::warn!(session = id, error = %source, "lock not acquired");
                Err(SessionError::Lock { id, source })
            }
        }
    }

    fn set_state(&self, session: &Session, to: SessionState) -> Result<(), SessionError> {
        let mut state = self.lock(session.id, &session.state)?;
        self.transition(session.id, &mut state, to)
    }

    fn transition(
        &self,
        id: usize,
        state: &mut SessionState,
        to: SessionState,
    ) -> Result<(), SessionError> {
        let from = *state;
        match from.become_(to) {
            Ok(next) => {
                *state = next;
                lockstep::trace::event(&format!("session {id}"), format!("{from} -> {to}"));
                lockstep::coverage::hit(&format!("{from} -> {to}"));
                Ok(())
            }
            Err(source) => {
                lockstep::trace::event(
                    &format!("session {id}"),
                    format!("REJECTED {from} -> {to}"),
                );
                Err(SessionError::Illegal { id, source })
            }
        }
    }
}

/// A lock taken by a session operation; its release is logged (debug) like its acquisition.
struct Logged<'a, T> {
    guard: MutexGuard<'a, T>,
    mutex: &'a Mutex<T>,
    id: usize,
}

impl<T> std::ops::Deref for Logged<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> std::ops::DerefMut for Logged<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Drop for Logged<'_, T> {
    fn drop(&mut self) {
        tracing::debug!(session = self.id, lock = %self.mutex.name(), "released");
    }
}

/// Passes through the fault sites of `depth`.
fn faults_at(id: usize, depth: usize) -> Result<(), SessionError> {
    for site in &SITES[depth - 1] {
        fault::point(site).map_err(|fault| SessionError::Fault { id, fault })?;
    }
    Ok(())
}

/// Panics if the calling thread holds any lock or permit.
pub fn assert_nothing_held(when: &str) {
    let still = held();
    assert!(
        still.is_empty(),
        "{when} the thread still holds {:?}",
        still.iter().map(|h| h.object.as_str()).collect::<Vec<_>>()
    );
}
