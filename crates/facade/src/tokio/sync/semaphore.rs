//! An async counting semaphore, FIFO like tokio's: permits given back go to the queue's
//! waiters in arrival order, and a waiter that wants many holds up those behind it.

use crate::backend::{self, unpoison};
use crate::ghost::{self, HoldOwner, Holder};
use crate::hierarchy;
use crate::sync::holds;
use lockstep_engine::object::{Kind, LockClass, Mode, ObjectInfo};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// An async semaphore, like `tokio::sync::Semaphore`, named and ranked like
/// [`crate::sync::Semaphore`]: under simulation its permits are in the task's held stack (the
/// deadlock report counts them) and checked against the lock hierarchy.
///
/// ```
/// use lockstep::tokio::{block_on, sync::Semaphore};
///
/// let pool = Semaphore::named("connections", 2);
/// block_on(async {
///     let one = pool.acquire().await.unwrap();
///     assert_eq!(pool.available_permits(), 1);
///     drop(one);
/// });
/// assert_eq!(pool.available_permits(), 2);
/// ```
pub struct Semaphore {
    info: Arc<ObjectInfo>,
    state: backend::Mutex<State>,
}

/// The semaphore is closed: no permit will be given (`acquire` fails with it).
///
/// ```
/// use lockstep::tokio::{block_on, sync::Semaphore};
///
/// let pool = Semaphore::named("pool", 1);
/// pool.close();
/// let error = block_on(pool.acquire()).unwrap_err();
/// assert_eq!(error.to_string(), r#"Semaphore "pool" is closed"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{semaphore} is closed")]
pub struct AcquireError {
    semaphore: String,
}

/// Why a `try_acquire` took no permits.
///
/// ```
/// use lockstep::tokio::sync::{Semaphore, TryAcquireError};
///
/// let pool = Semaphore::named("pool", 0);
/// assert!(matches!(pool.try_acquire(), Err(TryAcquireError::NoPermits { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TryAcquireError {
    /// The semaphore is closed.
    #[error("{semaphore} is closed")]
    Closed {
        /// The semaphore.
        semaphore: String,
    },
    /// Not enough permits are free (or waiters are queued first).
    #[error("{semaphore} has {free} free permits, {wanted} wanted")]
    NoPermits {
        /// The semaphore.
        semaphore: String,
        /// How many were free.
        free: usize,
        /// How many were wanted.
        wanted: usize,
    },
}

#[derive(Default)]
struct State {
    free: usize,
    closed: bool,
    waiters: VecDeque<Waiter>,
    next_id: u64,
}

struct Waiter {
    id: u64,
    wanted: usize,
    waker: Waker,
    /// Its permits were set aside for it by a release; it takes them at its next poll.
    granted: bool,
}

impl State {
    /// Serves the queue in order: each waiter not yet granted gets its permits while there
    /// are enough; the first that cannot be served holds up the rest (FIFO).
    fn serve(&mut self) {
        for waiter in self.waiters.iter_mut().filter(|w| !w.granted) {
            if self.free < waiter.wanted {
                break;
            }
            self.free -= waiter.wanted;
            waiter.granted = true;
            waiter.waker.wake_by_ref();
        }
    }

    /// Whether a newcomer may take `n` permits now: none is queued ahead, enough are free.
    fn may_take(&self, n: usize) -> bool {
        self.waiters.iter().all(|w| w.granted) && self.free >= n
    }
}

impl Semaphore {
    /// A semaphore with `permits` permits, named `Semaphore#N` by creation order.
    ///
    /// ```
    /// assert_eq!(lockstep::tokio::sync::Semaphore::new(3).available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Self {
        Self::with_info(holds::object(Kind::Semaphore, None), permits)
    }

    /// A semaphore with a name for reports and traces.
    ///
    /// ```
    /// assert_eq!(lockstep::tokio::sync::Semaphore::named("pool", 1).available_permits(), 1);
    /// ```
    pub fn named(name: &str, permits: usize) -> Self {
        Self::with_info(holds::object(Kind::Semaphore, Some(name)), permits)
    }

    /// A semaphore in the lock hierarchy, named after its class.
    ///
    /// ```
    /// use lockstep::sync::LockClass;
    ///
    /// let scrape = lockstep::tokio::sync::Semaphore::ranked(LockClass::new("scrape", 2), 4);
    /// assert_eq!(scrape.available_permits(), 4);
    /// ```
    pub fn ranked(class: LockClass, permits: usize) -> Self {
        Self::with_info(holds::ranked(Kind::Semaphore, class, None), permits)
    }

    /// A semaphore in the lock hierarchy, one of many in its class, ordered by `key` (like
    /// [`crate::sync::Semaphore::ranked_keyed`]): holding key 2 while acquiring key 1 of the
    /// same class is an order violation.
    ///
    /// ```
    /// use lockstep::sync::LockClass;
    ///
    /// const SESSION: LockClass = LockClass::new("session", 3);
    /// let session_1 = lockstep::tokio::sync::Semaphore::ranked_keyed(SESSION, 1, 2);
    /// assert_eq!(session_1.available_permits(), 2);
    /// ```
    pub fn ranked_keyed(class: LockClass, key: u64, permits: usize) -> Self {
        Self::with_info(holds::ranked(Kind::Semaphore, class, Some(key)), permits)
    }

    fn with_info(info: Arc<ObjectInfo>, permits: usize) -> Self {
        let info = Arc::into_inner(info)
            .expect("a new semaphore's object is not shared yet")
            .with_permits(permits);
        Semaphore {
            info: Arc::new(info),
            state: backend::Mutex::new(State {
                free: permits,
                ..State::default()
            }),
        }
    }

    fn state(&self) -> backend::MutexGuard<'_, State> {
        unpoison(self.state.lock())
    }

    /// Waits for one permit (in arrival order).
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::Semaphore};
    ///
    /// let pool = Semaphore::new(1);
    /// let permit = block_on(pool.acquire()).unwrap();
    /// assert_eq!(permit.num_permits(), 1);
    /// ```
    #[track_caller]
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once (in arrival order: a waiter for many holds up those
    /// behind it).
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::Semaphore};
    ///
    /// let pool = Semaphore::new(3);
    /// let two = block_on(pool.acquire_many(2)).unwrap();
    /// assert_eq!((two.num_permits(), pool.available_permits()), (2, 1));
    /// ```
    #[track_caller]
    pub fn acquire_many(&self, n: u32) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            waiting: Waiting::new(n as usize, Location::caller()),
        }
    }

    /// Waits for one permit, owned: the permit keeps the semaphore alive and may move to
    /// another task.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::Semaphore};
    /// use std::sync::Arc;
    ///
    /// let pool = Arc::new(Semaphore::new(1));
    /// let permit = block_on(Arc::clone(&pool).acquire_owned()).unwrap();
    /// drop(permit);
    /// assert_eq!(pool.available_permits(), 1);
    /// ```
    #[track_caller]
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        self.acquire_many_owned(1)
    }

    /// Waits for `n` permits at once, owned.
    ///
    /// ```
    /// use lockstep::tokio::{block_on, sync::Semaphore};
    /// use std::sync::Arc;
    ///
    /// let pool = Arc::new(Semaphore::new(2));
    /// let both = block_on(Arc::clone(&pool).acquire_many_owned(2)).unwrap();
    /// assert_eq!(both.num_permits(), 2);
    /// ```
    #[track_caller]
    pub fn acquire_many_owned(self: Arc<Self>, n: u32) -> AcquireOwned {
        AcquireOwned {
            semaphore: self,
            waiting: Waiting::new(n as usize, Location::caller()),
        }
    }

    /// Takes one permit if one is free and nobody is queued. A try never waits, so it is not
    /// checked against the lock hierarchy.
    ///
    /// ```
    /// let pool = lockstep::tokio::sync::Semaphore::new(1);
    /// let _held = pool.try_acquire().unwrap();
    /// assert!(pool.try_acquire().is_err());
    /// ```
    #[track_caller]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let site = Location::caller();
        let permits = 1;
        {
            let mut state = self.state();
            if state.closed {
                return Err(TryAcquireError::Closed {
                    semaphore: self.info.to_string(),
                });
            }
            if !state.may_take(permits) {
                return Err(TryAcquireError::NoPermits {
                    semaphore: self.info.to_string(),
                    free: state.free,
                    wanted: permits,
                });
            }
            state.free -= permits;
        }
        Ok(SemaphorePermit {
            semaphore: self,
            permits,
            owner: self.hold(permits, site),
        })
    }

    /// Adds `n` permits (served to the queue first).
    ///
    /// ```
    /// let pool = lockstep::tokio::sync::Semaphore::new(0);
    /// pool.add_permits(2);
    /// assert_eq!(pool.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.info.add_permits(n);
        let mut state = self.state();
        state.free += n;
        state.serve();
    }

    /// How many permits are free (not held, not set aside for a queued waiter).
    ///
    /// ```
    /// assert_eq!(lockstep::tokio::sync::Semaphore::new(2).available_permits(), 2);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.state().free
    }

    /// Closes the semaphore: pending and later acquires fail with [`AcquireError`]; permits
    /// already held stay valid.
    ///
    /// ```
    /// let pool = lockstep::tokio::sync::Semaphore::new(1);
    /// pool.close();
    /// assert!(pool.is_closed());
    /// ```
    pub fn close(&self) {
        let mut state = self.state();
        state.closed = true;
        for waiter in state.waiters.iter().filter(|w| !w.granted) {
            waiter.waker.wake_by_ref();
        }
    }

    /// Whether [`close`](Semaphore::close) was called.
    ///
    /// ```
    /// assert!(!lockstep::tokio::sync::Semaphore::new(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state().closed
    }

    /// Records `n` permits taken by the calling task at `site` (under simulation).
    fn hold(&self, n: usize, site: &'static Location<'static>) -> Option<HoldOwner> {
        ghost::ASYNC_HOLDS.then(|| {
            let holder = Holder::current();
            holds::push(&holder, &self.info, Mode::Permits(n), site);
            ghost::hold_owner(&holder)
        })
    }

    /// Drops the hold of `n` permits by `owner` without giving them back: the semaphore has
    /// `n` fewer permits from now on.
    fn forget(&self, owner: &Option<HoldOwner>, n: usize) {
        if let (Some(owner), Some(holder)) = (owner, Holder::try_current()) {
            ghost::release_for(&holder, owner, &self.info, Mode::Permits(n));
        }
        self.info.forget_permits(n);
    }

    /// Gives back `n` permits held by `owner` (from whichever task drops them).
    fn give_back(&self, owner: &Option<HoldOwner>, n: usize) {
        holds::release_bookkeeping(|| {
            if let (Some(owner), Some(holder)) = (owner, Holder::try_current()) {
                ghost::release_for(&holder, owner, &self.info, Mode::Permits(n));
            }
            let mut state = self.state();
            state.free += n;
            state.serve();
        });
    }
}

/// A pending acquire's place in the queue, shared by [`Acquire`] and [`AcquireOwned`].
struct Waiting {
    wanted: usize,
    site: &'static Location<'static>,
    queued: Option<u64>,
    checked: bool,
}

impl Waiting {
    fn new(wanted: usize, site: &'static Location<'static>) -> Self {
        Waiting {
            wanted,
            site,
            queued: None,
            checked: false,
        }
    }

    /// Polls for the permits: their hold's owner once taken.
    fn poll(
        &mut self,
        semaphore: &Semaphore,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<HoldOwner>, AcquireError>> {
        if !self.checked {
            self.checked = true;
            if ghost::ASYNC_HOLDS {
                if let Err(violation) =
                    hierarchy::before_acquire(&Holder::current(), &semaphore.info, self.site)
                {
                    panic!("{violation}");
                }
            }
        }
        let closed = || {
            Poll::Ready(Err(AcquireError {
                semaphore: semaphore.info.to_string(),
            }))
        };
        let mut state = semaphore.state();
        match self.queued {
            None if state.closed => return closed(),
            None if state.may_take(self.wanted) => {
                state.free -= self.wanted;
                drop(state);
                return Poll::Ready(Ok(semaphore.hold(self.wanted, self.site)));
            }
            None => {
                let id = state.next_id;
                state.next_id += 1;
                state.waiters.push_back(Waiter {
                    id,
                    wanted: self.wanted,
                    waker: cx.waker().clone(),
                    granted: false,
                });
                self.queued = Some(id);
            }
            Some(id) => {
                let at = state
                    .waiters
                    .iter()
                    .position(|w| w.id == id)
                    .expect("lockstep: a queued acquire lost its place");
                if state.waiters[at].granted {
                    state.waiters.remove(at);
                    drop(state);
                    self.queued = None;
                    return Poll::Ready(Ok(semaphore.hold(self.wanted, self.site)));
                }
                if state.closed {
                    state.waiters.remove(at);
                    self.queued = None;
                    return closed();
                }
                state.waiters[at].waker = cx.waker().clone();
            }
        }
        drop(state);
        ghost::awaits(&semaphore.info, Mode::Permits(self.wanted));
        Poll::Pending
    }

    /// The acquire was dropped while queued: it leaves the queue, and permits set aside for
    /// it go back (to the next waiters).
    fn cancel(&mut self, semaphore: &Semaphore) {
        let Some(id) = self.queued.take() else {
            return;
        };
        holds::release_bookkeeping(|| {
            let mut state = semaphore.state();
            let at = state.waiters.iter().position(|w| w.id == id);
            if let Some(waiter) = at.and_then(|at| state.waiters.remove(at)) {
                if waiter.granted {
                    state.free += waiter.wanted;
                }
            }
            // Whether or not it had been granted, a waiter that wanted many may have held up
            // those behind it.
            state.serve();
        });
    }
}

/// The future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
#[must_use = "an acquire future does nothing unless awaited"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    waiting: Waiting,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let semaphore = self.semaphore;
        let permits = self.waiting.wanted;
        self.waiting
            .poll(semaphore, cx)
            .map_ok(|owner| SemaphorePermit {
                semaphore,
                permits,
                owner,
            })
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.waiting.cancel(self.semaphore);
    }
}

/// The future of [`Semaphore::acquire_owned`] and [`Semaphore::acquire_many_owned`].
#[must_use = "an acquire future does nothing unless awaited"]
pub struct AcquireOwned {
    semaphore: Arc<Semaphore>,
    waiting: Waiting,
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let permits = this.waiting.wanted;
        this.waiting
            .poll(&this.semaphore, cx)
            .map_ok(|owner| OwnedSemaphorePermit {
                semaphore: Arc::clone(&this.semaphore),
                permits,
                owner,
            })
    }
}

impl Drop for AcquireOwned {
    fn drop(&mut self) {
        self.waiting.cancel(&self.semaphore);
    }
}

/// Permits of a [`Semaphore`], given back on drop.
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: usize,
    owner: Option<HoldOwner>,
}

impl SemaphorePermit<'_> {
    /// How many permits it holds.
    ///
    /// ```
    /// let pool = lockstep::tokio::sync::Semaphore::new(1);
    /// assert_eq!(pool.try_acquire().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Forgets the permits: they are not given back, so the semaphore has that many fewer.
    ///
    /// ```
    /// let pool = lockstep::tokio::sync::Semaphore::new(2);
    /// pool.try_acquire().unwrap().forget();
    /// assert_eq!(pool.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.semaphore.forget(&self.owner, self.permits);
        (self.owner, self.permits) = (None, 0); // nothing left for the drop to give back
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        if self.permits > 0 || self.owner.is_some() {
            self.semaphore.give_back(&self.owner, self.permits);
        }
    }
}

/// Owned permits of a [`Semaphore`], given back on drop.
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: usize,
    owner: Option<HoldOwner>,
}

impl OwnedSemaphorePermit {
    /// How many permits it holds.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let pool = Arc::new(lockstep::tokio::sync::Semaphore::new(2));
    /// let permit = lockstep::tokio::block_on(pool.acquire_many_owned(2)).unwrap();
    /// assert_eq!(permit.num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Forgets the permits: they are not given back, so the semaphore has that many fewer.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let pool = Arc::new(lockstep::tokio::sync::Semaphore::new(2));
    /// lockstep::tokio::block_on(Arc::clone(&pool).acquire_owned()).unwrap().forget();
    /// assert_eq!(pool.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.semaphore.forget(&self.owner, self.permits);
        (self.owner, self.permits) = (None, 0); // nothing left for the drop to give back
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if self.permits > 0 || self.owner.is_some() {
            self.semaphore.give_back(&self.owner, self.permits);
        }
    }
}

impl std::fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} free)", self.info, self.available_permits())
    }
}

impl std::fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} permits of {}", self.permits, self.semaphore.info)
    }
}

impl std::fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} permits of {}", self.permits, self.semaphore.info)
    }
}
