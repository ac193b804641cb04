//! The async facade's basic programs (tasks, abort, the async `Mutex`, `Notify`, `Semaphore`,
//! `oneshot`, `timeout`, threads and tasks on one clock), shared by `tests/shuttle_async.rs`
//! and `tests/loom_async.rs`: each backend explores the same program and asserts the same
//! full outcome set, or the same failure. A test file includes this module
//! (`#[path = "async_programs/basics.rs"] mod basics;`) and instantiates [`basics_tests!`] with
//! its backend's way to collect outcomes and to find a failure.
#![allow(dead_code)]

use lockstep::sync::atomic::{AtomicBool, Ordering};
use lockstep::time::{Duration, Instant};
use lockstep::tokio::sync::{oneshot, Mutex, Notify, Semaphore};
use lockstep::tokio::{block_on, task, time};
use std::sync::Arc;

/// Spawns a task that yields once and returns 5, aborts it at once, and returns what its
/// handle gave (`Err(true)`: cancelled) and whether it had ended when aborted.
pub fn abort_race() -> (Result<i32, bool>, bool) {
    block_on(async {
        let handle = task::spawn(async {
            task::yield_now().await;
            5
        });
        handle.abort();
        let finished = handle.is_finished();
        (handle.await.map_err(|e| e.is_cancelled()), finished)
    })
}

/// A detached task that holds a lock and is pending forever is cancelled when its runtime
/// ends (no deadlock), and gives the lock back: a second runtime takes it.
pub fn detached_task_cancelled_at_runtime_end() -> &'static str {
    let unlocked = Arc::new(Mutex::named("m", ()));
    let u = Arc::clone(&unlocked);
    block_on(async move {
        task::spawn(async move {
            let _held = u.lock().await;
            std::future::pending::<()>().await;
        });
        task::yield_now().await;
    });
    block_on(async move { drop(unlocked.lock().await) });
    "ended"
}

/// Two tasks push their number twice under the async mutex, yielding in between: the log
/// shows which took it first.
pub fn mutex_orders() -> Vec<i32> {
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
}

/// Two tasks take locks `a` and `b` in opposite orders: they may deadlock.
pub fn two_task_deadlock() {
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
}

/// A 30 s timeout on a future that never completes: whether it timed out, and when.
pub fn timeout_of_pending() -> (bool, Duration) {
    block_on(async {
        let start = Instant::now();
        let result = time::timeout(Duration::from_secs(30), std::future::pending::<()>()).await;
        (result.is_err(), Instant::now().duration_since(start))
    })
}

/// A holder keeps the lock 45 s; a waiter takes it with a 30 s timeout: whether it got it,
/// and at what virtual time.
pub fn timed_lock() -> (bool, Duration) {
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
}

/// `first` and `second` queue for the lock in that order; the holder lets go, which hands the
/// lock to `first`, and at once aborts `first`. Returns `first`'s result (`Err(true)`:
/// cancelled) and whether `second` got the lock.
pub fn dropped_lock_future_hands_on() -> (Result<(), bool>, bool) {
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
}

/// A waiter that checks a flag and then waits for `notify_waiters`: if the notifier runs in
/// between, the notification is lost (no permit is stored) and the waiter waits forever.
/// `fixed`: the `Notified` is made before the check, so a later `notify_waiters` reaches it.
pub fn lost_notify_wakeup(fixed: bool) {
    block_on(async move {
        let ready = Arc::new(AtomicBool::new(false));
        let notify = Arc::new(Notify::named("ready"));
        let waiter = {
            let (ready, notify) = (Arc::clone(&ready), Arc::clone(&notify));
            task::spawn(async move {
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

/// Takes a sync lock of rank 2, then an async lock of rank 1: a hierarchy violation.
pub fn async_lock_against_the_hierarchy() {
    use lockstep::sync::LockClass;
    const TABLE: LockClass = LockClass::new("table", 1);
    const ROW: LockClass = LockClass::new("row", 2);
    block_on(async {
        let table = Mutex::ranked(TABLE, ());
        let row = lockstep::sync::Mutex::ranked(ROW, ());
        let _row = row.lock(); // the sync lock of the higher rank first
        let _table = table.lock().await;
    })
}

/// Takes the permits of two keyed semaphores of one class, key `first` then key `second`:
/// allowed in increasing key order, a hierarchy violation in decreasing order.
pub fn keyed_semaphores(first: u64, second: u64) -> usize {
    use lockstep::sync::LockClass;
    const SESSION: LockClass = LockClass::new("session", 3);
    block_on(async move {
        let a = Semaphore::ranked_keyed(SESSION, first, 1);
        let b = Semaphore::ranked_keyed(SESSION, second, 1);
        let _a = a.acquire().await.unwrap();
        let _b = b.acquire().await.unwrap();
        a.available_permits() + b.available_permits()
    })
}

/// `first` and `second` wait; one `notify_one` goes to `first`, which is aborted at once
/// (before or after it consumed it). Returns `first`'s result and whether `second` was woken.
pub fn dropped_notified_passes_it_on() -> (Result<(), bool>, bool) {
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
}

/// `big` (2 permits) queues before `small` (1) while both permits are held; the order they
/// are served in.
pub fn semaphore_fifo() -> Vec<&'static str> {
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
}

/// One permit is free, but `big` (wanting 2) queued first holds up `small`; `big`'s 1 s
/// timeout drops its acquire. Returns whether `big` got its permits and when `small` did.
pub fn cancelled_big_acquire() -> (bool, Duration) {
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
}

/// A task waits for a permit of an empty semaphore, which is closed: its acquire's result.
pub fn closed_semaphore() -> Result<(), String> {
    block_on(async {
        let pool = Arc::new(Semaphore::named("pool", 0));
        let waiter = {
            let pool = Arc::clone(&pool);
            task::spawn(async move { pool.acquire().await.map(drop).map_err(|e| e.to_string()) })
        };
        task::yield_now().await;
        pool.close();
        waiter.await.unwrap()
    })
}

/// `main` holds the one permit and awaits a task that wants it: a deadlock.
pub fn permit_deadlock() {
    block_on(async {
        let pool = Arc::new(Semaphore::named("pool", 1));
        let _held = pool.acquire().await.unwrap();
        let p = Arc::clone(&pool);
        task::spawn(async move { drop(p.acquire().await) })
            .await
            .unwrap();
    })
}

/// A task sends on a oneshot while `main` tries to receive: whether the value was there at
/// once, and the value.
pub fn oneshot_race() -> (bool, i32) {
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
}

/// A oneshot's sender is dropped unsent: the receiver's error.
pub fn oneshot_sender_dropped() -> Result<u8, String> {
    block_on(async {
        let (tx, rx) = oneshot::channel::<u8>();
        task::spawn(async move { drop(tx) });
        rx.await.map_err(|e| e.to_string())
    })
}

/// A lockstep thread sleeps `thread_sleeps` seconds, then sends; the root future waits for it
/// with a 30 s timeout: whether it arrived, and how long the root waited.
pub fn thread_and_task_clock(thread_sleeps: u64) -> (bool, Duration) {
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
}

/// A task takes the async lock then the sync one; after it ended, the root future takes them
/// the other way round: no execution blocks, but the lock-order graph has the cycle.
pub fn async_sync_inversion() {
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
}

/// The tests every simulated backend runs on these programs. `$outcomes(iterations, body)`
/// collects every outcome of an exploration (`iterations` is the random backends' budget);
/// `$failure(seed, body)` the first failure of one (the seed is the random backends');
/// `$deadlock(body)` the same with the lock-order graph off, so the all-blocked report is what
/// finds a deadlock.
macro_rules! basics_tests {
    ($outcomes:path, $failure:path, $deadlock:path) => {
        use lockstep::time::Duration as D;
        use std::collections::BTreeSet as Set;

        #[test]
        fn a_joined_task_gives_its_output_and_an_aborted_one_may_finish_or_be_cancelled() {
            // Aborting races with the task: it may have finished first (then its output
            // wins), or be cancelled before its first poll or at its yield. On a
            // multi-threaded runtime another worker may end it (finished, or cancelled: tokio
            // schedules an aborted idle task to cancel it) before `is_finished` looks.
            assert_eq!(
                $outcomes(200, basics::abort_race),
                Set::from([
                    (Ok(5), false),
                    (Ok(5), true),
                    (Err(true), false),
                    (Err(true), true)
                ])
            );
        }

        #[test]
        fn tasks_a_runtime_leaves_running_are_cancelled_when_block_on_ends() {
            assert_eq!(
                $outcomes(50, basics::detached_task_cancelled_at_runtime_end),
                Set::from(["ended"])
            );
        }

        #[test]
        fn the_async_mutex_excludes_and_both_acquisition_orders_are_reached() {
            assert_eq!(
                $outcomes(200, basics::mutex_orders),
                Set::from([vec![0, 0, 1, 1], vec![1, 1, 0, 0]])
            );
        }

        #[test]
        fn a_deadlock_between_two_tasks_is_reported_with_every_task_blocked() {
            let failure = $deadlock(basics::two_task_deadlock);
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
            assert_eq!(
                $outcomes(20, basics::timeout_of_pending),
                Set::from([(true, D::from_secs(30))])
            );
        }

        #[test]
        fn a_timed_lock_completes_or_times_out_as_the_schedule_decides() {
            // The waiter gets the lock at once (the holder has not taken it yet), or the
            // holder keeps it for 45 s and the waiter's 30 s timeout fires at exactly t = 30 s.
            assert_eq!(
                $outcomes(300, basics::timed_lock),
                Set::from([(true, D::ZERO), (false, D::from_secs(30))])
            );
        }

        #[test]
        fn a_dropped_pending_lock_future_hands_the_lock_to_the_next_waiter() {
            // If a dropped future kept the lock it had been handed, `second` would wait
            // forever.
            assert_eq!(
                $outcomes(300, basics::dropped_lock_future_hands_on),
                Set::from([(Ok(()), true), (Err(true), true)])
            );
        }

        #[test]
        fn a_lost_notify_wakeup_is_found_and_named_in_the_report() {
            let failure = $failure(11, || basics::lost_notify_wakeup(false));
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
        fn the_fixed_notify_handshake_never_loses_the_wakeup() {
            let fixed = || {
                basics::lost_notify_wakeup(true);
                "woken"
            };
            assert_eq!($outcomes(300, fixed), Set::from(["woken"]));
        }

        #[test]
        fn an_async_lock_taken_against_the_hierarchy_is_reported() {
            let failure = $failure(1, basics::async_lock_against_the_hierarchy);
            assert!(
                failure.message.contains("table") && failure.message.contains("row"),
                "{failure}"
            );
        }

        #[test]
        fn keyed_async_semaphores_are_ordered_by_key() {
            assert_eq!(
                $outcomes(20, || basics::keyed_semaphores(1, 2)),
                Set::from([0])
            );
            let failure = $failure(1, || {
                basics::keyed_semaphores(2, 1);
            });
            assert!(
                failure.message.contains(
                    r#"wants Semaphore "session" (rank 3, key 1) at tests/async_programs/basics.rs"#
                ) && failure
                    .message
                    .contains(r#"while holding Semaphore "session" (rank 3, key 2)"#),
                "{failure}"
            );
        }

        #[test]
        fn a_dropped_notified_passes_its_notify_one_to_the_next_waiter() {
            // If the notification died with `first`'s future, `second` would wait forever.
            assert_eq!(
                $outcomes(300, basics::dropped_notified_passes_it_on),
                Set::from([(Ok(()), true), (Err(true), true)])
            );
        }

        #[test]
        fn a_semaphore_serves_waiters_in_arrival_order_and_a_big_waiter_holds_up_the_rest() {
            assert_eq!(
                $outcomes(200, basics::semaphore_fifo),
                Set::from([vec!["big", "small"]])
            );
        }

        #[test]
        fn a_cancelled_big_acquire_lets_the_waiters_it_held_up_be_served() {
            // `small` is served when `big`'s timeout drops its acquire at t = 1 s.
            assert_eq!(
                $outcomes(100, basics::cancelled_big_acquire),
                Set::from([(false, D::from_secs(1))])
            );
        }

        #[test]
        fn closing_a_semaphore_fails_its_pending_acquires() {
            assert_eq!(
                $outcomes(100, basics::closed_semaphore),
                Set::from([Err(r#"Semaphore "pool" is closed"#.to_owned())])
            );
        }

        #[test]
        fn a_deadlock_on_async_permits_counts_them() {
            let failure = $failure(5, basics::permit_deadlock);
            assert!(
                failure.message.contains(
                    r#"task-1  awaits for a permit of Semaphore "pool" (0 of 1 free), held by main"#
                ),
                "{failure}"
            );
        }

        #[test]
        fn a_oneshot_value_is_there_or_not_yet_as_the_schedule_decides() {
            assert_eq!(
                $outcomes(200, basics::oneshot_race),
                Set::from([(false, 1), (true, 1)])
            );
        }

        #[test]
        fn a_oneshot_whose_sender_is_dropped_fails_the_receiver() {
            assert_eq!(
                $outcomes(50, basics::oneshot_sender_dropped),
                Set::from([Err(
                    "the sender of Channel#0 was dropped without sending".to_owned()
                )])
            );
        }

        #[test]
        fn threads_and_tasks_share_one_virtual_clock() {
            // The clock jumps to the thread's wake-up (10 s) or to the task's deadline (30 s),
            // whichever is first: both kinds of waiter count as blocked, and both deadlines
            // are the kernel's.
            let both = || [10, 40].map(basics::thread_and_task_clock);
            assert_eq!(
                $outcomes(50, both),
                Set::from([[(true, D::from_secs(10)), (false, D::from_secs(30))]])
            );
        }

        #[test]
        fn an_inversion_between_an_async_and_a_sync_lock_is_a_potential_deadlock_even_unblocked() {
            let failure = $failure(1, basics::async_sync_inversion);
            assert!(
                failure.message.starts_with("potential deadlock")
                    && failure.message.contains(r#"Mutex "table""#)
                    && failure.message.contains(r#"Mutex "row""#),
                "{failure}"
            );
        }
    };
}
