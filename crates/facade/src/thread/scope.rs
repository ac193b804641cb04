//! Scoped threads: threads that may borrow from the stack of the thread that made the scope,
//! because the scope joins every one of them before it returns.
//!
//! Built on the facade's own [`Builder::spawn`] and [`JoinHandle::join`], so a scoped thread is
//! an ordinary thread to the kernel (canonical name, trace, deadlock report) and a scope adds
//! no operation that spawning and joining by hand would not: under loom a scope explores
//! exactly the executions of the same threads spawned and joined explicitly.
//!
//! As std's: a thread joined through its [`ScopedJoinHandle`] hands its panic to the joiner;
//! the ones left to the scope are joined when the scope's closure returns (or unwinds), and if
//! any of them panicked the scope panics with "a scoped thread panicked". (Under simulation a
//! panicking thread also fails the execution, as every thread's panic does.)

use super::{Builder, JoinHandle, Thread};
use std::io;
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

/// The threads of one scope not yet joined.
type Pending = Arc<Mutex<Option<JoinHandle<()>>>>;

/// A scope to spawn scoped threads in; see [`scope`].
pub struct Scope<'scope, 'env: 'scope> {
    /// Every thread spawned in the scope, with its handle until someone joins it. A plain std
    /// mutex: ghost bookkeeping, never held across a facade call.
    threads: Mutex<Vec<Pending>>,
    scope: PhantomData<&'scope mut &'scope ()>,
    env: PhantomData<&'env mut &'env ()>,
}

/// An owned permission to join a scoped thread.
pub struct ScopedJoinHandle<'scope, T> {
    handle: Pending,
    result: Arc<Mutex<Option<T>>>,
    thread: Thread,
    scope: PhantomData<&'scope ()>,
}

/// Runs `f` with a scope in which threads may borrow anything that outlives the scope; every
/// thread spawned in it is joined before `scope` returns.
///
/// ```
/// use lockstep::thread;
///
/// let mut totals = [0u64; 2];
/// let (left, right) = totals.split_at_mut(1);
/// thread::scope(|s| {
///     s.spawn(|| left[0] = (1..=10).sum());
///     let t = s.spawn(|| {
///         right[0] = (11..=20).sum();
///         right[0]
///     });
///     assert_eq!(t.join().unwrap(), 155);
/// });
/// assert_eq!(totals, [55, 155]);
/// ```
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let scope = Scope {
        threads: Mutex::new(Vec::new()),
        scope: PhantomData,
        env: PhantomData,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| f(&scope)));
    let a_thread_panicked = scope.join_all();
    match outcome {
        Err(payload) => resume_unwind(payload),
        Ok(_) if a_thread_panicked => panic!("a scoped thread panicked"),
        Ok(value) => value,
    }
}

impl<'scope> Scope<'scope, '_> {
    /// Spawns a thread that may borrow from outside the scope (named `thread-N` by spawn order
    /// under simulation); [`Builder::spawn_scoped`] names it or sizes its stack.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// let words = vec!["scoped", "threads"];
    /// let lengths = thread::scope(|s| {
    ///     let handles: Vec<_> = words.iter().map(|w| s.spawn(move || w.len())).collect();
    ///     handles.into_iter().map(|h| h.join().unwrap()).collect::<Vec<_>>()
    /// });
    /// assert_eq!(lengths, [6, 7]);
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        Builder::new()
            .spawn_scoped(self, f)
            .expect("lockstep: failed to spawn a scoped thread")
    }

    /// Joins every thread nobody joined yet; returns whether any of them panicked.
    fn join_all(&self) -> bool {
        let mut a_thread_panicked = false;
        // One at a time, with the list let go before joining: a thread may still spawn into the
        // scope while the scope waits for it.
        loop {
            let next = self.lock().pop();
            let Some(pending) = next else { break };
            let handle = pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(handle) = handle {
                a_thread_panicked |= handle.join().is_err();
            }
        }
        a_thread_panicked
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Pending>> {
        self.threads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Builder {
    /// Spawns a scoped thread in `scope` with this builder's name and stack size, as std's
    /// `Builder::spawn_scoped`: like [`Scope::spawn`], but the name shows in
    /// `thread::current().name()`, traces and reports, and an error comes back instead of a
    /// panic if the thread cannot be created.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// let total = thread::scope(|s| {
    ///     let t = thread::Builder::new()
    ///         .name("summer")
    ///         .spawn_scoped(s, || (thread::current().name().map(str::to_owned), 1 + 2))
    ///         .unwrap();
    ///     t.join().unwrap()
    /// });
    /// assert_eq!(total, (Some("summer".to_owned()), 3));
    /// ```
    #[track_caller]
    pub fn spawn_scoped<'scope, 'env, F, T>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> io::Result<ScopedJoinHandle<'scope, T>>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let result = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&result);
        let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
            let value = f();
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
        });
        // SAFETY: the body only lives until its thread is joined, and every thread of the scope
        // is joined before `scope` returns, on every path (`join_all` runs after the scope's
        // closure returned or unwound). So nothing the body borrows for 'scope is used after
        // 'scope ends, which is all the 'static bound of `Builder::spawn` protects here.
        let body: Box<dyn FnOnce() + Send + 'static> = unsafe { std::mem::transmute(body) };
        let handle = self.spawn(body)?;
        let thread = handle.thread().clone();
        let handle = Arc::new(Mutex::new(Some(handle)));
        scope.lock().push(Arc::clone(&handle));
        Ok(ScopedJoinHandle {
            handle,
            result,
            thread,
            scope: PhantomData,
        })
    }
}

impl<T> ScopedJoinHandle<'_, T> {
    /// Whether the thread has finished, as [`JoinHandle::is_finished`] answers it (under
    /// simulation a scheduling point of its own; it orders nothing).
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// thread::scope(|s| {
    ///     let t = s.spawn(|| 1);
    ///     while !t.is_finished() {
    ///         thread::yield_now();
    ///     }
    ///     assert_eq!(t.join().unwrap(), 1);
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        // The scheduling point first, with the handle's lock let go: the scope may take it
        // meanwhile (see `Scope::threads`).
        crate::ghost::before_is_finished(&self.thread.0);
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(JoinHandle::is_finished_now)
    }

    /// Waits for the thread and returns its value, or `Err` with its panic payload.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// let n = 20;
    /// let doubled = thread::scope(|s| s.spawn(|| n * 2).join().unwrap());
    /// assert_eq!(doubled, 40);
    /// ```
    pub fn join(self) -> std::thread::Result<T> {
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .expect("lockstep: a scoped thread is joined once");
        handle.join()?;
        let value = self
            .result
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        Ok(value.expect("lockstep: a scoped thread that returned left its value"))
    }

    /// The thread, to unpark it or read its id.
    ///
    /// ```
    /// use lockstep::thread;
    ///
    /// thread::scope(|s| {
    ///     let t = s.spawn(|| thread::park());
    ///     t.thread().unpark();
    /// });
    /// ```
    pub fn thread(&self) -> &Thread {
        &self.thread
    }
}
