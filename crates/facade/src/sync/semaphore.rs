//! A counting semaphore with RAII permits, borrowed ([`SemaphorePermit`]) or owned
//! ([`OwnedSemaphorePermit`], tokio-shaped: it keeps an `Arc` of its semaphore and may move to
//! another thread), one or several at a time (`acquire_many`).
//!
//! std has no semaphore: tokio's is the reference for what a program may observe. Fairness is
//! a policy ([`SemaphoreFairness`]): FIFO by default, as tokio's is (the waiter at the head of
//! the queue is served first, even when a later, smaller request would fit; a `try_acquire`
//! does not overtake queued waiters; a waiter that gives up leaves the queue and the next ones
//! are served if the free permits suffice), or unfair (a release wakes every waiter and they
//! race; a `try_acquire` may take a permit before them).
//!
//! A permit is a hold of the thread that took it, whichever thread drops it: ranks are checked
//! against that thread's other holds, and deadlock reports name it as a holder until the permit
//! is dropped.

mod queue;

use super::holds;
use crate::backend::{self, unpoison};
use crate::ghost::{self, HoldOwner, Holder, TryProbe};
use crate::hierarchy;
use crate::time::{deadline_after, Duration, Instant};
use crate::LockError;
use lockstep_engine::object::LockClass;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use lockstep_engine::op::OpKind;
use lockstep_engine::wait::{Ticket, Woke};
use queue::Permits;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// Which waiter of a [`Semaphore`] gets the permits a release gives back.
///
/// ```
/// use lockstep::sync::{Semaphore, SemaphoreFairness};
///
/// assert_eq!(Semaphore::new(1).fairness(), SemaphoreFairness::Fifo);
/// let racy = Semaphore::new(1).with_fairness(SemaphoreFairness::Unfair);
/// assert_eq!(racy.fairness(), SemaphoreFairness::Unfair);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SemaphoreFairness {
    /// First come, first served, as tokio's semaphore: waiters are granted their permits in
    /// arrival order, a larger request at the head holds back smaller ones behind it, and a
    /// `try_acquire*` fails while anyone is queued. The default.
    #[default]
    Fifo,
    /// No order: a release wakes every waiter and they race for the permits (as a semaphore
    /// built on a mutex and `notify_all` does); a `try_acquire*` takes free permits even
    /// while others wait.
    Unfair,
}

/// A counting semaphore: at most `permits` permits held at once. Permits are returned when
/// their [`SemaphorePermit`] drops, on every path (early return and panic unwinding included).
/// FIFO unless made [`Unfair`](SemaphoreFairness::Unfair).
///
/// ```
/// use lockstep::sync::Semaphore;
///
/// let pool = Semaphore::named("scrape", 2);
/// let a = pool.acquire();
/// let _b = pool.acquire();
/// assert!(pool.try_acquire().is_none());
/// drop(a);
/// assert_eq!(pool.available_permits(), 1);
/// ```
pub struct Semaphore {
    info: Arc<ObjectInfo>,
    /// Lets a `try_acquire*` land inside a holder's hold (see `ghost::TryProbe`); its release
    /// locks `permits`, which every try does too, so it needs no release point.
    probe: TryProbe,
    /// Fixed at construction (outside the mutex: reading it is no scheduling point).
    fairness: SemaphoreFairness,
    /// Free permits and the FIFO queue. A backend mutex (not an atomic) so loom explores no
    /// weak-memory outcomes for the count; it is never held across a wait.
    permits: backend::Mutex<Permits>,
}

/// Permits of a [`Semaphore`] (one, or `n` from `acquire_many(n)`); returned on drop.
#[must_use = "the permits are returned as soon as they are dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    owner: HoldOwner,
    permits: usize,
}

/// Permits of an `Arc<Semaphore>`, which they keep alive; returned on drop, on whichever
/// thread drops them.
///
/// ```
/// use lockstep::sync::{Arc, Semaphore};
/// use lockstep::thread;
///
/// let pool = Arc::new(Semaphore::named("uploads", 1));
/// let permit = Arc::clone(&pool).acquire_owned();
/// assert_eq!(pool.available_permits(), 0);
/// thread::spawn(move || drop(permit)).join().unwrap();
/// assert_eq!(pool.available_permits(), 1);
/// ```
#[must_use = "the permits are returned as soon as they are dropped"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    owner: HoldOwner,
    permits: usize,
}

impl Semaphore {
    /// A FIFO semaphore with `permits` permits, named `Semaphore#N` by creation order.
    pub fn new(permits: usize) -> Self {
        Self::with_info(holds::object(Kind::Semaphore, None), permits)
    }

    /// A FIFO semaphore with a name for reports and traces.
    pub fn named(name: &str, permits: usize) -> Self {
        Self::with_info(holds::object(Kind::Semaphore, Some(name)), permits)
    }

    /// A FIFO semaphore in the lock hierarchy, named after its class.
    pub fn ranked(class: LockClass, permits: usize) -> Self {
        Self::with_info(holds::ranked(Kind::Semaphore, class, None), permits)
    }

    /// A FIFO semaphore in the lock hierarchy, one of many in its class, ordered by `key`.
    pub fn ranked_keyed(class: LockClass, key: u64, permits: usize) -> Self {
        Self::with_info(holds::ranked(Kind::Semaphore, class, Some(key)), permits)
    }

    fn with_info(info: Arc<ObjectInfo>, permits: usize) -> Self {
        let info = Arc::into_inner(info)
            .expect("a new semaphore's object is not shared yet")
            .with_permits(permits);
        Semaphore {
            probe: TryProbe::new(&info),
            info: Arc::new(info),
            fairness: SemaphoreFairness::default(),
            permits: backend::Mutex::new(Permits::new(permits)),
        }
    }

    /// The same semaphore with another fairness policy (see [`SemaphoreFairness`]).
    ///
    /// ```
    /// use lockstep::sync::{Semaphore, SemaphoreFairness};
    ///
    /// let pool = Semaphore::named("pool", 1).with_fairness(SemaphoreFairness::Unfair);
    /// let held = pool.acquire();
    /// assert!(pool.try_acquire().is_none());
    /// drop(held);
    /// assert_eq!(pool.available_permits(), 1);
    /// ```
    pub fn with_fairness(self, fairness: SemaphoreFairness) -> Self {
        Semaphore { fairness, ..self }
    }

    /// Its fairness policy.
    ///
    /// ```
    /// use lockstep::sync::{Semaphore, SemaphoreFairness};
    ///
    /// assert_eq!(Semaphore::named("pool", 2).fairness(), SemaphoreFairness::Fifo);
    /// ```
    pub fn fairness(&self) -> SemaphoreFairness {
        self.fairness
    }

    /// Blocks until a permit is free, then takes it. Panics with the report if that breaks the
    /// lock hierarchy.
    #[track_caller]
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        self.acquire_many(1)
    }

    /// Blocks until `n` permits are free (and, FIFO, every earlier waiter is served), then
    /// takes them together. Ranked like one permit; panics with the report if that breaks the
    /// lock hierarchy.
    ///
    /// ```
    /// use lockstep::sync::Semaphore;
    ///
    /// let pool = Semaphore::named("pool", 4);
    /// let three = pool.acquire_many(3);
    /// assert_eq!((three.num_permits(), pool.available_permits()), (3, 1));
    /// drop(three);
    /// assert_eq!(pool.available_permits(), 4);
    /// ```
    #[track_caller]
    pub fn acquire_many(&self, n: usize) -> SemaphorePermit<'_> {
        let owner = self.acquire_at(n, Location::caller());
        self.permit(owner, n)
    }

    /// Takes a permit if one is free right now and (FIFO) nobody waits (not
    /// hierarchy-checked: a try never blocks).
    #[track_caller]
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free right now and (FIFO) nobody waits; else fails,
    /// taking none.
    ///
    /// ```
    /// use lockstep::sync::Semaphore;
    ///
    /// let pool = Semaphore::new(2);
    /// assert!(pool.try_acquire_many(3).is_none());
    /// assert_eq!(pool.try_acquire_many(2).map(|p| p.num_permits()), Some(2));
    /// ```
    #[track_caller]
    pub fn try_acquire_many(&self, n: usize) -> Option<SemaphorePermit<'_>> {
        let owner = self.try_take(n, Location::caller())?;
        Some(self.permit(owner, n))
    }

    /// Takes a permit, waiting at most `timeout` (virtual time under simulation). Fails with
    /// [`LockError::Timeout`], or [`LockError::OrderViolation`] if that breaks the hierarchy.
    #[track_caller]
    pub fn acquire_timeout(&self, timeout: Duration) -> Result<SemaphorePermit<'_>, LockError> {
        self.acquire_many_timeout(1, timeout)
    }

    /// Takes `n` permits, waiting at most `timeout`. A FIFO waiter that times out leaves the
    /// queue, and the waiters behind it are served if the free permits now suffice.
    ///
    /// ```
    /// use lockstep::sync::Semaphore;
    /// use lockstep::time::Duration;
    ///
    /// let pool = Semaphore::named("pool", 2);
    /// let err = pool.acquire_many_timeout(3, Duration::from_millis(1)).unwrap_err();
    /// assert!(err.to_string().contains("Semaphore \"pool\""));
    /// ```
    #[track_caller]
    pub fn acquire_many_timeout(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<SemaphorePermit<'_>, LockError> {
        let owner = self.acquire_timeout_at(n, timeout, Location::caller())?;
        Ok(self.permit(owner, n))
    }

    /// Like [`acquire`](Semaphore::acquire), for a permit that keeps the semaphore alive and may
    /// move to another thread.
    ///
    /// ```
    /// use lockstep::sync::{Arc, Semaphore};
    ///
    /// let pool = Arc::new(Semaphore::new(1));
    /// let permit = Arc::clone(&pool).acquire_owned();
    /// assert!(Arc::clone(&pool).try_acquire_owned().is_none());
    /// drop(permit);
    /// assert!(pool.try_acquire_owned().is_some());
    /// ```
    #[track_caller]
    pub fn acquire_owned(self: Arc<Self>) -> OwnedSemaphorePermit {
        self.acquire_many_owned(1)
    }

    /// Like [`acquire_many`](Semaphore::acquire_many), for owned permits.
    ///
    /// ```
    /// use lockstep::sync::{Arc, Semaphore};
    ///
    /// let pool = Arc::new(Semaphore::new(3));
    /// let two = Arc::clone(&pool).acquire_many_owned(2);
    /// assert_eq!((two.num_permits(), pool.available_permits()), (2, 1));
    /// ```
    #[track_caller]
    pub fn acquire_many_owned(self: Arc<Self>, n: usize) -> OwnedSemaphorePermit {
        let owner = self.acquire_at(n, Location::caller());
        Self::owned_permit(self, owner, n)
    }

    /// Like [`try_acquire`](Semaphore::try_acquire), for an owned permit.
    ///
    /// ```
    /// use lockstep::sync::{Arc, Semaphore};
    ///
    /// let pool = Arc::new(Semaphore::new(0));
    /// assert!(pool.try_acquire_owned().is_none());
    /// ```
    #[track_caller]
    pub fn try_acquire_owned(self: Arc<Self>) -> Option<OwnedSemaphorePermit> {
        self.try_acquire_many_owned(1)
    }

    /// Like [`try_acquire_many`](Semaphore::try_acquire_many), for owned permits.
    ///
    /// ```
    /// use lockstep::sync::{Arc, Semaphore};
    ///
    /// let pool = Arc::new(Semaphore::new(2));
    /// assert!(Arc::clone(&pool).try_acquire_many_owned(3).is_none());
    /// assert!(pool.try_acquire_many_owned(2).is_some());
    /// ```
    #[track_caller]
    pub fn try_acquire_many_owned(self: Arc<Self>, n: usize) -> Option<OwnedSemaphorePermit> {
        let owner = self.try_take(n, Location::caller())?;
        Some(Self::owned_permit(self, owner, n))
    }

    /// Like [`acquire_timeout`](Semaphore::acquire_timeout), for an owned permit.
    ///
    /// ```
    /// use lockstep::sync::{Arc, Semaphore};
    /// use lockstep::time::Duration;
    ///
    /// let pool = Arc::new(Semaphore::named("slots", 0));
    /// let err = pool.acquire_owned_timeout(Duration::from_millis(1)).unwrap_err();
    /// assert!(err.to_string().contains("Semaphore \"slots\""));
    /// ```
    #[track_caller]
    pub fn acquire_owned_timeout(
        self: Arc<Self>,
        timeout: Duration,
    ) -> Result<OwnedSemaphorePermit, LockError> {
        let owner = self.acquire_timeout_at(1, timeout, Location::caller())?;
        Ok(Self::owned_permit(self, owner, 1))
    }

    /// Adds `n` permits: FIFO, they go to the queue's head waiters as far as they suffice;
    /// unfair, every waiter is woken and they race for them.
    ///
    /// ```
    /// use lockstep::sync::Semaphore;
    ///
    /// let gate = Semaphore::new(0);
    /// gate.add_permits(2);
    /// assert_eq!(gate.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        Holder::current().set_pending_on(OpKind::Release, &self.info);
        let served = {
            let mut permits = unpoison(self.permits.lock());
            if permits.free().checked_add(n).is_none() {
                panic!(
                    "lockstep: {} would have more than usize::MAX permits ({} + {n})",
                    self.info,
                    permits.free()
                );
            }
            self.info.add_permits(n);
            permits.give(n)
        };
        self.wake(served);
    }

    fn permit(&self, owner: HoldOwner, permits: usize) -> SemaphorePermit<'_> {
        SemaphorePermit {
            semaphore: self,
            owner,
            permits,
        }
    }

    fn owned_permit(self: Arc<Self>, owner: HoldOwner, permits: usize) -> OwnedSemaphorePermit {
        OwnedSemaphorePermit {
            semaphore: self,
            owner,
            permits,
        }
    }

    /// The blocking acquire of `n` permits behind both permit kinds; returns the hold's owner.
    fn acquire_at(&self, n: usize, site: &'static Location<'static>) -> HoldOwner {
        if let Err(violation) = hierarchy::before_acquire(&Holder::current(), &self.info, site) {
            panic!("{violation}");
        }
        self.wait_for(n, None, site)
            .expect("an acquire without a deadline cannot time out")
    }

    /// The timed acquire of `n` permits behind both permit kinds; returns the hold's owner.
    fn acquire_timeout_at(
        &self,
        n: usize,
        timeout: Duration,
        site: &'static Location<'static>,
    ) -> Result<HoldOwner, LockError> {
        hierarchy::before_acquire(&Holder::current(), &self.info, site)?;
        self.wait_for(n, Some(timeout), site)
    }

    /// Takes `n` permits, waiting at most `timeout` (`None`: as long as it takes), by the
    /// semaphore's policy. A zero timeout is a try.
    fn wait_for(
        &self,
        n: usize,
        timeout: Option<Duration>,
        site: &'static Location<'static>,
    ) -> Result<HoldOwner, LockError> {
        if timeout.is_some_and(|t| t.is_zero()) {
            return self
                .try_take(n, site)
                .ok_or_else(|| self.timed_out(timeout));
        }
        match self.fairness {
            SemaphoreFairness::Unfair => self.wait_racing(n, timeout, site),
            SemaphoreFairness::Fifo => self.wait_in_queue(n, timeout, site),
        }
    }

    /// The unfair acquire: takes `n` permits if they are free, else parks until a release
    /// wakes every waiter, and races for them again. The ticket is registered under the
    /// permits' lock, so a release right after a failed attempt (unlocking is a scheduling
    /// point under shuttle) wakes it. A timeout after a woken attempt found the permits taken
    /// by another thread is a liveness hint (see `lockstep_engine::liveness`).
    fn wait_racing(
        &self,
        n: usize,
        timeout: Option<Duration>,
        site: &'static Location<'static>,
    ) -> Result<HoldOwner, LockError> {
        let holder = Holder::current();
        let deadline = timeout.and_then(deadline_after);
        // The take count when it last queued, and whether a woken attempt lost the permits.
        let mut queued_at = None;
        let mut lost_to_another = false;
        loop {
            holder.set_pending_on(OpKind::Acquire, &self.info);
            let ticket = {
                let mut permits = unpoison(self.permits.lock());
                if permits.try_take(n, self.fairness) {
                    drop(permits);
                    return Ok(self.hold(&holder, n, site));
                }
                lost_to_another |= queued_at.is_some_and(|takes| permits.takes() > takes);
                queued_at = Some(permits.takes());
                self.info.waiters.register()
            };
            let woke = ghost::park(
                &ticket,
                &self.info,
                Mode::Permits(n),
                deadline.map(Instant::moment),
            );
            self.info.waiters.cancel(&ticket);
            if woke == Woke::TimedOut {
                if lost_to_another {
                    ghost::permits_taken_before_timeout();
                }
                return Err(self.timed_out(timeout));
            }
        }
    }

    /// The error of a timed acquire that gave up after `timeout`.
    fn timed_out(&self, timeout: Option<Duration>) -> LockError {
        LockError::Timeout {
            object: self.info.to_string(),
            waited: timeout.unwrap_or_default(),
        }
    }

    /// The FIFO acquire: takes `n` permits at once if nobody is queued and they are free, else
    /// queues and parks until a releaser hands it the permits (it holds them when it wakes) or
    /// the deadline passes (then it leaves the queue, serving the waiters behind it if the free
    /// permits suffice for them now).
    fn wait_in_queue(
        &self,
        n: usize,
        timeout: Option<Duration>,
        site: &'static Location<'static>,
    ) -> Result<HoldOwner, LockError> {
        let holder = Holder::current();
        holder.set_pending_on(OpKind::Acquire, &self.info);
        let ticket = {
            let mut permits = unpoison(self.permits.lock());
            if permits.try_take(n, self.fairness) {
                drop(permits);
                return Ok(self.hold(&holder, n, site));
            }
            let ticket = self.info.waiters.register();
            permits.enqueue(Arc::clone(&ticket), n);
            ticket
        };
        let deadline = timeout.and_then(deadline_after);
        let woke = ghost::park(
            &ticket,
            &self.info,
            Mode::Permits(n),
            deadline.map(Instant::moment),
        );
        // Out of the ghost queue before any backend call: a releaser that handed it permits
        // meanwhile must not unpark it while it blocks on the mutex below.
        self.info.waiters.cancel(&ticket);
        let left = unpoison(self.permits.lock()).leave(&ticket);
        match left {
            None => Ok(self.hold(&holder, n, site)),
            Some(served) => {
                assert_eq!(
                    woke,
                    Woke::TimedOut,
                    "lockstep: a waiter of {} woke without its permits",
                    self.info
                );
                self.wake(served);
                Err(self.timed_out(timeout))
            }
        }
    }

    /// Wakes the waiters that permits came back for: FIFO, the ones handed their permits;
    /// unfair, every waiter (they race for them).
    fn wake(&self, served: Vec<Arc<Ticket>>) {
        match self.fairness {
            SemaphoreFairness::Fifo => {
                for ticket in &served {
                    self.info.waiters.wake(ticket);
                }
            }
            SemaphoreFairness::Unfair => {
                debug_assert!(served.is_empty(), "an unfair semaphore queues nobody");
                self.info.waiters.wake_all();
            }
        }
    }

    /// Takes `n` permits, if the policy gives them now, as a hold of the calling thread (its
    /// owner).
    fn try_take(&self, n: usize, site: &'static Location<'static>) -> Option<HoldOwner> {
        let holder = Holder::current();
        let taken = self.probe.plain_try(&self.info, || {
            holder.set_pending_on(OpKind::Acquire, &self.info);
            unpoison(self.permits.lock())
                .try_take(n, self.fairness)
                .then_some(())
        });
        if taken.is_none() {
            ghost::try_failed(&holder, &self.info, Mode::Permits(n));
            return None;
        }
        Some(self.hold(&holder, n, site))
    }

    /// Records `n` permits taken as one hold of `holder`, then passes the try probe's point
    /// for a new hold; returns its owner.
    fn hold(&self, holder: &Holder, n: usize, site: &'static Location<'static>) -> HoldOwner {
        holds::push(holder, &self.info, Mode::Permits(n), site);
        self.probe.held(holder, &self.info, Mode::Permits(n));
        ghost::hold_owner(holder)
    }

    /// Gives back `n` permits held by `owner`, from whichever thread drops them.
    fn give_back(&self, owner: &HoldOwner, n: usize) {
        holds::release_bookkeeping(|| {
            if let Some(holder) = Holder::try_current() {
                ghost::release_for(&holder, owner, &self.info, Mode::Permits(n));
            }
            let served = {
                let mut permits = unpoison(self.permits.lock());
                permits.give(n)
            };
            self.wake(served);
        });
    }

    /// How many permits an acquire could take right now. Under FIFO, as in tokio, that is 0
    /// while a waiter is queued (the free permits are set aside for the queue's head).
    ///
    /// ```
    /// use lockstep::sync::Semaphore;
    ///
    /// let pool = Semaphore::new(3);
    /// let _one = pool.acquire();
    /// assert_eq!(pool.available_permits(), 2);
    /// ```
    pub fn available_permits(&self) -> usize {
        unpoison(self.permits.lock()).available()
    }

    /// The canonical name of this semaphore, as reports and errors print it.
    pub fn name(&self) -> String {
        self.info.to_string()
    }
}

impl SemaphorePermit<'_> {
    /// How many permits this guard holds (and returns on drop).
    ///
    /// ```
    /// use lockstep::sync::Semaphore;
    ///
    /// assert_eq!(Semaphore::new(2).acquire_many(2).num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.give_back(&self.owner, self.permits);
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.give_back(&self.owner, self.permits);
    }
}

impl OwnedSemaphorePermit {
    /// The semaphore this permit belongs to.
    ///
    /// ```
    /// use lockstep::sync::{Arc, Semaphore};
    ///
    /// let pool = Arc::new(Semaphore::named("db", 1));
    /// let permit = Arc::clone(&pool).acquire_owned();
    /// assert!(Arc::ptr_eq(permit.semaphore(), &pool));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// How many permits this guard holds (and returns on drop).
    ///
    /// ```
    /// use lockstep::sync::{Arc, Semaphore};
    ///
    /// let pool = Arc::new(Semaphore::new(2));
    /// assert_eq!(pool.acquire_many_owned(2).num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.info)
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} permit(s) of {}", self.permits, self.semaphore.info)
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} owned permit(s) of {}",
            self.permits, self.semaphore.info
        )
    }
}
