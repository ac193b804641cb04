//! The async facade (`lockstep::tokio`) under shuttle: tasks are threads of the execution,
//! on the one virtual clock. Each test collects the outcomes of an exploration and asserts the
//! full set, or asserts the failure a planted bug must produce.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Failure, Strategy};
use lockstep::sync::atomic::{AtomicBool, Ordering};
use lockstep::time::{Duration, Instant};
use lockstep::tokio::sync::{oneshot, Mutex, Notify, Semaphore};
use lockstep::tokio::{block_on, task, time};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every outcome `body` returns over `iterations` random executions from seed 7.
fn outcomes<T, F>(iterations: usize, body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    Explorer::new(Strategy::Random)
        .seed(7)
        .iterations(iterations)
        .run(move || {
            let outcome = body();
            sink.lock().unwrap().insert(outcome);
        })
        .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = seen.lock().unwrap().clone();
    seen
}

/// The first failure of a random exploration of `body` from `seed`.
fn failure(seed: u64, body: impl Fn() + Send + Sync + 'static) -> Failure {
    Explorer::new(Strategy::Random)
        .seed(seed)
        .iterations(500)
        .run(body)
        .expect_err("the planted bug is found")
}

#[test]
fn a_joined_task_gives_its_output_and_an_aborted_one_may_finish_or_be_cancelled() {
    let seen = outcomes(200, || {
        block_on(async {
            let handle = task::spawn(async {
                task::yield_now().await;
                5
            });
            handle.abort();
            let finished = handle.is_finished();
            (handle.await.map_err(|e| e.is_cancelled()), finished)
        })
    });
    // Aborting races with the task: it may have finished first (then its output wins), or be
    // cancelled before its first poll or at its yield.
    assert_eq!(
        seen,
        BTreeSet::from([(Ok(5), false), (Ok(5), true), (Err(true), false)])
    );
}

#[test]
fn tasks_a_runtime_leaves_running_are_cancelled_when_block_on_ends() {
    let seen = outcomes(50, || {
        let unlocked = Arc::new(Mutex::named("m", ()));
        let u = Arc::clone(&unlocked);
        block_on(async move {
            // Detached, pending forever: no deadlock, it is cancelled at the runtime's end,
            // and the lock it holds is given back.
            task::spawn(async move {
                let _held = u.lock().await;
                std::future::pending::<()>().await;
            });
            task::yield_now().await;
        });
        block_on(async move { drop(unlocked.lock().await) });
        "ended"
    });
    assert_eq!(seen, BTreeSet::from(["ended"]));
}

#[test]
fn the_async_mutex_excludes_and_both_acquisition_orders_are_reached() {
    let seen = outcomes(200, || {
        block_on(async {
            let log = Arc::new(Mutex::named("log", Vec::new()));
            let tasks: Vec<_> = (0..2)
                .map(|t| {
                    let log = Arc::clone(&log);
                    task::spawn(async move {
                        let mut guard = log.lock().await;
                        guard.push(t);
                        task::yield_now().await; // a switch point inside the critical section
                        guard.push(t);
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            let log = log.lock().await.clone();
            log
        })
    });
    assert_eq!(seen, BTreeSet::from([vec![0, 0, 1, 1], vec![1, 1, 0, 0]]));
}

#[test]
fn a_deadlock_between_two_tasks_is_reported_with_every_task_blocked() {
    // The lock-order graph off, so that the all-blocked report is what finds it.
    let failure = Explorer::new(Strategy::Random)
        .seed(3)
        .iterations(500)
        .lock_order_graph(false)
        .run(|| {
            block_on(async {
                let a = Arc::new(Mutex::named("a", ()));
                let b = Arc::new(Mutex::named("b", ()));
                let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
                let first = task::spawn(async move {
                    let _a = a2.lock().await;
                    task::yield_now().await;
                    let _b = b2.lock().await;
                });
                let second = task::spawn(async move {
                    let _b = b.lock().await;
                    task::yield_now().await;
                    let _a = a.lock().await;
                });
                let _ = (first.await, second.await);
            })
        })
        .expect_err("the deadlock is found");
    let message = &failure.message;
    assert!(
        message.starts_with("deadlock: every thread is blocked and no timeout is pending"),
        "{message}"
    );
    assert!(
        message.contains(r#"task-1  awaits to lock Mutex "b", held by task-2"#)
            && message.contains(r#"task-2  awaits to lock Mutex "a", held by task-1"#)
            && message.contains("main    awaits task-1 to finish"),
        "{message}"
    );
}

#[test]
fn a_timeout_fires_at_thirty_virtual_seconds() {
    let seen = outcomes(20, || {
        block_on(async {
            let start = Instant::now();
            let result = time::timeout(Duration::from_secs(30), std::future::pending::<()>()).await;
            (result.is_err(), Instant::now().duration_since(start))
        })
    });
    assert_eq!(seen, BTreeSet::from([(true, Duration::from_secs(30))]));
}

#[test]
fn a_timed_lock_completes_or_times_out_as_the_schedule_decides() {
    let seen = outcomes(300, || {
        block_on(async {
            let m = Arc::new(Mutex::named("session", ()));
            let holder = {
                let m = Arc::clone(&m);
                task::spawn(async move {
                    let _g = m.lock().await;
                    time::sleep(Duration::from_secs(45)).await;
                })
            };
            let waiter = {
                let m = Arc::clone(&m);
                task::spawn(async move {
                    let r = time::timeout(Duration::from_secs(30), m.lock()).await;
                    (r.is_ok(), Instant::now().since_start())
                })
            };
            holder.await.unwrap();
            waiter.await.unwrap()
        })
    });
    // The waiter gets the lock at once (the holder has not taken it yet), or the holder keeps
    // it for 45 s and the waiter's 30 s timeout fires at exactly t = 30 s.
    assert_eq!(
        seen,
        BTreeSet::from([(true, Duration::ZERO), (false, Duration::from_secs(30))])
    );
}

#[test]
fn a_dropped_pending_lock_future_hands_the_lock_to_the_next_waiter() {
    // `first` and `second` queue for the lock in that order; the holder lets go, which hands
    // the lock to `first`, and at once aborts `first`: dropped before it polls again (or after
    // it took the lock, as the schedule decides). Either way `second` must get the lock; if a
    // dropped future kept the lock it had been handed, `second` would wait forever.
    let seen = outcomes(300, || {
        block_on(async {
            let m = Arc::new(Mutex::named("m", ()));
            let guard = m.lock().await;
            let queue_up = |m: &Arc<Mutex<()>>| {
                let m = Arc::clone(m);
                task::spawn(async move {
                    let _g = m.lock().await;
                })
            };
            let first = queue_up(&m);
            time::sleep(Duration::from_secs(1)).await; // `first` is queued
            let second = queue_up(&m);
            time::sleep(Duration::from_secs(1)).await; // `second` is queued behind it
            drop(guard);
            first.abort();
            let first = first.await.map_err(|e| e.is_cancelled());
            (first, second.await.is_ok())
        })
    });
    assert_eq!(seen, BTreeSet::from([(Ok(()), true), (Err(true), true)]));
}

/// A waiter that checks a flag and then waits for `notify_waiters`: if the notifier runs in
/// between, the notification is lost (no permit is stored) and the waiter waits forever.
fn lost_notify_wakeup(fixed: bool) {
    block_on(async move {
        let ready = Arc::new(AtomicBool::new(false));
        let notify = Arc::new(Notify::named("ready"));
        let waiter = {
            let (ready, notify) = (Arc::clone(&ready), Arc::clone(&notify));
            task::spawn(async move {
                // The fix: the `Notified` is made before the check, so a later
                // `notify_waiters` reaches it.
                let early = fixed.then(|| notify.notified());
                if !ready.load(Ordering::SeqCst) {
                    match early {
                        Some(notified) => notified.await,
                        None => notify.notified().await,
                    }
                }
            })
        };
        let notifier = task::spawn(async move {
            ready.store(true, Ordering::SeqCst);
            notify.notify_waiters();
        });
        notifier.await.unwrap();
        waiter.await.unwrap();
    });
}

#[test]
fn a_lost_notify_wakeup_is_found_by_random_and_named_in_the_report() {
    let failure = failure(11, || lost_notify_wakeup(false));
    assert!(
        failure
            .message
            .contains(r#"task-1  awaits for a notification on Notify "ready""#),
        "{failure}"
    );
    assert!(
        failure.message.contains("main    awaits task-1 to finish"),
        "{failure}"
    );
}

#[test]
fn the_lost_notify_wakeup_is_found_by_pct_and_pos_too() {
    for strategy in [Strategy::Pct { depth: 3 }, Strategy::Pos] {
        let failure = Explorer::new(strategy)
            .seed(11)
            .iterations(500)
            .run(|| lost_notify_wakeup(false))
            .expect_err("the planted bug is found");
        assert!(
            failure
                .message
                .contains(r#"task-1  awaits for a notification on Notify "ready""#),
            "{strategy:?}: {failure}"
        );
    }
}

#[test]
fn the_fixed_notify_handshake_never_loses_the_wakeup() {
    assert_eq!(
        outcomes(300, || {
            lost_notify_wakeup(true);
            "woken"
        }),
        BTreeSet::from(["woken"])
    );
}

#[test]
fn the_same_seed_gives_the_same_failure_and_trace() {
    let first = failure(11, || lost_notify_wakeup(false));
    let second = failure(11, || lost_notify_wakeup(false));
    assert_eq!(first, second);
    assert!(first.trace.contains("task-1"), "{}", first.trace);
}

#[test]
fn an_async_lock_taken_against_the_hierarchy_is_reported() {
    use lockstep::sync::LockClass;
    const TABLE: LockClass = LockClass::new("table", 1);
    const ROW: LockClass = LockClass::new("row", 2);
    let failure = failure(1, || {
        block_on(async {
            let table = Mutex::ranked(TABLE, ());
            let row = lockstep::sync::Mutex::ranked(ROW, ());
            let _row = row.lock(); // the sync lock of the higher rank first
            let _table = table.lock().await;
        })
    });
    assert!(
        failure.message.contains("table") && failure.message.contains("row"),
        "{failure}"
    );
}

#[test]
fn a_dropped_notified_passes_its_notify_one_to_the_next_waiter() {
    // `first` and `second` wait; one `notify_one` goes to `first`, which is aborted at once
    // (before or after it consumed it). If the notification died with `first`'s future,
    // `second` would wait forever for the second `notify_one`... which comes only after it.
    let seen = outcomes(300, || {
        block_on(async {
            let notify = Arc::new(Notify::named("work"));
            let wait = |notify: &Arc<Notify>| {
                let notify = Arc::clone(notify);
                task::spawn(async move { notify.notified().await })
            };
            let first = wait(&notify);
            time::sleep(Duration::from_secs(1)).await; // `first` waits
            let second = wait(&notify);
            time::sleep(Duration::from_secs(1)).await; // `second` waits behind it
            notify.notify_one();
            first.abort();
            let first = first.await.map_err(|e| e.is_cancelled());
            if first.is_ok() {
                notify.notify_one(); // `first` consumed the first one
            }
            (first, second.await.is_ok())
        })
    });
    assert_eq!(seen, BTreeSet::from([(Ok(()), true), (Err(true), true)]));
}

#[test]
fn a_semaphore_serves_waiters_in_arrival_order_and_a_big_waiter_holds_up_the_rest() {
    let seen = outcomes(200, || {
        block_on(async {
            let pool = Arc::new(Semaphore::named("pool", 2));
            let order = Arc::new(Mutex::new(Vec::new()));
            let both = Arc::clone(&pool).acquire_many_owned(2).await.unwrap();
            let queue_up = |name: &'static str, n: u32| {
                let (pool, order) = (Arc::clone(&pool), Arc::clone(&order));
                task::spawn(async move {
                    let _permits = pool.acquire_many(n).await.unwrap();
                    order.lock().await.push(name);
                })
            };
            let big = queue_up("big", 2);
            time::sleep(Duration::from_secs(1)).await;
            let small = queue_up("small", 1);
            time::sleep(Duration::from_secs(1)).await;
            drop(both);
            big.await.unwrap();
            small.await.unwrap();
            let order = order.lock().await.clone();
            order
        })
    });
    assert_eq!(seen, BTreeSet::from([vec!["big", "small"]]));
}

#[test]
fn a_cancelled_big_acquire_lets_the_waiters_it_held_up_be_served() {
    // One permit is free, but `big` (wanting 2) queued first holds up `small`; when `big`'s
    // timeout drops its acquire at t = 1 s, `small` must be served then, not wait forever.
    let seen = outcomes(100, || {
        block_on(async {
            let pool = Arc::new(Semaphore::named("pool", 1));
            let big = {
                let pool = Arc::clone(&pool);
                task::spawn(async move {
                    time::timeout(Duration::from_secs(1), pool.acquire_many(2))
                        .await
                        .is_ok()
                })
            };
            task::yield_now().await;
            time::sleep(Duration::from_millis(1)).await; // `big` is queued
            let small = {
                let pool = Arc::clone(&pool);
                task::spawn(async move {
                    let _permit = pool.acquire().await.unwrap();
                    Instant::now().since_start()
                })
            };
            (big.await.unwrap(), small.await.unwrap())
        })
    });
    assert_eq!(seen, BTreeSet::from([(false, Duration::from_secs(1))]));
}

#[test]
fn closing_a_semaphore_fails_its_pending_acquires() {
    let seen = outcomes(100, || {
        block_on(async {
            let pool = Arc::new(Semaphore::named("pool", 0));
            let waiter = {
                let pool = Arc::clone(&pool);
                task::spawn(
                    async move { pool.acquire().await.map(drop).map_err(|e| e.to_string()) },
                )
            };
            task::yield_now().await;
            pool.close();
            waiter.await.unwrap()
        })
    });
    assert_eq!(
        seen,
        BTreeSet::from([Err(r#"Semaphore "pool" is closed"#.to_owned())])
    );
}

#[test]
fn a_deadlock_on_async_permits_counts_them() {
    let failure = failure(5, || {
        block_on(async {
            let pool = Arc::new(Semaphore::named("pool", 1));
            let _held = pool.acquire().await.unwrap();
            let p = Arc::clone(&pool);
            task::spawn(async move { drop(p.acquire().await) })
                .await
                .unwrap();
        })
    });
    assert!(
        failure.message.contains(
            r#"task-1  awaits for a permit of Semaphore "pool" (0 of 1 free), held by main"#
        ),
        "{failure}"
    );
}

#[test]
fn a_oneshot_value_is_there_or_not_yet_as_the_schedule_decides() {
    let seen = outcomes(200, || {
        block_on(async {
            let (tx, mut rx) = oneshot::channel();
            let sender = task::spawn(async move { tx.send(1).unwrap() });
            let early = rx.try_recv().ok();
            sender.await.unwrap();
            let value = match early {
                Some(value) => value,
                None => rx.await.unwrap(),
            };
            (early.is_some(), value)
        })
    });
    assert_eq!(seen, BTreeSet::from([(false, 1), (true, 1)]));
}

#[test]
fn a_oneshot_whose_sender_is_dropped_fails_the_receiver() {
    let seen = outcomes(50, || {
        block_on(async {
            let (tx, rx) = oneshot::channel::<u8>();
            task::spawn(async move { drop(tx) });
            rx.await.map_err(|e| e.to_string())
        })
    });
    assert_eq!(
        seen,
        BTreeSet::from([Err(
            "the sender of Channel#0 was dropped without sending".to_owned()
        )])
    );
}

#[test]
fn threads_and_tasks_share_one_virtual_clock() {
    // A lockstep thread sleeps, then sends; the task waiting for it has a 30 s timeout. The
    // clock jumps to the thread's wake-up (10 s) or to the task's deadline (30 s), whichever
    // is first: both kinds of waiter count as blocked, and both deadlines are the kernel's.
    let seen = outcomes(50, || {
        [10, 40].map(|thread_sleeps| {
            block_on(async move {
                let (tx, rx) = oneshot::channel();
                let thread = lockstep::thread::spawn(move || {
                    lockstep::time::sleep(Duration::from_secs(thread_sleeps));
                    let _ = tx.send(());
                });
                let start = Instant::now();
                let arrived = time::timeout(Duration::from_secs(30), rx).await.is_ok();
                let waited = Instant::now().duration_since(start);
                thread.join().unwrap();
                (arrived, waited)
            })
        })
    });
    assert_eq!(
        seen,
        BTreeSet::from([[
            (true, Duration::from_secs(10)),
            (false, Duration::from_secs(30))
        ]])
    );
}

#[test]
fn an_inversion_between_an_async_and_a_sync_lock_is_a_potential_deadlock_even_unblocked() {
    // A task takes the async lock then the sync one; after it ended, the root future takes
    // them the other way round (it need not be `Send`, so it may hold the sync guard across
    // the await). No execution blocks, but the lock-order graph, shared by async and sync
    // locks, has the cycle.
    let failure = failure(1, || {
        block_on(async {
            let table = Arc::new(Mutex::named("table", ()));
            let row = Arc::new(lockstep::sync::Mutex::named("row", ()));
            let (t, r) = (Arc::clone(&table), Arc::clone(&row));
            task::spawn(async move {
                let _table = t.lock().await;
                drop(r.lock());
            })
            .await
            .unwrap();
            let _row = row.lock();
            drop(table.lock().await);
        })
    });
    assert!(
        failure.message.starts_with("potential deadlock")
            && failure.message.contains(r#"Mutex "table""#)
            && failure.message.contains(r#"Mutex "row""#),
        "{failure}"
    );
}
