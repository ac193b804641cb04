//! The same programs written twice, against the facade and against raw loom, with how their
//! loom execution counts must compare: `tests/loom_vs_raw.rs` asserts each relation and
//! `make bench` (`examples/bench_loom.rs`) prints the table. The facade's ghost state is meant
//! to add no scheduling points, so most pairs are equal; the rest say why they differ.
//!
//! The including crate provides the facade programs as modules `primitives`
//! (`support/primitives.rs`), `programs` (`support/sync_programs.rs`) and `try_programs`
//! (`support/try_programs.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// How a facade program's executions must compare with its raw twin's.
#[derive(Clone, Copy, Debug)]
pub enum Expect {
    /// Exactly as many: the facade adds no scheduling point.
    Equal,
    /// At most as many: the raw twin, written for the same semantics, has more.
    AtMost,
    /// More, deliberately, for the reason given.
    More(&'static str),
}

/// One program in its two forms, explored at `bound` preemptions (`None`: loom's default).
pub struct Pair {
    /// What the program does.
    pub name: &'static str,
    /// The preemption bound both are explored at.
    pub bound: Option<usize>,
    /// The program against raw loom.
    pub raw: fn(),
    /// The same program against the facade.
    pub facade: fn(),
    /// How the counts compare.
    pub expect: Expect,
}

/// Every pair, in the order the table prints them.
pub const PAIRS: &[Pair] = &[
    Pair {
        name: "loom's condvar notify_one test",
        bound: None,
        raw: raw_condvar::notify_one,
        facade: facade_condvar::notify_one,
        expect: Expect::Equal,
    },
    Pair {
        name: "loom's condvar notify_all test",
        bound: None,
        raw: raw_condvar::notify_all,
        facade: facade_condvar::notify_all,
        expect: Expect::Equal,
    },
    Pair {
        name: "park / unpark order",
        bound: Some(3),
        raw: raw_park_unpark_order,
        facade: facade_park_unpark_order,
        expect: Expect::More(
            "raw loom's park and unpark depend on nothing, so it runs a park that looks after \
             an unpark only on one side of it; the facade's meet at the thread's park token, \
             so a park that blocks before the unpark and one that finds its token after it are \
             both explored (two_unparks needs that order)",
        ),
    },
    Pair {
        name: "scope of two threads (raw: spawn, join in reverse)",
        bound: Some(3),
        raw: raw_scoped_appends,
        facade: facade_scoped_appends,
        expect: Expect::Equal,
    },
    Pair {
        name: "compare-exchange race",
        bound: Some(3),
        raw: raw_cas_race,
        facade: facade_cas_race,
        expect: Expect::Equal,
    },
    Pair {
        name: "atomics of every kind (store, load, RMW, exchange, update; weak memory)",
        bound: Some(3),
        raw: raw_atomic_kinds,
        facade: facade_atomic_kinds,
        expect: Expect::Equal,
    },
    Pair {
        name: "std 1.95's newer atomic methods (raw: loom's update / try_update, fetch_xor(true) for fetch_not, try_update for pointer arithmetic)",
        bound: Some(3),
        raw: raw_newer_atomics,
        facade: facade_newer_atomics,
        expect: Expect::Equal,
    },
    Pair {
        name: "two senders, one receiver (raw: mutex + condvar channel)",
        bound: Some(3),
        raw: raw_channel::two_senders,
        facade: crate::programs::two_senders_sorted,
        expect: Expect::AtMost,
    },
    Pair {
        name: "two senders, one receiver (raw: loom's own mpsc)",
        bound: Some(3),
        raw: raw_channel::loom_two_senders,
        facade: crate::programs::two_senders_sorted,
        expect: Expect::More(
            "loom's mpsc models no disconnection, and its try_recv and blocking recv are no \
             scheduling points against sends; the facade's channel has std's semantics",
        ),
    },
    Pair {
        name: "barrier of 3 (raw: mutex + condvar)",
        bound: Some(3),
        raw: raw_barrier,
        facade: facade_barrier,
        expect: Expect::AtMost,
    },
    Pair {
        name: "OnceLock::set race (raw: mutex around an Option)",
        bound: Some(3),
        raw: raw_set_race,
        facade: facade_set_race,
        expect: Expect::Equal,
    },
    Pair {
        name: "two try_locks",
        bound: Some(3),
        raw: raw_two_try_locks,
        facade: facade_two_try_locks,
        expect: Expect::More(
            "raw loom never fails a contended try_lock (loom #376); the facade's try probe \
             schedules a try inside the other's critical section, so the failed try is reached",
        ),
    },
    Pair {
        name: "yields inside critical sections, no try",
        bound: Some(3),
        raw: raw_yields_under_a_lock,
        facade: facade_yields_under_a_lock,
        expect: Expect::More(
            "a thread's first yield since a change is no scheduling point under the facade, so \
             loom also runs the yielder straight on past it, as std may; raw loom's every yield \
             runs another thread first, which hides outcomes std allows",
        ),
    },
    Pair {
        name: "shuttle's mutex_rwlock_interaction (a try against a holder that yields)",
        bound: Some(3),
        raw: raw_mutex_rwlock_interaction,
        facade: facade_mutex_rwlock_interaction,
        expect: Expect::More(
            "raw loom never fails the contended try_lock (loom #376); the facade's try lands on \
             either side of the holder's yield and of its invisible work (the try stores to the \
             probe again after a holder's yield), and the holder may run on past its yield",
        ),
    },
    Pair {
        name: "thread-locals counted per thread, beside a shared counter",
        bound: Some(3),
        raw: raw_thread_locals,
        facade: facade_thread_locals,
        expect: Expect::Equal,
    },
];

/// The executions loom explores for `body` through raw `loom::model`.
pub fn raw_executions(bound: Option<usize>, body: fn()) -> usize {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = bound;
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        body();
    });
    count.load(Ordering::Relaxed)
}

/// The executions loom explores for `body` through lockstep's exhaustive explorer.
pub fn facade_executions(bound: Option<usize>, body: fn()) -> usize {
    lockstep::explore::explore_exhaustive(bound, body)
        .unwrap_or_else(|failure| panic!("the program passes: {failure}"))
        .executions
}

/// loom's own `tests/condvar.rs` programs, raw.
mod raw_condvar {
    use loom::sync::atomic::AtomicUsize;
    use std::sync::atomic::Ordering::SeqCst;
    use std::sync::Arc;

    /// loom's `Inc`: a counter, a mutex and a condvar.
    struct Inc {
        num: AtomicUsize,
        mutex: loom::sync::Mutex<()>,
        condvar: loom::sync::Condvar,
    }

    impl Inc {
        fn new() -> Inc {
            Inc {
                num: AtomicUsize::new(0),
                mutex: loom::sync::Mutex::new(()),
                condvar: loom::sync::Condvar::new(),
            }
        }

        fn wait(&self) {
            let mut guard = self.mutex.lock().unwrap();
            while self.num.load(SeqCst) != 1 {
                guard = self.condvar.wait(guard).unwrap();
            }
        }

        fn inc(&self, all: bool) {
            self.num.store(1, SeqCst);
            drop(self.mutex.lock().unwrap());
            if all {
                self.condvar.notify_all();
            } else {
                self.condvar.notify_one();
            }
        }
    }

    pub fn notify_one() {
        let inc = Arc::new(Inc::new());
        let i = Arc::clone(&inc);
        loom::thread::spawn(move || i.inc(false));
        inc.wait();
    }

    pub fn notify_all() {
        let inc = Arc::new(Inc::new());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let i = Arc::clone(&inc);
                loom::thread::spawn(move || i.wait())
            })
            .collect();
        loom::thread::spawn(move || inc.inc(true)).join().unwrap();
        for waiter in waiters {
            waiter.join().unwrap();
        }
    }
}

/// loom's own `tests/condvar.rs` programs, against the facade.
mod facade_condvar {
    use lockstep::sync::atomic::AtomicUsize;
    use lockstep::sync::{Arc, Condvar, Mutex};
    use std::sync::atomic::Ordering::SeqCst;

    /// loom's `Inc`.
    struct Inc {
        num: AtomicUsize,
        mutex: Mutex<()>,
        condvar: Condvar,
    }

    impl Inc {
        fn new() -> Inc {
            Inc {
                num: AtomicUsize::new(0),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
            }
        }

        fn wait(&self) {
            let mut guard = self.mutex.lock();
            while self.num.load(SeqCst) != 1 {
                guard = self.condvar.wait(guard);
            }
        }

        fn inc(&self, all: bool) {
            self.num.store(1, SeqCst);
            drop(self.mutex.lock());
            if all {
                self.condvar.notify_all();
            } else {
                self.condvar.notify_one();
            }
        }
    }

    pub fn notify_one() {
        let inc = Arc::new(Inc::new());
        let i = Arc::clone(&inc);
        lockstep::thread::spawn(move || i.inc(false));
        inc.wait();
    }

    pub fn notify_all() {
        let inc = Arc::new(Inc::new());
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let i = Arc::clone(&inc);
                lockstep::thread::spawn(move || i.wait())
            })
            .collect();
        lockstep::thread::spawn(move || inc.inc(true))
            .join()
            .unwrap();
        for waiter in waiters {
            waiter.join().unwrap();
        }
    }
}

/// `primitives::park_unpark_order`, raw.
fn raw_park_unpark_order() {
    use loom::sync::atomic::{AtomicBool, Ordering};
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&flag);
    let child = loom::thread::spawn(move || {
        let early = seen.load(Ordering::Acquire);
        while !seen.load(Ordering::Acquire) {
            loom::thread::park();
        }
        early
    });
    flag.store(true, Ordering::Release);
    child.thread().unpark();
    child.join().unwrap();
}

fn facade_park_unpark_order() {
    crate::primitives::park_unpark_order();
}

/// `primitives::scoped_appends`, raw: a scope joins the threads left to it last spawned first.
fn raw_scoped_appends() {
    let log = Arc::new(loom::sync::Mutex::new(Vec::new()));
    let handles: Vec<_> = [1u8, 2]
        .map(|n| {
            let log = Arc::clone(&log);
            loom::thread::spawn(move || log.lock().unwrap().push(n))
        })
        .into_iter()
        .collect();
    for handle in handles.into_iter().rev() {
        handle.join().unwrap();
    }
}

fn facade_scoped_appends() {
    crate::primitives::scoped_appends();
}

/// `primitives::cas_race`, raw.
fn raw_cas_race() {
    use loom::sync::atomic::{AtomicU8, Ordering};
    let cell = Arc::new(AtomicU8::new(0));
    let handles: Vec<_> = (1..=2u8)
        .map(|me| {
            let cell = Arc::clone(&cell);
            loom::thread::spawn(move || {
                let _ = cell.compare_exchange(0, me, Ordering::AcqRel, Ordering::Acquire);
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    cell.load(Ordering::Acquire);
}

fn facade_cas_race() {
    crate::primitives::cas_race();
}

/// A publisher writes data relaxed and a flag with release; a reader that sees the flag reads
/// the data; a third thread bumps a counter by every kind of read-modify-write. The
/// same body on `$threads` and `$atomic` (raw loom's, or the facade's).
macro_rules! atomic_kinds {
    ($threads:ident, $atomic:path) => {{
        use $atomic::{AtomicBool, AtomicUsize, Ordering};
        let data = Arc::new(AtomicUsize::new(0));
        let flag = Arc::new(AtomicBool::new(false));
        let (d, f) = (Arc::clone(&data), Arc::clone(&flag));
        let publisher = $threads::spawn(move || {
            d.store(7, Ordering::Relaxed);
            f.store(true, Ordering::Release);
        });
        let d = Arc::clone(&data);
        let bumper = $threads::spawn(move || {
            d.fetch_add(1, Ordering::AcqRel);
            let _ = d.compare_exchange(8, 9, Ordering::AcqRel, Ordering::Acquire);
            let _ = d.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| v.checked_sub(1));
            d.swap(3, Ordering::AcqRel);
        });
        if flag.load(Ordering::Acquire) {
            data.load(Ordering::Relaxed);
        }
        publisher.join().unwrap();
        bumper.join().unwrap();
    }};
}

fn raw_atomic_kinds() {
    use loom::thread as threads;
    atomic_kinds!(threads, loom::sync::atomic);
}

fn facade_atomic_kinds() {
    use lockstep::thread as threads;
    atomic_kinds!(threads, lockstep::sync::atomic);
}

/// A thread `update`s a counter, flips a flag and bumps a cursor one slot, while main takes
/// one from the counter with `try_update` and reads the flag and the cursor (raw loom).
fn raw_newer_atomics() {
    use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize};
    use std::sync::atomic::Ordering::SeqCst;
    let slots: &'static mut [u8; 2] = Box::leak(Box::new([0, 1]));
    let (count, flag) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let cursor = Arc::new(AtomicPtr::new(slots.as_mut_ptr()));
    let other = {
        let (count, flag, cursor) = (count.clone(), flag.clone(), cursor.clone());
        loom::thread::spawn(move || {
            count.update(SeqCst, SeqCst, |n| n + 1);
            flag.fetch_xor(true, SeqCst);
            let _ = cursor.try_update(SeqCst, SeqCst, |p| Some(p.wrapping_add(1)));
        })
    };
    let _ = count.try_update(SeqCst, SeqCst, |n| n.checked_sub(1));
    let _ = (flag.load(SeqCst), cursor.load(SeqCst));
    other.join().unwrap();
}

/// The same against the facade: `update`, `try_update`, `fetch_not`, `fetch_ptr_add`.
fn facade_newer_atomics() {
    use lockstep::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize};
    use std::sync::atomic::Ordering::SeqCst;
    let slots: &'static mut [u8; 2] = Box::leak(Box::new([0, 1]));
    let (count, flag) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    let cursor = Arc::new(AtomicPtr::new(slots.as_mut_ptr()));
    let other = {
        let (count, flag, cursor) = (count.clone(), flag.clone(), cursor.clone());
        lockstep::thread::spawn(move || {
            count.update(SeqCst, SeqCst, |n| n + 1);
            flag.fetch_not(SeqCst);
            cursor.fetch_ptr_add(1, SeqCst);
        })
    };
    let _ = count.try_update(SeqCst, SeqCst, |n| n.checked_sub(1));
    let _ = (flag.load(SeqCst), cursor.load(SeqCst));
    other.join().unwrap();
}

/// Channels on raw loom.
mod raw_channel {
    use std::collections::VecDeque;
    use std::sync::Arc;

    /// A channel as one writes it on raw loom with disconnection: a queue and a sender count
    /// under a mutex, and a condvar for the receiver.
    struct Channel {
        state: loom::sync::Mutex<(VecDeque<u8>, usize)>,
        ready: loom::sync::Condvar,
    }

    impl Channel {
        fn send(&self, message: u8) {
            self.state.lock().unwrap().0.push_back(message);
            self.ready.notify_one();
        }

        fn drop_sender(&self) {
            self.state.lock().unwrap().1 -= 1;
            self.ready.notify_one();
        }

        fn recv(&self) -> Option<u8> {
            let mut state = self.state.lock().unwrap();
            loop {
                if let Some(message) = state.0.pop_front() {
                    return Some(message);
                }
                if state.1 == 0 {
                    return None;
                }
                state = self.ready.wait(state).unwrap();
            }
        }
    }

    /// `programs::two_senders_sorted` on [`Channel`].
    pub fn two_senders() {
        let channel = Arc::new(Channel {
            state: loom::sync::Mutex::new((VecDeque::new(), 2)),
            ready: loom::sync::Condvar::new(),
        });
        let handles: Vec<_> = [1u8, 2]
            .into_iter()
            .map(|n| {
                let channel = Arc::clone(&channel);
                loom::thread::spawn(move || {
                    channel.send(n);
                    channel.drop_sender();
                })
            })
            .collect();
        let mut got = vec![channel.recv().unwrap(), channel.recv().unwrap()];
        for handle in handles {
            handle.join().unwrap();
        }
        got.sort();
        assert_eq!(got, [1, 2]);
    }

    /// `programs::two_senders_sorted` on loom's own channel.
    pub fn loom_two_senders() {
        let (tx, rx) = loom::sync::mpsc::channel();
        let handles: Vec<_> = [1u8, 2]
            .into_iter()
            .map(|n| {
                let tx = tx.clone();
                loom::thread::spawn(move || tx.send(n).unwrap())
            })
            .collect();
        drop(tx);
        let mut got = vec![rx.recv().unwrap(), rx.recv().unwrap()];
        for handle in handles {
            handle.join().unwrap();
        }
        got.sort();
        assert_eq!(got, [1, 2]);
    }
}

/// A barrier as std writes it: a count and a generation under a mutex, and a condvar.
struct RawBarrier {
    state: loom::sync::Mutex<(usize, usize)>,
    opened: loom::sync::Condvar,
    parties: usize,
}

impl RawBarrier {
    fn wait(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        let generation = state.1;
        state.0 += 1;
        if state.0 == self.parties {
            *state = (0, generation + 1);
            self.opened.notify_all();
            return true;
        }
        while state.1 == generation {
            state = self.opened.wait(state).unwrap();
        }
        false
    }
}

/// Three threads pass a barrier once (raw loom), counting leaders.
fn raw_barrier() {
    use loom::sync::atomic::{AtomicUsize, Ordering};
    let barrier = Arc::new(RawBarrier {
        state: loom::sync::Mutex::new((0, 0)),
        opened: loom::sync::Condvar::new(),
        parties: 3,
    });
    let leaders = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (barrier, leaders) = (Arc::clone(&barrier), Arc::clone(&leaders));
            loom::thread::spawn(move || {
                if barrier.wait() {
                    leaders.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    if barrier.wait() {
        leaders.fetch_add(1, Ordering::SeqCst);
    }
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(leaders.load(Ordering::SeqCst), 1);
}

/// The same on the facade's barrier.
fn facade_barrier() {
    use lockstep::sync::atomic::{AtomicUsize, Ordering};
    use lockstep::sync::Barrier;
    let barrier = Arc::new(Barrier::new(3));
    let leaders = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (barrier, leaders) = (Arc::clone(&barrier), Arc::clone(&leaders));
            lockstep::thread::spawn(move || {
                if barrier.wait().is_leader() {
                    leaders.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    if barrier.wait().is_leader() {
        leaders.fetch_add(1, Ordering::SeqCst);
    }
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(leaders.load(Ordering::SeqCst), 1);
}

/// Two threads race to set a cell; raw loom's nearest: a mutex around an `Option`.
fn raw_set_race() {
    let cell = Arc::new(loom::sync::Mutex::new(None));
    let c = Arc::clone(&cell);
    let set = |cell: &loom::sync::Mutex<Option<u8>>, value| {
        let mut slot = cell.lock().unwrap();
        slot.is_none().then(|| *slot = Some(value)).is_some()
    };
    let other = loom::thread::spawn(move || set(&c, 2));
    let mine = set(&cell, 1);
    assert_ne!(mine, other.join().unwrap());
}

/// The same on the facade's `OnceLock`.
fn facade_set_race() {
    let cell = Arc::new(lockstep::sync::OnceLock::new());
    let c = Arc::clone(&cell);
    let other = lockstep::thread::spawn(move || c.set(2u8).is_ok());
    let mine = cell.set(1u8).is_ok();
    assert_ne!(mine, other.join().unwrap());
}

/// `try_programs::two_try_locks`, raw.
fn raw_two_try_locks() {
    let counter = Arc::new(loom::sync::Mutex::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let counter = Arc::clone(&counter);
            loom::thread::spawn(move || {
                if let Ok(mut count) = counter.try_lock() {
                    *count += 1;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}

fn facade_two_try_locks() {
    crate::try_programs::two_try_locks();
}

/// Two threads each take a mutex, yield while holding it, and bump the count: raw loom.
fn raw_yields_under_a_lock() {
    let counter = Arc::new(loom::sync::Mutex::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let counter = Arc::clone(&counter);
            loom::thread::spawn(move || {
                let mut count = counter.lock().unwrap();
                loom::thread::yield_now();
                *count += 1;
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(*counter.lock().unwrap(), 2);
}

/// The same on the facade.
fn facade_yields_under_a_lock() {
    let counter = Arc::new(lockstep::sync::Mutex::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let counter = Arc::clone(&counter);
            lockstep::thread::spawn(move || {
                let mut count = counter.lock();
                lockstep::thread::yield_now();
                *count += 1;
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(*counter.lock(), 2);
}

/// `try_programs::mutex_rwlock_interaction`, raw.
fn raw_mutex_rwlock_interaction() {
    let lock = Arc::new(loom::sync::Mutex::new(()));
    let rwlock = Arc::new(loom::sync::RwLock::new(()));
    let value = Arc::new(std::sync::Mutex::new(0));
    let adder = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        loom::thread::spawn(move || {
            {
                let _guard = lock.lock().unwrap();
                *value.lock().unwrap() += 1;
            }
            {
                let _write = rwlock.write().unwrap();
                let add = if lock.try_lock().is_ok() { 2 } else { 6 };
                *value.lock().unwrap() += add;
            }
            let _guard = lock.lock().unwrap();
            *value.lock().unwrap() += 3;
        })
    };
    let doubler = {
        let (lock, value) = (Arc::clone(&lock), Arc::clone(&value));
        loom::thread::spawn(move || {
            let _guard = lock.lock().unwrap();
            loom::thread::yield_now();
            *value.lock().unwrap() *= 2;
        })
    };
    adder.join().unwrap();
    doubler.join().unwrap();
}

fn facade_mutex_rwlock_interaction() {
    crate::try_programs::mutex_rwlock_interaction();
}

loom::thread_local! {
    static RAW_COUNT: std::cell::Cell<usize> = std::cell::Cell::new(0);
}

/// Two threads count twice in a loom thread-local and once in a shared atomic, raw.
fn raw_thread_locals() {
    let shared = Arc::new(loom::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let shared = Arc::clone(&shared);
            loom::thread::spawn(move || {
                RAW_COUNT.with(|count| count.set(count.get() + 1));
                shared.fetch_add(1, Ordering::SeqCst);
                RAW_COUNT.with(|count| count.set(count.get() + 1));
                RAW_COUNT.with(std::cell::Cell::get)
            })
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), 2);
    }
    assert_eq!(shared.load(Ordering::SeqCst), 2);
}

lockstep::thread_local! {
    static FACADE_COUNT: std::cell::Cell<usize> = std::cell::Cell::new(0);
}

/// [`raw_thread_locals`] through the facade: its thread-locals add no scheduling point.
fn facade_thread_locals() {
    let shared = Arc::new(lockstep::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let shared = Arc::clone(&shared);
            lockstep::thread::spawn(move || {
                FACADE_COUNT.set(FACADE_COUNT.get() + 1);
                shared.fetch_add(1, Ordering::SeqCst);
                FACADE_COUNT.set(FACADE_COUNT.get() + 1);
                FACADE_COUNT.get()
            })
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), 2);
    }
    assert_eq!(shared.load(Ordering::SeqCst), 2);
}
