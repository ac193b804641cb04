//! RwLock priority policy (`RwLockPolicy`) under shuttle and loom (one file: only the explorer
//! differs). Writer-preferring (the default, as std's lock on Linux): a read waits while
//! another thread waits to write, a `try_read` fails then, and a recursive read behind a
//! queued writer is a found deadlock. Reader-preferring (macOS, raw loom and shuttle): the
//! recursive read goes ahead and is reported as a potential deadlock. Each test collects the
//! outcomes over an exploration and asserts the full set std allows under the policy.
#![cfg(any(loom, feature = "shuttle"))]

use lockstep::explore::{Explorer, Failure, Stats, Strategy};
use lockstep::sync::{Arc, RwLock, RwLockPolicy};
use lockstep::thread;
use lockstep::time::Duration;
use std::collections::BTreeSet;
use std::sync::Mutex;

use RwLockPolicy::{ReaderPreferring, WriterPreferring};

/// The explorer: shuttle, 1,000 random executions from a fixed seed; loom, every interleaving
/// up to 3 preemptions. `graph`: whether potential deadlocks are checked.
fn explorer(graph: bool) -> Explorer {
    #[cfg(feature = "shuttle")]
    let explorer = Explorer::new(Strategy::Random)
        .seed(0x5eed)
        .iterations(1000);
    #[cfg(loom)]
    let explorer = Explorer::new(Strategy::Exhaustive {
        preemption_bound: Some(3),
    });
    explorer.lock_order_graph(graph)
}

fn run(graph: bool, body: impl Fn() + Send + Sync + 'static) -> Result<Stats, Failure> {
    explorer(graph).run(body)
}

/// Every outcome `body` returns over an exploration that must pass.
fn outcomes<T, F>(graph: bool, body: F) -> BTreeSet<T>
where
    T: Ord + Clone + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    run(graph, move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = seen.lock().unwrap().clone();
    seen
}

/// The failure an exploration of `body` must find.
fn failure(graph: bool, body: impl Fn() + Send + Sync + 'static) -> Failure {
    match run(graph, body) {
        Ok(stats) => panic!("expected a failure in {} executions", stats.executions),
        Err(failure) => failure,
    }
}

/// `main` reads `rw` twice while a thread named `writer` writes it once: what the two reads
/// saw (both 0 before the write, both 1 after it).
fn recursive_read_beside_writer(policy: RwLockPolicy) -> (u32, u32) {
    let lock = Arc::new(RwLock::named("rw", 0).with_policy(policy));
    let writer = {
        let lock = Arc::clone(&lock);
        thread::Builder::new()
            .name("writer".to_owned())
            .spawn(move || *lock.write() += 1)
            .unwrap()
    };
    let seen = {
        let first = lock.read();
        let again = lock.read();
        (*first, *again)
    };
    writer.join().unwrap();
    seen
}

#[test]
fn a_recursive_read_behind_a_queued_writer_deadlocks_under_writer_preferring() {
    let failure = failure(true, || {
        recursive_read_beside_writer(WriterPreferring);
    });
    let message = &failure.message;
    assert!(
        message.starts_with("deadlock: every thread is blocked and no timeout is pending"),
        "{message}"
    );
    assert!(
        message.contains(
            "main    waits to read-lock RwLock \"rw\" again, held by main for reading, behind \
             writer, which waits to write-lock it (a writer-preferring RwLock: reads wait \
             while a writer waits)"
        ),
        "{message}"
    );
    assert!(
        message.contains("writer  waits to write-lock RwLock \"rw\", held by main for reading"),
        "{message}"
    );
}

#[test]
fn the_default_policy_is_writer_preferring() {
    let failure = failure(false, || {
        let lock = Arc::new(RwLock::named("rw", 0));
        assert_eq!(lock.policy(), WriterPreferring);
        let writer = {
            let lock = Arc::clone(&lock);
            thread::spawn(move || *lock.write() += 1)
        };
        let _first = lock.read();
        let _again = lock.read();
        drop((_again, _first));
        writer.join().unwrap();
    });
    assert!(
        failure
            .message
            .contains("waits to read-lock RwLock \"rw\" again"),
        "{}",
        failure.message
    );
}

#[test]
fn a_recursive_read_beside_a_writer_is_a_potential_deadlock_under_reader_preferring() {
    let failure = failure(true, || {
        recursive_read_beside_writer(ReaderPreferring);
    });
    let message = &failure.message;
    assert!(
        message.starts_with(
            "potential deadlock: main read-locks RwLock \"rw\" again at tests/rwlock_policy.rs:"
        ),
        "{message}"
    );
    assert!(
        message.contains("while it holds it for reading (taken at tests/rwlock_policy.rs:"),
        "{message}"
    );
    assert!(
        message.contains("and writer requests it for writing at tests/rwlock_policy.rs:"),
        "{message}"
    );
    assert!(
        message.ends_with(
            "this lock is reader-preferring, so the second read goes ahead, but on a \
             writer-preferring lock (std's on Linux) it waits behind the queued writer, which \
             waits for the first read: deadlock"
        ),
        "{message}"
    );
}

#[test]
fn a_reader_preferring_lock_lets_the_recursive_read_through() {
    assert_eq!(
        outcomes(false, || recursive_read_beside_writer(ReaderPreferring)),
        BTreeSet::from([(0, 0), (1, 1)])
    );
}

#[test]
fn a_recursive_read_with_no_writer_passes_under_both_policies() {
    for policy in [WriterPreferring, ReaderPreferring] {
        let seen = outcomes(true, move || {
            let lock = Arc::new(RwLock::named("rw", 7).with_policy(policy));
            let reader = {
                let lock = Arc::clone(&lock);
                thread::spawn(move || *lock.read())
            };
            let sum = {
                let first = lock.read();
                let again = lock.read();
                *first + *again
            };
            sum + reader.join().unwrap()
        });
        assert_eq!(seen, BTreeSet::from([21]), "{policy:?}");
    }
}

/// How the reader beside a queued writer reads: `try_read`, or `read_timeout` of one second.
#[derive(Clone, Copy)]
enum Attempt {
    Try,
    Timed,
}

/// `main` holds a read of `rw` while a writer may queue and another thread reads it by
/// `attempt`: what the reader saw (`None`: the try failed or the timed read timed out; the
/// writer waits until `main` lets its read go, after the reader is done).
fn read_beside_queued_writer(policy: RwLockPolicy, attempt: Attempt) -> Option<u32> {
    let lock = Arc::new(RwLock::named("rw", 0).with_policy(policy));
    let held = lock.read();
    let writer = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || *lock.write() += 1)
    };
    let reader = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || match attempt {
            Attempt::Try => lock.try_read().map(|read| *read),
            Attempt::Timed => lock
                .read_timeout(Duration::from_secs(1))
                .ok()
                .map(|read| *read),
        })
    };
    let seen = reader.join().unwrap();
    drop(held);
    writer.join().unwrap();
    seen
}

#[test]
fn a_try_read_fails_behind_a_queued_writer_under_writer_preferring() {
    assert_eq!(
        outcomes(true, || read_beside_queued_writer(
            WriterPreferring,
            Attempt::Try
        )),
        BTreeSet::from([None, Some(0)])
    );
}

#[test]
fn a_try_read_passes_a_queued_writer_under_reader_preferring() {
    assert_eq!(
        outcomes(true, || read_beside_queued_writer(
            ReaderPreferring,
            Attempt::Try
        )),
        BTreeSet::from([Some(0)])
    );
}

#[test]
fn a_timed_read_times_out_behind_a_queued_writer_under_writer_preferring() {
    assert_eq!(
        outcomes(true, || read_beside_queued_writer(
            WriterPreferring,
            Attempt::Timed
        )),
        BTreeSet::from([None, Some(0)])
    );
}

#[test]
fn a_timed_read_passes_a_queued_writer_under_reader_preferring() {
    assert_eq!(
        outcomes(true, || read_beside_queued_writer(
            ReaderPreferring,
            Attempt::Timed
        )),
        BTreeSet::from([Some(0)])
    );
}

/// Two readers and a writer that bumps the value: what each reader saw.
fn two_readers_one_writer(policy: RwLockPolicy) -> (u32, u32) {
    let lock = Arc::new(RwLock::named("rw", 0).with_policy(policy));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let lock = Arc::clone(&lock);
            thread::spawn(move || *lock.read())
        })
        .collect();
    *lock.write() += 1;
    let mut seen = readers.into_iter().map(|r| r.join().unwrap());
    (seen.next().unwrap(), seen.next().unwrap())
}

#[test]
fn readers_beside_a_writer_see_every_order_under_both_policies() {
    for policy in [WriterPreferring, ReaderPreferring] {
        assert_eq!(
            outcomes(true, move || two_readers_one_writer(policy)),
            BTreeSet::from([(0, 0), (0, 1), (1, 0), (1, 1)]),
            "{policy:?}"
        );
    }
}

/// `main` holds a read while a writer raises a flag and then writes, and a reader that waits
/// for the flag reads with a one-second timeout: what it saw, or `None` when it timed out
/// behind the writer (which arrived after the flag, but may before the read).
fn reader_after_the_writers_flag(policy: RwLockPolicy) -> Option<u32> {
    use lockstep::sync::atomic::{AtomicBool, Ordering};
    let lock = Arc::new(RwLock::named("rw", 0).with_policy(policy));
    let flag = Arc::new(AtomicBool::new(false));
    let held = lock.read();
    let writer = {
        let (lock, flag) = (Arc::clone(&lock), Arc::clone(&flag));
        thread::spawn(move || {
            flag.store(true, Ordering::SeqCst);
            *lock.write() += 1;
        })
    };
    let reader = {
        let (lock, flag) = (Arc::clone(&lock), Arc::clone(&flag));
        thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            lock.read_timeout(Duration::from_secs(1))
                .ok()
                .map(|read| *read)
        })
    };
    let seen = reader.join().unwrap();
    drop(held);
    writer.join().unwrap();
    seen
}

#[test]
fn a_reader_signalled_by_a_writer_may_still_read_first_or_wait_behind_it() {
    assert_eq!(
        outcomes(true, || reader_after_the_writers_flag(WriterPreferring)),
        BTreeSet::from([None, Some(0)])
    );
    assert_eq!(
        outcomes(true, || reader_after_the_writers_flag(ReaderPreferring)),
        BTreeSet::from([Some(0)])
    );
}

/// Loom execution counts of RwLock programs through the facade, against the same programs on
/// raw loom: a reader-preferring lock explores exactly what raw loom does; a writer-preferring
/// one does too for writers alone and readers alone, and more where a read can decide on
/// either side of a writer's arrival (what raw loom, reader-preferring, has no counterpart of).
#[cfg(loom)]
mod loom_counts {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn raw_executions(bound: Option<usize>, body: fn()) -> usize {
        let count = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&count);
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = bound;
        builder.check(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            body();
        });
        count.load(Ordering::Relaxed)
    }

    fn facade_executions(bound: Option<usize>, body: fn()) -> usize {
        lockstep::explore::explore_exhaustive(bound, body)
            .unwrap_or_else(|failure| panic!("the program passes: {failure}"))
            .executions
    }

    mod raw {
        use loom::sync::RwLock;
        use loom::thread;
        use std::sync::Arc;

        /// loom's `rwlock_read_two_write_one`.
        pub fn read_two_write_one() {
            let lock = Arc::new(RwLock::new(1));
            for _ in 0..2 {
                let lock = Arc::clone(&lock);
                thread::spawn(move || {
                    let _read = lock.read().unwrap();
                    thread::yield_now();
                });
            }
            let _write = lock.write().unwrap();
            thread::yield_now();
        }

        /// loom's `rwlock_write_three`.
        pub fn write_three() {
            let lock = Arc::new(RwLock::new(1));
            for _ in 0..2 {
                let lock = Arc::clone(&lock);
                thread::spawn(move || {
                    let _write = lock.write().unwrap();
                    thread::yield_now();
                });
            }
            let _write = lock.write().unwrap();
            thread::yield_now();
        }

        pub fn three_readers() {
            let lock = Arc::new(RwLock::new(1));
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let lock = Arc::clone(&lock);
                    thread::spawn(move || *lock.read().unwrap())
                })
                .collect();
            let mine = *lock.read().unwrap();
            let theirs: i32 = readers.into_iter().map(|r| r.join().unwrap()).sum();
            assert_eq!(mine + theirs, 3);
        }

        pub fn reader_and_writer() {
            let lock = Arc::new(RwLock::new(0));
            let reader = {
                let lock = Arc::clone(&lock);
                thread::spawn(move || *lock.read().unwrap())
            };
            *lock.write().unwrap() += 1;
            assert!(reader.join().unwrap() <= 1);
        }
    }

    /// The raw programs against the facade, on a writer-preferring lock if `P`, else a
    /// reader-preferring one.
    mod facade {
        use lockstep::sync::{Arc, RwLock, RwLockPolicy};
        use lockstep::thread;

        fn lock<const P: bool>(value: i32) -> Arc<RwLock<i32>> {
            let policy = if P {
                RwLockPolicy::WriterPreferring
            } else {
                RwLockPolicy::ReaderPreferring
            };
            Arc::new(RwLock::new(value).with_policy(policy))
        }

        pub fn read_two_write_one<const P: bool>() {
            let lock = lock::<P>(1);
            for _ in 0..2 {
                let lock = Arc::clone(&lock);
                thread::spawn(move || {
                    let _read = lock.read();
                    thread::yield_now();
                });
            }
            let _write = lock.write();
            thread::yield_now();
        }

        pub fn write_three<const P: bool>() {
            let lock = lock::<P>(1);
            for _ in 0..2 {
                let lock = Arc::clone(&lock);
                thread::spawn(move || {
                    let _write = lock.write();
                    thread::yield_now();
                });
            }
            let _write = lock.write();
            thread::yield_now();
        }

        pub fn three_readers<const P: bool>() {
            let lock = lock::<P>(1);
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let lock = Arc::clone(&lock);
                    thread::spawn(move || *lock.read())
                })
                .collect();
            let mine = *lock.read();
            let theirs: i32 = readers.into_iter().map(|r| r.join().unwrap()).sum();
            assert_eq!(mine + theirs, 3);
        }

        pub fn reader_and_writer<const P: bool>() {
            let lock = lock::<P>(0);
            let reader = {
                let lock = Arc::clone(&lock);
                thread::spawn(move || *lock.read())
            };
            *lock.write() += 1;
            assert!(reader.join().unwrap() <= 1);
        }
    }

    /// How a program's facade counts relate to raw loom's.
    #[derive(Clone, Copy)]
    enum Relation {
        /// Both policies explore exactly raw loom's executions.
        Equal,
        /// The reader-preferring lock explores raw loom's; the writer-preferring one more (a
        /// read can come on either side of a writer's arrival).
        WriterPreferringMore,
        /// Yields inside the critical sections: both explore more than raw loom (a first
        /// yield is no scheduling point under the facade, so loom also runs the yielder on past
        /// it; see `ghost::yield_now`), the writer-preferring lock at least the
        /// reader-preferring one's, exactly as many where writers are alone (`equal_policies`).
        Yields { equal_policies: bool },
    }

    /// (name, raw, facade writer-preferring, facade reader-preferring, how they relate)
    type Program = (&'static str, fn(), fn(), fn(), Relation);

    const PROGRAMS: &[Program] = &[
        (
            "two readers, one writer",
            raw::read_two_write_one,
            facade::read_two_write_one::<true>,
            facade::read_two_write_one::<false>,
            Relation::Yields {
                equal_policies: false,
            },
        ),
        (
            "three writers",
            raw::write_three,
            facade::write_three::<true>,
            facade::write_three::<false>,
            Relation::Yields {
                equal_policies: true,
            },
        ),
        (
            "three readers",
            raw::three_readers,
            facade::three_readers::<true>,
            facade::three_readers::<false>,
            Relation::Equal,
        ),
        (
            "a reader and a writer",
            raw::reader_and_writer,
            facade::reader_and_writer::<true>,
            facade::reader_and_writer::<false>,
            Relation::WriterPreferringMore,
        ),
    ];

    #[test]
    fn execution_counts_against_raw_loom() {
        let mut wrong = Vec::new();
        for &(name, raw, writer_preferring, reader_preferring, relation) in PROGRAMS {
            for bound in [Some(2), None] {
                let raw = raw_executions(bound, raw);
                let wp = facade_executions(bound, writer_preferring);
                let rp = facade_executions(bound, reader_preferring);
                println!(
                    "{name} (bound {bound:?}): raw loom {raw}, writer-preferring {wp}, \
                     reader-preferring {rp}"
                );
                let holds = match relation {
                    Relation::Equal => rp == raw && wp == raw,
                    Relation::WriterPreferringMore => rp == raw && wp > raw,
                    Relation::Yields { equal_policies } => {
                        rp > raw && if equal_policies { wp == rp } else { wp > rp }
                    }
                };
                if !holds {
                    wrong.push(format!(
                        "{name} (bound {bound:?}): raw {raw}, WP {wp}, RP {rp}"
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
