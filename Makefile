# lockstep: one facade, three backends. Loom builds use their own target dir so switching
# RUSTFLAGS does not rebuild the std/shuttle artifacts.
CARGO ?= cargo
LOOM_ENV := RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom
ITERATIONS ?= 2000

.PHONY: test test-std test-shuttle test-loom explore replay shrink bench lint fmt

## test: every suite: std (real threads), shuttle (random/PCT/DFS), loom (exhaustive, release)
test: test-std test-shuttle test-loom

test-std:
	$(CARGO) test --workspace

test-shuttle:
	$(CARGO) test --workspace --features shuttle --lib --tests --bins

test-loom:
	$(LOOM_ENV) $(CARGO) test --workspace --release --lib --tests

## explore: the main job; every scenario under shuttle random and PCT, failing seeds to seeds/
explore:
	$(CARGO) run --release --features shuttle -p model --bin lockstep -- explore --iterations $(ITERATIONS)

## replay: replay a seed file and print its trace (make replay SEED=seeds/FILE.toml)
replay:
	@test -n "$(SEED)" || { echo "usage: make replay SEED=seeds/FILE.toml"; exit 2; }
	$(CARGO) run --release --features shuttle -p model --bin lockstep -- replay $(SEED)

## shrink: shrink a seed file; the result is written beside it (make shrink SEED=seeds/FILE.toml)
shrink:
	@test -n "$(SEED)" || { echo "usage: make shrink SEED=seeds/FILE.toml"; exit 2; }
	$(CARGO) run --release --features shuttle -p model --bin lockstep -- shrink $(SEED)

## bench: facade cost vs raw shuttle and loom, planted bugs and the ordering family per strategy,
## the PCT paper's calibration set; every figure measured in this run
bench:
	$(CARGO) run --release --features shuttle --example bench_shuttle
	$(CARGO) run --release --features shuttle --example bench_bugs
	$(CARGO) run --release --features shuttle --example bench_pct
	$(CARGO) run --release --features shuttle --example bench_memory
	$(LOOM_ENV) $(CARGO) run --release --example bench_loom

## lint: formatting and clippy (-D warnings) for all three backends
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy --workspace --all-targets --features shuttle -- -D warnings
	$(LOOM_ENV) $(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all
