"""bench/bench_instructions.py: the territorial step's instructions and simulated branch
mispredictions per resident-step, from two cachegrind runs of bench_territorial."""

from __future__ import annotations

import importlib.util
import os
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


def run_with_fake_valgrind(tmp_path, script):
    """The script run on a stand-in bench_territorial (never executed) with `script`, a shell
    script, as valgrind: alone on PATH, so that the real one cannot stand in for it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    valgrind = bin_dir / "valgrind"
    valgrind.write_text(script)
    valgrind.chmod(0o755)
    build = tmp_path / "build"
    (build / "bench").mkdir(parents=True)
    (build / "bench" / "bench_territorial").touch(mode=0o755)
    env = dict(os.environ, PATH=str(bin_dir))
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(build), "--residents", "10", "--weeks", "1", "2"],
        capture_output=True,
        text=True,
        env=env,
    )


def test_without_valgrind_on_the_path_it_exits_2_with_one_line_naming_it(tmp_path):
    (tmp_path / "build" / "bench").mkdir(parents=True)
    (tmp_path / "build" / "bench" / "bench_territorial").touch(mode=0o755)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "build")],
        capture_output=True,
        text=True,
        env=dict(os.environ, PATH=str(tmp_path / "no-valgrind-here")),
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "valgrind is not installed" in result.stderr and "scripts/setup" in result.stderr


def test_a_failing_run_exits_1_with_one_line_giving_its_status_and_message(tmp_path):
    # valgrind exits with the program's status; its own summary follows the program's message.
    result = run_with_fake_valgrind(
        tmp_path,
        "#!/bin/sh\n"
        "echo '==77== Command: bench_territorial 10 1 1' >&2\n"
        "echo 'bench_territorial: no memory for 10 residents' >&2\n"
        "echo '==77== I   refs:      1,000' >&2\n"
        "exit 3\n",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("bench_instructions.py: valgrind --tool=cachegrind ")
    assert "failed with exit status 3: bench_territorial: no memory for 10 residents" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "script, cause",
    [
        ("#!/bin/sh\necho 'valgrind: Unknown option: --branch-sim=yes' >&2\nexit 1\n", "Unknown option"),
        ("#!/bin/sh\nkill -9 $$\n", "killed by signal 9"),
        (
            "#!/bin/sh\necho '==77== Cachegrind, a cache and branch-prediction profiler' >&2\n",
            "no 'I   refs'",
        ),
        ("not a program\n", "cannot run valgrind: Exec format error"),
    ],
    ids=["valgrind's own error", "killed", "no summary", "not executable"],
)
def test_any_other_run_failure_exits_1_with_one_line_naming_the_cause(tmp_path, script, cause):
    result = run_with_fake_valgrind(tmp_path, script)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("bench_instructions.py: ")
    assert cause in result.stderr
