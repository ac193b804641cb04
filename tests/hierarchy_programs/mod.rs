//! Programs that exercise the lock hierarchy, shared by the std, shuttle and loom test files so
//! every backend reports the same thing (the call sites in the reports point into this file).
//!
//! Each program runs its body on a thread named `worker` (or several named threads), so the
//! reports name the same threads in every backend. Class names are unique per program: under
//! std the lock-order graph is process-wide.

use lockstep::sync::{held, Arc, LockClass, Mutex, RwLock, Semaphore};
use lockstep::thread::Builder;
use lockstep::LockError;

/// Runs `body` on a thread called `name` and re-raises its panic, if any.
pub fn on_thread<T: Send + 'static>(name: &str, body: impl FnOnce() -> T + Send + 'static) -> T {
    match Builder::new().name(name).spawn(body).unwrap().join() {
        Ok(value) => value,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

const OPERATION: LockClass = LockClass::new("operation", 4);
const TASK: LockClass = LockClass::new("task", 5);
const HANDLER: LockClass = LockClass::new("handler", 6);

/// Takes the operation lock (4), the handler lock (6), then the task lock (5): a violation,
/// reported by `lock()` as a panic.
pub fn task_after_handler() {
    on_thread("worker", || {
        let operation = Mutex::ranked_keyed(OPERATION, 1, ());
        let handler = Mutex::ranked(HANDLER, ());
        let task = Mutex::ranked(TASK, ());
        let _o = operation.lock();
        let _h = handler.lock();
        let _t = task.lock();
    })
}

/// The same violation through `lock_timeout`: an error, and nothing more is held afterwards
/// than before. Returns the error's held and requested locks and the held stack after it.
pub fn timed_task_after_handler() -> (String, String, Vec<String>) {
    on_thread("worker", || {
        let handler = Mutex::ranked(HANDLER, ());
        let task = Mutex::ranked(TASK, ());
        let _h = handler.lock();
        let err = task
            .lock_timeout(lockstep::time::Duration::from_secs(30))
            .map(|_| ())
            .unwrap_err();
        let LockError::OrderViolation {
            held: h, requested, ..
        } = err
        else {
            panic!("expected an order violation, got {err:?}");
        };
        (h, requested, held().into_iter().map(|h| h.object).collect())
    })
}

const SESSION: LockClass = LockClass::new("session", 3);

/// Takes two sessions' locks in key order 1 then 2 (allowed), or 2 then 1 (a violation).
pub fn two_sessions(first: u64, second: u64) {
    on_thread("worker", move || {
        let a = Mutex::ranked_keyed(SESSION, first, ());
        let b = Mutex::ranked_keyed(SESSION, second, ());
        let _a = a.lock();
        let _b = b.lock();
        assert_eq!(held().len(), 2);
    })
}

/// One thread takes A then B; after it has finished, another takes B then A. Nothing can
/// deadlock in this run, but the inversion is a potential deadlock.
pub fn serialized_ab_ba() {
    let a = Arc::new(Mutex::named("ab-A", ()));
    let b = Arc::new(Mutex::named("ab-B", ()));
    {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        on_thread("first", move || {
            let _a = a.lock();
            let _b = b.lock();
        });
    }
    on_thread("second", move || {
        let _b = b.lock();
        let _a = a.lock();
    });
}

/// Three threads, one after another: A→B, B→C, C→A.
pub fn three_lock_cycle() {
    let locks: Vec<_> = ["cycle-A", "cycle-B", "cycle-C"]
        .into_iter()
        .map(|name| Arc::new(Mutex::named(name, ())))
        .collect();
    for (i, name) in ["t1", "t2", "t3"].into_iter().enumerate() {
        let first = Arc::clone(&locks[i]);
        let second = Arc::clone(&locks[(i + 1) % 3]);
        on_thread(name, move || {
            let _first = first.lock();
            let _second = second.lock();
        });
    }
}

/// One thread waits for a permit while holding a lock; another takes the lock while holding a
/// permit.
pub fn cycle_through_a_semaphore() {
    let lock = Arc::new(Mutex::named("sem-lock", ()));
    let pool = Arc::new(Semaphore::named("sem-pool", 1));
    {
        let (lock, pool) = (Arc::clone(&lock), Arc::clone(&pool));
        on_thread("locker", move || {
            let _guard = lock.lock();
            let _permit = pool.acquire();
        });
    }
    on_thread("permit-holder", move || {
        let _permit = pool.acquire();
        let _guard = lock.lock();
    });
}

const MANAGER: LockClass = LockClass::new("consistent-manager", 1);
const SESSIONS: LockClass = LockClass::new("consistent-session", 3);

/// Two threads take manager → session(1) → session(2) in the same order, concurrently: no
/// violation, no cycle, no deadlock. Returns how many locks were held at the end (0).
pub fn consistent_order() -> usize {
    let manager = Arc::new(Mutex::ranked(MANAGER, 0));
    let sessions = Arc::new([
        Mutex::ranked_keyed(SESSIONS, 1, 0),
        Mutex::ranked_keyed(SESSIONS, 2, 0),
    ]);
    let workers: Vec<_> = ["w1", "w2"]
        .into_iter()
        .map(|name| {
            let (manager, sessions) = (Arc::clone(&manager), Arc::clone(&sessions));
            Builder::new()
                .name(name)
                .spawn(move || {
                    let mut m = manager.lock();
                    let mut s1 = sessions[0].lock();
                    let mut s2 = sessions[1].lock();
                    *m += 1;
                    *s1 += 1;
                    *s2 += 1;
                })
                .unwrap()
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    held().len()
}

/// How a thread of [`opposite_orders`] holds the gate lock around its two locks.
#[derive(Clone, Copy, Debug)]
pub enum Gate {
    /// It takes no gate.
    Open,
    /// It holds the gate for reading (shared: another reader gets in too).
    Read,
    /// It holds the gate for writing (exclusive).
    Write,
}

/// Takes `first` then `second` inside `gate` held as `how`.
fn gated_pair(gate: &RwLock<()>, how: Gate, first: &Mutex<()>, second: &Mutex<()>) {
    let _read;
    let _write;
    match how {
        Gate::Open => {}
        Gate::Read => _read = gate.read(),
        Gate::Write => _write = gate.write(),
    }
    let _first = first.lock();
    let _second = second.lock();
}

/// Thread `left` takes A then B inside the gate held as `left_gate`; after it has finished,
/// thread `right` takes B then A inside the gate held as `right_gate`. Lock names start with
/// `prefix` (under std the graph is process-wide, so every test names its own locks).
pub fn opposite_orders(prefix: &str, left_gate: Gate, right_gate: Gate) {
    let gate = Arc::new(RwLock::named(&format!("{prefix}-G"), ()));
    let a = Arc::new(Mutex::named(&format!("{prefix}-A"), ()));
    let b = Arc::new(Mutex::named(&format!("{prefix}-B"), ()));
    {
        let (gate, a, b) = (Arc::clone(&gate), Arc::clone(&a), Arc::clone(&b));
        on_thread("left", move || gated_pair(&gate, left_gate, &a, &b));
    }
    on_thread("right", move || gated_pair(&gate, right_gate, &b, &a));
}

/// The dining philosophers with a global lock: two threads, concurrently, each take the gate
/// G and then the forks A and B in opposite orders. Nothing can deadlock. Returns the order in
/// which the threads got the gate.
pub fn dining_with_a_gate() -> Vec<&'static str> {
    let gate = Arc::new(Mutex::named("dining-G", Vec::new()));
    let a = Arc::new(Mutex::named("dining-A", ()));
    let b = Arc::new(Mutex::named("dining-B", ()));
    let philosophers: Vec<_> = [("left", false), ("right", true)]
        .into_iter()
        .map(|(name, reversed)| {
            let (gate, a, b) = (Arc::clone(&gate), Arc::clone(&a), Arc::clone(&b));
            Builder::new()
                .name(name)
                .spawn(move || {
                    let mut order = gate.lock();
                    order.push(name);
                    let (first, second) = if reversed { (&b, &a) } else { (&a, &b) };
                    let _first = first.lock();
                    let _second = second.lock();
                })
                .unwrap()
        })
        .collect();
    for philosopher in philosophers {
        philosopher.join().unwrap();
    }
    let order = gate.lock().clone();
    order
}

/// One thread takes A then B, lets go, then takes B then A: an inversion within one code
/// path, which cannot deadlock by itself. Returns how many locks it holds at the end (0).
pub fn one_thread_both_orders(prefix: &str) -> usize {
    let prefix = prefix.to_owned();
    on_thread("worker", move || {
        let a = Mutex::named(&format!("{prefix}-A"), ());
        let b = Mutex::named(&format!("{prefix}-B"), ());
        {
            let _a = a.lock();
            let _b = b.lock();
        }
        {
            let _b = b.lock();
            let _a = a.lock();
        }
        held().len()
    })
}

/// The code path of [`one_thread_both_orders`] on two threads, one after the other, over the
/// same two locks: thread `first`'s B → A and thread `second`'s A → B can deadlock once the
/// two run at the same time.
pub fn one_path_on_two_threads() {
    let a = Arc::new(Mutex::named("path-A", ()));
    let b = Arc::new(Mutex::named("path-B", ()));
    for name in ["first", "second"] {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        on_thread(name, move || {
            {
                let _a = a.lock();
                let _b = b.lock();
            }
            let _b = b.lock();
            let _a = a.lock();
        });
    }
}

/// The hierarchy tests, generated for one backend. `$failure_of: fn(fn()) -> String` runs a
/// program that must be reported and returns the report; `$outcomes_of` runs a program that
/// must pass and returns the set of its results.
macro_rules! hierarchy_tests {
    ($failure_of:path, $outcomes_of:path) => {
        #[test]
        fn an_order_violation_names_both_locks_the_stack_and_the_call_sites() {
            insta::assert_snapshot!("order_violation", $failure_of(programs::task_after_handler));
        }

        #[test]
        fn a_timed_acquire_returns_the_violation_and_holds_nothing_more() {
            let outcomes = $outcomes_of(programs::timed_task_after_handler);
            let expected = (
                "Mutex \"handler\" (rank 6)".to_owned(),
                "Mutex \"task\" (rank 5)".to_owned(),
                vec!["Mutex \"handler\" (rank 6)".to_owned()],
            );
            assert_eq!(outcomes, std::collections::BTreeSet::from([expected]));
        }

        #[test]
        fn one_class_in_increasing_key_order_is_allowed() {
            let outcomes = $outcomes_of(|| programs::two_sessions(1, 2));
            assert_eq!(outcomes, std::collections::BTreeSet::from([()]));
        }

        #[test]
        fn one_class_in_decreasing_key_order_is_a_violation() {
            insta::assert_snapshot!(
                "decreasing_keys",
                $failure_of(|| programs::two_sessions(2, 1))
            );
        }

        #[test]
        fn a_serialized_ab_ba_is_a_potential_deadlock() {
            insta::assert_snapshot!("serialized_ab_ba", $failure_of(programs::serialized_ab_ba));
        }

        #[test]
        fn a_three_lock_cycle_across_three_threads_is_reported() {
            insta::assert_snapshot!("three_lock_cycle", $failure_of(programs::three_lock_cycle));
        }

        #[test]
        fn a_cycle_through_a_semaphore_is_reported() {
            insta::assert_snapshot!(
                "semaphore_cycle",
                $failure_of(programs::cycle_through_a_semaphore)
            );
        }

        #[test]
        fn opposite_orders_without_a_gate_are_reported_with_both_paths() {
            insta::assert_snapshot!(
                "ungated_opposite_orders",
                $failure_of(|| programs::opposite_orders(
                    "open",
                    programs::Gate::Open,
                    programs::Gate::Open
                ))
            );
        }

        #[test]
        fn opposite_orders_inside_a_gate_both_hold_for_reading_are_reported() {
            insta::assert_snapshot!(
                "read_gated_opposite_orders",
                $failure_of(|| programs::opposite_orders(
                    "read",
                    programs::Gate::Read,
                    programs::Gate::Read
                ))
            );
        }

        #[test]
        fn one_code_path_with_both_orders_on_two_threads_is_reported() {
            insta::assert_snapshot!(
                "one_path_on_two_threads",
                $failure_of(programs::one_path_on_two_threads)
            );
        }

        #[test]
        fn a_consistent_order_is_never_reported() {
            let outcomes = $outcomes_of(programs::consistent_order);
            assert_eq!(outcomes, std::collections::BTreeSet::from([0]));
        }
    };
}

/// The tests of the lock-order rule that explore: every interleaving of a gate-protected
/// program passes, and lockdep's strict rule reports what the default rule lets pass.
/// `$failure_of` and `$strict_failure_of` run a program that must be reported (by the default
/// and by the strict rule) and return the report; `$outcomes_of` runs a program that must pass
/// and returns the set of its results.
#[allow(unused_macros)] // expanded by the simulation backends' test files only
macro_rules! gate_tests {
    ($failure_of:path, $strict_failure_of:path, $outcomes_of:path) => {
        #[test]
        fn opposite_orders_inside_a_common_gate_are_not_reported_in_any_interleaving() {
            let outcomes = $outcomes_of(programs::dining_with_a_gate);
            let both =
                std::collections::BTreeSet::from([vec!["left", "right"], vec!["right", "left"]]);
            assert_eq!(outcomes, both, "both philosophers get the gate first");
        }

        #[test]
        fn a_gate_held_for_writing_on_either_side_protects() {
            use programs::Gate::{Read, Write};
            let passes =
                |left, right| $outcomes_of(move || programs::opposite_orders("g", left, right));
            let once = std::collections::BTreeSet::from([()]);
            assert_eq!(passes(Write, Write), once);
            assert_eq!(passes(Write, Read), once);
            assert_eq!(passes(Read, Write), once);
        }

        #[test]
        fn one_threads_own_inversion_is_not_reported() {
            let outcomes = $outcomes_of(|| programs::one_thread_both_orders("own"));
            assert_eq!(outcomes, std::collections::BTreeSet::from([0]));
        }

        #[test]
        fn the_strict_rule_reports_a_gated_cycle() {
            insta::assert_snapshot!(
                "strict_dining_with_a_gate",
                $strict_failure_of(|| drop(programs::dining_with_a_gate()))
            );
        }

        #[lockstep::test(
                            lock_order = "strict",
                            iterations = 10,
                            regressions_dir = std::env::temp_dir().join("lockstep-strict-attribute")
                        )]
        #[should_panic(expected = "strict rule: threads and gate locks not compared")]
        fn the_test_attribute_takes_the_strict_rule() {
            programs::one_thread_both_orders("attribute");
        }

        #[test]
        fn the_strict_rule_reports_one_threads_own_inversion() {
            insta::assert_snapshot!(
                "strict_one_thread_both_orders",
                $strict_failure_of(|| {
                    programs::one_thread_both_orders("own");
                })
            );
        }
    };
}
