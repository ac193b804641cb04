//! Programs over the std surface that issue 17 added last (the atomics' `update` /
//! `try_update`, `AtomicBool::fetch_not`, `AtomicPtr`'s pointer arithmetic,
//! `Once::call_once_force`, `thread::Builder::stack_size`), written once against the facade and
//! run by `tests/std_surface.rs` on real threads and by `tests/surface.rs` under shuttle and loom.
#![allow(dead_code)] // each test file uses its own subset

use lockstep::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};
use lockstep::sync::{Arc, Once};
use lockstep::thread;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Two `update`s race on 1: one adds 1, the other doubles. Returns the final value and the
/// previous value each saw: `(4, 1, 2)` if the add went first, `(3, 2, 1)` if the double did.
pub fn update_race() -> (usize, usize, usize) {
    let value = Arc::new(AtomicUsize::new(1));
    let adder = {
        let value = Arc::clone(&value);
        thread::spawn(move || value.update(SeqCst, SeqCst, |n| n + 1))
    };
    let doubled_from = value.update(SeqCst, SeqCst, |n| n * 2);
    let added_to = adder.join().unwrap();
    (value.load(SeqCst), added_to, doubled_from)
}

/// Two threads each take the last of one token with `try_update` (decrement unless zero):
/// exactly one gets it. Returns (main's result, the other's).
pub fn try_update_takes_the_last_token() -> (Result<usize, usize>, Result<usize, usize>) {
    let tokens = Arc::new(AtomicUsize::new(1));
    let take = |tokens: &AtomicUsize| tokens.try_update(SeqCst, SeqCst, |n| n.checked_sub(1));
    let other = {
        let tokens = Arc::clone(&tokens);
        thread::spawn(move || take(&tokens))
    };
    let mine = take(&tokens);
    let theirs = other.join().unwrap();
    assert_eq!(tokens.load(SeqCst), 0, "the one token was taken once");
    (mine, theirs)
}

/// A thread flips a flag with `fetch_not` while main reads it, then flips it back: main
/// reads `false` or `true`; each flip saw the other's result.
pub fn fetch_not_against_a_load() -> (bool, bool, bool) {
    let flag = Arc::new(AtomicBool::new(false));
    let flipper = {
        let flag = Arc::clone(&flag);
        thread::spawn(move || flag.fetch_not(SeqCst))
    };
    let seen = flag.load(SeqCst);
    let mine = flag.fetch_not(SeqCst);
    let theirs = flipper.join().unwrap();
    assert!(!flag.load(SeqCst), "two flips leave the flag as it was");
    (seen, mine, theirs)
}

/// Two threads claim a slot of `[0, 1]` each by bumping a shared cursor: `fetch_ptr_add`, or,
/// with `racy`, a load and then a store (the planted bug: both can claim slot 0). Returns the
/// slot indices (main's, the other's).
pub fn claim_slots(racy: bool) -> (usize, usize) {
    let slots: &'static mut [u64; 3] = Box::leak(Box::new([0, 1, 2]));
    let base = slots.as_mut_ptr();
    let cursor = Arc::new(AtomicPtr::new(base));
    let claim = move |cursor: &AtomicPtr<u64>| {
        let slot = if racy {
            let slot = cursor.load(SeqCst);
            cursor.store(slot.wrapping_add(1), SeqCst);
            slot
        } else {
            cursor.fetch_ptr_add(1, SeqCst)
        };
        // SAFETY: the slots live forever and a slot index within them is read only.
        unsafe { *slot as usize }
    };
    let other = {
        let cursor = Arc::clone(&cursor);
        thread::spawn(move || claim(&cursor))
    };
    let mine = claim(&cursor);
    let theirs = other.join().unwrap();
    assert_ne!(mine, theirs, "two threads claimed slot {mine}");
    (mine, theirs)
}

/// One thread tags a pointer's low bit with `fetch_or(1)` while another clears it with
/// `fetch_and(!1)`, then each moves it one byte on and back (`fetch_byte_add`, `fetch_byte_sub`).
/// Returns whether the tag is set in the end (either order is possible).
pub fn tag_against_untag() -> bool {
    let word: &'static mut u64 = Box::leak(Box::new(0));
    let base: *mut u64 = word;
    let pointer = Arc::new(AtomicPtr::new(base));
    let tagger = {
        let pointer = Arc::clone(&pointer);
        thread::spawn(move || {
            pointer.fetch_or(1, SeqCst);
        })
    };
    pointer.fetch_and(!1, SeqCst);
    tagger.join().unwrap();
    pointer.fetch_byte_add(8, SeqCst);
    pointer.fetch_byte_sub(8, SeqCst);
    pointer.fetch_xor(0, SeqCst);
    pointer.fetch_ptr_add(3, SeqCst);
    let last = pointer.fetch_ptr_sub(3, SeqCst);
    assert_eq!(last.map_addr(|a| a & !1), base.wrapping_add(3));
    let tagged = pointer.load(SeqCst);
    assert_eq!(tagged.map_addr(|a| a & !1), base);
    tagged.addr() & 1 == 1
}

/// A thread's initializer panics while main forces the same `Once`: main's forced initializer
/// runs before the panic (told "not poisoned", and the panicking one never runs) or after it
/// (told "poisoned"). Returns (the thread's `call_once` panicked, main's saw poison).
pub fn call_once_force_against_a_panicking_initializer() -> (bool, bool) {
    let once = Arc::new(Once::new());
    let panicker = {
        let once = Arc::clone(&once);
        thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                once.call_once(|| panic!("the first initializer fails"))
            }))
            .is_err()
        })
    };
    let mut saw_poison = None;
    once.call_once_force(|state| saw_poison = Some(state.is_poisoned()));
    let panicked = panicker.join().unwrap();
    assert!(once.is_completed());
    let mut again = false;
    once.call_once_force(|_| again = true);
    assert!(!again, "a completed `Once` never runs a forced initializer");
    (panicked, saw_poison.expect("main's initializer ran"))
}

/// A thread's initializer panics while main's `call_once_force` recovers the `Once`; with
/// `assumes_clean`, main's recovery asserts that it runs first (the planted bug: the
/// panicking initializer can run first).
pub fn recovery_that_assumes_a_clean_once(assumes_clean: bool) {
    let once = Arc::new(Once::new());
    let panicker = {
        let once = Arc::clone(&once);
        thread::spawn(move || {
            let _ = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("init fails"))));
        })
    };
    once.call_once_force(|state| {
        if assumes_clean {
            assert!(!state.is_poisoned(), "the recovery ran on a poisoned Once");
        }
    });
    panicker.join().unwrap();
    assert!(once.is_completed());
}

/// A forced initializer that panics again leaves the `Once` poisoned; the next one clears it.
/// Returns (the second `call_once` panicked, the third call saw poison, completed).
pub fn call_once_force_repoisons_then_recovers() -> (bool, bool, bool) {
    let once = Once::new();
    let first = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("first"))));
    assert!(first.is_err());
    let second = catch_unwind(AssertUnwindSafe(|| {
        once.call_once_force(|state| {
            assert!(state.is_poisoned());
            panic!("second")
        })
    }));
    let mut third_saw_poison = false;
    once.call_once_force(|state| third_saw_poison = state.is_poisoned());
    (second.is_err(), third_saw_poison, once.is_completed())
}

/// A thread spawned with a name and a 1 MiB stack puts a 256 KiB array on it (more than
/// shuttle's and loom's default thread stacks hold) and is joined.
pub fn spawn_with_a_stack_size() -> (String, u32) {
    const ARRAY: usize = 1 << 18;
    let worker = thread::Builder::new()
        .name("big-frames")
        .stack_size(4 * ARRAY)
        .spawn(|| {
            let mut frame = [7u8; ARRAY];
            let last = std::hint::black_box(&mut frame)[ARRAY - 1];
            (thread::current_name(), u32::from(last) * 6)
        })
        .expect("the thread starts");
    worker.join().unwrap()
}
