//! Replaying under loom: the failing execution's path from its checkpoint file, run first and
//! alone.

use super::{harness, Body, Run};
use crate::seed::{SeedError, SeedFile};
use std::path::Path;

/// Runs the recorded execution once: loom runs the checkpointed path first, and only it.
pub(super) fn run_once(path: &Path, seed: &SeedFile, body: &Body) -> Result<Run, SeedError> {
    let malformed = |reason: String| SeedError::Malformed {
        path: path.into(),
        reason,
    };
    let name = seed.loom_checkpoint.as_ref().ok_or_else(|| {
        malformed("missing field `loom_checkpoint` (a loom seed names its checkpoint file)".into())
    })?;
    let checkpoint = path.parent().unwrap_or(Path::new(".")).join(name);
    let text = std::fs::read_to_string(&checkpoint).map_err(|source| SeedError::Read {
        path: checkpoint.as_path().into(),
        source,
    })?;
    serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| malformed(format!("loom checkpoint {}: {e}", checkpoint.display())))?;
    let strategy: crate::run::Strategy = seed.strategy.parse().map_err(malformed)?;
    // loom rewrites its checkpoint file as it goes: give it a copy, never the seed's own, and
    // one per replay (numbered within the process), so concurrent replays (parallel tests) do
    // not rewrite or remove each other's.
    static REPLAYS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let scratch = std::env::temp_dir().join(format!(
        "lockstep-replay-{}-{}.loom.json",
        std::process::id(),
        REPLAYS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::write(&scratch, &text).map_err(|source| SeedError::Write {
        path: scratch.as_path().into(),
        source,
    })?;
    let ended = harness(seed, body).run(true, |f| {
        let mut builder = crate::run::builder(strategy);
        builder.checkpoint_file = Some(scratch.clone());
        builder.checkpoint_interval = 1;
        // loom checks the bound before each execution: 2 lets exactly one run.
        builder.max_permutations = Some(2);
        builder.check(f);
    });
    let _ = std::fs::remove_file(&scratch);
    Ok(Run {
        failure: ended.failure,
        trace: ended.trace.unwrap_or_default(),
        sizes: ended.sizes,
    })
}
