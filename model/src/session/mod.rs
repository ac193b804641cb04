//! The session manager: long-lived client sessions (connect, scrape, send, recover, close),
//! written only against lockstep's facade.
//!
//! **The lock hierarchy** (outermost first), enforced by lockstep's ranked locks:
//!
//! | rank | lock | class |
//! |---|---|---|
//! | 1 | global task lock, metrics lock | [`classes::GLOBAL_TASK`], [`classes::METRICS`] |
//! | 2 | scrape and operation semaphores | [`classes::SCRAPE_PERMITS`], [`classes::OPERATION_PERMITS`] |
//! | 3 | the manager's per-session entry locks (keyed by session id) | [`classes::SESSION_ENTRY`] |
//! | 4 | a session's operation lock | [`classes::OPERATION`] |
//! | 5 | a session's task lock (guards its state) | [`classes::TASK`] |
//! | 6 | a session's handler lock | [`classes::HANDLER`] |
//!
//! Every acquisition has a timeout (30 s of virtual time by default) and returns an error
//! instead of blocking forever; every error path releases what it took before the error
//! reaches the caller. The session state machine is in [`state`].

pub mod manager;
pub mod scenarios;
pub mod state;

pub use manager::{Bugs, Config, Metrics, Op, SessionError, SessionManager};
pub use state::{IllegalTransition, SessionState};

/// The lock classes of the hierarchy.
pub mod classes {
    use lockstep::sync::LockClass;

    /// The manager's global task lock.
    pub const GLOBAL_TASK: LockClass = LockClass::new("global-task", 1);
    /// The manager's metrics lock.
    pub const METRICS: LockClass = LockClass::new("metrics", 1);
    /// The scrape semaphore.
    pub const SCRAPE_PERMITS: LockClass = LockClass::new("scrape-permits", 2);
    /// The operation semaphore.
    pub const OPERATION_PERMITS: LockClass = LockClass::new("operation-permits", 2);
    /// The manager's lock on one session's entry.
    pub const SESSION_ENTRY: LockClass = LockClass::new("session-entry", 3);
    /// A session's operation lock.
    pub const OPERATION: LockClass = LockClass::new("operation", 4);
    /// A session's task lock (its state).
    pub const TASK: LockClass = LockClass::new("task", 5);
    /// A session's handler lock.
    pub const HANDLER: LockClass = LockClass::new("handler", 6);
}
