"""scripts/bench_results.py runs every bench_* program of a build directory and
collects their `figure | ...` lines into a markdown table (bench/results.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bench_results.py"


def fake_bench(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)


def run(build: Path, output: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(build), "-o", str(output)], capture_output=True, text=True
    )


def test_figures_of_every_program_are_tabulated_in_name_order(tmp_path):
    bench = tmp_path / "build" / "bench"
    bench.mkdir(parents=True)
    fake_bench(
        bench,
        "bench_b",
        "echo 'some table'\n"
        "echo 'figure | speed | 2.5e+07 resident-steps/s | goal >= 2e+07 resident-steps/s "
        "| ratio 1.25 (met)'\n",
    )
    fake_bench(bench, "bench_a", "echo 'figure | time | 0.2 s | goal <= 0.17 s | ratio 0.85 (not met)'\n")
    fake_bench(bench, "bench_c", "echo 'no figure here'\n")
    (bench / "notes.txt").write_text("not a program", encoding="utf-8")
    out = tmp_path / "results.md"
    result = run(tmp_path / "build", out)
    assert result.returncode == 0, result.stderr
    assert "some table" in result.stdout  # the programs' output is echoed
    text = out.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| bench_")]
    assert rows == [
        "| bench_a | time | 0.2 s | goal <= 0.17 s | ratio 0.85 (not met) |",
        "| bench_b | speed | 2.5e+07 resident-steps/s | goal >= 2e+07 resident-steps/s | ratio 1.25 (met) |",
    ]
    for key in ("| date |", "| commit |", "| CPU |", "| load average"):
        assert key in text
    assert "### bench_c" in text and "no figure here" in text  # every program's output is kept


def test_a_failing_program_fails_the_run_and_writes_nothing(tmp_path):
    bench = tmp_path / "build" / "bench"
    bench.mkdir(parents=True)
    fake_bench(bench, "bench_a", "echo 'figure | time | 1 s | - | -'\nexit 3\n")
    out = tmp_path / "results.md"
    result = run(tmp_path / "build", out)
    assert result.returncode == 3
    assert "bench_a" in result.stderr
    assert not out.exists()


def test_a_malformed_figure_line_is_an_error(tmp_path):
    bench = tmp_path / "build" / "bench"
    bench.mkdir(parents=True)
    fake_bench(bench, "bench_a", "echo 'figure | time | 1 s'\n")
    result = run(tmp_path / "build", tmp_path / "results.md")
    assert result.returncode != 0
    assert "malformed figure line" in result.stderr


def test_scripts_measure_the_same_build_and_a_profile_guided_build_is_named(tmp_path):
    build = tmp_path / "build"
    (build / "bench").mkdir(parents=True)
    (build / "CMakeCache.txt").write_text(
        "CMAKE_BUILD_TYPE:STRING=Release\nATCSIM_PGO:STRING=use\n", encoding="utf-8"
    )
    script = tmp_path / "bench_script.py"
    script.write_text(
        '#!/bin/sh\necho "figure | built in | $1 | - | -"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    out = tmp_path / "results.md"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(build), "-o", str(out), "--script", str(script)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert f"| bench_script.py | built in | {build} | - | - |" in text
    assert "Release, profile-guided (scripts/build_pgo) |" in text


def test_a_plain_build_is_not_called_profile_guided(tmp_path):
    build = tmp_path / "build"
    bench = build / "bench"
    bench.mkdir(parents=True)
    (build / "CMakeCache.txt").write_text(
        "CMAKE_BUILD_TYPE:STRING=Release\nATCSIM_PGO:STRING=\n", encoding="utf-8"
    )
    fake_bench(bench, "bench_a", "echo 'figure | time | 1 s | - | -'\n")
    out = tmp_path / "results.md"
    result = run(build, out)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "profile-guided" not in text
    assert ", Release |" in text
