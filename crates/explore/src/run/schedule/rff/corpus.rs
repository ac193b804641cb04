//! The corpus: abstract schedules that showed new reads-from pairs, each with the pairs its
//! execution showed, and the energy schedule that picks which one to mutate next.

use super::coverage::Coverage;
use super::events::{Event, ReadsFrom, Source};
use rand_chacha::rand_core::RngCore;

/// One constraint of an abstract schedule: read `read` must (or, if not `must`, must not) see
/// `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Constraint {
    pub(crate) read: Event,
    pub(crate) from: Source,
    pub(crate) must: bool,
}

/// What one execution of the search runs: POS priorities drawn from `seed`, steered by
/// `constraints`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AbstractSchedule {
    pub(crate) seed: u64,
    pub(crate) constraints: Vec<Constraint>,
}

/// A corpus entry: a schedule and the distinct pairs (sorted) its execution showed.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) schedule: AbstractSchedule,
    pub(crate) pairs: Vec<ReadsFrom>,
}

/// The energy unit: a pair seen once is worth this much, one seen `k` times `1/k` of it.
const ENERGY: u64 = 1 << 20;

#[derive(Default)]
pub(crate) struct Corpus {
    entries: Vec<Entry>,
}

impl Corpus {
    pub(crate) fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// An entry drawn with probability proportional to its energy: the sum, over the pairs its
    /// execution showed, of the inverse of how often the search has seen the pair (RFF's power
    /// schedule favours schedules that exercise rare pairs the same way). `None` while empty.
    pub(crate) fn pick(&self, coverage: &Coverage, rng: &mut impl RngCore) -> Option<&Entry> {
        let energy = |entry: &Entry| -> u64 {
            let sum: u64 = entry
                .pairs
                .iter()
                .map(|pair| ENERGY / u64::from(coverage.hits(pair).max(1)))
                .sum();
            sum.max(1)
        };
        let total: u64 = self.entries.iter().map(energy).sum();
        if total == 0 {
            return None;
        }
        let mut ticket = rng.next_u64() % total;
        for entry in &self.entries {
            let weight = energy(entry);
            if ticket < weight {
                return Some(entry);
            }
            ticket -= weight;
        }
        unreachable!("the tickets add up to the total energy")
    }
}

#[cfg(test)]
mod tests {
    use super::super::events::Access;
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn entries_with_rare_pairs_are_picked_more_often() {
        let read = |ordinal| Event {
            class: 1,
            object: 0,
            access: Access::Read,
            ordinal,
        };
        let common = ReadsFrom {
            read: read(0),
            from: Source::Initial,
        };
        let rare = ReadsFrom {
            read: read(1),
            from: Source::Initial,
        };
        let mut coverage = Coverage::default();
        for _ in 0..99 {
            coverage.learn(&[common]);
        }
        coverage.learn(&[rare]);
        let mut corpus = Corpus::default();
        for (seed, pair) in [(0, common), (1, rare)] {
            corpus.push(Entry {
                schedule: AbstractSchedule {
                    seed,
                    constraints: Vec::new(),
                },
                pairs: vec![pair],
            });
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let rare_picks = (0..1000)
            .filter(|_| corpus.pick(&coverage, &mut rng).expect("an entry").schedule.seed == 1)
            .count();
        assert!(rare_picks > 900, "the rare entry was picked {rare_picks} times of 1000");
    }
}
