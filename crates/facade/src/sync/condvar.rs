//! A condition variable over lockstep's [`Mutex`](super::Mutex), with a timed wait.

use super::{holds, MutexGuard};
use crate::ghost::{self, Holder};
use crate::time::{deadline_after, Duration};
use crate::LockError;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use lockstep_engine::op::OpKind;
use lockstep_engine::trace::Event;
use lockstep_engine::wait::Woke;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// A condition variable. Waiters are woken in arrival order; there are no spurious wakeups in
/// simulation, but callers should loop on their condition as with std (or use
/// [`wait_while`](Condvar::wait_while)).
///
/// ```
/// use lockstep::sync::{Arc, Condvar, Mutex};
/// use lockstep::thread;
///
/// let pair = Arc::new((Mutex::new(false), Condvar::new()));
/// let p = Arc::clone(&pair);
/// let t = thread::spawn(move || {
///     *p.0.lock() = true;
///     p.1.notify_all();
/// });
/// let ready = pair.1.wait_while(pair.0.lock(), |ready| !*ready);
/// assert!(*ready);
/// drop(ready);
/// t.join().unwrap();
/// ```
pub struct Condvar {
    info: Arc<ObjectInfo>,
}

impl Condvar {
    /// A new condition variable, named `Condvar#N` by creation order.
    pub fn new() -> Self {
        Condvar {
            info: holds::object(Kind::Condvar, None),
        }
    }

    /// A new condition variable with a name for reports and traces.
    pub fn named(name: &str) -> Self {
        Condvar {
            info: holds::object(Kind::Condvar, Some(name)),
        }
    }

    /// Releases the guard's mutex, waits for a notification, and locks the mutex again (a
    /// hierarchy-checked acquisition, attributed to the caller).
    #[track_caller]
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.wait_until(guard, None, Location::caller()).0
    }

    /// Waits while `condition` holds, re-checking after every notification.
    #[track_caller]
    pub fn wait_while<'a, T: ?Sized>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        let site = Location::caller();
        while condition(&mut guard) {
            guard = self.wait_until(guard, None, site).0;
        }
        guard
    }

    /// Like [`wait`](Condvar::wait), but gives up after `timeout` (virtual time under
    /// simulation). The mutex is locked again either way, so the guard always comes back.
    #[track_caller]
    pub fn wait_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> (MutexGuard<'a, T>, Result<(), LockError>) {
        let site = Location::caller();
        let (guard, woke) = self.wait_until(guard, Some(deadline_after(timeout)), site);
        let result = match woke {
            Woke::Notified => Ok(()),
            Woke::TimedOut => Err(LockError::Timeout {
                object: self.info.to_string(),
                waited: timeout,
            }),
        };
        (guard, result)
    }

    /// Wakes the longest-waiting thread, if any.
    pub fn notify_one(&self) {
        self.record_notify(false);
        self.info.waiters.wake_one();
    }

    /// Wakes every waiting thread.
    pub fn notify_all(&self) {
        self.record_notify(true);
        self.info.waiters.wake_all();
    }

    fn record_notify(&self, all: bool) {
        if let Some(caller) = Holder::try_current() {
            caller.set_pending_on(OpKind::Notify, &self.info);
            caller.record(|| Event::Notify {
                object: Arc::clone(&self.info),
                all,
            });
        }
    }

    /// `deadline`: `None` waits forever; `Some(None)` is a deadline past the clock's range.
    fn wait_until<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        deadline: Option<Option<crate::time::Instant>>,
        site: &'static Location<'static>,
    ) -> (MutexGuard<'a, T>, Woke) {
        let mutex = guard.mutex;
        // Register before unlocking: a notifier needs the mutex to change the condition, so it
        // cannot notify between our unlock and our registration.
        let ticket = self.info.waiters.register();
        drop(guard);
        let deadline = deadline.flatten().map(crate::time::Instant::moment);
        let woke = ghost::park(&ticket, &self.info, Mode::Notify, deadline);
        self.info.waiters.cancel(&ticket);
        (mutex.lock_at(site), woke)
    }
}

impl Default for Condvar {
    fn default() -> Self {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.info)
    }
}
