//! What one execution did, in the terms the search learns from: abstract events (which code,
//! which object, which access, the how-manieth of its thread) and the reads-from pairs among
//! them.
//!
//! An event names no thread and no address. Its thread is named by the code it runs (where it
//! was spawned), so the N - 1 setters of a reorder program are one class and the pairs the
//! search sees do not grow with N (RFF names events by instruction address for the same
//! reason). Its object is named by the order in which the execution first met it, which is
//! deterministic for a given schedule: the identities the kernel hands out are addresses, and
//! those are only ever looked up here, never stored in what the search keeps.

use super::hasher::FastMap;
use lockstep_engine::op::{ObjectId, OpKind, PendingOp};

/// How an operation touches its object.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Access {
    /// An atomic load or a read lock: sees the last write.
    Read,
    /// An atomic store or read-modify-write: sees the last write (which it overwrites) and is
    /// the new last write.
    Update,
    /// Taking a lock: follows the last release.
    Acquire,
    /// Giving a lock back: the next acquire follows it.
    Release,
    /// Waiting on a condition variable: follows the last notification.
    Wait,
    /// Notifying a condition variable.
    Notify,
}

impl Access {
    /// How `kind` touches its object, if it is an access the search learns from (spawns,
    /// joins, sleeps and parking touch no shared object).
    pub(crate) fn of(kind: OpKind) -> Option<Access> {
        Some(match kind {
            OpKind::Read => Access::Read,
            OpKind::Write => Access::Update,
            OpKind::Acquire => Access::Acquire,
            OpKind::Release => Access::Release,
            OpKind::Wait => Access::Wait,
            OpKind::Notify => Access::Notify,
            OpKind::Spawn | OpKind::Join | OpKind::Sleep | OpKind::Park | OpKind::Unpark => {
                return None
            }
        })
    }

    /// Whether the access sees the object's last write (it is the reader of a pair).
    pub(crate) fn reads(self) -> bool {
        matches!(
            self,
            Access::Read | Access::Update | Access::Acquire | Access::Wait
        )
    }

    /// Whether the access becomes the object's last write.
    pub(crate) fn writes(self) -> bool {
        matches!(self, Access::Update | Access::Release | Access::Notify)
    }
}

/// One access, abstracted: the `ordinal`-th `access` to object `object` by a thread of class
/// `class` (0: the main thread; otherwise an index into [`Classes`]), right after the accesses
/// in `context` (its thread's last two, latest first). Ordinals past 3 are bucketed by powers
/// of two (see [`bucket`]), so a loop does not make every execution's events new. The
/// context stands in for RFF's instruction address: threads spawned at one place can run
/// different code (a helper that spawns both setters and readers), and what a thread did just
/// before tells the roles apart, as the code they run would.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Event {
    pub(crate) class: u32,
    pub(crate) object: u32,
    pub(crate) access: Access,
    pub(crate) ordinal: u32,
    pub(crate) context: Context,
}

/// A thread's last two accesses (object and access), latest first.
pub(crate) type Context = [Option<(u32, Access)>; 2];

/// The write a read saw: the object's initial value, or an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Source {
    Initial,
    Write(Event),
}

/// A reads-from pair: `read` saw `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ReadsFrom {
    pub(crate) read: Event,
    pub(crate) from: Source,
}

/// Thread classes by the place their threads were spawned (`file:line:column`), numbered from
/// 1 in the order the search first met them.
#[derive(Default)]
pub(crate) struct Classes {
    numbers: FastMap<String, u32>,
    /// The same by spawn location, so that a location is formatted once, not per execution.
    locations: FastMap<(&'static str, u32, u32), u32>,
    sites: Vec<String>,
}

impl Classes {
    /// The class of threads spawned at `site`.
    pub(crate) fn of(&mut self, site: lockstep_engine::kernel::SpawnSite) -> u32 {
        let key = (site.file(), site.line(), site.column());
        if let Some(&number) = self.locations.get(&key) {
            return number;
        }
        let number = self.intern(&site.to_string());
        self.locations.insert(key, number);
        number
    }

    /// The class of threads spawned at `site` (`file:line:column`).
    pub(crate) fn intern(&mut self, site: &str) -> u32 {
        if let Some(&number) = self.numbers.get(site) {
            return number;
        }
        self.sites.push(site.to_owned());
        let number = u32::try_from(self.sites.len()).expect("fewer than 2^32 spawn sites");
        self.numbers.insert(site.to_owned(), number);
        number
    }

    /// Where class `class`'s threads were spawned (`main` for class 0).
    pub(crate) fn site(&self, class: u32) -> &str {
        match class {
            0 => "main",
            n => &self.sites[n as usize - 1],
        }
    }
}

/// One execution as it runs: the abstract event each task's pending operation would be, the
/// last write of every object, and the pairs so far. Its tables keep their capacity from one
/// execution to the next, so observing allocates nothing once the first executions are done.
#[derive(Default)]
pub(crate) struct Observer {
    /// Each task's class this execution (`None`: not looked up yet).
    task_classes: Vec<Option<u32>>,
    objects: FastMap<ObjectId, u32>,
    last_write: Vec<Source>,
    ordinals: FastMap<(usize, u32, Access), u32>,
    /// Each task's context: its last two accesses.
    contexts: Vec<Context>,
    /// Each task's pending operation as last looked at, with its event: a task's next event
    /// changes only when it runs, so each step looks up only the task that ran.
    next: Vec<Option<(PendingOp, Option<Event>)>>,
    pairs: Vec<ReadsFrom>,
}

impl Observer {
    /// Forgets the last execution.
    pub(crate) fn reset(&mut self) {
        self.task_classes.clear();
        self.objects.clear();
        self.last_write.clear();
        self.ordinals.clear();
        self.contexts.clear();
        self.next.clear();
        self.pairs.clear();
    }

    /// The pairs of this execution so far, in the order they happened.
    pub(crate) fn pairs(&self) -> &[ReadsFrom] {
        &self.pairs
    }

    /// What object `object` was last written by this execution.
    pub(crate) fn last_write(&self, object: u32) -> Source {
        self.last_write
            .get(object as usize)
            .copied()
            .unwrap_or(Source::Initial)
    }

    /// The event task `task` performs if it runs `op` now.
    pub(crate) fn event(
        &mut self,
        task: usize,
        op: PendingOp,
        classes: &mut Classes,
    ) -> Option<Event> {
        if let Some(Some((cached, event))) = self.next.get(task) {
            if *cached == op {
                return *event;
            }
        }
        let event = self.look_up(task, op, classes);
        if self.next.len() <= task {
            self.next.resize(task + 1, None);
        }
        self.next[task] = Some((op, event));
        event
    }

    fn look_up(&mut self, task: usize, op: PendingOp, classes: &mut Classes) -> Option<Event> {
        let access = Access::of(op.kind())?;
        let id = op.object().filter(|id| id.thread_index().is_none())?;
        let next = u32::try_from(self.objects.len()).expect("fewer than 2^32 objects");
        let object = *self.objects.entry(id).or_insert(next);
        let class = self.class(task, classes);
        let count = self
            .ordinals
            .get(&(task, object, access))
            .copied()
            .unwrap_or(0);
        let ordinal = bucket(count);
        Some(Event {
            class,
            object,
            access,
            ordinal,
            context: self.contexts.get(task).copied().unwrap_or_default(),
        })
    }

    /// Task `task` performed `event`: records the pair it read and the write it made.
    pub(crate) fn performed(&mut self, task: usize, event: Event) {
        if let Some(next) = self.next.get_mut(task) {
            *next = None;
        }
        *self
            .ordinals
            .entry((task, event.object, event.access))
            .or_insert(0) += 1;
        if self.contexts.len() <= task {
            self.contexts.resize(task + 1, Context::default());
        }
        let context = &mut self.contexts[task];
        *context = [Some((event.object, event.access)), context[0]];
        let object = event.object as usize;
        if self.last_write.len() <= object {
            self.last_write.resize(object + 1, Source::Initial);
        }
        if event.access.reads() {
            self.pairs.push(ReadsFrom {
                read: event,
                from: self.last_write[object],
            });
        }
        if event.access.writes() {
            self.last_write[object] = Source::Write(event);
        }
    }

    /// The class of task `task`'s thread.
    fn class(&mut self, task: usize, classes: &mut Classes) -> u32 {
        if let Some(Some(class)) = self.task_classes.get(task) {
            return *class;
        }
        // A task met for the first time: look the spawn sites up, and keep every task's that
        // is known by now. A task with no site yet may simply not have started (the kernel
        // maps a task to its thread when it starts); only `task` itself, which has an
        // operation pending and so has started, is settled either way (no site: `main`).
        let sites = lockstep_engine::kernel::last_spawn_sites();
        self.task_classes.resize(sites.len().max(task + 1), None);
        for (slot, site) in self.task_classes.iter_mut().zip(&sites) {
            if let (None, Some(site)) = (*slot, site) {
                *slot = Some(classes.of(site));
            }
        }
        *self.task_classes[task].get_or_insert(0)
    }
}

/// The ordinal an access gets when its thread made `count` of the same accesses to the same
/// object before it: the count itself up to 3, then 2 + log2(count) (4..=7 are 4, 8..=15 are 5,
/// ...), as AFL buckets hit counts: the search tells the first few accesses apart, and only
/// the order of magnitude of the later ones.
pub(crate) fn bucket(count: u32) -> u32 {
    if count < 4 {
        count
    } else {
        2 + count.ilog2()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_are_exact_up_to_three_and_bucketed_by_powers_of_two_after() {
        let ordinals: Vec<u32> = [0, 1, 2, 3, 4, 7, 8, 15, 16, 1000].map(bucket).into();
        assert_eq!(ordinals, [0, 1, 2, 3, 4, 4, 5, 5, 6, 11]);
    }

    #[test]
    fn a_read_sees_the_last_write_of_its_object_and_initial_values_before_any() {
        let mut observer = Observer::default();
        let (a, b) = (ObjectId::address(&1u8), ObjectId::address(&2u8));
        let mut classes = Classes::default();
        let mut event = |observer: &mut Observer, kind, id| {
            observer
                .event(0, PendingOp::new(kind, Some(id)), &mut classes)
                .expect("an access")
        };
        let load_a = event(&mut observer, OpKind::Read, a);
        observer.performed(0, load_a);
        let store_b = event(&mut observer, OpKind::Write, b);
        observer.performed(0, store_b);
        let load_b = event(&mut observer, OpKind::Read, b);
        observer.performed(0, load_b);
        let second_load_a = event(&mut observer, OpKind::Read, a);
        assert_eq!((load_a.object, store_b.object), (0, 1));
        assert_eq!(second_load_a.ordinal, 1, "the thread's second read of a");
        assert_eq!(
            load_b.context,
            [Some((1, Access::Update)), Some((0, Access::Read))],
            "right after the store of b and the load of a"
        );
        assert_eq!(
            observer.pairs(),
            [
                ReadsFrom {
                    read: load_a,
                    from: Source::Initial
                },
                ReadsFrom {
                    read: store_b,
                    from: Source::Initial
                },
                ReadsFrom {
                    read: load_b,
                    from: Source::Write(store_b)
                },
            ]
        );
        observer.reset();
        assert!(observer.pairs().is_empty());
        assert_eq!(observer.last_write(1), Source::Initial);
    }
}
