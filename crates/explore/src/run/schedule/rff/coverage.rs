//! Coverage: every reads-from pair the search has seen, numbered in the order first seen, with
//! the number of executions that showed it (rare pairs earn energy), and every write seen on
//! each object (the sources a mutation can ask a read to see instead).

use super::events::{Event, ReadsFrom, Source};
use super::hasher::FastMap;

/// A pair's number: its index in the order pairs were first seen.
pub(crate) type PairId = u32;

#[derive(Default)]
pub(crate) struct Coverage {
    ids: FastMap<ReadsFrom, PairId>,
    /// The pairs by number (what is iterated: never `ids`).
    pairs: Vec<ReadsFrom>,
    /// How many executions showed each pair, by number.
    hits: Vec<u32>,
    /// Each object's writes, in the order they were first seen.
    writes: Vec<Vec<Event>>,
    /// How many executions asked for each pair (a constraint "R must see W"): a pair asked
    /// for and never seen may be impossible, and should stop drawing mutations.
    asked: FastMap<ReadsFrom, u32>,
}

impl Coverage {
    /// Counts one execution's `pairs` (each distinct pair once); returns the numbers of its
    /// distinct pairs, sorted, and how many of them are new.
    pub(crate) fn learn(&mut self, pairs: &[ReadsFrom]) -> (Vec<PairId>, usize) {
        let before = self.pairs.len();
        let mut ids: Vec<PairId> = pairs.iter().map(|pair| self.id(*pair)).collect();
        ids.sort_unstable();
        ids.dedup();
        for &id in &ids {
            self.hits[id as usize] = self.hits[id as usize].saturating_add(1);
        }
        (ids, self.pairs.len() - before)
    }

    /// Adds `count` sightings of `pair` (a saved corpus's coverage); returns its number.
    pub(crate) fn add(&mut self, pair: ReadsFrom, count: u32) -> PairId {
        let id = self.id(pair);
        self.hits[id as usize] = self.hits[id as usize].saturating_add(count);
        id
    }

    /// `pair`'s number, numbering it now if it is new.
    fn id(&mut self, pair: ReadsFrom) -> PairId {
        if let Some(&id) = self.ids.get(&pair) {
            return id;
        }
        let id = PairId::try_from(self.pairs.len()).expect("fewer than 2^32 pairs");
        self.ids.insert(pair, id);
        self.pairs.push(pair);
        self.hits.push(0);
        for event in [Some(pair.read), source_event(pair.from)]
            .into_iter()
            .flatten()
            .filter(|event| event.access.writes())
        {
            self.note_write(event);
        }
        id
    }

    fn note_write(&mut self, event: Event) {
        let object = event.object as usize;
        if self.writes.len() <= object {
            self.writes.resize(object + 1, Vec::new());
        }
        if !self.writes[object].contains(&event) {
            self.writes[object].push(event);
        }
    }

    /// How many executions showed `pair` (0: never).
    pub(crate) fn hits(&self, pair: &ReadsFrom) -> u32 {
        self.ids.get(pair).map_or(0, |&id| self.hits[id as usize])
    }

    /// One more execution asked for `pair`.
    pub(crate) fn ask(&mut self, pair: ReadsFrom) {
        *self.asked.entry(pair).or_insert(0) += 1;
    }

    /// How many executions showed `pair` or asked for it.
    pub(crate) fn tried(&self, pair: &ReadsFrom) -> u32 {
        self.hits(pair) + self.asked.get(pair).copied().unwrap_or(0)
    }

    /// How many executions showed pair number `id`.
    pub(crate) fn hits_of(&self, id: PairId) -> u32 {
        self.hits[id as usize]
    }

    /// Pair number `id`.
    pub(crate) fn pair(&self, id: PairId) -> ReadsFrom {
        self.pairs[id as usize]
    }

    /// Every pair seen, in the order first seen, with its count.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (ReadsFrom, u32)> + '_ {
        self.pairs.iter().copied().zip(self.hits.iter().copied())
    }

    /// Every source a read of `object` could see: its initial value, then each write seen.
    pub(crate) fn sources(&self, object: u32) -> impl Iterator<Item = Source> + '_ {
        let writes = self
            .writes
            .get(object as usize)
            .map_or(&[][..], Vec::as_slice);
        std::iter::once(Source::Initial).chain(writes.iter().copied().map(Source::Write))
    }
}

fn source_event(source: Source) -> Option<Event> {
    match source {
        Source::Initial => None,
        Source::Write(event) => Some(event),
    }
}

#[cfg(test)]
mod tests {
    use super::super::events::Access;
    use super::*;

    fn event(object: u32, access: Access) -> Event {
        Event {
            class: 1,
            object,
            access,
            ordinal: 0,
            context: Default::default(),
        }
    }

    #[test]
    fn a_pair_is_new_once_and_counted_once_per_execution() {
        let mut coverage = Coverage::default();
        let store = event(0, Access::Update);
        let load = ReadsFrom {
            read: event(0, Access::Read),
            from: Source::Write(store),
        };
        let (distinct, new) = coverage.learn(&[load, load]);
        assert_eq!((distinct, new), (vec![0], 1));
        assert_eq!(coverage.learn(&[load]).1, 0);
        assert_eq!((coverage.hits(&load), coverage.hits_of(0)), (2, 2));
        assert_eq!(coverage.pair(0), load);
        assert_eq!(
            coverage.sources(0).collect::<Vec<_>>(),
            [Source::Initial, Source::Write(store)]
        );
        assert_eq!(coverage.sources(7).collect::<Vec<_>>(), [Source::Initial]);
        coverage.ask(load);
        assert_eq!(coverage.tried(&load), 3);
    }
}
