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
