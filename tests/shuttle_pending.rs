//! The pending operations a scheduler sees: at every scheduling point, each lockstep thread's
//! next facade operation (its kind), read by a custom shuttle scheduler through
//! `lockstep::schedule::operations_by_task`.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::schedule::{operations_by_task, OpKind};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, Condvar, Mutex, RwLock, Semaphore};
use lockstep::thread;
use lockstep::time::Duration;
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

/// What the scheduler saw: the task it chose and that task's pending operation's kind.
type Seen = Arc<std::sync::Mutex<Vec<(usize, Option<OpKind>)>>>;

/// Runs the lowest-numbered runnable task and records the pending operation of the task it
/// chose, one execution only. (Shuttle also offers tasks blocked in `park`, to let schedulers
/// wake them spuriously; lockstep's waits never need that, so this skips them as lockstep's own
/// schedulers do.)
struct Observer {
    started: bool,
    seen: Seen,
}

impl Scheduler for Observer {
    fn new_execution(&mut self) -> Option<Schedule> {
        if std::mem::replace(&mut self.started, true) {
            return None;
        }
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        _current: Option<TaskId>,
        _is_yielding: bool,
    ) -> Option<TaskId> {
        let chosen = runnable
            .iter()
            .filter(|t| t.runnable())
            .map(|t| t.id())
            .min()?;
        let task = usize::from(chosen);
        let kind = operations_by_task()
            .get(task)
            .copied()
            .flatten()
            .map(|op| op.kind());
        self.seen.lock().unwrap().push((task, kind));
        Some(chosen)
    }

    fn next_u64(&mut self) -> u64 {
        0
    }
}

/// The kinds the scheduler saw for `task`, consecutive repeats merged.
fn kinds_of(seen: &[(usize, Option<OpKind>)], task: usize) -> Vec<OpKind> {
    let mut kinds: Vec<OpKind> = seen
        .iter()
        .filter(|(t, _)| *t == task)
        .filter_map(|(_, kind)| *kind)
        .collect();
    kinds.dedup();
    kinds
}

#[test]
fn the_scheduler_sees_each_operation_before_it_runs() {
    let seen: Seen = Arc::default();
    let observer = Observer {
        started: false,
        seen: Arc::clone(&seen),
    };
    shuttle::Runner::new(observer, shuttle::Config::default()).run(lockstep::execution(|| {
        let counter = Arc::new(AtomicUsize::new(0));
        let lock = Arc::new(Mutex::new(0));
        let table = Arc::new(RwLock::new(0));
        let permits = Arc::new(Semaphore::new(1));
        let ready = Arc::new(Condvar::new());
        let worker = {
            let (counter, lock, table, permits, ready) = (
                Arc::clone(&counter),
                Arc::clone(&lock),
                Arc::clone(&table),
                Arc::clone(&permits),
                Arc::clone(&ready),
            );
            thread::spawn(move || {
                counter.load(Ordering::SeqCst);
                counter.fetch_add(1, Ordering::SeqCst);
                *lock.lock() += 1;
                let _ = *table.read();
                *table.write() += 1;
                drop(permits.acquire());
                ready.notify_one();
            })
        };
        lockstep::time::sleep(Duration::from_millis(5));
        worker.join().unwrap();
    }));
    let seen = seen.lock().unwrap();
    // Task 0 is the execution's main thread, task 1 the worker. Shuttle schedules before every
    // lock, unlock and atomic access, when a thread blocks (the sleep) and when it ends; a
    // notify is no scheduling point of its own, so it shows as the worker's last pending
    // operation, at its exit.
    assert_eq!(
        kinds_of(&seen, 0),
        [OpKind::Spawn, OpKind::Sleep, OpKind::Join]
    );
    use OpKind::{Acquire, Notify, Read, Release, Write};
    assert_eq!(
        kinds_of(&seen, 1),
        [
            Read, Write, // the atomic's load and fetch_add
            Acquire, Release, // the mutex
            Read, Release, // the read lock
            Acquire, Release, // the write lock
            Acquire, Release, // the permit
            Notify,
        ]
    );
}
