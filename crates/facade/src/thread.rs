//! Threads: spawn, named builders, join and yield, visible to the simulation kernel.
//!
//! Under simulation every thread gets a canonical name: the one given to
//! [`Builder::name`], or `thread-N` by spawn order (`main` for the execution's first thread).

use crate::{backend, ghost};
use std::io;

/// An owned permission to join a thread.
pub struct JoinHandle<T> {
    native: backend::thread::JoinHandle<T>,
    /// Its index in the execution (0 under std).
    index: usize,
    name: String,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its value (`Err` with the panic payload if it
    /// panicked), as `std::thread::JoinHandle::join` does.
    pub fn join(self) -> std::thread::Result<T> {
        let native = self.native;
        ghost::join(self.index, move || native.join())
    }

    /// The thread's canonical name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Configures a thread before spawning it.
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
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

    /// Spawns the thread.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (native, index, name) = ghost::spawn(self.name, f)?;
        Ok(JoinHandle {
            native,
            index,
            name,
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

/// Offers the scheduler a chance to run another thread.
pub fn yield_now() {
    backend::thread::yield_now();
}

/// The calling thread's canonical name (under std: its name, or `unnamed`).
pub fn current_name() -> String {
    ghost::current_name()
}
