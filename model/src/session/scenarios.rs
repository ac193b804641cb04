//! The session manager's scenarios: each builds a manager (with the variant's planted bug),
//! runs threads of operations, checks the invariants after every operation and at rest. Their
//! size knobs (sessions, operations per thread, ...) default to a realistic workload; shrinking
//! lowers them to what a failure needs.

use super::manager::{
    assert_nothing_held, Bugs, Config, Op, SessionError, SessionManager, HANDLER_BEFORE_OPERATION,
    LEAK_PERMIT_ON_TIMEOUT, METRICS_SKIP_TIMEOUT, SKIP_RELEASE_ON_ERROR, STATE_OUTSIDE_LOCK,
};
use super::state::SessionState;
use lockstep::scenario::{size, Scenario, Variant};
use lockstep::sync::Arc;
use lockstep::thread;
use lockstep::time::{Duration, Instant};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A manager for `variant` with `config`'s settings, every session connected.
fn manager(variant: Variant, config: Config) -> Arc<SessionManager> {
    let manager = SessionManager::new(Config {
        bugs: Bugs::from_variant(variant),
        ..config
    });
    for id in 0..manager.sessions() {
        // A failed connect is a legal outcome (the session rests in Failed).
        let _ = checked("connect", || manager.connect(id));
    }
    Arc::new(manager)
}

/// Runs one manager call and checks the per-operation invariants: an error never breaks an
/// invariant itself, and whatever the outcome, the calling thread holds nothing afterwards.
pub fn checked<T>(
    what: &str,
    call: impl FnOnce() -> Result<T, SessionError>,
) -> Result<T, SessionError> {
    let result = call();
    if let Err(e) = &result {
        assert!(!e.breaks_an_invariant(), "{what}: {e}");
    }
    assert_nothing_held(&format!(
        "after {what} returned {:?},",
        result.as_ref().err()
    ));
    result
}

/// Runs `op` and, if it left the session recovering, recovers it.
fn op_then_recover(
    manager: &SessionManager,
    id: usize,
    op: Op,
    work: Duration,
) -> Result<(), SessionError> {
    let result = checked("an operation", || manager.run(id, op, work));
    if manager.state(id) == SessionState::Recovering {
        let _ = checked("recover", || manager.recover(id));
    }
    result
}

/// What one session thread does.
type Job = Box<dyn FnOnce(&SessionManager) + Send>;

/// Spawns one thread per job, joins them, and checks the manager at rest.
fn run_threads(manager: &Arc<SessionManager>, jobs: Vec<Job>) {
    let threads: Vec<_> = jobs
        .into_iter()
        .map(|job| {
            let manager = Arc::clone(manager);
            thread::spawn(move || job(&manager))
        })
        .collect();
    for t in threads {
        t.join().expect("a session thread panicked");
    }
    manager.check_at_rest();
}

/// `sessions` sessions (3), one thread each, `rounds` rounds (2) of a scrape then a send, with
/// whatever faults the plan injects.
fn release_on_error(variant: Variant) {
    let sessions = size("sessions", 3);
    let rounds = size("rounds", 2);
    let m = manager(
        variant,
        Config {
            sessions,
            ..Config::default()
        },
    );
    let jobs: Vec<Job> = (0..sessions)
        .map(|id| {
            Box::new(move |m: &SessionManager| {
                for _ in 0..rounds {
                    let _ = op_then_recover(m, id, Op::Scrape, secs(1));
                    let _ = op_then_recover(m, id, Op::Send, secs(1));
                }
            }) as Job
        })
        .collect();
    run_threads(&m, jobs);
}

/// Session 0 works for 60 s; session 1's operation must not wait for it.
fn isolation(variant: Variant) {
    let m = manager(variant, Config::default());
    let start = Instant::now();
    let jobs: Vec<Job> = vec![
        Box::new(|m: &SessionManager| {
            let _ = op_then_recover(m, 0, Op::Scrape, secs(60));
        }),
        Box::new(move |m: &SessionManager| {
            let result = op_then_recover(m, 1, Op::Send, secs(1));
            if result.is_ok() {
                let took = start.elapsed();
                assert!(
                    took < secs(60),
                    "session 1 waited for session 0: done after {took:?}"
                );
            }
        }),
    ];
    run_threads(&m, jobs);
}

/// Operations on one session: the first works for 60 s while `retriers` (5) others send; their
/// 30 s lock timeouts fire, and each retries after the first is done.
fn lock_timeout_retry(variant: Variant) {
    let retriers = size("retriers", 5);
    let m = manager(variant, Config::default());
    let mut jobs: Vec<Job> = vec![Box::new(|m: &SessionManager| {
        let _ = op_then_recover(m, 0, Op::Scrape, secs(60));
    })];
    for _ in 0..retriers {
        jobs.push(Box::new(|m: &SessionManager| {
            for _ in 0..3 {
                match op_then_recover(m, 0, Op::Send, secs(1)) {
                    Err(e) if e.is_timeout() => lockstep::time::sleep(secs(20)),
                    _ => break,
                }
            }
        }));
    }
    run_threads(&m, jobs);
}

/// Three threads share one operation permit (two sessions): two send (20 s of work each), one
/// queues. The permit is the pressure: when all three succeed, the two sends took turns, so the
/// last one finished no earlier than 40 s.
fn semaphore_pressure(variant: Variant) {
    let m = manager(
        variant,
        Config {
            operation_permits: 1,
            ..Config::default()
        },
    );
    let start = Instant::now();
    let jobs: Vec<Job> = (0..3)
        .map(|i| {
            Box::new(move |m: &SessionManager| {
                let op = if i == 2 { Op::Queue } else { Op::Send };
                let _ = op_then_recover(m, i % 2, op, secs(20));
            }) as Job
        })
        .collect();
    run_threads(&m, jobs);
    let took = start.elapsed();
    if m.metrics().succeeded == 3 {
        assert!(
            took >= secs(40),
            "two 20 s sends sharing one permit were both done after {took:?}: they did not wait for it"
        );
    }
}

/// A close races `operations` (3) operations in flight, one after another, on the same session.
fn close_race(variant: Variant) {
    let operations = size("operations", 3);
    let m = manager(variant, Config::default());
    let jobs: Vec<Job> = vec![
        Box::new(move |m: &SessionManager| {
            for _ in 0..operations {
                let _ = op_then_recover(m, 0, Op::Scrape, secs(5));
            }
        }),
        Box::new(|m: &SessionManager| {
            let _ = checked("close", || m.close(0));
        }),
    ];
    run_threads(&m, jobs);
}

/// `sessions` sessions (3), one thread each, send `sends` times (2), recovering whenever one
/// fails: a session recovers while the others keep sending.
fn recovery(variant: Variant) {
    let sessions = size("sessions", 3);
    let sends = size("sends", 2);
    let m = manager(
        variant,
        Config {
            sessions,
            ..Config::default()
        },
    );
    let jobs: Vec<Job> = (0..sessions)
        .map(|id| {
            Box::new(move |m: &SessionManager| {
                for _ in 0..sends {
                    let _ = op_then_recover(m, id, Op::Send, secs(2));
                }
            }) as Job
        })
        .collect();
    run_threads(&m, jobs);
}

/// The session manager's scenarios.
pub const SCENARIOS: [Scenario; 6] = [
    Scenario {
        name: "session-release-on-error",
        about: "every error path releases its locks and permits; metrics add up",
        bugs: &[SKIP_RELEASE_ON_ERROR, METRICS_SKIP_TIMEOUT],
        run: release_on_error,
    },
    Scenario {
        name: "session-isolation",
        about: "a slow session never blocks another session's operations",
        bugs: &[],
        run: isolation,
    },
    Scenario {
        name: "session-lock-timeout-retry",
        about: "a 30 s lock timeout fires, releases everything, and the retry succeeds",
        bugs: &[LEAK_PERMIT_ON_TIMEOUT, METRICS_SKIP_TIMEOUT],
        run: lock_timeout_retry,
    },
    Scenario {
        name: "session-semaphore-pressure",
        about: "operations queue for one permit; every permit comes back",
        bugs: &[],
        run: semaphore_pressure,
    },
    Scenario {
        name: "session-close-race",
        about: "a close racing an operation in flight never breaks the state machine",
        bugs: &[STATE_OUTSIDE_LOCK],
        run: close_race,
    },
    Scenario {
        name: "session-recovery",
        about: "a session recovers while the others continue; the hierarchy holds",
        bugs: &[HANDLER_BEFORE_OPERATION],
        run: recovery,
    },
];
