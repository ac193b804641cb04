//! Liveness hints: a timed wait that timed out although what it waited for was there.
//!
//! A lost wake-up behind a timeout shows on a real machine only as a delay: the waiter gives up
//! after its timeout, finds the condition true (or the lock free) and goes on. Under
//! simulation the kernel sees the moment the deadline fires (every thread is blocked then, so
//! the ghost state is exact) and marks the timeout when
//!
//! * the lock, read lock or write lock it waited for was free ([`Hint::ObjectFree`]): its
//!   releaser did not wake it;
//! * a `notify_one` offered to it went to another waiter ([`Hint::NotifiedAnother`]): one
//!   wake-up for two waiters, which may be what the program means (one item, two consumers)
//!   or a lost wake-up;
//! * a `Condvar::wait_timeout_while` found its condition already satisfied when it timed out,
//!   and no other thread had run since the deadline fired ([`Hint::ConditionHeld`]): the
//!   condition changed and no notification reached the waiter;
//! * an unfair semaphore's timed acquire was woken by a release and found the permits taken by
//!   another thread ([`Hint::PermitsTakenByAnother`]): woken waiters race with new arrivals;
//! * a `park_timeout` timed out after an unpark of its thread was absorbed by a token already
//!   pending ([`Hint::UnparkAbsorbed`]): two unparks made one wake-up.
//!
//! What cannot happen is not checked, and the tests say so: a FIFO semaphore hands released
//! permits to its head waiter, so a timed acquire never times out while permits it could take
//! were free; a channel's `recv_timeout` looks at the queue once more when its deadline fires,
//! so it never times out with a message queued; a pending unpark token ends a `park_timeout`.
//!
//! A hint is marked in the trace (the detail column of the `timed out` row) and counted in the
//! exploration's report. Under [`Liveness::Strict`] it fails the execution instead, with
//! [`Hint::report`] as the message.
//!
//! ```
//! use lockstep_engine::liveness::{Hint, Liveness};
//!
//! assert_eq!(Liveness::default(), Liveness::Hint);
//! assert_eq!("strict".parse::<Liveness>(), Ok(Liveness::Strict));
//! assert_eq!(Hint::ConditionHeld.detail(), "hint: condition already held, no notify came (lost wake-up?)");
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Why a timed-out wait looks like a lost wake-up (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    /// The lock it waited for was free when its deadline fired.
    ObjectFree,
    /// A notification offered to it went to another waiter.
    NotifiedAnother,
    /// Its condition was already satisfied when it timed out.
    ConditionHeld,
    /// An unfair semaphore's release woke it, and another thread took the permits first.
    PermitsTakenByAnother,
    /// An unpark of its thread was absorbed by a token already pending (a `park_timeout`).
    UnparkAbsorbed,
}

impl Hint {
    /// The short text of the trace's detail column.
    pub fn detail(self) -> &'static str {
        match self {
            Hint::ObjectFree => "hint: it was free at the timeout (lost wake-up?)",
            Hint::NotifiedAnother => "hint: the notification went to another waiter",
            Hint::ConditionHeld => "hint: condition already held, no notify came (lost wake-up?)",
            Hint::PermitsTakenByAnother => {
                "hint: a release woke it, another thread took the permits (unfair)"
            }
            Hint::UnparkAbsorbed => {
                "hint: an earlier unpark was absorbed by a pending token (lost wake-up?)"
            }
        }
    }

    /// The report of `thread` timing out on `object` at virtual time `at`: what it means and
    /// what to do.
    ///
    /// ```
    /// use lockstep_engine::liveness::Hint;
    /// use std::time::Duration;
    ///
    /// let report = Hint::ObjectFree.report("worker", "Mutex \"jobs\"", Duration::from_secs(30));
    /// assert!(report.starts_with("liveness: worker's timed wait for Mutex \"jobs\" timed out at 30s"));
    /// ```
    pub fn report(self, thread: &str, object: &str, at: Duration) -> String {
        let (what, advice) = match self {
            Hint::ObjectFree => (
                format!("although {object} was free: nothing woke it when it was released"),
                "a lost wake-up in the code that releases it; if that is lockstep's own \
                 primitive, please report it",
            ),
            Hint::NotifiedAnother => (
                "while the notification meant for it went to another waiter".to_owned(),
                "if each waiter needs its own wake-up, use notify_all or one condvar per \
                 waiter",
            ),
            Hint::ConditionHeld => (
                "although its condition already held: the condition changed and no notify \
                 reached it (a lost wake-up hidden behind the timeout)"
                    .to_owned(),
                "notify after every change to the condition, while holding the mutex",
            ),
            Hint::PermitsTakenByAnother => (
                "after a release woke it and another thread took the permits first (the \
                 semaphore is unfair: woken waiters race with new arrivals)"
                    .to_owned(),
                "use the FIFO policy (the default) if waiters must be served in arrival order",
            ),
            Hint::UnparkAbsorbed => (
                "after an unpark of it found its token already pending: two unparks made one \
                 wake-up"
                    .to_owned(),
                "if each unpark stands for an event, keep the events (a counter or a queue the \
                 thread checks before parking); unparks do not add up",
            ),
        };
        format!(
            "liveness: {thread}'s timed wait for {object} timed out at {at:?} {what}. What to \
             do: {advice}. (Reported because the liveness rule is strict; by default this is \
             a hint in the trace.)"
        )
    }
}

/// What a liveness hint does (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Liveness {
    /// Marked in the trace and counted in the report; the execution goes on.
    #[default]
    Hint,
    /// Fails the execution.
    Strict,
}

impl fmt::Display for Liveness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Liveness::Hint => "hint",
            Liveness::Strict => "strict",
        })
    }
}

impl FromStr for Liveness {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "hint" => Ok(Liveness::Hint),
            "strict" => Ok(Liveness::Strict),
            other => Err(format!(
                "unknown liveness rule `{other}`: expected `hint` or `strict`"
            )),
        }
    }
}

/// The hints of an exploration: how many, and the first one's report.
///
/// ```
/// use lockstep_engine::liveness::HintLog;
///
/// let mut log = HintLog::default();
/// log.add("first".into());
/// log.add("second".into());
/// assert_eq!((log.count, log.first.as_deref()), (2, Some("first")));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HintLog {
    /// How many timed-out waits were marked.
    pub count: usize,
    /// The report of the first one.
    pub first: Option<String>,
}

impl HintLog {
    /// Counts one more hint with its report.
    pub fn add(&mut self, report: String) {
        self.count += 1;
        self.first.get_or_insert(report);
    }
}
