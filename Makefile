# lockstep: one facade, three backends. Loom builds use their own target dir so switching
# RUSTFLAGS does not rebuild the std/shuttle artifacts.
CARGO ?= cargo
LOOM_ENV := RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom
ITERATIONS ?= 2000
LOCKSTEP := $(CARGO) run --release --features shuttle -p model --bin lockstep --

.PHONY: test test-std test-shuttle test-loom explore replay shrink adopt bench mutants lint fmt

## test: every suite: std (real threads), shuttle (random/PCT/DFS), loom (exhaustive, release)
test: test-std test-shuttle test-loom

test-std:
	$(CARGO) test --workspace

test-shuttle:
	$(CARGO) test --workspace --features shuttle --lib --tests --bins

test-loom:
	$(LOOM_ENV) $(CARGO) test --workspace --release --lib --tests

## explore: the main job; every scenario under shuttle random and POS, new failing seeds to
## target/lockstep/seeds/ (not the corpus: `make adopt` adds one to it)
explore:
	$(LOCKSTEP) explore --iterations $(ITERATIONS)

## replay: replay a seed file and print its trace (make replay SEED=seeds/FILE.toml)
replay:
	@test -n "$(SEED)" || { echo "usage: make replay SEED=seeds/FILE.toml"; exit 2; }
	$(LOCKSTEP) replay $(SEED)

## shrink: shrink a seed file into target/lockstep/seeds/NAME.shrunk.toml, beside a copy of it
## (make shrink SEED=seeds/FILE.toml); REPLACE=1 replaces the file itself; nothing is written
## when nothing smaller is found
shrink:
	@test -n "$(SEED)" || { echo "usage: make shrink SEED=seeds/FILE.toml [REPLACE=1]"; exit 2; }
	$(LOCKSTEP) shrink $(SEED) $(if $(REPLACE),--replace)

## adopt: add a seed file to the corpus (make adopt SEED=target/lockstep/seeds/FILE.toml): it is
## replayed, copied into seeds/, and its trace snapshot recorded (only new snapshots are
## accepted), so the next `make test` replays it
adopt:
	@test -n "$(SEED)" || { echo "usage: make adopt SEED=target/lockstep/seeds/FILE.toml"; exit 2; }
	$(LOCKSTEP) adopt $(SEED)
	INSTA_UPDATE=unseen $(CARGO) test --features shuttle --test corpus

## bench: facade cost vs raw shuttle and loom (sync and async), planted bugs per strategy, the classic benchmarks'
## bug shapes and planted bugs per search strategy beside the RFF paper's figures, the PCT
## paper's calibration set; every figure measured in this run
bench:
	$(CARGO) run --release --features shuttle --example bench_shuttle
	$(CARGO) run --release --features shuttle --example bench_async
	$(CARGO) run --release --features shuttle --example bench_bugs
	$(CARGO) run --release --features shuttle --example bench_search -- --give-up-after 3
	$(CARGO) run --release --features shuttle --example bench_pct
	$(CARGO) run --release --features shuttle --example bench_memory
	$(LOOM_ENV) $(CARGO) run --release --example bench_loom

## mutants: a fixed sample of cargo-mutants over the model and the framework's checkers, each
## mutant tested by the shuttle, then std, then loom tests; prints each group's score
## (make mutants GROUPS=model; MODEL_SAMPLE=N / CHECKERS_SAMPLE=N: every N-th mutant;
## MUTANTS_ARGS="--in-diff FILE": only the code a diff touched). Mutates the tree in place.
mutants:
	.ci/mutants $(GROUPS)

## lint: formatting and clippy (-D warnings) for all three backends
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --workspace --all-targets --features shuttle -- -D warnings
	$(LOOM_ENV) $(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all
