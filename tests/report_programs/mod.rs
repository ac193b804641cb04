//! Programs whose failure reports are checked word for word where it matters, shared by the
//! shuttle and loom test files: an RwLock deadlock (read or write named) and a lock-order
//! inversion (the refused request is the trace's last line).

use lockstep::sync::{Arc, RwLock};
use lockstep::thread;

/// `reader` holds A for reading and wants B for writing; `writer` holds B for writing and
/// wants A for writing: they can deadlock.
pub fn rwlock_read_write_deadlock() {
    let locks = Arc::new((RwLock::named("A", 0), RwLock::named("B", 0)));
    let l = Arc::clone(&locks);
    let reader = thread::Builder::new()
        .name("reader")
        .spawn(move || {
            let _a = l.0.read();
            *l.1.write() += 1;
        })
        .unwrap();
    let l = Arc::clone(&locks);
    let writer = thread::Builder::new()
        .name("writer")
        .spawn(move || {
            let _b = l.1.write();
            *l.0.write() += 1;
        })
        .unwrap();
    reader.join().unwrap();
    writer.join().unwrap();
}
