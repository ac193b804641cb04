//! The circuit breaker under shuttle: exact virtual-time behaviour, one probe in half-open even
//! under hundreds of concurrent callers, every planted bug caught.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/model_checks.rs"]
mod model_checks;

use lockstep::explore::{Explorer, Strategy};
use lockstep::scenario::Variant;
use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::Arc;
use lockstep::time::{sleep, Duration};
use model::breaker::{self, Breaker, BreakerError, Config, State, SCENARIOS};

#[test]
fn the_fixed_breaker_passes_1000_executions_of_each_strategy() {
    model_checks::fixed_scenarios_pass(&SCENARIOS, 3);
}

#[test]
fn every_fixed_scenario_takes_the_breaker_through_a_transition() {
    for scenario in &SCENARIOS {
        let report = Explorer::new(Strategy::Random)
            .iterations(20)
            .explore(scenario, Variant::Fixed);
        assert!(report.failure.is_none(), "{}", scenario.name);
        assert!(
            report.stats.coverage >= 1,
            "{} never moved a breaker: {:?}",
            scenario.name,
            report.stats
        );
    }
}

#[test]
fn every_planted_bug_is_caught() {
    let cases = [
        (
            &SCENARIOS[0],
            breaker::HALF_OPEN_ADMITS_ALL,
            "probes inside a half-open breaker that allows 1",
        ),
        (
            &SCENARIOS[1],
            breaker::NO_RESET_ON_CLOSE,
            "the count was not reset",
        ),
        (
            &SCENARIOS[1],
            breaker::CLOSE_WITHOUT_PROBE,
            "illegal transition OPEN -> CLOSED",
        ),
    ];
    model_checks::planted_bugs_are_caught(&cases);
}

#[test]
fn two_hundred_callers_at_a_half_open_breaker_get_exactly_one_probe() {
    let stats = Explorer::new(Strategy::Random)
        .iterations(20)
        .run(|| {
            let config = Config {
                failure_threshold: 1,
                ..Config::default()
            };
            let breaker = Arc::new(Breaker::new("bulk", config, Variant::Fixed));
            let _ = breaker.call(|| Err::<(), _>(()));
            sleep(config.reset_timeout);
            let probes = Arc::new(AtomicUsize::new(0));
            let callers: Vec<_> = (0..200)
                .map(|_| {
                    let (breaker, probes) = (Arc::clone(&breaker), Arc::clone(&probes));
                    lockstep::thread::spawn(move || {
                        let result = breaker.call(|| {
                            probes.fetch_add(1, Ordering::SeqCst);
                            sleep(Duration::from_millis(10));
                            Ok::<(), ()>(())
                        });
                        result.is_ok() || matches!(result, Err(BreakerError::Open(_)))
                    })
                })
                .collect();
            for caller in callers {
                assert!(caller.join().unwrap());
            }
            // Virtual time stands still while the probe works: every other caller arrives
            // while it is in flight and is turned away at once.
            assert_eq!(probes.load(Ordering::SeqCst), 1);
            assert_eq!(breaker.state(), State::Closed);
            let m = breaker.metrics();
            assert_eq!(
                (m.calls, m.successes, m.failures, m.rejections, m.in_flight),
                (201, 1, 1, 199, 0)
            );
        })
        .unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(stats.executions, 20);
}
