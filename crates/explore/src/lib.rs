//! # lockstep-explore: exploring, replaying and shrinking (shuttle and loom builds)
//!
//! Users reach this crate through `lockstep` (`lockstep::explore`, `lockstep::replay`, ...).
//! It is the tools layer: it runs bodies and scenarios written against `lockstep-facade` on a
//! simulation backend, and never the other way round. Under std this crate is empty: a
//! production build compiles none of it (nor toml or serde).
//!
//! Its modules are layered too, each using only those above it in this list (checked by the
//! repository's `tests/layers.rs`):
//!
//! | module | job |
//! |---|---|
//! | `run` | running a body on the backend: the harness, the strategies, the shuttle and loom drivers, the schedulers |
//! | [`schedule`] (shuttle) | what every thread is about to do, for custom shuttle schedulers |
//! | [`seed`] | seed files: what replays one execution |
//! | [`replay`] | replaying a seed file, twice, checking its outcome |
//! | [`shrink`] (shuttle) | a smaller execution that fails the same way |
//! | [`explore`] | the [`Explorer`](explore::Explorer): strategies, budgets, failures, seed files |
//! | [`check`] | testing your own code: `#[lockstep::test]`'s [`Test`](check::Test), `check*`, per-test seeds |
#![cfg(any(loom, feature = "shuttle"))]
#![warn(missing_docs)]
// docs.rs (nightly) shows which build has each item; see "What each build has" in `lockstep`.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod run;

pub mod check;
pub mod explore;
pub mod replay;
#[cfg(feature = "shuttle")]
#[cfg_attr(docsrs, doc(cfg(feature = "shuttle")))]
pub mod schedule;
pub mod seed;
#[cfg(feature = "shuttle")]
#[cfg_attr(docsrs, doc(cfg(feature = "shuttle")))]
pub mod shrink;
