//! Booking on real threads: concurrent swaps and edits never double-book, and of the edits
//! that read one version exactly one wins.
#![cfg(not(any(loom, feature = "shuttle")))]

use lockstep::scenario::Variant;
use lockstep::sync::Arc;
use model::booking::{assert_no_double_booking, Booking};

#[test]
fn concurrent_swaps_never_double_book_and_one_edit_per_version_wins() {
    let booking = Arc::new(Booking::new(4, Variant::Fixed));
    let swappers: Vec<_> = (0..6)
        .map(|t| {
            let booking = Arc::clone(&booking);
            lockstep::thread::spawn(move || {
                for i in 0..200 {
                    let a = (t + i) % 8;
                    let b = (t * 3 + i + 1) % 8;
                    if a != b {
                        booking.swap(a, b).expect("no generation runs");
                    }
                }
            })
        })
        .collect();
    for swapper in swappers {
        swapper.join().unwrap();
    }
    assert_no_double_booking(&booking.read());
    let version = booking.read()[0].version;
    let editors: Vec<_> = (0..8u32)
        .map(|p| {
            let booking = Arc::clone(&booking);
            lockstep::thread::spawn(move || booking.edit(0, 100 + p, version).is_ok())
        })
        .collect();
    let wins = editors
        .into_iter()
        .map(|e| e.join().unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(wins, 1);
}
