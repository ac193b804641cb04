//! A poison-free mutual-exclusion lock with a timed variant.

use super::acquire as timed;
use super::holds;
use super::unwind_park::UnwindParking;
use crate::backend::{self, unpoison};
use crate::ghost::{Anchored, Holder, TryProbe};
use crate::hierarchy;
use crate::time::{Duration, Instant};
use crate::LockError;
use lockstep_engine::object::LockClass;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::Arc;

/// A mutual-exclusion lock, like `std::sync::Mutex` but poison-free and with
/// [`lock_timeout`](Mutex::lock_timeout).
///
/// ```
/// use lockstep::sync::Mutex;
/// use lockstep::time::Duration;
///
/// let m = Mutex::named("accounts", 1);
/// *m.lock() += 1;
/// assert_eq!(*m.lock_timeout(Duration::from_secs(30)).unwrap(), 2);
/// ```
pub struct Mutex<T: ?Sized> {
    pub(crate) info: Arc<ObjectInfo>,
    probe: TryProbe,
    /// Declared before `native`, which a parked backend guard borrows, so dropped first.
    parking: UnwindParking,
    native: Anchored<backend::Mutex<T>>,
}

/// Holds a [`Mutex`] locked; unlocks on drop.
pub struct MutexGuard<'a, T: ?Sized> {
    pub(crate) mutex: &'a Mutex<T>,
    native: Option<backend::MutexGuard<'a, T>>,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex, named `Mutex#N` by creation order.
    pub fn new(value: T) -> Self {
        Self::with_info(holds::object(Kind::Mutex, None), value)
    }

    /// A new unlocked mutex with a name for reports and traces.
    pub fn named(name: &str, value: T) -> Self {
        Self::with_info(holds::object(Kind::Mutex, Some(name)), value)
    }

    /// A new unlocked mutex in the lock hierarchy, named after its class.
    pub fn ranked(class: LockClass, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::Mutex, class, None), value)
    }

    /// A new unlocked mutex in the lock hierarchy, one of many in its class (`key` orders
    /// them: several may be held at once when taken in increasing key order).
    pub fn ranked_keyed(class: LockClass, key: u64, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::Mutex, class, Some(key)), value)
    }

    fn with_info(info: Arc<ObjectInfo>, value: T) -> Self {
        Mutex {
            probe: TryProbe::new(&info),
            info,
            parking: UnwindParking::new(),
            native: Anchored::new(backend::Mutex::new(value)),
        }
    }

    /// Consumes the mutex and returns its value.
    pub fn into_inner(self) -> T {
        self.parking.release();
        unpoison(self.native.into_inner().into_inner())
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Blocks until the lock is free, then takes it.
    ///
    /// Panics with the report if taking it now breaks the lock hierarchy, or (under simulation,
    /// and under std in debug builds) if it closes a cycle in the lock-order graph.
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.lock_at(Location::caller())
    }

    /// [`lock`](Mutex::lock) on behalf of the caller at `site`.
    pub(crate) fn lock_at(&self, site: &'static Location<'static>) -> MutexGuard<'_, T> {
        if let Some(guard) = self.reclaim() {
            return guard;
        }
        let (holder, native) = timed::blocking(&self.info, Mode::Exclusive, site, || {
            unpoison(self.native.lock())
        });
        self.guard(&holder, native, site)
    }

    /// Takes the lock if it is free right now. A try never blocks, so it is not checked
    /// against the lock hierarchy.
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.try_lock_until(None, Location::caller())
    }

    /// Takes the lock, waiting at most `timeout` (virtual time under simulation). Fails with
    /// [`LockError::Timeout`], or [`LockError::OrderViolation`] if taking it now breaks the
    /// lock hierarchy.
    #[track_caller]
    pub fn lock_timeout(&self, timeout: Duration) -> Result<MutexGuard<'_, T>, LockError> {
        let site = Location::caller();
        if let Some(guard) = self.reclaim() {
            return Ok(guard);
        }
        hierarchy::before_acquire(&Holder::current(), &self.info, site)?;
        timed::acquire(&self.info, Mode::Exclusive, Some(timeout), |deadline| {
            self.try_lock_until(deadline, site)
        })
    }

    fn try_lock_until(
        &self,
        deadline: Option<Instant>,
        site: &'static Location<'static>,
    ) -> Option<MutexGuard<'_, T>> {
        if let Some(guard) = self.reclaim() {
            return Some(guard);
        }
        let holder = Holder::current();
        let attempt = || match self.native.try_lock() {
            Ok(native) => Some(native),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        };
        let native = timed::try_native(
            &holder,
            &self.info,
            &self.probe,
            Mode::Exclusive,
            deadline,
            attempt,
        )?;
        Some(self.guard(&holder, native, site))
    }

    /// A mutable reference to the value; no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.parking.release();
        unpoison(self.native.get_mut())
    }

    /// The canonical name of this mutex, as reports and errors print it.
    pub fn name(&self) -> String {
        self.info.to_string()
    }

    /// The guard this thread's facade guard parked while unwinding, taken back by a lock of
    /// this mutex during the same unwind (see `sync::unwind_park`); its hold is still there.
    fn reclaim(&self) -> Option<MutexGuard<'_, T>> {
        // SAFETY: a mutex parks only its own backend guards.
        let native = unsafe { self.parking.reclaim::<backend::MutexGuard<'_, T>>() }?;
        Some(MutexGuard {
            mutex: self,
            native: Some(native),
        })
    }

    fn guard<'a>(
        &'a self,
        holder: &Holder,
        native: backend::MutexGuard<'a, T>,
        site: &'static Location<'static>,
    ) -> MutexGuard<'a, T> {
        holds::push(holder, &self.info, Mode::Exclusive, site);
        self.probe.held(holder, &self.info, Mode::Exclusive);
        MutexGuard {
            mutex: self,
            native: Some(native),
        }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        let info = &self.mutex.info;
        if UnwindParking::must_park() {
            if let Some(native) = self.native.take() {
                self.mutex.parking.park(info, Mode::Exclusive, native);
            }
            return;
        }
        holds::release_bookkeeping(|| self.mutex.probe.releasing(info));
        holds::release_bookkeeping(|| holds::remove(info, Mode::Exclusive));
        holds::release_bookkeeping(|| drop(self.native.take()));
        holds::release_bookkeeping(|| info.waiters.wake_all());
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.native.as_ref().expect("guard is live")
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.native.as_mut().expect("guard is live")
    }
}

impl<T: ?Sized> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.info)
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}
