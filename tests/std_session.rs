//! The session manager on real threads: a stress run with injected faults, asserting only what
//! does not depend on timing (nothing held after any operation, metrics consistent, every
//! session at rest, every permit back).
#![cfg(not(any(loom, feature = "shuttle")))]

use lockstep::fault::{self, FaultPlan};
use lockstep::sync::Arc;
use lockstep::time::Duration;
use model::session::manager::ERROR_KINDS;
use model::session::scenarios::checked;
use model::session::{Config, Op, SessionManager, SessionState};

#[test]
fn four_threads_hammering_two_sessions_leave_everything_consistent() {
    let plan = ERROR_KINDS
        .iter()
        .fold(FaultPlan::none(), |plan, kind| plan.kind(*kind, 0.02));
    fault::set_std_plan(Some((plan, 9)));
    let manager = Arc::new(SessionManager::new(Config {
        lock_timeout: Duration::from_secs(60),
        backoff: Duration::from_millis(1),
        ..Config::default()
    }));
    for id in 0..2 {
        let _ = checked("connect", || manager.connect(id));
    }
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let manager = Arc::clone(&manager);
            lockstep::thread::spawn(move || {
                for i in 0..100 {
                    let id = (t + i) % 2;
                    if manager.state(id) == SessionState::Failed {
                        continue;
                    }
                    let op = [Op::Scrape, Op::Send, Op::Queue][i % 3];
                    let _ = checked("an operation", || manager.run(id, op, Duration::ZERO));
                    if manager.state(id) == SessionState::Recovering {
                        let _ = checked("recover", || manager.recover(id));
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("no invariant broke");
    }
    fault::set_std_plan(None);
    manager.check_at_rest();
    let metrics = manager.metrics();
    assert!(metrics.started > 0);
    let completed: u64 = (0..2).map(|id| manager.completed(id)).sum();
    assert_eq!(
        completed, metrics.succeeded,
        "every success did its work exactly once"
    );
}
