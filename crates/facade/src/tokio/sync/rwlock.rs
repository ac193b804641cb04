//! An async reader-writer lock, fair like tokio's: waiters are served in arrival order, so a
//! queued writer holds up the readers that come after it (no writer starves), and a release
//! wakes the readers at the front of the queue together.

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

/// An async reader-writer lock, like `tokio::sync::RwLock`, named and ranked like
/// [`crate::sync::RwLock`]: under simulation its holds (shared or exclusive) are in the task's
/// held stack, checked against the lock hierarchy and in the lock-order graph.
///
/// ```
/// use lockstep::tokio::{block_on, sync::RwLock};
///
/// let config = RwLock::named("config", 1);
/// block_on(async {
///     let (a, b) = (config.read().await, config.read().await); // readers share
///     assert_eq!(*a + *b, 2);
///     drop((a, b));
///     *config.write().await = 2;
/// });
/// assert_eq!(config.into_inner(), 2);
/// ```
pub struct RwLock<T: ?Sized> {
    info: Arc<ObjectInfo>,
    queue: backend::Mutex<Queue>,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through guards; the queue grants one writer or readers.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: readers share `&T` (so `T: Sync`), a writer has it alone (so `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

/// Who holds the lock (readers or one writer, counting those granted and not yet polled) and
/// who waits, first come first.
#[derive(Default)]
struct Queue {
    readers: usize,
    writer: bool,
    waiters: VecDeque<Waiter>,
    next_id: u64,
}

struct Waiter {
    id: u64,
    write: bool,
    waker: Waker,
    /// The lock was granted to it by a release; it takes it at its next poll.
    granted: bool,
}

impl Queue {
    /// Whether a newcomer (`write` or read) may take the lock now: nobody waits ahead of it
    /// and no holder excludes it.
    fn may_take(&self, write: bool) -> bool {
        self.waiters.iter().all(|w| w.granted) && self.compatible(write)
    }

    fn compatible(&self, write: bool) -> bool {
        !self.writer && (!write || self.readers == 0)
    }

    fn take(&mut self, write: bool) {
        debug_assert!(
            self.compatible(write),
            "lockstep: an RwLock granted against a holder"
        );
        if write {
            self.writer = true;
        } else {
            self.readers += 1;
        }
    }

    fn give_back(&mut self, write: bool) {
        if write {
            debug_assert!(
                self.writer,
                "lockstep: an RwLock released a write it did not hold"
            );
            self.writer = false;
        } else {
            debug_assert!(
                self.readers > 0,
                "lockstep: an RwLock released a read it did not hold"
            );
            self.readers -= 1;
        }
        self.serve();
    }

    /// Grants the lock to the waiters at the front, in order, while they fit: readers
    /// together, a writer alone; the first that does not fit holds up the rest.
    fn serve(&mut self) {
        let mut at = 0;
        while at < self.waiters.len() {
            let (write, granted) = (self.waiters[at].write, self.waiters[at].granted);
            if !granted {
                if !self.compatible(write) {
                    break;
                }
                self.take(write);
                let waiter = &mut self.waiters[at];
                waiter.granted = true;
                waiter.waker.wake_by_ref();
            }
            at += 1;
        }
    }
}

impl<T> RwLock<T> {
    /// A new unlocked lock, named `RwLock#N` by creation order.
    ///
    /// ```
    /// assert_eq!(lockstep::tokio::sync::RwLock::new(0).into_inner(), 0);
    /// ```
    pub fn new(value: T) -> Self {
        Self::with_info(holds::object(Kind::RwLock, None), value)
    }

    /// A new unlocked lock with a name for reports and traces.
    ///
    /// ```
    /// assert_eq!(lockstep::tokio::sync::RwLock::named("routes", 0).into_inner(), 0);
    /// ```
    pub fn named(name: &str, value: T) -> Self {
        Self::with_info(holds::object(Kind::RwLock, Some(name)), value)
    }

    /// A new unlocked lock in the lock hierarchy, named after its class.
    ///
    /// ```
    /// use lockstep::sync::LockClass;
    ///
    /// let table = lockstep::tokio::sync::RwLock::ranked(LockClass::new("table", 1), ());
    /// table.into_inner();
    /// ```
    pub fn ranked(class: LockClass, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::RwLock, class, None), value)
    }

    /// A new unlocked lock in the lock hierarchy, one of many in its class (`key` orders them).
    ///
    /// ```
    /// use lockstep::sync::LockClass;
    ///
    /// let row = lockstep::tokio::sync::RwLock::ranked_keyed(LockClass::new("row", 2), 3, ());
    /// row.into_inner();
    /// ```
    pub fn ranked_keyed(class: LockClass, key: u64, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::RwLock, class, Some(key)), value)
    }

    fn with_info(info: Arc<ObjectInfo>, value: T) -> Self {
        RwLock {
            info,
            queue: backend::Mutex::new(Queue::default()),
            value: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns its value.
    ///
    /// ```
    /// assert_eq!(lockstep::tokio::sync::RwLock::new(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits to read (in arrival order: behind a queued writer), then takes a shared hold.
    /// Dropping the pending future leaves the queue (a grant it had goes back).
    ///
    /// Panics with the report if taking it breaks the lock hierarchy (under simulation).
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::RwLock};
    ///
    /// let lock = RwLock::new(3);
    /// assert_eq!(*block_on(lock.read()), 3);
    /// ```
    #[track_caller]
    pub fn read(&self) -> Read<'_, T> {
        Read {
            lock: self,
            waiting: Waiting::new(false, Location::caller()),
        }
    }

    /// Waits to write (in arrival order), then takes the lock alone.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::RwLock};
    ///
    /// let lock = RwLock::new(3);
    /// block_on(async { *lock.write().await += 1 });
    /// assert_eq!(lock.into_inner(), 4);
    /// ```
    #[track_caller]
    pub fn write(&self) -> Write<'_, T> {
        Write {
            lock: self,
            waiting: Waiting::new(true, Location::caller()),
        }
    }

    /// A shared hold now, if no writer holds or waits. A try never waits, so it is not
    /// checked against the lock hierarchy.
    ///
    /// ```
    /// let lock = lockstep::tokio::sync::RwLock::new(1);
    /// let one = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_ok() && lock.try_write().is_err());
    /// drop(one);
    /// ```
    #[track_caller]
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.try_take(false)?;
        Ok(RwLockReadGuard {
            lock: self,
            owner: self.hold(Mode::Shared, Location::caller()),
        })
    }

    /// The lock alone now, if nobody holds or waits for it.
    ///
    /// ```
    /// let lock = lockstep::tokio::sync::RwLock::new(1);
    /// *lock.try_write().unwrap() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    #[track_caller]
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.try_take(true)?;
        Ok(RwLockWriteGuard {
            lock: self,
            owner: self.hold(Mode::Exclusive, Location::caller()),
        })
    }

    fn try_take(&self, write: bool) -> Result<(), TryLockError> {
        let mut queue = self.queue();
        if !queue.may_take(write) {
            return Err(TryLockError::new(&self.info));
        }
        queue.take(write);
        Ok(())
    }

    /// A mutable reference to the value (no locking: the borrow is exclusive).
    ///
    /// ```
    /// let mut lock = lockstep::tokio::sync::RwLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    fn queue(&self) -> backend::MutexGuard<'_, Queue> {
        unpoison(self.queue.lock())
    }

    /// The calling task took the lock in `mode` at `site`: its hold is pushed (simulation).
    fn hold(&self, mode: Mode, site: &'static Location<'static>) -> Option<HoldOwner> {
        ghost::ASYNC_HOLDS.then(|| {
            let holder = Holder::current();
            holds::push(&holder, &self.info, mode, site);
            ghost::hold_owner(&holder)
        })
    }

    /// A hold in `mode` (by `owner`) is given back, from whichever task drops its guard.
    fn release(&self, owner: &Option<HoldOwner>, write: bool) {
        let mode = if write { Mode::Exclusive } else { Mode::Shared };
        holds::release_bookkeeping(|| {
            if let (Some(owner), Some(holder)) = (owner, Holder::try_current()) {
                ghost::release_for(&holder, owner, &self.info, mode);
            }
            self.queue().give_back(write);
        });
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

/// A pending read or write's place in the queue, shared by [`Read`] and [`Write`].
struct Waiting {
    write: bool,
    site: &'static Location<'static>,
    queued: Option<u64>,
    /// Whether the hierarchy check ran (at the first poll).
    checked: bool,
}

impl Waiting {
    fn new(write: bool, site: &'static Location<'static>) -> Self {
        Waiting {
            write,
            site,
            queued: None,
            checked: false,
        }
    }

    fn mode(&self) -> Mode {
        if self.write {
            Mode::Exclusive
        } else {
            Mode::Shared
        }
    }

    /// Polls for the lock: its hold's owner once taken.
    fn poll<T: ?Sized>(
        &mut self,
        lock: &RwLock<T>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<HoldOwner>> {
        let write = self.write;
        if !self.checked {
            self.checked = true;
            if ghost::ASYNC_HOLDS {
                if let Err(violation) =
                    hierarchy::before_acquire(&Holder::current(), &lock.info, self.site)
                {
                    panic!("{violation}");
                }
            }
        }
        let mut queue = lock.queue();
        match self.queued {
            None if queue.may_take(write) => {
                queue.take(write);
                drop(queue);
                return Poll::Ready(lock.hold(self.mode(), self.site));
            }
            None => {
                let id = queue.next_id;
                queue.next_id += 1;
                queue.waiters.push_back(Waiter {
                    id,
                    write,
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
                    .expect("lockstep: a queued RwLock future lost its place");
                if queue.waiters[at].granted {
                    queue.waiters.remove(at);
                    drop(queue);
                    self.queued = None;
                    return Poll::Ready(lock.hold(self.mode(), self.site));
                }
                queue.waiters[at].waker = cx.waker().clone();
            }
        }
        drop(queue);
        ghost::awaits(&lock.info, self.mode());
        Poll::Pending
    }

    /// The future was dropped while queued: it leaves the queue, a grant it had goes back,
    /// and the waiters it held up are served.
    fn cancel<T: ?Sized>(&mut self, lock: &RwLock<T>) {
        let Some(id) = self.queued.take() else {
            return;
        };
        holds::release_bookkeeping(|| {
            let mut queue = lock.queue();
            let at = queue.waiters.iter().position(|w| w.id == id);
            match at.and_then(|at| queue.waiters.remove(at)) {
                Some(waiter) if waiter.granted => queue.give_back(waiter.write),
                _ => queue.serve(),
            }
        });
    }
}

/// The future of [`RwLock::read`].
#[must_use = "a lock future does nothing unless awaited"]
pub struct Read<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    waiting: Waiting,
}

impl<'a, T: ?Sized> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let lock = self.lock;
        self.waiting
            .poll(lock, cx)
            .map(|owner| RwLockReadGuard { lock, owner })
    }
}

impl<T: ?Sized> Drop for Read<'_, T> {
    fn drop(&mut self) {
        self.waiting.cancel(self.lock);
    }
}

/// The future of [`RwLock::write`].
#[must_use = "a lock future does nothing unless awaited"]
pub struct Write<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    waiting: Waiting,
}

impl<'a, T: ?Sized> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let lock = self.lock;
        self.waiting
            .poll(lock, cx)
            .map(|owner| RwLockWriteGuard { lock, owner })
    }
}

impl<T: ?Sized> Drop for Write<'_, T> {
    fn drop(&mut self) {
        self.waiting.cancel(self.lock);
    }
}

/// A shared hold of an [`RwLock`]; released on drop.
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    owner: Option<HoldOwner>,
}

/// The exclusive hold of an [`RwLock`]; released on drop (waking the front of the queue).
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    owner: Option<HoldOwner>,
}

// SAFETY: a read guard gives `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: the write guard gives `&T` to whoever shares it.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a shared hold: no writer holds the lock.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard is the one holder.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard is the one holder, borrowed mutably.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.release(&self.owner, false);
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.release(&self.owner, true);
    }
}

impl<T: ?Sized> std::fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.info)
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}
