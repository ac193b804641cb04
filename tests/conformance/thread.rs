//! Threads: loom `tests/thread_api.rs`, shuttle `tests/basic/thread.rs` (spawn, join,
//! `Builder` names, `yield_now`, `current()` with names and ids, scopes, park and unpark;
//! thread locals are not in the facade). Shuttle's `check_clock` / `me()` assertions test its
//! own causality tracking and are left out.

use super::Body::{Observes, Runs};
use super::Expect::{Fails, Outcomes, Passes};
use super::{Case, Difference, On, Search};
use lockstep::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use lockstep::sync::mpsc::channel;
use lockstep::sync::{Arc, Barrier, Condvar, Mutex};
use lockstep::thread::{self, JoinHandle};

pub const CASES: &[Case] = &[
    Case::loom("thread_api.rs", "many_joins", Runs(many_joins), Passes),
    Case::loom(
        "thread_api.rs",
        "thread_stack_size",
        Runs(big_stack_frame_on_a_sized_thread),
        Passes,
    ),
    Case::loom(
        "thread_api.rs",
        "alt_join",
        Runs(join_from_another_thread),
        Passes,
    ),
    Case::shuttle(
        "thread.rs",
        "thread_yield_point",
        Observes(spawned_store_seen),
        Outcomes(&["false", "true"]),
    ),
    Case::shuttle("thread.rs", "thread_join", Runs(join_returns_value), Passes),
    Case::shuttle("thread.rs", "thread_join_drop", Runs(drop_handle), Passes),
    Case::shuttle(
        "thread.rs",
        "thread_builder_name",
        Runs(builder_name),
        Passes,
    ),
    Case::loom(
        "thread_api.rs",
        "initial_thread",
        Observes(main_thread_name),
        Outcomes(&["None"]),
    )
    .differs(
        Difference::CanonicalThreadNames,
        On::Both,
        Outcomes(&["Some(\"main\")"]),
    ),
    Case::loom(
        "thread_api.rs",
        "threads_have_unique_ids",
        Runs(ids_sent_over_channels),
        Passes,
    ),
    Case::loom(
        "thread_api.rs",
        "thread_names",
        Observes(thread_handle_names),
        Outcomes(&["None/None None/None Some(\"foobar\")/Some(\"foobar\")"]),
    ),
    Case::loom(
        "thread_api.rs",
        "park_unpark_loom",
        Runs(unpark_then_park),
        Passes,
    ),
    Case::shuttle("thread.rs", "thread_scope", Runs(scope_sets_flag), Passes).search(Search::Dfs),
    Case::shuttle(
        "thread.rs",
        "thread_scope_multiple",
        Runs(scope_splits_a_vec),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "thread.rs",
        "thread_scope_join",
        Runs(scope_joins_in_turn),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "thread.rs",
        "thread_identity",
        Runs(current_is_stable),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle("thread.rs", "thread_park", Runs(park_in_a_loop), Passes),
    Case::shuttle(
        "thread.rs",
        "thread_park_spuriously_wakeup",
        Runs(park_trusted_once),
        Fails("spurious"),
    )
    .search(Search::Dfs)
    .differs(Difference::NoSpuriousPark, On::Both, Passes),
    Case::shuttle(
        "thread.rs",
        "thread_park_deadlock",
        Runs(everyone_parks),
        Fails("deadlock"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "thread.rs",
        "thread_unpark_park",
        Runs(unpark_then_park),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "thread.rs",
        "thread_unpark_not_cumulative",
        Runs(two_unparks_two_parks),
        Fails("deadlock"),
    )
    .search(Search::Dfs),
    Case::shuttle(
        "thread.rs",
        "thread_unpark_unblock",
        Runs(unpark_of_a_condvar_waiter),
        Passes,
    )
    .search(Search::Dfs),
    Case::shuttle(
        "thread.rs",
        "thread_double_unpark",
        Observes(unparks_seen_after_park),
        Outcomes(&["0", "1", "2"]),
    )
    .search(Search::Dfs)
    .differs(Difference::NoSpuriousPark, On::Both, Outcomes(&["1", "2"])),
    Case::shuttle(
        "thread.rs",
        "thread_unpark_after_spurious_wakeup",
        Runs(unpark_of_a_barrier_waiter),
        Passes,
    )
    .search(Search::Dfs),
];

fn many_joins() {
    let mutex = Arc::new(Mutex::new(()));
    let held = mutex.lock();
    let handles: Vec<_> = (1..3)
        .map(|_| {
            let mutex = Arc::clone(&mutex);
            thread::spawn(move || drop(mutex.lock()))
        })
        .collect();
    drop(held);
    for handle in handles {
        handle.join().unwrap();
    }
}

/// A thread joins a thread main spawned, behind a lock main holds meanwhile.
fn join_from_another_thread() {
    let gate: Arc<Mutex<Option<JoinHandle<()>>>> = Arc::new(Mutex::new(None));
    let held = gate.lock();
    let first = thread::spawn(|| {});
    let second = {
        let gate = Arc::clone(&gate);
        thread::spawn(move || {
            drop(gate.lock());
            first.join().unwrap();
        })
    };
    let third = thread::spawn(|| {});
    drop(held);
    third.join().unwrap();
    second.join().unwrap();
}

/// Whether main's load saw the spawned thread's store.
fn spawned_store_seen() -> String {
    let flag = Arc::new(AtomicBool::new(false));
    {
        let flag = Arc::clone(&flag);
        thread::spawn(move || flag.store(true, Ordering::SeqCst));
    }
    flag.load(Ordering::SeqCst).to_string()
}

fn join_returns_value() {
    let lock = Arc::new(Mutex::new(false));
    let handle = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            *lock.lock() = true;
            1
        })
    };
    assert_eq!(handle.join().unwrap(), 1);
    assert!(*lock.lock());
}

fn drop_handle() {
    let lock = Arc::new(Mutex::new(false));
    let handle = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || {
            *lock.lock() = true;
            1
        })
    };
    drop(handle);
    *lock.lock() = true;
}

fn builder_name() {
    let handle = thread::Builder::new()
        .name("producer")
        .spawn(|| {
            assert_eq!(thread::current_name(), "producer");
            thread::yield_now();
        })
        .unwrap();
    assert_eq!(handle.name(), "producer");
}

/// `Thread::name` of the execution's first thread.
fn main_thread_name() -> String {
    format!("{:?}", thread::current().name())
}

/// Each of two threads sends its own id: it is its handle's, and not main's or the other's.
fn ids_sent_over_channels() {
    let spawn_and_receive_id = || {
        let (tx, rx) = channel();
        let handle = thread::spawn(move || tx.send(thread::current().id()).unwrap());
        let id = rx.recv().unwrap();
        assert_eq!(handle.thread().id(), id);
        assert_ne!(thread::current().id(), id);
        handle.join().unwrap();
        id
    };
    let first = spawn_and_receive_id();
    let second = spawn_and_receive_id();
    assert_ne!(first, second);
}

/// `inside/handle` `Thread::name`s of an unnamed spawn, an unnamed builder and a builder
/// named foobar, the inside one sent over a channel.
fn thread_handle_names() -> String {
    let names = |spawn: fn(Box<dyn FnOnce() + Send>) -> JoinHandle<()>| {
        let (tx, rx) = channel();
        let handle = spawn(Box::new(move || {
            tx.send(thread::current().name().map(str::to_owned))
                .unwrap()
        }));
        let inside = rx.recv().unwrap();
        let outside = handle.thread().name().map(str::to_owned);
        handle.join().unwrap();
        format!("{inside:?}/{outside:?}")
    };
    let plain = names(|body| thread::spawn(body));
    let built = names(|body| thread::Builder::new().spawn(body).unwrap());
    let named = names(|body| thread::Builder::new().name("foobar").spawn(body).unwrap());
    format!("{plain} {built} {named}")
}

fn unpark_then_park() {
    thread::current().unpark();
    thread::park();
}

fn scope_sets_flag() {
    let mut trigger = false;
    thread::scope(|s| {
        s.spawn(|| trigger = true);
    });
    assert!(trigger);
}

fn scope_splits_a_vec() {
    let mut data = vec![1, 2, 3, 4, 5, 6];
    thread::scope(|s| {
        let (left, right) = data.split_at_mut(3);
        s.spawn(|| left.iter_mut().for_each(|x| *x *= 10));
        s.spawn(|| right.iter_mut().for_each(|x| *x += 100));
    });
    assert_eq!(data, vec![10, 20, 30, 104, 105, 106]);
}

fn scope_joins_in_turn() {
    let num = Mutex::new(10);
    thread::scope(|s| {
        let first = s.spawn(|| {
            let mut guard = num.lock();
            *guard *= 10;
            *guard
        });
        assert_eq!(first.join().unwrap(), 100);
        let second = s.spawn(|| {
            let mut guard = num.lock();
            *guard += 10;
            *guard
        });
        assert_eq!(second.join().unwrap(), 110);
    });
    assert_eq!(*num.lock(), 110);
}

/// A named thread's `current()` keeps its name and id across a yield; main's id differs.
fn current_is_stable() {
    let seen = Arc::new(Mutex::new(None));
    let _producer = {
        let seen = Arc::clone(&seen);
        thread::Builder::new()
            .name("producer")
            .spawn(move || {
                let me = thread::current();
                assert_eq!(me.name(), Some("producer"));
                let id = me.id();
                thread::yield_now();
                let me = thread::current();
                assert_eq!(me.name(), Some("producer"));
                assert_eq!(me.id(), id);
                *seen.lock() = Some(id);
            })
            .unwrap()
    };
    let seen = *seen.lock();
    if let Some(id) = seen {
        assert_ne!(id, thread::current().id());
    }
}

/// A thread parks in a loop until a flag is set; main sets it and unparks.
fn park_in_a_loop() {
    let shared = Arc::new(AtomicU8::new(0));
    let wakeup = Arc::new(AtomicBool::new(false));
    let parked = {
        let (shared, wakeup) = (Arc::clone(&shared), Arc::clone(&wakeup));
        thread::spawn(move || {
            while !wakeup.load(Ordering::SeqCst) {
                thread::park();
            }
            assert_eq!(shared.load(Ordering::SeqCst), 42);
        })
    };
    shared.store(42, Ordering::SeqCst);
    wakeup.store(true, Ordering::SeqCst);
    parked.thread().unpark();
    parked.join().unwrap();
}

/// A thread trusts one return of `park` to mean main set the flag (upstream's flag is a
/// `std` atomic; main yields before setting it).
fn park_trusted_once() {
    let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let parked = {
        let flag = Arc::clone(&flag);
        thread::spawn(move || {
            thread::park();
            assert!(
                flag.load(Ordering::SeqCst),
                "may not be true due to spurious wakeup"
            );
        })
    };
    thread::yield_now();
    flag.store(true, Ordering::SeqCst);
    parked.thread().unpark();
    parked.join().unwrap();
}

fn everyone_parks() {
    let other = thread::spawn(thread::park);
    thread::park();
    other.join().unwrap();
}

/// Two unparks leave one token: the second park blocks forever.
fn two_unparks_two_parks() {
    thread::current().unpark();
    thread::current().unpark();
    thread::park();
    thread::park();
}

/// An unpark of a thread waiting on a condvar does not end that wait.
fn unpark_of_a_condvar_waiter() {
    let state = Arc::new((Mutex::new(false), Condvar::new()));
    let reader = {
        let state = Arc::clone(&state);
        thread::spawn(move || {
            let (lock, condvar) = &*state;
            let mut ready = lock.lock();
            while !*ready {
                ready = condvar.wait(ready);
            }
        })
    };
    thread::spawn(move || {
        let (lock, condvar) = &*state;
        *lock.lock() = true;
        condvar.notify_one();
    });
    reader.thread().unpark();
}

/// A thread parks, then reads how many unparks main had counted; it parks again after the
/// first, which the second unpark ends. Upstream's counter is a `std` atomic, invisible to
/// shuttle, behind a `yield_now`; here it is the facade's, which loom sees too (with a `std`
/// counter loom has no scheduling point between the two unparks, and only 2 is seen).
fn unparks_seen_after_park() -> String {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(None));
    let parkee = {
        let (count, seen) = (Arc::clone(&count), Arc::clone(&seen));
        thread::spawn(move || {
            thread::park();
            let unparks = count.load(Ordering::SeqCst);
            *seen.lock() = Some(unparks);
            if unparks == 1 {
                thread::park();
            }
        })
    };
    thread::yield_now();
    count.fetch_add(1, Ordering::SeqCst);
    parkee.thread().unpark();
    count.fetch_add(1, Ordering::SeqCst);
    parkee.thread().unpark();
    parkee.join().unwrap();
    let seen = seen.lock().take();
    seen.expect("the parkee recorded what it saw").to_string()
}

/// An unpark of a thread waiting at a barrier does not let it past the barrier.
fn unpark_of_a_barrier_waiter() {
    let shared = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(2));
    let other = {
        let (shared, barrier) = (Arc::clone(&shared), Arc::clone(&barrier));
        thread::spawn(move || {
            thread::park();
            barrier.wait();
            shared.store(1, Ordering::SeqCst);
        })
    };
    other.thread().unpark();
    assert_eq!(shared.load(Ordering::SeqCst), 0);
    barrier.wait();
    other.join().unwrap();
    assert_eq!(shared.load(Ordering::SeqCst), 1);
}

/// A thread spawned with a stack size puts a 64 KiB array on its stack, more than shuttle's
/// default thread stack holds. Upstream puts 64 Ki `usize`s (512 KiB) on a 128 KiB stack, which
/// only an optimized build survives; the port keeps the array inside the stack it asks for (a
/// quarter of it), so it runs in debug builds too.
fn big_stack_frame_on_a_sized_thread() {
    const ARRAY: usize = 1 << 16;
    thread::Builder::new()
        .stack_size(4 * ARRAY)
        .spawn(|| {
            let mut frame = [0u8; ARRAY];
            std::hint::black_box(&mut frame);
        })
        .unwrap()
        .join()
        .unwrap();
}
