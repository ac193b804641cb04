//! A two-lock transfer that passes through fault sites: every error path must release what it
//! took before the error reaches the caller.

use lockstep::fault::{self, Fault, FaultKind, FaultSite};
use lockstep::sync::{held, Arc, LockClass, Mutex};
use lockstep::thread;

const ACCOUNTS: LockClass = LockClass::new("accounts", 1);
const LEDGER: LockClass = LockClass::new("ledger", 2);

/// The network call made while holding the accounts lock.
pub const FETCH: FaultSite = FaultSite::new("transfer.fetch", FaultKind::NetworkError);
/// The ledger write made while holding both locks.
pub const WRITE: FaultSite = FaultSite::new("transfer.write", FaultKind::OperationError);

/// The planted bug: the network-error path forgets to release the accounts lock.
pub const LEAK_ON_NETWORK_ERROR: &str = "leak-on-network-error";

/// Moves one unit from the accounts to the ledger, unless a fault interrupts it.
fn transfer(accounts: &Mutex<u64>, ledger: &Mutex<u64>, leak_on_error: bool) -> Result<(), Fault> {
    let mut from = accounts.lock();
    if let Err(fault) = fault::point(&FETCH) {
        if leak_on_error {
            std::mem::forget(from);
        }
        return Err(fault);
    }
    let mut to = ledger.lock();
    fault::point(&WRITE)?;
    *from -= 1;
    *to += 1;
    Ok(())
}

/// `workers` threads transfer `each` times. After every operation, success or error, the
/// thread holds nothing; at the end the units add up. Panics if either breaks.
pub fn transfers(workers: usize, each: usize, leak_on_error: bool) {
    let units = (workers * each) as u64 + 10;
    let accounts = Arc::new(Mutex::ranked(ACCOUNTS, units));
    let ledger = Arc::new(Mutex::ranked(LEDGER, 0));
    let workers: Vec<_> = (0..workers)
        .map(|_| {
            let (accounts, ledger) = (Arc::clone(&accounts), Arc::clone(&ledger));
            thread::spawn(move || {
                for _ in 0..each {
                    let result = transfer(&accounts, &ledger, leak_on_error);
                    let still_held = held();
                    assert!(
                        still_held.is_empty(),
                        "after {result:?} the thread still holds {:?}",
                        still_held
                            .iter()
                            .map(|h| h.object.as_str())
                            .collect::<Vec<_>>()
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker panicked");
    }
    let total = *accounts.lock() + *ledger.lock();
    assert_eq!(total, units, "units were created or lost");
}
