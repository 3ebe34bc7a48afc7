"""Exports for spreadsheets, R and NetLogo users: ``python3 -m atcsim export``.

Two formats (gzip-compressed when the output name ends in ``.gz``):

``csv``
    The long table of :func:`atcsim.tidy` (``scenario, [point, swept
    parameters,] replicate, site, date, [extra dimensions,] variable, value``),
    written in chunks of at most ``chunk_rows`` rows read one at a time from
    the file, so memory stays bounded whatever the file's size.
``behaviorspace``
    One row per run (scenario x [sweep point x] replicate x site), like
    NetLogo BehaviorSpace's "table" output: the run's parameters as columns,
    then the final and the mean (over recorded times) value of each
    indicator (one column pair per theme, practice, ... for indicators that
    have such a dimension).

The netCDF file itself stays the full-fidelity format (no Parquet: Debian 12
has no pyarrow).
"""

from __future__ import annotations

import gzip
import io
import os
import tomllib
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import SWEEP_DIM, as_list, indicators, open as open_dataset, read_parameters, sweep_parameters
from .dataset import sweep_table
from ._outputs import check_output
from .errors import AtcsimError
from .tidy import dim_order, iter_tidy

__all__ = ["FORMATS", "DEFAULT_CHUNK_ROWS", "behaviorspace_table", "export", "write_csv"]

FORMATS = ("csv", "behaviorspace")
#: Rows per CSV chunk: ~40 MB of frame at most, written ~20 times a second.
DEFAULT_CHUNK_ROWS = 500_000


def export(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    fmt: str = "csv",
    *,
    variables: str | Sequence[str] | None = None,
    time: Any = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> int:
    """Write the export of result file ``path`` to ``output``; return the number of data rows.

    ``output`` is gzip-compressed when its name ends in ``.gz``. It is written
    to ``OUTPUT.tmp`` first and renamed, so a failed or interrupted export
    leaves nothing. Raises :class:`AtcsimError` on bad input (unknown format
    or variable, output in a missing or unwritable folder, output equal to the
    input, an existing output or ``OUTPUT.tmp`` that is not a regular file:
    a directory, FIFO or device such as ``/dev/null`` is never replaced).
    """
    if fmt not in FORMATS:
        raise AtcsimError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    output = check_output(output, suffix=".tmp", inputs=(path,))
    ds = open_dataset(path)
    names = as_list(variables) or indicators(ds)
    tmp = output.with_name(output.name + ".tmp")
    try:
        with _open_text(tmp) as handle:
            if fmt == "csv":
                rows = write_csv(ds, handle, names, time=time, chunk_rows=chunk_rows)
            else:
                table = behaviorspace_table(ds, names, parameters=read_parameters(path))
                table.to_csv(handle, index=False, lineterminator="\n")
                rows = len(table)
        os.replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()
        ds.close()
    return rows


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz.tmp") or path.suffix == ".gz":
        # mtime=0: the same file gives the same bytes; level 6 is ~3x faster than 9 for ~5 % more bytes
        raw = gzip.GzipFile(
            filename=path.name.removesuffix(".tmp"),
            fileobj=open(path, "wb"),
            mode="wb",
            compresslevel=6,
            mtime=0,
        )
        return _ClosingText(raw)
    return open(path, "w", encoding="utf-8", newline="")


class _ClosingText(io.TextIOWrapper):
    """Text wrapper over a GzipFile that also closes the file object under it."""

    def __init__(self, raw: gzip.GzipFile) -> None:
        super().__init__(raw, encoding="utf-8", newline="")
        self._file = raw.fileobj

    def close(self) -> None:
        super().close()
        if self._file is not None:
            self._file.close()


def write_csv(
    ds: xr.Dataset,
    handle: IO[str],
    variables: str | Sequence[str] | None = None,
    *,
    time: Any = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> int:
    """Write the long table to ``handle`` chunk by chunk (:func:`atcsim.tidy.iter_tidy`); return its rows."""
    rows = 0
    for chunk in iter_tidy(ds, variables, time=time, chunk_rows=chunk_rows):
        _write_chunk(chunk, handle, header=rows == 0)
        rows += len(chunk)
    return rows


def _write_chunk(chunk: pd.DataFrame, handle: IO[str], header: bool) -> None:
    # No float_format: pandas writes the shortest repr, which reads back bit-identical
    # (with float_precision="round_trip").
    chunk.to_csv(
        handle,
        index=False,
        header=header,
        date_format="%Y-%m-%d",
        lineterminator="\n",
    )


def behaviorspace_table(
    ds: xr.Dataset,
    variables: str | Sequence[str] | None = None,
    *,
    parameters: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per run: scenario, [point, swept values,] replicate, site, site facts, parameters, outcomes.

    Parameters are the scalar values of the file's ``/parameters`` group
    (arrays are written as "[a, b, c]"),
    with each scenario's own ``model`` overrides from the stored config and,
    in a sweep, the point's swept values. Each indicator gives ``NAME_final``
    (its value at the last recorded time) and ``NAME_mean`` (its mean over
    recorded times, NaNs skipped); an indicator with an extra dimension gives
    one pair per label, ``NAME_LABEL_final`` and ``NAME_LABEL_mean``.
    """
    names = as_list(variables) or indicators(ds)
    runs = _run_index(ds)
    table = runs.copy()
    params = _parameter_columns(ds, runs, parameters)
    outcomes: dict[str, np.ndarray] = {}
    for name in names:
        da = ds[name].reset_coords(drop=True)
        order = dim_order(da)
        da = da.transpose(*order)
        extras = order[order.index("time") + 1 :]
        values = np.asarray(da.values, dtype=np.float64)  # one indicator at a time
        time_axis = order.index("time")
        final = np.take(values, -1, axis=time_axis)
        with np.errstate(invalid="ignore"), _quiet_nanmean():
            mean = np.nanmean(values, axis=time_axis)
        n_runs = len(runs)
        final = final.reshape(n_runs, -1)
        mean = mean.reshape(n_runs, -1)
        labels = [""]
        if extras:
            labels = ["_".join(str(v) for v in combo) for combo in _label_product(ds, extras)]
        for j, label in enumerate(labels):
            stem = f"{name}_{label}" if label else name
            outcomes[f"{stem}_final"] = final[:, j]
            outcomes[f"{stem}_mean"] = mean[:, j]
    out = pd.concat(
        [table.reset_index(drop=True), params.reset_index(drop=True), pd.DataFrame(outcomes)],
        axis=1,
        copy=False,
    )
    out.insert(0, "run_number", np.arange(1, len(out) + 1))
    return out


class _quiet_nanmean:
    """Silence numpy's "Mean of empty slice" for all-NaN series (their mean stays NaN)."""

    def __enter__(self) -> None:
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)


def _label_product(ds: xr.Dataset, dims: list[str]) -> Iterator[tuple[Any, ...]]:
    for combo in np.ndindex(*[ds.sizes[d] for d in dims]):
        yield tuple(ds[d].values[i] for d, i in zip(dims, combo))


def _run_index(ds: xr.Dataset) -> pd.DataFrame:
    """Scenario, [point, swept values,] replicate, site and site facts, in the indicators' C order."""
    lead = ["scenario", *([SWEEP_DIM] if SWEEP_DIM in ds.dims else []), "replicate", "site"]
    grids = np.meshgrid(*[np.arange(ds.sizes[d]) for d in lead], indexing="ij")
    pos = {d: g.reshape(-1) for d, g in zip(lead, grids)}
    columns: dict[str, Any] = {
        "scenario": np.array([str(s) for s in ds["scenario"].values], dtype=object)[pos["scenario"]]
    }
    if SWEEP_DIM in pos:
        columns[SWEEP_DIM] = np.asarray(ds[SWEEP_DIM].values)[pos[SWEEP_DIM]]
    columns["replicate"] = np.asarray(ds["replicate"].values)[pos["replicate"]]
    columns["site"] = np.array([str(s) for s in ds["site"].values], dtype=object)[pos["site"]]
    for coord in ("site_name", "site_code", "network", "population"):
        if coord in ds.coords and ds[coord].dims == ("site",):
            columns[coord] = np.asarray(ds[coord].values)[pos["site"]]
    df = pd.DataFrame(columns)
    df.attrs["point_position"] = pos.get(SWEEP_DIM)
    df.attrs["scenario_position"] = pos["scenario"]
    return df


def _parameter_columns(ds: xr.Dataset, runs: pd.DataFrame, parameters: pd.DataFrame | None) -> pd.DataFrame:
    """Each run's parameter values: base values, scenario overrides, then swept values."""
    base: dict[str, Any] = {}
    if parameters is not None:
        for name, value in parameters["value"].items():
            base[str(name)] = _cell(value)
    scenario_overrides = _scenario_model_overrides(ds)
    n = len(runs)
    columns: dict[str, np.ndarray] = {}
    for name, value in base.items():
        columns[name] = np.full(n, value, dtype=object)
    scen_pos = runs.attrs["scenario_position"]
    scenarios = [str(s) for s in ds["scenario"].values]
    for s, scenario in enumerate(scenarios):
        for name, value in scenario_overrides.get(scenario, {}).items():
            if name not in columns:
                columns[name] = np.full(n, base.get(name, ""), dtype=object)
            columns[name][scen_pos == s] = _cell(value)
    if SWEEP_DIM in ds.dims:
        point_pos = runs.attrs["point_position"]
        keys = sweep_table(ds)["key"]
        for coord in sweep_parameters(ds):
            key = str(keys.get(coord, coord))
            column = key.removeprefix("model.") if key.startswith("model.") else coord
            columns[column] = np.asarray(ds[coord].values)[point_pos]
    df = pd.DataFrame(columns)
    for name in df.columns:  # numbers as numbers, so that R and spreadsheets read them as such
        converted = pd.to_numeric(df[name], errors="coerce")
        if converted.notna().sum() == df[name].astype(str).ne("").sum():
            df[name] = converted
    return df


def _scenario_model_overrides(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    """``[[scenario]] model.*`` values of the stored config, flattened to dotted names."""
    text = ds.attrs.get("config_toml")
    if not isinstance(text, str):
        return {}
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for scenario in config.get("scenario", []) or []:
        if isinstance(scenario, dict) and isinstance(scenario.get("model"), dict):
            out[str(scenario.get("name", ""))] = dict(_flatten(scenario["model"]))
    return out


def _flatten(table: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _cell(value: Any) -> Any:
    """A parameter value as one CSV cell: numbers and strings as they are, lists as "[a, b, c]"."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(str(_cell(v)) for v in value) + "]"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, np.generic):
        return value.item()
    return value
