//! The server lock table on real threads: many holders contend; at most one holds the row at
//! any moment (checked by each holder while it holds it), and nothing is orphaned.
#![cfg(not(any(loom, feature = "shuttle")))]

use lockstep::sync::atomic::{AtomicUsize, Ordering};
use lockstep::sync::Arc;
use lockstep::time::Duration;
use model::lock_table::{Bugs, LockTable};

#[test]
fn contending_holders_never_overlap_and_leave_nothing_behind() {
    let table = Arc::new(LockTable::new(Duration::from_secs(3600), Bugs::default()));
    let inside = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let (table, inside) = (Arc::clone(&table), Arc::clone(&inside));
            lockstep::thread::spawn(move || {
                let me = format!("holder-{i}");
                for _ in 0..200 {
                    if table.acquire(1, "db", &me) {
                        assert_eq!(
                            inside.fetch_add(1, Ordering::SeqCst),
                            0,
                            "two holders at once"
                        );
                        inside.fetch_sub(1, Ordering::SeqCst);
                        assert!(table.release(1, "db", &me));
                        assert!(!table.release(1, "db", &me), "release is idempotent");
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(table.held_rows(), 0);
}
