//! `mpsc` channels under loom: every outcome std allows is reached exhaustively, virtual time
//! for `recv_timeout`, a deadlock report naming the channel, a planted bug found, and loom's
//! execution counts for a channel, a barrier and a `OnceLock` against the same programs on raw
//! loom primitives.
#![cfg(loom)]

#[path = "support/sync_programs.rs"]
mod programs;

use lockstep::explore::explore_exhaustive;
use lockstep::time::Duration;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const BOUND: usize = 3;

/// Every outcome `body` returns across loom's exhaustive exploration (preemption bound 3).
fn outcomes<T, F>(body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explore_exhaustive(Some(BOUND), move || {
        let outcome = body();
        sink.lock().unwrap().insert(outcome);
    })
    .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    seen
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

// ---- channels ----

#[test]
fn two_senders_are_received_in_both_orders() {
    assert_eq!(
        outcomes(programs::two_senders),
        BTreeSet::from([vec![1, 2], vec![2, 1]])
    );
}

#[test]
fn try_recv_finds_the_channel_empty_or_the_message() {
    assert_eq!(
        outcomes(programs::try_recv_against_send),
        BTreeSet::from([s("Err(Empty)"), s("Ok(1)")])
    );
}

#[test]
fn after_the_last_message_the_channel_looks_empty_or_disconnected() {
    assert_eq!(
        outcomes(programs::try_recv_against_last_send),
        BTreeSet::from([
            (s("Err(Empty)"), s("Err(Empty)")),
            (s("Err(Empty)"), s("Ok(1)")),
            (s("Ok(1)"), s("Err(Disconnected)")),
            (s("Ok(1)"), s("Err(Empty)")),
        ])
    );
}

#[test]
fn a_bounded_channel_is_full_until_the_receiver_takes_a_message() {
    assert_eq!(
        outcomes(programs::bounded_try_sends),
        BTreeSet::from([
            (s("Ok(())"), s("Err(TrySendError::Full(..))"), s("Ok(1)")),
            (
                s("Ok(())"),
                s("Err(TrySendError::Full(..))"),
                s("Err(Empty)")
            ),
            (s("Ok(())"), s("Ok(())"), s("Ok(1)")),
        ])
    );
}

#[test]
fn a_rendezvous_send_finishes_only_after_the_receive_and_a_buffered_one_before() {
    assert_eq!(
        outcomes(|| programs::flag_seen_before_receive(0)),
        BTreeSet::from([false])
    );
    assert_eq!(
        outcomes(|| programs::flag_seen_before_receive(1)),
        BTreeSet::from([false, true])
    );
}

#[test]
fn a_rendezvous_try_send_hands_over_only_to_a_waiting_receiver() {
    assert_eq!(
        outcomes(programs::rendezvous_try_send),
        BTreeSet::from([
            (s("Err(TrySendError::Full(..))"), s("Err(Timeout)"), secs(1)),
            (s("Ok(())"), s("Ok(7)"), Duration::ZERO),
        ])
    );
}

#[test]
fn recv_timeout_waits_on_virtual_time() {
    assert_eq!(
        outcomes(|| programs::recv_timeout_against_delayed_send(secs(5), secs(10))),
        BTreeSet::from([(s("Ok(1)"), secs(5))])
    );
    assert_eq!(
        outcomes(|| programs::recv_timeout_against_delayed_send(secs(30), secs(10))),
        BTreeSet::from([(s("Err(Timeout)"), secs(10))])
    );
    // A send exactly at the deadline: either may come first.
    assert_eq!(
        outcomes(|| programs::recv_timeout_against_delayed_send(secs(10), secs(10))),
        BTreeSet::from([(s("Err(Timeout)"), secs(10)), (s("Ok(1)"), secs(10))])
    );
}

#[test]
fn disconnection_gives_std_errors_not_hangs() {
    assert_eq!(
        outcomes(programs::disconnections),
        BTreeSet::from([(
            s("Err(RecvError)"),
            s("Err(Disconnected)"),
            s("Err(SendError { .. })")
        )])
    );
}

#[test]
fn a_receiver_waiting_on_a_silent_sender_is_a_deadlock_naming_the_channel() {
    let failure = explore_exhaustive(Some(BOUND), programs::recv_from_a_silent_sender)
        .expect_err("the consumer waits forever");
    assert_eq!(
        failure.message,
        "deadlock: every thread is blocked and no timeout is pending (virtual time 0ns)\n  \
         main      waits to join consumer\n  \
         consumer  waits to recv on Channel \"jobs\""
    );
}

#[test]
fn exhaustive_search_finds_the_drain_that_stops_at_the_first_empty_try_recv() {
    let failure = explore_exhaustive(Some(BOUND), || programs::drain_jobs(2, true))
        .expect_err("the consumer can look before the worker sends");
    assert!(
        failure.message.starts_with("lost jobs: drained"),
        "{}",
        failure.message
    );
    explore_exhaustive(Some(BOUND), || programs::drain_jobs(2, false))
        .expect("receiving until disconnection loses nothing");
}

// ---- executions against raw loom ----

/// Loom's executions of `body` with raw loom at the preemption bound.
fn raw_executions(body: impl Fn() + Send + Sync + 'static) -> usize {
    let executions = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&executions);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(BOUND);
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        body();
    });
    executions.load(Ordering::Relaxed)
}

/// Loom's executions of `body` through lockstep at the preemption bound.
fn facade_executions(body: impl Fn() + Send + Sync + 'static) -> usize {
    explore_exhaustive(Some(BOUND), body)
        .expect("the program passes")
        .executions
}

/// `programs::two_senders` on loom's own channel (which models no disconnection).
fn raw_two_senders() {
    let (tx, rx) = loom::sync::mpsc::channel();
    let handles: Vec<_> = [1u8, 2]
        .into_iter()
        .map(|n| {
            let tx = tx.clone();
            loom::thread::spawn(move || tx.send(n).unwrap())
        })
        .collect();
    drop(tx);
    let mut got = vec![rx.recv().unwrap(), rx.recv().unwrap()];
    for handle in handles {
        handle.join().unwrap();
    }
    got.sort();
    assert_eq!(got, [1, 2]);
}

/// A channel as one writes it on raw loom with disconnection: a queue and a sender count
/// under a mutex, and a condvar for the receiver.
struct RawChannel {
    state: loom::sync::Mutex<(std::collections::VecDeque<u8>, usize)>,
    ready: loom::sync::Condvar,
}

impl RawChannel {
    fn send(&self, message: u8) {
        self.state.lock().unwrap().0.push_back(message);
        self.ready.notify_one();
    }

    fn drop_sender(&self) {
        self.state.lock().unwrap().1 -= 1;
        self.ready.notify_one();
    }

    fn recv(&self) -> Option<u8> {
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(message) = state.0.pop_front() {
                return Some(message);
            }
            if state.1 == 0 {
                return None;
            }
            state = self.ready.wait(state).unwrap();
        }
    }
}

/// `programs::two_senders` on [`RawChannel`].
fn raw_condvar_two_senders() {
    let channel = Arc::new(RawChannel {
        state: loom::sync::Mutex::new((std::collections::VecDeque::new(), 2)),
        ready: loom::sync::Condvar::new(),
    });
    let handles: Vec<_> = [1u8, 2]
        .into_iter()
        .map(|n| {
            let channel = Arc::clone(&channel);
            loom::thread::spawn(move || {
                channel.send(n);
                channel.drop_sender();
            })
        })
        .collect();
    let mut got = vec![channel.recv().unwrap(), channel.recv().unwrap()];
    for handle in handles {
        handle.join().unwrap();
    }
    got.sort();
    assert_eq!(got, [1, 2]);
}

/// A barrier as std writes it: a count and a generation under a mutex, and a condvar.
struct RawBarrier {
    state: loom::sync::Mutex<(usize, usize)>,
    opened: loom::sync::Condvar,
    parties: usize,
}

impl RawBarrier {
    fn wait(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        let generation = state.1;
        state.0 += 1;
        if state.0 == self.parties {
            *state = (0, generation + 1);
            self.opened.notify_all();
            return true;
        }
        while state.1 == generation {
            state = self.opened.wait(state).unwrap();
        }
        false
    }
}

/// Three threads pass a barrier once (raw loom), counting leaders.
fn raw_barrier() {
    let barrier = Arc::new(RawBarrier {
        state: loom::sync::Mutex::new((0, 0)),
        opened: loom::sync::Condvar::new(),
        parties: 3,
    });
    let leaders = Arc::new(loom::sync::atomic::AtomicUsize::new(0));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (barrier, leaders) = (Arc::clone(&barrier), Arc::clone(&leaders));
            loom::thread::spawn(move || {
                if barrier.wait() {
                    leaders.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    if barrier.wait() {
        leaders.fetch_add(1, Ordering::SeqCst);
    }
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(leaders.load(Ordering::SeqCst), 1);
}

/// The same on the facade's barrier.
fn facade_barrier() {
    use lockstep::sync::Barrier;
    let barrier = Arc::new(Barrier::new(3));
    let leaders = Arc::new(lockstep::sync::atomic::AtomicUsize::new(0));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (barrier, leaders) = (Arc::clone(&barrier), Arc::clone(&leaders));
            lockstep::thread::spawn(move || {
                if barrier.wait().is_leader() {
                    leaders.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    if barrier.wait().is_leader() {
        leaders.fetch_add(1, Ordering::SeqCst);
    }
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(leaders.load(Ordering::SeqCst), 1);
}

/// Two threads race to set a cell; raw loom's nearest: a mutex around an `Option`.
fn raw_set_race() {
    let cell = Arc::new(loom::sync::Mutex::new(None));
    let c = Arc::clone(&cell);
    let set = |cell: &loom::sync::Mutex<Option<u8>>, value| {
        let mut slot = cell.lock().unwrap();
        slot.is_none().then(|| *slot = Some(value)).is_some()
    };
    let other = loom::thread::spawn(move || set(&c, 2));
    let mine = set(&cell, 1);
    assert_ne!(mine, other.join().unwrap());
}

/// The same on the facade's `OnceLock`.
fn facade_set_race() {
    let cell = Arc::new(lockstep::sync::OnceLock::new());
    let c = Arc::clone(&cell);
    let other = lockstep::thread::spawn(move || c.set(2u8).is_ok());
    let mine = cell.set(1u8).is_ok();
    assert_ne!(mine, other.join().unwrap());
}

/// Measured at preemption bound 3 (printed with `--nocapture`): two senders, one receiver:
/// loom's own channel 26, a mutex-and-condvar channel with disconnection 2,842, lockstep 226;
/// barrier of 3: mutex and condvar 438, lockstep 70; `OnceLock::set` race: 4 and 4.
///
/// Loom's own channel is cheaper because it models less: no disconnection, a `try_recv` that
/// is no scheduling point (so its empty-or-not race is never explored), and a blocking `recv`
/// that commutes with sends. lockstep's channel is written for std's full semantics, and
/// explores fewer executions than the same semantics written on raw loom's mutex and condvar.
#[test]
fn loom_explores_no_more_executions_than_the_same_semantics_on_raw_loom() {
    let loom_channel = raw_executions(raw_two_senders);
    let pairs = [
        (
            "two senders, one receiver",
            raw_executions(raw_condvar_two_senders),
            facade_executions(programs::two_senders_sorted),
        ),
        (
            "barrier of 3",
            raw_executions(raw_barrier),
            facade_executions(facade_barrier),
        ),
        (
            "OnceLock::set race",
            raw_executions(raw_set_race),
            facade_executions(facade_set_race),
        ),
    ];
    println!("two senders, one receiver: loom's own channel {loom_channel} executions");
    for (program, raw, facade) in pairs {
        println!("{program}: raw loom {raw} executions, lockstep {facade}");
        assert!(
            facade <= raw,
            "{program}: lockstep {facade} > raw loom {raw}"
        );
    }
}
