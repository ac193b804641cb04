//! The server lock table: one row per (resource id, database name) with its holder, lock
//! type, `locked_at`, `last_activity_at` and version. Timestamps come from the virtual clock.
//!
//! * `acquire(resource, db, holder)` returns whether `holder` now holds the row: a free row,
//!   the same holder again (insert-or-update), or a stale row (no activity for the TTL) that is
//!   taken over; otherwise `false`.
//! * `release(resource, db, holder)` is idempotent and never clears another holder's lock; it
//!   returns whether it released something.
//! * `acquire_with_retry` retries until a timeout, on virtual time.

use lockstep::linearizability::{self, History, Spec};
use lockstep::scenario::{size, Scenario, Variant};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;
use lockstep::time::{sleep, Duration, Instant};
use std::collections::BTreeMap;

/// Planted bug: `release` clears the row whoever holds it.
pub const RELEASE_ANY_HOLDER: &str = "release-any-holder";
/// Planted bug: `acquire` checks the row and writes it in two separate critical sections.
pub const CHECK_THEN_ACT: &str = "check-then-act-acquire";
/// Planted bug: a lock is taken over although it is not stale.
pub const TAKEOVER_FRESH: &str = "takeover-fresh-lock";

/// Which planted bugs are on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bugs {
    /// See [`RELEASE_ANY_HOLDER`].
    pub release_any_holder: bool,
    /// See [`CHECK_THEN_ACT`].
    pub check_then_act: bool,
    /// See [`TAKEOVER_FRESH`].
    pub takeover_fresh: bool,
}

impl Bugs {
    /// The bugs a variant switches on.
    pub fn from_variant(variant: Variant) -> Self {
        Bugs {
            release_any_holder: variant.has_bug(RELEASE_ANY_HOLDER),
            check_then_act: variant.has_bug(CHECK_THEN_ACT),
            takeover_fresh: variant.has_bug(TAKEOVER_FRESH),
        }
    }
}

/// One lock row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Who holds it.
    pub holder: String,
    /// The lock type (always "exclusive" here).
    pub lock_type: &'static str,
    /// When it was first taken.
    pub locked_at: Instant,
    /// When its holder last touched it.
    pub last_activity_at: Instant,
    /// Bumped on every write.
    pub version: u64,
}

type Key = (u32, String);

/// The lock table.
pub struct LockTable {
    rows: Mutex<BTreeMap<Key, Row>>,
    ttl: Duration,
    bugs: Bugs,
}

impl LockTable {
    /// An empty table whose locks go stale after `ttl` without activity.
    pub fn new(ttl: Duration, bugs: Bugs) -> Self {
        LockTable {
            rows: Mutex::named("lock-table", BTreeMap::new()),
            ttl,
            bugs,
        }
    }

    fn is_stale(&self, row: &Row, now: Instant) -> bool {
        self.bugs.takeover_fresh || now.duration_since(row.last_activity_at) >= self.ttl
    }

    /// Tries to take (resource, db) for `holder`.
    pub fn acquire(&self, resource: u32, db: &str, holder: &str) -> bool {
        let key = (resource, db.to_owned());
        if self.bugs.check_then_act {
            let free = {
                let rows = self.rows.lock();
                let now = Instant::now();
                rows.get(&key)
                    .is_none_or(|row| row.holder == holder || self.is_stale(row, now))
            };
            if !free {
                return false;
            }
            let mut rows = self.rows.lock();
            let now = Instant::now();
            write_row(&mut rows, key, holder, now);
            return true;
        }
        let mut rows = self.rows.lock();
        let now = Instant::now();
        let free = rows
            .get(&key)
            .is_none_or(|row| row.holder == holder || self.is_stale(row, now));
        if free {
            write_row(&mut rows, key, holder, now);
        }
        free
    }

    /// Retries [`acquire`](LockTable::acquire) every `every` until `timeout` passes.
    pub fn acquire_with_retry(
        &self,
        resource: u32,
        db: &str,
        holder: &str,
        every: Duration,
        timeout: Duration,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.acquire(resource, db, holder) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            sleep(every);
        }
    }

    /// Releases (resource, db) if `holder` holds it; idempotent.
    pub fn release(&self, resource: u32, db: &str, holder: &str) -> bool {
        let mut rows = self.rows.lock();
        let key = (resource, db.to_owned());
        match rows.get(&key) {
            Some(row) if row.holder == holder || self.bugs.release_any_holder => {
                rows.remove(&key);
                true
            }
            _ => false,
        }
    }

    /// The row of (resource, db), if held.
    pub fn row(&self, resource: u32, db: &str) -> Option<Row> {
        self.rows.lock().get(&(resource, db.to_owned())).cloned()
    }

    /// How many rows are held.
    pub fn held_rows(&self) -> usize {
        self.rows.lock().len()
    }
}

fn write_row(rows: &mut BTreeMap<Key, Row>, key: Key, holder: &str, now: Instant) {
    let version = rows.get(&key).map_or(0, |r| r.version) + 1;
    let locked_at = rows
        .get(&key)
        .filter(|r| r.holder == holder)
        .map_or(now, |r| r.locked_at);
    rows.insert(
        key,
        Row {
            holder: holder.to_owned(),
            lock_type: "exclusive",
            locked_at,
            last_activity_at: now,
            version,
        },
    );
}

/// The sequential specification of one row (no staleness: the scenarios' TTL is never
/// reached without activity while they check linearizability).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RowSpec {
    holder: Option<String>,
}

/// An operation on one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowOp {
    /// `acquire(holder)`.
    Acquire(String),
    /// `release(holder)`.
    Release(String),
}

impl Spec for RowSpec {
    type Op = RowOp;
    type Ret = bool;
    fn apply(&mut self, op: &RowOp) -> bool {
        match op {
            RowOp::Acquire(who) => {
                let ok = self.holder.as_ref().is_none_or(|h| h == who);
                if ok {
                    self.holder = Some(who.clone());
                }
                ok
            }
            RowOp::Release(who) => {
                let ok = self.holder.as_ref() == Some(who);
                if ok {
                    self.holder = None;
                }
                ok
            }
        }
    }
}

/// `holders` holders (5) contend for one row, `rounds` times (3) each: acquire, release,
/// release again (idempotent); the recorded history must be linearizable and the table empty
/// at the end.
fn contended_row(variant: Variant) {
    let holders = size("holders", 5);
    let rounds = size("rounds", 3);
    let table = Arc::new(LockTable::new(
        Duration::from_secs(3600),
        Bugs::from_variant(variant),
    ));
    let history: History<RowOp, bool> = History::new();
    let workers: Vec<_> = (0..holders)
        .map(|i| {
            let who = holder_name(i);
            let (table, history) = (Arc::clone(&table), history.clone());
            thread::spawn(move || {
                for _ in 0..rounds {
                    let call = history.call(&who, RowOp::Acquire(who.clone()));
                    let got = table.acquire(7, "orders", &who);
                    history.ret(call, got);
                    let releases = if got { 2 } else { 1 };
                    for _ in 0..releases {
                        let call = history.call(&who, RowOp::Release(who.clone()));
                        let released = table.release(7, "orders", &who);
                        history.ret(call, released);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker panicked");
    }
    if let Err(e) = linearizability::check(&RowSpec::default(), &history.entries()) {
        panic!("lock table: {e}");
    }
    assert_eq!(table.held_rows(), 0, "an orphaned lock remains");
}

/// Holder `i`'s name: `a`, `b`, ... `z`, then `h26`, `h27`, ...
fn holder_name(i: usize) -> String {
    match u8::try_from(i) {
        Ok(i) if i < 26 => char::from(b'a' + i).to_string(),
        _ => format!("h{i}"),
    }
}

/// A holder keeps a lock busy (activity every 10 s for 40 s); a contender retries for 60 s with
/// a 30 s TTL: it must not take the lock over while it is fresh, and gets it once released.
fn stale_takeover(variant: Variant) {
    let table = Arc::new(LockTable::new(
        Duration::from_secs(30),
        Bugs::from_variant(variant),
    ));
    assert!(table.acquire(1, "db", "owner"));
    let contender = {
        let table = Arc::clone(&table);
        thread::spawn(move || {
            table.acquire_with_retry(
                1,
                "db",
                "contender",
                Duration::from_secs(5),
                Duration::from_secs(60),
            )
        })
    };
    for _ in 0..4 {
        sleep(Duration::from_secs(10));
        let row = table.row(1, "db").expect("the row is held");
        assert_eq!(
            row.holder, "owner",
            "a fresh lock was taken over by {}",
            row.holder
        );
        assert!(
            table.acquire(1, "db", "owner"),
            "the owner renews its activity"
        );
    }
    assert!(table.release(1, "db", "owner"));
    assert!(
        contender.join().unwrap(),
        "the contender gets the released lock in time"
    );
    assert!(table.release(1, "db", "contender"));
    assert!(
        !table.release(1, "db", "contender"),
        "a second release changes nothing"
    );
    assert_eq!(table.held_rows(), 0);
}

/// The lock table's scenarios.
pub const SCENARIOS: [Scenario; 2] = [
    Scenario {
        name: "lock-table-contended-row",
        about: "acquire/release on one row is linearizable; one holder at a time; no orphan",
        bugs: &[RELEASE_ANY_HOLDER, CHECK_THEN_ACT],
        run: contended_row,
    },
    Scenario {
        name: "lock-table-stale-takeover",
        about: "a fresh lock is never taken over; retry until a timeout gets a released one",
        bugs: &[TAKEOVER_FRESH],
        run: stale_takeover,
    },
];
