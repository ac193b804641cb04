//! Benchmark: the PCT paper's calibration set, written against the facade.
//!
//! The programs shuttle's own test-suite runs its PCT scheduler on (figures 1a, 1b, 1c and 5
//! of Burckhardt et al., ASPLOS 2010; see `tests/support/pct_examples.rs`), each explored from
//! 1,000 seeds by PCT at the program's bug depth and by random scheduling, every exploration
//! stopping at its first failure or after 1,000 executions. It prints, per program, its `n`
//! threads, `k` steps and bug depth `d`, the paper's per-execution bound `1 / (n * k^(d-1))`,
//! and each strategy's measured per-execution rate (failures over executions), and whether
//! PCT's rate meets the bound (see `Detections::meets`). Fig. 5 is built to defeat random
//! scheduling (about one execution in 2^21 finds it); its row shows what random finds within
//! the same seeds and budget.
//!
//! Run with `cargo run --release --features shuttle --example bench_pct`.

/// Runs the benchmark and prints its table.
#[cfg(all(feature = "shuttle", not(loom)))]
fn main() {
    bench::run();
}

/// Built without the shuttle backend: says how to run the benchmark and fails.
#[cfg(not(all(feature = "shuttle", not(loom))))]
fn main() {
    eprintln!(
        "bench_pct needs the shuttle backend: \
         cargo run --release --features shuttle --example bench_pct"
    );
    std::process::exit(2);
}

#[cfg(all(feature = "shuttle", not(loom)))]
#[path = "../tests/support/pct_examples.rs"]
mod pct_examples;

/// The measurement and the table.
#[cfg(all(feature = "shuttle", not(loom)))]
mod bench {
    use crate::pct_examples::{detect, Detections, ANTI_RANDOM, EXAMPLES};
    use lockstep::explore::Strategy;

    /// Explorations per program and strategy, from seeds `0..SEEDS`.
    const SEEDS: u64 = 1000;
    /// The most executions of one exploration.
    const BUDGET: usize = 1000;

    /// A rate to four decimals, or in scientific notation below a thousandth.
    fn rate(rate: f64) -> String {
        if rate == 0.0 || rate >= 1e-3 {
            format!("{rate:.4}")
        } else {
            format!("{rate:.1e}")
        }
    }

    /// `found / executions (rate)`.
    fn show(detections: Detections) -> String {
        format!(
            "{} / {} ({})",
            detections.found,
            detections.executions,
            rate(detections.rate())
        )
    }

    /// Prints the calibration table.
    pub fn run() {
        // Expected failures panic inside the exploration; keep the output to the table.
        std::panic::set_hook(Box::new(|_| {}));
        println!(
            "| program | shuttle test | n | k | d | paper's bound | PCT at depth d: found / executions (rate) | PCT rate / bound | PCT meets bound | random: found / executions (rate) |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|");
        for example in &EXAMPLES {
            let bound = example.bound();
            let pct = detect(example, example.pct(), 0..SEEDS, BUDGET);
            let random = detect(example, Strategy::Random, 0..SEEDS, BUDGET);
            let meets = if pct.rate() >= bound {
                "yes"
            } else if pct.meets(bound) {
                "yes, within 3 sigma"
            } else {
                "NO"
            };
            let marker = if example.name == ANTI_RANDOM.name {
                " (anti-random)"
            } else {
                ""
            };
            println!(
                "| {}{marker} | {} | {} | {} | {} | 1/{:.0} = {} | {} | {:.2} | {meets} | {} |",
                example.name,
                example.shuttle_test,
                example.threads,
                example.steps,
                example.depth,
                1.0 / bound,
                rate(bound),
                show(pct),
                pct.rate() / bound,
                show(random),
            );
        }
    }
}
