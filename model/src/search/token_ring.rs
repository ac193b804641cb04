//! A token ring of three writers and a checker (SCTBench's `token_ring`), written against the
//! facade.
//!
//! Three slots `x1 = 1, x2 = 2, x3 = 1` form a ring: writer 1 sets `x1 = (x3 + 1) % 4`, writer 2
//! copies `x1` into `x2`, writer 3 copies `x2` into `x3`, each in one critical section that also
//! marks it done; the checker, spawned last, checks in its own critical section that once all
//! three are done the slots agree. They agree only if the writers ran in ring order (1 before 2
//! before 3, or 1, 3, 2, where 3 copies the old `x2 = 2` that 2 then overwrites with 2): the
//! planted bug ([`NO_TOKEN`]) is that nothing makes them wait for their turn, so any order that
//! starts with writer 2 or 3 (four of the six) leaves a slot behind, and the checker sees it if
//! it runs after all three. The fix passes a token: writer `i` waits until writer `i - 1` is
//! done.

use lockstep::scenario::Variant;
use lockstep::sync::{Arc, Condvar, Mutex};
use lockstep::thread;

/// The planted bug: the writers do not wait for the token, so they run in any order.
pub const NO_TOKEN: &str = "no-token";

/// The ring's slots and which writers are done.
struct Ring {
    slots: [u8; 3],
    done: [bool; 3],
}

impl Ring {
    /// Writer `writer`'s step (0-based): slot 0 takes slot 2 plus one (mod 4), the others copy
    /// their predecessor.
    fn write(&mut self, writer: usize) {
        self.slots[writer] = match writer {
            0 => (self.slots[2] + 1) % 4,
            _ => self.slots[writer - 1],
        };
        self.done[writer] = true;
    }

    /// Whether writer `writer` holds the token: writer 1 from the start, the others once their
    /// predecessor is done.
    fn has_token(&self, writer: usize) -> bool {
        writer == 0 || self.done[writer - 1]
    }
}

/// Runs the three writers and then the checker; panics with the slots if the checker finds all
/// three writers done and the slots disagreeing. The bug is present with
/// `Variant::Bug(NO_TOKEN)`.
///
/// ```
/// # #[cfg(all(feature = "shuttle", not(loom)))] {
/// use lockstep::explore::{Explorer, Strategy};
/// use lockstep::scenario::Variant;
/// use model::search::token_ring::{token_ring, NO_TOKEN};
///
/// let found = Explorer::new(Strategy::Random)
///     .seed(0)
///     .iterations(1000)
///     .shrink_budget(0)
///     .run(|| token_ring(Variant::Bug(NO_TOKEN)))
///     .expect_err("random finds writers out of ring order");
/// assert!(found.message.contains("slots disagree"));
/// # }
/// ```
pub fn token_ring(variant: Variant) {
    let token = !variant.has_bug(NO_TOKEN);
    let ring = Arc::new((
        Mutex::named(
            "ring",
            Ring {
                slots: [1, 2, 1],
                done: [false; 3],
            },
        ),
        Condvar::new(),
    ));
    let mut handles: Vec<_> = (0..3)
        .map(|writer| {
            let ring = Arc::clone(&ring);
            thread::Builder::new()
                .name(format!("writer-{}", writer + 1))
                .spawn(move || {
                    let (slots, turn) = &*ring;
                    let mut ring = if token {
                        turn.wait_while(slots.lock(), |r| !r.has_token(writer))
                    } else {
                        slots.lock()
                    };
                    ring.write(writer);
                    drop(ring);
                    if token {
                        turn.notify_all();
                    }
                })
                .expect("spawn a writer")
        })
        .collect();
    let checker = thread::Builder::new()
        .name("checker")
        .spawn(move || {
            let ring = ring.0.lock();
            if ring.done == [true; 3] {
                let [x1, x2, x3] = ring.slots;
                assert!(
                    x1 == x2 && x2 == x3,
                    "token ring: all three writers are done but the slots disagree: \
                     x1 = {x1}, x2 = {x2}, x3 = {x3}"
                );
            }
        })
        .expect("spawn the checker");
    handles.push(checker);
    for handle in handles {
        handle.join().expect("a token-ring thread panicked");
    }
}
