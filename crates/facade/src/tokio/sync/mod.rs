//! Async synchronization, shaped like `tokio::sync`: [`Mutex`] (ranked like the sync one) and
//! [`Notify`]. Each pending future says what it awaits (deadlock reports) and leaves its queue
//! when dropped (cancellation), waking the next waiter if it had been chosen.

mod mutex;
mod notify;

pub use mutex::{Lock, Mutex, MutexGuard};
pub use notify::{Notified, Notify};
