#!/usr/bin/python3
"""Instructions and simulated branch mispredictions per resident-step of the territorial model,
counted by valgrind's cachegrind: figures that do not depend on the machine's load or speed.

The VM this project is measured on changes host from one day to the next (an AMD EPYC, an Intel
Xeon: the same binary 30-50 % apart) and its wall-clock figures vary by +-30 % from one run to the
next, so a change worth a few percent cannot be shown by timing. The instructions a step executes,
and the mispredictions of cachegrind's simulated predictor, are the same on any x86-64 host for the
same binary (up to the C library's CPU-specific routines, such as memcpy and the FMA variants of
exp and log): they show from one commit to the next what a change did to the work, though not to
the time (the cost of a cache miss or a misprediction is the host's).

One site of 10,000 residents with the ATC interventions (bench_territorial, 1 thread, indicators
read every week) is run for WEEKS_SHORT and for WEEKS_LONG weeks; the difference divided by the
residents and by the extra weeks is the cost of a resident-step, construction excluded.

Prints `figure | name | value | goal | ratio` lines for scripts/bench_results.py.
Usage: bench/bench_instructions.py [BUILD_DIR] [--residents N --weeks SHORT LONG]
(default build/release, 10,000 residents, 10 and 40 weeks: about ten seconds).
Exit 2 when valgrind or the bench program is missing (scripts/setup, make build), 1 when a run
fails or cachegrind's summary cannot be read: one line on stderr names the cause.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESIDENTS = 10_000
WEEKS_SHORT = 10
WEEKS_LONG = 40

# The lines valgrind writes itself ("==PID== ..." or "--PID-- ..."), not the program's.
VALGRIND_LINE = re.compile(r"^(==|--)\d+(==|--) ?")


class RunError(Exception):
    """A cachegrind run that could not be started, failed, or printed no summary."""


def parse_counts(valgrind_log: str) -> dict[str, int]:
    """The totals of a cachegrind run's summary: instructions ("I refs"), branches and mispredicts."""
    counts = {}
    for key, label in (
        ("instructions", "I   refs"),
        ("branches", "Branches"),
        ("mispredicts", "Mispredicts"),
    ):
        m = re.search(rf"^==\d+== {re.escape(label)}:\s+([\d,]+)", valgrind_log, re.MULTILINE)
        if m is None:
            raise ValueError(f"no '{label}' total in cachegrind's output")
        counts[key] = int(m.group(1).replace(",", ""))
    return counts


def last_message(stderr: str) -> str:
    """The line of a failed run's stderr that most likely says why: the last one the program wrote
    (valgrind's summary follows it), else valgrind's last non-blank line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    own = [line for line in lines if not VALGRIND_LINE.match(line)]
    if own:
        return own[-1]
    lines = [VALGRIND_LINE.sub("", line).strip() for line in lines]
    lines = [line for line in lines if line]
    return lines[-1] if lines else "no message on stderr"


def count(program: Path, residents: int, weeks: int) -> dict[str, int]:
    """cachegrind's totals for `program residents weeks 1` (no cache simulation: it is slow and
    its caches are not the host's). RunError when the run cannot start, fails, or has no summary."""
    cmd = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--branch-sim=yes",
        "--cachegrind-out-file=/dev/null",
        str(program),
        str(residents),
        str(weeks),
        "1",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", cwd=ROOT)
    except OSError as e:
        raise RunError(f"cannot run valgrind: {e.strerror or e}") from e
    if proc.returncode > 0:
        raise RunError(
            f"{shlex.join(cmd)} failed with exit status {proc.returncode}: {last_message(proc.stderr)}"
        )
    if proc.returncode < 0:
        raise RunError(f"{shlex.join(cmd)} was killed by signal {-proc.returncode}")
    try:
        return parse_counts(proc.stderr)
    except ValueError as e:
        raise RunError(f"{shlex.join(cmd)}: {e}") from e


def per_resident_step(short: dict[str, int], long: dict[str, int], residents: int, extra_weeks: int) -> dict:
    """The steps' share of the counts: the difference between two run lengths, per resident-step."""
    if extra_weeks <= 0:
        raise ValueError("the long run must have more weeks than the short one")
    return {key: (long[key] - short[key]) / (residents * extra_weeks) for key in short}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", type=Path, default=ROOT / "build" / "release")
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    parser.add_argument(
        "--weeks", type=int, nargs=2, default=(WEEKS_SHORT, WEEKS_LONG), metavar=("SHORT", "LONG")
    )
    args = parser.parse_args()
    residents, (weeks_short, weeks_long) = args.residents, args.weeks
    if residents <= 0 or not 0 <= weeks_short < weeks_long:
        parser.error("--residents must be positive and --weeks SHORT LONG with 0 <= SHORT < LONG")
    # absolute: the runs' working directory is ROOT, not the caller's
    program = (args.build / "bench" / "bench_territorial").absolute()
    if shutil.which("valgrind") is None:
        print("bench_instructions.py: valgrind is not installed (scripts/setup installs it)", file=sys.stderr)
        return 2
    if not program.exists():
        print(f"bench_instructions.py: {program} not found (make build)", file=sys.stderr)
        return 2
    try:
        short = count(program, residents, weeks_short)
        long = count(program, residents, weeks_long)
    except RunError as e:
        print(f"bench_instructions.py: {e}", file=sys.stderr)
        return 1
    step = per_resident_step(short, long, residents, weeks_long - weeks_short)
    print(
        f"cachegrind, bench_territorial {residents} residents, 1 thread: {weeks_short} weeks "
        f"{short['instructions']:,} instructions, {weeks_long} weeks {long['instructions']:,}; "
        f"per resident-step (weeks {weeks_short + 1}-{weeks_long}): {step['instructions']:.1f} instructions, "
        f"{step['branches']:.1f} branches, {step['mispredicts']:.2f} simulated mispredictions"
    )
    name = f"territorial, {residents:,} residents, per resident-step (cachegrind, host-independent)"
    print(f"figure | {name}: instructions | {step['instructions']:.4g} instructions | - | -")
    print(
        f"figure | {name}: simulated branch mispredictions | {step['mispredicts']:.4g} mispredictions | - | -"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
