//! The quickstart: a connection pool written against lockstep's facade, the way a user's own
//! crate is. `tests/pool.rs` tests it with `#[lockstep::test]`, which runs the same test once
//! under std, explores it under shuttle (`cargo test --features shuttle`) and under loom
//! (`RUSTFLAGS="--cfg loom" cargo test --release`).
//!
//! `checkout_checking_first` is the planted bug: it checks that a connection is free and takes
//! it in two critical sections, so two threads can both see the last one free.

use lockstep::sync::{Arc, Mutex};

/// A fixed set of connections, checked out one at a time.
#[derive(Debug)]
pub struct Pool {
    free: Mutex<Vec<u32>>,
}

/// A checked-out connection; it goes back to its pool when dropped.
#[derive(Debug)]
pub struct Connection {
    id: u32,
    pool: Arc<Pool>,
}

impl Pool {
    /// A pool of `size` connections, numbered from 0.
    pub fn new(size: u32) -> Arc<Pool> {
        Arc::new(Pool {
            free: Mutex::named("pool", (0..size).collect()),
        })
    }

    /// A free connection, if there is one.
    pub fn checkout(self: &Arc<Pool>) -> Option<Connection> {
        let id = self.free.lock().pop()?;
        Some(Connection {
            id,
            pool: Arc::clone(self),
        })
    }

    /// The planted bug: "is one free?" and "take it" in two critical sections.
    pub fn checkout_checking_first(self: &Arc<Pool>) -> Option<Connection> {
        if self.free.lock().is_empty() {
            return None;
        }
        let taken = self.free.lock().pop();
        let id = taken.expect("a connection was free a moment ago");
        Some(Connection {
            id,
            pool: Arc::clone(self),
        })
    }

    /// How many connections are free now.
    pub fn free(&self) -> usize {
        self.free.lock().len()
    }
}

impl Connection {
    /// The connection's number.
    pub fn id(&self) -> u32 {
        self.id
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.pool.free.lock().push(self.id);
    }
}

/// Two threads check out of a one-connection pool with `checkout` and hold what they got; at
/// most one gets it, and it is back when both are done.
pub fn two_threads_one_connection(checkout: fn(&Arc<Pool>) -> Option<Connection>) {
    let pool = Pool::new(1);
    let other = {
        let pool = Arc::clone(&pool);
        lockstep::thread::spawn(move || checkout(&pool))
    };
    let mine = checkout(&pool);
    let theirs = other.join().expect("the other thread does not panic");
    assert!(
        !(mine.is_some() && theirs.is_some()),
        "both threads hold the one connection"
    );
    drop((mine, theirs));
    assert_eq!(pool.free(), 1, "the connection is back in the pool");
}
