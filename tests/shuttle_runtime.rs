//! The runtime core under shuttle: races found from a seed and reproduced, semaphore bounds,
//! virtual time, and deadlock reports.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{explore, Explorer, Strategy};
use lockstep::scenario::Variant;
use lockstep::time::Duration;
use model::basics::{self, Acquire};
use model::scenarios;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

const SEED: u64 = 0x5eed;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn run_scenario(name: &str, variant: Variant) -> impl Fn() + Send + Sync + 'static {
    let scenario = scenarios::find(name).expect("scenario exists");
    move || (scenario.run)(variant)
}

/// Explores the lost-update scenario with two workers (its `workers` size knob).
fn lost_update(
    strategy: Strategy,
    seed: u64,
    iterations: usize,
    variant: Variant,
) -> Result<lockstep::explore::Stats, lockstep::explore::Failure> {
    Explorer::new(strategy)
        .seed(seed)
        .iterations(iterations)
        .size("workers", 2)
        .run(run_scenario("lost-update", variant))
}

#[test]
fn random_search_finds_the_lost_update_and_the_seed_reproduces_it() {
    let first = lost_update(
        Strategy::Random,
        SEED,
        1000,
        Variant::Bug("read-then-write"),
    )
    .expect_err("random search should find the lost update");
    assert_eq!(
        first.message,
        "lost update: counter is 1 after 2 increments"
    );
    for _ in 0..2 {
        let again = lost_update(
            Strategy::Random,
            SEED,
            1000,
            Variant::Bug("read-then-write"),
        )
        .expect_err("the same seed fails again");
        assert_eq!(
            again, first,
            "same seed, same failing execution and message"
        );
    }
}

#[test]
fn pct_and_dfs_find_the_lost_update_too() {
    let pct = lost_update(
        Strategy::Pct { depth: 2 },
        SEED,
        1000,
        Variant::Bug("read-then-write"),
    );
    assert_eq!(
        pct.expect_err("PCT finds it").message,
        "lost update: counter is 1 after 2 increments"
    );
    let dfs = lost_update(Strategy::Dfs, 0, 10_000, Variant::Bug("read-then-write"));
    assert_eq!(
        dfs.expect_err("DFS finds it").message,
        "lost update: counter is 1 after 2 increments"
    );
}

#[test]
fn pos_finds_the_lost_update_and_its_seed_reproduces_it() {
    let first = lost_update(Strategy::Pos, SEED, 1000, Variant::Bug("read-then-write"))
        .expect_err("POS finds it");
    assert_eq!(
        first.message,
        "lost update: counter is 1 after 2 increments"
    );
    let again = lost_update(Strategy::Pos, SEED, 1000, Variant::Bug("read-then-write"));
    assert_eq!(again.expect_err("again"), first);
}

#[test]
fn the_fixed_counter_passes_every_strategy() {
    for strategy in [
        Strategy::Random,
        Strategy::Pct { depth: 3 },
        Strategy::Pos,
        Strategy::Dfs,
    ] {
        let stats = lost_update(strategy, SEED, 500, Variant::Fixed)
            .unwrap_or_else(|f| panic!("{strategy:?} failed the fixed counter: {f:?}"));
        assert!(stats.executions > 0);
    }
}

#[test]
fn semaphore_never_has_more_holders_than_permits() {
    let most_seen = Arc::new(Mutex::new(BTreeSet::new()));
    let seen = Arc::clone(&most_seen);
    let stats = explore(Strategy::Random, SEED, 500, move || {
        seen.lock().unwrap().insert(basics::pool_occupancy(3, 2));
    })
    .expect("no failure");
    assert_eq!(stats.executions, 500);
    let most_seen = most_seen.lock().unwrap().clone();
    assert_eq!(
        most_seen.last(),
        Some(&2),
        "some execution had 2 holders, none more"
    );
}

#[test]
fn timeout_fires_at_exactly_thirty_virtual_seconds() {
    let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
    let o = Arc::clone(&outcomes);
    explore(Strategy::Random, SEED, 100, move || {
        o.lock()
            .unwrap()
            .insert(basics::timed_acquire_against_holder(
                secs(60),
                secs(30),
                true,
            ));
    })
    .expect("no failure, no deadlock");
    assert_eq!(
        *outcomes.lock().unwrap(),
        BTreeSet::from([Acquire::TimedOut(secs(30))])
    );
}

#[test]
fn a_release_before_the_deadline_is_acquired_at_the_release_time() {
    let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
    let o = Arc::clone(&outcomes);
    explore(Strategy::Random, SEED, 100, move || {
        o.lock()
            .unwrap()
            .insert(basics::timed_acquire_against_holder(
                secs(10),
                secs(30),
                true,
            ));
    })
    .expect("no failure, no deadlock");
    assert_eq!(
        *outcomes.lock().unwrap(),
        BTreeSet::from([Acquire::Acquired(secs(10))])
    );
}

#[test]
fn a_release_racing_the_deadline_reaches_both_outcomes() {
    let outcomes = Arc::new(Mutex::new(BTreeSet::new()));
    let o = Arc::clone(&outcomes);
    let stats = explore(Strategy::Random, SEED, 300, move || {
        o.lock()
            .unwrap()
            .insert(basics::timed_acquire_against_holder(
                secs(30),
                secs(30),
                false,
            ));
    })
    .expect("no execution is a deadlock");
    assert_eq!(stats.executions, 300);
    assert_eq!(
        *outcomes.lock().unwrap(),
        BTreeSet::from([
            Acquire::Acquired(Duration::ZERO),
            Acquire::TimedOut(secs(30))
        ])
    );
}

#[test]
fn an_ab_ba_deadlock_names_both_locks_and_holders() {
    // With the lock-order graph on, the inversion is reported before it deadlocks (see
    // shuttle_hierarchy.rs); off, the deadlock itself is found and reported.
    let failure = Explorer::new(Strategy::Random)
        .seed(SEED)
        .lock_order_graph(false)
        .run(basics::opposite_lock_order)
        .expect_err("random search finds the deadlock");
    insta::assert_snapshot!("ab_ba_deadlock_report", failure.message);
}

/// Runs `body` for 100 random executions and returns every value it produced.
fn all_outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explore(Strategy::Random, SEED, 100, move || {
        let value = body();
        sink.lock().unwrap().insert(value);
    })
    .unwrap_or_else(|f| panic!("unexpected failure: {f:?}"));
    let seen = seen.lock().unwrap().clone();
    seen
}

#[test]
fn a_permit_comes_back_on_early_return_and_on_panic() {
    let free_after = all_outcomes(|| {
        let pool = lockstep::sync::Semaphore::named("pool", 2);
        let early_return = |fail: bool| -> Result<(), &'static str> {
            let _permit = pool.acquire();
            if fail {
                return Err("validation failed");
            }
            Ok(())
        };
        assert!(early_return(true).is_err());
        let after_return = pool.available_permits();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _permit = pool.acquire();
            std::panic::resume_unwind(Box::new("operation failed"));
        }));
        assert!(unwound.is_err());
        (after_return, pool.available_permits())
    });
    assert_eq!(free_after, BTreeSet::from([(2, 2)]));
}

#[test]
fn condvar_wait_timeout_fires_in_virtual_time_unless_notified_first() {
    let outcomes = all_outcomes(|| {
        let pair = Arc::new((
            lockstep::sync::Mutex::new(false),
            lockstep::sync::Condvar::named("ready"),
        ));
        let notifier = {
            let pair = Arc::clone(&pair);
            lockstep::thread::spawn(move || {
                lockstep::time::sleep(secs(5));
                *pair.0.lock() = true;
                pair.1.notify_all();
            })
        };
        let start = lockstep::time::Instant::now();
        let mut guard = pair.0.lock();
        let mut result = Ok(());
        while !*guard && result.is_ok() {
            let (g, r) = pair.1.wait_timeout(guard, secs(2));
            guard = g;
            result = r;
        }
        drop(guard);
        let waited = start.elapsed();
        notifier.join().unwrap();
        (result.map_err(|e| e.to_string()), waited)
    });
    assert_eq!(
        outcomes,
        BTreeSet::from([(
            Err("timed out after 2s waiting for Condvar \"ready\"".to_owned()),
            secs(2)
        )])
    );
}

#[test]
fn rwlock_write_timeout_fires_while_a_reader_sleeps() {
    let outcomes = all_outcomes(|| {
        let lock = Arc::new(lockstep::sync::RwLock::named("config", 0));
        let reader = lock.read();
        let writer = {
            let lock = Arc::clone(&lock);
            lockstep::thread::spawn(move || {
                lock.write_timeout(secs(30))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        };
        lockstep::time::sleep(secs(45));
        drop(reader);
        (
            writer.join().unwrap(),
            lockstep::time::Instant::now().since_start(),
        )
    });
    assert_eq!(
        outcomes,
        BTreeSet::from([(
            Err("timed out after 30s waiting for RwLock \"config\"".to_owned()),
            secs(45)
        )])
    );
}

#[test]
fn a_deadlock_on_a_semaphore_and_a_join_names_holders() {
    let failure = explore(Strategy::Random, SEED, 10, || {
        let pool = Arc::new(lockstep::sync::Semaphore::named("pool", 1));
        let permit = pool.acquire();
        let worker = {
            let pool = Arc::clone(&pool);
            lockstep::thread::Builder::new()
                .name("worker")
                .spawn(move || drop(pool.acquire()))
                .unwrap()
        };
        worker.join().unwrap();
        drop(permit);
    })
    .expect_err("main holds the only permit while joining the worker that wants it");
    insta::assert_snapshot!("semaphore_join_deadlock_report", failure.message);
}

/// The program of "Every behaviour std allows": a mutex locked again by its holder while
/// another thread is still runnable.
fn relock_while_another_thread_runs() {
    let m = lockstep::sync::Arc::new(lockstep::sync::Mutex::named("m", ()));
    let other = lockstep::thread::spawn(|| {});
    let _held = m.lock();
    let _again = m.lock();
    drop(other);
}

#[test]
fn a_thread_relocking_its_own_mutex_gets_locksteps_report_not_shuttles() {
    let failure = Explorer::new(Strategy::Random)
        .iterations(10)
        .run(relock_while_another_thread_runs)
        .expect_err("a self-relock never returns");
    assert_eq!(failure.execution, 1);
    assert!(
        failure
            .message
            .starts_with("deadlock: main wants to lock Mutex \"m\" at tests/shuttle_runtime.rs:"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .message
            .contains("which it already holds (taken at tests/shuttle_runtime.rs:"),
        "{}",
        failure.message
    );
}

#[test]
fn a_write_lock_under_its_own_read_lock_is_a_self_relock() {
    let failure = Explorer::new(Strategy::Random)
        .iterations(10)
        .run(|| {
            let rw = lockstep::sync::RwLock::named("config", ());
            let _read = rw.read();
            let _write = rw.write();
        })
        .expect_err("a write under its own read never returns");
    assert!(
        failure
            .message
            .starts_with("deadlock: main wants to write-lock RwLock \"config\""),
        "{}",
        failure.message
    );
}

/// Uses `depth` KiB of the calling thread's stack (a frame of 1 KiB per level).
fn use_stack(depth: usize) -> u8 {
    let frame = std::hint::black_box([depth as u8; 1024]);
    if depth == 0 {
        frame[0]
    } else {
        frame[depth % 1024].wrapping_add(use_stack(depth - 1))
    }
}

#[test]
fn a_thread_may_use_more_than_shuttles_default_stack() {
    // 120 KiB of frames: twice shuttle's own 60 KiB coroutine stack, which overflowed
    // (SIGSEGV, the whole test binary gone) before the explorer set its own size.
    let stats = Explorer::new(Strategy::Random)
        .iterations(3)
        .run(|| {
            let worker = lockstep::thread::spawn(|| use_stack(120));
            assert_eq!(worker.join().unwrap(), use_stack(120));
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(stats.executions, 3);
}
