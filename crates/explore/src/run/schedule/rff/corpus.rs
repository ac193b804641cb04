//! The corpus: abstract schedules that showed new reads-from pairs, each with the pairs its
//! execution showed, and the energy schedule that picks which one to mutate next.

use super::coverage::{Coverage, PairId};
use super::events::{Event, Source};
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

/// A corpus entry: a schedule and the distinct pairs (sorted numbers) its execution showed.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) schedule: AbstractSchedule,
    pub(crate) pairs: Vec<PairId>,
}

/// The energy unit: a pair seen once is worth this much, one seen `k` times `1/k` of it.
const ENERGY: u64 = 1 << 20;

/// Energies are recomputed after this many picks (and whenever an entry joins): they drift
/// slowly, and recomputing costs a pass over every entry's pairs.
const REFRESH: usize = 32;

#[derive(Default)]
pub(crate) struct Corpus {
    entries: Vec<Entry>,
    /// The running sum of the entries' energies, as last computed.
    cumulative: Vec<u64>,
    picks_until_refresh: usize,
}

impl Corpus {
    pub(crate) fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
        self.picks_until_refresh = 0;
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// An entry drawn with probability proportional to its energy: the sum, over the pairs its
    /// execution showed, of the inverse of how often the search has seen the pair (RFF's power
    /// schedule favours schedules that exercise rare pairs the same way). `None` while empty.
    pub(crate) fn pick(&mut self, coverage: &Coverage, rng: &mut impl RngCore) -> Option<&Entry> {
        if self.picks_until_refresh == 0 {
            self.refresh(coverage);
        }
        self.picks_until_refresh -= 1;
        let total = *self.cumulative.last()?;
        let ticket = rng.next_u64() % total;
        let at = self.cumulative.partition_point(|&sum| sum <= ticket);
        self.entries.get(at)
    }

    fn refresh(&mut self, coverage: &Coverage) {
        let mut sum = 0;
        self.cumulative.clear();
        for entry in &self.entries {
            let energy: u64 = entry
                .pairs
                .iter()
                .map(|&id| ENERGY / u64::from(coverage.hits_of(id).max(1)))
                .sum();
            sum += energy.max(1);
            self.cumulative.push(sum);
        }
        self.picks_until_refresh = REFRESH;
    }
}

#[cfg(test)]
mod tests {
    use super::super::events::{Access, ReadsFrom};
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn entries_with_rare_pairs_are_picked_more_often() {
        let read = |ordinal| Event {
            class: 1,
            object: 0,
            access: Access::Read,
            ordinal,
            context: Default::default(),
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
            let (pairs, _) = coverage.learn(&[pair]);
            corpus.push(Entry {
                schedule: AbstractSchedule {
                    seed,
                    constraints: Vec::new(),
                },
                pairs,
            });
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let rare_picks = (0..1000)
            .filter(|_| {
                corpus
                    .pick(&coverage, &mut rng)
                    .expect("an entry")
                    .schedule
                    .seed
                    == 1
            })
            .count();
        assert!(
            rare_picks > 900,
            "the rare entry was picked {rare_picks} times of 1000"
        );
    }
}
