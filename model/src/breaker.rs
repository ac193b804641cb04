//! A circuit breaker on virtual time: CLOSED → OPEN after `failure_threshold` consecutive
//! failures; OPEN → HALF_OPEN once `reset_timeout` has passed (exactly then, in virtual time);
//! HALF_OPEN admits `half_open_probes` probes (however many callers arrive at once) and goes
//! CLOSED on a successful probe or back to OPEN on a failed one. Calls while open are rejected
//! at once with [`BreakerError::Open`] so the caller can fall back.

use lockstep::scenario::{size, Scenario, Variant};
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;
use lockstep::time::{sleep, Duration, Instant};
use std::fmt;
use thiserror::Error;

/// Planted bug: half-open admits every concurrent caller, not just the allowed probes.
pub const HALF_OPEN_ADMITS_ALL: &str = "half-open-admits-all";
/// Planted bug: the failure count is not reset when the breaker closes.
pub const NO_RESET_ON_CLOSE: &str = "no-reset-on-close";
/// Planted bug: OPEN goes straight to CLOSED after the reset timeout, without a probe.
pub const CLOSE_WITHOUT_PROBE: &str = "close-without-probe";

/// The breaker's states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Calls go through.
    Closed,
    /// Calls are rejected.
    Open,
    /// A limited number of probe calls go through.
    HalfOpen,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Closed => "CLOSED",
            State::Open => "OPEN",
            State::HalfOpen => "HALF_OPEN",
        })
    }
}

/// Why a call through the breaker failed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BreakerError<E> {
    /// The breaker is open (or half-open with its probes taken): use the fallback.
    #[error("breaker {0} is open")]
    Open(String),
    /// The downstream call failed.
    #[error("downstream failed: {0:?}")]
    Failed(E),
}

/// How a breaker behaves.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Consecutive failures that open it.
    pub failure_threshold: u32,
    /// How long it stays open before probing.
    pub reset_timeout: Duration,
    /// Probes admitted while half-open.
    pub half_open_probes: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            failure_threshold: 3,
            reset_timeout: Duration::from_secs(30),
            half_open_probes: 1,
        }
    }
}

/// Call counters; `calls == successes + failures + rejections + in_flight` whenever a reader
/// looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Calls made.
    pub calls: u64,
    /// Calls that succeeded.
    pub successes: u64,
    /// Calls that failed downstream.
    pub failures: u64,
    /// Calls rejected while open.
    pub rejections: u64,
    /// Calls admitted and not finished.
    pub in_flight: u64,
    /// Total latency of finished calls.
    pub latency: Duration,
}

struct Inner {
    state: State,
    consecutive_failures: u32,
    opened_at: Instant,
    probes: u32,
    metrics: Metrics,
}

/// A circuit breaker in front of one downstream.
pub struct Breaker {
    name: String,
    config: Config,
    close_without_probe: bool,
    half_open_admits_all: bool,
    no_reset_on_close: bool,
    inner: Mutex<Inner>,
}

impl Breaker {
    /// A closed breaker for downstream `name`, with the planted bugs of `variant`.
    pub fn new(name: &str, config: Config, variant: Variant) -> Self {
        Breaker {
            name: name.to_owned(),
            config,
            close_without_probe: variant.has_bug(CLOSE_WITHOUT_PROBE),
            half_open_admits_all: variant.has_bug(HALF_OPEN_ADMITS_ALL),
            no_reset_on_close: variant.has_bug(NO_RESET_ON_CLOSE),
            inner: Mutex::named(
                &format!("breaker {name}"),
                Inner {
                    state: State::Closed,
                    consecutive_failures: 0,
                    opened_at: Instant::now(),
                    probes: 0,
                    metrics: Metrics::default(),
                },
            ),
        }
    }

    /// Calls `downstream` through the breaker.
    pub fn call<T, E>(
        &self,
        downstream: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, BreakerError<E>> {
        let probe = match self.admit() {
            Some(probe) => probe,
            None => return Err(BreakerError::Open(self.name.clone())),
        };
        let start = Instant::now();
        let result = downstream();
        let latency = Instant::now().duration_since(start);
        self.finish(result.is_ok(), probe, latency);
        result.map_err(BreakerError::Failed)
    }

    /// Admits a call (`Some(is_probe)`) or rejects it (`None`).
    fn admit(&self) -> Option<bool> {
        let mut inner = self.inner.lock();
        inner.metrics.calls += 1;
        let now = Instant::now();
        if inner.state == State::Open
            && now.duration_since(inner.opened_at) >= self.config.reset_timeout
        {
            let next = if self.close_without_probe {
                State::Closed
            } else {
                State::HalfOpen
            };
            self.transition(&mut inner, next);
        }
        let admitted = match inner.state {
            State::Closed => Some(false),
            State::Open => None,
            State::HalfOpen => {
                let room = inner.probes < self.config.half_open_probes;
                (room || self.half_open_admits_all).then(|| {
                    inner.probes += 1;
                    true
                })
            }
        };
        match admitted {
            Some(_) => inner.metrics.in_flight += 1,
            None => inner.metrics.rejections += 1,
        }
        check_metrics(&inner.metrics);
        admitted
    }

    fn finish(&self, ok: bool, probe: bool, latency: Duration) {
        let mut inner = self.inner.lock();
        inner.metrics.in_flight -= 1;
        inner.metrics.latency += latency;
        if probe {
            inner.probes -= 1;
        }
        if ok {
            inner.metrics.successes += 1;
            if probe && inner.state == State::HalfOpen {
                self.transition(&mut inner, State::Closed);
            }
            if inner.state == State::Closed && !(probe && self.no_reset_on_close) {
                inner.consecutive_failures = 0;
            }
        } else {
            inner.metrics.failures += 1;
            match inner.state {
                State::HalfOpen if probe => self.open(&mut inner),
                State::Closed => {
                    inner.consecutive_failures += 1;
                    if inner.consecutive_failures >= self.config.failure_threshold {
                        self.open(&mut inner);
                    }
                }
                _ => {}
            }
        }
        check_metrics(&inner.metrics);
    }

    fn open(&self, inner: &mut Inner) {
        inner.opened_at = Instant::now();
        self.transition(inner, State::Open);
    }

    /// Moves to `to`; panics on a transition the breaker must never take.
    fn transition(&self, inner: &mut Inner, to: State) {
        let from = inner.state;
        let legal = matches!(
            (from, to),
            (State::Closed, State::Open)
                | (State::Open, State::HalfOpen)
                | (State::HalfOpen, State::Closed | State::Open)
        );
        assert!(
            legal,
            "breaker {}: illegal transition {from} -> {to}",
            self.name
        );
        lockstep::trace::event(&format!("breaker {}", self.name), format!("{from} -> {to}"));
        lockstep::coverage::hit(&format!("breaker {from} -> {to}"));
        inner.state = to;
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.inner.lock().state
    }

    /// The consecutive failures counted while closed.
    pub fn consecutive_failures(&self) -> u32 {
        self.inner.lock().consecutive_failures
    }

    /// A consistent snapshot of the counters.
    pub fn metrics(&self) -> Metrics {
        let metrics = self.inner.lock().metrics;
        check_metrics(&metrics);
        metrics
    }
}

/// Panics unless `m` adds up: every call made is a success, a failure, a rejection or still in
/// flight. The breaker checks it after every change of its counters.
///
/// ```
/// use model::breaker::{check_metrics, Metrics};
///
/// check_metrics(&Metrics { calls: 2, successes: 1, in_flight: 1, ..Metrics::default() });
/// let lost = std::panic::catch_unwind(|| check_metrics(&Metrics { calls: 1, ..Metrics::default() }));
/// assert!(lost.is_err());
/// ```
pub fn check_metrics(m: &Metrics) {
    assert_eq!(
        m.calls,
        m.successes + m.failures + m.rejections + m.in_flight,
        "breaker metrics inconsistent: {m:?}"
    );
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Opens a breaker with one failure, waits out the reset timeout, then `callers` callers (6)
/// arrive at once with a slow downstream: at most one probe may be inside at any moment.
fn half_open_probe(variant: Variant) {
    let callers = size("callers", 6);
    let config = Config {
        failure_threshold: 1,
        ..Config::default()
    };
    let breaker = Arc::new(Breaker::new("payments", config, variant));
    assert!(matches!(
        breaker.call(|| Err::<(), _>("down")),
        Err(BreakerError::Failed(_))
    ));
    assert_eq!(breaker.state(), State::Open);
    sleep(config.reset_timeout);
    let inside = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (0..callers)
        .map(|_| {
            let (breaker, inside) = (Arc::clone(&breaker), Arc::clone(&inside));
            thread::spawn(move || {
                let _ = breaker.call(|| {
                    let probes = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    assert!(
                        probes <= 1,
                        "{probes} probes inside a half-open breaker that allows 1"
                    );
                    sleep(secs(1));
                    inside.fetch_sub(1, Ordering::SeqCst);
                    Ok::<(), ()>(())
                });
            })
        })
        .collect();
    for caller in callers {
        caller.join().expect("caller panicked");
    }
    assert_eq!(breaker.state(), State::Closed);
}

/// `failures` failures (5, the threshold) open it; at exactly the reset timeout a probe
/// succeeds and closes it; then `failures - 1` more failures must not reopen it (the count was
/// reset). A monitor reads the metrics `reads` times (5), every 15 s, meanwhile (they must
/// always add up).
fn recovery(variant: Variant) {
    let threshold = size("failures", 5);
    let config = Config {
        failure_threshold: u32::try_from(threshold).expect("a failure threshold fits in u32"),
        ..Config::default()
    };
    let reads = size("reads", 5);
    let breaker = Arc::new(Breaker::new("search", config, variant));
    let monitor = {
        let breaker = Arc::clone(&breaker);
        thread::spawn(move || {
            for _ in 0..reads {
                let _ = breaker.metrics();
                sleep(secs(15));
            }
        })
    };
    for _ in 0..threshold {
        let _ = breaker.call(|| Err::<(), _>("down"));
    }
    assert_eq!(breaker.state(), State::Open);
    sleep(secs(29));
    assert!(
        matches!(breaker.call(|| Ok::<_, ()>(())), Err(BreakerError::Open(_))),
        "still open at 29 s"
    );
    sleep(secs(1));
    assert!(
        breaker.call(|| Ok::<_, ()>(())).is_ok(),
        "the probe at exactly 30 s is admitted"
    );
    assert_eq!(breaker.state(), State::Closed);
    let blips = threshold.saturating_sub(1);
    for blip in 1..=blips {
        let _ = breaker.call(|| Err::<(), _>("blip"));
        assert_eq!(
            breaker.state(),
            State::Closed,
            "failure {blip} after closing reopened it (threshold {threshold}): the count was not reset"
        );
    }
    assert_eq!(
        breaker.consecutive_failures(),
        config.failure_threshold.saturating_sub(1)
    );
    monitor
        .join()
        .expect("the monitor saw inconsistent metrics");
}

/// Two breakers, `callers` callers (3) each calling both: one downstream fails and its breaker
/// opens (if the callers reach its threshold); calls to the other keep working, from every
/// caller at once, and its metrics stay consistent throughout.
fn isolation(variant: Variant) {
    let failing = Arc::new(Breaker::new("inventory", Config::default(), variant));
    let healthy = Arc::new(Breaker::new("pricing", Config::default(), variant));
    let callers = size("callers", 3);
    let threads: Vec<_> = (0..callers)
        .map(|i| {
            let (failing, healthy) = (Arc::clone(&failing), Arc::clone(&healthy));
            thread::spawn(move || {
                let _ = failing.call(|| Err::<(), _>("down"));
                assert!(
                    healthy.call(|| Ok::<_, ()>(i)).is_ok(),
                    "an open breaker blocked another downstream"
                );
                let _ = healthy.metrics();
            })
        })
        .collect();
    for t in threads {
        t.join().expect("caller panicked");
    }
    let threshold = Config::default().failure_threshold as usize;
    let opened = if callers >= threshold {
        State::Open
    } else {
        State::Closed
    };
    assert_eq!(failing.state(), opened);
    assert_eq!(healthy.state(), State::Closed);
    assert_eq!(healthy.metrics().successes, callers as u64);
}

/// The circuit breaker's scenarios.
pub const SCENARIOS: [Scenario; 3] = [
    Scenario {
        name: "breaker-half-open-probe",
        about: "half-open admits exactly one probe, however many callers arrive",
        bugs: &[HALF_OPEN_ADMITS_ALL],
        run: half_open_probe,
    },
    Scenario {
        name: "breaker-recovery",
        about: "opens at its failure threshold, half-opens at exactly 30 s, closes on a probe, resets its count",
        bugs: &[NO_RESET_ON_CLOSE, CLOSE_WITHOUT_PROBE],
        run: recovery,
    },
    Scenario {
        name: "breaker-isolation",
        about: "an open breaker never affects another downstream; metrics stay consistent",
        bugs: &[],
        run: isolation,
    },
];
