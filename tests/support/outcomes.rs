//! Collecting what a program returns over a whole exploration: the set of outcomes a test
//! then compares with the set std allows.

use lockstep::explore::Explorer;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Every outcome `body` returns over `explorer`'s exploration, which must pass.
pub fn outcomes<T, F>(explorer: Explorer, body: F) -> BTreeSet<T>
where
    T: Ord + Send + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let sink = Arc::clone(&seen);
    explorer
        .run(move || {
            let outcome = body();
            sink.lock().unwrap().insert(outcome);
        })
        .unwrap_or_else(|failure| panic!("unexpected failure: {failure}"));
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    seen
}
