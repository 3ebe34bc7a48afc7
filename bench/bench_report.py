#!/usr/bin/python3
"""Time and size of `python3 -m atcsim report` on an atc15-shaped file (issue 14: < 10 s, < 3 MB).

The file has the shape of `make run`'s output (4 scenarios x 20 replicates x 15 sites x 226 weekly
steps) at population_scale 0.02: the report's work depends on that shape, not on the population.
Prints `figure | name | value | goal | ratio` lines for scripts/bench_results.py.
Usage: bench/bench_report.py [BUILD_DIR] (default build/release). Takes about a minute.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 10.0
GOAL_BYTES = 3_000_000
REPEATS = 3


def figure(name: str, value: float, unit: str, goal: float | None = None) -> None:
    if goal is None:
        print(f"figure | {name} | {value:.4g} {unit} | - | -")
        return
    ratio = goal / value
    state = "met" if ratio >= 1 else "not met"
    print(f"figure | {name} | {value:.4g} {unit} | goal <= {goal:g} {unit} | ratio {ratio:.2f} ({state})")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> int:
    build = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "release"
    binary = build / "atcsim"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "analysis"))
    with tempfile.TemporaryDirectory() as tmp:
        h5 = Path(tmp) / "atc15.h5"
        subprocess.run(
            [str(binary), "run", str(ROOT / "scenarios" / "atc15.toml"), "-o", str(h5), "--quiet"]
            + ["--set", "model.population_scale=0.02"],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        walls, cpus = [], []
        html = Path(tmp) / "report.html"
        for _ in range(REPEATS):
            cpu0, t0 = children_cpu(), time.monotonic()
            subprocess.run(
                ["/usr/bin/python3", "-m", "atcsim", "report", str(h5), "-o", str(html)],
                check=True,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            walls.append(time.monotonic() - t0)
            cpus.append(children_cpu() - cpu0)
        print(f"file {h5.stat().st_size / 1e6:.1f} MB; load average {os.getloadavg()}")
        figure(
            "report of atc15 (20 replicates), wall (median of 3)", statistics.median(walls), "s", GOAL_SECONDS
        )
        figure(
            "report of atc15 (20 replicates), CPU of all processes (median of 3)",
            statistics.median(cpus),
            "s",
        )
        figure(
            "report of atc15 (20 replicates), HTML size", html.stat().st_size / 1e6, "MB", GOAL_BYTES / 1e6
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
