//! The runtime core on real threads (the std backend): the same programs, asserting only what
//! does not depend on timing.
#![cfg(not(any(loom, feature = "shuttle")))]

use lockstep::sync::{Arc, Condvar, Mutex, RwLock, Semaphore};
use lockstep::time::Duration;
use lockstep::{thread, LockError};
use model::basics;

#[test]
fn the_fixed_counter_always_counts_both_increments() {
    for _ in 0..200 {
        assert_eq!(basics::counter_increments(2, false), 2);
    }
}

#[test]
fn semaphore_never_has_more_holders_than_permits() {
    for _ in 0..200 {
        assert!(basics::pool_occupancy(3, 2) <= 2);
    }
}

#[test]
fn a_timed_lock_times_out_while_the_holder_keeps_it() {
    let lock = Arc::new(Mutex::named("resource", ()));
    let guard = lock.lock();
    let waiter = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || lock.lock_timeout(Duration::from_millis(5)).map(|_| ()))
    };
    // The guard is held until the waiter has finished, so it can only time out.
    let result = waiter.join().unwrap();
    drop(guard);
    let err = result.expect_err("the lock was held throughout");
    assert_eq!(
        err,
        LockError::Timeout {
            object: "Mutex \"resource\"".to_owned(),
            waited: Duration::from_millis(5)
        }
    );
    assert_eq!(
        err.to_string(),
        "timed out after 5ms waiting for Mutex \"resource\""
    );
}

#[test]
fn a_timed_lock_is_granted_when_the_holder_releases() {
    let lock = Arc::new(Mutex::new(0));
    let guard = lock.lock();
    let waiter = {
        let lock = Arc::clone(&lock);
        thread::spawn(move || *lock.lock_timeout(Duration::from_secs(3600)).unwrap() + 1)
    };
    drop(guard);
    assert_eq!(waiter.join().unwrap(), 1);
}

#[test]
fn a_permit_comes_back_on_early_return_and_on_panic() {
    let pool = Semaphore::named("pool", 2);
    let early_return = |fail: bool| -> Result<(), &'static str> {
        let _permit = pool.acquire();
        if fail {
            return Err("validation failed");
        }
        Ok(())
    };
    assert!(early_return(true).is_err());
    assert_eq!(pool.available_permits(), 2);
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _permit = pool.acquire();
        panic!("operation failed");
    }));
    assert!(unwound.is_err());
    assert_eq!(pool.available_permits(), 2);
}

#[test]
fn a_permit_wait_times_out_and_then_succeeds_after_a_release() {
    let pool = Semaphore::named("pool", 1);
    let held = pool.acquire();
    assert!(matches!(
        pool.acquire_timeout(Duration::from_millis(1)),
        Err(LockError::Timeout { .. })
    ));
    drop(held);
    assert!(pool.acquire_timeout(Duration::from_millis(1)).is_ok());
}

#[test]
fn condvar_hands_a_value_over_and_times_out_without_a_notify() {
    let pair = Arc::new((Mutex::new(None), Condvar::new()));
    let producer = {
        let pair = Arc::clone(&pair);
        thread::spawn(move || {
            *pair.0.lock() = Some(42);
            pair.1.notify_one();
        })
    };
    let value = *pair.1.wait_while(pair.0.lock(), |v| v.is_none());
    producer.join().unwrap();
    assert_eq!(value, Some(42));

    let lonely = (Mutex::new(()), Condvar::named("never-notified"));
    let (_guard, result) = lonely
        .1
        .wait_timeout(lonely.0.lock(), Duration::from_millis(1));
    assert_eq!(
        result.unwrap_err().to_string(),
        "timed out after 1ms waiting for Condvar \"never-notified\""
    );
}

#[test]
fn rwlock_readers_share_and_writers_exclude() {
    let lock = RwLock::named("config", 1);
    let r1 = lock.read();
    let r2 = lock.try_read().expect("readers share");
    assert!(lock.try_write().is_none());
    assert!(lock.write_timeout(Duration::from_millis(1)).is_err());
    drop((r1, r2));
    *lock.write() += 1;
    assert_eq!(*lock.read_timeout(Duration::from_millis(1)).unwrap(), 2);
}

#[test]
fn threads_return_their_value_and_names() {
    let handle = thread::Builder::new()
        .name("worker")
        .spawn(thread::current_name)
        .unwrap();
    assert_eq!(handle.name(), "worker");
    assert_eq!(handle.join().unwrap(), "worker");
}

#[test]
fn faults_fire_on_real_threads_only_when_a_plan_is_set() {
    use lockstep::fault::{self, FaultKind, FaultPlan, FaultSite};
    const SITE: FaultSite = FaultSite::new("std.site", FaultKind::ValidationError);
    assert!(
        (0..100).all(|_| fault::point(&SITE).is_ok()),
        "no plan, no faults"
    );
    fault::set_std_plan(Some((FaultPlan::none().site("std.site", 1.0), 7)));
    let err = fault::point(&SITE).unwrap_err();
    fault::set_std_plan(None);
    assert_eq!(
        err.to_string(),
        "injected validation error at fault site `std.site`"
    );
    assert!(fault::point(&SITE).is_ok());
}

#[test]
fn on_real_threads_a_self_relock_panics_with_the_report_instead_of_hanging() {
    // std leaves it open whether this deadlocks or panics; lockstep panics, naming both sites.
    let payload = std::panic::catch_unwind(|| {
        let m = Mutex::named("m", ());
        let _held = m.lock();
        let _again = m.lock();
    })
    .expect_err("a self-relock never returns");
    let message = lockstep::panic_message(&*payload);
    assert!(
        message.contains("wants to lock Mutex \"m\" at tests/std_runtime.rs:")
            && message.contains("which it already holds (taken at tests/std_runtime.rs:"),
        "{message}"
    );
}
