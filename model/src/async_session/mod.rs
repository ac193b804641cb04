//! The session manager's scrape/send path, async: the twin of [`crate::session`] written only
//! against `lockstep::tokio`, with the planted bugs only async code has.
//!
//! Why this flow (and not booking's cancellable generation): it is the one whose async version
//! is the everyday service shape. A send takes an operation permit and then its session's lock,
//! each with a 30 s acquisition timeout (`time::timeout` around the acquire), does its network
//! transfer (a `sleep` of virtual time) and writes the message to the session's outbox; every
//! request runs under a 30 s deadline of its caller (`time::timeout` around the whole send),
//! which cancels it by dropping its future at whatever await point it is pending at; a
//! supervisor task waits on a `Notify` for every request to finish. Cancellation by dropping a
//! future is what async adds, and the three bugs are its three classic shapes:
//!
//! | bug | what goes wrong | the fix |
//! |---|---|---|
//! | [`BUSY_FLAG_ACROSS_AWAIT`] | a send marks its session busy, lets go of the lock for the transfer and clears the mark afterwards: cancelled mid-transfer, the mark stays, and every later send is refused | hold the session's lock (its guard) across the transfer: dropping the future drops the guard |
//! | [`NOTIFY_WAITERS_BEFORE_WAIT`] | a finished request wakes the supervisor with `notify_waiters`, which keeps no permit: if it lands between the supervisor's check and its `notified()`, the wake-up is lost | `notify_one`, whose permit waits for the next `notified()` |
//! | [`HALF_WRITTEN_ON_TIMEOUT`] | a send writes the message's header before the transfer and its body after: the deadline cancels the transfer but not the header, and the outbox holds half a message | write the whole message after the last await |
//!
//! The lock hierarchy: [`classes::PROGRESS`] (rank 1, the requests' bookkeeping, taken with
//! nothing else held), [`classes::OPERATION_PERMITS`] (2), [`classes::SESSION`] (3, keyed by
//! session id).

pub mod manager;
pub mod scenario;
pub mod supervisor;

pub use manager::{AsyncSessionManager, Bugs, Config, RequestError, Scraped};
pub use scenario::SCENARIO;

/// Planted bug: a send's "busy" mark is set before an await and cleared after it, so a send
/// cancelled at that await leaves its session busy for good.
pub const BUSY_FLAG_ACROSS_AWAIT: &str = "busy-flag-across-await";
/// Planted bug: finished requests wake the supervisor with `notify_waiters`, which is lost when
/// the supervisor is between its check and its `notified()`.
pub const NOTIFY_WAITERS_BEFORE_WAIT: &str = "notify-waiters-before-wait";
/// Planted bug: a send writes half its message before its transfer's await, so the deadline
/// that cancels the transfer leaves the half written.
pub const HALF_WRITTEN_ON_TIMEOUT: &str = "half-written-on-timeout";

/// The lock classes of the async path's hierarchy.
pub mod classes {
    use lockstep::sync::LockClass;

    /// The requests' bookkeeping (how many finished, which were cancelled), the supervisor's.
    pub const PROGRESS: LockClass = LockClass::new("async-progress", 1);
    /// The operation permits a send takes first.
    pub const OPERATION_PERMITS: LockClass = LockClass::new("async-operation-permits", 2);
    /// One session's record (its outbox and busy mark), keyed by session id.
    pub const SESSION: LockClass = LockClass::new("async-session", 3);
}
