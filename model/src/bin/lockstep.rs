//! `lockstep`: the command line for the model's scenarios (see `lockstep::cli`).
//!
//! ```text
//! lockstep list
//! lockstep explore [PATTERN] [--strategy random,pct-3] [--iterations N] [--seed S]
//!                  [--bug NAME] [--shard I/N] [--faults default|none] [--size NAME=VALUE]
//!                  [--format text|json]
//! lockstep replay FILE...
//! lockstep shrink FILE... [--seeds-dir DIR] [--replace]
//! lockstep adopt FILE... [--corpus DIR] [--force]
//! ```
//!
//! New seeds go into `target/lockstep/seeds/` (`--seeds-dir`); `adopt` adds one to the corpus
//! `seeds/`.

fn main() -> std::process::ExitCode {
    lockstep::cli::main(model::scenarios::ALL)
}
