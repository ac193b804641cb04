//! Async synchronization, shaped like `tokio::sync`: [`Mutex`] (ranked like the sync one),
//! [`Semaphore`] (ranked, FIFO), [`Notify`] and [`oneshot`]. Each pending future says what it
//! awaits (deadlock reports) and leaves its queue when dropped (cancellation), passing on what
//! it had been handed (a lock, permits, a notification) to the next waiter.

mod mutex;
mod notify;
pub mod oneshot;
mod semaphore;

pub use mutex::{Lock, Mutex, MutexGuard};
pub use notify::{Notified, Notify};
pub use semaphore::{
    Acquire, AcquireError, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
    TryAcquireError,
};
