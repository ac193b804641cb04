//! Fences: loom `tests/fence.rs`. Upstream's data cell is a loom `UnsafeCell` (a race on it
//! is reported); here it is a relaxed `AtomicUsize`, so a fence that failed to synchronize
//! shows as a stale read of 0 instead, which the same assertion catches.

use super::Body::Runs;
use super::Case;
use super::Expect::Passes;
use lockstep::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use lockstep::sync::Arc;
use lockstep::thread;
use Ordering::{Acquire, Relaxed, Release, SeqCst};

pub const CASES: &[Case] = &[
    Case::loom("fence.rs", "fence_sw_base", Runs(fence_to_fence), Passes),
    Case::loom(
        "fence.rs",
        "fence_sw_collapsed_store",
        Runs(release_store_to_acquire_fence),
        Passes,
    ),
    Case::loom(
        "fence.rs",
        "fence_sw_collapsed_load",
        Runs(release_fence_to_acquire_load),
        Passes,
    ),
    Case::loom(
        "fence.rs",
        "sb_fences",
        Runs(store_buffering_fenced),
        Passes,
    ),
    Case::loom(
        "fence.rs",
        "fence_hazard_pointer",
        Runs(hazard_pointer),
        Passes,
    ),
    Case::loom("fence.rs", "rwc_syncs", Runs(read_write_causality), Passes),
    Case::loom(
        "fence.rs",
        "w_rwc",
        Runs(write_read_write_causality),
        Passes,
    ),
];

/// A writer stores 42 into the data and then sets the flag (with `release_fence` before a
/// relaxed flag store, else a release store); the reader that sees the flag (acquire load, or
/// relaxed load then `acquire_fence`) reads 42.
fn message_passing(release_fence: bool, acquire_fence: bool) {
    let data = Arc::new(AtomicUsize::new(0));
    let flag = Arc::new(AtomicBool::new(false));
    let writer = {
        let (data, flag) = (Arc::clone(&data), Arc::clone(&flag));
        thread::spawn(move || {
            data.store(42, Relaxed);
            if release_fence {
                fence(Release);
                flag.store(true, Relaxed);
            } else {
                flag.store(true, Release);
            }
        })
    };
    let seen = flag.load(if acquire_fence { Relaxed } else { Acquire });
    if seen {
        if acquire_fence {
            fence(Acquire);
        }
        assert_eq!(data.load(Relaxed), 42);
    }
    writer.join().unwrap();
}

fn fence_to_fence() {
    message_passing(true, true);
}

fn release_store_to_acquire_fence() {
    message_passing(false, true);
}

fn release_fence_to_acquire_load() {
    message_passing(true, false);
}

/// Store buffering with `SeqCst` fences between each store and load: not both loads miss.
fn store_buffering_fenced() {
    let (x, y) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let other = {
        let (x, y) = (Arc::clone(&x), Arc::clone(&y));
        thread::spawn(move || {
            x.store(true, Relaxed);
            fence(SeqCst);
            y.load(Relaxed)
        })
    };
    y.store(true, Relaxed);
    fence(SeqCst);
    let here = x.load(Relaxed);
    if !other.join().unwrap() {
        assert!(here);
    }
}

/// A reader protects, fences, then validates reachability; the reclaimer unlinks, fences,
/// then frees only if unprotected: a reachable object is never seen freed.
fn hazard_pointer() {
    let reachable = Arc::new(AtomicBool::new(true));
    let protected = Arc::new(AtomicBool::new(false));
    let allocated = Arc::new(AtomicBool::new(true));
    let reader = {
        let (reachable, protected, allocated) = (
            Arc::clone(&reachable),
            Arc::clone(&protected),
            Arc::clone(&allocated),
        );
        thread::spawn(move || {
            protected.store(true, Relaxed);
            fence(SeqCst);
            if reachable.load(Relaxed) {
                assert!(allocated.load(Relaxed));
            }
        })
    };
    reachable.store(false, Relaxed);
    fence(SeqCst);
    if !protected.load(Relaxed) {
        allocated.store(false, Relaxed);
    }
    reader.join().unwrap();
}

/// RWC+syncs (SCFix), or with `through_z` W+RWC: the second thread's first read is x
/// (relaxed) or z (acquire; main release-stores z after x). `a && !b && !c` is forbidden.
fn causality(through_z: bool) {
    let (x, y, z) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let second = {
        let (x, y, z) = (Arc::clone(&x), Arc::clone(&y), Arc::clone(&z));
        thread::spawn(move || {
            let a = if through_z {
                z.load(Acquire)
            } else {
                x.load(Relaxed)
            };
            fence(SeqCst);
            (a, y.load(Relaxed))
        })
    };
    let third = {
        let x = Arc::clone(&x);
        thread::spawn(move || {
            y.store(true, Relaxed);
            fence(SeqCst);
            x.load(Relaxed)
        })
    };
    x.store(true, Relaxed);
    if through_z {
        z.store(true, Release);
    }
    let (a, b) = second.join().unwrap();
    let c = third.join().unwrap();
    assert!(!(a && !b && !c), "forbidden outcome a && !b && !c");
}

fn read_write_causality() {
    causality(false);
}

fn write_read_write_causality() {
    causality(true);
}
