//! Programs that take a lock again after a panic while holding it, or read an RwLock the
//! thread already reads: std allows both, so lockstep must too, under every backend.
//!
//! Not here yet: a mutex or an RwLock *write* guard dropped by unwinding poisons loom's inner
//! std lock, so under loom the next lock panics inside loom (see the h1 report).

use lockstep::sync::{Arc, RwLock, Semaphore};
use lockstep::thread;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A second `try_read` by the reader itself: std returns a guard (no writer is queued); what
/// both guards read.
pub fn try_read_while_reading() -> Option<(u32, u32)> {
    let value = RwLock::named("value", 7);
    let first = value.read();
    let second = value.try_read()?;
    Some((*first, *second))
}

/// A second `read` by the reader itself, the outer guard dropped first; then a writer can
/// still take the lock: what the inner guard read and what the writer wrote over.
pub fn nested_reads_then_write() -> (u32, u32) {
    let value = Arc::new(RwLock::named("value", 1));
    let outer = value.read();
    let inner = value.read();
    drop(outer);
    let seen = *inner;
    let writer = {
        let value = Arc::clone(&value);
        thread::spawn(move || {
            let mut write = value.write();
            let before = *write;
            *write = 2;
            before
        })
    };
    drop(inner);
    let overwritten = writer.join().expect("writer");
    (seen, overwritten)
}

/// A thread panics holding a semaphore permit and catches it; the permit is back and can be
/// taken again: the free permits after the panic and after a new acquire.
pub fn permit_after_a_panic() -> (usize, usize) {
    let pool = Semaphore::named("pool", 1);
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let _permit = pool.acquire();
        panic!("failed holding a permit");
    }));
    let after_panic = pool.available_permits();
    let _permit = pool.acquire();
    (after_panic, pool.available_permits())
}

/// A thread panics while reading an RwLock and catches it; then a writer takes it: what the
/// writer saw.
pub fn rwlock_after_a_panic_while_reading() -> u32 {
    let rw = Arc::new(RwLock::named("rw", 5));
    {
        let rw = Arc::clone(&rw);
        thread::spawn(move || {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let _read = rw.read();
                panic!("failed while reading rw");
            }));
        })
        .join()
        .expect("the panic was caught");
    }
    let mut write = rw.write();
    *write += 1;
    *write
}
