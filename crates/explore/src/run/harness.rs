//! The harness around a test body: installs each execution's kernel, catches panics, and
//! collects what the explorer reports (first failure message, last trace, coverage).

use lockstep_engine::kernel::{self, Setup};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

std::thread_local! {
    /// Whether panics on this OS thread are expected (an exploration is running here).
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the panic hook silent on this OS thread: an exploration's failing executions
/// panic by design (their messages are collected and reported), and printing each one, with
/// a symbolized backtrace, would drown the report and cost far more than the execution.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(install_quiet_hook);
    let was = QUIET.with(|q| q.replace(true));
    let result = f();
    QUIET.with(|q| q.set(was));
    result
}

/// A panic hook, shareable between the hooks that chain to it.
type Hook = Arc<dyn Fn(&panic::PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Installs lockstep's panic hook, once per process, *above* the backend's.
///
/// Why above: shuttle installs its own hook on its first execution in the process, wrapping the
/// hook that is there, and that hook prints "Task failed, serializing schedule" and "test
/// panicked in task ..." to stderr for every panic anywhere in the process, inside an execution
/// or not (outside one it names the task "Tried to get ExecutionState, but got the following
/// error: NotSet"), before it calls the hook below it. A lockstep hook installed first would sit
/// below shuttle's and silence nothing shuttle prints. So lockstep has shuttle install its hook
/// first (one empty execution, see `shuttle::install_backend_panic_hook`), takes it, and puts its
/// own on top, which
///
/// - on an exploration thread (inside [`quietly`]) returns at once: neither shuttle's hook nor
///   the default one runs, so nothing is printed and no backtrace is captured;
/// - inside a shuttle execution that is not lockstep's (raw shuttle in the same process) calls
///   shuttle's hook, as if lockstep were not there;
/// - anywhere else (the user's own panics, a failing test's assertion) calls the hook that was
///   there before lockstep and shuttle, skipping shuttle's lines about a task that does not
///   exist.
///
/// If shuttle's hook was installed before lockstep's first exploration (raw shuttle ran
/// first), it is the "hook that was there before": exploration threads are still silent,
/// other panics get shuttle's lines as they would without lockstep. Shuttle's unconditional
/// `eprintln!` for a failed task cannot be reached from a hook; it is never reached at all,
/// since a failing thread stops its execution through the scheduler instead (see
/// `Setup::stop_on_failure`). The command line still redirects the process's stderr while it
/// explores (`lockstep-cli`), for the rare lines shuttle prints about its own failures.
fn install_quiet_hook() {
    let original: Hook = Arc::from(panic::take_hook());
    let forward = Arc::clone(&original);
    panic::set_hook(Box::new(move |info| forward(info)));
    super::install_backend_panic_hook();
    let backend: Hook = Arc::from(panic::take_hook());
    panic::set_hook(Box::new(move |info| {
        if QUIET.with(std::cell::Cell::get) {
            // Where the failing thread's trace ends, before its unwinding releases anything.
            kernel::note_panic();
            return;
        }
        if super::in_backend_execution() {
            backend(info);
        } else {
            original(info);
        }
    }));
}

/// A backend's own bound on an execution's length (loom's branches, shuttle's steps), in
/// lockstep's words: a spin the livelock detector did not stop first, with what every thread
/// was doing (read from the kernel the execution left behind). `None` for any other message.
fn spin_bound_report(message: &str) -> Option<String> {
    let what = super::bound_exceeded(message)?;
    Some(format!(
        "{what}{}",
        kernel::spin_report().unwrap_or_default()
    ))
}

/// A body plus the counters and slots its runner reads back.
pub(crate) struct Harness<F> {
    body: Arc<F>,
    pub(crate) executions: Arc<AtomicUsize>,
    pub(crate) setup: Setup,
}

/// How a driven exploration ended, before it is turned into a report.
pub(crate) struct Ended {
    pub(crate) executions: usize,
    pub(crate) coverage: usize,
    /// The most threads any execution had, the main one included.
    pub(crate) max_threads: usize,
    /// The failing execution's first panic message.
    pub(crate) failure: Option<String>,
    /// The last execution's rendered trace, if it failed or `trace_always` was asked.
    pub(crate) trace: Option<String>,
    /// The fault sites that fired in the last execution (read by the shrinker, shuttle only).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) faults: Vec<&'static str>,
    /// The last execution's fault seed.
    pub(crate) fault_seed: u64,
    /// How many `lockstep::random` draws the last execution made.
    pub(crate) random_draws: usize,
    /// The size knobs the last execution read, in first-read order, with their values.
    pub(crate) sizes: Vec<(&'static str, usize)>,
    /// Where the last execution's tasks were spawned, by task id (read by the shrinker).
    #[cfg(feature = "shuttle")]
    pub(crate) spawn_sites: Vec<Option<kernel::SpawnSite>>,
}

impl<F: Fn() + Send + Sync + 'static> Harness<F> {
    /// A harness with every check and the trace on (see [`Setup::default`]).
    pub(crate) fn new(body: F) -> Self {
        Harness {
            body: Arc::new(body),
            executions: Arc::new(AtomicUsize::new(0)),
            setup: Setup {
                // Every shuttle runner of a harness stops at the first failure (see
                // `run::runner`), so a failing thread can stop the execution quietly.
                stop_on_failure: cfg!(feature = "shuttle"),
                ..Setup::default()
            },
        }
    }

    pub(crate) fn into_fn(self) -> impl Fn() + Send + Sync + 'static {
        let Harness {
            body,
            executions,
            setup,
        } = self;
        move || {
            let execution = executions.fetch_add(1, Ordering::Relaxed) + 1;
            kernel::run_execution(setup.clone(), execution, || body());
        }
    }

    /// Runs `drive` (a backend runner over the wrapped body) on a fresh OS thread; a panic out
    /// of it is the failure of the last execution, whose trace is still in the kernel slot. The
    /// trace is rendered for a failure, or for any outcome with `trace_always`.
    ///
    /// Why a fresh thread: a failing execution can end while another simulated thread is still
    /// unwinding a panic (it panicked while the first one unwound). The backend abandons that
    /// stack, so the OS thread's panic count never comes back to zero, and every later
    /// execution on it would look like it ended mid-unwind. Each exploration, replay and shrink
    /// candidate therefore gets its own OS thread.
    pub(crate) fn run(
        self,
        trace_always: bool,
        drive: impl FnOnce(Box<dyn Fn() + Send + Sync>) + Send,
    ) -> Ended {
        std::thread::scope(|scope| {
            scope
                .spawn(|| self.run_here(trace_always, drive))
                .join()
                .unwrap_or_else(|payload| panic::resume_unwind(payload))
        })
    }

    /// [`run`](Harness::run), on the calling OS thread.
    fn run_here(
        self,
        trace_always: bool,
        drive: impl FnOnce(Box<dyn Fn() + Send + Sync>),
    ) -> Ended {
        let executions = Arc::clone(&self.executions);
        let failure = Arc::clone(&self.setup.failure);
        let coverage = Arc::clone(&self.setup.coverage);
        let max_threads = Arc::clone(&self.setup.max_threads);
        let outcome =
            quietly(|| panic::catch_unwind(AssertUnwindSafe(|| drive(Box::new(self.into_fn())))));
        // A failure either unwound out of the backend's runner (loom; shuttle's own failures,
        // such as its step bound) or stopped the execution quietly (a thread's panic under
        // shuttle): the recorded message wins, as it is the first one.
        let recorded = failure.lock().unwrap_or_else(|e| e.into_inner()).take();
        let failure = match outcome {
            Err(payload) => {
                Some(recorded.unwrap_or_else(|| lockstep_engine::panic::message(&*payload)))
            }
            Ok(()) => recorded,
        };
        // A failure the backend raised itself is put in lockstep's words: its bound on an
        // execution's length as a livelock, anything else by `backend_failure`.
        let failure = failure.map(|message| {
            spin_bound_report(&message).unwrap_or_else(|| {
                super::backend_failure::translate(message, &kernel::last_live_threads())
            })
        });
        let trace =
            (failure.is_some() || trace_always).then(|| kernel::last_trace().unwrap_or_default());
        let coverage = coverage.lock().unwrap_or_else(|e| e.into_inner()).len();
        Ended {
            executions: executions.load(Ordering::Relaxed),
            coverage,
            max_threads: max_threads.load(Ordering::Relaxed).max(1),
            failure,
            trace,
            faults: kernel::last_faults(),
            fault_seed: kernel::last_fault_seed(),
            random_draws: kernel::last_random_draws(),
            sizes: kernel::last_sizes(),
            #[cfg(feature = "shuttle")]
            spawn_sites: kernel::last_spawn_sites(),
        }
    }
}
