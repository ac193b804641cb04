//! A counting semaphore with RAII permits.

use super::acquire as timed;
use super::holds;
use crate::backend::{self, unpoison};
use crate::ghost::Holder;
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
        let site = Location::caller();
        if let Err(violation) = hierarchy::before_acquire(&Holder::current(), &self.info, site) {
            panic!("{violation}");
        }
        timed::acquire(&self.info, Mode::Permit, None, |_| {
            self.try_acquire_at(site)
        })
        .expect("an acquire without a deadline cannot time out")
    }

    /// Takes a permit if one is free right now (not hierarchy-checked: a try never blocks).
    #[track_caller]
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.try_acquire_at(Location::caller())
    }

    fn try_acquire_at(&self, site: &'static Location<'static>) -> Option<SemaphorePermit<'_>> {
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
        Some(SemaphorePermit { semaphore: self })
    }

    /// Takes a permit, waiting at most `timeout` (virtual time under simulation). Fails with
    /// [`LockError::Timeout`], or [`LockError::OrderViolation`] if that breaks the hierarchy.
    #[track_caller]
    pub fn acquire_timeout(&self, timeout: Duration) -> Result<SemaphorePermit<'_>, LockError> {
        let site = Location::caller();
        hierarchy::before_acquire(&Holder::current(), &self.info, site)?;
        timed::acquire(&self.info, Mode::Permit, Some(timeout), |_| {
            self.try_acquire_at(site)
        })
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
        let semaphore = self.semaphore;
        holds::release_bookkeeping(|| {
            holds::remove(&semaphore.info, Mode::Permit);
            *unpoison(semaphore.free.lock()) += 1;
            semaphore.info.waiters.wake_all();
        });
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
