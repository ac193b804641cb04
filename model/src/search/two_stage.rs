//! The two-stage atomicity violation (SCTBench's `twostage` and `twostage_N`, which the RFF paper
//! measures at 1+1, 10+10, 40+10 and 99+1 threads), written against the facade.
//!
//! Two values with a lock each: `data1` under `L1`, `data2` under `L2`, and the invariant
//! `data2 == data1 + 1` once `data1` is set. Every setter sets `data1 = 1` under `L1`, releases
//! it, then sets `data2 = data1 + 1` under `L2`: two critical sections where one is needed (the
//! planted bug, [`SPLIT_STAGES`]). Every reader reads `data1` under `L1` (and stops if it is
//! still unset), then `data2` under `L2`, and checks the invariant.
//!
//! The failing order: some setter's first stage, then a reader's two critical sections, before
//! any setter's second stage (after the first second stage `data2` is 2 for good). The reader
//! must fit between two steps of one setter while every other setter stays away from `L2`: with
//! many setters a random or priority-based scheduler rarely holds them all back. With the fix,
//! setters and readers hold `L1` across both stages (always `L1` before `L2`), so the pair is
//! only ever seen whole.

use lockstep::scenario::Variant;
use lockstep::sync::atomic::{AtomicI64, Ordering};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;

/// The planted bug: a setter releases `L1` between its two stages (and a reader between its two
/// reads).
pub const SPLIT_STAGES: &str = "split-stages";

/// The two values and their locks. The values are atomics so that a stage can read `data1`
/// while holding only `L2`, as the C original does.
struct Stages {
    data1: AtomicI64,
    data2: AtomicI64,
    l1: Mutex<()>,
    l2: Mutex<()>,
}

impl Stages {
    fn new() -> Self {
        Stages {
            data1: AtomicI64::new(0),
            data2: AtomicI64::new(0),
            l1: Mutex::named("L1", ()),
            l2: Mutex::named("L2", ()),
        }
    }

    /// One setter's two stages; with `split`, `L1` is released between them.
    fn set(&self, split: bool) {
        let first = self.l1.lock();
        self.data1.store(1, Ordering::SeqCst);
        if split {
            drop(first);
        }
        let _second = self.l2.lock();
        let data1 = self.data1.load(Ordering::SeqCst);
        self.data2.store(data1 + 1, Ordering::SeqCst);
    }

    /// `(data1, data2)` as one reader sees them, or `None` if `data1` was still unset.
    fn read(&self, split: bool) -> Option<(i64, i64)> {
        let first = self.l1.lock();
        let data1 = self.data1.load(Ordering::SeqCst);
        if data1 == 0 {
            return None;
        }
        if split {
            drop(first);
        }
        let _second = self.l2.lock();
        Some((data1, self.data2.load(Ordering::SeqCst)))
    }
}

/// Runs `setters` setter threads, then `readers` reader threads (spawned in that order by the
/// calling thread, at least one of each); panics with the pair a reader saw if it broke
/// `data2 == data1 + 1`. The bug is present with `Variant::Bug(SPLIT_STAGES)`.
///
/// ```
/// # #[cfg(all(feature = "shuttle", not(loom)))] {
/// use lockstep::explore::{Explorer, Strategy};
/// use lockstep::scenario::Variant;
/// use model::search::two_stage::{two_stage, SPLIT_STAGES};
///
/// let found = Explorer::new(Strategy::Random)
///     .seed(0)
///     .iterations(1000)
///     .shrink_budget(0)
///     .run(|| two_stage(1, 1, Variant::Bug(SPLIT_STAGES)))
///     .expect_err("random finds the reader between the two stages");
/// assert!(found.message.contains("data1 = 1 but data2 = 0"));
/// # }
/// ```
pub fn two_stage(setters: usize, readers: usize, variant: Variant) {
    assert!(
        setters >= 1 && readers >= 1,
        "two-stage needs a setter and a reader"
    );
    let split = variant.has_bug(SPLIT_STAGES);
    let stages = Arc::new(Stages::new());
    let spawn = |role: &str, i: usize| {
        let stages = Arc::clone(&stages);
        let setter = role == "setter";
        thread::Builder::new()
            .name(format!("{role}-{i}"))
            .spawn(move || {
                if setter {
                    stages.set(split);
                } else if let Some((data1, data2)) = stages.read(split) {
                    assert!(
                        data2 == data1 + 1,
                        "two-stage: a reader saw data1 = {data1} but data2 = {data2} (expected {})",
                        data1 + 1
                    );
                }
            })
            .expect("spawn a two-stage thread")
    };
    let handles: Vec<_> = (1..=setters)
        .map(|i| spawn("setter", i))
        .chain((1..=readers).map(|i| spawn("reader", i)))
        .collect();
    for handle in handles {
        handle.join().expect("a two-stage thread panicked");
    }
}
