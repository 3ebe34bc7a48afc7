# Thin wrapper over scripts/setup, CMake presets, ctest and pytest.
#   make run    install what is missing, build, run the default experiment
#   make test   install what is missing, build, run every test
#   make bench  build and run the benchmarks, write bench/results.md
PRESET   ?= release
BUILD    := build/$(PRESET)
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON   := /usr/bin/python3
SCENARIO ?= scenarios/atc15.toml
OUT      ?= out/$(basename $(notdir $(SCENARIO))).h5

.PHONY: all setup configure build run test test-cpp test-python bench clean

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
	@$(MAKE) --no-print-directory test-cpp test-python

test-cpp:
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-python:
	ATCSIM_BIN=$(CURDIR)/$(BUILD)/atcsim PYTHONPATH=$(CURDIR)/analysis $(PYTHON) -m pytest tests/python -q

bench: build
	@$(PYTHON) scripts/bench_results.py $(BUILD)

clean:
	rm -rf build out
