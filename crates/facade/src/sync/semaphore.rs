//! A counting semaphore with RAII permits, borrowed ([`SemaphorePermit`]) or owned
//! ([`OwnedSemaphorePermit`], tokio-shaped: it keeps an `Arc` of its semaphore and may move to
//! another thread).
//!
//! A permit is a hold of the thread that took it, whichever thread drops it: ranks are checked
//! against that thread's other holds, and deadlock reports name it as a holder until the permit
//! is dropped.

use super::acquire as timed;
use super::holds;
use crate::backend::{self, unpoison};
use crate::ghost::{self, HoldOwner, Holder};
use crate::hierarchy;
use crate::time::Duration;
use crate::LockError;
use lockstep_engine::object::LockClass;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use std::fmt;
use std::panic::Location;
use std::sync::Arc;

/// A counting semaphore: at most `permits` holders at once. A permit is returned when its
/// [`SemaphorePermit`] drops, on every path (early return and panic unwinding included).
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
    /// Free permits. A backend mutex (not an atomic) so loom explores no weak-memory outcomes
    /// for the count; it is never held across a wait.
    free: backend::Mutex<usize>,
}

/// One permit of a [`Semaphore`]; returned on drop.
#[must_use = "the permit is returned as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    owner: HoldOwner,
}

/// One permit of an `Arc<Semaphore>`, which it keeps alive; returned on drop, on whichever
/// thread drops it.
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
#[must_use = "the permit is returned as soon as it is dropped"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    owner: HoldOwner,
}

impl Semaphore {
    /// A semaphore with `permits` permits, named `Semaphore#N` by creation order.
    pub fn new(permits: usize) -> Self {
        Self::with_info(holds::object(Kind::Semaphore, None), permits)
    }

    /// A semaphore with a name for reports and traces.
    pub fn named(name: &str, permits: usize) -> Self {
        Self::with_info(holds::object(Kind::Semaphore, Some(name)), permits)
    }

    /// A semaphore in the lock hierarchy, named after its class.
    pub fn ranked(class: LockClass, permits: usize) -> Self {
        Self::with_info(holds::ranked(Kind::Semaphore, class, None), permits)
    }

    /// A semaphore in the lock hierarchy, one of many in its class, ordered by `key`.
    pub fn ranked_keyed(class: LockClass, key: u64, permits: usize) -> Self {
        Self::with_info(holds::ranked(Kind::Semaphore, class, Some(key)), permits)
    }

    fn with_info(info: Arc<ObjectInfo>, permits: usize) -> Self {
        Semaphore {
            info,
            free: backend::Mutex::new(permits),
        }
    }

    /// Blocks until a permit is free, then takes it. Panics with the report if that breaks the
    /// lock hierarchy.
    #[track_caller]
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        let owner = self.acquire_at(Location::caller());
        SemaphorePermit {
            semaphore: self,
            owner,
        }
    }

    /// Takes a permit if one is free right now (not hierarchy-checked: a try never blocks).
    #[track_caller]
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        let owner = self.try_take(Location::caller())?;
        Some(SemaphorePermit {
            semaphore: self,
            owner,
        })
    }

    /// Takes a permit, waiting at most `timeout` (virtual time under simulation). Fails with
    /// [`LockError::Timeout`], or [`LockError::OrderViolation`] if that breaks the hierarchy.
    #[track_caller]
    pub fn acquire_timeout(&self, timeout: Duration) -> Result<SemaphorePermit<'_>, LockError> {
        let owner = self.acquire_timeout_at(timeout, Location::caller())?;
        Ok(SemaphorePermit {
            semaphore: self,
            owner,
        })
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
        let owner = self.acquire_at(Location::caller());
        OwnedSemaphorePermit {
            semaphore: self,
            owner,
        }
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
        let owner = self.try_take(Location::caller())?;
        Some(OwnedSemaphorePermit {
            semaphore: self,
            owner,
        })
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
        let owner = self.acquire_timeout_at(timeout, Location::caller())?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            owner,
        })
    }

    /// Adds `n` permits and wakes the waiters (they race for them again).
    ///
    /// ```
    /// use lockstep::sync::Semaphore;
    ///
    /// let gate = Semaphore::new(0);
    /// gate.add_permits(2);
    /// assert_eq!(gate.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        Holder::current().set_pending_on(lockstep_engine::op::OpKind::Release, &self.info);
        {
            let mut free = unpoison(self.free.lock());
            *free = free.checked_add(n).unwrap_or_else(|| {
                panic!(
                    "lockstep: {} would have more than usize::MAX permits ({} + {n})",
                    self.info, *free
                )
            });
        }
        self.info.waiters.wake_all();
    }

    /// The blocking acquire behind both permit kinds; returns the hold's owner.
    fn acquire_at(&self, site: &'static Location<'static>) -> HoldOwner {
        if let Err(violation) = hierarchy::before_acquire(&Holder::current(), &self.info, site) {
            panic!("{violation}");
        }
        timed::acquire(&self.info, Mode::Permit, None, |_| self.try_take(site))
            .expect("an acquire without a deadline cannot time out")
    }

    /// The timed acquire behind both permit kinds; returns the hold's owner.
    fn acquire_timeout_at(
        &self,
        timeout: Duration,
        site: &'static Location<'static>,
    ) -> Result<HoldOwner, LockError> {
        hierarchy::before_acquire(&Holder::current(), &self.info, site)?;
        timed::acquire(&self.info, Mode::Permit, Some(timeout), |_| {
            self.try_take(site)
        })
    }

    /// Takes a free permit, if there is one, as a hold of the calling thread (its owner).
    fn try_take(&self, site: &'static Location<'static>) -> Option<HoldOwner> {
        let holder = Holder::current();
        holder.set_pending_on(lockstep_engine::op::OpKind::Acquire, &self.info);
        {
            let mut free = unpoison(self.free.lock());
            if *free == 0 {
                return None;
            }
            *free -= 1;
        }
        holds::push(&holder, &self.info, Mode::Permit, site);
        Some(ghost::hold_owner(&holder))
    }

    /// Gives back a permit held by `owner`, from whichever thread drops it.
    fn give_back(&self, owner: &HoldOwner) {
        holds::release_bookkeeping(|| {
            if let Some(holder) = Holder::try_current() {
                ghost::release_for(&holder, owner, &self.info, Mode::Permit);
            }
            *unpoison(self.free.lock()) += 1;
            self.info.waiters.wake_all();
        });
    }

    /// How many permits are free right now.
    pub fn available_permits(&self) -> usize {
        *unpoison(self.free.lock())
    }

    /// The canonical name of this semaphore, as reports and errors print it.
    pub fn name(&self) -> String {
        self.info.to_string()
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.give_back(&self.owner);
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.give_back(&self.owner);
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
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.info)
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "permit of {}", self.semaphore.info)
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "owned permit of {}", self.semaphore.info)
    }
}
