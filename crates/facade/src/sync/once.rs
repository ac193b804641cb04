//! One-time initialization: [`Once`], [`OnceLock`] and [`LazyLock`], std's own under std.
//!
//! Under simulation, whether a thread finds the value initialized, runs the initializer or
//! waits for another thread's run is explored (the check is a scheduling point, as std's atomic
//! load is), and a thread waiting on an initializer that never finishes is in the deadlock
//! report (`waits for OnceLock#1's initializer to finish`; a `wait` on one nobody is
//! initializing: `waits for Once "setup" to complete`, `waits for OnceLock#1 to be
//! initialized`). The calls through `&mut` (`get_mut`, `take`, `force_mut`) are no scheduling
//! points: no other thread can race them. `new` is not `const` (a simulated
//! cell is an object of the running execution); make one per test body, not a `static`.

use super::twin;
use std::fmt;
use std::ops::{Deref, DerefMut};

/// Runs an initialization once, like `std::sync::Once`: a panicking initializer poisons it,
/// and later calls panic.
///
/// ```
/// use lockstep::sync::Once;
///
/// let once = Once::new();
/// let mut runs = 0;
/// once.call_once(|| runs += 1);
/// once.call_once(|| runs += 1);
/// assert_eq!(runs, 1);
/// assert!(once.is_completed());
/// ```
pub struct Once(twin::Once);

impl Once {
    /// A new `Once`, named `Once#N` by creation order.
    ///
    /// ```
    /// assert!(!lockstep::sync::Once::new().is_completed());
    /// ```
    #[allow(clippy::new_without_default)] // std's `Once` has no `Default` either
    pub fn new() -> Self {
        Once(twin::Once::new(None))
    }

    /// A new `Once` with a name for reports and traces.
    ///
    /// ```
    /// let setup = lockstep::sync::Once::named("setup");
    /// setup.call_once(|| {});
    /// assert!(setup.is_completed());
    /// ```
    pub fn named(name: &str) -> Self {
        Once(twin::Once::new(Some(name)))
    }

    /// Runs `f` if no call has run it yet; if another thread is running it, waits until it
    /// finishes. Panics if an earlier run panicked.
    ///
    /// ```
    /// let once = lockstep::sync::Once::new();
    /// once.call_once(|| println!("initialized"));
    /// ```
    pub fn call_once(&self, f: impl FnOnce()) {
        self.0.call_once(f)
    }

    /// Runs `f` as [`Once::call_once`] does, but also on a poisoned `Once` (one whose
    /// initializer panicked): `f` runs then, and its [`OnceState`] says the `Once` was poisoned;
    /// if it returns, the `Once` is completed. Like std's.
    ///
    /// ```
    /// use lockstep::sync::Once;
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    ///
    /// let once = Once::new();
    /// let _ = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("first try"))));
    /// let mut recovered = false;
    /// once.call_once_force(|state| recovered = state.is_poisoned());
    /// assert!(recovered && once.is_completed());
    /// once.call_once_force(|_| unreachable!("completed: never runs again"));
    /// ```
    pub fn call_once_force(&self, f: impl FnOnce(&OnceState)) {
        self.0
            .call_once_force(|poisoned| f(&OnceState { poisoned }))
    }

    /// Whether a run of `call_once` has finished (without panicking).
    ///
    /// ```
    /// let once = lockstep::sync::Once::new();
    /// assert!(!once.is_completed());
    /// once.call_once(|| {});
    /// assert!(once.is_completed());
    /// ```
    pub fn is_completed(&self) -> bool {
        self.0.is_completed()
    }

    /// Blocks until a run of `call_once` (or `call_once_force`) has completed, like std's.
    /// Panics if the `Once` is poisoned, or becomes so while this thread waits (use
    /// [`Once::wait_force`] to wait across poisoning). Under simulation a waiter parks on the
    /// `Once`, as a `call_once` that finds an initializer running does, and a wait nobody ends
    /// is in the deadlock report: `waits for Once "setup" to complete` (or `... "setup"'s
    /// initializer to finish`, if one was running when it parked).
    ///
    /// ```
    /// use lockstep::sync::{Arc, Once};
    /// use lockstep::thread;
    ///
    /// let ready = Arc::new(Once::new());
    /// let r = Arc::clone(&ready);
    /// let waiter = thread::spawn(move || {
    ///     r.wait();
    ///     r.is_completed()
    /// });
    /// ready.call_once(|| {});
    /// assert!(waiter.join().unwrap(), "after `wait` the `Once` is completed");
    /// ```
    pub fn wait(&self) {
        self.0.wait()
    }

    /// Blocks until a run has completed, as [`Once::wait`], but ignoring poisoning: on a
    /// poisoned `Once` it waits until a [`Once::call_once_force`] completes it. Like std's.
    ///
    /// ```
    /// use lockstep::sync::Once;
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    ///
    /// let once = Once::new();
    /// let _ = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("first try"))));
    /// assert!(catch_unwind(AssertUnwindSafe(|| once.wait())).is_err(), "poisoned");
    /// once.call_once_force(|_| {});
    /// once.wait_force();
    /// assert!(once.is_completed());
    /// ```
    pub fn wait_force(&self) {
        self.0.wait_force()
    }
}

/// What [`Once::call_once_force`] tells its initializer, like `std::sync::OnceState`.
///
/// ```
/// let once = lockstep::sync::Once::new();
/// once.call_once_force(|state| assert!(!state.is_poisoned()));
/// ```
#[derive(Debug)]
pub struct OnceState {
    poisoned: bool,
}

impl OnceState {
    /// Whether an earlier initializer of this `Once` panicked.
    ///
    /// ```
    /// let once = lockstep::sync::Once::new();
    /// once.call_once_force(|state| assert!(!state.is_poisoned()));
    /// ```
    pub fn is_poisoned(&self) -> bool {
        self.poisoned
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A cell written at most once, like `std::sync::OnceLock`. A panicking initializer leaves it
/// empty for the next caller.
///
/// ```
/// use lockstep::sync::OnceLock;
///
/// let cell = OnceLock::new();
/// assert_eq!(cell.get(), None);
/// assert_eq!(cell.set(1), Ok(()));
/// assert_eq!(cell.set(2), Err(2));
/// assert_eq!(cell.get_or_init(|| 3), &1);
/// assert_eq!(cell.into_inner(), Some(1));
/// ```
pub struct OnceLock<T>(twin::OnceLock<T>);

impl<T> OnceLock<T> {
    /// A new empty cell, named `OnceLock#N` by creation order.
    ///
    /// ```
    /// assert_eq!(lockstep::sync::OnceLock::<u8>::new().get(), None);
    /// ```
    pub fn new() -> Self {
        OnceLock(twin::once_lock(None))
    }

    /// A new empty cell with a name for reports and traces.
    ///
    /// ```
    /// let config = lockstep::sync::OnceLock::named("config");
    /// assert_eq!(config.get_or_init(|| 8080), &8080);
    /// ```
    pub fn named(name: &str) -> Self {
        OnceLock(twin::once_lock(Some(name)))
    }

    /// The value, if the cell has been initialized.
    ///
    /// ```
    /// let cell = lockstep::sync::OnceLock::new();
    /// assert_eq!(cell.get(), None);
    /// cell.set("ready").unwrap();
    /// assert_eq!(cell.get(), Some(&"ready"));
    /// ```
    pub fn get(&self) -> Option<&T> {
        self.0.get()
    }

    /// The value, if the cell has been initialized, through an exclusive borrow. No other
    /// thread can reach the cell meanwhile, so under simulation this is no scheduling point.
    ///
    /// ```
    /// let mut cell = lockstep::sync::OnceLock::new();
    /// assert_eq!(cell.get_mut(), None);
    /// cell.set(1).unwrap();
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.0.get_mut()
    }

    /// Blocks until the cell is initialized, then returns the value, like std's. A panicking
    /// initializer leaves the cell empty, and the wait goes on for the next one. Under
    /// simulation a waiter parks on the cell, as a `get_or_init` that finds an initializer
    /// running does; a wait nobody ends is in the deadlock report: `waits for OnceLock
    /// "config" to be initialized` (or `... "config"'s initializer to finish`, if one was
    /// running when it parked).
    ///
    /// ```
    /// use lockstep::sync::{Arc, OnceLock};
    /// use lockstep::thread;
    ///
    /// let cell = Arc::new(OnceLock::new());
    /// let c = Arc::clone(&cell);
    /// let waiter = thread::spawn(move || *c.wait());
    /// cell.set(7).unwrap();
    /// assert_eq!(waiter.join().unwrap(), 7);
    /// ```
    pub fn wait(&self) -> &T {
        self.0.wait()
    }

    /// Initializes the cell with `value`; if it already holds one, gives `value` back. If
    /// another thread is initializing it, waits for that first.
    ///
    /// ```
    /// let cell = lockstep::sync::OnceLock::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(2));
    /// ```
    pub fn set(&self, value: T) -> Result<(), T> {
        self.0.set(value)
    }

    /// The value, initializing it with `f` first if the cell is empty (one caller runs `f`;
    /// the others wait for it).
    ///
    /// ```
    /// let cell = lockstep::sync::OnceLock::new();
    /// assert_eq!(*cell.get_or_init(|| 4), 4);
    /// assert_eq!(*cell.get_or_init(|| 5), 4);
    /// ```
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(f)
    }

    /// The value, if any, consuming the cell.
    ///
    /// ```
    /// let cell = lockstep::sync::OnceLock::new();
    /// cell.set(String::from("x")).unwrap();
    /// assert_eq!(cell.into_inner().as_deref(), Some("x"));
    /// ```
    pub fn into_inner(self) -> Option<T> {
        self.0.into_inner()
    }

    /// Takes the value out, leaving the cell uninitialized (the next [`OnceLock::set`] or
    /// [`OnceLock::get_or_init`] initializes it again); `None` if it was empty. Through an
    /// exclusive borrow, so under simulation no scheduling point.
    ///
    /// ```
    /// let mut cell = lockstep::sync::OnceLock::new();
    /// assert_eq!(cell.take(), None);
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.take(), Some(1));
    /// assert_eq!(cell.get_or_init(|| 2), &2, "the initializer runs again");
    /// ```
    pub fn take(&mut self) -> Option<T> {
        self.0.take()
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A value initialized on first use, like `std::sync::LazyLock`: the first thread to reach it
/// runs the initializer, the others wait for it; a panicking initializer poisons it.
///
/// ```
/// use lockstep::sync::LazyLock;
///
/// let table = LazyLock::new(|| vec![1, 2, 3]);
/// assert_eq!(table.len(), 3); // `Deref` forces it
/// ```
pub struct LazyLock<T, F = fn() -> T>(twin::LazyLock<T, F>);

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// A lazy value that `init` computes on first use, named `LazyLock#N` by creation order.
    ///
    /// ```
    /// let answer = lockstep::sync::LazyLock::new(|| 6 * 7);
    /// assert_eq!(*answer, 42);
    /// ```
    pub fn new(init: F) -> Self {
        LazyLock(twin::lazy_lock(None, init))
    }

    /// A lazy value with a name for reports and traces.
    ///
    /// ```
    /// let config = lockstep::sync::LazyLock::named("config", || "loaded");
    /// assert_eq!(*config, "loaded");
    /// ```
    pub fn named(name: &str, init: F) -> Self {
        LazyLock(twin::lazy_lock(Some(name), init))
    }

    /// The value, running the initializer first if nobody has.
    ///
    /// ```
    /// use lockstep::sync::LazyLock;
    ///
    /// let lazy = LazyLock::new(|| 1 + 1);
    /// assert_eq!(LazyLock::force(&lazy), &2);
    /// ```
    pub fn force(this: &Self) -> &T {
        twin::LazyLock::force(&this.0)
    }

    /// The value, running the initializer first if nobody has, through an exclusive borrow:
    /// no other thread can be running it, so under simulation no scheduling point. Panics if
    /// the initializer panics (poisoning the lock) or panicked before.
    ///
    /// ```
    /// use lockstep::sync::LazyLock;
    ///
    /// let mut lazy = LazyLock::new(|| 92);
    /// *LazyLock::force_mut(&mut lazy) = 44;
    /// assert_eq!(*lazy, 44);
    /// ```
    pub fn force_mut(this: &mut Self) -> &mut T {
        twin::LazyLock::force_mut(&mut this.0)
    }
}

impl<T, F> LazyLock<T, F> {
    /// The value if it has been initialized; `None` if not yet, or if the initializer
    /// panicked. Never runs the initializer; under simulation one scheduling point, as
    /// std's acquire load.
    ///
    /// ```
    /// use lockstep::sync::LazyLock;
    ///
    /// let lazy = LazyLock::new(|| 92);
    /// assert_eq!(LazyLock::get(&lazy), None);
    /// LazyLock::force(&lazy);
    /// assert_eq!(LazyLock::get(&lazy), Some(&92));
    /// ```
    pub fn get(this: &Self) -> Option<&T> {
        twin::LazyLock::get(&this.0)
    }

    /// The value if it has been initialized (`None` if not yet, or poisoned), through an
    /// exclusive borrow: under simulation no scheduling point.
    ///
    /// ```
    /// use lockstep::sync::LazyLock;
    ///
    /// let mut lazy = LazyLock::new(|| 92);
    /// assert_eq!(LazyLock::get_mut(&mut lazy), None);
    /// LazyLock::force(&lazy);
    /// *LazyLock::get_mut(&mut lazy).unwrap() = 44;
    /// assert_eq!(*lazy, 44);
    /// ```
    pub fn get_mut(this: &mut Self) -> Option<&mut T> {
        twin::LazyLock::get_mut(&mut this.0)
    }
}

impl<T, F: FnOnce() -> T> Deref for LazyLock<T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

/// `*lazy = ...` forces the value through [`LazyLock::force_mut`] (no scheduling point).
///
/// ```
/// let mut lazy = lockstep::sync::LazyLock::new(|| 1);
/// *lazy += 1;
/// assert_eq!(*lazy, 2);
/// ```
impl<T, F: FnOnce() -> T> DerefMut for LazyLock<T, F> {
    fn deref_mut(&mut self) -> &mut T {
        LazyLock::force_mut(self)
    }
}

/// A lazy `T::default()`, like std's.
///
/// ```
/// let lazy: lockstep::sync::LazyLock<Vec<u8>> = Default::default();
/// assert!(lazy.is_empty());
/// ```
impl<T: Default> Default for LazyLock<T> {
    fn default() -> Self {
        LazyLock::new(T::default)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
