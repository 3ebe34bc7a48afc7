"""Long ("tidy") tables for seaborn, statsmodels and friends."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import (
    CORE_DIMS,
    SWEEP_DIM,
    as_list,
    extra_dims,
    indicators,
    require_variable,
    sweep_parameters,
)

__all__ = ["tidy"]

_KEY_COLUMNS = ["scenario", "replicate", "site", "date"]


def tidy(
    ds: xr.Dataset,
    variables: str | Sequence[str] | None = None,
    *,
    site_info: bool = False,
    dropna: bool = False,
) -> pd.DataFrame:
    """Reshape indicators into one long table, one row per value.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    variables
        One indicator name or several; default: every indicator.
    site_info
        Add ``site_name``, ``network`` and ``population`` columns.
    dropna
        Drop rows whose value is NaN.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, replicate, site, date``, then one column per extra
        dimension (e.g. ``theme``; empty for variables without it), then
        ``variable, value``. For a parameter sweep, ``point`` and one column
        per swept parameter (its coordinate name, e.g. ``model_x1``) follow
        ``scenario``.

    Examples
    --------
    >>> df = atcsim.tidy(ds, ["participation_share", "trust_institutions"])
    >>> df.groupby(["scenario", "variable"])["value"].mean()
    """
    names = as_list(variables) or indicators(ds)
    frames = [_one_variable(require_variable(ds, name), name) for name in names]
    extras: list[str] = []
    for name in names:
        extras += [d for d in extra_dims(ds[name]) if d not in extras]
    keys = list(_KEY_COLUMNS)
    if SWEEP_DIM in ds.dims:
        keys[1:1] = [SWEEP_DIM, *sweep_parameters(ds)]
        frames = [_add_point_values(df, ds) for df in frames]
    columns = keys + extras + ["variable", "value"]
    if not frames:
        return pd.DataFrame(columns=columns)
    df = pd.concat(frames, ignore_index=True, sort=False).reindex(columns=columns)
    if dropna:
        df = df.dropna(subset=["value"]).reset_index(drop=True)
    if site_info:
        df = _add_site_info(df, ds)
    return df


def _one_variable(da: xr.DataArray, name: str) -> pd.DataFrame:
    core = list(CORE_DIMS)
    if SWEEP_DIM in da.dims:
        core.insert(1, SWEEP_DIM)
    order = core + extra_dims(da)
    da = da.reset_coords(drop=True).transpose(*order)
    df = da.to_dataframe(name="value").reset_index().rename(columns={"time": "date"})
    df.insert(len(df.columns) - 1, "variable", name)
    return df


def _add_point_values(df: pd.DataFrame, ds: xr.Dataset) -> pd.DataFrame:
    """Add the swept parameters' values of each row's point."""
    position = pd.Index(ds[SWEEP_DIM].values).get_indexer(df[SWEEP_DIM])
    for name in sweep_parameters(ds):
        df[name] = np.asarray(ds[name].values)[position]
    return df


def _add_site_info(df: pd.DataFrame, ds: xr.Dataset) -> pd.DataFrame:
    info = {"site": [str(s) for s in ds["site"].values]}
    for coord in ("site_name", "network", "population"):
        if coord in ds.coords:
            info[coord] = list(ds[coord].values)
    table = pd.DataFrame(info)
    out = df.merge(table, on="site", how="left", sort=False)
    lead = [
        "scenario",
        *[c for c in df.columns if c == SWEEP_DIM or c in sweep_parameters(ds)],
        "replicate",
        "site",
    ]
    front = lead + [c for c in table.columns if c != "site"]
    return out[front + [c for c in out.columns if c not in front]]
