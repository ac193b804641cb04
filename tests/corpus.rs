//! The replay corpus: every seed file under `seeds/` is replayed on every `make test`. An
//! expected failure must still fail with the same message (checked by the replay) and the same
//! trace (pinned as an insta snapshot); an expected pass must pass.
#![cfg(all(feature = "shuttle", not(loom)))]

use std::path::PathBuf;

fn seed_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_seed_file_replays_as_recorded() {
    let files = seed_files();
    assert!(!files.is_empty(), "the corpus has seed files");
    for path in files {
        let replayed = lockstep::replay::replay(&path, model::scenarios::ALL)
            .unwrap_or_else(|err| panic!("{err}"));
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 file name");
        // Line numbers in messages move with unrelated edits; the snapshot pins the rest.
        let failure = replayed.failure.as_deref().map_or_else(
            || "(passes)".to_owned(),
            lockstep::seed::without_line_numbers,
        );
        insta::assert_snapshot!(stem, format!("{failure}\n\n{}", replayed.trace));
    }
}
