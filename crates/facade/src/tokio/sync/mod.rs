//! Async synchronization, shaped like `tokio::sync`: [`Mutex`] and [`RwLock`] (ranked like the
//! sync ones, FIFO), [`Semaphore`] (ranked, FIFO), [`Notify`], [`mpsc`] and [`oneshot`]. Each
//! pending future says what it awaits (deadlock reports) and leaves its queue when dropped
//! (cancellation), passing on what it had been handed (a lock, permits, a notification, a
//! channel slot) to the next waiter.

pub mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod rwlock;
mod semaphore;
mod try_lock;

pub use mutex::{Lock, Mutex, MutexGuard};
pub use notify::{Notified, Notify};
pub use rwlock::{Read, RwLock, RwLockReadGuard, RwLockWriteGuard, Write};
pub use semaphore::{
    Acquire, AcquireError, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
    TryAcquireError,
};
pub use try_lock::TryLockError;
