//! Threads: loom `tests/thread_api.rs`, shuttle `tests/basic/thread.rs` (spawn, join,
//! `Builder` names, `yield_now`; ids, scopes, parking and thread locals are not in the facade
//! yet).

use super::Body::{Observes, Runs};
use super::Expect::{Outcomes, Passes};
use super::{Case, Difference, On};
use lockstep::sync::atomic::{AtomicBool, Ordering};
use lockstep::sync::{Arc, Mutex};
use lockstep::thread::{self, JoinHandle};

pub const CASES: &[Case] = &[
    Case::loom(
        "thread_api.rs",
        "initial_thread",
        Observes(main_name),
        Outcomes(&["<none>"]),
    )
    .differs(
        Difference::CanonicalThreadNames,
        On::Both,
        Outcomes(&["main"]),
    ),
    Case::loom("thread_api.rs", "many_joins", Runs(many_joins), Passes),
    Case::loom(
        "thread_api.rs",
        "alt_join",
        Runs(join_from_another_thread),
        Passes,
    ),
    Case::loom(
        "thread_api.rs",
        "thread_names",
        Observes(spawned_names),
        Outcomes(&["<none>/<none> <none>/<none> foobar/foobar"]),
    )
    .differs(
        Difference::CanonicalThreadNames,
        On::Both,
        Outcomes(&["thread-1/thread-1 thread-2/thread-2 foobar/foobar"]),
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
];

/// The calling thread's name (`<none>` would be upstream's `None`).
fn main_name() -> String {
    thread::current_name()
}

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

/// `inside/handle` names of an unnamed spawn, an unnamed builder and a builder named foobar.
fn spawned_names() -> String {
    let names = |handle: JoinHandle<String>| {
        let outside = handle.name().to_owned();
        format!("{}/{outside}", handle.join().unwrap())
    };
    let plain = names(thread::spawn(thread::current_name));
    let built = names(thread::Builder::new().spawn(thread::current_name).unwrap());
    let named = names(
        thread::Builder::new()
            .name("foobar")
            .spawn(thread::current_name)
            .unwrap(),
    );
    format!("{plain} {built} {named}")
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
