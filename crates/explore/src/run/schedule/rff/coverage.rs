//! Coverage: every reads-from pair the search has seen, with the number of executions that
//! showed it (rare pairs earn energy), and every write seen on each object (the sources a
//! mutation can ask a read to see instead).

use super::events::{Event, ReadsFrom, Source};
use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct Coverage {
    /// How many executions showed each pair.
    hits: HashMap<ReadsFrom, u32>,
    /// The pairs in the order they were first seen (what is iterated: never `hits`).
    seen: Vec<ReadsFrom>,
    /// Each object's writes, in the order they were first seen.
    writes: Vec<Vec<Event>>,
    /// This execution's distinct pairs (a scratch buffer, kept for its capacity).
    scratch: Vec<ReadsFrom>,
}

impl Coverage {
    /// Counts one execution's `pairs` (each distinct pair once); returns its distinct pairs,
    /// sorted, and how many of them are new.
    pub(crate) fn learn(&mut self, pairs: &[ReadsFrom]) -> (Vec<ReadsFrom>, usize) {
        self.scratch.clear();
        self.scratch.extend_from_slice(pairs);
        self.scratch.sort_unstable();
        self.scratch.dedup();
        let mut new = 0;
        for index in 0..self.scratch.len() {
            let pair = self.scratch[index];
            self.count(pair, 1, &mut new);
        }
        (self.scratch.clone(), new)
    }

    /// Adds `count` sightings of `pair` (a merged corpus's coverage).
    pub(crate) fn add(&mut self, pair: ReadsFrom, count: u32) {
        let mut new = 0;
        self.count(pair, count, &mut new);
    }

    fn count(&mut self, pair: ReadsFrom, count: u32, new: &mut usize) {
        let hits = self.hits.entry(pair).or_insert(0);
        let first = *hits == 0;
        *hits = hits.saturating_add(count);
        if first {
            *new += 1;
            self.seen.push(pair);
            for event in [Some(pair.read), source_event(pair.from)]
                .into_iter()
                .flatten()
                .filter(|event| event.access.writes())
            {
                self.note_write(event);
            }
        }
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
        self.hits.get(pair).copied().unwrap_or(0)
    }

    /// Every pair seen, in the order first seen, with its count.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (ReadsFrom, u32)> + '_ {
        self.seen.iter().map(|pair| (*pair, self.hits(pair)))
    }

    /// The number of distinct pairs seen.
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    /// Every source a read of `object` could see: its initial value, then each write seen.
    pub(crate) fn sources(&self, object: u32) -> impl Iterator<Item = Source> + '_ {
        let writes = self.writes.get(object as usize).map_or(&[][..], Vec::as_slice);
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
        assert_eq!((distinct.len(), new), (1, 1));
        assert_eq!(coverage.learn(&[load]).1, 0);
        assert_eq!(coverage.hits(&load), 2);
        assert_eq!(
            coverage.sources(0).collect::<Vec<_>>(),
            [Source::Initial, Source::Write(store)]
        );
        assert_eq!(coverage.sources(7).collect::<Vec<_>>(), [Source::Initial]);
    }
}
