//! Differential soundness test of the optimized kernel (DESIGN §3.2): on a battery of small
//! lock/sleep programs, lockstep's facade under loom must reach exactly the same set of
//! outcomes as the naive reference kernel in `support/naive_kernel.rs`, explored by loom with
//! the same preemption bound.
//!
//! The optimized kernel keeps its bookkeeping as ghost state that is not a scheduling point, so
//! loom's partial-order reduction cannot see it; this test is what shows that nothing is lost
//! (or invented) by that: every outcome — which step got which result at which virtual time,
//! and whether the execution deadlocked — is compared as a set over all explored executions.
#![cfg(loom)]

#[path = "support/naive_kernel.rs"]
mod naive_kernel;

use naive_kernel::{Deadlocked, Kernel, Timed};
use sim::runtime::explore_exhaustive;
use sim::sync::{Mutex, MutexGuard};
use sim::time::{sleep, Duration, Instant};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// One step of a program thread. Times are whole virtual seconds (never zero).
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Take lock `0`, blocking as long as needed.
    Lock(usize),
    /// Take lock `0`, giving up after `1` seconds.
    LockTimeout(usize, u64),
    /// Release lock `0` if this thread holds it (a timed-out `LockTimeout` leaves it unheld, so
    /// the matching `Unlock` is then skipped).
    Unlock(usize),
    /// Sleep `0` seconds.
    Sleep(u64),
}

/// What a step did.
#[derive(Clone, Copy, Debug)]
enum Effect {
    /// The step completed (lock taken, lock released, sleep over).
    Done,
    /// A `LockTimeout` gave up.
    TimedOut,
    /// An `Unlock` of a lock the thread did not hold.
    Skipped,
}

/// A small program: threads spawned in order by the execution's main thread, which then joins
/// them in order.
struct Program {
    /// How many locks the program uses (indices `0..locks`).
    locks: usize,
    /// Each thread's steps.
    threads: &'static [&'static [Step]],
    /// Whether some interleaving deadlocks (checked, so the battery stays meaningful).
    deadlocks: bool,
}

/// The outcome string of an execution that deadlocked under the naive kernel.
const DEADLOCK: &str = "deadlock";

/// How one step is written in an outcome, e.g. `lock0@0`, `timeout1@30`, `sleep@10`.
fn describe(step: Step, result: Effect, at: u64) -> String {
    match (step, result) {
        (Step::Lock(i) | Step::LockTimeout(i, _), Effect::Done) => format!("lock{i}@{at}"),
        (Step::LockTimeout(i, _), Effect::TimedOut) => format!("timeout{i}@{at}"),
        (Step::Unlock(i), Effect::Done) => format!("unlock{i}@{at}"),
        (Step::Unlock(i), Effect::Skipped) => format!("skip{i}@{at}"),
        (Step::Sleep(_), Effect::Done) => format!("sleep@{at}"),
        (step, result) => unreachable!("{step:?} cannot end {result:?}"),
    }
}

/// An execution's outcome from each thread's log: `t0: lock0@0 unlock0@0 | t1: ...`.
fn render(logs: &[Vec<String>]) -> String {
    logs.iter()
        .enumerate()
        .map(|(t, log)| format!("t{t}: {}", log.join(" ")))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The current virtual time of the facade, in whole seconds.
fn facade_now() -> u64 {
    Instant::now().since_start().as_secs()
}

/// Runs one thread's steps on lockstep's facade.
fn facade_thread(locks: &[Mutex<()>], steps: &[Step]) -> Vec<String> {
    let mut guards: Vec<Option<MutexGuard<'_, ()>>> = locks.iter().map(|_| None).collect();
    let mut log = Vec::new();
    for &step in steps {
        let result = match step {
            Step::Lock(i) => {
                guards[i] = Some(locks[i].lock());
                Effect::Done
            }
            Step::LockTimeout(i, secs) => match locks[i].lock_timeout(Duration::from_secs(secs)) {
                Ok(guard) => {
                    guards[i] = Some(guard);
                    Effect::Done
                }
                Err(_) => Effect::TimedOut,
            },
            Step::Unlock(i) => match guards[i].take() {
                Some(guard) => {
                    drop(guard);
                    Effect::Done
                }
                None => Effect::Skipped,
            },
            Step::Sleep(secs) => {
                sleep(Duration::from_secs(secs));
                Effect::Done
            }
        };
        log.push(describe(step, result, facade_now()));
    }
    log
}

/// One execution of `program` on lockstep's facade; returns its outcome (a deadlock panics
/// inside the kernel and ends the exploration instead).
fn facade_execution(program: &'static Program) -> String {
    let locks: Arc<Vec<Mutex<()>>> = Arc::new(
        (0..program.locks)
            .map(|i| Mutex::named(&format!("L{i}"), ()))
            .collect(),
    );
    let handles: Vec<_> = program
        .threads
        .iter()
        .map(|&steps| {
            let locks = Arc::clone(&locks);
            sim::thread::spawn(move || facade_thread(&locks, steps))
        })
        .collect();
    let logs: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("facade thread panicked"))
        .collect();
    render(&logs)
}

/// Runs one thread's steps (as kernel thread `me`) on the naive kernel; stops early if the
/// execution deadlocks.
fn naive_thread(kernel: &Kernel, me: usize, locks: usize, steps: &[Step]) -> Vec<String> {
    let mut held = vec![false; locks];
    let mut log = Vec::new();
    for &step in steps {
        let done: Result<(Effect, u64), Deadlocked> = match step {
            Step::Lock(i) => kernel.lock(me, i).map(|at| {
                held[i] = true;
                (Effect::Done, at)
            }),
            Step::LockTimeout(i, secs) => kernel.lock_timeout(me, i, secs).map(|t| match t {
                Timed::Acquired(at) => {
                    held[i] = true;
                    (Effect::Done, at)
                }
                Timed::TimedOut(at) => (Effect::TimedOut, at),
            }),
            Step::Unlock(i) if held[i] => {
                held[i] = false;
                Ok((Effect::Done, kernel.unlock(me, i)))
            }
            Step::Unlock(_) => Ok((Effect::Skipped, kernel.now())),
            Step::Sleep(secs) => kernel.sleep(me, secs).map(|at| (Effect::Done, at)),
        };
        match done {
            Ok((result, at)) => log.push(describe(step, result, at)),
            Err(Deadlocked) => break,
        }
    }
    log
}

/// One execution of `program` on the naive kernel; returns its outcome, or [`DEADLOCK`].
fn naive_execution(program: &'static Program) -> String {
    let kernel = Arc::new(Kernel::new(program.locks, program.threads.len() + 1));
    let handles: Vec<_> = program
        .threads
        .iter()
        .map(|&steps| {
            let k = Arc::clone(&kernel);
            kernel.spawn(move |me| naive_thread(&k, me, program.locks, steps))
        })
        .collect();
    let logs: Vec<_> = handles.into_iter().map(|h| kernel.join(0, h)).collect();
    if kernel.deadlocked() {
        DEADLOCK.to_owned()
    } else {
        render(&logs)
    }
}

/// What one kernel's exploration saw.
struct Explored {
    /// Every distinct outcome (for the facade after a deadlock: those seen before it).
    outcomes: BTreeSet<String>,
    /// Executions run.
    executions: usize,
    /// The facade's deadlock report, if it stopped at one.
    deadlock: Option<String>,
}

/// Explores `program` on the facade with `sim::runtime::explore_exhaustive`.
fn explore_facade(program: &'static Program, bound: usize) -> Explored {
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let (sink, counter) = (Arc::clone(&seen), Arc::clone(&count));
    let result = explore_exhaustive(Some(bound), move || {
        counter.fetch_add(1, Ordering::Relaxed);
        let outcome = facade_execution(program);
        sink.lock().unwrap().insert(outcome);
    });
    let executions = count.load(Ordering::Relaxed);
    let deadlock = match result {
        Ok(stats) => {
            assert_eq!(stats.executions, executions);
            None
        }
        Err(failure) => {
            assert!(
                failure.message.starts_with("deadlock:"),
                "the facade failed with something other than a deadlock: {failure:?}"
            );
            assert_eq!(failure.execution, executions);
            Some(failure.message)
        }
    };
    let outcomes = seen.lock().unwrap().clone();
    Explored {
        outcomes,
        executions,
        deadlock,
    }
}

/// Explores `program` on the naive kernel with loom's own runner.
fn explore_naive(program: &'static Program, bound: usize) -> Explored {
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let (sink, counter) = (Arc::clone(&seen), Arc::clone(&count));
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        let outcome = naive_execution(program);
        sink.lock().unwrap().insert(outcome);
    });
    let outcomes = seen.lock().unwrap().clone();
    Explored {
        outcomes,
        executions: count.load(Ordering::Relaxed),
        deadlock: None,
    }
}

/// Explores `program` with both kernels at preemption bound `bound` and asserts they reach the
/// same outcomes: equal sets, or, when the facade stops at a deadlock report, a deadlock in the
/// naive set too and every outcome the facade saw before it among the naive ones. Returns the
/// execution counts (naive, facade).
fn differential(name: &str, program: &'static Program, bound: usize) -> (usize, usize) {
    let naive = explore_naive(program, bound);
    let facade = explore_facade(program, bound);
    println!(
        "{name} (bound {bound}): naive {} executions, facade {} executions",
        naive.executions, facade.executions
    );
    for outcome in &naive.outcomes {
        println!("  naive:  {outcome}");
    }
    for outcome in &facade.outcomes {
        println!("  facade: {outcome}");
    }
    assert_eq!(
        naive.outcomes.contains(DEADLOCK),
        program.deadlocks,
        "{name}: the naive kernel's deadlock verdict is not the expected one"
    );
    match &facade.deadlock {
        None => assert_eq!(
            facade.outcomes, naive.outcomes,
            "{name} (bound {bound}): the facade and the naive kernel reach different outcomes"
        ),
        Some(report) => {
            assert!(
                naive.outcomes.contains(DEADLOCK),
                "{name}: the facade reports a deadlock the naive kernel never reaches:\n{report}"
            );
            let extra: Vec<_> = facade.outcomes.difference(&naive.outcomes).collect();
            assert!(
                extra.is_empty(),
                "{name}: outcomes the naive kernel never reaches: {extra:?}"
            );
        }
    }
    assert!(
        facade.executions < naive.executions,
        "{name}: the facade explored {} executions, the naive kernel {}",
        facade.executions,
        naive.executions
    );
    (naive.executions, facade.executions)
}

// The battery. Threads are written `t0`, `t1`, ... in outcomes; lock `i` is `L{i}`.

/// A holder sleeps 30 s holding the lock; a timed waiter gives up after exactly 30 s: the
/// release and the timeout fire at the same instant, and the waiter must not get the lock.
static TIMEOUT_EQUALS_HOLD: Program = Program {
    locks: 1,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
};

/// The timeout (30 s) is shorter than the hold (40 s).
static TIMEOUT_SHORTER_THAN_HOLD: Program = Program {
    locks: 1,
    threads: &[
        &[Step::Lock(0), Step::Sleep(40), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
};

/// The timeout (30 s) is longer than the hold (20 s): acquired at 20 when the holder went first.
static TIMEOUT_LONGER_THAN_HOLD: Program = Program {
    locks: 1,
    threads: &[
        &[Step::Lock(0), Step::Sleep(20), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Sleep(5), Step::Unlock(0)],
    ],
    deadlocks: false,
};

/// A holder sleeps while a plain (untimed) waiter blocks natively on the lock: the clock must
/// still advance, and the waiter gets the lock at the release time.
static HOLDER_SLEEPS_PLAIN_WAITER: Program = Program {
    locks: 1,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[
            Step::Sleep(10),
            Step::Lock(0),
            Step::Sleep(10),
            Step::Unlock(0),
        ],
    ],
    deadlocks: false,
};

/// Two timed waiters with the same 30 s deadline against a 30 s holder: all three deadlines
/// fire together.
static TWO_WAITERS_EQUAL_DEADLINES: Program = Program {
    locks: 1,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
};

/// A timed waiter woken by a release loses the race to a plain locker, parks again with its
/// original deadline (15 s), and times out before the new holder's sleep ends (20 s).
static RETRY_KEEPS_DEADLINE: Program = Program {
    locks: 1,
    threads: &[
        &[Step::Lock(0), Step::Sleep(10), Step::Unlock(0)],
        &[
            Step::Sleep(10),
            Step::Lock(0),
            Step::Sleep(10),
            Step::Unlock(0),
        ],
        &[Step::LockTimeout(0, 15), Step::Unlock(0)],
    ],
    deadlocks: false,
};

/// AB/BA where both second acquires are timed (30 s and 20 s): no deadlock, the shorter
/// timeout breaks the cycle.
static AB_BA_WITH_TIMEOUTS: Program = Program {
    locks: 2,
    threads: &[
        &[
            Step::Lock(0),
            Step::LockTimeout(1, 30),
            Step::Unlock(1),
            Step::Unlock(0),
        ],
        &[
            Step::Lock(1),
            Step::LockTimeout(0, 20),
            Step::Unlock(0),
            Step::Unlock(1),
        ],
    ],
    deadlocks: false,
};

/// AB/BA where both second acquires are timed with the same 10 s: both time out together.
static AB_BA_EQUAL_TIMEOUTS: Program = Program {
    locks: 2,
    threads: &[
        &[
            Step::LockTimeout(0, 10),
            Step::LockTimeout(1, 10),
            Step::Unlock(1),
            Step::Unlock(0),
        ],
        &[
            Step::LockTimeout(1, 10),
            Step::LockTimeout(0, 10),
            Step::Unlock(0),
            Step::Unlock(1),
        ],
    ],
    deadlocks: false,
};

/// Plain AB/BA: some interleavings deadlock at time 0.
static AB_BA_DEADLOCK: Program = Program {
    locks: 2,
    threads: &[
        &[
            Step::Lock(0),
            Step::Lock(1),
            Step::Unlock(1),
            Step::Unlock(0),
        ],
        &[
            Step::Lock(1),
            Step::Lock(0),
            Step::Unlock(0),
            Step::Unlock(1),
        ],
    ],
    deadlocks: true,
};

/// AB/BA with sleeps while holding the first lock: the deadlock is only reached after the
/// clock has advanced (to 20 s), once both sleepers wake.
static DEADLOCK_AFTER_SLEEPS: Program = Program {
    locks: 2,
    threads: &[
        &[
            Step::Lock(0),
            Step::Sleep(10),
            Step::Lock(1),
            Step::Unlock(1),
            Step::Unlock(0),
        ],
        &[
            Step::Lock(1),
            Step::Sleep(20),
            Step::Lock(0),
            Step::Unlock(0),
            Step::Unlock(1),
        ],
    ],
    deadlocks: true,
};

/// AB/BA where one thread first tries its second lock with a 10 s timeout, gives it back if it
/// got it, and then insists with a plain lock: when the timeout fired, the deadlock follows at
/// 10 s.
static DEADLOCK_AFTER_TIMEOUT: Program = Program {
    locks: 2,
    threads: &[
        &[
            Step::Lock(0),
            Step::Lock(1),
            Step::Unlock(1),
            Step::Unlock(0),
        ],
        &[
            Step::Lock(1),
            Step::LockTimeout(0, 10),
            Step::Unlock(0),
            Step::Lock(0),
            Step::Unlock(0),
            Step::Unlock(1),
        ],
    ],
    deadlocks: true,
};

#[test]
fn timeout_equals_hold() {
    differential("timeout_equals_hold", &TIMEOUT_EQUALS_HOLD, 2);
    differential("timeout_equals_hold", &TIMEOUT_EQUALS_HOLD, 3);
}

#[test]
fn timeout_shorter_than_hold() {
    differential("timeout_shorter_than_hold", &TIMEOUT_SHORTER_THAN_HOLD, 3);
}

#[test]
fn timeout_longer_than_hold() {
    differential("timeout_longer_than_hold", &TIMEOUT_LONGER_THAN_HOLD, 3);
}

#[test]
fn holder_sleeps_plain_waiter() {
    differential("holder_sleeps_plain_waiter", &HOLDER_SLEEPS_PLAIN_WAITER, 3);
}

#[test]
fn two_waiters_equal_deadlines() {
    differential(
        "two_waiters_equal_deadlines",
        &TWO_WAITERS_EQUAL_DEADLINES,
        2,
    );
}

#[test]
fn retry_keeps_deadline() {
    differential("retry_keeps_deadline", &RETRY_KEEPS_DEADLINE, 2);
}

#[test]
fn ab_ba_with_timeouts() {
    differential("ab_ba_with_timeouts", &AB_BA_WITH_TIMEOUTS, 3);
}

#[test]
fn ab_ba_equal_timeouts() {
    differential("ab_ba_equal_timeouts", &AB_BA_EQUAL_TIMEOUTS, 3);
}

#[test]
fn ab_ba_deadlock() {
    differential("ab_ba_deadlock", &AB_BA_DEADLOCK, 3);
}

#[test]
fn deadlock_after_sleeps() {
    differential("deadlock_after_sleeps", &DEADLOCK_AFTER_SLEEPS, 3);
}

#[test]
fn deadlock_after_timeout() {
    differential("deadlock_after_timeout", &DEADLOCK_AFTER_TIMEOUT, 3);
}
