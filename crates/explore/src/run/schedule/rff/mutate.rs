//! Mutations of an abstract schedule: ask a read to see another write, forbid the write it
//! saw, drop a constraint, or redraw the priorities.

use super::corpus::{AbstractSchedule, Constraint, Entry};
use super::coverage::Coverage;
use super::events::ReadsFrom;
use rand_chacha::rand_core::RngCore;

/// The most constraints one schedule carries: each one steers a few operations, and more of
/// them only conflict.
pub(crate) const MAX_CONSTRAINTS: usize = 4;

/// How many of the parent's pairs a "see another write" mutation considers: all of them up
/// to this many, else this many drawn at random.
const CANDIDATE_READS: usize = 32;

/// The weight of a pair never seen nor asked for; one seen or asked for `k` times weighs
/// `1/(k + 1)` of it.
const UNSEEN: u64 = 1 << 20;

/// A child of `parent`: one to three mutations of its schedule.
pub(crate) fn mutate(
    parent: &Entry,
    coverage: &Coverage,
    rng: &mut impl RngCore,
) -> AbstractSchedule {
    let mut child = parent.schedule.clone();
    for _ in 0..=rng.next_u64() % 3 {
        match rng.next_u64() % 8 {
            0..=3 => see_another_write(&mut child, parent, coverage, rng),
            4 => forbid_a_seen_write(&mut child, parent, coverage, rng),
            5 => drop_a_constraint(&mut child, rng),
            _ => child.seed = rng.next_u64(),
        }
    }
    child
}

/// Adds "read R must see W" for a read R of the parent's execution and a write W it did not
/// see there, drawn by how rarely R has been seen reading from W or asked to (neither: most
/// likely; a pair asked for often and never seen is likely impossible), among
/// the alternatives of the parent's pairs, or of [`CANDIDATE_READS`] of them drawn at random
/// if it has more (looking at all of a long execution's would cost a pass over its pairs and
/// every object's writes per execution).
fn see_another_write(
    child: &mut AbstractSchedule,
    parent: &Entry,
    coverage: &Coverage,
    rng: &mut impl RngCore,
) {
    if parent.pairs.is_empty() {
        return;
    }
    let mut options: Vec<(Constraint, u64)> = Vec::new();
    let every = parent.pairs.len() <= CANDIDATE_READS;
    for at in 0..CANDIDATE_READS.min(parent.pairs.len()) {
        let at = if every {
            at
        } else {
            pick(rng, parent.pairs.len())
        };
        let pair = coverage.pair(parent.pairs[at]);
        for from in coverage.sources(pair.read.object) {
            if from == pair.from
                || options
                    .iter()
                    .any(|(c, _)| c.read == pair.read && c.from == from)
            {
                continue;
            }
            let seen = ReadsFrom {
                read: pair.read,
                from,
            };
            let weight = UNSEEN / (u64::from(coverage.tried(&seen)) + 1);
            let constraint = Constraint {
                read: pair.read,
                from,
                must: true,
            };
            options.push((constraint, weight));
        }
    }
    let total: u64 = options.iter().map(|(_, weight)| weight).sum();
    if total == 0 {
        return;
    }
    let mut ticket = rng.next_u64() % total;
    for (constraint, weight) in options {
        if ticket < weight {
            add(child, constraint);
            return;
        }
        ticket -= weight;
    }
}

/// Adds "read R must not see W" for a pair (R, W) of the parent's execution.
fn forbid_a_seen_write(
    child: &mut AbstractSchedule,
    parent: &Entry,
    coverage: &Coverage,
    rng: &mut impl RngCore,
) {
    if parent.pairs.is_empty() {
        return;
    }
    let pair = coverage.pair(parent.pairs[pick(rng, parent.pairs.len())]);
    add(
        child,
        Constraint {
            read: pair.read,
            from: pair.from,
            must: false,
        },
    );
}

fn drop_a_constraint(child: &mut AbstractSchedule, rng: &mut impl RngCore) {
    if !child.constraints.is_empty() {
        let at = pick(rng, child.constraints.len());
        child.constraints.remove(at);
    }
}

/// Adds `constraint`, replacing any other on the same read (the newest wins), and
/// dropping the oldest past [`MAX_CONSTRAINTS`].
fn add(child: &mut AbstractSchedule, constraint: Constraint) {
    child
        .constraints
        .retain(|other| other.read != constraint.read);
    child.constraints.push(constraint);
    if child.constraints.len() > MAX_CONSTRAINTS {
        child.constraints.remove(0);
    }
    debug_assert!(child.constraints.len() <= MAX_CONSTRAINTS);
}

fn pick(rng: &mut impl RngCore, len: usize) -> usize {
    (rng.next_u64() % len as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::super::coverage::PairId;
    use super::super::events::{Access, Event, Source};
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use std::collections::BTreeSet;

    #[test]
    fn a_read_is_asked_to_see_the_write_it_has_never_seen() {
        let store = Event {
            class: 1,
            object: 0,
            access: Access::Update,
            ordinal: 0,
            context: Default::default(),
        };
        let load = Event {
            class: 2,
            object: 0,
            access: Access::Read,
            ordinal: 0,
            context: Default::default(),
        };
        let seen = ReadsFrom {
            read: load,
            from: Source::Write(store),
        };
        let mut coverage = Coverage::default();
        let (pairs, _) = coverage.learn(&[seen]);
        let parent = parent_with(pairs);
        let mut child = AbstractSchedule::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        see_another_write(&mut child, &parent, &coverage, &mut rng);
        assert_eq!(
            child.constraints,
            [Constraint {
                read: load,
                from: Source::Initial,
                must: true
            }]
        );
        for _ in 0..10 {
            let mutated = mutate(&parent, &coverage, &mut rng);
            assert!(mutated.constraints.len() <= MAX_CONSTRAINTS);
        }
    }

    /// A corpus entry with the default schedule whose execution showed `pairs`.
    fn parent_with(pairs: Vec<PairId>) -> Entry {
        Entry {
            schedule: AbstractSchedule::default(),
            pairs,
        }
    }

    /// The constraints `rounds` "see another write" mutations of `parent` add, one child each.
    fn asked_to_see(
        parent: &Entry,
        coverage: &Coverage,
        seed: u64,
        rounds: usize,
    ) -> Vec<Vec<Constraint>> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..rounds)
            .map(|_| {
                let mut child = parent.schedule.clone();
                see_another_write(&mut child, parent, coverage, &mut rng);
                child.constraints
            })
            .collect()
    }

    fn event(ordinal: u32, access: Access) -> Event {
        Event {
            class: 1,
            object: 0,
            access,
            ordinal,
            context: Default::default(),
        }
    }

    #[test]
    fn a_read_is_asked_to_see_each_other_write_of_its_object() {
        // Three writes of object 0 are known; the parent's read saw the first one.
        let writes = [0, 1, 2].map(|ordinal| event(ordinal, Access::Update));
        let read = event(0, Access::Read);
        let mut coverage = Coverage::default();
        let (parent_pairs, _) = coverage.learn(&[ReadsFrom {
            read,
            from: Source::Write(writes[0]),
        }]);
        for (ordinal, write) in [(1, writes[1]), (2, writes[2])] {
            coverage.learn(&[ReadsFrom {
                read: event(ordinal, Access::Read),
                from: Source::Write(write),
            }]);
        }
        let parent = parent_with(parent_pairs);
        let mut asked = BTreeSet::new();
        for constraints in asked_to_see(&parent, &coverage, 3, 200) {
            let [constraint] = constraints[..] else {
                panic!("one constraint added: {constraints:?}");
            };
            assert!(constraint.must && constraint.read == read, "{constraint:?}");
            asked.insert(format!("{:?}", constraint.from));
        }
        let expected: BTreeSet<String> = [
            Source::Initial,
            Source::Write(writes[1]),
            Source::Write(writes[2]),
        ]
        .iter()
        .map(|source| format!("{source:?}"))
        .collect();
        assert_eq!(asked, expected, "every write but the one it saw");
    }

    #[test]
    fn each_read_of_the_parent_is_asked_to_see_a_write_another_read_is_asked_to_see_too() {
        // Two reads of object 0 saw its initial value; one write of it is known. Both reads
        // are candidates for "see that write", not only the first one considered.
        let write = event(0, Access::Update);
        let reads = [0, 1].map(|ordinal| event(ordinal, Access::Read));
        let mut coverage = Coverage::default();
        let (parent_pairs, _) = coverage.learn(&reads.map(|read| ReadsFrom {
            read,
            from: Source::Initial,
        }));
        coverage.learn(&[ReadsFrom {
            read: event(2, Access::Read),
            from: Source::Write(write),
        }]);
        let parent = parent_with(parent_pairs);
        let mut asked = BTreeSet::new();
        for constraints in asked_to_see(&parent, &coverage, 5, 100) {
            for constraint in &constraints {
                assert_eq!(constraint.from, Source::Write(write), "{constraint:?}");
                asked.insert(constraint.read.ordinal);
            }
        }
        assert_eq!(asked, BTreeSet::from([0, 1]), "both reads are asked");
    }

    #[test]
    fn a_read_is_forbidden_the_write_it_saw() {
        let store = event(0, Access::Update);
        let load = event(0, Access::Read);
        let mut coverage = Coverage::default();
        let (pairs, _) = coverage.learn(&[ReadsFrom {
            read: load,
            from: Source::Write(store),
        }]);
        let parent = parent_with(pairs);
        let mut child = AbstractSchedule::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        forbid_a_seen_write(&mut child, &parent, &coverage, &mut rng);
        assert_eq!(
            child.constraints,
            [Constraint {
                read: load,
                from: Source::Write(store),
                must: false
            }]
        );
    }
}
