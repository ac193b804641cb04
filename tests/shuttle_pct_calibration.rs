//! The PCT paper's calibration set under shuttle (the programs are in
//! `support/pct_examples.rs`): over fixed seeds, so deterministically, PCT at each program's bug
//! depth finds its bug at least as often per execution as the paper guarantees, random
//! scheduling never finds the program built to defeat it while PCT always does, and no
//! execution takes more steps than the `k` the bounds are computed with.
#![cfg(all(feature = "shuttle", not(loom)))]

#[path = "support/pct_examples.rs"]
mod pct_examples;

use lockstep::explore::{Explorer, Strategy};
use pct_examples::{detect, Example, ANTI_RANDOM, EXAMPLES};

/// The most executions of one exploration.
const BUDGET: usize = 1000;

/// PCT at `example`'s depth, one exploration from each of the first `seeds` seeds, meets the
/// paper's bound: within three standard deviations where the bound is exact (depth 1, see
/// `Detections::meets`), and outright where it has slack (depth 2, where PCT's measured rates
/// are several times the bound).
fn pct_meets_the_bound(example: &Example, seeds: u64) {
    let detections = detect(example, example.pct(), 0..seeds, BUDGET);
    let bound = example.bound();
    let measured = format!(
        "{} ({}): PCT found it in {} of {} executions, rate {:.4}, bound {bound:.5}",
        example.name,
        example.shuttle_test,
        detections.found,
        detections.executions,
        detections.rate()
    );
    assert!(detections.meets(bound), "{measured}");
    if example.depth > 1 {
        assert!(detections.rate() >= bound, "{measured}");
    }
}

#[test]
fn pct_finds_fig_1a_use_before_initialization_at_half_its_executions() {
    pct_meets_the_bound(&EXAMPLES[0], 400);
}

#[test]
fn pct_finds_fig_1b_check_then_use_above_its_bound() {
    pct_meets_the_bound(&EXAMPLES[1], 200);
}

#[test]
fn pct_finds_fig_1b_among_18_bystanders_above_its_bound() {
    pct_meets_the_bound(&EXAMPLES[2], 20);
}

#[test]
fn pct_finds_fig_1c_opposite_lock_orders_above_its_bound() {
    pct_meets_the_bound(&EXAMPLES[3], 200);
}

#[test]
fn pct_finds_fig_5_long_thread_first_at_half_its_executions() {
    pct_meets_the_bound(ANTI_RANDOM, 400);
}

/// Random needs the long thread picked at every one of its 20-odd scheduling points (about 1
/// in 2^21 executions), so 10,000 executions find nothing; PCT finds it in every exploration
/// of the same seeds and budget.
#[test]
fn random_misses_fig_5_in_10000_executions_and_pct_finds_it_from_every_seed() {
    let seeds = 0..10;
    let random = detect(ANTI_RANDOM, Strategy::Random, seeds.clone(), BUDGET);
    assert_eq!(random.found, 0, "random found fig. 5");
    assert_eq!(random.executions, 10 * BUDGET);
    let pct = detect(ANTI_RANDOM, ANTI_RANDOM.pct(), seeds.clone(), BUDGET);
    assert_eq!(
        pct.found,
        seeds.count(),
        "PCT found fig. 5 from {} of 10 seeds, in {} executions",
        pct.found,
        pct.executions
    );
}

/// Every program's `k` bounds the scheduling decisions of its executions under random and POS
/// scheduling (a bigger `k` would make the bounds tested too generous). Each execution ends
/// with a panic, so that its whole schedule is reported; one that finds the bug stops earlier.
#[test]
fn no_execution_takes_more_steps_than_k() {
    for example in &EXAMPLES {
        for strategy in [Strategy::Random, Strategy::Pos] {
            for seed in 0..100 {
                let body = example.body;
                let explorer = Explorer::new(strategy)
                    .seed(seed)
                    .iterations(1)
                    .lock_order_graph(false);
                let outcome = std::thread::spawn(move || {
                    explorer.run(move || {
                        body();
                        panic!("end of the execution");
                    })
                })
                .join()
                .expect("the exploration itself does not panic");
                let failure = outcome.expect_err("every execution ends with a panic");
                assert!(
                    failure.schedule.len() <= example.steps,
                    "{} under {strategy}, seed {seed}: {} steps, k = {}",
                    example.name,
                    failure.schedule.len(),
                    example.steps
                );
            }
        }
    }
}
