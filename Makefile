# The README's two commands: `make demo` (the main job) and `make test` (every test).
PRESET ?= release
BUILD  := build/$(PRESET)
TENUO  := $(BUILD)/apps/tenuo/tenuo
# bash with pipefail: a failing build fails its recipe even though its output is filtered.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all deps build demo test test-long test-asan fuzz bench clean
all: build

deps:
	@bash scripts/deps.sh $(DEPS_FLAGS)

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) | { grep -vE '^\[[0-9]+/[0-9]+\] ' || true; }
	@test -x $(TENUO)

demo: build
	@bash scripts/demo.sh $(TENUO)

test: DEPS_FLAGS = --test
test: build
	@ctest --preset $(PRESET)

# In-process ratios to the Ed25519 floors, then whole-process tenuo verify vs minisign -V.
bench: DEPS_FLAGS = --bench
bench: build
	@./$(BUILD)/bench/tenuo_bench_core
	@./$(BUILD)/bench/tenuo_bench_replay
	@bash bench/process_bench.sh $(TENUO)

# The attenuation property tests with ten times the pairs (100,000 accepted pairs per type).
test-long: build
	@TENUO_PROPERTY_SCALE=10 ctest --preset $(PRESET) -R '^unit\.property'

# The whole test suite under ASan + UBSan (Debug).
test-asan:
	@$(MAKE) --no-print-directory test PRESET=asan

# Every libFuzzer target for FUZZ_SECONDS each (2 at a time) from a scratch copy of its seed
# corpus; fails on any crash, oracle abort, leak or timeout. Summary: build/fuzz/summary.txt.
FUZZ_SECONDS ?= 60
fuzz: DEPS_FLAGS = --test
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@mkdir -p build/fuzz
	@cmake --build --preset fuzz --target fuzzers >build/fuzz/build.log 2>&1 || \
	  { tail -n 40 build/fuzz/build.log; echo "fuzz: build failed, see build/fuzz/build.log"; exit 1; }
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

clean:
	rm -rf build
