//! Async programs written twice, against the async facade (`lockstep::tokio`) and against raw
//! loom (`loom::future::block_on` on loom threads, with a join written the way raw async code
//! writes one: a done flag and a waker under a loom lock), with how their loom execution counts
//! must compare. `tests/loom_vs_raw.rs` asserts each relation and `make bench`
//! (`examples/bench_loom.rs`) prints them, after the sync pairs of `support/loom_pairs.rs`.

use crate::loom_pairs::{Expect, Pair};
use std::future::{poll_fn, Future};
use std::sync::Arc;
use std::task::{Poll, Waker};

/// Every async pair, in the order the table prints them.
pub const ASYNC_PAIRS: &[Pair] = &[
    Pair {
        name: "async: a task and the root bump a counter, the root awaits the task",
        bound: Some(3),
        raw: raw_spawn_and_await,
        facade: facade_spawn_and_await,
        expect: Expect::More(
            "a task's first poll takes its end lock once (to hand its waker to `abort` and read \
             an abort that came first), a scheduling point raw code without abort has not",
        ),
    },
    Pair {
        name: "async: two tasks bump a counter under an async mutex, yielding inside",
        bound: Some(2),
        raw: raw_two_tasks_and_a_mutex,
        facade: facade_two_tasks_and_a_mutex,
        expect: Expect::More(
            "the async mutex's FIFO queue is a loom lock taken at lock and again at unlock \
             (raw loom's blocking mutex is one lock), and each task's first poll takes its end \
             lock once",
        ),
    },
];

/// A raw task: a loom thread running `body` in `loom::future::block_on`; its end is awaited by
/// [`raw_join`].
fn raw_spawn(body: impl Future<Output = ()> + 'static) -> Arc<RawEnd> {
    let end = Arc::new(RawEnd::default());
    let at_end = Arc::clone(&end);
    loom::thread::spawn(move || {
        loom::future::block_on(body);
        let waker = {
            let mut state = at_end.0.lock().unwrap();
            state.0 = true;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    });
    end
}

/// Whether a raw task ended, and who awaits it.
#[derive(Default)]
struct RawEnd(loom::sync::Mutex<(bool, Option<Waker>)>);

/// Awaits a raw task's end.
async fn raw_join(end: &RawEnd) {
    poll_fn(|cx| {
        let mut state = end.0.lock().unwrap();
        if state.0 {
            return Poll::Ready(());
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending
    })
    .await;
}

/// Yields once, as the facade's `yield_now` does under loom: wake, then `Pending`.
async fn raw_yield() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

fn raw_spawn_and_await() {
    use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    loom::future::block_on(async {
        let count = Arc::new(AtomicUsize::new(0));
        let c = Arc::clone(&count);
        let task = raw_spawn(async move {
            c.fetch_add(1, SeqCst);
        });
        count.fetch_add(1, SeqCst);
        raw_join(&task).await;
        assert_eq!(count.load(SeqCst), 2);
    });
}

fn facade_spawn_and_await() {
    use lockstep::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use lockstep::tokio::{block_on, task};
    block_on(async {
        let count = Arc::new(AtomicUsize::new(0));
        let c = Arc::clone(&count);
        let task = task::spawn(async move {
            c.fetch_add(1, SeqCst);
        });
        count.fetch_add(1, SeqCst);
        task.await.unwrap();
        assert_eq!(count.load(SeqCst), 2);
    });
}

fn raw_two_tasks_and_a_mutex() {
    loom::future::block_on(async {
        let count = Arc::new(loom::sync::Mutex::new(0));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let count = Arc::clone(&count);
                raw_spawn(async move {
                    let mut guard = count.lock().unwrap();
                    *guard += 1;
                    raw_yield().await;
                    drop(guard);
                })
            })
            .collect();
        for task in &tasks {
            raw_join(task).await;
        }
        assert_eq!(*count.lock().unwrap(), 2);
    });
}

fn facade_two_tasks_and_a_mutex() {
    use lockstep::tokio::{block_on, sync::Mutex, task};
    block_on(async {
        let count = Arc::new(Mutex::new(0));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let count = Arc::clone(&count);
                task::spawn(async move {
                    let mut guard = count.lock().await;
                    *guard += 1;
                    task::yield_now().await;
                    drop(guard);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*count.lock().await, 2);
    });
}
