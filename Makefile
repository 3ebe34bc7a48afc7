# Thin wrapper over scripts/setup, CMake presets, ctest and pytest.
#   make run    install what is missing, build, run the default experiment
#   make test   install what is missing, build, run every test
#   make bench  build and run the benchmarks
#   make tsan   build an instrumented oneTBB (once, ~2 min) and run the C++ tests under ThreadSanitizer
#   make fuzz   fuzz the config loader, --set and CSV overrides (clang; FUZZ_SECONDS per target)
PRESET   ?= release
BUILD    := build/$(PRESET)
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON   := /usr/bin/python3
SCENARIO ?= scenarios/atc15.toml
OUT      ?= out/$(basename $(notdir $(SCENARIO))).h5

FUZZ_SECONDS ?= 600

.PHONY: all setup configure build run test test-cpp test-python test-fuzz bench tsan fuzz clean

all: build

setup:
	@scripts/setup

configure: setup
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@rm -f $(OUT).partial
	$(BUILD)/atcsim run $(SCENARIO) -o $(OUT)
	@echo
	@echo "Output: $(OUT)"
	@echo "Summary: $(BUILD)/atcsim info $(OUT)"
	@echo "Report:  PYTHONPATH=analysis $(PYTHON) -m atcsim report $(OUT) -o $(basename $(OUT)).html"

test: build
	@$(MAKE) --no-print-directory test-cpp test-python test-fuzz

test-cpp:
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-python:
	ATCSIM_BIN=$(CURDIR)/$(BUILD)/atcsim PYTHONPATH=$(CURDIR)/analysis $(PYTHON) -m pytest tests/python -q

# 20 s per fuzz target (60 s in all) when clang and libFuzzer are installed; skipped otherwise.
test-fuzz:
	FUZZ_OPTIONAL=1 JOBS=$(JOBS) scripts/fuzz --seconds 20

fuzz: setup
	JOBS=$(JOBS) scripts/fuzz --seconds $(FUZZ_SECONDS)

tsan: setup
	@scripts/build_tsan_tbb
	@cmake --preset tsan >/dev/null
	@cmake --build build/tsan -j$(JOBS)
	ctest --preset tsan -j$(JOBS)

bench: build
	@for b in $(BUILD)/bench/bench_*; do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf build out
