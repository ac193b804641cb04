//! Liveness under shuttle: spin loops and CAS-retry loops reported as livelocks with small seeds
//! that replay with the same message; no false livelock on a progressing loop, a spin-wait for
//! a sleeper or a thread PCT starves; run-length-encoded schedules; atomics in the trace.
#![cfg(all(feature = "shuttle", not(loom)))]

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::Scenario;
use lockstep::seed::{decode_schedule, encode_schedule, SeedError, SeedFile};
use lockstep::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::Arc;
use lockstep::thread;
use lockstep::time::Duration;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lockstep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A thread spins on a flag nobody sets (no yield), while main joins it.
fn spin_on_a_flag_nobody_sets() {
    let flag = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&flag);
    let spinner = thread::spawn(move || while !f.load(Ordering::Acquire) {});
    spinner.join().unwrap();
}

const SPIN: Scenario = Scenario {
    name: "spin",
    about: "a thread spins on a flag nobody sets",
    bugs: &[],
    run: |_| spin_on_a_flag_nobody_sets(),
};

#[test]
fn a_spin_loop_is_a_livelock_with_a_small_seed_that_replays_and_shrinks_no_larger() {
    let dir = scratch("liveness-spin");
    let report = Explorer::new(Strategy::Random)
        .iterations(10)
        .seeds_dir(&dir)
        .explore(&SPIN, lockstep::scenario::Variant::Fixed);
    let failure = report.failure.expect("the spin is reported");
    let message = &failure.message;
    assert!(
        message.starts_with("livelock: every thread is spinning or blocked"),
        "{message}"
    );
    assert!(
        message.contains("main      waits to join thread-1"),
        "{message}"
    );
    assert!(
        message.contains("thread-1  spins: 1000 retries since the last progress, the last one load of AtomicBool#1"),
        "{message}"
    );
    let path = report.seed_file.expect("a seeds dir").unwrap();
    let written = std::fs::metadata(&path).unwrap().len();
    assert!(written < 100_000, "the seed file has {written} bytes");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("schedule = \"0x2 1x1001\""),
        "run-length encoded:\n{text}"
    );

    let replayed = lockstep::replay::replay(&path, &[SPIN]).expect("replays");
    assert_eq!(replayed.failure.as_deref(), Some(message.as_str()));

    let shrunk = lockstep::shrink::shrink_file(&path, &[SPIN], 50).unwrap();
    let mut input = SeedFile::read(&path).unwrap();
    let mut output = shrunk.seed.clone();
    input.shrinking = None;
    output.shrinking = None;
    assert!(output.to_toml().len() <= input.to_toml().len());
    assert_eq!(shrunk.seed.message, *message);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_compare_exchange_retry_loop_is_a_livelock_naming_both_threads() {
    let failure = Explorer::new(Strategy::Pos)
        .iterations(10)
        .run(|| {
            let counter = Arc::new(AtomicUsize::new(0));
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let c = Arc::clone(&counter);
                    // Expects 5, which nobody ever stores.
                    thread::spawn(move || {
                        while c
                            .compare_exchange(5, 6, Ordering::AcqRel, Ordering::Acquire)
                            .is_err()
                        {}
                    })
                })
                .collect();
            for worker in workers {
                worker.join().unwrap();
            }
        })
        .unwrap_err();
    let message = &failure.message;
    assert!(message.starts_with("livelock:"), "{message}");
    for thread in ["thread-1", "thread-2"] {
        assert!(
            message.lines().any(|line| line.contains(thread)
                && line.contains("the last one compare_exchange of AtomicUsize#1")),
            "{thread}: {message}"
        );
    }
    assert!(message.contains("waits to join thread-1"), "{message}");
}

#[test]
fn a_try_lock_and_yield_spin_is_a_livelock_naming_the_lock_and_its_holder() {
    let failure = Explorer::new(Strategy::Random)
        .iterations(10)
        .livelock_bound(50)
        .run(|| {
            let lock = Arc::new(lockstep::sync::Mutex::named("table", ()));
            let _held = lock.lock();
            let l = Arc::clone(&lock);
            let spinner = thread::spawn(move || loop {
                if l.try_lock().is_some() {
                    break;
                }
                thread::yield_now();
            });
            spinner.join().unwrap();
        })
        .unwrap_err();
    let message = &failure.message;
    assert!(message.starts_with("livelock:"), "{message}");
    assert!(message.contains("in the last 50 retries"), "{message}");
    assert!(
        message.contains("the last one yield_now")
            || message.contains("the last one a failed try_lock of Mutex \"table\""),
        "{message}"
    );
}

#[test]
fn a_long_loop_that_makes_progress_is_no_livelock() {
    // 5000 increments (each progress) while the other thread spins until it sees them all.
    Explorer::new(Strategy::Random)
        .iterations(5)
        .run(|| {
            let counter = Arc::new(AtomicUsize::new(0));
            let c = Arc::clone(&counter);
            let counting = thread::spawn(move || {
                for _ in 0..5000 {
                    c.fetch_add(1, Ordering::Release);
                }
            });
            while counter.load(Ordering::Acquire) < 5000 {}
            counting.join().unwrap();
        })
        .expect("progress is no livelock");
}

#[test]
fn a_spin_wait_for_a_sleeper_lets_virtual_time_pass() {
    // Before: the sleeper never woke (time moved only when every thread blocked), so the spin
    // ran into the step bound.
    Explorer::new(Strategy::Random)
        .iterations(5)
        .run(|| {
            let flag = Arc::new(AtomicBool::new(false));
            let f = Arc::clone(&flag);
            let sleeper = thread::spawn(move || {
                lockstep::time::sleep(Duration::from_secs(1));
                f.store(true, Ordering::Release);
            });
            while !flag.load(Ordering::Acquire) {
                thread::yield_now();
            }
            assert!(lockstep::time::Instant::now().since_start() >= Duration::from_secs(1));
            sleeper.join().unwrap();
        })
        .expect("the sleeper wakes");
}

#[test]
fn a_thread_starved_by_pct_is_no_livelock_and_gets_to_run() {
    // The spinner never yields; at the higher priority PCT would run it forever. The spin is
    // no livelock (the setter can run), and the spinner yields once per bound, so the setter
    // runs and the execution ends.
    for seed in 0..20 {
        Explorer::new(Strategy::Pct { depth: 1 })
            .seed(seed)
            .iterations(3)
            .run(|| {
                let flag = Arc::new(AtomicBool::new(false));
                let f = Arc::clone(&flag);
                let setter = thread::spawn(move || f.store(true, Ordering::Release));
                while !flag.load(Ordering::Acquire) {}
                setter.join().unwrap();
            })
            .unwrap_or_else(|failure| panic!("seed {seed}: {}", failure.message));
    }
}

#[test]
fn schedules_are_run_length_encoded_and_old_arrays_still_parse() {
    let schedule: Vec<usize> = [0, 0, 1].into_iter().chain([2; 5000]).chain([1]).collect();
    assert_eq!(encode_schedule(&schedule), "0x2 1 2x5000 1");
    assert_eq!(
        decode_schedule(&encode_schedule(&schedule)).unwrap(),
        schedule
    );
    assert_eq!(decode_schedule("").unwrap(), Vec::<usize>::new());

    let header = "lockstep_version = \"0.1.0\"\nscenario = \"s\"\nvariant = \"fixed\"\n\
                  backend = \"shuttle\"\nstrategy = \"random\"\nseed = 0\niteration = 1\n\
                  expected = \"fail\"\nmessage = \"m\"\n";
    let old = SeedFile::parse(&format!("{header}schedule = [0, 1, 1, 2]\n")).unwrap();
    assert_eq!(old.schedule, [0, 1, 1, 2]);
    let mut long = old.clone();
    long.schedule = schedule.clone();
    let text = long.to_toml();
    assert!(text.contains("schedule = \"0x2 1 2x5000 1\""), "{text}");
    assert_eq!(SeedFile::parse(&text).unwrap(), long);
    // A short schedule stays an array when that is no longer.
    let mut short = old.clone();
    short.schedule = vec![0];
    assert!(short.to_toml().contains("schedule = [0]"));

    let dir = scratch("liveness-rle");
    let path = dir.join("bad.toml");
    std::fs::write(&path, format!("{header}schedule = \"0 1x 2\"\n")).unwrap();
    let err = SeedFile::read(&path).unwrap_err();
    assert!(matches!(err, SeedError::Malformed { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );
    assert!(message.contains("bad schedule token `1x`"), "{message}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn with_the_trace_off_a_spin_on_an_atomic_is_still_a_livelock() {
    // Nothing is recorded (tests/atomic_trace.rs checks the rows when it is on), and the
    // detector still counts.
    let quiet = Explorer::new(Strategy::Random)
        .trace(false)
        .iterations(1)
        .run(|| {
            let never = AtomicBool::new(false);
            while !never.load(Ordering::Acquire) {}
        });
    let quiet = quiet.unwrap_err();
    assert!(quiet.message.starts_with("livelock:"), "{}", quiet.message);
}
