# Thin wrapper over scripts/setup, CMake presets, ctest and pytest.
#   make run    install what is missing, build, run the default experiment
#   make test   install what is missing, build, run every test
#   make build-pgo  build/release-pgo: atcsim built with profile-guided optimisation (~5 min)
#   make bench  build and run the benchmarks (on the profile-guided build), write bench/results.md
#   make lint   check formatting (clang-format, black), static analysis (clang-tidy, flake8)
#   make tsan   build an instrumented oneTBB (once, ~2 min) and run the C++ tests under ThreadSanitizer
#   make fuzz   fuzz the config loader, --set and CSV overrides (clang; FUZZ_SECONDS per target)
PRESET   ?= release
BUILD    := build/$(PRESET)
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_WORKERS ?= $(JOBS)
PYTHON   := /usr/bin/python3
SCENARIO ?= scenarios/atc15.toml
OUT      ?= out/$(basename $(notdir $(SCENARIO))).h5
# Extra CMake cache settings, e.g. CMAKE_ARGS=-DATCSIM_WERROR=ON (.ci/run).
CMAKE_ARGS ?=

# Lint tools (Debian packages: clang-format, clang-tidy-16, black, python3-flake8).
# clang-tidy 16, not Debian's default 14: clang 14 cannot parse libstdc++ 12's
# <source_location>, which sim/core/error.hpp uses.
CLANG_FORMAT   ?= clang-format
CLANG_TIDY     ?= clang-tidy-16
RUN_CLANG_TIDY ?= run-clang-tidy-16
CXX_DIRS       := sim models tests bench  # also the clang-tidy file regex below
PY_DIRS        := analysis tests/python scripts bench
SHELL := /bin/bash

FUZZ_SECONDS ?= 600
FUZZ_SMOKE   ?= 1

.PHONY: all setup configure build build-pgo run test test-cpp test-python test-fuzz bench tsan fuzz lint lint-format lint-tidy lint-python clean

all: build

setup:
	@scripts/setup

configure: setup
	@cmake --preset $(PRESET) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@rm -f $(OUT).partial $(OUT).journal
	$(BUILD)/atcsim run $(SCENARIO) -o $(OUT)
	@echo
	@echo "Output: $(OUT)"
	@echo "Summary: $(BUILD)/atcsim info $(OUT)"
	@echo "Report:  $(BUILD)/atcsim report $(OUT) -o $(basename $(OUT)).html"

# The C++ tests, then the Python tests, then the fuzzing smoke run (test-fuzz;
# FUZZ_SMOKE=0 skips it), one after the other, each on every core: ctest in
# JOBS processes, pytest's files in PYTEST_WORKERS processes (pytest-xdist;
# one file's tests stay in one process, so a module's fixture is built once).
# Side by side they took longer than one after the other on this 2-core VM
# (2 Dec 2026: about 11 minutes side by side in CI, against 1.9 minutes for
# ctest and 5.8 for pytest alone): twice as many busy processes as cores, each
# test's own threads waiting for a core. Every stage runs even when one fails;
# the target fails if any did.
test: build
	@status=0; \
	$(MAKE) --no-print-directory test-cpp || status=1; \
	$(MAKE) --no-print-directory test-python || status=1; \
	if [ "$(FUZZ_SMOKE)" != 0 ]; then $(MAKE) --no-print-directory test-fuzz || status=1; fi; \
	exit $$status

test-cpp:
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# Every test must run (a skip fails: tests/python/conftest.py), since setup installed all they need.
test-python:
	ATCSIM_REQUIRE_ALL_TESTS=1 ATCSIM_BIN=$(CURDIR)/$(BUILD)/atcsim PYTHONPATH=$(CURDIR)/analysis $(PYTHON) -m pytest tests/python -q -rs -n $(PYTEST_WORKERS) --dist loadfile

# A short fuzzing session (10 s per target, 30 s in all) when clang and libFuzzer
# are installed; skipped otherwise (FUZZ_OPTIONAL=1). Part of `make test`; the
# `fuzz` preset is a unity build at -O1 with Ninja, so building it from
# scratch costs about 2.7 CPU-minutes, under 2 minutes on 2 cores
# (docs/hardening.md). ctest also replays the kept findings and seeds
# (tests/fuzz/regressions/) with any compiler.
test-fuzz:
	FUZZ_OPTIONAL=1 JOBS=$(JOBS) scripts/fuzz --seconds 10

fuzz: setup
	JOBS=$(JOBS) scripts/fuzz --seconds $(FUZZ_SECONDS)

tsan: setup
	@scripts/build_tsan_tbb
	@cmake --preset tsan >/dev/null
	@cmake --build build/tsan -j$(JOBS)
	ctest --preset tsan -j$(JOBS)

# The benchmarks measure the profile-guided build (scripts/build_pgo: a
# training run, then a rebuild; it checks that its outputs are bit-identical
# to $(BUILD)'s). BENCH_BUILD=build/release measures the plain build.
BENCH_BUILD ?= build/release-pgo

build-pgo: build
	@scripts/build_pgo $(JOBS)

bench: $(if $(filter build/release-pgo,$(BENCH_BUILD)),build-pgo,build)
	@$(PYTHON) scripts/bench_results.py $(BENCH_BUILD) --script bench/bench_report.py --script bench/bench_calibrate_batch.py --script bench/bench_instructions.py

lint: lint-format lint-python lint-tidy

lint-format:
	@echo "lint: clang-format"
	@find $(CXX_DIRS) -name '*.cpp' -o -name '*.hpp' | sort | xargs $(CLANG_FORMAT) --dry-run -Werror
	@echo "lint: black"
	@black --check --quiet $(PY_DIRS)

lint-python:
	@echo "lint: flake8"
	@$(PYTHON) -m flake8 $(PY_DIRS)

# clang-tidy reads the project's own sources in unity batches of 8 files (a
# CMake unity configuration of the same preset in $(TIDY_DB), not built):
# each check walks every declaration of a translation unit, system headers
# included, so linting 8 files at once walks the headers once instead of 8
# times (the whole lint: about 8.5 minutes of a 2-core machine one file at a
# time, 2.3 in batches; docs/hardening.md). So, as for the fuzz preset, the
# helpers of two .cpp files of one target need distinct names. The lines that
# include the sources are marked as intended (bugprone-suspicious-include),
# and the tests' precompiled-header include is dropped: clang would find
# GCC's .gch beside it and fail on it ("not a PCH file"); each test file
# includes catch.hpp itself. So is the tests' GCC-only -Wno-stringop-overflow. Findings in the batched files are reported at
# their own file and line (the header filter of .clang-tidy).
TIDY_DB := $(BUILD)/tidy-unity
lint-tidy: setup
	@echo "lint: clang-tidy ($(JOBS) jobs)"
	@cmake --preset $(PRESET) -B $(TIDY_DB) -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8 $(CMAKE_ARGS) >/dev/null
	@sed -i -E 's# -Winvalid-pch -include [^ ]*/cmake_pch\.hxx##; s# -Wno-stringop-overflow##' $(TIDY_DB)/compile_commands.json
	@# (Idempotent: a marked line no longer ends with the quote.)
	@find $(TIDY_DB) -path '*/Unity/unity_*.cxx' -exec sed -i -E \
	  's|^(#include ".*\.cpp")$$|\1  // NOLINT(bugprone-suspicious-include): a unity batch of make lint-tidy|' {} +
	@# The grep drops run-clang-tidy's echo of each command and clang's count of
	@# the warnings it suppressed in system headers, leaving only findings.
	@set -o pipefail; $(RUN_CLANG_TIDY) -clang-tidy-binary $(CLANG_TIDY) -p $(TIDY_DB) -j $(JOBS) -quiet \
	  '^$(CURDIR)/(sim|models|tests|bench)/|^$(CURDIR)/$(TIDY_DB)/.*/Unity/unity_[0-9]+_cxx\.cxx$$' 2>&1 \
	  | { grep -vE '^[^ ]*clang-tidy[^ ]* -p=|^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$$' || true; }

clean:
	rm -rf build out
