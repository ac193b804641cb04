//! `time::interval` programs, each one execution's body (see mpsc.rs).
#![allow(dead_code)] // each test file runs the programs its backend can check

use lockstep::time::{Duration, Instant};
use lockstep::tokio::{block_on, task, time};

const PERIOD: Duration = Duration::from_millis(10);

/// Three ticks: each returns the instant it was due, `start + k * period` (on any backend).
pub fn ticks_are_due_one_period_apart() -> Vec<Duration> {
    block_on(async {
        let start = Instant::now();
        let mut every = time::interval_at(start, PERIOD);
        let mut due = Vec::new();
        for _ in 0..3 {
            due.push(every.tick().await - start);
        }
        due
    })
}

/// On the virtual clock: a task busy for 25 ms misses ticks, which come in a burst (due 10
/// and 20, seen at 25), then the schedule goes on (30 seen at 30). Returns (due, seen) pairs,
/// in ms since the start.
pub fn missed_ticks_burst() -> Vec<(u128, u128)> {
    block_on(async {
        let start = Instant::now();
        let mut every = time::interval(PERIOD);
        let mut ticks = Vec::new();
        for n in 0..4 {
            let due = every.tick().await;
            ticks.push(((due - start).as_millis(), start.elapsed().as_millis()));
            if n == 0 {
                time::sleep(Duration::from_millis(25)).await;
            }
        }
        ticks
    })
}

/// An interval against a timeout of 25 ms on the virtual clock: ticks at 0, 10 and 20 happen,
/// the one due at 30 is cut off. Returns how many ticks happened and when the timeout fired.
pub fn a_timeout_cuts_an_interval() -> (usize, u128) {
    block_on(async {
        let start = Instant::now();
        let mut ticks = 0;
        let cut = time::timeout(Duration::from_millis(25), async {
            let mut every = time::interval(PERIOD);
            loop {
                every.tick().await;
                ticks += 1;
            }
        })
        .await;
        assert!(cut.is_err());
        (ticks, start.elapsed().as_millis())
    })
}

/// Two tasks tick on their own intervals (10 ms and 15 ms) until 30 ms: the merged sequence
/// of (ms, task) is fixed by the virtual clock, except the order of ties (at 0 and 30).
pub fn two_intervals_interleave_by_time() -> Vec<(u128, u8)> {
    block_on(async {
        let start = Instant::now();
        let log = std::sync::Arc::new(lockstep::tokio::sync::Mutex::new(Vec::new()));
        let ticker = |id: u8, period: u64| {
            let log = std::sync::Arc::clone(&log);
            task::spawn(async move {
                let mut every = time::interval(Duration::from_millis(period));
                loop {
                    let due = every.tick().await - start;
                    if due > Duration::from_millis(30) {
                        break;
                    }
                    log.lock().await.push((due.as_millis(), id));
                }
            })
        };
        let (a, b) = (ticker(1, 10), ticker(2, 15));
        a.await.unwrap();
        b.await.unwrap();
        let log = log.lock().await.clone();
        log
    })
}

/// Planted bug: a heartbeat every 10 ms takes a lock at each beat, given 15 ms by its
/// watchdog; another task holds the lock for 20 ms. When that task takes the lock first, the
/// first beat misses its watchdog: panics `missed heartbeat` (when the beat locks first, the
/// second beat waits only from 10 to 20 ms).
pub fn a_heartbeat_that_can_miss_its_watchdog() {
    block_on(async {
        let shared = std::sync::Arc::new(lockstep::tokio::sync::Mutex::named("state", ()));
        let other = std::sync::Arc::clone(&shared);
        task::spawn(async move {
            let _held = other.lock().await;
            time::sleep(Duration::from_millis(20)).await;
        });
        let mut every = time::interval(PERIOD);
        for _ in 0..2 {
            every.tick().await;
            let beat = time::timeout(Duration::from_millis(15), shared.lock()).await;
            assert!(beat.is_ok(), "missed heartbeat: {:?}", beat.unwrap_err());
        }
    })
}
