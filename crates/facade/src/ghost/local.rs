//! Thread-local storage under simulation: `thread_local!` and [`LocalKey`] (std's own under
//! std, see `real`). Every simulated thread has its own value of each key, initialized lazily
//! at its first use on that thread, dropped when the thread ends (as that thread, before it counts as finished, so a `join` sees what the
//! destructors did), and fresh in every execution: the values live in the execution's
//! kernel, so nothing one execution stored is seen by the next. Using a key is no scheduling
//! point, as in raw loom and shuttle.
//!
//! Also as std's: a destructor may use other keys, but a key used while or after its value is
//! dropped gives [`AccessError`] (`with` panics). Two deliberate differences: an async task
//! under simulation is a thread of its own (its values are its own, where tokio's tasks
//! share their worker thread's), and a thread that panicked (which fails the execution)
//! leaks its values instead of dropping them.

/// `thread_local!` under simulation: a [`LocalKey`] per declaration (see
/// `lockstep::thread_local!`).
#[doc(hidden)]
#[macro_export]
macro_rules! __lockstep_thread_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr } $(; $($rest:tt)*)?) => {
        $crate::__lockstep_thread_local!(@key $(#[$attr])* $vis $name, $t, $init);
        $($crate::__lockstep_thread_local!($($rest)*);)?
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr $(; $($rest:tt)*)?) => {
        $crate::__lockstep_thread_local!(@key $(#[$attr])* $vis $name, $t, $init);
        $($crate::__lockstep_thread_local!($($rest)*);)?
    };
    (@key $(#[$attr:meta])* $vis:vis $name:ident, $t:ty, $init:expr) => {
        $(#[$attr])*
        $vis static $name: $crate::__ThreadLocalKey<$t> =
            $crate::__ThreadLocalKey::__new(|| $init);
    };
}

use super::{init_thread_local, thread_local, LocalSlot};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

/// A key to a thread-local value, made by [`crate::thread_local!`]: each simulated thread
/// has its own value (see the module docs), as with std's `LocalKey`.
///
/// ```
/// use std::cell::Cell;
///
/// lockstep::thread_local!(static DEPTH: Cell<usize> = const { Cell::new(0) });
///
/// DEPTH.with(|depth| depth.set(depth.get() + 1));
/// assert_eq!(DEPTH.get(), 1);
/// ```
pub struct LocalKey<T: 'static> {
    init: fn() -> T,
    // Like std's key, it holds no `T`, only the way to each thread's: `Send`, `Sync` and
    // unwind safe whatever `T` is.
    value: PhantomData<fn() -> T>,
}

/// The error of [`LocalKey::try_with`] on a key whose value was dropped (used by a
/// destructor at the thread's end), as std's.
///
/// ```
/// lockstep::thread_local!(static N: u8 = 1);
///
/// assert_eq!(N.try_with(|n| *n), Ok(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccessError;

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("already destroyed")
    }
}

impl std::error::Error for AccessError {}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey").finish_non_exhaustive()
    }
}

impl<T: 'static> LocalKey<T> {
    /// The key `thread_local!` declares, its values made by `init`.
    #[doc(hidden)]
    pub const fn __new(init: fn() -> T) -> Self {
        LocalKey {
            init,
            value: PhantomData,
        }
    }

    /// The key's identity among the thread's keys: its static's address (compared, never
    /// shown or iterated in order).
    fn id(&'static self) -> usize {
        std::ptr::from_ref(self).addr()
    }

    /// The calling thread's value, made by `make` if it has none yet.
    fn value(&'static self, make: impl FnOnce() -> T) -> Result<&'static T, AccessError> {
        let slot = match thread_local(self.id()) {
            LocalSlot::Vacant => init_thread_local(self.id(), Box::new(make())),
            slot => slot,
        };
        match slot {
            // SAFETY: the value stays boxed in the thread's kernel record until the thread
            // ends (then it is dropped, after every use of it on that thread: its closure
            // has returned) or, if the thread never ends, for good (the record leaks it).
            // Only this thread reaches it, so `&T` is never shared with another thread.
            LocalSlot::Value(value) => Ok(unsafe { value.as_ref() }
                .downcast_ref::<T>()
                .expect("lockstep: a thread-local key holds its own type")),
            LocalSlot::Destroyed => Err(AccessError),
            LocalSlot::Vacant => unreachable!("lockstep: an initialized key has a value"),
        }
    }

    /// Runs `f` on the calling thread's value, initializing it first if this thread has
    /// not used the key yet. Panics if the value was already dropped (a destructor at the
    /// thread's end uses it), as std's.
    ///
    /// ```
    /// lockstep::thread_local!(static NAME: String = "worker".to_owned());
    ///
    /// assert_eq!(NAME.with(String::len), 6);
    /// ```
    pub fn with<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        self.try_with(f)
            .expect("cannot access a Thread Local Storage value during or after destruction")
    }

    /// Like [`with`](LocalKey::with), but `Err(AccessError)` instead of a panic if the
    /// value was already dropped.
    ///
    /// ```
    /// lockstep::thread_local!(static N: u8 = 7);
    ///
    /// assert_eq!(N.try_with(|n| n + 1), Ok(8));
    /// ```
    pub fn try_with<F, R>(&'static self, f: F) -> Result<R, AccessError>
    where
        F: FnOnce(&T) -> R,
    {
        Ok(f(self.value(self.init)?))
    }

    /// Runs `with` on `value` if the thread has a value already, else makes `value` its
    /// first one (without running the initializer), as std's `set` does.
    fn initialize_with(&'static self, value: T, with: impl FnOnce(&T, T)) {
        let mut value = Some(value);
        let stored = self
            .value(|| value.take().expect("lockstep: one value"))
            .expect("cannot access a Thread Local Storage value during or after destruction");
        if let Some(value) = value {
            with(stored, value);
        }
    }
}

impl<T: 'static> LocalKey<Cell<T>> {
    /// Sets the value (making it, without the initializer, if the thread has none yet).
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// lockstep::thread_local!(static N: Cell<u8> = panic!("never run: set comes first"));
    ///
    /// N.set(3);
    /// assert_eq!(N.get(), 3);
    /// ```
    pub fn set(&'static self, value: T) {
        self.initialize_with(Cell::new(value), |cell, new| cell.set(new.into_inner()));
    }

    /// A copy of the value.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// lockstep::thread_local!(static N: Cell<u8> = const { Cell::new(2) });
    ///
    /// assert_eq!(N.get(), 2);
    /// ```
    pub fn get(&'static self) -> T
    where
        T: Copy,
    {
        self.with(Cell::get)
    }

    /// Takes the value, leaving `T::default()`.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// lockstep::thread_local!(static N: Cell<u8> = const { Cell::new(5) });
    ///
    /// assert_eq!(N.take(), 5);
    /// assert_eq!(N.get(), 0);
    /// ```
    pub fn take(&'static self) -> T
    where
        T: Default,
    {
        self.with(Cell::take)
    }

    /// Replaces the value, returning the old one.
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// lockstep::thread_local!(static N: Cell<u8> = const { Cell::new(1) });
    ///
    /// assert_eq!(N.replace(9), 1);
    /// assert_eq!(N.get(), 9);
    /// ```
    pub fn replace(&'static self, value: T) -> T {
        self.with(|cell| cell.replace(value))
    }
}

impl<T: 'static> LocalKey<RefCell<T>> {
    /// Runs `f` on a shared borrow of the value (panics if it is mutably borrowed).
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// lockstep::thread_local!(static LOG: RefCell<Vec<u8>> = RefCell::new(vec![1, 2]));
    ///
    /// assert_eq!(LOG.with_borrow(|log| log.len()), 2);
    /// ```
    pub fn with_borrow<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        self.with(|cell| f(&cell.borrow()))
    }

    /// Runs `f` on a mutable borrow of the value (panics if it is borrowed).
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// lockstep::thread_local!(static LOG: RefCell<Vec<u8>> = RefCell::new(Vec::new()));
    ///
    /// LOG.with_borrow_mut(|log| log.push(4));
    /// assert_eq!(LOG.take(), vec![4]);
    /// ```
    pub fn with_borrow_mut<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&mut T) -> R,
    {
        self.with(|cell| f(&mut cell.borrow_mut()))
    }

    /// Sets the value (making it, without the initializer, if the thread has none yet).
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// lockstep::thread_local!(static LOG: RefCell<Vec<u8>> = RefCell::new(Vec::new()));
    ///
    /// LOG.set(vec![7]);
    /// assert_eq!(LOG.with_borrow(|log| log[0]), 7);
    /// ```
    pub fn set(&'static self, value: T) {
        self.initialize_with(RefCell::new(value), |cell, new| {
            *cell.borrow_mut() = new.into_inner();
        });
    }

    /// Takes the value, leaving `T::default()`.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// lockstep::thread_local!(static LOG: RefCell<Vec<u8>> = RefCell::new(vec![3]));
    ///
    /// assert_eq!(LOG.take(), vec![3]);
    /// assert!(LOG.with_borrow(Vec::is_empty));
    /// ```
    pub fn take(&'static self) -> T
    where
        T: Default,
    {
        self.with(RefCell::take)
    }

    /// Replaces the value, returning the old one.
    ///
    /// ```
    /// use std::cell::RefCell;
    ///
    /// lockstep::thread_local!(static LOG: RefCell<Vec<u8>> = RefCell::new(vec![1]));
    ///
    /// assert_eq!(LOG.replace(vec![2]), vec![1]);
    /// ```
    pub fn replace(&'static self, value: T) -> T {
        self.with(|cell| cell.replace(value))
    }
}
