//! A poison-free reader-writer lock with timed variants and an explicit priority policy
//! ([`RwLockPolicy`], see `rwlock_policy`).

use super::acquire as timed;
use super::holds;
use super::read_share::{ReadHold, ReadShares};
use super::rwlock_policy::{Fairness, RwLockPolicy};
use super::unwind_park::UnwindParking;
use crate::backend::{self, unpoison};
use crate::ghost::{self, Anchored, Holder, TryProbe};
use crate::hierarchy;
use crate::time::{Duration, Instant};
use crate::LockError;
use lockstep_engine::object::LockClass;
use lockstep_engine::object::{Kind, Mode, ObjectInfo};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::Arc;

/// A reader-writer lock, like `std::sync::RwLock` but poison-free and with timed variants.
///
/// Under simulation it prefers writers unless made
/// [`ReaderPreferring`](RwLockPolicy::ReaderPreferring): a read waits while another thread
/// waits to write (see [`RwLockPolicy`]).
///
/// ```
/// use lockstep::sync::RwLock;
///
/// let config = RwLock::named("config", 5);
/// assert_eq!(*config.read(), 5);
/// *config.write() = 6;
/// assert_eq!(*config.read(), 6);
/// ```
pub struct RwLock<T: ?Sized> {
    info: Arc<ObjectInfo>,
    probe: TryProbe,
    shares: ReadShares<T>,
    fairness: Fairness,
    /// Declared before `native`, which a parked backend write guard borrows, so dropped first.
    parking: UnwindParking,
    native: Anchored<backend::RwLock<T>>,
}

/// Shared access to an [`RwLock`]; released on drop.
pub struct RwLockReadGuard<'a, T: ?Sized> {
    info: &'a Arc<ObjectInfo>,
    probe: &'a TryProbe,
    native: Option<ReadHold<'a, T>>,
}

/// Exclusive access to an [`RwLock`]; released on drop.
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    info: &'a Arc<ObjectInfo>,
    probe: &'a TryProbe,
    parking: &'a UnwindParking,
    native: Option<backend::RwLockWriteGuard<'a, T>>,
}

impl<T> RwLock<T> {
    /// A new unlocked lock, named `RwLock#N` by creation order.
    pub fn new(value: T) -> Self {
        Self::with_info(holds::object(Kind::RwLock, None), value)
    }

    /// A new unlocked lock with a name for reports and traces.
    pub fn named(name: &str, value: T) -> Self {
        Self::with_info(holds::object(Kind::RwLock, Some(name)), value)
    }

    /// A new unlocked lock in the lock hierarchy, named after its class.
    pub fn ranked(class: LockClass, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::RwLock, class, None), value)
    }

    /// A new unlocked lock in the lock hierarchy, one of many in its class, ordered by `key`.
    pub fn ranked_keyed(class: LockClass, key: u64, value: T) -> Self {
        Self::with_info(holds::ranked(Kind::RwLock, class, Some(key)), value)
    }

    fn with_info(info: Arc<ObjectInfo>, value: T) -> Self {
        RwLock {
            probe: TryProbe::new(&info),
            info,
            shares: ReadShares::new(),
            fairness: Fairness::new(RwLockPolicy::default()),
            parking: UnwindParking::new(),
            native: Anchored::new(backend::RwLock::new(value)),
        }
    }

    /// The same lock with priority policy `policy` (see [`RwLockPolicy`]; under std the lock
    /// is std's, whatever the policy).
    ///
    /// ```
    /// use lockstep::sync::{RwLock, RwLockPolicy};
    ///
    /// let cache = RwLock::named("cache", 0).with_policy(RwLockPolicy::ReaderPreferring);
    /// assert_eq!(cache.policy(), RwLockPolicy::ReaderPreferring);
    /// ```
    pub fn with_policy(mut self, policy: RwLockPolicy) -> Self {
        self.fairness = Fairness::new(policy);
        self
    }

    /// Consumes the lock and returns its value.
    pub fn into_inner(self) -> T {
        self.parking.release();
        unpoison(self.native.into_inner().into_inner())
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Blocks until no writer holds the lock, then takes shared access. Panics with the report
    /// if that breaks the lock hierarchy (see [`Mutex::lock`](super::Mutex::lock)).
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        let site = Location::caller();
        let holder = Holder::current();
        let thread = holder.index();
        if let Some(report) = self.fairness.saw_read(&holder, &self.info, site) {
            panic!("{report}");
        }
        let rereads = self.fairness.rereads(&holder, &self.info);
        loop {
            let admit = || {
                let admitted = self
                    .fairness
                    .admit_reader(&holder, &self.info, rereads, None);
                debug_assert!(admitted, "lockstep: a read without a deadline timed out");
            };
            let (reader, native) =
                timed::blocking_admitted(&self.info, Mode::Shared, site, admit, || {
                    ReadHold::take(&self.shares, thread, || Some(unpoison(self.native.read())))
                        .expect("a blocking read returns its guard")
                });
            if self.fairness.gives_back(&reader, rereads) {
                drop(native);
                self.fairness.wait_at_gate(&reader, &self.info, None);
                continue;
            }
            return self.read_guard(&reader, native, site);
        }
    }

    /// Blocks until nobody holds the lock, then takes exclusive access. Panics with the report
    /// if that breaks the lock hierarchy.
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        let site = Location::caller();
        if let Some(guard) = self.reclaim() {
            return guard;
        }
        let holder = Holder::current();
        if let Some(report) = self.fairness.saw_write_request(&holder, &self.info, site) {
            panic!("{report}");
        }
        let mut queued = self.fairness.queue_writer(&holder, &self.info);
        let (holder, native) = timed::blocking(&self.info, Mode::Exclusive, site, || {
            let try_write = || match self.native.try_write() {
                Ok(native) => Some(native),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            };
            queued.write(try_write, || unpoison(self.native.write()))
        });
        let guard = self.write_guard(&holder, native, site);
        drop(queued);
        guard
    }

    /// Takes shared access if no writer holds the lock right now (not hierarchy-checked: a try
    /// never blocks).
    #[track_caller]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.try_read_until(None, Location::caller())
    }

    /// Takes exclusive access if nobody holds the lock right now (not hierarchy-checked).
    #[track_caller]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        self.try_write_until(None, Location::caller())
    }

    /// Shared access, waiting at most `timeout` (virtual time under simulation).
    #[track_caller]
    pub fn read_timeout(&self, timeout: Duration) -> Result<RwLockReadGuard<'_, T>, LockError> {
        let site = Location::caller();
        let holder = Holder::current();
        hierarchy::before_acquire(&holder, &self.info, site)?;
        let rereads = self.fairness.rereads(&holder, &self.info);
        timed::acquire(&self.info, Mode::Shared, Some(timeout), |deadline| {
            // A plain attempt (a zero timeout) is a try: it fails behind a queued writer.
            let moment = deadline.map(Instant::moment);
            if deadline.is_some()
                && !self
                    .fairness
                    .admit_reader(&holder, &self.info, rereads, moment)
            {
                return None;
            }
            self.try_read_until(deadline, site)
        })
    }

    /// Exclusive access, waiting at most `timeout` (virtual time under simulation).
    #[track_caller]
    pub fn write_timeout(&self, timeout: Duration) -> Result<RwLockWriteGuard<'_, T>, LockError> {
        let site = Location::caller();
        if let Some(guard) = self.reclaim() {
            return Ok(guard);
        }
        let holder = Holder::current();
        hierarchy::before_acquire(&holder, &self.info, site)?;
        let mut queued =
            (!timeout.is_zero()).then(|| self.fairness.queue_writer(&holder, &self.info));
        let written = timed::acquire(&self.info, Mode::Exclusive, Some(timeout), |deadline| {
            let written = self.try_write_until(deadline, site);
            if let (None, Some(queued)) = (&written, &mut queued) {
                queued.arrive();
            }
            written
        });
        drop(queued);
        written
    }

    fn try_read_until(
        &self,
        deadline: Option<Instant>,
        site: &'static Location<'static>,
    ) -> Option<RwLockReadGuard<'_, T>> {
        let holder = Holder::current();
        let rereads = self.fairness.rereads(&holder, &self.info);
        // A plain try decides here (or after its backend try, see `gives_back`); a timed
        // attempt has just been admitted by the gate, with nothing run since.
        let held_back = deadline.is_none() && self.fairness.try_held_back(&holder, rereads);
        let attempt = || {
            // Behind another thread's queued writer a try fails (writer-preferring); the
            // backend try is skipped, its outcome is decided.
            if held_back {
                return None;
            }
            ReadHold::take(&self.shares, holder.index(), || {
                match self.native.try_read() {
                    Ok(native) => Some(native),
                    Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                    Err(std::sync::TryLockError::WouldBlock) => None,
                }
            })
        };
        let native = timed::try_native(
            &holder,
            &self.info,
            &self.probe,
            Mode::Shared,
            deadline,
            attempt,
        )?;
        if self.fairness.gives_back(&holder, rereads) {
            drop(native);
            if deadline.is_none() {
                ghost::try_failed(&holder, &self.info, Mode::Shared);
            }
            return None;
        }
        Some(self.read_guard(&holder, native, site))
    }

    fn try_write_until(
        &self,
        deadline: Option<Instant>,
        site: &'static Location<'static>,
    ) -> Option<RwLockWriteGuard<'_, T>> {
        if let Some(guard) = self.reclaim() {
            return Some(guard);
        }
        let holder = Holder::current();
        let attempt = || match self.native.try_write() {
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
        Some(self.write_guard(&holder, native, site))
    }

    /// A mutable reference to the value; no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.parking.release();
        unpoison(self.native.get_mut())
    }

    /// Its priority policy (see [`RwLockPolicy`]).
    ///
    /// ```
    /// use lockstep::sync::{RwLock, RwLockPolicy};
    ///
    /// assert_eq!(RwLock::new(()).policy(), RwLockPolicy::WriterPreferring);
    /// ```
    pub fn policy(&self) -> RwLockPolicy {
        self.fairness.policy()
    }

    /// The canonical name of this lock, as reports and errors print it.
    pub fn name(&self) -> String {
        self.info.to_string()
    }

    fn read_guard<'a>(
        &'a self,
        holder: &Holder,
        native: ReadHold<'a, T>,
        site: &'static Location<'static>,
    ) -> RwLockReadGuard<'a, T> {
        holds::push(holder, &self.info, Mode::Shared, site);
        self.probe.held(holder, &self.info, Mode::Shared);
        RwLockReadGuard {
            info: &self.info,
            probe: &self.probe,
            native: Some(native),
        }
    }

    fn write_guard<'a>(
        &'a self,
        holder: &Holder,
        native: backend::RwLockWriteGuard<'a, T>,
        site: &'static Location<'static>,
    ) -> RwLockWriteGuard<'a, T> {
        holds::push(holder, &self.info, Mode::Exclusive, site);
        self.probe.held(holder, &self.info, Mode::Exclusive);
        RwLockWriteGuard {
            info: &self.info,
            probe: &self.probe,
            parking: &self.parking,
            native: Some(native),
        }
    }

    /// The write guard this thread's facade guard parked while unwinding, taken back by a
    /// write of this lock during the same unwind (see `sync::unwind_park`); its hold is still
    /// there.
    fn reclaim(&self) -> Option<RwLockWriteGuard<'_, T>> {
        // SAFETY: an RwLock parks only its own backend write guards.
        let native = unsafe { self.parking.reclaim::<backend::RwLockWriteGuard<'_, T>>() }?;
        Some(RwLockWriteGuard {
            info: &self.info,
            probe: &self.probe,
            parking: &self.parking,
            native: Some(native),
        })
    }
}

/// Releases one hold of an RwLock: the try probe's release point, ghost state, then the
/// backend, then parked waiters.
fn release<G>(info: &Arc<ObjectInfo>, probe: &TryProbe, mode: Mode, native: &mut Option<G>) {
    holds::release_bookkeeping(|| probe.releasing(info));
    holds::release_bookkeeping(|| holds::remove(info, mode));
    holds::release_bookkeeping(|| drop(native.take()));
    holds::release_bookkeeping(|| info.waiters.wake_all());
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        release(self.info, self.probe, Mode::Shared, &mut self.native);
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        if UnwindParking::must_park() {
            if let Some(native) = self.native.take() {
                self.parking.park(self.info, Mode::Exclusive, native);
            }
            return;
        }
        release(self.info, self.probe, Mode::Exclusive, &mut self.native);
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.native.as_ref().expect("guard is live").get()
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.native.as_ref().expect("guard is live")
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.native.as_mut().expect("guard is live")
    }
}

impl<T: ?Sized> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.info)
    }
}
