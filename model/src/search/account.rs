//! A bank account with a deposit, a withdrawal and an audit (SCTBench's `account`), written
//! against the facade.
//!
//! The balance starts at `x = 1`; one thread deposits `y = 2`, one withdraws `z = 4`, each in one
//! critical section that also marks it done; the auditor checks, in its own critical section,
//! that once both are done the balance is what they make it. The auditor is spawned first, the
//! depositor and the withdrawer after it, so its check runs only if the scheduler holds it back
//! until both others are done: an ordering bug of depth two (audit after deposit, audit after
//! withdrawal). The planted bug ([`AUDIT_SUBTRACTS_DEPOSIT`], SCTBench's own) is the audit's
//! expected balance, `x - y - z` where the operations make `x + y - z`; the fix expects `x + y -
//! z`. (The operations themselves are correct, so this is a wrong check that only an ordering
//! reaches, like an invariant check placed on a rarely taken path.)

use lockstep::scenario::Variant;
use lockstep::sync::{Arc, Mutex};
use lockstep::thread;

/// The planted bug: the audit subtracts the deposit instead of adding it.
pub const AUDIT_SUBTRACTS_DEPOSIT: &str = "audit-subtracts-deposit";

const OPENING: i64 = 1;
const DEPOSIT: i64 = 2;
const WITHDRAWAL: i64 = 4;

/// The balance and which operations are done.
#[derive(Default)]
struct Account {
    balance: i64,
    deposited: bool,
    withdrawn: bool,
}

/// Spawns the auditor, then the depositor, then the withdrawer; panics with the balance if the
/// auditor finds both operations done and the balance not the one it expects. The bug is present
/// with `Variant::Bug(AUDIT_SUBTRACTS_DEPOSIT)`.
///
/// ```
/// # #[cfg(all(feature = "shuttle", not(loom)))] {
/// use lockstep::explore::{Explorer, Strategy};
/// use lockstep::scenario::Variant;
/// use model::search::account::{account, AUDIT_SUBTRACTS_DEPOSIT};
///
/// let found = Explorer::new(Strategy::Random)
///     .seed(0)
///     .iterations(1000)
///     .shrink_budget(0)
///     .run(|| account(Variant::Bug(AUDIT_SUBTRACTS_DEPOSIT)))
///     .expect_err("random finds the audit after both operations");
/// assert!(found.message.contains("balance is -1, expected -5"));
/// # }
/// ```
pub fn account(variant: Variant) {
    let expected = if variant.has_bug(AUDIT_SUBTRACTS_DEPOSIT) {
        OPENING - DEPOSIT - WITHDRAWAL
    } else {
        OPENING + DEPOSIT - WITHDRAWAL
    };
    let account = Arc::new(Mutex::named(
        "account",
        Account {
            balance: OPENING,
            ..Account::default()
        },
    ));
    let handles = [
        spawn_on(&account, "auditor", move |account| {
            if account.deposited && account.withdrawn {
                assert!(
                    account.balance == expected,
                    "account: after the deposit of {DEPOSIT} and the withdrawal of {WITHDRAWAL} \
                     from {OPENING} the balance is {}, expected {expected}",
                    account.balance
                );
            }
        }),
        spawn_on(&account, "depositor", |account| {
            account.balance += DEPOSIT;
            account.deposited = true;
        }),
        spawn_on(&account, "withdrawer", |account| {
            account.balance -= WITHDRAWAL;
            account.withdrawn = true;
        }),
    ];
    for handle in handles {
        handle.join().expect("an account thread panicked");
    }
}

/// Spawns a thread called `name` that runs `work` in one critical section of `account`.
fn spawn_on(
    account: &Arc<Mutex<Account>>,
    name: &str,
    work: impl FnOnce(&mut Account) + Send + 'static,
) -> thread::JoinHandle<()> {
    let account = Arc::clone(account);
    thread::Builder::new()
        .name(name)
        .spawn(move || work(&mut account.lock()))
        .expect("spawn an account thread")
}
