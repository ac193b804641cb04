//! Threads: spawn, named builders, join and yield, visible to the simulation kernel.
//!
//! Under simulation every thread gets a canonical name: the one given to
//! [`Builder::name`], or `thread-N` by spawn order (`main` for the execution's first thread).

use crate::backend;
use std::io;

/// An owned permission to join a thread.
pub struct JoinHandle<T> {
    native: backend::thread::JoinHandle<T>,
    #[cfg_attr(not(any(loom, feature = "shuttle")), allow(dead_code))]
    index: usize,
    name: String,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its value (`Err` with the panic payload if it
    /// panicked), as `std::thread::JoinHandle::join` does.
    pub fn join(self) -> std::thread::Result<T> {
        #[cfg(any(loom, feature = "shuttle"))]
        let caller = crate::kernel::Caller::current();
        #[cfg(any(loom, feature = "shuttle"))]
        caller.begin_native_wait(crate::kernel::WaitOn::Join { thread: self.index }, None);
        let result = self.native.join();
        #[cfg(any(loom, feature = "shuttle"))]
        {
            caller.end_native_wait();
            let child = self.index;
            caller.record(|| crate::trace::Event::Joined { child });
        }
        result
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
        #[cfg(any(loom, feature = "shuttle"))]
        {
            let (index, name) = crate::kernel::register_thread(self.name);
            crate::kernel::set_pending(
                crate::pending::OpKind::Spawn,
                Some(crate::pending::ObjectId::thread(index)),
            );
            let body = move || {
                crate::kernel::thread_started(index);
                let value = crate::harness::run_reporting_panics(f);
                crate::kernel::thread_finished();
                value
            };
            let native = backend::thread::Builder::new()
                .name(name.clone())
                .spawn(body)?;
            Ok(JoinHandle {
                native,
                index,
                name,
            })
        }
        #[cfg(not(any(loom, feature = "shuttle")))]
        {
            let mut builder = backend::thread::Builder::new();
            if let Some(name) = &self.name {
                builder = builder.name(name.clone());
            }
            let native = builder.spawn(f)?;
            let name = self.name.unwrap_or_else(|| "unnamed".to_owned());
            Ok(JoinHandle {
                native,
                index: 0,
                name,
            })
        }
    }
}

/// Spawns a thread named `thread-N` (by spawn order) under simulation.
///
/// Panics if the OS cannot create a thread, as `std::thread::spawn` does.
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
    #[cfg(any(loom, feature = "shuttle"))]
    return crate::kernel::current_thread_name();
    #[cfg(not(any(loom, feature = "shuttle")))]
    return std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned();
}
