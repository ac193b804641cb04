//! Counting distinct schedules in bounded memory.

use std::collections::HashSet;

/// Exact counting up to this many distinct schedules (a set of 64-bit hashes, under 100 KiB).
const EXACT_UP_TO: usize = 4096;

/// HyperLogLog precision: `2^P` one-byte registers (4 KiB), a standard error of about 1.6 %.
const P: u32 = 12;

/// The number of distinct schedule hashes seen: exact up to [`EXACT_UP_TO`], then a
/// HyperLogLog estimate (Flajolet et al., 2007), so a long exploration counts in flat memory.
#[derive(Clone, Debug)]
pub(crate) enum DistinctCounter {
    /// Every hash so far.
    Exact(HashSet<u64>),
    /// One register per hash bucket: the most leading zeros seen, plus one.
    Estimate(Box<[u8]>),
}

impl Default for DistinctCounter {
    fn default() -> Self {
        DistinctCounter::Exact(HashSet::new())
    }
}

impl DistinctCounter {
    /// Counts `hash` (a schedule's hash; assumed well mixed).
    pub(crate) fn insert(&mut self, hash: u64) {
        match self {
            DistinctCounter::Exact(set) => {
                set.insert(hash);
                if set.len() > EXACT_UP_TO {
                    let mut registers = vec![0u8; 1 << P].into_boxed_slice();
                    for &seen in set.iter() {
                        observe(&mut registers, seen);
                    }
                    *self = DistinctCounter::Estimate(registers);
                }
            }
            DistinctCounter::Estimate(registers) => observe(registers, hash),
        }
    }

    /// How many distinct hashes were counted (an estimate past [`EXACT_UP_TO`]).
    pub(crate) fn count(&self) -> usize {
        match self {
            DistinctCounter::Exact(set) => set.len(),
            DistinctCounter::Estimate(registers) => estimate(registers),
        }
    }

    /// Whether `hash` is certainly counted already (exact mode only; `false` when unsure).
    pub(crate) fn certainly_contains(&self, hash: u64) -> bool {
        matches!(self, DistinctCounter::Exact(set) if set.contains(&hash))
    }
}

fn observe(registers: &mut [u8], hash: u64) {
    let bucket = (hash >> (64 - P)) as usize;
    let rest = hash << P;
    let rank = (rest.leading_zeros().min(64 - P) + 1) as u8;
    registers[bucket] = registers[bucket].max(rank);
}

fn estimate(registers: &[u8]) -> usize {
    let m = registers.len() as f64;
    let alpha = 0.7213 / (1.0 + 1.079 / m);
    let sum: f64 = registers.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
    let raw = alpha * m * m / sum;
    let zeros = registers.iter().filter(|&&r| r == 0).count();
    let estimate = if raw <= 2.5 * m && zeros > 0 {
        m * (m / zeros as f64).ln()
    } else {
        raw
    };
    estimate.round() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A well-mixed hash of `i` (splitmix64's finalizer).
    fn mix(i: u64) -> u64 {
        let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    #[test]
    fn counts_exactly_while_small_and_ignores_repeats() {
        let mut counter = DistinctCounter::default();
        for i in 0..1000 {
            counter.insert(mix(i % 700));
        }
        assert_eq!(counter.count(), 700);
        assert!(counter.certainly_contains(mix(5)));
    }

    #[test]
    fn estimates_within_five_percent_just_past_the_exact_range_too() {
        // 6,000 hashes in 4,096 registers: the raw estimate is biased there, and linear
        // counting over the empty registers corrects it.
        let mut counter = DistinctCounter::default();
        for i in 0..6_000 {
            counter.insert(mix(i));
        }
        assert!(matches!(counter, DistinctCounter::Estimate(_)));
        let count = counter.count() as f64;
        assert!((count - 6_000.0).abs() < 300.0, "estimated {count}");
    }

    #[test]
    fn estimates_within_five_percent_past_the_exact_range_in_fixed_memory() {
        let mut counter = DistinctCounter::default();
        for i in 0..100_000 {
            counter.insert(mix(i));
        }
        let DistinctCounter::Estimate(registers) = &counter else {
            panic!("still exact after 100,000 distinct hashes");
        };
        assert_eq!(registers.len(), 4096);
        let count = counter.count() as f64;
        assert!((count - 100_000.0).abs() < 5_000.0, "estimated {count}");
    }
}
