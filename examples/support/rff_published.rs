//! The schedules to the first bug that the RFF paper's artifact publishes for the SCTBench
//! programs `model::search` rewrites (included by `bench_search` with `#[path]`).
//!
//! Source: Wolff, Shi, Duck, Mathur, Roychoudhury, "Greybox Fuzzing for Concurrency Testing",
//! ASPLOS 2024 (doi:10.1145/3620665.3640389); artifact github.com/dylanjwolff/RFF, file
//! `scripts/data-analysis/full-data.csv`, column `scheds_to_bug`, 20 trials per tool and
//! program. Tools as the artifact's `analyze.py` names them: RFF =
//! `power-coe-always-rand-schedfuzz`, PCT3 = `pct-no-rff-always-rand-schedfuzz`, POS =
//! `pos-only-schedfuzz`. Each cell: the median over the trials that found the bug (the mean of
//! the two middle ones for an even count, as Python's `statistics.median`), then found/trials.
//! Their trials ran to a time limit, not to 10,000 schedules (PCT3's reorder_50 median is
//! 14,789), and their schedule points are those of their instrumentation of the C programs,
//! not lockstep's: compare orders of magnitude, not figures.

/// Per SCTBench program: RFF's, PCT (d = 3)'s and POS's published cell.
const PUBLISHED: &[(&str, [&str; 3])] = &[
    (
        "CS/reorder_3",
        ["5.5 (20/20)", "124 (20/20)", "163.5 (20/20)"],
    ),
    (
        "CS/reorder_5",
        ["5 (20/20)", "953.5 (20/20)", "4257 (17/20)"],
    ),
    ("CS/reorder_10", ["5 (20/20)", "1567.5 (20/20)", "- (0/20)"]),
    ("CS/reorder_20", ["5 (20/20)", "1304 (20/20)", "- (0/20)"]),
    ("CS/reorder_50", ["5 (20/20)", "14789 (7/20)", "- (0/20)"]),
    ("CS/reorder_100", ["5 (20/20)", "7447 (1/20)", "- (0/20)"]),
    ("CS/twostage", ["6 (20/20)", "7 (20/20)", "9 (20/20)"]),
    (
        "CS/twostage_20",
        ["18 (20/20)", "145.5 (20/20)", "162.5 (20/20)"],
    ),
    (
        "CS/twostage_50",
        ["32 (20/20)", "684 (20/20)", "1696 (19/20)"],
    ),
    ("CS/twostage_100", ["25 (20/20)", "3125 (6/20)", "- (0/20)"]),
    ("CS/token_ring", ["3.5 (20/20)", "5.5 (20/20)", "5 (20/20)"]),
    ("CS/account", ["1 (20/20)", "6 (20/20)", "1 (20/20)"]),
];

/// The published cell for `program` (an SCTBench name, `CS/...`) and the lockstep strategy
/// named `strategy`: "rff", "pct-3" and "pos" have a published counterpart; any other strategy
/// gets "-", and so does a program the artifact does not list ("not found").
pub fn median(program: &str, strategy: &str) -> &'static str {
    let column = match strategy {
        "rff" => 0,
        "pct-3" => 1,
        "pos" => 2,
        _ => return "-",
    };
    PUBLISHED
        .iter()
        .find(|(name, _)| *name == program)
        .map_or("not found", |(_, cells)| cells[column])
}
