//! The system under test, written only against lockstep's facade (`lockstep`); `clippy.toml` in this
//! crate forbids `std::sync`, `std::thread` and `std::time`.
//!
//! For now it holds the runtime scenarios ([`basics`]) that exercise the facade itself; the
//! session manager, circuit breaker, lock table and booking models build on them.
//!
//! The async twin of the session manager's scrape/send path ([`async_session`]) is written
//! against `lockstep::tokio`, which loom builds do not have (yet): it and its scenario are
//! compiled out under loom.

#[cfg(not(loom))]
pub mod async_session;
pub mod basics;
pub mod booking;
pub mod breaker;
pub mod lock_table;
pub mod ordering;
pub mod scenarios;
pub mod search;
pub mod session;
pub mod transfer;
