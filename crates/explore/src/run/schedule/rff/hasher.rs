//! A cheap hasher for the search's small keys (addresses, event fields): SipHash, the
//! standard one, was a tenth of the strategy's cost per step. Its keys are fixed, so lookups
//! are deterministic, and nothing the search keeps is iterated in hash order anyway.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map with [`WordHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// Mixes each word in with a rotate, an xor and an odd multiplier, and finishes by folding the
/// high bits down and multiplying again (the table indexes by the low bits, and addresses have
/// none to spare).
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

impl WordHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.mix(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.mix(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.mix(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.mix(value as u64);
    }

    fn finish(&self) -> u64 {
        let folded = (self.0 ^ (self.0 >> 32)).wrapping_mul(MULTIPLIER);
        folded ^ (folded >> 29)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash(value: impl Hash) -> u64 {
        BuildHasherDefault::<WordHasher>::default().hash_one(value)
    }

    #[test]
    fn aligned_addresses_spread_over_the_low_bits() {
        let low_bits: std::collections::BTreeSet<u64> = (0..64u64)
            .map(|i| hash(0x7f00_0000_1000 + 16 * i) & 63)
            .collect();
        assert!(
            low_bits.len() > 32,
            "only {} distinct buckets of 64",
            low_bits.len()
        );
        assert_eq!(hash((1u32, 2u32)), hash((1u32, 2u32)));
        assert_ne!(hash((1u32, 2u32)), hash((2u32, 1u32)));
    }
}
