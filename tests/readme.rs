//! Every command in the README works as written: each `sh` block's commands run here, in order,
//! through their in-process equivalent (`lockstep::cli::run` against the model's scenarios, as
//! `cargo run -p model --bin lockstep --` and the Makefile run them), and must exit 0. Folders
//! they write (the findings folder `target/lockstep/seeds/`, the corpus for `make adopt`) are
//! temp dirs here, so the suite never writes into the repository. `make` targets the README
//! names must exist in the Makefile; the ones that run whole suites (`make test`, `make
//! explore`, `make bench`, `make lint`) are what `make` itself runs, not repeated here.
#![cfg(all(feature = "shuttle", not(loom)))]

use std::path::{Path, PathBuf};

const CARGO_RUN: &str = "cargo run --release --features shuttle -p model --bin lockstep -- ";
const FINDINGS: &str = "target/lockstep/seeds/";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The lines of the README's ```sh blocks, comments stripped, in order.
fn sh_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if in_sh {
            let command = trimmed.split(" #").next().unwrap_or_default().trim();
            if !command.is_empty() {
                commands.push(command.to_owned());
            }
        }
    }
    commands
}

/// The make targets the Makefile defines.
fn make_targets() -> Vec<String> {
    let makefile = std::fs::read_to_string(root().join("Makefile")).unwrap();
    makefile
        .lines()
        .filter_map(|l| l.split_once(':').map(|(target, _)| target))
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(str::to_owned)
        .collect()
}

/// Runs one command line in-process: (exit code, stdout, stderr).
fn run(args: &[String]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("lockstep".to_owned()).chain(args.iter().cloned());
    let code = lockstep::cli::run(argv, model::scenarios::ALL, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// The command line a README command runs, with the folders it writes moved to `findings`
/// and `corpus`; `None` for a make target that runs a whole suite.
fn equivalent(command: &str, findings: &Path, corpus: &Path) -> Option<Vec<String>> {
    let mut args: Vec<String> = if let Some(rest) = command.strip_prefix(CARGO_RUN) {
        rest.split_whitespace().map(str::to_owned).collect()
    } else if let Some(rest) = command.strip_prefix("make ") {
        let mut words = rest.split_whitespace();
        let target = words.next().unwrap();
        assert!(
            make_targets().iter().any(|t| t == target),
            "`{command}`: the Makefile has no target `{target}`"
        );
        let seed = words.find_map(|w| w.strip_prefix("SEED="));
        match (target, seed) {
            ("replay" | "shrink" | "adopt", Some(seed)) => vec![target.to_owned(), seed.to_owned()],
            ("test" | "explore" | "bench" | "lint", None) => return None,
            _ => panic!("`{command}`: no in-process equivalent known; teach tests/readme.rs"),
        }
    } else {
        panic!("`{command}`: not a lockstep or make command; teach tests/readme.rs");
    };
    for arg in &mut args {
        if let Some(file) = arg.strip_prefix(FINDINGS) {
            *arg = findings.join(file).to_str().unwrap().to_owned();
        }
    }
    match args[0].as_str() {
        "explore" | "shrink" => args.extend(["--seeds-dir".into(), findings.to_str()?.into()]),
        "adopt" => args.extend(["--corpus".into(), corpus.to_str()?.into()]),
        _ => {}
    }
    Some(args)
}

#[test]
fn every_command_in_the_readme_works_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let commands = sh_commands(&readme);
    assert!(commands.len() >= 8, "{commands:?}");
    let scratch = std::env::temp_dir().join(format!("lockstep-{}-readme", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let (findings, corpus) = (scratch.join("findings"), scratch.join("corpus"));
    let mut ran = 0;
    for command in &commands {
        let Some(args) = equivalent(command, &findings, &corpus) else {
            continue;
        };
        let (code, out, err) = run(&args);
        assert_eq!(
            code, 0,
            "`{command}` (run as {args:?}) exits {code}:\n{out}{err}"
        );
        ran += 1;
    }
    assert!(ran >= 6, "{ran} of {commands:?}");
    let adopted: Vec<_> = std::fs::read_dir(&corpus).unwrap().collect();
    assert_eq!(
        adopted.len(),
        1,
        "`make adopt` copied its seed into the corpus"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn the_readme_commands_that_write_seeds_keep_them_out_of_the_corpus() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for command in sh_commands(&readme) {
        if command.starts_with(CARGO_RUN) && command.contains(" explore") {
            assert!(
                !command.contains("--seeds-dir"),
                "`{command}` uses the default"
            );
        }
    }
    assert!(
        readme.contains("A failure writes `target/lockstep/seeds/"),
        "the README names the findings folder"
    );
    assert_eq!(lockstep::cli::FINDINGS_DIR, "target/lockstep/seeds");
}
