//! The async facade (`lockstep::tokio`) under std: tokio runs the tasks, real time. Only
//! outcomes that do not depend on timing are asserted.
#![cfg(not(any(loom, feature = "shuttle")))]

use lockstep::time::Duration;
use lockstep::tokio::sync::{oneshot, Mutex, Notify, Semaphore};
use lockstep::tokio::{block_on, task, time};
use std::sync::Arc;

#[test]
fn joined_tasks_give_their_outputs() {
    let outputs = block_on(async {
        let handles: Vec<_> = (0..4).map(|n| task::spawn(async move { n * 10 })).collect();
        let mut outputs = Vec::new();
        for handle in handles {
            outputs.push(handle.await.unwrap());
        }
        outputs
    });
    assert_eq!(outputs, vec![0, 10, 20, 30]);
}

#[test]
fn an_aborted_pending_task_is_cancelled() {
    let result = block_on(async {
        let handle = task::spawn(std::future::pending::<()>());
        handle.abort();
        handle.await
    });
    assert!(result.unwrap_err().is_cancelled());
}

#[test]
fn a_panicking_task_reports_its_message() {
    let result = block_on(async { task::spawn(async { panic!("boom") }).await });
    assert!(
        matches!(&result, Err(lockstep::tokio::task::JoinError::Panicked { message, .. }) if message == "boom"),
        "{result:?}"
    );
}

#[test]
fn the_async_mutex_excludes_across_worker_threads() {
    let total = block_on(async {
        let counter = Arc::new(Mutex::named("counter", 0u64));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let counter = Arc::clone(&counter);
                task::spawn(async move {
                    for _ in 0..200 {
                        let mut guard = counter.lock().await;
                        let seen = *guard;
                        task::yield_now().await; // held across an await point
                        *guard = seen + 1;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        let total = *counter.lock().await;
        total
    });
    assert_eq!(total, 8 * 200);
}

#[test]
fn a_timeout_on_a_future_that_never_finishes_elapses() {
    let result = block_on(time::timeout(
        Duration::from_millis(5),
        std::future::pending::<()>(),
    ));
    assert_eq!(result.unwrap_err().after(), Duration::from_millis(5));
}

#[test]
fn a_notify_one_before_the_wait_is_kept_as_a_permit() {
    block_on(async {
        let notify = Arc::new(Notify::named("ready"));
        notify.notify_one();
        let n = Arc::clone(&notify);
        task::spawn(async move { n.notified().await })
            .await
            .unwrap();
    });
}

#[test]
fn a_semaphore_bounds_the_tasks_inside_it() {
    let most = block_on(async {
        let pool = Arc::new(Semaphore::named("pool", 2));
        let inside = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (pool, inside, most) =
                    (Arc::clone(&pool), Arc::clone(&inside), Arc::clone(&most));
                task::spawn(async move {
                    let _permit = pool.acquire_owned().await.unwrap();
                    let now = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    most.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                    task::yield_now().await;
                    inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
        most.load(std::sync::atomic::Ordering::SeqCst)
    });
    assert!((1..=2).contains(&most), "{most} tasks were inside at once");
}

#[test]
fn a_oneshot_carries_its_value_across_tasks() {
    let value = block_on(async {
        let (tx, rx) = oneshot::channel();
        task::spawn(async move { tx.send("hello").unwrap() });
        rx.await.unwrap()
    });
    assert_eq!(value, "hello");
}

/// The message of a task's panic.
fn panic_of(result: Result<(), task::JoinError>) -> String {
    match result {
        Err(task::JoinError::Panicked { message, .. }) => message,
        other => panic!("the task was to panic, it gave {other:?}"),
    }
}

#[test]
fn each_task_sees_its_own_async_lock_in_its_held_stack_across_await_points_and_workers() {
    // Eight tasks on the runtime's workers, each holding its own lock across yields (where it
    // may move to another worker, and others run on its worker): each sees its lock alone.
    block_on(async {
        let handles: Vec<_> = (0..8)
            .map(|n| {
                task::spawn(async move {
                    let lock = Mutex::named(&format!("own-{n}"), ());
                    let guard = lock.lock().await;
                    for _ in 0..20 {
                        task::yield_now().await;
                        let held: Vec<String> = lockstep::sync::held()
                            .iter()
                            .map(|h| h.to_string())
                            .collect();
                        assert_eq!(held, [format!("Mutex \"own-{n}\" (exclusive)")]);
                    }
                    drop(guard);
                    assert!(lockstep::sync::held().is_empty());
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
}

#[test]
fn a_task_holding_an_async_lock_of_rank_2_that_locks_rank_1_is_an_order_violation() {
    use lockstep::sync::LockClass;
    const OUTER: LockClass = LockClass::new("std-async.outer", 2);
    const INNER: LockClass = LockClass::new("std-async.inner", 1);
    let message = block_on(async {
        panic_of(
            task::spawn(async {
                let outer = Mutex::ranked(OUTER, ());
                let inner = Mutex::ranked(INNER, ());
                let _outer = outer.lock().await;
                task::yield_now().await; // it may resume on another worker
                drop(inner.lock().await);
            })
            .await,
        )
    });
    // The task is named by tokio's task id, which depends on the other tests.
    assert!(
        message.starts_with("lock order violation: task ")
            && message.contains("wants Mutex \"std-async.inner\" (rank 1) at tests/std_async.rs"),
        "{message}"
    );
    assert!(
        message.contains("while holding Mutex \"std-async.outer\" (rank 2)"),
        "{message}"
    );
}

#[test]
fn a_task_holding_an_async_lock_of_rank_2_that_takes_a_sync_lock_of_rank_1_is_reported() {
    use lockstep::sync::LockClass;
    const TABLE: LockClass = LockClass::new("std-async.table", 2);
    const ROW: LockClass = LockClass::new("std-async.row", 1);
    let message = block_on(async {
        panic_of(
            task::spawn(async {
                let table = Mutex::ranked(TABLE, ());
                let row = lockstep::sync::Mutex::ranked(ROW, ());
                let _table = table.lock().await;
                task::yield_now().await; // it may resume on another worker
                drop(row.lock());
            })
            .await,
        )
    });
    assert!(
        message.contains("wants Mutex \"std-async.row\" (rank 1)")
            && message.contains("while holding Mutex \"std-async.table\" (rank 2)"),
        "{message}"
    );
}

#[test]
fn the_root_future_shares_its_threads_held_stack() {
    use lockstep::sync::LockClass;
    const SERVICE: LockClass = LockClass::new("std-async.service", 2);
    const CACHE: LockClass = LockClass::new("std-async.cache", 1);
    let service = lockstep::sync::Mutex::ranked(SERVICE, ());
    let _service = service.lock();
    let cache = Mutex::ranked(CACHE, ());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        block_on(async { drop(cache.lock().await) })
    }))
    .expect_err("the root future breaks the thread's order");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.contains("wants Mutex \"std-async.cache\" (rank 1)")
            && message.contains("while holding Mutex \"std-async.service\" (rank 2)"),
        "{message}"
    );
}

#[test]
fn an_owned_permit_dropped_by_another_task_leaves_its_owners_held_stack() {
    let still_held = block_on(async {
        let pool = Arc::new(Semaphore::named("std-async.pool", 1));
        let (tx, rx) = oneshot::channel();
        let (dropped_tx, dropped_rx) = oneshot::channel::<()>();
        let owner = task::spawn(async move {
            let permit = Arc::clone(&pool).acquire_owned().await.unwrap();
            assert_eq!(lockstep::sync::held().len(), 1, "the permit is the owner's");
            tx.send(permit).unwrap();
            dropped_rx.await.unwrap();
            lockstep::sync::held().len()
        });
        let dropper = task::spawn(async move {
            drop(rx.await.unwrap());
            dropped_tx.send(()).unwrap();
        });
        dropper.await.unwrap();
        owner.await.unwrap()
    });
    assert_eq!(still_held, 0);
}

#[test]
fn two_tasks_taking_two_async_locks_in_opposite_orders_are_a_potential_deadlock() {
    // One after the other, so nothing deadlocks: the lock-order graph (debug builds) still
    // sees the cycle, between two tasks (each its own identity, whatever worker ran it).
    if !cfg!(debug_assertions) {
        return;
    }
    let message = block_on(async {
        let a = Arc::new(Mutex::named("std-async.a", ()));
        let b = Arc::new(Mutex::named("std-async.b", ()));
        let (a1, b1) = (Arc::clone(&a), Arc::clone(&b));
        task::spawn(async move {
            let _a = a1.lock().await;
            drop(b1.lock().await);
        })
        .await
        .unwrap();
        panic_of(
            task::spawn(async move {
                let _b = b.lock().await;
                drop(a.lock().await);
            })
            .await,
        )
    });
    assert!(message.starts_with("potential deadlock"), "{message}");
}

#[lockstep::test]
async fn an_async_test_runs_its_body_on_tokio() {
    let counter = Arc::new(Mutex::named("attribute", 0));
    let c = Arc::clone(&counter);
    task::spawn(async move { *c.lock().await += 1 })
        .await
        .unwrap();
    *counter.lock().await += 1;
    assert_eq!(*counter.lock().await, 2);
}

#[test]
fn a_cancellation_site_fires_under_std_by_the_std_plan() {
    use lockstep::fault::{self, FaultPlan};
    use lockstep::tokio::fault::cancellable;
    fault::set_std_plan(Some((FaultPlan::none().site("std-async.generate", 1.0), 1)));
    let outcome = block_on(cancellable("std-async.generate", async {
        task::yield_now().await;
        "done"
    }));
    fault::set_std_plan(None);
    let cancelled = outcome.unwrap_err();
    assert_eq!(
        (cancelled.site, cancelled.await_point),
        ("std-async.generate", 1)
    );
}
