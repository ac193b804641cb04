//! `Condvar`: loom `tests/condvar.rs`, shuttle `tests/basic/condvar.rs` (`notify_one_order`,
//! which needs `notify_one` to wake any waiter, is in `after_fixes.rs`).

use super::Body::Runs;
use super::Expect::{Fails, Passes};
use super::{Case, Search};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, Condvar, Mutex, MutexGuard};
use lockstep::thread;
use lockstep::time::Duration;

pub const CASES: &[Case] = &[
    Case::loom("condvar.rs", "notify_one", Runs(loom_notify_one), Passes),
    Case::loom("condvar.rs", "notify_all", Runs(loom_notify_all), Passes),
    Case::shuttle("condvar.rs", "notify_one", Runs(notify_one), Passes).search(Search::Dfs),
    Case::shuttle(
        "condvar.rs",
        "notify_one_while",
        Runs(notify_one_wait_while),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "condvar.rs",
        "notify_all",
        Runs(two_workers_notify_all),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "condvar.rs",
        "multiple_notify_one",
        Runs(two_workers_notify_one_twice),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "condvar.rs",
        "notify_one_deadlock",
        Runs(two_workers_notify_one_once),
        Fails("deadlock"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "condvar.rs",
        "notify_one_all",
        Runs(two_workers_notify_one_then_all),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "condvar.rs",
        "notify_all_one",
        Runs(two_workers_notify_all_then_one),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "condvar.rs",
        "check_producer_consumer_broken1",
        Runs(producer_consumer_waiting_with_if),
        Fails(""),
    ),
    Case::shuttle(
        "condvar.rs",
        "check_producer_consumer_broken2",
        Runs(producer_consumer_one_condvar),
        Fails("deadlock"),
    ),
    Case::shuttle(
        "condvar.rs",
        "producer_consumer_correct",
        Runs(producer_consumer_two_condvars),
        Passes,
    ),
    Case::shuttle(
        "condvar.rs",
        "notify_one_timeout",
        Runs(notify_one_wait_timeout),
        Passes,
    )
    .search(Search::Dfs),
];

/// Loom's `Inc`: a counter set to 1 before waking the condvar's waiters.
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
        while self.num.load(Ordering::SeqCst) != 1 {
            guard = self.condvar.wait(guard);
        }
    }

    fn set(&self) {
        self.num.store(1, Ordering::SeqCst);
        drop(self.mutex.lock());
    }
}

fn loom_notify_one() {
    let inc = Arc::new(Inc::new());
    {
        let inc = Arc::clone(&inc);
        thread::spawn(move || {
            inc.set();
            inc.condvar.notify_one();
        });
    }
    inc.wait();
}

fn loom_notify_all() {
    let inc = Arc::new(Inc::new());
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let inc = Arc::clone(&inc);
            thread::spawn(move || inc.wait())
        })
        .collect();
    thread::spawn(move || {
        inc.set();
        inc.condvar.notify_all();
    })
    .join()
    .unwrap();
    for waiter in waiters {
        waiter.join().unwrap();
    }
}

type Flag = Arc<(Mutex<bool>, Condvar)>;

fn flag() -> Flag {
    Arc::new((Mutex::new(false), Condvar::new()))
}

/// A thread that waits, in a loop, until the flag is set.
fn wait_for(flag: &Flag) {
    let flag = Arc::clone(flag);
    thread::spawn(move || {
        let mut set = flag.0.lock();
        while !*set {
            set = flag.1.wait(set);
        }
    });
}

fn notify_one() {
    let flag = flag();
    wait_for(&flag);
    *flag.0.lock() = true;
    flag.1.notify_one(); // not holding the lock: allowed
}

fn notify_one_wait_while() {
    let flag = flag();
    {
        let flag = Arc::clone(&flag);
        thread::spawn(move || {
            let set = flag.1.wait_while(flag.0.lock(), |set| !*set);
            assert!(*set);
        });
    }
    *flag.0.lock() = true;
    flag.1.notify_one();
}

fn notify_one_wait_timeout() {
    let flag = flag();
    {
        let flag = Arc::clone(&flag);
        thread::spawn(move || {
            let mut set = flag.0.lock();
            while !*set {
                set = flag.1.wait_timeout(set, Duration::from_secs(10)).0;
            }
        });
    }
    *flag.0.lock() = true;
    flag.1.notify_one();
}

/// Two waiters on one flag; `signal` wakes them after the flag is set.
fn two_workers(signal: fn(&Condvar)) {
    let flag = flag();
    wait_for(&flag);
    wait_for(&flag);
    *flag.0.lock() = true;
    signal(&flag.1);
}

fn two_workers_notify_all() {
    two_workers(Condvar::notify_all);
}

fn two_workers_notify_one_twice() {
    two_workers(|c| {
        c.notify_one();
        c.notify_one();
    });
}

/// One wake-up for two waiters: in some execution the second waiter sleeps forever.
fn two_workers_notify_one_once() {
    two_workers(Condvar::notify_one);
}

fn two_workers_notify_one_then_all() {
    two_workers(|c| {
        c.notify_one();
        c.notify_all();
    });
}

fn two_workers_notify_all_then_one() {
    two_workers(|c| {
        c.notify_all();
        c.notify_one();
    });
}

/// One of OSTEP's producer-consumer attempts over a one-slot buffer (`count` 0 or 1): a
/// producer puts twice, two consumers get `gets_per_consumer` times each.
#[derive(Clone, Copy)]
struct ProducerConsumer {
    /// Waiters re-check their condition in a `while` (else an `if`, which trusts one wake-up).
    recheck: bool,
    /// Separate condvars for "empty" and "full" (else one for both).
    two_condvars: bool,
    gets_per_consumer: usize,
}

impl ProducerConsumer {
    fn run(self) {
        let condvars = if self.two_condvars { 2 } else { 1 };
        let shared = Arc::new((
            Mutex::new(()),
            (0..condvars).map(|_| Condvar::new()).collect::<Vec<_>>(),
            AtomicUsize::new(0),
        ));
        // `is_full` wakes consumers, `is_empty` the producer (the same condvar when only one).
        let (is_full, is_empty) = (0, condvars - 1);
        for _ in 0..2 {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                let (lock, conds, count) = &*shared;
                for _ in 0..self.gets_per_consumer {
                    let guard = lock.lock();
                    let guard =
                        self.wait(&conds[is_full], guard, || count.load(Ordering::SeqCst) == 0);
                    assert_eq!(count.load(Ordering::SeqCst), 1, "nothing to get");
                    count.store(0, Ordering::SeqCst);
                    conds[is_empty].notify_one();
                    drop(guard);
                }
            });
        }
        let (lock, conds, count) = &*shared;
        for _ in 0..2 {
            let guard = lock.lock();
            let guard = self.wait(&conds[is_empty], guard, || {
                count.load(Ordering::SeqCst) == 1
            });
            assert_eq!(count.load(Ordering::SeqCst), 0, "no space to put");
            count.store(1, Ordering::SeqCst);
            conds[is_full].notify_one();
            drop(guard);
        }
    }

    /// Waits on `cond` while (or, without `recheck`, if) `blocked()`.
    fn wait<'a>(
        self,
        cond: &Condvar,
        mut guard: MutexGuard<'a, ()>,
        blocked: impl Fn() -> bool,
    ) -> MutexGuard<'a, ()> {
        if self.recheck {
            while blocked() {
                guard = cond.wait(guard);
            }
        } else if blocked() {
            guard = cond.wait(guard);
        }
        guard
    }
}

/// OSTEP figure 30.8: waiters check with `if`, not `while`; a consumer can find nothing.
fn producer_consumer_waiting_with_if() {
    ProducerConsumer {
        recheck: false,
        two_condvars: false,
        gets_per_consumer: 2,
    }
    .run();
}

/// OSTEP figure 30.10: `while` loops but one condvar for "empty" and "full"; a consumer can
/// wake the other consumer instead of the producer, and everyone sleeps.
fn producer_consumer_one_condvar() {
    ProducerConsumer {
        recheck: true,
        two_condvars: false,
        gets_per_consumer: 1,
    }
    .run();
}

/// OSTEP figure 30.12: separate condvars for "empty" and "full"; correct.
fn producer_consumer_two_condvars() {
    ProducerConsumer {
        recheck: true,
        two_condvars: true,
        gets_per_consumer: 1,
    }
    .run();
}
