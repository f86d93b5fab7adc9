# The README's two commands: `make demo` (the main job) and `make test` (every test).
PRESET ?= release
BUILD  := build/$(PRESET)
TENUO  := $(BUILD)/apps/tenuo/tenuo

.PHONY: all deps build demo test test-asan bench clean
all: build

deps:
	@bash scripts/deps.sh $(DEPS_FLAGS)

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
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

test-asan:
	@$(MAKE) --no-print-directory test PRESET=asan

clean:
	rm -rf build
