//! One-time initialization: [`Once`], [`OnceLock`] and [`LazyLock`], std's own under std.
//!
//! Under simulation, whether a thread finds the value initialized, runs the initializer or
//! waits for another thread's run is explored (the check is a scheduling point, as std's atomic
//! load is), and a thread waiting on an initializer that never finishes is in the deadlock
//! report (`waits for OnceLock#1's initializer to finish`). `new` is not `const` (a simulated
//! cell is an object of the running execution); make one per test body, not a `static`.

use super::twin;
use std::fmt;
use std::ops::Deref;

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
}

impl<T, F: FnOnce() -> T> Deref for LazyLock<T, F> {
    type Target = T;
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
