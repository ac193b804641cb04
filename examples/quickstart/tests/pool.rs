//! The quickstart's tests: one attribute, every backend.

use quickstart::{two_threads_one_connection, Pool};

#[lockstep::test]
fn one_connection_goes_to_one_thread() {
    two_threads_one_connection(Pool::checkout);
}

#[lockstep::test(iterations = 200, strategy = "random")]
fn the_pool_takes_its_connections_back() {
    let pool = Pool::new(2);
    let a = pool.checkout().expect("two are free");
    let b = pool.checkout().expect("one is free");
    assert_ne!(a.id(), b.id());
    assert!(pool.checkout().is_none());
    drop((a, b));
    assert_eq!(pool.free(), 2);
}
