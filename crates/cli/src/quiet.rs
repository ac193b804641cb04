//! Keeping shuttle's own stderr from the user: the command line runs every exploration, replay
//! and shrink with the process's stderr (file descriptor 2) pointed at the null device, and
//! writes its own diagnostics outside those windows.
//!
//! Why at the file-descriptor level: most of what shuttle prints comes from its panic hook, and
//! lockstep's hook sits above it and keeps it from running on exploration threads (see
//! `lockstep-explore`'s `run::harness`); its random scheduler's "failing seed" block is avoided
//! by lockstep's own copy of the scheduler, and its "test panicked in task ..." line for every
//! failed task by stopping a failing execution through the scheduler instead. But shuttle's
//! execution loop still prints with plain `eprintln!` about failures of its own (a deadlock it
//! detects before lockstep does: a hint about deadlock backtraces; teardown notes), which no
//! hook or scheduler reaches and std offers no stable way to redirect. Cargo's test harness
//! captures those lines in tests; the command line has no harness, so it points fd 2 elsewhere
//! while shuttle runs.
//!
//! The windows are only the calls into the tools: the summary, the progress bar, the "explored"
//! lines and every error are written between them, to the real stderr. A panic inside a window
//! (a bug, not a failing execution: those are caught by the explorer) is reported on the real
//! stderr after the window closes, then resumed. Windows nest and may overlap across threads
//! (tests run the command line in-process, in parallel): the first to open saves the real
//! stderr, the last to close restores it. Platforms without `dup2` run the windows unsilenced.

use std::panic::{self, AssertUnwindSafe};

/// Runs `f` with the process's stderr silenced (see the module docs).
pub(crate) fn silenced<T>(f: impl FnOnce() -> T) -> T {
    let window = imp::Window::open();
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    drop(window);
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        eprintln!("lockstep: internal error: {message}");
        panic::resume_unwind(payload)
    })
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::os::fd::AsRawFd;
    use std::sync::{Mutex, PoisonError};

    /// How many windows are open, and the real stderr while any is.
    struct State {
        open: usize,
        saved: Option<i32>,
    }

    static STATE: Mutex<State> = Mutex::new(State {
        open: 0,
        saved: None,
    });

    const STDERR: i32 = 2;

    /// An open window: stderr is the null device until the last one is dropped.
    pub(super) struct Window;

    impl Window {
        pub(super) fn open() -> Window {
            let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
            if state.open == 0 {
                state.saved = redirect();
            }
            state.open += 1;
            Window
        }
    }

    impl Drop for Window {
        fn drop(&mut self) {
            let mut state = STATE.lock().unwrap_or_else(PoisonError::into_inner);
            state.open -= 1;
            if state.open == 0 {
                if let Some(saved) = state.saved.take() {
                    // SAFETY: `saved` is a descriptor this module duplicated and owns; putting
                    // it back on 2 and closing it touches no memory.
                    unsafe {
                        libc::dup2(saved, STDERR);
                        libc::close(saved);
                    }
                }
            }
        }
    }

    /// Points fd 2 at the null device; returns a duplicate of the real stderr (close-on-exec,
    /// so no child inherits it), or `None` if that cannot be done (then nothing changed).
    fn redirect() -> Option<i32> {
        let null = File::options().write(true).open("/dev/null").ok()?;
        // SAFETY: plain descriptor calls on descriptors that are open (2, and `null` for the
        // duration); no memory is involved.
        unsafe {
            let saved = libc::fcntl(STDERR, libc::F_DUPFD_CLOEXEC, 3);
            if saved < 0 {
                return None;
            }
            if libc::dup2(null.as_raw_fd(), STDERR) < 0 {
                libc::close(saved);
                return None;
            }
            Some(saved)
        }
    }
}

#[cfg(not(unix))]
mod imp {
    /// Without `dup2` the window silences nothing.
    pub(super) struct Window;

    impl Window {
        pub(super) fn open() -> Window {
            Window
        }
    }
}
