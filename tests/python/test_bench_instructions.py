"""bench/bench_instructions.py: the territorial step's instructions and simulated branch
mispredictions per resident-step, from two cachegrind runs of bench_territorial."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "bench_instructions.py"
PROGRAM = ROOT / "build" / "release" / "bench" / "bench_territorial"

spec = importlib.util.spec_from_file_location("bench_instructions", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

# The summary cachegrind prints with --cache-sim=no --branch-sim=yes (valgrind 3.19).
LOG = """==28016== Cachegrind, a cache and branch-prediction profiler
==28016== Command: build/release/bench/bench_territorial 2000 4 1
==28016==
==28016== I   refs:      59,310,456
==28016==
==28016== Branches:       8,762,239  (8,430,368 cond + 331,871 ind)
==28016== Mispredicts:      356,472  (  342,980 cond +  13,492 ind)
==28016== Mispred rate:         4.1% (      4.1%     +     4.1%   )
"""


def test_the_totals_are_read_from_cachegrinds_summary():
    assert bench.parse_counts(LOG) == {
        "instructions": 59_310_456,
        "branches": 8_762_239,
        "mispredicts": 356_472,
    }


def test_a_summary_without_a_total_is_an_error():
    with pytest.raises(ValueError, match="Mispredicts"):
        bench.parse_counts(LOG.replace("Mispredicts", "Mispredictions"))


def test_the_steps_cost_is_the_difference_per_resident_and_extra_week():
    short = {"instructions": 1_000_000, "branches": 100_000, "mispredicts": 5_000}
    long = {"instructions": 7_000_000, "branches": 400_000, "mispredicts": 11_000}
    step = bench.per_resident_step(short, long, residents=1000, extra_weeks=3)
    assert step == {"instructions": 2000.0, "branches": 100.0, "mispredicts": 2.0}
    with pytest.raises(ValueError):
        bench.per_resident_step(long, short, residents=1000, extra_weeks=0)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed (scripts/setup)")
@pytest.mark.skipif(not PROGRAM.exists(), reason="bench_territorial is not built (make build)")
def test_a_small_run_gives_plausible_figures_for_bench_results():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(PROGRAM.parent.parent), "--residents", "1000", "--weeks", "2", "4"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    figures = [line.split("|") for line in result.stdout.splitlines() if line.startswith("figure |")]
    assert len(figures) == 2
    values = {f[1].strip().rsplit(": ", 1)[1]: float(f[2].split()[0]) for f in figures}
    # A resident-step is hundreds of instructions (766 at 10^4 residents in November 2026) and a
    # few mispredictions: a run that counted construction, or the wrong run length, is far off.
    assert 200 < values["instructions"] < 5000
    assert 0.5 < values["simulated branch mispredictions"] < 50


def test_bad_arguments_exit_2_without_running(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path), "--weeks", "4", "2"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "--weeks" in result.stderr
    missing = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert missing.returncode == 2
    assert "not found" in missing.stderr or "valgrind" in missing.stderr
