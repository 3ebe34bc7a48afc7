"""Long ("tidy") tables for seaborn, statsmodels and friends."""

from __future__ import annotations

from typing import Sequence

import pandas as pd
import xarray as xr

from .dataset import CORE_DIMS, as_list, extra_dims, indicators, require_variable

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
        ``variable, value``.

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
    columns = _KEY_COLUMNS + extras + ["variable", "value"]
    if not frames:
        return pd.DataFrame(columns=columns)
    df = pd.concat(frames, ignore_index=True, sort=False).reindex(columns=columns)
    if dropna:
        df = df.dropna(subset=["value"]).reset_index(drop=True)
    if site_info:
        df = _add_site_info(df, ds)
    return df


def _one_variable(da: xr.DataArray, name: str) -> pd.DataFrame:
    order = list(CORE_DIMS) + extra_dims(da)
    da = da.reset_coords(drop=True).transpose(*order)
    df = da.to_dataframe(name="value").reset_index().rename(columns={"time": "date"})
    df.insert(len(df.columns) - 1, "variable", name)
    return df


def _add_site_info(df: pd.DataFrame, ds: xr.Dataset) -> pd.DataFrame:
    info = {"site": [str(s) for s in ds["site"].values]}
    for coord in ("site_name", "network", "population"):
        if coord in ds.coords:
            info[coord] = list(ds[coord].values)
    table = pd.DataFrame(info)
    out = df.merge(table, on="site", how="left", sort=False)
    front = ["scenario", "replicate", "site"] + [c for c in table.columns if c != "site"]
    return out[front + [c for c in out.columns if c not in front]]
