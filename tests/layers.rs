//! The layers stay layers (after TigerBeetle's `tidy` test): a crate depends only on the crates
//! below it, a module inside a crate uses only the modules below it, the backend is named only
//! in the switch modules, and a production build of the user-facing crate compiles none of the
//! tools' dependencies.
//!
//! It reads `cargo metadata`, `cargo tree` and the sources, so it runs once, in the std suite.
#![cfg(not(any(loom, feature = "shuttle")))]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The framework's crates, bottom layer first.
const CRATES: [&str; 6] = [
    "lockstep-engine",
    "lockstep-facade",
    "lockstep-explore",
    "lockstep-cli",
    "lockstep-macros",
    "lockstep-dst",
];

/// Crates only the tools may pull in; a production build (std, default features) has none.
const TOOL_CRATES: [&str; 5] = ["clap", "indicatif", "toml", "serde", "serde_json"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// Every workspace package's normal and build dependencies on other workspace packages.
fn workspace_dependencies() -> Vec<(String, Vec<String>)> {
    let metadata: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--no-deps"]))
            .expect("cargo metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let names: BTreeSet<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    packages
        .iter()
        .map(|package| {
            let deps = package["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                // Dev-dependencies are allowed upwards: doc examples are written against
                // `lockstep`, as users write them.
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .map(|d| d["name"].as_str().expect("dependency name").to_owned())
                .filter(|name| names.contains(name.as_str()))
                .collect();
            (package["name"].as_str().expect("name").to_owned(), deps)
        })
        .collect()
}

#[test]
fn every_framework_crate_depends_only_on_crates_below_it() {
    let packages = workspace_dependencies();
    for (layer, name) in CRATES.iter().enumerate() {
        let (_, deps) = packages
            .iter()
            .find(|(package, _)| package == name)
            .unwrap_or_else(|| panic!("{name} is a workspace member"));
        for dep in deps {
            let below = CRATES[..layer].contains(&dep.as_str());
            assert!(below, "{name} depends on {dep}, which is not below it");
        }
    }
    let engine = &packages.iter().find(|(p, _)| p == CRATES[0]).unwrap().1;
    assert!(
        engine.is_empty(),
        "the engine imports nothing of lockstep: {engine:?}"
    );
}

#[test]
fn the_model_and_the_quickstart_import_only_the_user_facing_crate() {
    let packages = workspace_dependencies();
    for (package, dir) in [("model", "model"), ("quickstart", "examples/quickstart")] {
        let (_, deps) = packages.iter().find(|(p, _)| p == package).unwrap();
        assert_eq!(deps, &["lockstep-dst".to_owned()], "{package}");
        assert_names_only_lockstep(&root().join(dir));
    }
}

/// No file under `dir` names a lockstep crate but `lockstep`.
fn assert_names_only_lockstep(dir: &Path) {
    for file in rust_files(dir) {
        let text = code_of(&file);
        for name in [
            "lockstep_engine",
            "lockstep_facade",
            "lockstep_explore",
            "lockstep_cli",
        ] {
            assert!(
                !text.contains(name),
                "{} names {name}; model code uses `lockstep::` only",
                file.display()
            );
        }
    }
}

/// The packages a build of `package` with default features compiles, without versions.
fn production_tree(package: &str) -> BTreeSet<String> {
    let tree = cargo(&["tree", "-p", package, "-e", "normal", "--prefix", "none"]);
    tree.lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_production_build_compiles_none_of_the_tools() {
    for package in ["lockstep-dst", "model"] {
        let tree = production_tree(package);
        assert!(tree.contains("lockstep-facade") && tree.contains("lockstep-engine"));
        for tool in
            TOOL_CRATES
                .iter()
                .chain(&["lockstep-explore", "lockstep-cli", "shuttle", "loom"])
        {
            assert!(
                !tree.contains(*tool),
                "a std build of {package} compiles {tool}: {tree:?}"
            );
        }
    }
    // The whole tree of a user's std build, for the record (see the README).
    let tree = production_tree("lockstep-dst");
    assert!(tree.len() <= 16, "{} crates: {tree:?}", tree.len());
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// A file's code: comment lines and `#[cfg(test)]` modules removed.
fn code_of(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("readable source");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules (or crate-root items) a file's code names through `crate::`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let boundary = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '{')
            .collect();
        if boundary {
            if name.starts_with('{') {
                // `crate::{a, b::c}`: every name in the group.
                let end = after.find('}').unwrap_or(after.len());
                for item in after[1..end].split(',') {
                    let item = item.trim().split("::").next().unwrap_or_default();
                    if !item.is_empty() {
                        found.insert(item.to_owned());
                    }
                }
            } else {
                found.insert(name);
            }
        }
        rest = after;
    }
    found
}

/// Checks that in crate `dir`, a file of top-level module M names through `crate::` only
/// modules of a lower layer than M's (or M itself). `layers` lists the modules, bottom first;
/// `lib.rs` and items at the crate root are layer 0.
fn assert_layered(dir: &str, layers: &[&[&str]]) {
    let src = root().join(dir).join("src");
    let layer_of = |module: &str| layers.iter().position(|layer| layer.contains(&module));
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" {
            continue;
        }
        let mine = layer_of(&top)
            .unwrap_or_else(|| panic!("{dir}: module `{top}` is in no layer of the test"));
        for used in crate_paths(&code_of(&file)) {
            let Some(theirs) = layer_of(&used) else {
                continue; // an item of the crate root (layer 0)
            };
            assert!(
                used == top || theirs < mine,
                "{}: module `{top}` (layer {mine}) uses `crate::{used}` (layer {theirs}); \
                 a module uses only the layers below it",
                file.display()
            );
        }
    }
}

#[test]
fn the_engines_modules_are_layered_with_the_kernel_on_top() {
    assert_layered(
        "crates/engine",
        &[
            &["backend", "panic", "fault_plan", "op", "liveness", "access"],
            // A lock's try watch holds its backend probe.
            &["wait", "try_watch"],
            &["object"],
            &["held", "trace"],
            // Its edges carry the held stack's gate locks (`held`, `object`).
            &["lock_graph"],
            &["kernel"],
        ],
    );
}

#[test]
fn the_facades_modules_are_layered_over_the_backend_switch() {
    assert_layered(
        "crates/facade",
        &[
            &["backend", "error"],
            &["ghost"],
            &["hierarchy", "time"],
            &[
                "sync",
                "thread",
                "trace",
                "coverage",
                "scenario",
                "linearizability",
                "fault",
                "random",
            ],
            // The async facade: its locks are the sync facade's objects, ranks and holds.
            &["tokio"],
            &["check"],
        ],
    );
}

#[test]
fn the_tools_are_layered_run_seed_replay_shrink_explore_check() {
    assert_layered(
        "crates/explore",
        &[
            &["run"],
            &["schedule", "seed"],
            &["replay"],
            &["shrink"],
            &["explore"],
            &["check"],
        ],
    );
}

#[test]
fn the_backend_is_named_only_in_the_switch_modules() {
    let allowed = [
        // The engine: its backend aliases, its compile-time guard, the kernel's thread lookup
        // and its shuttle-only readings.
        "crates/engine/src/backend.rs",
        "crates/engine/src/lib.rs",
        "crates/engine/src/kernel/identity.rs",
        "crates/engine/src/kernel/mod.rs",
        // The facade: the switch, loom's try-lock, shuttle's recorded atomics, the std-only
        // fault plan and the crate's constants.
        "crates/facade/src/ghost/mod.rs",
        "crates/facade/src/ghost/simulated.rs",
        "crates/facade/src/sync/atomic.rs",
        // The std-or-simulated twins of channels, barrier and one-time initializers (std's own
        // types under std).
        "crates/facade/src/sync/twin/mod.rs",
        // The async facade's executor and timer: tokio under std; under simulation tasks as
        // kernel threads (executor/simulated.rs, which names no backend) polled by shuttle's
        // executor or by a loom thread per task.
        "crates/facade/src/tokio/executor.rs",
        "crates/facade/src/fault.rs",
        "crates/facade/src/lib.rs",
    ];
    for dir in ["crates/engine/src", "crates/facade/src"] {
        for file in rust_files(&root().join(dir)) {
            let relative = file
                .strip_prefix(root())
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let code = code_of(&file);
            let names_backend = code.contains("cfg(loom")
                || code.contains("cfg(not(loom")
                || code.contains("feature = \"shuttle\"")
                || code.contains("any(loom");
            assert!(
                !names_backend || allowed.contains(&relative.as_str()),
                "{relative} switches on the backend; do it in the backend switch (ghost, \
                 backend, kernel::identity) instead"
            );
        }
    }
}

#[test]
fn crate_paths_are_read_from_use_lines_groups_and_expressions() {
    let paths = crate_paths(
        "use crate::run::Drive;\nuse crate::{seed, replay::x};\nlet a = crate::SIMULATED;\nuse foo_crate::y;",
    );
    let expected: BTreeSet<String> = ["run", "seed", "replay", "SIMULATED"]
        .map(String::from)
        .into();
    assert_eq!(paths, expected);
}

/// The public items of the user-facing crates that only some builds have: `(file, line, the
/// item's line, its name)` for each `pub` item right under a `#[cfg(..)]` that names a backend,
/// except twins (a name that the same file gives another build too, such as
/// `explore::Strategy` or the atomics).
fn backend_only_items() -> Vec<(PathBuf, usize, String, String)> {
    let mut items = Vec::new();
    for krate in ["lockstep", "facade", "explore", "cli"] {
        for file in rust_files(&root().join("crates").join(krate).join("src")) {
            // The backend switch's own items reach users through re-exports, checked there.
            if file.components().any(|c| c.as_os_str() == "ghost") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let mut found = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                let line = line.trim();
                let gated = line.starts_with("#[cfg(")
                    && (line.contains("loom") || line.contains("feature = \""));
                let Some(at) = lines
                    .get(i + 1..)
                    .and_then(|rest| rest.iter().position(|l| !l.trim().starts_with("#[")))
                else {
                    continue;
                };
                let mut item = lines[i + 1 + at].trim().to_owned();
                if !gated || !item.starts_with("pub ") {
                    continue;
                }
                // A `pub use` group over several lines is one item.
                if item.starts_with("pub use") && item.ends_with('{') {
                    for line in &lines[i + 2 + at..] {
                        item.push_str(line.trim());
                        if line.contains('}') {
                            break;
                        }
                    }
                }
                for name in item_names(&item) {
                    found.push((i, item.clone(), name));
                }
            }
            for (i, item, name) in &found {
                if found.iter().filter(|(_, _, other)| other == name).count() == 1 {
                    items.push((file.clone(), *i, item.clone(), name.clone()));
                }
            }
        }
    }
    items
}

/// The names a `pub` item line declares: `pub fn name(..`, `pub mod name;`, `pub use
/// path::name;`, `pub use path::{a, b};`, `pub use path as name;`.
fn item_names(item: &str) -> Vec<String> {
    let item = item.trim_start_matches("pub ").trim_end_matches(';');
    if let Some(path) = item.strip_prefix("use ") {
        if let Some((_, alias)) = path.rsplit_once(" as ") {
            return vec![alias.trim().to_owned()];
        }
        if let Some((_, group)) = path.split_once('{') {
            return group
                .trim_end_matches('}')
                .split(',')
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .collect();
        }
        return vec![path.rsplit("::").next().unwrap().to_owned()];
    }
    let declared = item.split(['(', '<', ':', '{', '=']).next().unwrap();
    vec![declared.split_whitespace().last().unwrap().to_owned()]
}

#[test]
fn every_backend_only_item_has_a_docs_badge_and_a_row_in_the_builds_table() {
    let docs = std::fs::read_to_string(root().join("crates/lockstep/src/lib.rs")).unwrap();
    let table = &docs[docs
        .find("## What each build has")
        .expect("the crate docs have the builds table")..];
    let table = &table[..table.find("\n//! ## ").unwrap_or(table.len())];
    let items = backend_only_items();
    let names: BTreeSet<&str> = items.iter().map(|(_, _, _, name)| name.as_str()).collect();
    for expected in [
        "explore_exhaustive",
        "set_std_plan",
        "shrink",
        "schedule",
        "cli",
    ] {
        assert!(names.contains(expected), "{expected} is found: {names:?}");
    }
    for (file, line, item, name) in &items {
        let text = std::fs::read_to_string(file).unwrap();
        let attributes: Vec<&str> = text.lines().skip(*line).take(3).collect();
        assert!(
            attributes.iter().any(|a| a.contains("doc(cfg(")),
            "{}:{}: `{item}` is in some builds only, but has no \
             `#[cfg_attr(docsrs, doc(cfg(..)))]` badge",
            file.display(),
            line + 1
        );
        if name != "*" {
            assert!(
                table.contains(name.as_str()),
                "{}:{}: `{name}` is in some builds only, but the table \"What each build has\" \
                 in crates/lockstep/src/lib.rs does not name it",
                file.display(),
                line + 1
            );
        }
    }
}
