//! The system under test, written only against lockstep's facade (`lockstep`); `clippy.toml` in this
//! crate forbids `std::sync`, `std::thread` and `std::time`.
//!
//! For now it holds the runtime scenarios ([`basics`]) that exercise the facade itself; the
//! session manager, circuit breaker, lock table and booking models build on them.

pub mod basics;
pub mod booking;
pub mod breaker;
pub mod lock_table;
pub mod ordering;
pub mod scenarios;
pub mod search;
pub mod session;
pub mod transfer;
