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

/// A condition variable.
///
/// As with std, [`notify_one`](Condvar::notify_one) wakes *some* waiter, not necessarily the
/// longest-waiting one: under shuttle and loom every choice is explored (it is part of the
/// schedule, so a seed replays it), so code that needs FIFO wake-up fails in lockstep as it can
/// in production. `wait` and `notify_*` are scheduling points under simulation, as they are in
/// raw loom and shuttle, so a notification can fall between a waiter's check and its wait.
///
/// One deliberate difference from std: there are no spurious wake-ups in simulation (neither
/// loom nor shuttle models them; each would double the executions of every wait). A waiter
/// wakes only when notified or timed out. Callers should still loop on their condition, as
/// with std, or use [`wait_while`](Condvar::wait_while) /
/// [`wait_timeout_while`](Condvar::wait_timeout_while).
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
    point: ghost::SchedulingPoint,
}

impl Condvar {
    /// A new condition variable, named `Condvar#N` by creation order.
    pub fn new() -> Self {
        Condvar {
            info: holds::object(Kind::Condvar, None),
            point: ghost::SchedulingPoint::new(),
        }
    }

    /// A new condition variable with a name for reports and traces.
    pub fn named(name: &str) -> Self {
        Condvar {
            info: holds::object(Kind::Condvar, Some(name)),
            point: ghost::SchedulingPoint::new(),
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
            Woke::TimedOut => Err(self.timed_out(timeout)),
        };
        (guard, result)
    }

    /// Like [`wait_while`](Condvar::wait_while), but gives up after `timeout` in total (virtual
    /// time under simulation), as std's `wait_timeout_while`: `Ok` once `condition` is false
    /// (checked once more when the time is up), [`LockError::Timeout`] if it still holds then.
    /// The mutex is locked again either way.
    ///
    /// ```
    /// use lockstep::sync::{Condvar, Mutex};
    /// use lockstep::time::Duration;
    ///
    /// let (jobs, more) = (Mutex::new(0), Condvar::named("more"));
    /// let (jobs, waited) = more.wait_timeout_while(jobs.lock(), Duration::from_millis(1), |n| *n == 0);
    /// assert_eq!(*jobs, 0);
    /// assert_eq!(
    ///     waited.unwrap_err().to_string(),
    ///     "timed out after 1ms waiting for Condvar \"more\""
    /// );
    /// ```
    #[track_caller]
    pub fn wait_timeout_while<'a, T: ?Sized>(
        &self,
        mut guard: MutexGuard<'a, T>,
        timeout: Duration,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> (MutexGuard<'a, T>, Result<(), LockError>) {
        let site = Location::caller();
        let deadline = deadline_after(timeout);
        let mut woke = Woke::Notified;
        loop {
            if !condition(&mut guard) {
                if woke == Woke::TimedOut {
                    // The condition held although the wait timed out: a lost wake-up, if it
                    // held already when the deadline fired (see `lockstep_engine::liveness`).
                    ghost::condition_held_after_timeout();
                }
                return (guard, Ok(()));
            }
            if deadline.is_some_and(|d| crate::time::Instant::now() >= d) {
                return (guard, Err(self.timed_out(timeout)));
            }
            (guard, woke) = self.wait_until(guard, Some(deadline), site);
        }
    }

    /// Wakes one waiting thread, if any: any of them (see [`Condvar`]).
    pub fn notify_one(&self) {
        self.before_notify(false);
        ghost::notify_one(&self.info.waiters);
    }

    /// Wakes every waiting thread.
    pub fn notify_all(&self) {
        self.before_notify(true);
        self.info.waiters.wake_all();
    }

    fn timed_out(&self, waited: Duration) -> LockError {
        LockError::Timeout {
            object: self.info.to_string(),
            waited,
        }
    }

    /// A notification's scheduling point and trace event.
    fn before_notify(&self, all: bool) {
        let caller = Holder::try_current();
        if let Some(caller) = &caller {
            caller.set_pending_on(OpKind::Notify, &self.info);
        }
        self.point.pass();
        if let Some(caller) = caller {
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
        Holder::current().set_pending_on(OpKind::Wait, &self.info);
        self.point.pass();
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
