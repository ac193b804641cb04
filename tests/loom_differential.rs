//! Differential soundness test of the optimized kernel (DESIGN §3.2): on a battery of small
//! lock/sleep/condvar programs, lockstep's facade under loom must reach exactly the same set of
//! outcomes as the naive reference kernel in `support/naive_kernel.rs`, explored by loom with
//! the same preemption bound.
//!
//! The optimized kernel keeps its bookkeeping as ghost state that is not a scheduling point, so
//! loom's partial-order reduction cannot see it; this test is what shows that nothing is lost
//! (or invented) by that: every outcome (which step got which result at which virtual time, or
//! a deadlock and when) is compared as a set over all explored executions.
//!
//! Each program's comparison runs in a child process of this test binary (see
//! [`differential`]), so a kernel bug that aborts the process fails only that program's test.
//!
//! Reading a failure: the two kernels have different scheduling points, so one preemption
//! bound does not buy exactly the same interleavings in both. A correct facade can need one
//! preemption more than the naive kernel for some outcome (random programs showed this at
//! bound 2, never at bound 3 or 4). So an outcome only the naive kernel reaches is a bug only
//! if the facade still misses it one bound higher; an outcome only the facade reaches, a
//! deadlock only one kernel finds, or a process abort is a bug outright. The battery's bounds
//! were chosen where the sets agree.
#![cfg(loom)]

#[path = "support/naive_kernel.rs"]
mod naive_kernel;

use lockstep::explore::{Explorer, Failure, Strategy};
use lockstep::sync::{Condvar, Mutex, MutexGuard};
use lockstep::time::{sleep, Duration, Instant};
use lockstep::LockError;
use naive_kernel::{Deadlocked, Kernel, Timed, Waited};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// One step of a program thread. Times are whole virtual seconds, never zero.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// `Lock(i)`: take lock `i`, blocking as long as needed. Locks are not reentrant: taking a
    /// lock the thread already holds waits forever.
    Lock(usize),
    /// `LockTimeout(i, secs)`: take lock `i`, giving up after `secs`.
    LockTimeout(usize, u64),
    /// `TryLock(i)`: take lock `i` if nobody holds it right now, else go on without it.
    TryLock(usize),
    /// `Unlock(i)`: release lock `i` if this thread holds it, else do nothing (so the `Unlock`
    /// matching a `LockTimeout` that timed out is skipped).
    Unlock(usize),
    /// `Sleep(secs)`: sleep `secs`.
    Sleep(u64),
    /// `Wait(c, i, secs)`: wait on condvar `c` with lock `i` (held) for a notification, at most
    /// `secs`; the lock is held again afterwards.
    Wait(usize, usize, u64),
    /// `NotifyOne(c)`: notify one waiter of condvar `c`.
    NotifyOne(usize),
    /// `NotifyAll(c)`: notify every waiter of condvar `c`.
    NotifyAll(usize),
    /// `PanicHolding(i)`: take lock `i` and panic while holding it, the panic caught at once.
    /// The facade is poison-free (an intended difference from std, docs/CONFORMANCE.md): the
    /// unwinding guard releases the lock like an unlock, so the naive kernel runs it as
    /// `Lock(i)` then `Unlock(i)`.
    PanicHolding(usize),
}

/// What a step did.
#[derive(Clone, Copy, Debug)]
enum Effect {
    /// The step completed (lock taken, lock released, sleep over).
    Done,
    /// A `LockTimeout` gave up.
    TimedOut,
    /// A `TryLock` found the lock held.
    Busy,
    /// An `Unlock` of a lock the thread did not hold.
    Skipped,
    /// A `Wait` was notified.
    Notified,
}

/// A small program: its threads are spawned in order by the execution's main thread, which
/// then joins them in order.
struct Program {
    /// The name printed with the results.
    name: &'static str,
    /// How many locks the program uses (indices `0..locks`).
    locks: usize,
    /// How many condvars the program uses (indices `0..condvars`).
    condvars: usize,
    /// Each thread's steps.
    threads: &'static [&'static [Step]],
    /// Whether some interleaving deadlocks (checked, so the battery stays meaningful).
    deadlocks: bool,
    /// The preemption bounds to compare the kernels at.
    bounds: &'static [usize],
}

/// How one step is written in an outcome, e.g. `lock0@0`, `timeout1@30`, `busy0@0`, `sleep@10`.
fn describe(step: Step, effect: Effect, at: u64) -> String {
    match (step, effect) {
        (Step::Lock(i) | Step::LockTimeout(i, _), Effect::Done) => format!("lock{i}@{at}"),
        (Step::TryLock(i), Effect::Done) => format!("try{i}@{at}"),
        (Step::TryLock(i), Effect::Busy) => format!("busy{i}@{at}"),
        (Step::LockTimeout(i, _), Effect::TimedOut) => format!("timeout{i}@{at}"),
        (Step::Unlock(i), Effect::Done) => format!("unlock{i}@{at}"),
        (Step::Unlock(i), Effect::Skipped) => format!("skip{i}@{at}"),
        (Step::Sleep(_), Effect::Done) => format!("sleep@{at}"),
        (Step::Wait(c, _, _), Effect::Notified) => format!("notified{c}@{at}"),
        (Step::Wait(c, _, _), Effect::TimedOut) => format!("waitout{c}@{at}"),
        (Step::NotifyOne(c), Effect::Done) => format!("notify{c}@{at}"),
        (Step::NotifyAll(c), Effect::Done) => format!("notifyall{c}@{at}"),
        (Step::PanicHolding(i), Effect::Done) => format!("panic{i}@{at}"),
        (step, effect) => unreachable!("{step:?} cannot end {effect:?}"),
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

/// The outcome of an execution that deadlocked at virtual time `at` (naive kernel).
fn deadlock_outcome(at: u64) -> String {
    format!("deadlock@{at}")
}

/// The current virtual time of the facade, in whole seconds.
fn facade_now() -> u64 {
    Instant::now().since_start().as_secs()
}

/// Runs one thread's steps on lockstep's facade.
fn facade_thread(locks: &[Mutex<()>], condvars: &[Condvar], steps: &[Step]) -> Vec<String> {
    let mut guards: Vec<Option<MutexGuard<'_, ()>>> = locks.iter().map(|_| None).collect();
    let mut log = Vec::new();
    for &step in steps {
        let effect = match step {
            Step::Lock(i) => {
                guards[i] = Some(locks[i].lock());
                Effect::Done
            }
            Step::LockTimeout(i, secs) => match locks[i].lock_timeout(Duration::from_secs(secs)) {
                Ok(guard) => {
                    guards[i] = Some(guard);
                    Effect::Done
                }
                Err(LockError::Timeout { .. }) => Effect::TimedOut,
                Err(error) => panic!("{error}"),
            },
            Step::TryLock(i) => match locks[i].try_lock() {
                Some(guard) => {
                    guards[i] = Some(guard);
                    Effect::Done
                }
                None => Effect::Busy,
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
            Step::Wait(c, i, secs) => {
                let guard = guards[i].take().expect("a wait holds its lock");
                let (guard, woke) = condvars[c].wait_timeout(guard, Duration::from_secs(secs));
                guards[i] = Some(guard);
                match woke {
                    Ok(()) => Effect::Notified,
                    Err(LockError::Timeout { .. }) => Effect::TimedOut,
                    Err(error) => panic!("{error}"),
                }
            }
            Step::NotifyOne(c) => {
                condvars[c].notify_one();
                Effect::Done
            }
            Step::NotifyAll(c) => {
                condvars[c].notify_all();
                Effect::Done
            }
            Step::PanicHolding(i) => {
                let lock = &locks[i];
                let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let _guard = lock.lock();
                    // `resume_unwind` runs no panic hook: the test's output stays quiet.
                    std::panic::resume_unwind(Box::new("a holder panics"));
                }));
                assert!(unwound.is_err(), "the holder's panic is caught here");
                Effect::Done
            }
        };
        log.push(describe(step, effect, facade_now()));
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
    let condvars: Arc<Vec<Condvar>> = Arc::new(
        (0..program.condvars)
            .map(|c| Condvar::named(&format!("C{c}")))
            .collect(),
    );
    let handles: Vec<_> = program
        .threads
        .iter()
        .map(|&steps| {
            let locks = Arc::clone(&locks);
            let condvars = Arc::clone(&condvars);
            lockstep::thread::spawn(move || facade_thread(&locks, &condvars, steps))
        })
        .collect();
    let logs: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("facade thread panicked"))
        .collect();
    render(&logs)
}

/// Runs one thread's steps, as kernel thread `me`, on the naive kernel; stops early if the
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
            Step::TryLock(i) => Ok(match kernel.try_lock(me, i) {
                Some(at) => {
                    held[i] = true;
                    (Effect::Done, at)
                }
                None => (Effect::Busy, kernel.now()),
            }),
            Step::Unlock(i) if held[i] => {
                held[i] = false;
                Ok((Effect::Done, kernel.unlock(me, i)))
            }
            Step::Unlock(_) => Ok((Effect::Skipped, kernel.now())),
            Step::Sleep(secs) => kernel.sleep(me, secs).map(|at| (Effect::Done, at)),
            Step::Wait(c, i, secs) => kernel.wait(me, c, i, secs).map(|w| match w {
                Waited::Notified(at) => (Effect::Notified, at),
                Waited::TimedOut(at) => (Effect::TimedOut, at),
            }),
            Step::NotifyOne(c) => Ok((Effect::Done, kernel.notify(c, false))),
            Step::NotifyAll(c) => Ok((Effect::Done, kernel.notify(c, true))),
            Step::PanicHolding(i) => kernel
                .lock(me, i)
                .map(|_| (Effect::Done, kernel.unlock(me, i))),
        };
        match done {
            Ok((effect, at)) => log.push(describe(step, effect, at)),
            Err(Deadlocked) => break,
        }
    }
    log
}

/// One execution of `program` on the naive kernel; returns its outcome, or
/// [`deadlock_outcome`] if it deadlocked.
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
    match kernel.deadlocked() {
        Some(at) => deadlock_outcome(at),
        None => render(&logs),
    }
}

/// What one kernel's exploration saw.
struct Explored {
    /// Every distinct outcome (for the facade after a failure: those seen before it).
    outcomes: BTreeSet<String>,
    /// Executions run.
    executions: usize,
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
    }
}

/// Explores `program` on the facade with loom, exhaustively up to `bound` preemptions; also
/// returns the failure that stopped it, if any (e.g. a deadlock report).
///
/// The lock-order graph is off: it would stop every AB/BA program at its first cycle (a
/// *potential* deadlock) before the kernel's own behavior (timeouts, real deadlocks) shows.
/// The rest of the hierarchy checks stay on, as users run them; unranked locks never trip
/// them.
fn explore_facade(program: &'static Program, bound: usize) -> (Explored, Option<Failure>) {
    let seen = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let (sink, counter) = (Arc::clone(&seen), Arc::clone(&count));
    let explorer = Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(bound),
    })
    .lock_order_graph(false);
    let result = explorer.run(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        let outcome = facade_execution(program);
        sink.lock().unwrap().insert(outcome);
    });
    let executions = count.load(Ordering::Relaxed);
    let failure = match result {
        Ok(stats) => {
            assert_eq!(stats.executions, executions);
            None
        }
        Err(failure) => {
            assert_eq!(failure.execution, executions);
            Some(failure)
        }
    };
    let outcomes = seen.lock().unwrap().clone();
    (
        Explored {
            outcomes,
            executions,
        },
        failure,
    )
}

/// The environment variable that tells a child process of this test binary which program to
/// compare in-process.
const CHILD: &str = "LOCKSTEP_DIFFERENTIAL_CHILD";

/// The test of `program`, which must be named `program.name`: compares the kernels on it in a
/// child process of this test binary (running just that test), and passes on its output.
///
/// A child process, because when the facade misses a deadlock (or invents one), loom detects a
/// deadlock itself and panics, and that panic can unwind through a lockstep guard whose drop
/// panics again and aborts the process: it must take down only this program's test.
fn differential(program: &'static Program) {
    if std::env::var(CHILD).is_ok_and(|name| name == program.name) {
        compare(program);
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let child = std::process::Command::new(exe)
        .args([program.name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, program.name)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&child.stdout);
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(
        child.status.success(),
        "{}: the comparison failed ({}):\n{stdout}{stderr}",
        program.name,
        child.status
    );
    for bound in program.bounds {
        assert!(
            stdout.contains(&format!("{} (bound {bound}): facade ", program.name)),
            "{}: the child process did not compare the program at bound {bound} (is the test \
             named after the program?):\n{stdout}{stderr}",
            program.name
        );
    }
    print!("{stdout}");
}

/// Explores `program` with both kernels at each of its preemption bounds and asserts they
/// reach the same outcomes: equal sets; or, when the facade stops at a deadlock report, a
/// deadlock at the same virtual time among the naive outcomes and every outcome the facade saw
/// before it among them too. Also asserts the facade explored fewer executions.
fn compare(program: &'static Program) {
    let name = program.name;
    for &bound in program.bounds {
        // Each side's results are printed as soon as they are known, so that they are in the
        // output even if the facade's exploration then aborts the process.
        let naive = explore_naive(program, bound);
        println!(
            "{name} (bound {bound}): naive {} executions",
            naive.executions
        );
        for outcome in &naive.outcomes {
            println!("  {outcome}");
        }
        let (facade, failure) = explore_facade(program, bound);
        println!(
            "{name} (bound {bound}): facade {} executions",
            facade.executions
        );
        for outcome in &facade.outcomes {
            println!("  {outcome}");
        }
        let naive_deadlocks: Vec<_> = naive
            .outcomes
            .iter()
            .filter_map(|o| o.strip_prefix("deadlock@"))
            .map(|at| at.parse::<u64>().expect("deadlock time"))
            .collect();
        assert_eq!(
            !naive_deadlocks.is_empty(),
            program.deadlocks,
            "{name}: the naive kernel's deadlock verdict is not the expected one"
        );
        match failure {
            None => assert_eq!(
                facade.outcomes, naive.outcomes,
                "{name} (bound {bound}): the facade and the naive kernel reach different outcomes"
            ),
            Some(failure) => {
                let report = failure.message;
                assert!(
                    report.starts_with("deadlock:"),
                    "{name} (bound {bound}): the facade failed with something other than a \
                     deadlock report:\n{report}"
                );
                assert!(
                    naive_deadlocks.iter().any(|&at| report
                        .contains(&format!("(virtual time {:?})", Duration::from_secs(at)))),
                    "{name} (bound {bound}): the facade reports a deadlock the naive kernel \
                     never reaches (naive deadlock times {naive_deadlocks:?}):\n{report}"
                );
                let extra: Vec<_> = facade.outcomes.difference(&naive.outcomes).collect();
                assert!(
                    extra.is_empty(),
                    "{name} (bound {bound}): outcomes the naive kernel never reaches: {extra:?}"
                );
            }
        }
        assert!(
            facade.executions < naive.executions,
            "{name} (bound {bound}): the facade explored {} executions, the naive kernel {}",
            facade.executions,
            naive.executions
        );
    }
}

// The battery. Threads are `t0`, `t1`, ... in outcomes; lock `i` is `L{i}`. Programs with three
// threads stay at preemption bound 2, plus bound 3 for two of them: at bound 3 the naive kernel
// needs 66,000 to 190,000 executions per program, several seconds each.
//
// Executions measured (release build), naive kernel / facade. A `*` marks a facade exploration
// that stops at its first deadlock report; `abort` one that aborts the process (a kernel bug,
// see the program's doc).
//
// | program                     | bound 2       | bound 3        |
// |-----------------------------|---------------|----------------|
// | timeout_equals_hold         |   157 / 9     |    890 / 14    |
// | timeout_shorter_than_hold   |    96 / 9     |    349 / 14    |
// | timeout_longer_than_hold    |   260 / 8     |  1,357 / 13    |
// | holders_sleep_plain_waiter  |   260 / 8     |  1,357 / 13    |
// | relock_race                 |   145 / 15    |    630 / 26    |
// | timed_self_relock           |   360 / 7     |  2,030 / 9     |
// | ab_ba_with_timeouts         |   276 / 14    |  1,750 / 26    |
// | ab_ba_equal_timeouts        |   288 / 14    |  1,954 / 26    |
// | ab_ba_deadlock              |   336 / 4*    |  2,229 / 4*    |
// | deadlock_after_sleeps       |   373 / 1*    |  2,311 / 1*    |
// | deadlock_after_timeout      |   408 / 4*    |  2,957 / 4*    |
// | self_deadlock               |   227 / 1*    |                |
// | two_waiters_equal_deadlines | 3,029 / 86    |                |
// | plain_and_timed_waiters     | 4,645 / 56    | 66,006 / 213   |
// | retry_keeps_deadline        | 12,446 / 141  |                |
// | handoff_chain               | 9,876 / 133   |                |
// | timed_out_try_loses_race    | 5,097 / 56    |                |
// | two_locks_three_threads     | 5,268 / 84    | 72,521 / 318   |
// | two_try_locks               |   186 / 45    |    896 / 99    |
// | try_against_sleeping_holder |   101 / 18    |    390 / 35    |
// | try_then_timed_waiter       |   235 / 18    |  1,251 / 35    |
// | notify_one_queued_waiters   | 5,028 / 71    |                |
// | notify_one_two_waiters      | 4,394 / 206   |                |
// | notify_all_two_waiters      | 4,556 / 212   |                |
// | unlocked_notify             |   111 / 9     |    464 / 14    |
// | two_notifies_two_waiters    | 5,503 / 199   |                |

/// A holder sleeps 30 s holding the lock; a timed waiter gives up after exactly 30 s: the
/// release and the timeout fall on the same instant, and the waiter must not get the lock.
static TIMEOUT_EQUALS_HOLD: Program = Program {
    name: "timeout_equals_hold",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// The timeout (30 s) is shorter than the hold (40 s).
static TIMEOUT_SHORTER_THAN_HOLD: Program = Program {
    name: "timeout_shorter_than_hold",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(40), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// The timeout (30 s) is longer than the hold (20 s): acquired at 20 s when the holder went
/// first; when the waiter went first, it holds the lock over a 5 s sleep instead.
static TIMEOUT_LONGER_THAN_HOLD: Program = Program {
    name: "timeout_longer_than_hold",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(20), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Sleep(5), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// Two threads hold the lock over a sleep (30 s and 10 s) and the loser of the race blocks
/// natively, without a deadline: the clock must still advance to the holder's wakeup, and the
/// waiter gets the lock at the release time.
static HOLDERS_SLEEP_PLAIN_WAITER: Program = Program {
    name: "holders_sleep_plain_waiter",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[Step::Lock(0), Step::Sleep(10), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// The holder releases at 10 s and immediately takes the lock again for 10 s more: the timed
/// waiter (15 s) gets it at 0 s or 10 s, or times out at 15 s, depending on the races.
static RELOCK_RACE: Program = Program {
    name: "relock_race",
    locks: 1,
    condvars: 0,
    threads: &[
        &[
            Step::Lock(0),
            Step::Sleep(10),
            Step::Unlock(0),
            Step::Lock(0),
            Step::Sleep(10),
            Step::Unlock(0),
        ],
        &[Step::LockTimeout(0, 15), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// A thread asks again, with a 10 s timeout, for the lock it already holds: it times out at
/// 10 s (locks are not reentrant), and only then can the other (timed) waiter have it.
static TIMED_SELF_RELOCK: Program = Program {
    name: "timed_self_relock",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::LockTimeout(0, 10), Step::Unlock(0)],
        &[Step::Sleep(5), Step::LockTimeout(0, 20), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// AB/BA where both second acquires are timed (30 s and 20 s): no deadlock, the shorter
/// timeout breaks the cycle.
static AB_BA_WITH_TIMEOUTS: Program = Program {
    name: "ab_ba_with_timeouts",
    locks: 2,
    condvars: 0,
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
    bounds: &[2, 3],
};

/// AB/BA where every acquire is timed with the same 10 s: both second acquires time out
/// together.
static AB_BA_EQUAL_TIMEOUTS: Program = Program {
    name: "ab_ba_equal_timeouts",
    locks: 2,
    condvars: 0,
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
    bounds: &[2, 3],
};

/// Plain AB/BA: some interleavings deadlock at 0 s.
static AB_BA_DEADLOCK: Program = Program {
    name: "ab_ba_deadlock",
    locks: 2,
    condvars: 0,
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
    bounds: &[2, 3],
};

/// AB/BA with sleeps while holding the first lock: the deadlock is only reached after the
/// clock has advanced to 20 s, once both sleepers woke.
static DEADLOCK_AFTER_SLEEPS: Program = Program {
    name: "deadlock_after_sleeps",
    locks: 2,
    condvars: 0,
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
    bounds: &[2, 3],
};

/// AB/BA where one thread first tries its second lock with a 10 s timeout, gives it back if it
/// got it, and then insists with a plain lock: when the timeout fired, the deadlock follows at
/// 10 s.
static DEADLOCK_AFTER_TIMEOUT: Program = Program {
    name: "deadlock_after_timeout",
    locks: 2,
    condvars: 0,
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
    bounds: &[2, 3],
};

/// A thread sleeps holding a lock, then takes it again with a plain `Lock`: locks are not
/// reentrant, so it waits for itself forever, a deadlock at 10 s whoever goes first.
///
/// Measured at 0d624b9: the facade missed it (the kernel never counted a thread as blocked by a
/// lock it holds itself), loom then reported a deadlock of its own, and unwinding that panic
/// through the thread's guard aborted the process. Now the facade reports the self-relock itself
/// before the backend blocks, at 10 s, on its first execution.
static SELF_DEADLOCK: Program = Program {
    name: "self_deadlock",
    locks: 1,
    condvars: 0,
    threads: &[
        &[
            Step::Lock(0),
            Step::Sleep(10),
            Step::Lock(0),
            Step::Unlock(0),
        ],
        &[Step::Lock(0), Step::Unlock(0)],
    ],
    deadlocks: true,
    bounds: &[2, 3],
};

/// Two timed waiters with the same 30 s deadline against a 30 s holder: all three deadlines
/// fire together.
static TWO_WAITERS_EQUAL_DEADLINES: Program = Program {
    name: "two_waiters_equal_deadlines",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2],
};

/// A plain and a timed waiter against a 30 s holder: the timed one (30 s) times out at the
/// release instant, the plain one gets the lock then.
static PLAIN_AND_TIMED_WAITERS: Program = Program {
    name: "plain_and_timed_waiters",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[Step::Lock(0), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// A timed waiter woken by a release at 10 s can lose the race to a plain locker: it parks
/// again with its original deadline (15 s) and times out before the new holder's sleep ends
/// (20 s).
static RETRY_KEEPS_DEADLINE: Program = Program {
    name: "retry_keeps_deadline",
    locks: 1,
    condvars: 0,
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
    bounds: &[2],
};

/// The lock can pass from a 20 s holder to a 10 s holder: the second release then coincides
/// with the timed waiter's 30 s deadline, which must win.
static HANDOFF_CHAIN: Program = Program {
    name: "handoff_chain",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(20), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
        &[Step::Lock(0), Step::Sleep(10), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2],
};

/// A timed waiter (30 s) and a plain waiter against a 30 s holder, where the plain waiter then
/// holds the lock over a 10 s sleep: the timed waiter times out at 30 s, even when its last
/// try for the lock is still pending when the holder hands the lock to the plain waiter.
///
/// Measured at 0d624b9: the facade invents a deadlock. The timed waiter's deadline fires while
/// its `try_lock` is pending; the plain waiter then takes the lock, so loom blocks the pending
/// try (loom issue #376) until the lock is free again, while the kernel counts the fired waiter
/// as runnable and so never settles when the plain waiter goes to sleep. Loom then reports a
/// deadlock of its own, and unwinding that panic through the sleeper's guard aborts the
/// process.
static TIMED_OUT_TRY_LOSES_RACE: Program = Program {
    name: "timed_out_try_loses_race",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(30), Step::Unlock(0)],
        &[Step::Lock(0), Step::Sleep(10), Step::Unlock(0)],
        &[Step::LockTimeout(0, 30), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2],
};

/// Three threads over two locks, mixing sleeps while holding and timeouts on both locks.
static TWO_LOCKS_THREE_THREADS: Program = Program {
    name: "two_locks_three_threads",
    locks: 2,
    condvars: 0,
    threads: &[
        &[
            Step::Lock(0),
            Step::Sleep(10),
            Step::LockTimeout(1, 10),
            Step::Unlock(1),
            Step::Unlock(0),
        ],
        &[Step::Lock(1), Step::Sleep(20), Step::Unlock(1)],
        &[
            Step::LockTimeout(0, 5),
            Step::LockTimeout(1, 30),
            Step::Unlock(1),
            Step::Unlock(0),
        ],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// Two threads each try the lock once and give it back if they got it: a try that lands while
/// the other holds it fails. Before the facade's try probe, loom never scheduled a try inside
/// the other's critical section, and the facade never reached `busy0@0`.
static TWO_TRY_LOCKS: Program = Program {
    name: "two_try_locks",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::TryLock(0), Step::Unlock(0)],
        &[Step::TryLock(0), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// Two waiters (10 s timeouts) and a notifier that calls `notify_one` under the lock: either
/// waiter can be the one notified (std promises no order), the other times out at 10 s; or the
/// notification comes before one or both wait.
static NOTIFY_ONE_TWO_WAITERS: Program = Program {
    name: "notify_one_two_waiters",
    locks: 1,
    condvars: 1,
    threads: &[
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[Step::Lock(0), Step::NotifyOne(0), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2],
};

/// Two waiters queued in a fixed order (the second starts waiting at 1 s) and a `notify_one` at
/// 2 s: either can be the one notified, not only the longest-waiting one.
///
/// Measured before `notify_one` could wake any waiter: the facade reached only the outcome
/// where `t0`, the first in the queue, was notified.
static NOTIFY_ONE_QUEUED_WAITERS: Program = Program {
    name: "notify_one_queued_waiters",
    locks: 1,
    condvars: 1,
    threads: &[
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[
            Step::Sleep(1),
            Step::Lock(0),
            Step::Wait(0, 0, 10),
            Step::Unlock(0),
        ],
        &[
            Step::Sleep(2),
            Step::Lock(0),
            Step::NotifyOne(0),
            Step::Unlock(0),
        ],
    ],
    deadlocks: false,
    bounds: &[2],
};

/// The same with `notify_all`: every waiter that waits before it is notified.
static NOTIFY_ALL_TWO_WAITERS: Program = Program {
    name: "notify_all_two_waiters",
    locks: 1,
    condvars: 1,
    threads: &[
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[Step::Lock(0), Step::NotifyAll(0), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2],
};

/// A notifier without the lock: its notification can come before the wait (lost: the waiter
/// times out at 10 s) or after it.
static UNLOCKED_NOTIFY: Program = Program {
    name: "unlocked_notify",
    locks: 1,
    condvars: 1,
    threads: &[
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[Step::NotifyOne(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// A try against a holder that sleeps 10 s holding the lock: the try (at 0 s) fails, or takes
/// the lock first and the holder waits for it.
static TRY_AGAINST_SLEEPING_HOLDER: Program = Program {
    name: "try_against_sleeping_holder",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::Lock(0), Step::Sleep(10), Step::Unlock(0)],
        &[Step::TryLock(0), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// A try that holds the lock over a 5 s sleep, and a timed waiter (10 s): the waiter gets the
/// lock at 0 s or 5 s, and the try fails when the waiter got it first.
static TRY_THEN_TIMED_WAITER: Program = Program {
    name: "try_then_timed_waiter",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::TryLock(0), Step::Sleep(5), Step::Unlock(0)],
        &[Step::LockTimeout(0, 10), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

#[test]
fn two_try_locks() {
    differential(&TWO_TRY_LOCKS);
}

#[test]
fn try_against_sleeping_holder() {
    differential(&TRY_AGAINST_SLEEPING_HOLDER);
}

#[test]
fn try_then_timed_waiter() {
    differential(&TRY_THEN_TIMED_WAITER);
}

/// Two waiters and two unlocked `notify_one`s 5 s apart: the second can wake the waiter the
/// first did not, or find nobody waiting.
static TWO_NOTIFIES_TWO_WAITERS: Program = Program {
    name: "two_notifies_two_waiters",
    locks: 1,
    condvars: 1,
    threads: &[
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[Step::Lock(0), Step::Wait(0, 0, 10), Step::Unlock(0)],
        &[Step::NotifyOne(0), Step::Sleep(5), Step::NotifyOne(0)],
    ],
    deadlocks: false,
    bounds: &[2],
};

#[test]
fn timeout_equals_hold() {
    differential(&TIMEOUT_EQUALS_HOLD);
}

#[test]
fn timeout_shorter_than_hold() {
    differential(&TIMEOUT_SHORTER_THAN_HOLD);
}

#[test]
fn timeout_longer_than_hold() {
    differential(&TIMEOUT_LONGER_THAN_HOLD);
}

#[test]
fn holders_sleep_plain_waiter() {
    differential(&HOLDERS_SLEEP_PLAIN_WAITER);
}

#[test]
fn relock_race() {
    differential(&RELOCK_RACE);
}

#[test]
fn timed_self_relock() {
    differential(&TIMED_SELF_RELOCK);
}

#[test]
fn ab_ba_with_timeouts() {
    differential(&AB_BA_WITH_TIMEOUTS);
}

#[test]
fn ab_ba_equal_timeouts() {
    differential(&AB_BA_EQUAL_TIMEOUTS);
}

#[test]
fn ab_ba_deadlock() {
    differential(&AB_BA_DEADLOCK);
}

#[test]
fn deadlock_after_sleeps() {
    differential(&DEADLOCK_AFTER_SLEEPS);
}

#[test]
fn deadlock_after_timeout() {
    differential(&DEADLOCK_AFTER_TIMEOUT);
}

#[test]
fn self_deadlock() {
    differential(&SELF_DEADLOCK);
}

#[test]
fn two_waiters_equal_deadlines() {
    differential(&TWO_WAITERS_EQUAL_DEADLINES);
}

#[test]
fn plain_and_timed_waiters() {
    differential(&PLAIN_AND_TIMED_WAITERS);
}

#[test]
fn retry_keeps_deadline() {
    differential(&RETRY_KEEPS_DEADLINE);
}

#[test]
fn handoff_chain() {
    differential(&HANDOFF_CHAIN);
}

#[test]
fn timed_out_try_loses_race() {
    differential(&TIMED_OUT_TRY_LOSES_RACE);
}

#[test]
fn two_locks_three_threads() {
    differential(&TWO_LOCKS_THREE_THREADS);
}

#[test]
fn notify_one_two_waiters() {
    differential(&NOTIFY_ONE_TWO_WAITERS);
}

#[test]
fn notify_all_two_waiters() {
    differential(&NOTIFY_ALL_TWO_WAITERS);
}

#[test]
fn unlocked_notify() {
    differential(&UNLOCKED_NOTIFY);
}

#[test]
fn two_notifies_two_waiters() {
    differential(&TWO_NOTIFIES_TWO_WAITERS);
}

#[test]
fn notify_one_queued_waiters() {
    differential(&NOTIFY_ONE_QUEUED_WAITERS);
}

/// A holder that panics (caught) and a plain taker: the lock is released by the unwinding
/// guard, never poisoned, so the taker gets it before or after the panicking hold.
static PANIC_THEN_LOCK: Program = Program {
    name: "panic_then_lock",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::PanicHolding(0), Step::Sleep(5), Step::PanicHolding(0)],
        &[Step::Lock(0), Step::Sleep(10), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2, 3],
};

/// A try and a timed waiter against a holder that panics: the try fails only while the
/// panicking hold lasts, and the waiter never waits on a lock a panic left behind.
static PANIC_AGAINST_TRY_AND_TIMED: Program = Program {
    name: "panic_against_try_and_timed",
    locks: 1,
    condvars: 0,
    threads: &[
        &[Step::PanicHolding(0), Step::Sleep(5), Step::PanicHolding(0)],
        &[Step::TryLock(0), Step::Unlock(0)],
        &[Step::LockTimeout(0, 10), Step::Sleep(10), Step::Unlock(0)],
    ],
    deadlocks: false,
    bounds: &[2],
};

#[test]
fn panic_then_lock() {
    differential(&PANIC_THEN_LOCK);
}

#[test]
fn panic_against_try_and_timed() {
    differential(&PANIC_AGAINST_TRY_AND_TIMED);
}
