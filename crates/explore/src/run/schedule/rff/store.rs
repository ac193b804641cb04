//! What the search learned, kept outside one exploration: [`Feedback`], shared with the
//! exploration that runs the search, saved to a file and merged (shards of one search each
//! save theirs; merged, the next run starts from all of them).
//!
//! The file is TOML: every pair seen (events named by their thread's spawn site, so the
//! numbers of one process's classes never leave it) with its count, and every corpus entry
//! (its POS seed, its constraints, and the pairs its execution showed, by index).

use super::corpus::{AbstractSchedule, Constraint, Corpus, Entry};
use super::coverage::Coverage;
use super::events::{Access, Classes, Event, ReadsFrom, Source};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What a reads-from search (`Strategy::Rff`) learned: the reads-from pairs it has seen and
/// the schedules that first showed them. An exploration given one
/// ([`Explorer::feedback`](crate::explore::Explorer::feedback)) starts from what it holds and
/// leaves in it what it learned on top; it can be saved, loaded and merged, so the shards of
/// one search (`--shard I/N`: other seeds, other mutations) pool what they found.
///
/// ```
/// use lockstep::explore::{Explorer, Feedback, Strategy};
/// use lockstep::sync::atomic::{AtomicUsize, Ordering};
/// use lockstep::sync::Arc;
///
/// let racy = || {
///     let count = Arc::new(AtomicUsize::new(0));
///     let other = Arc::clone(&count);
///     let t = lockstep::thread::spawn(move || other.store(1, Ordering::SeqCst));
///     count.load(Ordering::SeqCst);
///     t.join().unwrap();
/// };
/// let (first, second) = (Feedback::new(), Feedback::new());
/// Explorer::new(Strategy::Rff).seed(1).iterations(20).feedback(&first).run(racy).unwrap();
/// Explorer::new(Strategy::Rff).seed(2).iterations(20).feedback(&second).run(racy).unwrap();
/// assert!(first.pairs() > 0);
/// let file = std::env::temp_dir().join(format!("feedback-doc-{}.toml", std::process::id()));
/// first.save(&file).unwrap();
/// let merged = Feedback::load(&file).unwrap();
/// merged.merge(&second);
/// assert!(merged.pairs() >= first.pairs().max(second.pairs()));
/// # std::fs::remove_file(file).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct Feedback {
    saved: Arc<Mutex<Saved>>,
}

/// Why feedback could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// The file could not be read.
    #[error("{path}: cannot read the feedback file: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not feedback this version of lockstep wrote.
    #[error("{path}: not a feedback file: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The file could not be written.
    #[error("{path}: cannot write the feedback file: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The file format's version.
const VERSION: u32 = 1;

impl Feedback {
    /// Feedback that holds nothing yet.
    pub fn new() -> Feedback {
        Feedback::default()
    }

    /// The feedback saved in `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Feedback, FeedbackError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| FeedbackError::Read {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |reason: String| FeedbackError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let saved: Saved = toml::from_str(&text).map_err(|e| invalid(e.message().to_owned()))?;
        if saved.version != VERSION {
            return Err(invalid(format!(
                "version {}, this lockstep reads version {VERSION}",
                saved.version
            )));
        }
        saved.check().map_err(invalid)?;
        Ok(Feedback {
            saved: Arc::new(Mutex::new(saved)),
        })
    }

    /// Saves the feedback to `path` (creating its directory).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), FeedbackError> {
        let path = path.as_ref();
        let write = |source| FeedbackError::Write {
            path: path.to_owned(),
            source,
        };
        let text = toml::to_string(&*self.lock()).expect("feedback serializes");
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write)?;
        }
        std::fs::write(path, text).map_err(write)
    }

    /// Adds what `other` holds: the counts of the pairs both saw add up, and the corpus holds
    /// the entries of both.
    pub fn merge(&self, other: &Feedback) {
        let theirs = other.lock().clone();
        let mut state = Learned::default();
        state.import(&self.lock());
        state.import(&theirs);
        *self.lock() = state.export();
    }

    /// How many distinct reads-from pairs it holds.
    pub fn pairs(&self) -> usize {
        self.lock().pairs.len()
    }

    /// How many schedules its corpus holds.
    pub fn schedules(&self) -> usize {
        self.lock().entries.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Saved> {
        self.saved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds the feedback to what a search has learned.
    pub(crate) fn load_into(&self, learned: &mut Learned) {
        learned.import(&self.lock());
    }

    /// Replaces the feedback by what a search has learned.
    pub(crate) fn store_from(&self, learned: &Learned) {
        *self.lock() = learned.export();
    }
}

impl std::fmt::Debug for Feedback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Feedback {{ pairs: {}, schedules: {} }}",
            self.pairs(),
            self.schedules()
        )
    }
}

/// What a search learned: its thread classes (which the events' numbers refer to), its
/// coverage and its corpus.
#[derive(Default)]
pub(crate) struct Learned {
    pub(crate) classes: Classes,
    pub(crate) coverage: Coverage,
    pub(crate) corpus: Corpus,
}

impl Learned {
    fn import(&mut self, saved: &Saved) {
        let ids: Vec<u32> = saved
            .pairs
            .iter()
            .map(|pair| {
                let read = self.event(&pair.read);
                let from = self.source(pair.from.as_ref());
                self.coverage.add(ReadsFrom { read, from }, pair.hits)
            })
            .collect();
        for entry in &saved.entries {
            let constraints = entry
                .constraints
                .iter()
                .map(|c| Constraint {
                    read: self.event(&c.read),
                    from: self.source(c.from.as_ref()),
                    must: c.must,
                })
                .collect();
            let mut pairs: Vec<u32> = entry.pairs.iter().map(|&at| ids[at as usize]).collect();
            pairs.sort_unstable();
            pairs.dedup();
            self.corpus.push(Entry {
                schedule: AbstractSchedule {
                    seed: entry.seed,
                    constraints,
                },
                pairs,
            });
        }
    }

    fn export(&self) -> Saved {
        let pairs = self
            .coverage
            .pairs()
            .map(|(pair, hits)| SavedPair {
                read: self.saved_event(pair.read),
                from: self.saved_source(pair.from),
                hits,
            })
            .collect();
        let entries = self
            .corpus
            .entries()
            .iter()
            .map(|entry| SavedEntry {
                seed: entry.schedule.seed,
                constraints: entry
                    .schedule
                    .constraints
                    .iter()
                    .map(|c| SavedConstraint {
                        read: self.saved_event(c.read),
                        from: self.saved_source(c.from),
                        must: c.must,
                    })
                    .collect(),
                pairs: entry.pairs.clone(),
            })
            .collect();
        Saved {
            version: VERSION,
            pairs,
            entries,
        }
    }

    fn event(&mut self, saved: &SavedEvent) -> Event {
        let class = match saved.thread.as_str() {
            "main" => 0,
            site => self.classes.intern(site),
        };
        let mut context = [None; 2];
        for (slot, access) in context.iter_mut().zip(&saved.context) {
            *slot = Some(*access);
        }
        Event {
            class,
            object: saved.object,
            access: saved.access,
            ordinal: saved.ordinal,
            context,
        }
    }

    fn source(&mut self, saved: Option<&SavedEvent>) -> Source {
        saved.map_or(Source::Initial, |event| Source::Write(self.event(event)))
    }

    fn saved_event(&self, event: Event) -> SavedEvent {
        SavedEvent {
            thread: self.classes.site(event.class).to_owned(),
            object: event.object,
            access: event.access,
            ordinal: event.ordinal,
            context: event.context.iter().flatten().copied().collect(),
        }
    }

    fn saved_source(&self, source: Source) -> Option<SavedEvent> {
        match source {
            Source::Initial => None,
            Source::Write(event) => Some(self.saved_event(event)),
        }
    }
}

/// The file's contents.
#[derive(Clone, Default, Serialize, Deserialize)]
struct Saved {
    version: u32,
    pairs: Vec<SavedPair>,
    entries: Vec<SavedEntry>,
}

impl Saved {
    /// Every entry's pairs index the pair list, and contexts are at most two long.
    fn check(&self) -> Result<(), String> {
        let events = self
            .pairs
            .iter()
            .flat_map(|p| [Some(&p.read), p.from.as_ref()]);
        if events.flatten().any(|event| event.context.len() > 2) {
            return Err("a context longer than two accesses".to_owned());
        }
        for (at, entry) in self.entries.iter().enumerate() {
            if let Some(bad) = entry
                .pairs
                .iter()
                .find(|&&p| p as usize >= self.pairs.len())
            {
                return Err(format!(
                    "entry {at} names pair {bad}, but there are {} pairs",
                    self.pairs.len()
                ));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Serialize, Deserialize)]
struct SavedEvent {
    /// Where the thread was spawned (`file:line:column`), or `main`.
    thread: String,
    object: u32,
    access: Access,
    ordinal: u32,
    /// The thread's last accesses before this one, latest first.
    context: Vec<(u32, Access)>,
}

#[derive(Clone, Serialize, Deserialize)]
struct SavedPair {
    read: SavedEvent,
    /// The write the read saw; absent: the initial value.
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<SavedEvent>,
    hits: u32,
}

#[derive(Clone, Serialize, Deserialize)]
struct SavedConstraint {
    read: SavedEvent,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<SavedEvent>,
    must: bool,
}

#[derive(Clone, Serialize, Deserialize)]
struct SavedEntry {
    /// The POS seed, as a string: TOML integers stop at 2^63.
    #[serde(with = "seed_text")]
    seed: u64,
    constraints: Vec<SavedConstraint>,
    /// Indices into the pair list.
    pairs: Vec<u32>,
}

mod seed_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(seed: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&seed.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
