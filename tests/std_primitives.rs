//! The new primitives on real threads: std's park/unpark token semantics, scoped threads that
//! borrow and propagate panics as std's do, names and ids, every atomic width, owned permits
//! that move between threads (their holds follow), `add_permits`, and random draws.
#![cfg(not(any(loom, feature = "shuttle")))]

#[path = "support/primitives.rs"]
mod primitives;

use lockstep::sync::{Arc, LockClass, Mutex, Semaphore};
use lockstep::thread;
use lockstep::time::{Duration, Instant};

#[test]
fn an_unpark_before_park_makes_park_return_and_the_handshake_completes() {
    thread::current().unpark();
    thread::park(); // returns at once: the token was there
    for _ in 0..20 {
        primitives::park_unpark_order();
    }
}

#[test]
fn park_timeout_returns_after_its_timeout_without_an_unpark() {
    let start = Instant::now();
    // std may return spuriously; a loop that re-checks the time is what std asks for.
    while start.elapsed() < Duration::from_millis(20) {
        thread::park_timeout(Duration::from_millis(20));
    }
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn scoped_threads_borrow_the_stack_and_are_joined_at_the_end() {
    let mut appended = primitives::scoped_appends();
    appended.sort();
    assert_eq!(appended, [1, 2]);
    let mut counts = [0u32; 3];
    thread::scope(|s| {
        for (i, slot) in counts.iter_mut().enumerate() {
            s.spawn(move || *slot = i as u32 * 10);
        }
    });
    assert_eq!(counts, [0, 10, 20]);
}

#[test]
fn a_panic_left_to_the_scope_makes_the_scope_panic_and_a_joined_one_does_not() {
    let unjoined = std::panic::catch_unwind(|| {
        thread::scope(|s| {
            s.spawn(|| panic!("worker failed"));
        })
    })
    .expect_err("the scope panics");
    assert_eq!(
        lockstep::panic_message(&*unjoined),
        "a scoped thread panicked"
    );
    let joined = thread::scope(|s| s.spawn(|| panic!("handled")).join().is_err());
    assert!(joined);
}

#[test]
fn names_and_ids_are_stds() {
    let seen = primitives::thread_identities();
    assert_eq!(seen[1].1, None);
    assert_eq!(seen[2].1.as_deref(), Some("worker"));
    assert_ne!(seen[0].0, seen[1].0);
    assert_ne!(seen[1].0, seen[2].0);
    let child = thread::spawn(|| thread::current().id());
    let id = child.thread().id();
    assert_eq!(child.join().unwrap(), id);
}

#[test]
fn every_width_counts_with_fetch_add_and_has_stds_methods() {
    use lockstep::sync::atomic::*;
    for (width, program) in primitives::INCREMENTS {
        assert_eq!(program(false), 2, "{width}");
    }
    let winner = primitives::cas_race();
    assert!(winner == 1 || winner == 2);
    let ptr = primitives::pointer_swap_race();
    assert!(ptr == 1 || ptr == 2);
    let bits = AtomicU16::new(0b1100);
    assert_eq!(bits.fetch_nand(0b1010, Ordering::SeqCst), 0b1100);
    assert_eq!(bits.load(Ordering::SeqCst), !0b1000u16);
    let low = AtomicI8::new(-3);
    assert_eq!(low.fetch_max(5, Ordering::SeqCst), -3);
    assert_eq!(low.fetch_min(-7, Ordering::SeqCst), 5);
    let mut flag = AtomicBool::new(true);
    assert!(flag.fetch_nand(true, Ordering::SeqCst));
    *flag.get_mut() = true;
    assert!(flag.into_inner());
    fence(Ordering::SeqCst);
    compiler_fence(Ordering::SeqCst);
}

#[test]
fn an_owned_permit_moves_threads_and_its_hold_leaves_the_taker() {
    assert_eq!(primitives::owned_permit_moves_threads(), 1);
    const POOL: LockClass = LockClass::new("pool", 2);
    const TABLE: LockClass = LockClass::new("table", 1);
    let pool = Arc::new(Semaphore::ranked(POOL, 1));
    let table = Mutex::ranked(TABLE, ());
    let permit = Arc::clone(&pool).acquire_owned();
    // Held here, the permit's rank forbids the lower-ranked table.
    assert!(matches!(
        table.lock_timeout(Duration::from_millis(1)).err(),
        Some(lockstep::LockError::OrderViolation { .. })
    ));
    // Dropped on another thread, the hold leaves this thread's stack.
    thread::spawn(move || drop(permit)).join().unwrap();
    assert!(table.lock_timeout(Duration::from_millis(1)).is_ok());
    assert_eq!(pool.available_permits(), 1);
}

#[test]
fn add_permits_wakes_a_waiter_and_owned_timeouts_fail_with_the_name() {
    assert!(primitives::add_permits_wakes_a_waiter());
    let empty = Arc::new(Semaphore::named("empty", 0));
    let err = empty
        .acquire_owned_timeout(Duration::from_millis(5))
        .unwrap_err();
    assert!(err.to_string().contains("Semaphore \"empty\""), "{err}");
}

#[test]
fn random_draws_are_in_range_and_not_constant() {
    let draws: std::collections::BTreeSet<u64> =
        (0..64).map(|_| lockstep::random::random::<u64>()).collect();
    assert!(draws.len() > 60, "{} distinct of 64", draws.len());
    for _ in 0..200 {
        let die = lockstep::random::gen_range(1..=6u8);
        assert!((1..=6).contains(&die));
        assert_eq!(lockstep::random::gen_range(-3..-2i64), -3);
    }
    assert!(lockstep::random::gen_bool(1.0));
    assert!(!lockstep::random::gen_bool(0.0));
    let full: u64 = lockstep::random::gen_range(..);
    let _ = full;
}
