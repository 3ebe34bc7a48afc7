"""The simulator interface the calibration methods call, and its implementations.

A simulator maps a batch of parameter points to summary statistics::

    stats = simulator.simulate(values, seeds)   # (n, k), (n,) -> (n, R, m)

``values`` are parameter values (natural units, in the order of the
:class:`~atcsim.calibration.parameters.ParameterSpace`), ``seeds`` one seed
per point (independent simulations), and the result holds, for every point,
each of its ``R = simulator.replicates`` replicates and each of the ``m``
targets' statistics (before aggregation over replicates, which
:func:`~atcsim.calibration.summaries.aggregate_replicates` does). Methods
never see anything else of a simulator, so the toy of
:mod:`~atcsim.calibration.synthetic` and the engine are interchangeable.

:class:`EngineSimulator` runs ``atcsim run`` (or ``mpirun atcsim-mpi run``):

- :meth:`EngineSimulator.simulate` runs explicit points: a whole batch (an
  ABC generation's proposals, a history-matching wave, the predictive
  draws) is one engine run of a ``[sweep] method = "points"`` over a CSV of
  the batch, with ``seeds = "per_point"`` and each point's seed in the
  CSV's ``seed`` column, so point p's replicates use exactly the random
  streams of ``atcsim run --set experiment.seed=seed_p`` (its result does
  not depend on the batch it was run in). One process, streamed to one
  file named by a hash of the batch and the config (a finished batch is
  found again, an interrupted one continues with ``--resume``), spread
  over the engine's threads (and ranks with ``mpi_ranks``). ``batch=False``
  keeps the older path, one engine run per point with ``--set``, for
  comparison.
- :meth:`EngineSimulator.run_design` runs a design the engine builds itself
  (``lhs`` or ``grid``) as one sweep: one process, streamed to one file,
  resumable, with the engine's progress bar. History matching uses it for
  its first wave.

:class:`CachedSimulator` stores every batch's statistics on disk, keyed by
the batch's content. The methods are deterministic given their seed, so a
calibration that is run again replays its batches from the cache and
continues where it stopped (``--resume``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Mapping, Protocol, Sequence, TextIO

import numpy as np

from ..errors import AtcsimError
from .parameters import ParameterSpace
from .summaries import replicate_statistics
from .targets import Target

__all__ = [
    "Simulator",
    "CachedSimulator",
    "EngineSimulator",
    "EngineError",
    "Progress",
    "find_engine",
]


class Simulator(Protocol):
    """What the calibration methods call."""

    #: Replicates per simulation (the second axis of :meth:`simulate`'s result).
    replicates: int

    def simulate(self, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """(n, k) parameter values and (n,) seeds -> (n, replicates, m) statistics."""
        ...


class EngineError(AtcsimError):
    """The engine rejected its input (exit code 2): a bad config, parameter key or value.

    ``detail`` is the engine's message without the files the calibration
    generates (a design or batch TOML, a points CSV under the work directory:
    their names and lines mean nothing to the user); ``parameter`` is the key
    of the calibrated parameter at fault and ``override`` the index of the
    ``simulator.set`` assignment at fault, when the message says which;
    ``variable`` the targets' model variable the engine does not record.
    :func:`~atcsim.calibration.run.calibrate` turns them into an error at the
    calibration config's (or the targets file's) own line.
    """

    def __init__(
        self,
        message: str,
        *,
        detail: str = "",
        parameter: str | None = None,
        override: int | None = None,
        variable: str | None = None,
    ) -> None:
        super().__init__(message)
        self.detail = detail or message
        self.parameter = parameter
        self.override = override
        self.variable = variable


#: Where a generated file's line and column come from: (line, column) -> the
#: calibrated parameter written there, or None.
Locator = Callable[[int, int], "str | None"]


class Progress:
    """``label: i/n (x %), elapsed, ETA`` on stderr: redrawn in place on a terminal,
    one line every ``interval`` seconds otherwise; nothing when ``quiet``."""

    def __init__(
        self,
        total: int,
        label: str,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        interval: float = 10.0,
    ):
        self.total, self.label, self.quiet = total, label, quiet
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.last = -1e9
        self.interval = interval

    def update(self, done: int) -> None:
        if self.quiet or self.total <= 0:
            return
        now = time.monotonic()
        if not self.tty and now - self.last < self.interval and done < self.total:
            return
        self.last = now
        elapsed = now - self.start
        eta = elapsed / done * (self.total - done) if done else float("nan")
        text = (
            f"{self.label}: {done}/{self.total} ({100 * done / self.total:.0f} %), {_clock(elapsed)} elapsed"
        )
        if done < self.total and done:
            text += f", ETA {_clock(eta)}"
        if self.tty:
            self.stream.write("\r\x1b[K" + text + ("\n" if done >= self.total else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "?"
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class CachedSimulator:
    """Wraps a simulator; stores each batch's result under ``directory``.

    The key is a hash of ``identity`` (what the simulator is: model config,
    targets, replicates), the values and the seeds. A batch already in the
    cache is read back instead of simulated; ``cached`` and ``simulated``
    count points of each kind.
    """

    def __init__(self, inner: Simulator, directory: str | os.PathLike[str], identity: str) -> None:
        self.inner = inner
        self.directory = Path(directory)
        self.identity = identity
        self.replicates = inner.replicates
        self.cached = 0
        self.simulated = 0

    def simulate(self, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        values = np.ascontiguousarray(values, dtype=np.float64)
        seeds = np.ascontiguousarray(seeds, dtype=np.uint64)
        digest = hashlib.sha256(self.identity.encode() + values.tobytes() + seeds.tobytes()).hexdigest()
        path = self.directory / f"batch-{digest[:24]}.npy"
        if path.is_file():
            out = np.load(path)
            self.cached += len(values)
            return out
        out = self.inner.simulate(values, seeds)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, out)
        os.replace(tmp, path)
        self.simulated += len(values)
        return out


def find_engine(engine: str | None = None) -> Path:
    """The ``atcsim`` binary: ``engine`` if given, else ``$ATCSIM_BIN``, else this
    checkout's ``build/release/atcsim``, else ``atcsim`` on the PATH."""
    candidates = [engine] if engine else []
    if not engine:
        candidates.append(os.environ.get("ATCSIM_BIN"))
        candidates.append(str(Path(__file__).resolve().parents[3] / "build" / "release" / "atcsim"))
        candidates.append(shutil.which("atcsim"))
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    if engine:
        raise FileNotFoundError(f"{engine}: no such executable (simulator.engine)")
    raise FileNotFoundError(
        "no atcsim engine found: build it (make), set ATCSIM_BIN, or set simulator.engine in the config"
    )


class EngineSimulator:
    """Runs the engine on an experiment config at given parameter points.

    Parameters
    ----------
    config
        The experiment (``atcsim run`` config) whose parameters are calibrated.
    space
        Calibrated parameters; their keys are dotted config keys (``model.mean``).
    targets, variables
        The targets whose statistics are computed, in order, and the
        indicator -> model variable mapping.
    replicates
        Replicates per point (``--replicates``).
    workdir
        Where runs are written (created).
    engine
        Path of ``atcsim`` (default: :func:`find_engine`).
    mpi_ranks
        > 0: run ``mpirun -n N atcsim-mpi`` (the binary next to ``engine``).
    overrides
        Extra ``key=value`` assignments passed with ``--set`` to every run.
    """

    def __init__(
        self,
        config: str | os.PathLike[str],
        space: ParameterSpace,
        targets: Sequence[Target],
        variables: Mapping[str, str],
        *,
        replicates: int = 1,
        workdir: str | os.PathLike[str],
        engine: str | None = None,
        mpi_ranks: int = 0,
        overrides: Sequence[str] = (),
        quiet: bool = False,
        batch: bool = True,
    ) -> None:
        self.config = Path(config).resolve()
        if not self.config.is_file():
            raise FileNotFoundError(f"{config}: no such experiment config")
        self.space = space
        self.targets = list(targets)
        self.variables = dict(variables)
        # Fixed with the targets: see recorded().
        self._recorded = sorted(
            {
                self.variables[t.statistic.indicator]
                for t in self.targets
                if self.variables.get(t.statistic.indicator)
            }
        )
        self.replicates = int(replicates)
        self.workdir = Path(workdir)
        self.engine = find_engine(engine)
        self.mpi_ranks = int(mpi_ranks)
        self.overrides = list(overrides)
        self.quiet = quiet
        self.batch = bool(batch)
        self.runs = 0  # engine processes started
        self.engine_seconds = 0.0
        if self.mpi_ranks > 0:
            mpi = self.engine.with_name("atcsim-mpi")
            if not mpi.is_file():
                raise FileNotFoundError(f"{mpi}: atcsim-mpi not found next to {self.engine}")
            if shutil.which("mpirun") is None:
                raise FileNotFoundError("mpirun not found on the PATH (simulator.mpi_ranks > 0)")

    # ------------------------------------------------------------- running
    def recorded(self) -> list[str]:
        """The model variables the targets read, the only indicators the engine
        records (``output.record``): computing all of them at every recorded
        week was about half of a run at ``population_scale`` 0.05, and writing
        and reading them most of the rest (atc15's targets: 5 of 63 indicators;
        8 replicates of the calibration experiment took 1.9 s instead of 3.8 s
        on 1 Dec 2026). The recorded values are the same either way."""
        return list(self._recorded)

    def _record_assignment(self) -> str:
        return "output.record=[" + ", ".join(_toml_string(v) for v in self._recorded) + "]"

    def _command(self, config: Path, out: Path, sets: Sequence[str]) -> list[str]:
        if self.mpi_ranks > 0:
            cmd = ["mpirun", "-n", str(self.mpi_ranks), str(self.engine.with_name("atcsim-mpi")), "run"]
        else:
            cmd = [str(self.engine), "run"]
        cmd += [str(config), "-o", str(out), "--replicates", str(self.replicates), "--quiet"]
        record = [self._record_assignment()] if self._recorded else []
        for s in [*self.overrides, *sets, *record]:
            cmd += ["--set", s]
        return cmd

    def _identity(self) -> str:
        """What a cached run depends on besides its points and seeds."""
        return repr((self.space.keys, self.overrides, self.replicates, self.mpi_ranks > 0, self._recorded))

    def _run(
        self,
        config: Path,
        out: Path,
        sets: Sequence[str],
        *,
        show_progress: bool = False,
        generated: Mapping[Path, Locator] | None = None,
    ) -> None:
        """Run the engine unless ``out`` exists; continue an interrupted one (``.journal``) with --resume.

        ``generated``: the files written for this run, each with what its
        lines and columns hold, so that a rejection is traced to a parameter.
        """
        if out.is_file():
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = self._command(config, out, sets)
        shown = show_progress and not self.quiet  # the engine's stderr (its progress bar) is the user's
        resume = Path(str(out) + ".journal").is_file()
        if shown:
            cmd.remove("--quiet")
            if not resume:
                # Its stderr is not read, so an error would name the generated files: check the
                # input first (`atcsim validate`, the same checks as `run`) with stderr read.
                check = [str(self.engine), "validate", *cmd[cmd.index("run") + 1 :]]
                proc = subprocess.run(check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                if proc.returncode in (2, 130):
                    self._failed(check, proc, generated)
        if resume:
            cmd.append("--resume")
        start = time.monotonic()
        proc = subprocess.run(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=None if shown else subprocess.PIPE,
            text=True,
        )
        self.engine_seconds += time.monotonic() - start
        self.runs += 1
        if proc.returncode != 0:
            self._failed(cmd, proc, generated)

    def _failed(
        self, cmd: list[str], proc: subprocess.CompletedProcess, generated: Mapping[Path, Locator] | None
    ) -> None:
        """Raise what the engine's exit says: KeyboardInterrupt, EngineError (bad input) or RuntimeError."""
        message = " ".join((proc.stderr or "").split()) or f"exit code {proc.returncode}"
        shown = " ".join(cmd)
        if proc.returncode == 130:
            raise KeyboardInterrupt
        if proc.returncode == 2:
            detail, parameter, override, variable = self._fault(proc.stderr or "", generated or {})
            raise EngineError(
                f"the engine rejected its input ({shown}): {message}",
                detail=detail or message,
                parameter=parameter,
                override=override,
                variable=variable,
            )
        raise RuntimeError(f"the engine failed with exit code {proc.returncode} ({shown}): {message}")

    def _fault(
        self, stderr: str, generated: Mapping[Path, Locator]
    ) -> tuple[str, str | None, int | None, str | None]:
        """The engine's error line without the generated files, and the calibrated
        parameter, ``simulator.set`` assignment or targets' model variable it is about."""
        errors = [line for line in stderr.splitlines() if re.match(r"atcsim(-mpi)?: error: ", line)]
        if not errors:
            return " ".join(stderr.split()), None, None, None
        text = " ".join(re.sub(r"^atcsim(-mpi)?: error: ", "", errors[-1]).split())
        # a points file's error ends with where the generated wrapper names it
        text = re.sub(r" \(sweep\.points_file at [^()]*\)$", "", text)
        if text.startswith("--set "):
            after = text[len("--set ") :]
            # The assignments this simulator adds: simulator.set's (by index),
            # then the recorded variables' (None; it wins a tie, as it comes last).
            added: dict[str, int | None] = {a: i for i, a in enumerate(self.overrides)}
            added[self._record_assignment()] = None
            for assignment, index in added.items():
                if not after.startswith(f"{assignment}: "):
                    continue
                rest = after[len(assignment) + 2 :]
                if index is not None:
                    return rest, None, index, None
                unknown = re.search(r"unknown indicator '([^']*)'", rest)
                return rest.removeprefix("output.record: "), None, None, unknown[1] if unknown else None
            assignment, _, rest = after.partition(": ")  # batch=False: a calibrated parameter's --set
            key = assignment.partition("=")[0]
            if rest and key in self.space.keys:
                return rest, key, None, None
        located = re.match(r"(.+?):(\d+):(\d+): (.*)", text)
        if located:
            where = os.path.abspath(located[1])
            for path, locate in generated.items():
                if os.path.abspath(path) != where:
                    continue
                rest = located[4]
                parameter = locate(int(located[2]), int(located[3]))
                if parameter is not None:
                    # "sweep.parameters.KEY: ..." or "column 'KEY': ...": the generated name of the parameter
                    rest = rest.partition(": ")[2] or rest
                return rest, parameter, None, None
        return text, None, None, None

    def _statistics(self, path: Path) -> np.ndarray:
        import warnings

        from ..dataset import open as open_output

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = open_output(path)
        try:
            return replicate_statistics(ds, self.targets, self.variables)
        finally:
            ds.close()

    def _point_file(self, row: np.ndarray, seed: int) -> Path:
        h = hashlib.sha256()
        h.update(str(self.config).encode())
        h.update(self.config.read_bytes())
        h.update(self._identity().encode())
        h.update(np.ascontiguousarray(row, dtype=np.float64).tobytes())
        h.update(int(seed).to_bytes(8, "little"))
        return self.workdir / "points" / f"p-{h.hexdigest()[:20]}.h5"

    def simulate(self, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """The batch as one engine points sweep (``batch=False``: one engine run per
        point; see the module docstring)."""
        values = np.atleast_2d(np.asarray(values, dtype=float))
        if self.batch:
            return self._simulate_batch(values, np.asarray(seeds, dtype=np.uint64))
        out = np.empty((len(values), self.replicates, len(self.targets)))
        progress = Progress(len(values), "calibrate: simulations", quiet=self.quiet)
        progress.update(0)
        for i, (row, seed) in enumerate(zip(values, np.asarray(seeds, dtype=np.uint64))):
            path = self._point_file(row, int(seed))
            sets = [f"{k}={float(v)!r}" for k, v in zip(self.space.keys, row)]
            sets.append(f"experiment.seed={int(seed)}")
            self._run(self.config, path, sets)
            out[i] = self._statistics(path)
            progress.update(i + 1)
        return out

    def _simulate_batch(self, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        h = hashlib.sha256()
        h.update(str(self.config).encode())
        h.update(self.config.read_bytes())
        h.update(self._identity().encode())
        h.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(seeds, dtype=np.uint64).tobytes())
        stem = self.workdir / "batches" / f"b-{h.hexdigest()[:20]}"
        csv, wrapper, out = stem.with_suffix(".csv"), stem.with_suffix(".toml"), stem.with_suffix(".h5")
        if not out.is_file():
            stem.parent.mkdir(parents=True, exist_ok=True)
            fields = [[*(_csv_field(k) for k in self.space.keys), "seed"]]
            for row, seed in zip(values, seeds):
                fields.append([*(repr(float(v)) for v in row), str(int(seed))])
            csv.write_text("\n".join(",".join(f) for f in fields) + "\n", encoding="utf-8")
            wrapper.write_text(
                "# Written by `python3 -m atcsim calibrate`: the experiment run at a batch of\n"
                "# parameter points, each with its own seed (one engine run per batch).\n"
                f"include = {_toml_string(str(self.config))}\n\n[sweep]\n"
                f'method = "points"\npoints_file = {_toml_string(csv.name)}\nseeds = "per_point"\n',
                encoding="utf-8",
            )
            self._run(
                wrapper,
                out,
                [],
                show_progress=True,
                generated={wrapper: lambda line, col: None, csv: self._csv_locator(fields)},
            )
        stats = self._statistics(out)
        return stats.reshape(len(values), self.replicates, len(self.targets))

    def _csv_locator(self, fields: list[list[str]]) -> Locator:
        """Line and column of the points CSV -> the parameter of that column (None for ``seed``)."""

        def locate(line: int, col: int) -> str | None:
            if not 1 <= line <= len(fields):
                return None
            start, column = 1, -1
            for j, field in enumerate(fields[line - 1]):
                if col >= start:
                    column = j
                start += len(field) + 1
            return self.space.keys[column] if 0 <= column < len(self.space.keys) else None

        return locate

    def run_design(self, method: str, points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """Let the engine build and run a ``lhs`` design (or a ``grid`` of ``points``
        levels per parameter) over the parameters' ranges, as one sweep.

        Returns the (P, k) parameter values of the points the engine ran and
        their (P, R, m) statistics. The sweep's points share the replicates'
        random numbers (common random numbers, as for every engine sweep).
        """
        if method not in ("lhs", "grid"):
            raise ValueError(f"design method must be 'lhs' or 'grid', got {method!r}")
        lines = [f"include = {_toml_string(str(self.config))}", "", "[sweep]", f'method = "{method}"']
        if method == "lhs":
            lines += [f"points = {int(points)}", f"seed = {int(seed)}"]
        lines += ["", "[sweep.parameters]"]
        header = 2  # the comment lines written above ``lines``
        where: dict[int, str] = {}
        for p in self.space:
            where[header + len(lines) + 1] = p.key
            if method == "lhs":
                lines.append(
                    f'{_toml_string(p.key)} = {{ min = {p.min!r}, max = {p.max!r}, scale = "{p.scale}" }}'
                )
            else:
                u = (np.arange(points) + 0.5) / points
                lines.append(f"{_toml_string(p.key)} = [{', '.join(repr(float(v)) for v in p.from_unit(u))}]")
        text = "\n".join(lines) + "\n"
        digest = hashlib.sha256(
            text.encode() + self.config.read_bytes() + self._identity().encode()
        ).hexdigest()[:16]
        wrapper = self.workdir / f"design-{method}-{digest}.toml"
        out = self.workdir / f"design-{method}-{digest}.h5"
        self.workdir.mkdir(parents=True, exist_ok=True)
        wrapper.write_text(
            "# Written by `python3 -m atcsim calibrate`: the experiment with a sweep over the\n"
            "# calibrated parameters (the design of a history-matching wave).\n" + text,
            encoding="utf-8",
        )
        self._run(
            wrapper,
            out,
            [f"experiment.seed={int(seed)}"],
            show_progress=True,
            generated={wrapper: lambda line, col: where.get(line)},
        )
        import warnings

        from ..dataset import open as open_output

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = open_output(out)
        try:
            values = np.column_stack([np.asarray(ds[p.name].values, dtype=float) for p in self.space])
            stats = replicate_statistics(ds, self.targets, self.variables)
        finally:
            ds.close()
        return values, stats


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',;"\n') else text


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
