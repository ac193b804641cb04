//! `lockstep`: the command line for the model's scenarios (see `lockstep::cli`).
//!
//! ```text
//! lockstep list
//! lockstep explore [PATTERN] [--strategy random,pct-3] [--iterations N] [--seed S]
//!                  [--bug NAME] [--shard I/N] [--faults default|none] [--size NAME=VALUE]
//!                  [--format text|json]
//! lockstep replay FILE...
//! ```

fn main() -> std::process::ExitCode {
    lockstep::cli::main(model::scenarios::ALL)
}
