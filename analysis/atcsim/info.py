"""Plain-text summary of an atcsim output file (mirrors ``atcsim info``)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .errors import AtcsimError, AtcsimFileError
from .dataset import (
    SWEEP_DIM,
    _run_flags,
    extra_dims,
    indicators,
    is_sweep,
    open_raw,
    read_parameters,
)

__all__ = ["info_text"]


def info_text(path: str | os.PathLike[str]) -> str:
    """Describe what a result file holds.

    Lists title, model, version, creation date, seed, dimensions with sizes,
    scenarios, sites, variables with units, completed runs and parameters.
    Incomplete runs are counted, not dropped.

    Parameters
    ----------
    path
        atcsim output file (``.h5`` or ``.h5.partial``).

    Returns
    -------
    str
        Multi-line summary.

    Raises
    ------
    FileNotFoundError, NotAtcsimFileError, SchemaVersionError
        As :func:`atcsim.open`.
    """
    ds = open_raw(path)
    try:
        return "\n".join(_lines(ds, str(path)))
    except AtcsimError:
        raise
    except Exception as exc:  # noqa: BLE001 - the file's content is untrusted input
        text = " ".join(str(exc).split())[:300]
        raise AtcsimFileError(f"{path}: malformed atcsim file: {type(exc).__name__}: {text}") from None
    finally:
        ds.close()


def _lines(ds, path: str) -> list[str]:
    a = ds.attrs
    time_units = ds["time"].encoding.get("units", ds["time"].attrs.get("units", "?"))
    order = [d for d in ("scenario", SWEEP_DIM, "replicate", "site", "time") if d in ds.dims]
    order += [d for d in ds.dims if d not in order]
    sizes = " ".join(f"{d}={ds.sizes[d]}" for d in order)
    out = [
        f"file:        {path}",
        f"title:       {a.get('title', '?')}",
        f"model:       {a.get('model', '?')}",
        f"created:     {a.get('created', '?')} by atcsim {a.get('atcsim_version', '?')} "
        f"(commit {a.get('git_commit', '?')}), output schema {a.get('atcsim_schema', '?')}",
        f"seed:        {a.get('seed', '?')}",
        f"command:     {a.get('command_line', '')}",
        f"dimensions:  {sizes} ({time_units})",
    ]
    if is_sweep(ds):  # same line as `atcsim info`
        out.append(f"sweep:       {a.get('sweep_method', '?')} over " f"{a.get('sweep_parameters', '?')}")
    times = ds["time"].values
    if len(times) and np.issubdtype(times.dtype, np.datetime64):
        out.append(
            f"period:      {pd.Timestamp(times[0]).date()} to "
            f"{pd.Timestamp(times[-1]).date()} ({len(times)} recorded times, "
            f"{a.get('step_days', '?')} day(s) per step)"
        )
    out.append("scenarios:   " + ", ".join(str(s) for s in ds["scenario"].values))
    out.append("sites:       " + ", ".join(str(s) for s in ds["site"].values))
    out += _site_lines(ds)
    out += _runs_lines(ds)
    out.append("variables:")
    for name in indicators(ds):
        da = ds[name]
        extra = "".join(f" x{ds.sizes[d]} ({d})" for d in extra_dims(da))
        out.append(
            f"  {name:<32} [{da.attrs.get('units', '?')}]{extra}  "
            f"{da.attrs.get('long_name', '')}".rstrip()
        )
    out += _parameter_lines(ds)
    return out


def _site_lines(ds) -> list[str]:
    """One line per site with its metadata, when the file records any."""
    lines = []
    for k, site in enumerate(ds["site"].values):
        extra = []
        for coord in ("site_name", "network", "site_code"):
            if coord in ds.coords:
                value = str(ds[coord].values[k])
                if value and value != str(site):
                    extra.append(value)
        if "population" in ds.coords and np.isfinite(ds["population"].values[k]):
            extra.append(f"population {ds['population'].values[k]:,.0f}")
        if extra:
            lines.append(f"  {site}: {'; '.join(extra)}")
    return lines


def _runs_lines(ds) -> list[str]:
    if "run_complete" not in ds.coords:
        return ["runs:        unknown (no run_complete flags)"]
    sweep = is_sweep(ds)
    flags = _run_flags(ds)
    line = f"runs:        {int(flags.sum())}/{flags.size} complete"
    if flags.all():
        return [line]
    lines = [line + "  (INCOMPLETE: resume with atcsim run --resume)"]
    if sweep:
        points = ds[SWEEP_DIM].values
        for s, scenario in enumerate(ds["scenario"].values):
            bad = [int(p) for p in points[~flags[s].all(axis=1)]]
            if bad:
                shown = ", ".join(str(p) for p in bad[:10]) + (", ..." if len(bad) > 10 else "")
                lines.append(f"  {scenario}: {len(bad)} of {len(points)} points incomplete " f"({shown})")
        return lines
    for s, scenario in enumerate(ds["scenario"].values):
        reps = [int(r) for r in ds["replicate"].values[~flags[s]]]
        if reps:
            lines.append(f"  {scenario}: replicates {reps} incomplete")
    return lines


def _parameter_lines(ds) -> list[str]:
    params = read_parameters(ds)
    if params.empty:
        return []
    lines = ["parameters:"]
    for name, r in params.iterrows():
        value = f"{r.value:g}" if isinstance(r.value, (int, float)) else str(r.value)
        units = "" if r.units in ("", "1") else f" {r.units}"
        note = (
            "  (assumption)"
            if "assumption" in r.source.lower()
            else (f"  (source: {r.source})" if r.source else "")
        )
        lines.append(f"  {name:<32} = {value}{units}{note}")
    return lines
