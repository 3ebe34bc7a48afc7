"""Plain-text summary of an atcsim output file (mirrors ``atcsim info``)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .dataset import extra_dims, indicators, open_raw, read_parameters

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
    finally:
        ds.close()


def _lines(ds, path: str) -> list[str]:
    a = ds.attrs
    out = [
        f"file:        {path}",
        f"title:       {a.get('title', '')}",
        f"model:       {a.get('model', '')}",
        f"version:     atcsim {a.get('atcsim_version', '?')} (schema {a.get('atcsim_schema', '?')}), "
        f"git {a.get('git_commit', '?')}",
        f"created:     {a.get('created', '')}",
        f"seed:        {a.get('seed', '')}",
        f"step_days:   {a.get('step_days', '')}",
        f"command:     {a.get('command_line', '')}",
        "dimensions:  " + ", ".join(f"{d}={n}" for d, n in ds.sizes.items()),
    ]
    times = ds["time"].values
    if len(times) and np.issubdtype(times.dtype, np.datetime64):
        out.append(f"time:        {pd.Timestamp(times[0]).date()} to "
                   f"{pd.Timestamp(times[-1]).date()} ({len(times)} recorded)")
    out.append("scenarios:   " + ", ".join(str(s) for s in ds["scenario"].values))
    out.append(f"sites ({ds.sizes['site']}):")
    for k, site in enumerate(ds["site"].values):
        extra = []
        for coord in ("site_name", "network", "site_code"):
            if coord in ds.coords and str(ds[coord].values[k]):
                extra.append(str(ds[coord].values[k]))
        if "population" in ds.coords:
            extra.append(f"population {ds['population'].values[k]:,.0f}")
        out.append(f"  {site}" + (f"  ({'; '.join(extra)})" if extra else ""))
    names = indicators(ds)
    out.append(f"variables ({len(names)}):")
    for name in names:
        da = ds[name]
        dims = extra_dims(da)
        shape = f"({', '.join(dims)})" if dims else ""
        units = da.attrs.get("units", "")
        long_name = da.attrs.get("long_name", "")
        out.append(f"  {name}{shape} [{units}]  {long_name}".rstrip())
    out += _runs_lines(ds)
    out += _parameter_lines(ds)
    return out


def _runs_lines(ds) -> list[str]:
    if "run_complete" not in ds.coords:
        return ["runs complete: unknown (no run_complete flags)"]
    flags = ds["run_complete"].transpose("scenario", "replicate").values == 1
    line = f"runs complete: {int(flags.sum())}/{flags.size}"
    if not flags.all():
        missing = []
        for s, scenario in enumerate(ds["scenario"].values):
            reps = [int(r) for r in ds["replicate"].values[~flags[s]]]
            if reps:
                missing.append(f"{scenario} replicates {reps}")
        line += " (incomplete: " + "; ".join(missing) + ")"
    return [line]


def _parameter_lines(ds) -> list[str]:
    params = read_parameters(ds)
    lines = [f"parameters ({len(params)}):"]
    for name, r in params.iterrows():
        value = f"{r.value:g}" if isinstance(r.value, (int, float)) else str(r.value)
        source = f"  (source: {r.source})" if r.source else ""
        lines.append(f"  {name} = {value} {r.units}".rstrip() + source)
    return lines
