//! Atomics: loom `tests/atomic.rs`, `atomic_int.rs`, `atomic_relaxed.rs`, `litmus.rs`,
//! `smoke.rs`; shuttle `tests/basic/atomic.rs`. loom's single-threaded integer cases run on
//! every width, as upstream's macro does; shuttle's two-thread integer cases on `AtomicUsize`
//! (upstream repeats them per width: the interleavings are the same), its `bool` and pointer
//! cases on `AtomicBool` and `AtomicPtr`.

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes};
use super::{Case, Difference, On, Search};
use lockstep::sync::atomic::{
    AtomicBool, AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicIsize, AtomicPtr, AtomicU16,
    AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering,
};
use lockstep::sync::Arc;
use lockstep::thread;
use Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};

/// Lockstep under shuttle: no weak-memory outcome.
const SEQUENTIALLY_CONSISTENT: Difference = Difference::ShuttleAtomicsSequentiallyConsistent;

pub const CASES: &[Case] = &[
    Case::loom(
        "atomic.rs",
        "fetch_add_atomic",
        Runs(fetch_adds_differ),
        Passes,
    ),
    Case::loom(
        "atomic.rs",
        "update_atomic",
        Runs(fetch_updates_differ),
        Passes,
    ),
    Case::loom("atomic_int.rs", "xor", Runs(xor), Passes),
    Case::loom("atomic_int.rs", "max", Runs(max), Passes),
    Case::loom("atomic_int.rs", "min", Runs(min), Passes),
    Case::loom(
        "atomic_int.rs",
        "compare_exchange",
        Runs(compare_exchange_one_thread),
        Passes,
    ),
    Case::loom(
        "atomic_int.rs",
        "try_update",
        Runs(try_update_one_thread),
        Passes,
    ),
    Case::loom("atomic_int.rs", "update", Runs(update_one_thread), Passes),
    Case::loom(
        "atomic_int.rs",
        "fetch_update",
        Runs(fetch_update_one_thread),
        Passes,
    ),
    Case::loom(
        "atomic_relaxed.rs",
        "compare_and_swap",
        Runs(compare_exchange_increments),
        Passes,
    ),
    Case::loom(
        "atomic_relaxed.rs",
        "check_ordering_valid",
        Runs(release_acquire_message),
        Passes,
    ),
    Case::loom(
        "atomic_relaxed.rs",
        "check_ordering_invalid_1",
        Runs(release_relaxed_message),
        Fails(""),
    )
    .differs(SEQUENTIALLY_CONSISTENT, On::Shuttle, Passes),
    Case::loom(
        "atomic_relaxed.rs",
        "check_ordering_invalid_2",
        Runs(relaxed_relaxed_message),
        Fails(""),
    )
    .differs(SEQUENTIALLY_CONSISTENT, On::Shuttle, Passes),
    Case::loom(
        "litmus.rs",
        "store_buffering",
        Observes(store_buffering),
        Outcomes(&["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]),
    )
    .differs(
        SEQUENTIALLY_CONSISTENT,
        On::Shuttle,
        Outcomes(&["(0, 1)", "(1, 0)", "(1, 1)"]),
    ),
    Case::loom(
        "smoke.rs",
        "checks_fail",
        Runs(load_store_increments),
        Fails(""),
    ),
    Case::shuttle(
        "atomic.rs",
        "store_store_reordering",
        Observes(store_store),
        Outcomes(&["(0, 0)", "(1, 0)", "(1, 1)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "store_load_reordering",
        Observes(load_store_crossed),
        Outcomes(&["(0, 0)", "(0, 1)", "(1, 0)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "load_store_reordering",
        Observes(store_buffering_seq_cst),
        Outcomes(&["(0, 1)", "(1, 0)", "(1, 1)"]),
    )
    .search(Search::Dfs)
    .differs(
        Difference::LoomSeqCstIsAcqRel,
        On::Loom,
        Outcomes(&["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]),
    ),
    Case::shuttle(
        "atomic.rs",
        "try_update",
        Observes(fetch_update_against_stores),
        Outcomes(&["1", "2", "6", "7"]),
    )
    .search(Search::Dfs)
    .differs(
        Difference::LoomSeqCstIsAcqRel,
        On::Loom,
        Outcomes(&["1", "2", "5", "6", "7"]),
    ),
    Case::shuttle(
        "atomic.rs",
        "compare_exchange",
        Observes(compare_exchange_against_store),
        Outcomes(&["Err(0)", "Ok(1)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "compare_exchange_weak",
        Observes(compare_exchange_weak_against_store),
        Outcomes(&["Err(0)", "Ok(1)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "bool::compare_exchange",
        Observes(bool_compare_exchange_against_store),
        Outcomes(&["Err(false)", "Ok(true)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "bool::try_update",
        Observes(bool_negate_against_store),
        Outcomes(&["false", "true"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "bool::fetch_not",
        Observes(two_fetch_nots),
        Outcomes(&["(false, true)", "(true, false)"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "ptr::try_update",
        Observes(ptr_update_against_store),
        Outcomes(&["false", "true"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "ptr::compare_exchange",
        Observes(ptr_compare_exchange_against_store),
        Outcomes(&["false", "true"]),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "relaxed_orderings_work",
        Runs(relaxed_message),
        Passes,
    )
    .search(Search::Dfs)
    .differs(Difference::LoomModelsRelaxed, On::Loom, Fails("left: 0")),
    Case::shuttle(
        "atomic.rs",
        "fetch_update_alias",
        Runs(fetch_update_on_every_kind),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "atomic.rs",
        "fetch_update_retries",
        Observes(fetch_update_calls_racing_add),
        Outcomes(&["1", "2"]),
    )
    .search(Search::Dfs),
];

fn fetch_adds_differ() {
    let a = Arc::new(AtomicUsize::new(0));
    let other = {
        let a = Arc::clone(&a);
        thread::spawn(move || a.fetch_add(1, Relaxed))
    };
    let here = a.fetch_add(1, Relaxed);
    assert_ne!(here, other.join().unwrap());
}

/// Two threads increment with `update`: they see different previous values.
fn fetch_updates_differ() {
    let a = Arc::new(AtomicUsize::new(0));
    let increment = |a: &AtomicUsize| a.update(Relaxed, Relaxed, |v| v + 1);
    let other = {
        let a = Arc::clone(&a);
        thread::spawn(move || increment(&a))
    };
    let here = increment(&a);
    assert_ne!(here, other.join().unwrap());
    assert_eq!(a.load(Relaxed), 2);
}

const NUM_A: u64 = 11641914933775430211;
const NUM_B: u64 = 13209405719799650717;

/// Runs one single-threaded check on every integer width the facade offers, with loom's two
/// numbers cast to that width.
macro_rules! on_every_width {
    (|$atomic:ident, $a:ident, $b:ident| $check:block) => {
        on_every_width!(@each $atomic, $a, $b, $check,
            AtomicU8 u8, AtomicU16 u16, AtomicU32 u32, AtomicU64 u64, AtomicUsize usize,
            AtomicI8 i8, AtomicI16 i16, AtomicI32 i32, AtomicI64 i64, AtomicIsize isize)
    };
    (@each $atomic:ident, $a:ident, $b:ident, $check:block, $($ty:ident $int:ty),*) => {{
        $({
            type $atomic = $ty;
            let ($a, $b) = (NUM_A as $int, NUM_B as $int);
            $check
        })*
    }};
}

fn xor() {
    on_every_width!(|Atomic, a, b| {
        let atomic = Atomic::new(a);
        assert_eq!(atomic.fetch_xor(b, SeqCst), a);
        assert_eq!(atomic.load(SeqCst), a ^ b);
    });
}

fn max() {
    on_every_width!(|Atomic, a, b| {
        let atomic = Atomic::new(a);
        assert_eq!(atomic.fetch_max(b, SeqCst), a);
        assert_eq!(atomic.load(SeqCst), a.max(b));
    });
}

fn min() {
    on_every_width!(|Atomic, a, b| {
        let atomic = Atomic::new(a);
        assert_eq!(atomic.fetch_min(b, SeqCst), a);
        assert_eq!(atomic.load(SeqCst), a.min(b));
    });
}

fn compare_exchange_one_thread() {
    on_every_width!(|Atomic, a, b| {
        let atomic = Atomic::new(a);
        assert_eq!(atomic.compare_exchange(b, a, SeqCst, SeqCst), Err(a));
        assert_eq!(atomic.compare_exchange(a, b, SeqCst, SeqCst), Ok(a));
        assert_eq!(atomic.load(SeqCst), b);
    });
}

fn try_update_one_thread() {
    on_every_width!(|Atomic, a, b| {
        let atomic = Atomic::new(a);
        assert_eq!(atomic.try_update(SeqCst, SeqCst, |_| Some(b)), Ok(a));
        assert_eq!(atomic.try_update(SeqCst, SeqCst, |_| None), Err(b));
        assert_eq!(atomic.load(SeqCst), b);
    });
}

fn update_one_thread() {
    on_every_width!(|Atomic, a, b| {
        let atomic = Atomic::new(a);
        assert_eq!(atomic.update(SeqCst, SeqCst, |_| b), a);
        assert_eq!(atomic.update(SeqCst, SeqCst, |v| v), b);
        assert_eq!(atomic.load(SeqCst), b);
    });
}

fn fetch_update_one_thread() {
    on_every_width!(|Atomic, a, b| {
        let atomic = Atomic::new(a);
        assert_eq!(atomic.fetch_update(SeqCst, SeqCst, |_| Some(b)), Ok(a));
        assert_eq!(atomic.fetch_update(SeqCst, SeqCst, |_| None), Err(b));
        assert_eq!(atomic.load(SeqCst), b);
    });
}

/// Two threads increment with a `compare_exchange` retry loop (upstream's deprecated
/// `compare_and_swap`): both increments land.
fn compare_exchange_increments() {
    let num = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let num = Arc::clone(&num);
            thread::spawn(move || {
                let mut current = num.load(Relaxed);
                while let Err(actual) = num.compare_exchange(current, current + 1, Relaxed, Relaxed)
                {
                    current = actual;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(num.load(Relaxed), 2);
}

/// A writer stores data, then a flag; a reader that sees the flag (with `flag_load`) checks
/// the data.
fn message(flag_store: Ordering, flag_load: Ordering) {
    let pair = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
    {
        let pair = Arc::clone(&pair);
        thread::spawn(move || {
            pair.0.store(1, Relaxed);
            pair.1.store(1, flag_store);
        });
    }
    if pair.1.load(flag_load) == 1 {
        assert_eq!(pair.0.load(Relaxed), 1);
    }
}

fn release_acquire_message() {
    message(Release, Acquire);
}

fn release_relaxed_message() {
    message(Release, Relaxed);
}

fn relaxed_relaxed_message() {
    message(Relaxed, Relaxed);
}

/// Each thread stores its flag, then loads the other's (`order` for all four accesses):
/// `(what the spawned thread saw, what main saw)`.
fn crossed_flags(order: Ordering) -> String {
    let flags = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
    let other = {
        let flags = Arc::clone(&flags);
        thread::spawn(move || {
            flags.0.store(1, order);
            flags.1.load(order)
        })
    };
    flags.1.store(1, order);
    let here = flags.0.load(order);
    format!("{:?}", (other.join().unwrap(), here))
}

fn store_buffering() -> String {
    crossed_flags(Relaxed)
}

fn store_buffering_seq_cst() -> String {
    crossed_flags(SeqCst)
}

/// One thread stores x then y; another loads y then x: `(x, y)` as the loader saw them.
fn store_store() -> String {
    let (x, y) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let storer = {
        let (x, y) = (Arc::clone(&x), Arc::clone(&y));
        thread::spawn(move || {
            x.store(1, SeqCst);
            y.store(1, SeqCst);
        })
    };
    let loader = thread::spawn(move || {
        let seen_y = y.load(SeqCst);
        (x.load(SeqCst), seen_y)
    });
    storer.join().unwrap();
    format!("{:?}", loader.join().unwrap())
}

/// Each thread loads one variable and then stores the other: `(x seen, y seen)`.
fn load_store_crossed() -> String {
    let (x, y) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let first = {
        let (x, y) = (Arc::clone(&x), Arc::clone(&y));
        thread::spawn(move || {
            let seen = x.load(SeqCst);
            y.store(1, SeqCst);
            seen
        })
    };
    let second = thread::spawn(move || {
        let seen = y.load(SeqCst);
        x.store(1, SeqCst);
        seen
    });
    format!("{:?}", (first.join().unwrap(), second.join().unwrap()))
}

/// Two threads store 1 and 2 while main adds 5 with `try_update`.
fn fetch_update_against_stores() -> String {
    let x = Arc::new(AtomicUsize::new(0));
    let storers: Vec<_> = [1, 2]
        .into_iter()
        .map(|value| {
            let x = Arc::clone(&x);
            thread::spawn(move || x.store(value, SeqCst))
        })
        .collect();
    x.try_update(SeqCst, SeqCst, |v| Some(v + 5)).unwrap();
    for t in storers {
        t.join().unwrap();
    }
    x.load(SeqCst).to_string()
}

fn compare_exchange_against_store() -> String {
    let x = Arc::new(AtomicUsize::new(0));
    let storer = {
        let x = Arc::clone(&x);
        thread::spawn(move || x.store(1, SeqCst))
    };
    let result = x.compare_exchange(1, 5, SeqCst, SeqCst);
    storer.join().unwrap();
    format!("{result:?}")
}

fn compare_exchange_weak_against_store() -> String {
    let x = Arc::new(AtomicUsize::new(0));
    let storer = {
        let x = Arc::clone(&x);
        thread::spawn(move || x.store(1, SeqCst))
    };
    let result = x.compare_exchange_weak(1, 5, SeqCst, SeqCst);
    storer.join().unwrap();
    format!("{result:?}")
}

fn bool_compare_exchange_against_store() -> String {
    let x = Arc::new(AtomicBool::new(false));
    let storer = {
        let x = Arc::clone(&x);
        thread::spawn(move || x.store(true, SeqCst))
    };
    let result = x.compare_exchange(true, false, AcqRel, Acquire);
    storer.join().unwrap();
    format!("{result:?}")
}

/// Two threads increment with a load and a separate store: an increment can be lost.
fn load_store_increments() {
    let num = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let num = Arc::clone(&num);
            thread::spawn(move || {
                let current = num.load(Acquire);
                num.store(current + 1, Release);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(num.load(Relaxed), 2);
}

/// Main negates a `bool` with `try_update` while a thread stores
/// `true`: the final value.
fn bool_negate_against_store() -> String {
    let x = Arc::new(AtomicBool::new(false));
    let storer = {
        let x = Arc::clone(&x);
        thread::spawn(move || x.store(true, SeqCst))
    };
    x.try_update(SeqCst, SeqCst, |v| Some(!v)).unwrap();
    storer.join().unwrap();
    x.load(SeqCst).to_string()
}

/// Main and a thread each negate a `bool` with `fetch_not`: neither flip is lost (the value
/// ends as it began); the previous values (main's, the thread's).
fn two_fetch_nots() -> String {
    let x = Arc::new(AtomicBool::new(false));
    let flipper = {
        let x = Arc::clone(&x);
        thread::spawn(move || x.fetch_not(SeqCst))
    };
    let mine = x.fetch_not(SeqCst);
    let theirs = flipper.join().unwrap();
    assert!(!x.load(SeqCst), "the two `not`s cancel out");
    format!("{:?}", (mine, theirs))
}

/// Two distinct addresses for pointer cases (never dereferenced).
fn two_slots() -> (Box<usize>, Box<usize>) {
    (Box::new(0), Box::new(0))
}

/// Main sets the pointer to `x` with `try_update` while a thread stores `y`: whether it
/// ends at `x`.
fn ptr_update_against_store() -> String {
    let (mut x, mut y) = two_slots();
    let x_ptr: *mut usize = &mut *x;
    let y_addr = &mut *y as *mut usize as usize;
    let ptr = Arc::new(AtomicPtr::new(x_ptr));
    let storer = {
        let ptr = Arc::clone(&ptr);
        thread::spawn(move || ptr.store(y_addr as *mut usize, SeqCst))
    };
    ptr.try_update(SeqCst, SeqCst, |_| Some(x_ptr)).unwrap();
    storer.join().unwrap();
    (ptr.load(SeqCst) == x_ptr).to_string()
}

/// Main's `compare_exchange(x, x2)` while a thread stores `y`: whether it succeeded.
fn ptr_compare_exchange_against_store() -> String {
    let (mut x, mut y) = two_slots();
    let mut x2 = Box::new(0usize);
    let x_ptr: *mut usize = &mut *x;
    let x2_ptr: *mut usize = &mut *x2;
    let y_addr = &mut *y as *mut usize as usize;
    let ptr = Arc::new(AtomicPtr::new(x_ptr));
    let storer = {
        let ptr = Arc::clone(&ptr);
        thread::spawn(move || ptr.store(y_addr as *mut usize, SeqCst))
    };
    let result = ptr.compare_exchange(x_ptr, x2_ptr, SeqCst, SeqCst);
    storer.join().unwrap();
    result.is_ok().to_string()
}

/// Data then flag, both relaxed; a reader that sees the flag asserts the data. Upstream
/// expects it to pass under shuttle (which does not model relaxed orderings, and says the test
/// should fail if it did).
fn relaxed_message() {
    let flag = Arc::new(AtomicBool::new(false));
    let data = Arc::new(AtomicU64::new(0));
    {
        let (flag, data) = (Arc::clone(&flag), Arc::clone(&data));
        thread::spawn(move || {
            data.store(42, Relaxed);
            flag.store(true, Relaxed);
        });
    }
    if flag.load(Relaxed) {
        assert_eq!(data.load(Relaxed), 42);
    }
}

/// `fetch_update` on an integer, a `bool` and a pointer, single-threaded.
fn fetch_update_on_every_kind() {
    let int = AtomicUsize::new(1);
    assert_eq!(int.fetch_update(SeqCst, SeqCst, |x| Some(x + 1)), Ok(1));
    assert_eq!(int.fetch_update(SeqCst, SeqCst, |_| None), Err(2));
    let b = AtomicBool::new(false);
    assert_eq!(b.fetch_update(SeqCst, SeqCst, |x| Some(!x)), Ok(false));
    assert!(b.load(SeqCst));
    let mut x = 0usize;
    let ptr = AtomicPtr::new(std::ptr::null_mut());
    let result = ptr.fetch_update(SeqCst, SeqCst, |_| Some(&mut x as *mut usize));
    assert_eq!(result, Ok(std::ptr::null_mut()));
}

/// Main increments with `fetch_update` (its closure loads another atomic, a scheduling point)
/// while a thread `fetch_add`s: no increment is lost, and the closure runs once or, when the
/// other write lands while it runs, twice. The outcome is the number of calls.
fn fetch_update_calls_racing_add() -> String {
    let x = Arc::new(AtomicUsize::new(0));
    let y = AtomicUsize::new(0);
    let adder = {
        let x = Arc::clone(&x);
        thread::spawn(move || {
            let _ = x.fetch_add(1, SeqCst);
        })
    };
    let mut calls = 0;
    x.fetch_update(SeqCst, SeqCst, |v| {
        calls += 1;
        y.load(SeqCst);
        Some(v + 1)
    })
    .unwrap();
    adder.join().unwrap();
    assert_eq!(x.load(SeqCst), 2);
    calls.to_string()
}
