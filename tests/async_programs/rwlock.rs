//! Async RwLock, `Mutex::try_lock` and `Semaphore::forget` programs, each one execution's body (see mpsc.rs).
#![allow(dead_code)] // each test file runs the programs its backend can check

use lockstep::sync::LockClass;
use lockstep::time::Duration;
use lockstep::tokio::sync::{Mutex, RwLock, Semaphore};
use lockstep::tokio::{block_on, task, time};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

/// Polls `future` once, in the calling task: whether it completed.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx).is_ready())).await
}

/// Two readers (each holding its read across a yield) and a writer that adds 1. Returns
/// what each reader saw and whether the two reads overlapped (readers share the lock).
pub fn readers_share_and_a_writer_excludes() -> (u32, u32, bool) {
    block_on(async {
        let lock = Arc::new(RwLock::named("config", 0));
        let inside = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let overlapped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = |lock: &Arc<RwLock<u32>>| {
            let (lock, inside, overlapped) = (
                Arc::clone(lock),
                Arc::clone(&inside),
                Arc::clone(&overlapped),
            );
            task::spawn(async move {
                use std::sync::atomic::Ordering::SeqCst;
                let value = lock.read().await;
                if inside.fetch_add(1, SeqCst) == 1 {
                    overlapped.store(true, SeqCst);
                }
                task::yield_now().await;
                inside.fetch_sub(1, SeqCst);
                *value
            })
        };
        let (a, b) = (reader(&lock), reader(&lock));
        let writer = {
            let lock = Arc::clone(&lock);
            task::spawn(async move { *lock.write().await += 1 })
        };
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        writer.await.unwrap();
        (a, b, overlapped.load(std::sync::atomic::Ordering::SeqCst))
    })
}

/// Fairness: while a reader holds the lock, a writer queues; a later reader must not overtake
/// it (`try_read` fails, a `read` waits until the writer is done). Returns what the later
/// `try_read` gave (`false`: refused) and what the later `read` saw.
pub fn a_queued_writer_holds_up_later_readers() -> (bool, u32) {
    block_on(async {
        let lock = RwLock::named("routes", 0);
        let first = lock.read().await;
        let mut write = Box::pin(async {
            *lock.write().await = 1;
        });
        assert!(
            !poll_once(&mut write).await,
            "the writer waits for the reader"
        );
        let overtook = lock.try_read().is_ok();
        let mut later = Box::pin(lock.read());
        assert!(
            !poll_once(&mut later).await,
            "a later reader waits behind the writer"
        );
        drop(first);
        write.await;
        let seen = *later.await;
        (overtook, seen)
    })
}

/// A queued writer that is dropped (cancelled) lets the readers it held up through.
pub fn a_cancelled_writer_lets_readers_through() -> u32 {
    block_on(async {
        let lock = RwLock::new(5);
        let first = lock.read().await;
        let mut write = Box::pin(lock.write());
        assert!(!poll_once(&mut write).await);
        let mut later = Box::pin(lock.read());
        assert!(!poll_once(&mut later).await);
        drop(write); // cancelled while queued
        let seen = *later.await; // served although `first` still reads
        drop(first);
        seen
    })
}

/// `Mutex::try_lock`: refused while held (and while a waiter is queued), taken once free.
/// Returns (refused while held, refused while a waiter holds it next, taken at the end).
pub fn try_lock_refuses_while_held() -> (bool, bool, bool) {
    block_on(async {
        let m = Mutex::named("m", ());
        let held = m.lock().await;
        let refused = m.try_lock().is_err();
        let mut next = Box::pin(m.lock());
        assert!(!poll_once(&mut next).await);
        drop(held); // handed to `next`
        let refused_behind = m.try_lock().is_err();
        drop(next.await);
        let free = m.try_lock().is_ok();
        (refused, refused_behind, free)
    })
}

/// Planted bug: two tasks add 1 with a check-then-act split across a read and a write lock
/// (the read is dropped before the write), so an update can be lost: panics `lost update`.
pub fn a_read_then_write_update_loses_one() {
    block_on(async {
        let count = Arc::new(RwLock::named("count", 0));
        let adders: Vec<_> = (0..2)
            .map(|_| {
                let count = Arc::clone(&count);
                task::spawn(async move {
                    let seen = *count.read().await;
                    *count.write().await = seen + 1;
                })
            })
            .collect();
        for adder in adders {
            adder.await.unwrap();
        }
        let total = *count.read().await;
        assert_eq!(total, 2, "lost update: 2 adds of 1 left {total}");
    })
}

/// Two tasks take two RwLocks in opposite orders (one for reading): a deadlock the report
/// names (`awaits to write-lock RwLock "b", held by task-2`).
pub fn two_rwlocks_in_opposite_orders() {
    block_on(async {
        let a = Arc::new(RwLock::named("a", ()));
        let b = Arc::new(RwLock::named("b", ()));
        let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
        let first = task::spawn(async move {
            let _a = a2.read().await;
            time::sleep(Duration::from_secs(1)).await;
            let _b = b2.write().await;
        });
        let second = task::spawn(async move {
            let _b = b.read().await;
            time::sleep(Duration::from_secs(1)).await;
            let _a = a.write().await;
        });
        let _ = (first.await, second.await);
    })
}

/// A task holds a ranked async RwLock of rank 2 and awaits one of rank 1: a hierarchy
/// violation (panics with the report).
pub fn an_rwlock_taken_against_the_hierarchy() {
    const TABLE: LockClass = LockClass::new("table", 1);
    const ROW: LockClass = LockClass::new("row", 2);
    block_on(async {
        let table = RwLock::ranked(TABLE, ());
        let row = RwLock::ranked(ROW, ());
        let _row = row.write().await;
        let _table = table.read().await;
    })
}

/// `Semaphore::forget`: a task forgets one of two permits; the pool keeps one. Returns the
/// free permits after the task, and whether a second `try_acquire` was refused.
pub fn a_forgotten_permit_is_gone_for_good() -> (usize, bool) {
    block_on(async {
        let pool = Arc::new(Semaphore::named("pool", 2));
        let p = Arc::clone(&pool);
        task::spawn(async move { p.acquire().await.unwrap().forget() })
            .await
            .unwrap();
        let free = pool.available_permits();
        let _one = pool.try_acquire().unwrap();
        let refused = pool.try_acquire().is_err();
        (free, refused)
    })
}

/// After a forgotten permit, a task awaiting both permits of the pool waits forever: the
/// deadlock report counts the permits the pool has left.
pub fn awaiting_more_permits_than_are_left() {
    block_on(async {
        let pool = Semaphore::named("pool", 2);
        pool.acquire().await.unwrap().forget();
        drop(pool.acquire_many(2).await);
    })
}

/// A reader holds the lock; a writer task queues, then a reader task behind it. The first
/// reader's release grants the lock to the writer, which is aborted at once (before or after
/// it wrote). A dropped writer must hand its grant on: else the later reader waits forever.
/// Returns what the later reader saw.
pub fn an_aborted_granted_writer_hands_the_lock_on() -> u32 {
    block_on(async {
        let lock = Arc::new(RwLock::named("routes", 0));
        let first = lock.read().await;
        let w = Arc::clone(&lock);
        let writer = task::spawn(async move { *w.write().await = 1 });
        time::sleep(Duration::from_secs(1)).await; // the writer queues
        let r = Arc::clone(&lock);
        let reader = task::spawn(async move { *r.read().await });
        time::sleep(Duration::from_secs(1)).await; // the reader queues behind it
        drop(first);
        writer.abort();
        let _ = writer.await;
        reader.await.unwrap()
    })
}
