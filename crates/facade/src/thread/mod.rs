//! Threads: spawn, named builders, join and yield, scoped threads, park and unpark, the
//! current thread; all visible to the simulation kernel.
//!
//! Under simulation every thread gets a canonical name: the one given to
//! [`Builder::name`], or `thread-N` by spawn order (`main` for the execution's first thread),
//! and its [`ThreadId`] is its index in the execution (0 for `main`), so ids are the same in
//! every execution of a program and traces never show a real thread id.
//!
//! **Parking.** Every thread has one park token. [`Thread::unpark`] makes it available (at
//! most one is kept); [`park`] consumes it, returning at once if an unpark came first, else
//! blocking until one comes. [`park_timeout`] also returns when its timeout passes (virtual
//! time under simulation, so a 10 s timeout fires at exactly t = 10 s when every thread is
//! blocked). A park that no unpark and no timeout can end is a deadlock, reported as "waits in
//! park".
//!
//! std allows `park` to return spuriously; under simulation it never does (a deliberate
//! difference, recorded in the README): std's own implementations on Linux, macOS and Windows
//! do not either, and with spurious returns a park that nothing ends would spin instead of
//! being reported. Code written as std asks (park in a loop that re-checks its condition) is
//! explored correctly; code that trusts one return to mean "unparked" is not caught.
//!
//! ```
//! use lockstep::sync::atomic::{AtomicBool, Ordering};
//! use lockstep::sync::Arc;
//! use lockstep::thread;
//!
//! let ready = Arc::new(AtomicBool::new(false));
//! let flag = Arc::clone(&ready);
//! let waiter = thread::spawn(move || {
//!     while !flag.load(Ordering::Acquire) {
//!         thread::park();
//!     }
//! });
//! ready.store(true, Ordering::Release);
//! waiter.thread().unpark();
//! waiter.join().unwrap();
//! ```
//!
//! **Is it finished?** [`JoinHandle::is_finished`] (and [`ScopedJoinHandle::is_finished`]) is
//! a look at another thread's progress, so under simulation it is a scheduling point of its
//! own: it answers `false` while the thread's closure runs, never `true` before the closure
//! returned, and both while the thread ends (after its last step); once it answered `true`
//! it stays `true` (row `is-finished-stays-true` of docs/CONFORMANCE.md). Like std's it
//! orders nothing: a `true` is no substitute for `join`
//! (under loom, what the thread wrote without synchronization may still read stale).
//!
//! **Thread-locals.** [`thread_local!`](crate::thread_local) declares [`LocalKey`]s: std's
//! under std; under simulation each simulated thread gets its own value, made at its first
//! use, dropped when the thread ends, fresh in every execution (see [`LocalKey`]).
//!
//! **Parallelism.** [`available_parallelism`] is std's under std and a fixed 4 under
//! simulation (a machine's core count would make executions differ between machines), or
//! the exploration's size knob `available_parallelism` if it sets one.

mod scope;

use crate::ghost;
use std::fmt;
use std::io;
use std::num::NonZeroUsize;
use std::time::Duration;

pub use crate::ghost::{AccessError, LocalKey};
pub use scope::{scope, Scope, ScopedJoinHandle};

/// What [`JoinHandle::join`] returns: std's `thread::Result`, `Err` holding the panic payload.
///
/// ```
/// let joined: lockstep::thread::Result<u8> = lockstep::thread::spawn(|| 7).join();
/// assert_eq!(joined.unwrap(), 7);
/// ```
pub type Result<T> = std::thread::Result<T>;

/// Whether the calling thread is unwinding from a panic: std's own on every backend (the
/// simulated threads are real threads, one running at a time).
///
/// ```
/// assert!(!lockstep::thread::panicking());
/// ```
pub use std::thread::panicking;

/// std's `thread::sleep` is [`crate::time::sleep`]: virtual time under simulation.
///
/// ```
/// lockstep::thread::sleep(std::time::Duration::from_millis(1));
/// ```
pub use crate::time::sleep;

/// A handle to a thread: its name, its id, and [`unpark`](Thread::unpark).
///
/// ```
/// use lockstep::thread;
///
/// let me = thread::current();
/// me.unpark(); // the token is kept for the next park
/// thread::park(); // returns at once
/// assert_eq!(me.id(), thread::current().id());
/// ```
#[derive(Clone)]
pub struct Thread(ghost::ThreadHandle);

impl Thread {
    /// The thread's name, if it was given one (`Builder::name`; the first thread of a
    /// simulated execution is `main`), as std's `Thread::name`.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// let t = thread::Builder::new().name("worker").spawn(|| {
    ///     thread::current().name().map(str::to_owned)
    /// }).unwrap();
    /// assert_eq!(t.join().unwrap().as_deref(), Some("worker"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.0.name()
    }

    /// The thread's id: under simulation its index in the execution (the same in every
    /// execution), under std std's.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// let t = thread::spawn(|| thread::current().id());
    /// let child = t.thread().id();
    /// assert_eq!(t.join().unwrap(), child);
    /// assert_ne!(child, thread::current().id());
    /// ```
    pub fn id(&self) -> ThreadId {
        ThreadId(self.0.id())
    }

    /// Makes the thread's park token available: its next (or current) [`park`] returns.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// thread::current().unpark();
    /// thread::park(); // consumes the token, returns at once
    /// ```
    pub fn unpark(&self) {
        self.0.unpark();
    }
}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish()
    }
}

/// A thread's identity, unique among the threads of a process (under simulation: of an
/// execution, by spawn order).
///
/// ```
/// use lockstep::thread;
///
/// assert_eq!(thread::current().id(), thread::current().id());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThreadId(ghost::ThreadKey);

impl fmt::Debug for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The calling thread.
///
/// ```
/// use lockstep::thread;
///
/// let t = thread::Builder::new().name("io").spawn(|| thread::current().name().map(String::from));
/// assert_eq!(t.unwrap().join().unwrap().as_deref(), Some("io"));
/// ```
pub fn current() -> Thread {
    Thread(ghost::current_thread())
}

/// Blocks until the calling thread's park token is available, then consumes it (see the
/// module docs: never a spurious return under simulation).
///
/// ```
/// use lockstep::thread;
///
/// thread::current().unpark();
/// thread::park();
/// ```
pub fn park() {
    ghost::park_thread(None);
}

/// Like [`park`], but returns once `timeout` has passed (virtual time under simulation).
///
/// ```
/// use lockstep::thread;
/// use lockstep::time::Duration;
///
/// // No unpark comes: under simulation this returns at exactly t = 5 ms of virtual time.
/// thread::park_timeout(Duration::from_millis(5));
/// ```
pub fn park_timeout(timeout: Duration) {
    ghost::park_thread(Some(timeout));
}

/// An owned permission to join a thread.
pub struct JoinHandle<T> {
    native: ghost::NativeJoin<T>,
    thread: Thread,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its value (`Err` with the panic payload if it
    /// panicked), as `std::thread::JoinHandle::join` does.
    pub fn join(self) -> std::thread::Result<T> {
        let native = self.native;
        ghost::join(&self.thread.0, move || native.join())
    }

    /// Whether the thread has finished: its closure returned, or it panicked (which fails a
    /// simulated execution). It does not wait and orders nothing (see the module docs): join
    /// to see what the thread did. Under simulation a scheduling point of its own, which
    /// answers `false` while the closure runs and either while the thread ends; a `false` is a
    /// retry to the livelock detector.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// let worker = thread::spawn(|| 6 * 7);
    /// while !worker.is_finished() {
    ///     thread::yield_now();
    /// }
    /// assert_eq!(worker.join().unwrap(), 42);
    /// ```
    pub fn is_finished(&self) -> bool {
        ghost::before_is_finished(&self.thread.0);
        self.is_finished_now()
    }

    /// [`is_finished`](JoinHandle::is_finished)'s answer, after its scheduling point.
    fn is_finished_now(&self) -> bool {
        ghost::is_finished(&self.native, &self.thread.0)
    }

    /// The thread's canonical name.
    pub fn name(&self) -> &str {
        self.thread.0.canonical_name()
    }

    /// The thread, to unpark it or read its id.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// let t = thread::spawn(|| thread::park());
    /// t.thread().unpark();
    /// t.join().unwrap();
    /// ```
    pub fn thread(&self) -> &Thread {
        &self.thread
    }
}

/// Configures a thread before spawning it.
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder with default settings.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the thread; the name appears in deadlock reports and traces.
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Sets the new thread's stack size in bytes, as std's `Builder::stack_size`. std, shuttle
    /// and loom each give the thread a stack of that size (so a body with big frames runs
    /// under simulation as on std), except that a simulated thread never gets less than 64 KiB,
    /// room for the checker's own frames: a body that overflows a smaller stack on std is not
    /// caught under simulation.
    ///
    /// ```
    /// use lockstep::thread::Builder;
    ///
    /// let worker = Builder::new().name("worker").stack_size(256 * 1024);
    /// assert_eq!(worker.spawn(|| 1 + 1).unwrap().join().unwrap(), 2);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Builder {
        self.stack_size = Some(bytes);
        self
    }

    /// Spawns the thread.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (native, thread) = ghost::spawn(self.name, self.stack_size, f)?;
        Ok(JoinHandle {
            native,
            thread: Thread(thread),
        })
    }
}

/// Spawns a thread named `thread-N` (by spawn order) under simulation.
///
/// Panics if the OS cannot create a thread, as `std::thread::spawn` does.
///
/// ```
/// use lockstep::thread;
///
/// let t = thread::spawn(|| 6 * 7);
/// assert_eq!(t.join().unwrap(), 42);
/// ```
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new()
        .spawn(f)
        .expect("lockstep: failed to spawn a thread")
}

/// Offers the scheduler a chance to run another thread. Under simulation it is a retry to the
/// livelock detector: a thread that only yields while nothing changes is reported as a
/// livelock (see the README's liveness section).
///
/// A yield is a hint: std may run the yielder straight on, and so does the simulation. Under
/// shuttle it is a scheduling point. Under loom a thread's first yield since anything changed
/// is no scheduling point (loom switches at the thread's next operation a peer depends on,
/// if it explores a switch there); a yield that comes again with nothing changed since the
/// thread's previous one, a spin loop's second turn, is loom's own yield, which runs another
/// thread first, so spin loops over `yield_now` end. (Raw loom's every yield runs another
/// thread first, which hides outcomes std allows: `x = 1; yield_now(); y = 1` is never seen
/// as both stores by a reader that looks between them.)
///
/// ```
/// lockstep::thread::yield_now();
/// ```
pub fn yield_now() {
    crate::ghost::yield_now();
}

/// How many threads the program can usefully run at once: std's under std. Under simulation
/// a fixed 4, so that executions do not differ between machines, or the exploration's size
/// knob `available_parallelism` if it sets one (`Explorer::size`, recorded in seed files;
/// 0 counts as 1).
///
/// ```
/// let workers = lockstep::thread::available_parallelism().map_or(1, |n| n.get());
/// if lockstep::SIMULATED {
///     assert_eq!(workers, 4);
/// }
/// assert!(workers >= 1);
/// ```
pub fn available_parallelism() -> io::Result<NonZeroUsize> {
    if crate::SIMULATED {
        let workers = ghost::size("available_parallelism", 4);
        Ok(NonZeroUsize::new(workers).unwrap_or(NonZeroUsize::MIN))
    } else {
        std::thread::available_parallelism()
    }
}

/// The calling thread's canonical name (under std: its name, or `unnamed`).
pub fn current_name() -> String {
    ghost::current_name()
}
