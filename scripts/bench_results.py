#!/usr/bin/python3
"""Run every benchmark program and write their figures to bench/results.md.

    bench_results.py BUILD_DIR [-o bench/results.md] [--script PATH]...

Runs BUILD_DIR/bench/bench_* in name order, then each --script (e.g.
bench/bench_report.py) with BUILD_DIR as its argument, echoing their output, and collects
the lines they print as

    figure | NAME | VALUE UNIT | goal <= GOAL UNIT | ratio R (met)

(bench/bench_util.hpp, bench::figure) into a table, with the machine, the
commit, the date and the load average before and after, so that progress
is visible from one commit to the next. The full output of each program
follows the table. Exit status: that of the first program that fails (the
file is not written then); goals not met are reported, not errors.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    name: str
    value: str
    goal: str
    ratio: str


@dataclass
class BenchRun:
    program: str
    seconds: float
    output: str
    figures: list[Figure] = field(default_factory=list)


def parse_figures(output: str) -> list[Figure]:
    figures = []
    for line in output.splitlines():
        if not line.startswith("figure |"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 5:
            raise ValueError(f"malformed figure line: {line!r}")
        _, name, value, goal, ratio = parts
        figures.append(Figure(name, value, goal, ratio))
    return figures


def run_bench(path: Path, *args: str) -> BenchRun:
    print(f"== {path}", flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(
        [str(path), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    code = proc.wait()
    if code != 0:
        raise subprocess.CalledProcessError(code, str(path))
    output = "".join(lines)
    return BenchRun(path.name, time.monotonic() - start, output, parse_figures(output))


def read_first(path: str, pattern: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(pattern, line)
                if m:
                    return m.group(1).strip()
    except OSError:
        pass
    return "unknown"


def compiler(build: Path) -> str:
    for cmake in sorted(build.glob("CMakeFiles/*/CMakeCXXCompiler.cmake")):
        text = cmake.read_text(encoding="utf-8")
        ident = re.search(r'set\(CMAKE_CXX_COMPILER_ID "([^"]*)"\)', text)
        version = re.search(r'set\(CMAKE_CXX_COMPILER_VERSION "([^"]*)"\)', text)
        if ident and version:
            return f"{ident.group(1)} {version.group(1)}"
    return "unknown"


def build_type(build: Path) -> str:
    cache = str(build / "CMakeCache.txt")
    kind = read_first(cache, r"CMAKE_BUILD_TYPE:STRING=(.*)")
    pgo = read_first(cache, r"ATCSIM_PGO:STRING=(.*)")
    return f"{kind}, profile-guided (scripts/build_pgo)" if pgo == "use" else kind


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def commit() -> str:
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [
        line for line in git("status", "--porcelain").splitlines() if not line.endswith("bench/results.md")
    ]
    return head + (" + uncommitted changes" if changed else "")


def machine() -> dict[str, str]:
    mem_kib = read_first("/proc/meminfo", r"MemTotal:\s*(\d+)")
    memory = f"{int(mem_kib) / 2**20:.1f} GiB" if mem_kib.isdigit() else "unknown"
    return {
        "CPU": read_first("/proc/cpuinfo", r"model name\s*:\s*(.*)"),
        "hardware threads": str(os.cpu_count()),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
    }


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def render(runs: list[BenchRun], info: dict[str, str]) -> str:
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (scripts/bench_results.py); do not edit by hand. Each",
        "figure comes from a `bench/*.cpp` program; the ratio is value / goal for a",
        "lower bound and goal / value for an upper bound, so >= 1 means the goal is met.",
        "Wall-clock figures depend on the load of the (shared) machine: see the load average.",
        "",
        "| | |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out += [
        "",
        "| benchmark | figure | value | goal | ratio |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        for f in run.figures:
            out.append(f"| {run.program} | {f.name} | {f.value} | {f.goal} | {f.ratio} |")
    out += ["", "## Output of each program", ""]
    for run in runs:
        out += [f"### {run.program} ({run.seconds:.1f} s)", "", "```", run.output.rstrip("\n"), "```", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path, help="build directory (e.g. build/release)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument(
        "--script", type=Path, action="append", default=[], help="a benchmark script run after the programs"
    )
    args = parser.parse_args(argv)
    programs = sorted(
        p for p in (args.build / "bench").glob("bench_*") if p.is_file() and os.access(p, os.X_OK)
    )
    if not programs and not args.script:
        print(f"bench_results.py: no bench_* program in {args.build / 'bench'}", file=sys.stderr)
        return 2
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
    }
    info.update(machine())
    info["compiler, build type"] = f"{compiler(args.build)}, {build_type(args.build)}"
    load_before = load()
    runs = []
    try:
        for program in programs:
            runs.append(run_bench(program))
        # The scripts measure the same build's atcsim.
        for program in args.script:
            runs.append(run_bench(program, str(args.build)))
    except subprocess.CalledProcessError as e:
        print(f"bench_results.py: {e.cmd} failed with exit status {e.returncode}", file=sys.stderr)
        return e.returncode if e.returncode > 0 else 1
    except ValueError as e:
        print(f"bench_results.py: {program}: {e}", file=sys.stderr)
        return 1
    info["load average (1/5/15 min), before / after"] = f"{load_before}; {load()}"
    args.output.write_text(render(runs, info) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
