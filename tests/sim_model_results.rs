//! What the model's calls produce, on virtual time, under shuttle and loom: the schedule a
//! generation writes (or leaves alone), both rows of a swap, a send's retries and backoff, the
//! lock table's rows and timestamps, the kept counters; and the checks that need a running
//! program (nothing held, the session scenarios' invariants) firing with their messages.
#![cfg(any(loom, feature = "shuttle"))]

use lockstep::explore::{Explorer, Failure, Stats, Strategy};
use lockstep::fault::{Fault, FaultKind, FaultPlan};
use lockstep::scenario::Variant;
use lockstep::sync::atomic::AtomicBool;
use lockstep::sync::{Arc, Mutex};
use lockstep::time::{sleep, Duration, Instant};
use model::booking::{self, Booking, BookingError, Shift};
use model::breaker::{self, Breaker, BreakerError};
use model::lock_table::{self, LockTable};
use model::session::manager::{self, assert_nothing_held, site, CONNECT};
use model::session::{Config, Metrics, Op, SessionError, SessionManager, SessionState};

/// Every interleaving up to two preemptions.
#[cfg(loom)]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(2),
    })
}

/// Twenty random schedules.
#[cfg(not(loom))]
fn explorer() -> Explorer {
    Explorer::new(Strategy::Random).iterations(20)
}

/// Explores `body`; fails the test with the failure and its trace if any execution fails.
fn passes(explorer: Explorer, body: impl Fn() + Send + Sync + 'static) -> Stats {
    explorer
        .run(body)
        .unwrap_or_else(|f: Failure| panic!("{}\n{}", f.message, f.trace))
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Slots of two shifts each; person `p` on shift `p`, generation 0, version 0.
fn initial(slots: u32) -> Vec<Shift> {
    Booking::new(slots, Variant::Fixed).read()
}

#[test]
fn a_completed_generation_moves_everyone_to_the_next_shift_in_one_new_version() {
    passes(explorer(), || {
        let booking = Booking::new(2, Variant::Fixed);
        let start = Instant::now();
        assert!(booking.generate(7, &AtomicBool::new(false)), "completed");
        assert_eq!(start.elapsed(), secs(4), "a second of work per shift");
        let expected: Vec<Shift> = (0..4)
            .map(|i| Shift {
                person: Some((i + 1) % 4),
                slot: i / 2,
                generation: 7,
                version: 1,
            })
            .collect();
        assert_eq!(booking.read(), expected);
        booking
            .swap(0, 1)
            .expect("generation is over: swaps go through");
    });
}

#[test]
fn a_cancelled_generation_leaves_the_schedule_as_it_was() {
    passes(explorer(), || {
        let booking = Booking::new(2, Variant::Fixed);
        assert!(!booking.generate(7, &AtomicBool::new(true)), "cancelled");
        assert_eq!(booking.read(), initial(2));
        booking
            .swap(0, 1)
            .expect("generation is over: swaps go through");
    });
}

#[test]
fn during_generation_a_swap_is_a_conflict_and_an_edit_wins_over_the_generation() {
    passes(explorer(), || {
        let booking = Arc::new(Booking::new(2, Variant::Fixed));
        let generator = {
            let booking = Arc::clone(&booking);
            lockstep::thread::spawn(move || booking.generate(1, &AtomicBool::new(false)))
        };
        sleep(Duration::from_millis(1500));
        let refused = booking.swap(0, 1).expect_err("generation is running");
        assert_eq!(
            refused.to_string(),
            "conflict on shift 0: schedule generation in progress"
        );
        booking
            .edit(3, 42, 0)
            .expect("edits go on during generation");
        assert!(
            !generator.join().unwrap(),
            "the edit made the generation a conflict"
        );
        let mut expected = initial(2);
        expected[3].person = Some(42);
        expected[3].version = 1;
        assert_eq!(
            booking.read(),
            expected,
            "the edit is kept, nothing generated"
        );
    });
}

#[test]
fn a_swap_exchanges_both_people_and_bumps_both_versions() {
    // The planted check-then-act matcher is wrong only under a race: alone, it swaps as well.
    for variant in [Variant::Fixed, Variant::Bug(booking::CHECK_THEN_ACT_SWAP)] {
        passes(explorer(), move || {
            let booking = Booking::new(2, variant);
            booking.swap(1, 2).expect("no generation runs");
            let mut expected = initial(2);
            expected[1].person = Some(2);
            expected[2].person = Some(1);
            expected[1].version = 1;
            expected[2].version = 1;
            assert_eq!(booking.read(), expected, "{variant:?}");
            booking.swap(2, 1).expect("no generation runs");
            expected[1].person = Some(1);
            expected[2].person = Some(2);
            expected[1].version = 2;
            expected[2].version = 2;
            assert_eq!(booking.read(), expected, "{variant:?}");
        });
    }
}

#[test]
fn an_edit_of_a_stale_version_is_a_conflict_unless_the_check_is_planted_away() {
    passes(explorer(), || {
        let booking = Booking::new(1, Variant::Fixed);
        booking.edit(0, 9, 0).expect("the version read");
        assert_eq!(
            booking.edit(0, 8, 0),
            Err(BookingError::Conflict {
                shift: 0,
                reason: "stale version"
            })
        );
        let shift = booking.read()[0].clone();
        assert_eq!((shift.person, shift.version), (Some(9), 1));
        booking.update(1, 5, 3);
        let shift = booking.read()[1].clone();
        assert_eq!(
            (shift.person, shift.slot, shift.generation, shift.version),
            (Some(1), 5, 3, 1)
        );

        let half = Booking::new(1, Variant::Bug(booking::HALF_WRITTEN_UPDATE));
        half.update(0, 5, 3);
        let shift = half.read()[0].clone();
        assert_eq!(
            (shift.slot, shift.generation, shift.version),
            (5, 3, 1),
            "alone, even the half-written update writes both fields and one version"
        );

        let unchecked = Booking::new(1, Variant::Bug(booking::NO_VERSION_CHECK));
        unchecked.edit(0, 9, 0).unwrap();
        unchecked.edit(0, 8, 0).expect("the planted bug overwrites");
        let shift = unchecked.read()[0].clone();
        assert_eq!((shift.person, shift.version), (Some(8), 2));
    });
}

/// One connected session whose every pass through depth 1 fails with a network error.
fn network_down() -> Explorer {
    explorer().faults(FaultPlan::none().site(site(1, FaultKind::NetworkError).name, 1.0))
}

#[test]
fn a_send_retries_network_errors_with_doubling_backoff_then_reports_the_last() {
    // retries, and the virtual time the send spends backing off: 5 s, then 10 s, then 20 s.
    for (retries, backoff) in [(0, 0), (1, 5), (2, 15), (3, 35)] {
        passes(network_down(), move || {
            let m = SessionManager::new(Config {
                sessions: 1,
                retries,
                backoff: secs(5),
                ..Config::default()
            });
            m.connect(0).expect("the connect site is not planted");
            let start = Instant::now();
            let error = m.run(0, Op::Send, Duration::ZERO).unwrap_err();
            assert_eq!(start.elapsed(), secs(backoff), "{retries} retries");
            assert_eq!(
                error,
                SessionError::Fault {
                    id: 0,
                    fault: Fault {
                        site: "session.depth1.network-error",
                        kind: FaultKind::NetworkError
                    }
                }
            );
            assert_eq!(
                m.metrics(),
                Metrics {
                    started: 1,
                    failed: 1,
                    ..Metrics::default()
                },
                "the retries are one operation"
            );
            m.check_at_rest();
        });
    }
}

#[test]
fn only_a_send_retries() {
    passes(network_down(), || {
        let m = SessionManager::new(Config {
            sessions: 1,
            ..Config::default()
        });
        m.connect(0).unwrap();
        let start = Instant::now();
        for op in [Op::Scrape, Op::Queue] {
            assert!(m.run(0, op, secs(1)).is_err(), "{op:?}");
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "no backoff");
        assert_eq!(m.metrics().failed, 2);
    });
}

#[test]
fn a_successful_send_works_once_and_counts_once() {
    passes(explorer(), || {
        let m = SessionManager::new(Config::default());
        m.connect(1).unwrap();
        let start = Instant::now();
        m.run(1, Op::Send, secs(3)).unwrap();
        assert_eq!(start.elapsed(), secs(3));
        assert_eq!((m.completed(0), m.completed(1)), (0, 1));
        assert_eq!(
            m.metrics(),
            Metrics {
                started: 1,
                succeeded: 1,
                ..Metrics::default()
            }
        );
        assert_eq!(m.state(1), SessionState::Connected);
    });
}

#[test]
fn a_queued_operation_is_counted_by_its_session_and_takes_no_work_time() {
    passes(explorer(), || {
        let m = SessionManager::new(Config::default());
        m.connect(0).unwrap();
        let start = Instant::now();
        m.run(0, Op::Queue, secs(3)).unwrap();
        m.run(0, Op::Queue, secs(3)).unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO, "queueing does no work");
        assert_eq!((m.completed(0), m.completed(1)), (2, 0));
        assert_eq!(
            m.metrics(),
            Metrics {
                started: 2,
                succeeded: 2,
                ..Metrics::default()
            }
        );
        assert_eq!(m.state(0), SessionState::Connected);
    });
}

#[test]
fn every_connect_is_counted_under_the_global_task_lock_whether_it_succeeds_or_not() {
    passes(explorer(), || {
        let m = SessionManager::new(Config::default());
        assert_eq!(m.connects(), 0);
        m.connect(0).unwrap();
        m.connect(1).unwrap();
        assert_eq!(m.connects(), 2);
    });
    passes(
        explorer().faults(FaultPlan::none().site(CONNECT.name, 1.0)),
        || {
            let m = SessionManager::new(Config::default());
            assert!(m.connect(0).is_err());
            assert_eq!(m.state(0), SessionState::Failed);
            assert_eq!(m.connects(), 1);
        },
    );
}

#[test]
fn the_nothing_held_check_names_what_the_thread_still_holds() {
    let failure = explorer()
        .run(|| {
            let ledger = Mutex::named("ledger", ());
            drop(ledger.lock());
            assert_nothing_held("after a release,");
            let _held = ledger.lock();
            assert_nothing_held("while testing,");
        })
        .expect_err("the check fires while the lock is held");
    assert!(
        failure
            .message
            .contains("while testing, the thread still holds [\"Mutex \\\"ledger\\\"\"]"),
        "{}",
        failure.message
    );
}

#[test]
fn with_the_hierarchy_off_a_leaked_operation_lock_is_reported_by_the_nothing_held_check() {
    // One session, one round; the scrape fails at depth 2, where the planted bug forgets the
    // operation lock.
    let leak = |hierarchy: bool| {
        explorer()
            .hierarchy(hierarchy)
            .size("sessions", 1)
            .size("rounds", 1)
            .faults(FaultPlan::none().site(site(2, FaultKind::OperationError).name, 1.0))
            .explore(
                model::scenarios::find("session-release-on-error").unwrap(),
                Variant::Bug(manager::SKIP_RELEASE_ON_ERROR),
            )
            .failure
            .expect("the leak is found")
            .message
    };
    let message = leak(false);
    assert!(
        message.contains("after an operation returned Some(Fault { id: 0, fault: Fault { site: \"session.depth2.operation-error\", kind: OperationError } }), the thread still holds [\"Mutex \\\"operation\\\" (rank 4, key 0)\"]"),
        "{message}"
    );
    let message = leak(true);
    assert!(
        message.contains("while holding Mutex \"operation\""),
        "{message}"
    );
}

#[test]
fn the_lock_table_keeps_versions_and_times_and_the_planted_race_needs_a_race() {
    // The check-then-act acquire is wrong only when another acquire slips in between: alone,
    // it behaves exactly as the fixed one.
    for bugs in [
        lock_table::Bugs::default(),
        lock_table::Bugs {
            check_then_act: true,
            ..lock_table::Bugs::default()
        },
    ] {
        passes(explorer(), move || {
            let table = LockTable::new(secs(30), bugs);
            let t0 = Instant::now();
            assert!(table.acquire(1, "db", "a"));
            let row = table.row(1, "db").unwrap();
            assert_eq!(
                (row.holder.as_str(), row.lock_type, row.version),
                ("a", "exclusive", 1)
            );
            assert_eq!((row.locked_at, row.last_activity_at), (t0, t0));
            sleep(secs(10));
            assert!(
                !table.acquire(1, "db", "b"),
                "a fresh lock is not taken over"
            );
            assert!(table.acquire(1, "db", "a"), "the holder renews it");
            let row = table.row(1, "db").unwrap();
            assert_eq!((row.holder.as_str(), row.version), ("a", 2));
            assert_eq!((row.locked_at, row.last_activity_at), (t0, t0 + secs(10)));
            assert!(
                !table.acquire_with_retry(1, "db", "b", secs(5), secs(12)),
                "{bugs:?}"
            );
            assert_eq!(t0.elapsed(), secs(25), "tried at 10, 15, 20 and 25 s");
            sleep(secs(15));
            assert!(table.acquire(1, "db", "b"), "30 s idle: stale, taken over");
            let row = table.row(1, "db").unwrap();
            assert_eq!((row.holder.as_str(), row.version), ("b", 3));
            assert_eq!(
                (row.locked_at, row.last_activity_at),
                (t0 + secs(40), t0 + secs(40))
            );
            assert!(!table.release(1, "db", "a"), "not a's any more");
            assert!(table.release(1, "db", "b"));
            assert!(!table.release(1, "db", "b"), "idempotent");
            assert_eq!(table.held_rows(), 0);
        });
    }
}

#[test]
fn every_half_open_period_admits_a_new_probe_after_the_last_one_finished() {
    passes(explorer(), || {
        let config = breaker::Config {
            failure_threshold: 1,
            ..breaker::Config::default()
        };
        let b = Breaker::new("ledger", config, Variant::Fixed);
        assert!(b.call(|| Err::<(), _>("down")).is_err());
        for round in 0..3 {
            assert_eq!(b.state(), breaker::State::Open, "round {round}");
            sleep(config.reset_timeout);
            assert!(
                matches!(
                    b.call(|| Err::<(), _>("still down")),
                    Err(BreakerError::Failed(_))
                ),
                "round {round}: the half-open breaker admits a probe"
            );
        }
        sleep(config.reset_timeout);
        assert!(
            b.call(|| Ok::<_, ()>(())).is_ok(),
            "the fourth probe succeeds"
        );
        assert_eq!(b.state(), breaker::State::Closed);
        let m = b.metrics();
        assert_eq!(
            (m.calls, m.successes, m.failures, m.rejections, m.in_flight),
            (5, 1, 4, 0, 0)
        );
    });
}

/// More transfers than the accounts' spare units: the accounts start with one unit per
/// transfer (plus ten), so none runs dry.
#[cfg(not(loom))]
#[test]
fn a_transfer_workload_bigger_than_the_spare_units_still_adds_up() {
    let report = explorer().size("workers", 4).size("transfers", 6).explore(
        model::scenarios::find("release-on-error").unwrap(),
        Variant::Fixed,
    );
    assert!(report.failure.is_none(), "{:?}", report.failure);
}

#[test]
fn every_worker_of_the_ordered_pairs_workload_adds_one_to_both_counters() {
    passes(explorer(), || {
        assert_eq!(model::basics::ordered_pairs(3), (3, 3));
    });
}
