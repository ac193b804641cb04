//! The circuit breaker on real threads: two hundred callers against a flaky downstream; the
//! metrics always add up and the state is always a legal one (the breaker asserts both).
#![cfg(not(any(loom, feature = "shuttle")))]

use lockstep::scenario::Variant;
use lockstep::sync::Arc;
use lockstep::time::Duration;
use model::breaker::{Breaker, Config};

#[test]
fn two_hundred_threads_keep_the_metrics_consistent() {
    let config = Config {
        reset_timeout: Duration::from_millis(1),
        ..Config::default()
    };
    let breaker = Arc::new(Breaker::new("flaky", config, Variant::Fixed));
    let callers: Vec<_> = (0..200)
        .map(|i| {
            let breaker = Arc::clone(&breaker);
            lockstep::thread::spawn(move || {
                for j in 0..20 {
                    let _ = breaker.call(|| if (i + j) % 3 == 0 { Err(()) } else { Ok(()) });
                }
            })
        })
        .collect();
    for caller in callers {
        caller.join().expect("an invariant broke");
    }
    let m = breaker.metrics();
    assert_eq!(m.calls, 200 * 20);
    assert_eq!(m.in_flight, 0);
}
