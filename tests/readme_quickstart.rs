//! The README shows what CI compiles: its "use it in your crate" section is the quickstart's
//! `Cargo.toml` and first test, verbatim.
#![cfg(not(any(loom, feature = "shuttle")))]

fn read(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_readme_shows_the_quickstarts_manifest_and_first_test() {
    let readme = read("README.md");
    let manifest = read("examples/quickstart/Cargo.toml");
    let dependencies = &manifest[manifest.find("[dependencies]").expect("dependencies")..];
    assert!(
        readme.contains(dependencies.trim_end()),
        "README.md must show examples/quickstart/Cargo.toml from [dependencies] on:\n{dependencies}"
    );
    let tests = read("examples/quickstart/tests/pool.rs");
    let first = &tests[tests.find("use quickstart").expect("the import")..];
    let first = &first[..first.find("#[lockstep::test(").expect("a second test")];
    assert!(
        readme.contains(first.trim_end()),
        "README.md must show the quickstart's first test:\n{first}"
    );
}
