//! The naive reference kernel of DESIGN §3.2, written directly against loom.
//!
//! One global loom `Mutex` guards all bookkeeping (the virtual clock, every thread's status and
//! every lock's holder) and every thread sleeps on its own loom `Condvar`. Every operation
//! (lock, timed lock, unlock, sleep, spawn, join, thread exit) goes through the global mutex,
//! so it is a scheduling point and loom explores every order of them: slow, but obviously
//! right. It is the oracle the optimized kernel in `lockstep-engine` is compared against.
//!
//! Semantics, exactly as DESIGN §3.2 states them:
//!
//! * The clock starts at 0 and moves only when every live thread is blocked and at least one
//!   of them has a deadline: it jumps to the earliest deadline and *all* waiters whose deadline
//!   equals it wake (a sleep ends, a timed acquire times out). A timed-out waiter does not get
//!   the lock even if the lock is released at that same instant.
//! * With every live thread blocked and no deadline pending, the execution is deadlocked: the
//!   kernel records it and wakes every thread with [`Deadlocked`], so the execution ends
//!   normally and the caller can report it as an outcome.
//! * Releasing a lock wakes all its waiters, which retry (a timed waiter keeps its deadline).
//! * A try takes the lock if nobody holds it at that moment, else fails at once.
//! * A condvar wait releases the lock, waits for a notification (or its deadline), then takes
//!   the lock again. `notify_all` wakes every thread waiting on the condvar; `notify_one` is
//!   offered to every thread waiting on it that is not yet woken, and all of them are made
//!   runnable: the first to run takes it, the others wait again. So which waiter wakes is
//!   decided by loom's choice of which thread runs, and every waiter can be the one.
//!
//! Threads are named by index: 0 is the thread that created the kernel, spawned threads get
//! 1, 2, ... in spawn order. Times are whole virtual seconds.

use loom::sync::{Condvar, Mutex, MutexGuard};
use std::sync::Arc;

/// The execution deadlocked: every live thread was blocked and no deadline was pending. The
/// operation did not complete and the thread should stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlocked;

/// How a timed lock ended, with the virtual time it ended at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timed {
    /// The lock was taken at this time.
    Acquired(u64),
    /// The deadline fired at this time; the lock was not taken.
    TimedOut(u64),
}

/// What a blocked thread waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum On {
    /// Lock `0` to be released.
    Lock(usize),
    /// Its deadline (sleeping).
    Sleep,
    /// Thread `0` to finish.
    Join(usize),
    /// A notification on condvar `0`.
    Notify(usize),
}

/// How a condvar wait ended, with the virtual time it ended at (the lock taken again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waited {
    /// A notification woke it.
    Notified(u64),
    /// Its deadline fired first.
    TimedOut(u64),
}

/// One `notify_one` not taken yet: the waiters it was offered to.
struct Offer {
    cv: usize,
    to: Vec<usize>,
    taken: bool,
}

/// Where a thread is, as the kernel sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Runnable: running, about to run, or woken to retry.
    Running,
    /// Blocked until `on` is satisfied or, if any, `deadline` is reached.
    Blocked { on: On, deadline: Option<u64> },
    /// Woken because its deadline was reached (runnable until it notices).
    TimedOut,
    /// Its body returned.
    Finished,
}

/// All bookkeeping, guarded by the one global loom mutex.
struct State {
    /// Virtual time in seconds.
    now: u64,
    /// Every thread's status, by index.
    threads: Vec<Status>,
    /// The holder of each lock, by lock index.
    holders: Vec<Option<usize>>,
    /// Set once every live thread was found blocked with no deadline pending.
    deadlocked: bool,
    /// The condvar each thread is waiting on for a notification (not yet woken), by index.
    waiting_on: Vec<Option<usize>>,
    /// Whether each thread was woken by a `notify_all` it has not seen yet.
    notified: Vec<bool>,
    /// The `notify_one`s made so far.
    offers: Vec<Offer>,
}

/// A naive kernel for one execution: create it inside the loom model closure.
pub struct Kernel {
    state: Mutex<State>,
    /// One condvar per thread index, created up front.
    wakeups: Vec<Condvar>,
}

/// A spawned thread, to pass to [`Kernel::join`].
pub struct Handle<T> {
    index: usize,
    native: loom::thread::JoinHandle<T>,
}

impl Kernel {
    /// A kernel with `locks` unlocked locks, room for `max_threads` threads (the calling one
    /// included) and the calling thread registered as thread 0.
    pub fn new(locks: usize, max_threads: usize) -> Kernel {
        Kernel {
            state: Mutex::new(State {
                now: 0,
                threads: vec![Status::Running],
                holders: vec![None; locks],
                deadlocked: false,
                waiting_on: vec![None; max_threads],
                notified: vec![false; max_threads],
                offers: Vec::new(),
            }),
            wakeups: (0..max_threads).map(|_| Condvar::new()).collect(),
        }
    }

    /// Locks the global mutex: the one scheduling point of every kernel operation.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("naive kernel mutex poisoned")
    }

    /// Spawns a thread running `body(index)`; when the body returns the thread exits the
    /// kernel, releasing any lock it still holds.
    pub fn spawn<T, F>(self: &Arc<Self>, body: F) -> Handle<T>
    where
        T: Send + 'static,
        F: FnOnce(usize) -> T + Send + 'static,
    {
        let index = {
            let mut state = self.state();
            state.threads.push(Status::Running);
            state.threads.len() - 1
        };
        assert!(index < self.wakeups.len(), "naive kernel: too many threads");
        let kernel = Arc::clone(self);
        let native = loom::thread::spawn(move || {
            let value = body(index);
            kernel.exit(index);
            value
        });
        Handle { index, native }
    }

    /// Waits (in the kernel) for the thread to finish, then joins it natively. After a deadlock
    /// every thread unwinds, so this always returns.
    pub fn join<T>(&self, me: usize, handle: Handle<T>) -> T {
        // Deadlocked or not, the thread exits: after a deadlock every thread unwinds.
        let _ = self.await_exit(me, handle.index);
        handle.native.join().expect("naive kernel thread panicked")
    }

    /// Blocks until thread `target` has exited the kernel.
    fn await_exit(&self, me: usize, target: usize) -> Result<(), Deadlocked> {
        let mut state = self.state();
        while state.threads[target] != Status::Finished {
            state = self.block(state, me, On::Join(target), None)?.0;
        }
        Ok(())
    }

    /// The current virtual time.
    pub fn now(&self) -> u64 {
        self.state().now
    }

    /// The virtual time the execution deadlocked at, if it did.
    pub fn deadlocked(&self) -> Option<u64> {
        let state = self.state();
        state.deadlocked.then_some(state.now)
    }

    /// Blocks until lock `lock` is free and takes it; returns the time it was taken.
    pub fn lock(&self, me: usize, lock: usize) -> Result<u64, Deadlocked> {
        self.lock_with(self.state(), me, lock)
    }

    /// [`lock`](Kernel::lock) with the global mutex already held.
    fn lock_with<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        me: usize,
        lock: usize,
    ) -> Result<u64, Deadlocked> {
        loop {
            if state.holders[lock].is_none() {
                state.holders[lock] = Some(me);
                return Ok(state.now);
            }
            state = self.block(state, me, On::Lock(lock), None)?.0;
        }
    }

    /// Takes lock `lock` if it is free right now; returns the time it was taken, or `None` if
    /// another thread holds it (a try never blocks, so it never deadlocks).
    pub fn try_lock(&self, me: usize, lock: usize) -> Option<u64> {
        let mut state = self.state();
        if state.holders[lock].is_some() {
            return None;
        }
        state.holders[lock] = Some(me);
        Some(state.now)
    }

    /// Takes lock `lock`, waiting at most `timeout` seconds.
    pub fn lock_timeout(&self, me: usize, lock: usize, timeout: u64) -> Result<Timed, Deadlocked> {
        let mut state = self.state();
        let deadline = state.now + timeout;
        loop {
            if state.holders[lock].is_none() {
                state.holders[lock] = Some(me);
                return Ok(Timed::Acquired(state.now));
            }
            let (next, timed_out) = self.block(state, me, On::Lock(lock), Some(deadline))?;
            state = next;
            if timed_out {
                return Ok(Timed::TimedOut(state.now));
            }
        }
    }

    /// Releases lock `lock` (held by `me`) and wakes its waiters; returns the time.
    pub fn unlock(&self, me: usize, lock: usize) -> u64 {
        let mut state = self.state();
        assert_eq!(state.holders[lock], Some(me), "unlock of a lock not held");
        self.release(&mut state, lock);
        state.now
    }

    /// Waits on condvar `cv` (releasing lock `lock`, held by `me`) for a notification or at most
    /// `timeout` seconds, then takes the lock again.
    pub fn wait(
        &self,
        me: usize,
        cv: usize,
        lock: usize,
        timeout: u64,
    ) -> Result<Waited, Deadlocked> {
        let mut state = self.state();
        assert_eq!(state.holders[lock], Some(me), "wait without the lock");
        self.release(&mut state, lock);
        let deadline = state.now + timeout;
        state.waiting_on[me] = Some(cv);
        let notified = loop {
            let (next, timed_out) = self.block(state, me, On::Notify(cv), Some(deadline))?;
            state = next;
            if timed_out {
                break false;
            }
            if std::mem::take(&mut state.notified[me]) {
                break true;
            }
            let open = state
                .offers
                .iter_mut()
                .find(|offer| offer.cv == cv && !offer.taken && offer.to.contains(&me));
            if let Some(offer) = open {
                offer.taken = true;
                break true;
            }
            // Another waiter took the offer first: wait again.
        };
        state.waiting_on[me] = None;
        state.notified[me] = false;
        for offer in &mut state.offers {
            offer.to.retain(|&t| t != me);
        }
        let at = self.lock_with(state, me, lock)?;
        Ok(if notified {
            Waited::Notified(at)
        } else {
            Waited::TimedOut(at)
        })
    }

    /// Notifies condvar `cv`: every waiter (`all`), or one of them; returns the time.
    pub fn notify(&self, cv: usize, all: bool) -> u64 {
        let mut state = self.state();
        let state = &mut *state;
        let waiters: Vec<usize> = (0..state.threads.len())
            .filter(|&t| state.waiting_on[t] == Some(cv) && !state.notified[t])
            .filter(|&t| state.threads[t] != Status::TimedOut)
            .collect();
        debug_assert!(state.threads.len() <= state.waiting_on.len());
        if all {
            for &t in &waiters {
                state.notified[t] = true;
            }
        } else if !waiters.is_empty() {
            state.offers.push(Offer {
                cv,
                to: waiters.clone(),
                taken: false,
            });
        }
        self.wake_where(state, |on| on == On::Notify(cv));
        state.now
    }

    /// Sleeps `duration` seconds of virtual time; returns the time it woke at.
    pub fn sleep(&self, me: usize, duration: u64) -> Result<u64, Deadlocked> {
        let state = self.state();
        let deadline = state.now + duration;
        let (state, timed_out) = self.block(state, me, On::Sleep, Some(deadline))?;
        assert!(timed_out, "only its deadline wakes a sleeper");
        Ok(state.now)
    }

    /// The thread's body returned: release what it holds, wake its joiners, and settle (its
    /// exit may leave every other thread blocked).
    fn exit(&self, me: usize) {
        let mut state = self.state();
        for lock in 0..state.holders.len() {
            if state.holders[lock] == Some(me) {
                self.release(&mut state, lock);
            }
        }
        state.threads[me] = Status::Finished;
        self.wake_where(&mut state, |on| on == On::Join(me));
        self.settle(&mut state);
    }

    /// Frees lock `lock` and makes its waiters runnable, to retry.
    fn release(&self, state: &mut State, lock: usize) {
        state.holders[lock] = None;
        self.wake_where(state, |on| on == On::Lock(lock));
    }

    /// Makes every thread blocked on something matching `wakes` runnable again (to retry).
    fn wake_where(&self, state: &mut State, wakes: impl Fn(On) -> bool) {
        for (index, status) in state.threads.iter_mut().enumerate() {
            if matches!(*status, Status::Blocked { on, .. } if wakes(on)) {
                *status = Status::Running;
                self.wakeups[index].notify_one();
            }
        }
    }

    /// Blocks the calling thread on `on` until it is woken: returns the guard and whether the
    /// wake was its deadline, or [`Deadlocked`].
    fn block<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        me: usize,
        on: On,
        deadline: Option<u64>,
    ) -> Result<(MutexGuard<'a, State>, bool), Deadlocked> {
        state.threads[me] = Status::Blocked { on, deadline };
        self.settle(&mut state);
        loop {
            if state.deadlocked {
                return Err(Deadlocked);
            }
            match state.threads[me] {
                Status::Blocked { .. } => {
                    state = self.wakeups[me]
                        .wait(state)
                        .expect("naive kernel mutex poisoned");
                }
                Status::Running => return Ok((state, false)),
                Status::TimedOut => {
                    state.threads[me] = Status::Running;
                    return Ok((state, true));
                }
                Status::Finished => unreachable!("a finished thread blocks"),
            }
        }
    }

    /// If every live thread is blocked: jump to the earliest deadline and time out every
    /// waiter with that deadline, or, with none pending, declare a deadlock and wake everyone.
    fn settle(&self, state: &mut State) {
        if state.deadlocked {
            return;
        }
        let mut live = state
            .threads
            .iter()
            .filter(|s| **s != Status::Finished)
            .peekable();
        if live.peek().is_none() || live.any(|s| !matches!(s, Status::Blocked { .. })) {
            return;
        }
        let earliest = state
            .threads
            .iter()
            .filter_map(|s| match s {
                Status::Blocked { deadline, .. } => *deadline,
                _ => None,
            })
            .min();
        match earliest {
            Some(deadline) => {
                state.now = deadline;
                for (index, status) in state.threads.iter_mut().enumerate() {
                    if matches!(*status, Status::Blocked { deadline: d, .. } if d == Some(deadline))
                    {
                        *status = Status::TimedOut;
                        self.wakeups[index].notify_one();
                    }
                }
            }
            None => {
                state.deadlocked = true;
                for wakeup in &self.wakeups {
                    wakeup.notify_one();
                }
            }
        }
    }
}
