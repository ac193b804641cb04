//! Programs that take a lock again after a panic while holding it, or read an RwLock the
//! thread already reads: std allows both, so lockstep must too, under every backend.

use lockstep::sync::{Arc, Mutex, RwLock, Semaphore};
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

/// A thread panics while holding the mutex and catches its own panic; then the main thread
/// takes the mutex: what it holds.
pub fn lock_after_a_panic_while_locked() -> u32 {
    let m = Arc::new(Mutex::named("m", 5));
    {
        let m = Arc::clone(&m);
        thread::spawn(move || {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let _held = m.lock();
                panic!("failed while holding m");
            }));
        })
        .join()
        .expect("the panic was caught");
    }
    let value = *m.lock();
    value
}

/// A thread writes 1 and panics while holding the mutex, catching its own panic, while another
/// thread adds 10 to it: what the adder saw (0 or 1: either may go first) and the final value.
pub fn contended_lock_after_a_panic() -> (u32, u32) {
    let m = Arc::new(Mutex::named("m", 0));
    let panicker = {
        let m = Arc::clone(&m);
        thread::spawn(move || {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let mut held = m.lock();
                *held += 1;
                panic!("failed while holding m");
            }));
        })
    };
    let adder = {
        let m = Arc::clone(&m);
        thread::spawn(move || {
            let mut held = m.lock();
            let seen = *held;
            *held += 10;
            seen
        })
    };
    panicker.join().expect("the panic was caught");
    let seen = adder.join().expect("adder");
    let last = *m.lock();
    (seen, last)
}

/// [`lock_after_a_panic_while_locked`] for an RwLock written, then read and written again.
pub fn rwlock_after_a_panic_while_writing() -> (u32, u32) {
    let rw = Arc::new(RwLock::named("rw", 5));
    {
        let rw = Arc::clone(&rw);
        thread::spawn(move || {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let mut write = rw.write();
                *write = 6;
                panic!("failed while writing rw");
            }));
        })
        .join()
        .expect("the panic was caught");
    }
    let read = *rw.read();
    *rw.write() += 1;
    let written = *rw.read();
    (read, written)
}

/// A guard dropped during unwinding, then another lock of the same mutex in a `Drop` during
/// the same unwind (a cleanup that logs under the lock): the cleanup gets the lock, and the
/// mutex is usable after: what the cleanup and the main thread saw.
pub fn relock_in_a_drop_during_unwinding() -> (u32, u32) {
    struct Cleanup<'a>(&'a Mutex<u32>, &'a Mutex<u32>);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            let value = *self.0.lock();
            *self.1.lock() = value;
        }
    }
    let m = Mutex::named("m", 3);
    let seen = Mutex::named("seen", 0);
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let _cleanup = Cleanup(&m, &seen);
        let _held = m.lock();
        panic!("failed while holding m");
    }));
    let after = *m.lock();
    let seen = *seen.lock();
    (seen, after)
}

/// A mutex whose guard was dropped by unwinding, consumed right after the panic is caught
/// (moved, with no other lockstep call in between): its value.
pub fn into_inner_after_a_panic_while_locked() -> u32 {
    let m = Mutex::named("m", 8);
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let _held = m.lock();
        panic!("failed while holding m");
    }));
    let moved = m;
    moved.into_inner()
}
