//! Booking and swaps: people assigned to shifts.
//!
//! * **Optimistic edits.** An edit carries the version it read; a stale version fails with
//!   [`BookingError::Conflict`] (the HTTP 409 case) and never overwrites.
//! * **Pessimistic row locks**, one per shift, always taken in increasing shift id (the lock
//!   hierarchy enforces it: one class, keyed by shift id).
//! * **Swaps** exchange the people of two shifts; a person is never booked on two shifts of the
//!   same slot, even when two swap requests want the same shift.
//! * **Schedule generation** is a long, cancellable task: the new schedule is built aside and
//!   published in one write; cancelling drops it. A swap that arrives during generation fails
//!   with a conflict rather than interleaving with it. Readers see the schedule before or after
//!   a write, never a mix.

use lockstep::scenario::{size, Scenario, Variant};
use lockstep::sync::atomic::{AtomicBool, Ordering};
use lockstep::sync::{Arc, LockClass, Mutex, RwLock};
use lockstep::thread;
use lockstep::time::{sleep, Duration};
use thiserror::Error;

/// Planted bug: an edit overwrites without checking the version it read.
pub const NO_VERSION_CHECK: &str = "no-version-check";
/// Planted bug: the swap matcher checks availability and books in separate critical sections.
pub const CHECK_THEN_ACT_SWAP: &str = "check-then-act-swap";
/// Planted bug: cancelling generation leaves the shifts it already wrote.
pub const CANCEL_WITHOUT_ROLLBACK: &str = "cancel-without-rollback";
/// Planted bug: a two-field update is written in two steps a reader can see between.
pub const HALF_WRITTEN_UPDATE: &str = "half-written-update";
/// Planted bug: a swap takes its row locks in decreasing shift order.
pub const ROW_LOCKS_OUT_OF_ORDER: &str = "row-locks-out-of-order";

const SHIFT_ROW: LockClass = LockClass::new("shift-row", 1);
const SCHEDULE: LockClass = LockClass::new("schedule", 2);

/// Why a booking operation failed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum BookingError {
    /// The data changed since it was read, or generation is running (HTTP 409).
    #[error("conflict on shift {shift}: {reason}")]
    Conflict {
        /// The shift.
        shift: usize,
        /// What conflicted.
        reason: &'static str,
    },
}

/// One shift: who works it, in which slot, and the row's version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shift {
    /// The person booked, if any.
    pub person: Option<u32>,
    /// The time slot (two shifts of one slot cannot share a person).
    pub slot: u32,
    /// Which schedule generation wrote it.
    pub generation: u32,
    /// Bumped on every write.
    pub version: u64,
}

/// The bookings.
pub struct Booking {
    bugs: Vec<&'static str>,
    /// The published schedule: shift rows behind one read-write lock for consistent reads.
    schedule: RwLock<Vec<Shift>>,
    /// Row locks, one per shift, for swaps and edits.
    rows: Vec<Mutex<()>>,
    generating: AtomicBool,
}

impl Booking {
    /// `slots` slots with two shifts each; person `p` works shift `p` (generation 0).
    pub fn new(slots: u32, variant: Variant) -> Self {
        let shifts: Vec<Shift> = (0..slots * 2)
            .map(|i| Shift {
                person: Some(i),
                slot: i / 2,
                generation: 0,
                version: 0,
            })
            .collect();
        let bugs = [
            NO_VERSION_CHECK,
            CHECK_THEN_ACT_SWAP,
            CANCEL_WITHOUT_ROLLBACK,
            HALF_WRITTEN_UPDATE,
            ROW_LOCKS_OUT_OF_ORDER,
        ]
        .into_iter()
        .filter(|b| variant.has_bug(b))
        .collect();
        Booking {
            rows: (0..shifts.len())
                .map(|i| Mutex::ranked_keyed(SHIFT_ROW, i as u64, ()))
                .collect(),
            schedule: RwLock::ranked(SCHEDULE, shifts),
            generating: AtomicBool::new(false),
            bugs,
        }
    }

    fn bug(&self, name: &str) -> bool {
        self.bugs.contains(&name)
    }

    /// A consistent copy of every shift.
    pub fn read(&self) -> Vec<Shift> {
        self.schedule.read().clone()
    }

    /// Books `person` on `shift`, if the shift is still at `read_version`.
    pub fn edit(&self, shift: usize, person: u32, read_version: u64) -> Result<(), BookingError> {
        let _row = self.rows[shift].lock();
        let mut schedule = self.schedule.write();
        if !self.bug(NO_VERSION_CHECK) && schedule[shift].version != read_version {
            return Err(BookingError::Conflict {
                shift,
                reason: "stale version",
            });
        }
        schedule[shift].person = Some(person);
        schedule[shift].version += 1;
        Ok(())
    }

    /// Exchanges the people of shifts `a` and `b`.
    pub fn swap(&self, a: usize, b: usize) -> Result<(), BookingError> {
        if self.generating.load(Ordering::SeqCst) {
            return Err(BookingError::Conflict {
                shift: a,
                reason: "schedule generation in progress",
            });
        }
        // The matcher's bug: it checks who works the two shifts before taking their row locks,
        // then books what it saw.
        let seen = self.bug(CHECK_THEN_ACT_SWAP).then(|| {
            let schedule = self.schedule.read();
            (schedule[a].person, schedule[b].person)
        });
        let (first, second) = if self.bug(ROW_LOCKS_OUT_OF_ORDER) {
            (a.max(b), a.min(b))
        } else {
            (a.min(b), a.max(b))
        };
        let _first = self.rows[first].lock();
        let _second = self.rows[second].lock();
        if let Some((pa, pb)) = seen {
            let mut schedule = self.schedule.write();
            schedule[a].person = pb;
            schedule[b].person = pa;
            schedule[a].version += 1;
            schedule[b].version += 1;
            return Ok(());
        }
        let mut schedule = self.schedule.write();
        let (pa, pb) = (schedule[a].person, schedule[b].person);
        schedule[a].person = pb;
        schedule[b].person = pa;
        schedule[a].version += 1;
        schedule[b].version += 1;
        Ok(())
    }

    /// Moves shift `shift` to `slot` and records it as written by `generation`: two fields that
    /// must change together. Like every write, it bumps the row's version.
    pub fn update(&self, shift: usize, slot: u32, generation: u32) {
        let _row = self.rows[shift].lock();
        if self.bug(HALF_WRITTEN_UPDATE) {
            self.schedule.write()[shift].slot = slot;
            let mut schedule = self.schedule.write();
            schedule[shift].generation = generation;
            schedule[shift].version += 1;
        } else {
            let mut schedule = self.schedule.write();
            schedule[shift].slot = slot;
            schedule[shift].generation = generation;
            schedule[shift].version += 1;
        }
    }

    /// Generates a new schedule (rotating everyone by one shift) as generation `generation`,
    /// working a while per shift; stops and rolls back if `cancel` is set.
    pub fn generate(&self, generation: u32, cancel: &AtomicBool) -> bool {
        self.generating.store(true, Ordering::SeqCst);
        let done = if self.bug(CANCEL_WITHOUT_ROLLBACK) {
            self.generate_in_place(generation, cancel)
        } else {
            self.generate_aside(generation, cancel)
        };
        self.generating.store(false, Ordering::SeqCst);
        done
    }

    fn generate_aside(&self, generation: u32, cancel: &AtomicBool) -> bool {
        let before = self.read();
        let mut next = before.clone();
        let n = next.len() as u32;
        for (i, shift) in next.iter_mut().enumerate() {
            sleep(Duration::from_secs(1));
            if cancel.load(Ordering::SeqCst) {
                return false;
            }
            shift.person = Some((i as u32 + 1) % n);
            shift.generation = generation;
            shift.version += 1;
        }
        let mut schedule = self.schedule.write();
        // A swap that slipped in meanwhile wins: the generation is a conflict, not a lost swap.
        if schedule
            .iter()
            .zip(&before)
            .any(|(now, then)| now.version != then.version)
        {
            return false;
        }
        *schedule = next;
        true
    }

    fn generate_in_place(&self, generation: u32, cancel: &AtomicBool) -> bool {
        let n = self.rows.len() as u32;
        for i in 0..self.rows.len() {
            sleep(Duration::from_secs(1));
            if cancel.load(Ordering::SeqCst) {
                return false;
            }
            let mut schedule = self.schedule.write();
            schedule[i].person = Some((i as u32 + 1) % n);
            schedule[i].generation = generation;
            schedule[i].version += 1;
        }
        true
    }
}

/// No person is booked on two shifts of one slot, and everyone is booked exactly once.
pub fn assert_no_double_booking(shifts: &[Shift]) {
    for (a, first) in shifts.iter().enumerate() {
        let Some(person) = first.person else { continue };
        if let Some(b) = (a + 1..shifts.len()).find(|b| shifts[*b].person == Some(person)) {
            panic!(
                "a person is double-booked: person {person} works shifts {a} and {b}\n{shifts:?}"
            );
        }
    }
}

/// Every shift of a snapshot comes from one generation: nothing half-generated is visible.
pub fn assert_one_generation(shifts: &[Shift]) {
    let first = shifts[0].generation;
    assert!(
        shifts.iter().all(|s| s.generation == first),
        "a reader saw a half-generated schedule: {shifts:?}"
    );
}

/// `editors` editors (5) read the same version of a shift and all try to book it: exactly one
/// wins, the others get a conflict (no lost update).
fn concurrent_edits(variant: Variant) {
    let booking = Arc::new(Booking::new(2, variant));
    let version = booking.read()[0].version;
    let editors: Vec<_> = (0..size("editors", 5))
        .map(|i| {
            let booking = Arc::clone(&booking);
            let person = 10 + u32::try_from(i).expect("editors fit in u32");
            thread::spawn(move || booking.edit(0, person, version).is_ok())
        })
        .collect();
    let wins = editors
        .into_iter()
        .map(|e| e.join().expect("editor panicked"))
        .filter(|won| *won)
        .count();
    assert_eq!(
        wins, 1,
        "{wins} edits of the same version succeeded: a lost update"
    );
    assert_eq!(booking.read()[0].version, version + 1);
}

/// `swaps` swaps (5) of neighbouring shifts, each wanting a shift another wants too, while
/// `readers` readers (4) watch: never a double booking, never a deadlock.
fn competing_swaps(variant: Variant) {
    let swaps = size("swaps", 5);
    let readers = size("readers", 4);
    let slots = u32::try_from(swaps + 2).expect("slots fit in u32") / 2;
    let booking = Arc::new(Booking::new(slots, variant));
    let swaps: Vec<_> = (0..swaps)
        .map(|a| {
            let booking = Arc::clone(&booking);
            thread::spawn(move || booking.swap(a, a + 1))
        })
        .collect();
    let readers: Vec<_> = (0..readers)
        .map(|_| {
            let booking = Arc::clone(&booking);
            thread::spawn(move || assert_no_double_booking(&booking.read()))
        })
        .collect();
    for swap in swaps {
        swap.join()
            .expect("swap panicked")
            .expect("no generation is running");
    }
    for reader in readers {
        reader.join().expect("the reader saw a double booking");
    }
    assert_no_double_booking(&booking.read());
}

/// Generation runs and is cancelled part-way (or not); a reader (reading `reads` times, 3, a
/// second apart) and a swap arrive meanwhile.
/// Readers see one generation, a cancelled (or conflicting) generation leaves no trace, and the
/// swap either fails with a conflict or wins over the generation.
fn cancelled_generation(variant: Variant) {
    let reads = size("reads", 3);
    let booking = Arc::new(Booking::new(2, variant));
    let cancel = Arc::new(AtomicBool::new(false));
    let generator = {
        let (booking, cancel) = (Arc::clone(&booking), Arc::clone(&cancel));
        thread::spawn(move || booking.generate(1, &cancel))
    };
    let canceller = {
        let cancel = Arc::clone(&cancel);
        thread::spawn(move || {
            sleep(Duration::from_millis(2500));
            cancel.store(true, Ordering::SeqCst);
        })
    };
    let reader = {
        let booking = Arc::clone(&booking);
        thread::spawn(move || {
            for _ in 0..reads {
                assert_one_generation(&booking.read());
                sleep(Duration::from_secs(1));
            }
        })
    };
    let swapper = {
        let booking = Arc::clone(&booking);
        thread::spawn(move || {
            sleep(Duration::from_millis(1500));
            match booking.swap(0, 1) {
                Ok(()) | Err(BookingError::Conflict { .. }) => {}
            }
        })
    };
    let completed = generator.join().expect("generator panicked");
    canceller.join().unwrap();
    reader
        .join()
        .expect("a reader saw a half-generated schedule");
    swapper.join().expect("swapper panicked");
    let shifts = booking.read();
    assert_one_generation(&shifts);
    if !completed {
        assert!(
            shifts.iter().all(|s| s.generation == 0),
            "a cancelled generation left shifts behind: {shifts:?}"
        );
    }
    assert_no_double_booking(&shifts);
}

/// A two-field update races `readers` readers (2): each sees both fields old or both new.
fn two_field_update(variant: Variant) {
    let readers = size("readers", 2);
    let booking = Arc::new(Booking::new(1, variant));
    let writer = {
        let booking = Arc::clone(&booking);
        thread::spawn(move || booking.update(0, 9, 9))
    };
    let readers: Vec<_> = (0..readers)
        .map(|_| {
            let booking = Arc::clone(&booking);
            thread::spawn(move || {
                let shift = booking.read()[0].clone();
                assert!(
                    (shift.slot, shift.generation) == (0, 0)
                        || (shift.slot, shift.generation) == (9, 9),
                    "a reader saw a half-written update: slot {} generation {}",
                    shift.slot,
                    shift.generation
                );
            })
        })
        .collect();
    writer.join().unwrap();
    for reader in readers {
        reader.join().expect("the reader saw half an update");
    }
}

/// Booking's scenarios.
pub const SCENARIOS: [Scenario; 4] = [
    Scenario {
        name: "booking-concurrent-edits",
        about: "concurrent edits of one version: exactly one wins, the others get a 409 conflict",
        bugs: &[NO_VERSION_CHECK],
        run: concurrent_edits,
    },
    Scenario {
        name: "booking-competing-swaps",
        about: "swaps wanting the same shift never double-book it, nor deadlock",
        bugs: &[CHECK_THEN_ACT_SWAP, ROW_LOCKS_OUT_OF_ORDER],
        run: competing_swaps,
    },
    Scenario {
        name: "booking-cancelled-generation",
        about: "a cancelled generation rolls back; readers never see it half-done",
        bugs: &[CANCEL_WITHOUT_ROLLBACK],
        run: cancelled_generation,
    },
    Scenario {
        name: "booking-two-field-update",
        about: "a reader sees a two-field update before or after, never half",
        bugs: &[HALF_WRITTEN_UPDATE],
        run: two_field_update,
    },
];
