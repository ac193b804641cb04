//! An async mutual-exclusion lock, FIFO like tokio's: a release hands the lock to the first
//! queued waiter, so no newcomer overtakes the queue.

use super::TryLockError;
use crate::backend::{self, unpoison};
use crate::ghost::{self, HoldOwner, Holder};
use crate::hierarchy;
use crate::sync::holds;
use lockstep_engine::object::{Kind, LockClass, Mode, ObjectInfo};
use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// An async mutex, like `tokio::sync::Mutex`, named and ranked like [`crate::sync::Mutex`]:
/// under simulation it is in the task's held stack, checked against the lock hierarchy and
/// in the lock-order graph, together with the sync locks.
///
/// ```
/// use lockstep::sync::LockClass;
/// use lockstep::tokio::{block_on, sync::Mutex};
///
/// const ACCOUNTS: LockClass = LockClass::new("accounts", 10);
/// let accounts = Mutex::ranked(ACCOUNTS, vec![1, 2]);
/// block_on(async { accounts.lock().await.push(3) });
/// assert_eq!(accounts.into_inner(), vec![1, 2, 3]);
/// ```
pub struct Mutex<T: ?Sized> {
    info: Arc<ObjectInfo>,
    queue: backend::Mutex<Queue>,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a guard, and the queue grants one guard at a time.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above; sharing the mutex shares the value only through exclusive guards.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// Who holds the lock and who waits for it.
#[derive(Default)]
struct Queue {
    locked: bool,
    waiters: VecDeque<Waiter>,
    next_id: u64,
}

struct Waiter {
    id: u64,
    waker: Waker,
    /// Handed the lock by a release; takes it at its next poll.
    granted: bool,
}

impl Queue {
    /// The lock is given back: to the first waiter if there is one (woken), else free.
    fn hand_over(&mut self) {
        debug_assert!(
            self.locked,
            "lockstep: an unlocked async mutex was released"
        );
        debug_assert!(
            self.waiters.iter().all(|w| !w.granted),
            "lockstep: an async mutex was granted twice"
        );
        match self.waiters.front_mut() {
            Some(first) => {
                first.granted = true;
                first.waker.wake_by_ref();
            }
            None => self.locked = false,
        }
    }
}

impl<T> Mutex<T> {
    /// A new unlocked mutex, named `Mutex#N` by creation order.
    ///
    /// ```
    /// let m = lockstep::tokio::sync::Mutex::new(0);
    /// assert_eq!(m.into_inner(), 0);
    /// ```
    pub fn new(value: T) -> Self {
        Self::with_info(holds::object(Kind::Mutex, None), value)
    }

    /// A new unlocked mutex with a name for reports and traces.
    ///
    /// ```
    /// let m = lockstep::tokio::sync::Mutex::named("sessions", 0);
    /// assert_eq!(m.into_inner(), 0);
    /// ```
    pub fn named(name: &str, value: T) -> Self {
        Self::with_info(holds::object(Kind::Mutex, Some(name)), value)
    }

    /// A new unlocked mutex in the lock hierarchy, named after its class.
    ///
    /// ```
    /// use lockstep::sync::LockClass;
    ///
    /// let m = lockstep::tokio::sync::Mutex::ranked(LockClass::new("table", 1), ());
    /// m.into_inner();
    /// ```
    pub fn ranked(class: LockClass, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::Mutex, class, None), value)
    }

    /// A new unlocked mutex in the lock hierarchy, one of many in its class (`key` orders
    /// them: several may be held at once when taken in increasing key order).
    ///
    /// ```
    /// use lockstep::sync::LockClass;
    ///
    /// let row = lockstep::tokio::sync::Mutex::ranked_keyed(LockClass::new("row", 2), 7, ());
    /// row.into_inner();
    /// ```
    pub fn ranked_keyed(class: LockClass, key: u64, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::Mutex, class, Some(key)), value)
    }

    fn with_info(info: Arc<ObjectInfo>, value: T) -> Self {
        Mutex {
            info,
            queue: backend::Mutex::new(Queue::default()),
            value: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns its value.
    ///
    /// ```
    /// assert_eq!(lockstep::tokio::sync::Mutex::new(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits until the lock is this caller's (in arrival order), then takes it. Dropping the
    /// pending future leaves the queue; if the lock had just been handed to it, it goes to the
    /// next waiter.
    ///
    /// Panics with the report if taking it breaks the lock hierarchy (under simulation).
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::Mutex};
    ///
    /// let m = Mutex::new(1);
    /// block_on(async { *m.lock().await += 1 });
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            site: Location::caller(),
            queued: None,
            checked: false,
        }
    }

    /// The lock now, if it is free and nobody is queued for it. A try never waits, so it is
    /// not checked against the lock hierarchy.
    ///
    /// ```
    /// let m = lockstep::tokio::sync::Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(guard);
    /// assert_eq!(*m.try_lock().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        let mut queue = self.queue();
        if queue.locked {
            return Err(TryLockError::new(&self.info));
        }
        debug_assert!(
            queue.waiters.is_empty(),
            "lockstep: a free mutex has waiters"
        );
        queue.locked = true;
        drop(queue);
        Ok(self.guard(Location::caller()))
    }

    /// A mutable reference to the value (no locking: the borrow is exclusive).
    ///
    /// ```
    /// let mut m = lockstep::tokio::sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    fn queue(&self) -> backend::MutexGuard<'_, Queue> {
        unpoison(self.queue.lock())
    }

    /// The calling task took the lock at `site`: its hold is pushed (under simulation).
    fn guard(&self, site: &'static Location<'static>) -> MutexGuard<'_, T> {
        let owner = ghost::ASYNC_HOLDS.then(|| {
            let holder = Holder::current();
            holds::push(&holder, &self.info, Mode::Exclusive, site);
            ghost::hold_owner(&holder)
        });
        MutexGuard { mutex: self, owner }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::with_info(holds::object(Kind::Mutex, None), T::default())
    }
}

/// The future of [`Mutex::lock`].
#[must_use = "a lock future does nothing unless awaited"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    site: &'static Location<'static>,
    /// Its place in the queue, once it waits.
    queued: Option<u64>,
    /// Whether the hierarchy check ran (at the first poll).
    checked: bool,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let mutex = self.mutex;
        if !self.checked {
            self.checked = true;
            if ghost::ASYNC_HOLDS {
                if let Err(violation) =
                    hierarchy::before_acquire(&Holder::current(), &mutex.info, self.site)
                {
                    panic!("{violation}");
                }
            }
        }
        let mut queue = mutex.queue();
        match self.queued {
            None if !queue.locked => {
                debug_assert!(
                    queue.waiters.is_empty(),
                    "lockstep: a free mutex has waiters"
                );
                queue.locked = true;
                drop(queue);
                return Poll::Ready(mutex.guard(self.site));
            }
            None => {
                let id = queue.next_id;
                queue.next_id += 1;
                queue.waiters.push_back(Waiter {
                    id,
                    waker: cx.waker().clone(),
                    granted: false,
                });
                self.queued = Some(id);
            }
            Some(id) => {
                let at = queue
                    .waiters
                    .iter()
                    .position(|w| w.id == id)
                    .expect("lockstep: a queued lock future lost its place");
                if queue.waiters[at].granted {
                    queue.waiters.remove(at);
                    drop(queue);
                    self.queued = None;
                    return Poll::Ready(mutex.guard(self.site));
                }
                queue.waiters[at].waker = cx.waker().clone();
            }
        }
        drop(queue);
        ghost::awaits(&mutex.info, Mode::Exclusive);
        Poll::Pending
    }
}

impl<T: ?Sized> Drop for Lock<'_, T> {
    /// A pending lock future that is dropped (cancelled) leaves the queue; the lock it had
    /// been handed goes on to the next waiter.
    fn drop(&mut self) {
        let Some(id) = self.queued else {
            return;
        };
        holds::release_bookkeeping(|| {
            let mut queue = self.mutex.queue();
            let at = queue.waiters.iter().position(|w| w.id == id);
            if let Some(waiter) = at.and_then(|at| queue.waiters.remove(at)) {
                if waiter.granted {
                    queue.hand_over();
                }
            }
        });
    }
}

/// Holds a [`Mutex`] locked; unlocks on drop (handing the lock to the first waiter).
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    /// The task whose held stack has the hold (under simulation).
    owner: Option<HoldOwner>,
}

// SAFETY: the guard gives `&T` to whoever shares it.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard is the one holder of the lock.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard is the one holder of the lock, borrowed mutably.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        let mutex = self.mutex;
        holds::release_bookkeeping(|| {
            if let Some(owner) = &self.owner {
                if let Some(holder) = Holder::try_current() {
                    ghost::release_for(&holder, owner, &mutex.info, Mode::Exclusive);
                }
            }
            mutex.queue().hand_over();
        });
    }
}

impl<T: ?Sized> std::fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.info)
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}
