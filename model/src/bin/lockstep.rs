//! `lockstep`: the command line for the model's scenarios (see `sim::cli`).
//!
//! ```text
//! lockstep list
//! lockstep explore [PATTERN] [--strategy random,pct-3] [--iterations N] [--seed S]
//!                  [--bug NAME] [--shard I/N] [--faults default|none] [--size NAME=VALUE]
//!                  [--format text|json]
//! lockstep replay FILE...
//! ```

fn main() -> std::process::ExitCode {
    sim::cli::main(model::scenarios::ALL)
}
