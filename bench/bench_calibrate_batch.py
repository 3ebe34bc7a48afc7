#!/usr/bin/python3
"""Calibration through the engine: a batch of points as one `[sweep] method = "points"` run versus
one engine run per point (issue 13). Granovetter's threshold model (1,000 people, 20 steps), the
model of scenarios/calibration/granovetter.toml, whose runs take milliseconds: what is measured is
the per-run overhead that batching removes (process start, config loading, file creation, reading
each output back), which is what dominates a calibration of a cheap model.

Prints `figure | name | value | goal | ratio` lines for scripts/bench_results.py.
Usage: bench/bench_calibrate_batch.py [BUILD_DIR] (default build/release). About a minute.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "analysis"))

from atcsim.calibration import load_targets  # noqa: E402
from atcsim.calibration import run as calibration_run  # noqa: E402
from atcsim.calibration import simulators  # noqa: E402
from atcsim.calibration.parameters import Parameter, ParameterSpace  # noqa: E402

CAL = ROOT / "scenarios" / "calibration"
REPEATS = 3
POINTS = 48
REPLICATES = 4


def figure(name: str, value: float, unit: str) -> None:
    print(f"figure | {name} | {value:.4g} {unit} | - | -")


def simulator(engine: Path, workdir: Path, batch: bool) -> simulators.EngineSimulator:
    ts = load_targets(CAL / "granovetter_targets.toml")
    space = ParameterSpace([Parameter("model.mean", 0.2, 0.45), Parameter("model.sd", 0.1, 0.4)])
    return simulators.EngineSimulator(
        CAL / "granovetter_experiment.toml",
        space,
        ts.targets,
        {k: v.model_variable for k, v in ts.indicators.items()},
        replicates=REPLICATES,
        workdir=workdir,
        engine=str(engine),
        quiet=True,
        batch=batch,
    )


def time_batch(engine: Path, batch: bool) -> tuple[float, np.ndarray]:
    rng = np.random.default_rng(1)
    values = np.column_stack([rng.uniform(0.2, 0.45, POINTS), rng.uniform(0.1, 0.4, POINTS)])
    seeds = rng.integers(1, 2**31, POINTS).astype(np.uint64)
    with tempfile.TemporaryDirectory() as tmp:
        sim = simulator(engine, Path(tmp), batch)
        start = time.perf_counter()
        out = sim.simulate(values, seeds)
        return time.perf_counter() - start, out


def time_calibrate(engine: Path, batch: bool) -> tuple[float, int]:
    original = simulators.EngineSimulator.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.batch = batch

    simulators.EngineSimulator.__init__ = init
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = calibration_run.calibrate(
                CAL / "granovetter.toml", output=Path(tmp) / "g.nc", engine=str(engine), quiet=True
            )
            return time.perf_counter() - start, int(result.result.simulations)
    finally:
        simulators.EngineSimulator.__init__ = original


def main() -> None:
    build = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "release"
    engine = build / "atcsim"
    if not engine.is_file():
        sys.exit(f"{engine}: not built")
    per_point, batched = [], []
    for _ in range(REPEATS):  # interleaved, so that the machine's load affects both alike
        t1, a = time_batch(engine, False)
        t2, b = time_batch(engine, True)
        assert np.array_equal(a, b), "a batch must give the same statistics as one run per point"
        per_point.append(t1)
        batched.append(t2)
    p, b = statistics.median(per_point), statistics.median(batched)
    figure(f"{POINTS} points x {REPLICATES} replicates, one engine run per point (median)", p, "s")
    figure(f"{POINTS} points x {REPLICATES} replicates, one points sweep (median)", b, "s")
    figure("batch speed-up", p / b, "x")
    old, new = [], []
    for _ in range(REPEATS):
        t1, n = time_calibrate(engine, False)
        t2, _ = time_calibrate(engine, True)
        old.append(t1)
        new.append(t2)
    figure(
        f"calibrate granovetter.toml ({n} simulations), one run per point (median)",
        statistics.median(old),
        "s",
    )
    figure("calibrate granovetter.toml, one points sweep per batch (median)", statistics.median(new), "s")
    figure("calibrate speed-up", statistics.median(old) / statistics.median(new), "x")
    shutil.rmtree(ROOT / "out" / "calibration" / "granovetter.work", ignore_errors=True)


if __name__ == "__main__":
    main()
