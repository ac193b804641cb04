//! The exploration an outcome test runs on whichever simulation backend it is built for.

use lockstep::explore::{Explorer, Strategy};

/// Under shuttle, `iterations` random executions from `seed`; under loom, every interleaving
/// up to `preemption_bound` preemptions (each backend reads only its own arguments).
#[allow(unused_variables)]
pub fn explorer(seed: u64, iterations: usize, preemption_bound: usize) -> Explorer {
    #[cfg(feature = "shuttle")]
    let explorer = Explorer::new(Strategy::Random)
        .seed(seed)
        .iterations(iterations);
    #[cfg(loom)]
    let explorer = Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(preemption_bound),
    });
    explorer
}
