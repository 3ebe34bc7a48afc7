"""``python3 -m atcsim calibrate CONFIG.toml``: run a calibration end to end.

Reads the config and the targets, builds the simulator (the engine or the
synthetic toy), runs the method, simulates posterior draws for the
predictive check when the method has none of its own, writes the posterior
file and prints the credible intervals and the predictive check.

Simulations are cached in the work directory (``calibration.workdir``,
default ``OUTPUT.work/``), keyed by their content. The methods are
deterministic given the seed, so an interrupted calibration continues with
``--resume``: it replays the cached batches and simulates only what is
missing. Without ``--resume`` an existing work directory is an error (as
the engine treats ``OUT.h5.journal``); it is deleted after a successful run
unless ``keep_work``.

Bad input is an error before anything is written: the output path is checked
first (as ``export`` and ``report`` check theirs), and when the engine rejects
what it is given (a parameter key or range, a ``simulator.set`` assignment,
the experiment), the error names the line of the calibration config at fault,
not the files generated in the work directory, and what the run created there
is removed (unless ``keep_work``). A failed or interrupted engine run keeps it,
for ``--resume``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .._outputs import check_output, output_problem
from ..errors import AtcsimError
from .abc import abc_smc
from .config import CalibrationConfig, load_config
from .history import emulator_posterior, history_match
from .posterior import (
    CalibrationResult,
    credible_intervals,
    predictive_check,
    resample,
    to_dataset,
    write_posterior,
)
from .problem import Problem
from .simulators import CachedSimulator, EngineError, EngineSimulator
from .synthetic import ToySimulator
from .targets import TargetSet, load_targets
from .tomlfile import ConfigFileError

__all__ = ["calibrate", "CalibrationRun", "WorkDirectoryError"]


def _recorded_path(path: Path) -> str:
    """A path as the posterior file records it: relative to the working
    directory when it lies below it (``scenarios/calibration/targets.toml``, as
    the user typed it from the repository), so that the file shows no one's
    home folder; absolute otherwise."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


class WorkDirectoryError(AtcsimError):
    """The work directory of an earlier, unfinished calibration exists (use --resume)."""


def _check_output(cfg: CalibrationConfig, option: bool) -> None:
    """Refuse an output the posterior cannot be written to (a directory, FIFO, device or
    socket, one of the inputs, an unwritable folder) before anything runs: after ``-o`` as
    ``export`` and ``report`` do, else at ``calibration.output`` in the config."""
    inputs = tuple(p for p in (cfg.path, cfg.targets, cfg.model_config) if p is not None)
    if option:
        check_output(cfg.output, suffix=".partial", inputs=inputs, create_folders=True)
        return
    why = output_problem(cfg.output, suffix=".partial", inputs=inputs, create_folders=True)
    if why:
        raise cfg.document.error(("calibration", "output"), f"cannot write '{cfg.output}': {why}", value=True)


class _Created:
    """What a calibration adds in and above its work directory, to be removed when
    its input is refused (a config error writes nothing)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        absolute = Path(os.path.abspath(workdir))
        self.first_new: Path | None = None  # the outermost folder the run will create
        for folder in (absolute, *absolute.parents):
            if folder.exists() or folder.is_symlink():
                break
            self.first_new = folder
        self.before = set(self._contents()) if self.first_new is None else set()

    def _contents(self) -> list[str]:
        found = []
        for root, dirs, files in os.walk(self.workdir):  # symbolic links are not followed
            found += [os.path.join(root, name) for name in (*dirs, *files)]
        return found

    def remove(self) -> None:
        if self.first_new is not None:
            shutil.rmtree(self.first_new, ignore_errors=True)
            return
        for path in sorted(set(self._contents()) - self.before, key=len, reverse=True):  # children first
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
            except FileNotFoundError:
                pass


def _rejected(cfg: CalibrationConfig, targets: TargetSet, exc: EngineError) -> ConfigFileError:
    """The engine's rejection at the calibration config's line: the parameter (its
    ``min`` or ``max`` when the engine names that value), the ``simulator.set``
    assignment, else the experiment (``simulator.config``); or, for a model
    variable the model does not have, at the targets file's line."""
    if exc.variable is not None:
        for name, ind in targets.indicators.items():
            if ind.model_variable == exc.variable:
                return targets.error(
                    ("indicators", name, "model_variable"),
                    f"not a variable of the experiment's model: {exc.detail}",
                    value=True,
                )
    doc = cfg.document
    if exc.override is not None:
        return doc.error(
            ("simulator", "set", exc.override), f"the engine rejects it: {exc.detail}", value=True
        )
    if exc.parameter is not None and exc.parameter in cfg.space.keys:
        path: tuple = ("parameters", exc.parameter)
        value = re.match(r"value (\S+) is outside", exc.detail)
        p = cfg.space.parameters[cfg.space.keys.index(exc.parameter)]
        try:
            bound = float(value[1]) if value else None
        except ValueError:
            bound = None
        if bound is not None and bound in (p.min, p.max):
            return doc.error(
                (*path, "min" if bound == p.min else "max"),
                f"the engine rejects this parameter: {exc.detail}",
                value=True,
            )
        return doc.error(path, f"the engine rejects this parameter: {exc.detail}")
    return doc.error(("simulator", "config"), f"the engine rejects the experiment: {exc.detail}", value=True)


@dataclass
class CalibrationRun:
    config: CalibrationConfig
    targets: TargetSet
    result: CalibrationResult
    output: Path
    intervals: pd.DataFrame
    predictive: pd.DataFrame


def _build_simulator(cfg: CalibrationConfig, targets: TargetSet, quiet: bool, engine: str | None):
    variables = {name: ind.model_variable for name, ind in targets.indicators.items()}
    if cfg.simulator == "toy":
        targets.check_mapped(("participation", "retention", "startup"), what="the toy")
        sim = ToySimulator(
            [variables[t.statistic.indicator] for t in targets.targets],
            replicates=cfg.replicates,
            parameter_keys=cfg.space.keys,
        )
        identity = "toy"
    else:
        targets.check_mapped()
        sim = EngineSimulator(
            cfg.model_config,
            cfg.space,
            targets.targets,
            variables,
            replicates=cfg.replicates,
            workdir=cfg.workdir / "engine",
            engine=engine or cfg.engine or None,
            mpi_ranks=cfg.mpi_ranks,
            overrides=cfg.overrides,
            quiet=quiet,
        )
        identity = f"engine {sim.engine} {cfg.model_config.read_bytes()!r} {cfg.overrides} {cfg.mpi_ranks}"
    h = hashlib.sha256()
    h.update(identity.encode())
    h.update(targets.path.read_bytes() if targets.path.is_file() else b"")
    h.update(repr((cfg.space.keys, [(p.min, p.max, p.scale) for p in cfg.space], cfg.replicates)).encode())
    return sim, CachedSimulator(sim, cfg.workdir / "cache", h.hexdigest())


def calibrate(
    config: str | Path,
    *,
    resume: bool = False,
    quiet: bool = False,
    output: str | Path | None = None,
    engine: str | None = None,
    seed: int | None = None,
    targets: str | Path | None = None,
    keep_work: bool = False,
    log: Callable[[str], None] | None = None,
) -> CalibrationRun:
    """Run the calibration described by ``config`` and write its posterior file.

    Raises
    ------
    FileNotFoundError, ConfigFileError, WorkDirectoryError, EngineError, StatisticError
        Bad input (exit code 2 on the command line).
    RuntimeError
        The engine failed.
    """
    say = log or (lambda msg: None if quiet else print(f"calibrate: {msg}", file=sys.stderr, flush=True))
    cfg = load_config(config)
    if output is not None:
        cfg.output = Path(output)
        cfg.workdir = cfg.output.with_name(cfg.output.stem + ".work")
    if seed is not None:
        cfg.seed = int(seed)
    if targets is not None:
        if not Path(targets).is_file():
            raise FileNotFoundError(f"--targets: file not found: {targets}")
        cfg.targets = Path(targets).resolve()
    _check_output(cfg, option=output is not None)
    targets = load_targets(cfg.targets)
    if (cfg.workdir.exists() or cfg.workdir.is_symlink()) and not cfg.workdir.is_dir():
        raise WorkDirectoryError(
            f"{cfg.workdir}: the work directory's name is taken by a file that is not one"
        )
    if cfg.workdir.exists() and any(cfg.workdir.iterdir()) and not resume:
        raise WorkDirectoryError(
            f"{cfg.workdir} holds the simulations of an unfinished calibration: continue it with --resume, "
            "or delete the directory to start again"
        )
    created = _Created(cfg.workdir)
    try:
        return _calibrate(cfg, targets, quiet=quiet, engine=engine, keep_work=keep_work, say=say)
    except EngineError as exc:  # the engine refused its input: nothing is left behind
        if not keep_work:
            created.remove()
        if cfg.document is not None:
            raise _rejected(cfg, targets, exc) from None
        raise


def _calibrate(
    cfg: CalibrationConfig,
    targets: TargetSet,
    *,
    quiet: bool,
    engine: str | None,
    keep_work: bool,
    say: Callable[[str], None],
) -> CalibrationRun:
    start = time.monotonic()
    inner, sim = _build_simulator(cfg, targets, quiet, engine)
    problem = Problem(cfg.space, targets.targets)
    budget = cfg.max_simulations
    say(
        f"{cfg.method} on {len(cfg.space)} parameter(s), {len(problem.calibration)} calibration and "
        f"{len(targets.validation)} validation target(s), {cfg.replicates} replicate(s) per point"
        + (f", at most {budget} simulations" if budget else "")
    )
    hm = abc = None
    notes: list[str] = []
    used = 0
    predicted = predicted_w = None
    if cfg.method in ("history-matching", "hm+abc"):
        first = None
        if cfg.simulator == "engine" and cfg.first_design == "sweep":

            def first(points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
                return inner.run_design("lhs", points, seed)

        hs = cfg.history
        hm = history_match(
            problem,
            sim,
            waves=hs.waves,
            points_per_wave=hs.points_per_wave,
            cutoff=hs.cutoff,
            implausibility_rule=hs.implausibility,
            nroy_samples=hs.nroy_samples,
            max_simulations=budget,
            seed=cfg.seed,
            first_design=first,
            log=say,
        )
        used += hm.simulations
        notes += hm.notes
        say(f"history matching: {hm.stop_reason}")
        if len(hm.nroy) == 0:
            raise RuntimeError(f"history matching found no non-implausible point: {hm.stop_reason}")
    if cfg.method in ("abc-smc", "hm+abc"):
        a = cfg.abc
        if budget is not None and budget - used < a.population:
            raise cfg.document.error(
                ("calibration", "max_simulations"),
                f"expected enough simulations for ABC-SMC's first population ({a.population}) after "
                f"{used} spent by history matching, got {budget}",
                value=True,
            )
        initial = region = None
        if hm is not None:
            region = hm.region()
            initial = hm.nroy[: a.population]
            if len(initial) < a.population:
                notes.append(
                    f"the non-implausible sample has {len(initial)} points: ABC-SMC starts from those"
                )
        problem_abc = Problem(cfg.space, targets.targets, region=region)
        abc = abc_smc(
            problem_abc,
            sim,
            population=a.population,
            kernel=a.kernel,
            transition=a.transition,
            ess_fraction=a.ess_fraction,
            final_tolerance=a.final_tolerance,
            max_generations=a.max_generations,
            min_acceptance=a.min_acceptance,
            max_simulations=None if budget is None else max(budget - used, 0),
            max_batch=a.max_batch,
            seed=cfg.seed + 1,
            initial=initial,
            log=say,
        )
        used += abc.simulations
        notes += abc.notes
        say(f"ABC-SMC: {abc.stop_reason}")
        u, w = abc.final.u, abc.final.weights
        predicted, predicted_w = abc.final.stats, abc.final.weights
        stop = abc.stop_reason if hm is None else f"{hm.stop_reason}; {abc.stop_reason}"
    else:
        u, w = emulator_posterior(hm, problem)
        stop = hm.stop_reason
        n_draws = cfg.history.predictive_draws
        if budget is not None:
            n_draws = min(n_draws, max(budget - used, 0))
        if n_draws > 0:
            rng = np.random.Generator(np.random.PCG64(cfg.seed + 2))
            idx = resample(w, n_draws, rng)
            seeds = rng.integers(1, 2**62, size=n_draws, dtype=np.int64).astype(np.uint64)
            say(f"simulating {n_draws} posterior draws for the predictive check")
            predicted = problem.aggregate(sim.simulate(cfg.space.from_unit(u[idx]), seeds))
            predicted_w = np.ones(n_draws)
            used += n_draws
        else:
            predicted = np.full((1, len(targets.targets)), np.nan)
            predicted_w = np.ones(1)
            notes.append("no simulation left for the predictive check")
        notes.append(
            "posterior from the last wave's emulators (normal likelihood with the emulator's, the model's "
            "and the observations' variances), not from simulations"
        )
    result = CalibrationResult(
        method=cfg.method,
        space=cfg.space,
        targets=targets.targets,
        u=u,
        weights=w,
        predicted=predicted,
        predicted_weights=predicted_w,
        stop_reason=stop,
        simulations=used,
        seconds=time.monotonic() - start,
        seed=cfg.seed,
        abc=abc,
        history=hm,
        notes=notes,
        config_text=cfg.text,
        targets_text=targets.path.read_text(encoding="utf-8"),
        targets_path=_recorded_path(targets.path),
        model_config=_recorded_path(cfg.model_config) if cfg.model_config else "",
        simulations_cached=sim.cached,
    )
    ds = to_dataset(result)
    path = write_posterior(ds, cfg.output)
    if not keep_work:
        shutil.rmtree(cfg.workdir, ignore_errors=True)
    say(f"wrote {path}: {used} simulations ({sim.cached} from the cache), " f"{result.seconds:.1f} s")
    return CalibrationRun(cfg, targets, result, path, credible_intervals(ds), predictive_check(ds))


def summary_text(run: CalibrationRun) -> str:
    """Credible intervals and predictive check as plain text (printed by the command line)."""
    with pd.option_context(
        "display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format
    ):
        ci = run.intervals[["key", "mean", "low", "median", "high", "shrinkage"]]
        pc = run.predictive[
            [
                "role",
                "observed",
                "low",
                "high",
                "predicted_median",
                "predicted_low",
                "predicted_high",
                "inside",
                "p_value",
            ]
        ]
        text = f"90 % credible intervals:\n{ci.to_string()}\n\nposterior predictive check:\n{pc.to_string()}"
    return text + "\n" + held_out_coverage(run.predictive)


def held_out_coverage(predictive: pd.DataFrame) -> str:
    """One sentence on the held-out (validation) targets: the mean predictive probability
    of falling inside their intervals, whatever it is."""
    held = predictive[predictive["role"] == "validation"]
    if held.empty:
        return "held-out targets: none"
    each = ", ".join(f"{name} {100 * v:.0f} %" for name, v in held["inside"].items())
    return (
        f"held-out targets: {100 * held['inside'].mean():.0f} % predictive coverage on average "
        f"({len(held)} target(s): {each})"
    )
