//! A deterministic random source for model code: its draws are part of the seed.
//!
//! Under simulation every draw comes from the calling thread's own ChaCha8 stream, seeded by the
//! execution's fault seed (beside the thread's fault stream, which it never shifts), and is
//! traced (`random`, with the value). So one seed file replays the same draws, and a thread's
//! draws do not change with how the other threads were scheduled. Under std draws come from a
//! ChaCha8 stream per thread seeded from the operating system's entropy (through std's
//! `RandomState`, so no extra dependency).
//!
//! Draws are seeded, not scheduling choices: random, PCT and POS see a fresh fault seed (so
//! fresh draws) in every execution; loom, and DFS, keep one fault seed for the whole run, so an
//! exhaustive exploration sees **one** value per draw, and every interleaving for that value. A
//! test that must cover several values enumerates fault seeds (`Explorer::fault_seed`), or
//! draws a small choice and branches on it.
//!
//! ```
//! use lockstep::random;
//!
//! let id: u64 = random::random();
//! let die = random::gen_range(1..=6u8);
//! assert!((1..=6).contains(&die));
//! let _ = (id, random::gen_bool(0.25));
//! assert!(random::gen_bool(1.0) && !random::gen_bool(0.0));
//! ```

use crate::ghost;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::ops::{Bound, RangeBounds};

/// 64 random bits: the execution's stream under simulation, else this thread's entropy stream.
fn next_u64() -> u64 {
    ghost::draw_random().unwrap_or_else(entropy_u64)
}

fn entropy_u64() -> u64 {
    std::thread_local! {
        static ENTROPY: RefCell<ChaCha8Rng> = RefCell::new(ChaCha8Rng::seed_from_u64(os_seed()));
    }
    ENTROPY.with(|rng| rng.borrow_mut().next_u64())
}

/// A seed from the operating system's entropy: std seeds each `RandomState` from it.
fn os_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x6c6f_636b_7374_6570);
    hasher.finish()
}

/// A type [`random`] can draw uniformly from 64 random bits.
pub trait Random {
    /// The value made from `bits`, 64 uniformly random bits.
    fn from_bits(bits: u64) -> Self;
}

macro_rules! random_int {
    ($($int:ty),*) => {$(
        impl Random for $int {
            fn from_bits(bits: u64) -> Self {
                bits as $int // the low bits: uniform for every width up to 64
            }
        }
    )*};
}
random_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl Random for bool {
    fn from_bits(bits: u64) -> Self {
        bits & 1 == 1
    }
}

impl Random for f64 {
    /// Uniform in `[0, 1)`.
    fn from_bits(bits: u64) -> Self {
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A uniformly random value of type `T`.
///
/// ```
/// let token: u32 = lockstep::random::random();
/// let unit: f64 = lockstep::random::random();
/// assert!((0.0..1.0).contains(&unit));
/// # let _ = token;
/// ```
pub fn random<T: Random>() -> T {
    T::from_bits(next_u64())
}

/// `true` with probability `p` (clamped to `[0, 1]`).
///
/// ```
/// assert!(lockstep::random::gen_bool(1.0));
/// assert!(!lockstep::random::gen_bool(0.0));
/// ```
pub fn gen_bool(p: f64) -> bool {
    if p >= 1.0 {
        return true;
    }
    if p.is_nan() || p <= 0.0 {
        return false;
    }
    random::<f64>() < p
}

/// An integer type [`gen_range`] draws from: it maps into `i128` and back.
pub trait RangeInt: Copy {
    /// The value as an `i128`.
    fn to_wide(self) -> i128;
    /// The value from an `i128` known to be in range.
    fn from_wide(wide: i128) -> Self;
    /// The smallest and largest values of the type.
    fn bounds() -> (i128, i128);
}

macro_rules! range_int {
    ($($int:ty),*) => {$(
        impl RangeInt for $int {
            fn to_wide(self) -> i128 {
                self as i128
            }
            fn from_wide(wide: i128) -> Self {
                wide as $int
            }
            fn bounds() -> (i128, i128) {
                (<$int>::MIN as i128, <$int>::MAX as i128)
            }
        }
    )*};
}
range_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// A uniformly random value in `range` (`a..b`, `a..=b`, `a..`, ...). Panics if the range is
/// empty, naming its bounds.
///
/// ```
/// use lockstep::random::gen_range;
///
/// let shard = gen_range(0..4usize);
/// assert!(shard < 4);
/// assert_eq!(gen_range(7..=7i32), 7);
/// ```
pub fn gen_range<T: RangeInt, R: RangeBounds<T>>(range: R) -> T {
    let (min, max) = T::bounds();
    let low = match range.start_bound() {
        Bound::Included(&v) => v.to_wide(),
        Bound::Excluded(&v) => v.to_wide() + 1,
        Bound::Unbounded => min,
    };
    let high = match range.end_bound() {
        Bound::Included(&v) => v.to_wide(),
        Bound::Excluded(&v) => v.to_wide() - 1,
        Bound::Unbounded => max,
    };
    assert!(
        low <= high,
        "lockstep::random::gen_range: the range {low}..={high} is empty"
    );
    let span = (high - low + 1) as u128; // at most 2^64
    if span > u128::from(u64::MAX) {
        return T::from_wide(low + i128::from(next_u64()));
    }
    // Rejection sampling: draws in the last, partial copy of the span are drawn again, so
    // every value is equally likely.
    let span = span as u64;
    let zone = u64::MAX - (u64::MAX - span + 1) % span;
    loop {
        let bits = next_u64();
        if bits <= zone {
            return T::from_wide(low + i128::from(bits % span));
        }
    }
}
