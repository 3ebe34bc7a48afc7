"""Long ("tidy") tables for seaborn, statsmodels and friends.

The table is built column by column from the arrays (no pandas MultiIndex,
no per-variable frames to concatenate), with the label columns as
categoricals: a row costs about 25 bytes instead of ~280, so the full table
of ``atc15`` fits in memory. :mod:`atcsim.export` writes the same rows to
CSV in bounded chunks.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterator, Sequence

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
from .errors import TimeSelectionError
from .time_selection import select_time

__all__ = ["tidy", "time_indices"]

#: The label columns stored as categoricals (when they are present).
_LABEL_DIMS = ("scenario", "site")


def tidy(
    ds: xr.Dataset,
    variables: str | Sequence[str] | None = None,
    *,
    time: Any = None,
    site_info: bool = False,
    dropna: bool = False,
    categorical: bool = True,
) -> pd.DataFrame:
    """Reshape indicators into one long table, one row per value.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    variables
        One indicator name or several; default: every indicator.
    time
        Which recorded times: ``None`` (all), one date or step
        (``"2021-12-31"``, matched to the nearest recorded time as in
        :func:`atcsim.select_time`), a ``slice(start, end)`` of dates or steps
        (inclusive; either end may be ``None``), or a list of them.
    site_info
        Add ``site_name``, ``network`` and ``population`` columns.
    dropna
        Drop rows whose value is NaN.
    categorical
        Store ``scenario``, ``site``, the extra-dimension columns and
        ``variable`` as pandas categoricals (about 1 byte a row instead of a
        pointer to a string); ``False`` gives plain object columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, replicate, site, date``, then one column per extra
        dimension (e.g. ``theme``; empty for variables without it), then
        ``variable, value``. For a parameter sweep, ``point`` and one column
        per swept parameter (its coordinate name, e.g. ``model_x1``) follow
        ``scenario``. ``replicate`` is int32.

    Examples
    --------
    >>> df = atcsim.tidy(ds, ["participation_share", "trust_institutions"], time="2021-12-31")
    >>> df.groupby(["scenario", "variable"], observed=True)["value"].mean()
    """
    names = as_list(variables) or indicators(ds)
    arrays = [require_variable(ds, name) for name in names]
    t_idx = time_indices(ds, time)
    extras = extra_columns(ds, names)
    sizes = [_block_size(da, t_idx) for da in arrays]
    total = int(sum(sizes))
    labels = axis_labels(ds, extras)
    columns = _allocate(SWEEP_DIM in ds.dims, extras, total, labels, len(names))
    start = 0
    for name, da, size in zip(names, arrays, sizes):
        _fill(columns, labels, da, name, names, extras, t_idx, slice(start, start + size))
        start += size
    df = _frame(columns, labels, key_columns(ds), names, extras, categorical)
    if dropna:
        df = df[df["value"].notna().to_numpy()].reset_index(drop=True)
    if site_info:
        df = _add_site_info(df, ds)
    return df


def time_indices(ds: xr.Dataset, time: Any) -> np.ndarray:
    """Positions on the time axis for ``tidy(time=...)``; sorted, without duplicates."""
    n = ds.sizes.get("time", 0)
    if time is None:
        return np.arange(n)
    if isinstance(time, slice):
        if time.step is not None:
            raise TimeSelectionError(f"a time slice takes no step, got {time!r}")
        start = "first" if time.start is None else time.start
        stop = "last" if time.stop is None else time.stop
        return select_time(ds, window=(start, stop)).indices
    if isinstance(time, (list, tuple, np.ndarray, pd.Index)):
        found = [int(select_time(ds, at=t).indices[0]) for t in time]
        return np.unique(np.asarray(found, dtype=np.int64))
    if isinstance(time, (str, int, np.integer, np.datetime64, pd.Timestamp, _dt.date)):
        return select_time(ds, at=time).indices
    raise TimeSelectionError(f"time= takes a date, a step, a slice or a list of them, got {time!r}")


def extra_columns(ds: xr.Dataset, names: Sequence[str]) -> list[str]:
    """Extra dimensions (e.g. ``theme``) of the named variables, in first-seen order."""
    extras: list[str] = []
    for name in names:
        extras += [d for d in extra_dims(ds[name]) if d not in extras]
    return extras


def key_columns(ds: xr.Dataset) -> list[str]:
    keys = ["scenario", "replicate", "site", "date"]
    if SWEEP_DIM in ds.dims:
        keys[1:1] = [SWEEP_DIM, *sweep_parameters(ds)]
    return keys


def dim_order(da: xr.DataArray) -> list[str]:
    """Dimensions of an indicator in table order: scenario, [point], replicate, site, time, extras."""
    core = list(CORE_DIMS)
    if SWEEP_DIM in da.dims:
        core.insert(1, SWEEP_DIM)
    return core + extra_dims(da)


def _block_size(da: xr.DataArray, t_idx: np.ndarray) -> int:
    return int(np.prod([len(t_idx) if d == "time" else da.sizes[d] for d in dim_order(da)], dtype=np.int64))


def _code_dtype(n_categories: int) -> type:
    return np.int8 if n_categories < 127 else np.int16 if n_categories < 32767 else np.int32


def _allocate(
    sweep: bool, extras: list[str], n: int, labels: dict[str, np.ndarray], n_names: int
) -> dict[str, np.ndarray]:
    """Empty columns of the final dtypes: codes as small as the categories allow (pandas keeps them as is)."""
    columns: dict[str, np.ndarray] = {"scenario": np.empty(n, _code_dtype(len(labels["scenario"])))}
    if sweep:
        columns[SWEEP_DIM] = np.empty(n, np.int32)  # a position, turned into values in _frame
    columns["replicate"] = np.empty(n, np.int32)
    columns["site"] = np.empty(n, _code_dtype(len(labels["site"])))
    columns["date"] = np.empty(n, labels["time"].dtype)
    for dim in extras:
        columns[dim] = np.empty(n, _code_dtype(len(labels[dim])))
    columns["variable"] = np.empty(n, _code_dtype(n_names))
    columns["value"] = np.empty(n, np.float64)
    return columns


def _fill(
    columns: dict[str, np.ndarray],
    labels: dict[str, np.ndarray],
    da: xr.DataArray,
    name: str,
    names: Sequence[str],
    extras: list[str],
    t_idx: np.ndarray,
    rows: slice,
) -> None:
    """Write one block (all of ``da`` at times ``t_idx``) into ``columns[rows]``."""
    order = dim_order(da)
    da = da.reset_coords(drop=True).transpose(*order)  # a no-op on atcsim files
    positions = {d: (t_idx if d == "time" else np.arange(da.sizes[d])) for d in order}
    # replicate and date hold labels, the others category codes: map the few positions first, then expand
    small = {
        d: labels[d][p] if d in ("replicate", "time") else p.astype(columns[d].dtype)
        for d, p in positions.items()
    }
    shape = [len(positions[d]) for d in order]
    if 0 in shape:
        return
    columns["value"][rows] = np.asarray(da.isel(time=t_idx).values, dtype=np.float64).reshape(-1)
    inner = int(np.prod(shape, dtype=np.int64))
    outer = 1
    for dim, size in zip(order, shape):
        inner //= size
        column = "date" if dim == "time" else dim
        columns[column][rows] = np.tile(np.repeat(small[dim], inner), outer)
        outer *= size
    for dim in extras:
        if dim not in da.dims:
            columns[dim][rows] = -1
    columns["variable"][rows] = list(names).index(name)


def axis_labels(ds: xr.Dataset, extras: list[str]) -> dict[str, np.ndarray]:
    """Labels of each axis of the table (strings for scenario, site and extras), and the swept values."""
    labels: dict[str, np.ndarray] = {}
    for dim in ["scenario", "site", *extras]:
        labels[dim] = np.array([str(v) for v in ds[dim].values], dtype=object)
    labels["replicate"] = np.asarray(ds["replicate"].values)
    labels["time"] = np.asarray(ds["time"].values)
    if SWEEP_DIM in ds.dims:
        labels[SWEEP_DIM] = np.asarray(ds[SWEEP_DIM].values)
        for param in sweep_parameters(ds):
            labels[param] = np.asarray(ds[param].values)
    return labels


def _frame(
    columns: dict[str, np.ndarray],
    labels: dict[str, np.ndarray],
    keys: list[str],
    names: Sequence[str],
    extras: list[str],
    categorical: bool,
) -> pd.DataFrame:
    """Turn the code arrays of :func:`_fill` into the table's columns."""
    out: dict[str, Any] = {}

    def category(codes: np.ndarray, categories: Sequence[Any]) -> Any:
        cat = pd.Categorical.from_codes(codes, categories=pd.Index(list(categories), dtype=object))
        return cat if categorical else np.asarray(cat, dtype=object)

    out["scenario"] = category(columns["scenario"], labels["scenario"])
    if SWEEP_DIM in columns:
        position = columns[SWEEP_DIM]
        for name in keys[1 : keys.index("replicate")]:
            out[name] = labels[name][position]
    out["replicate"] = columns["replicate"]
    out["site"] = category(columns["site"], labels["site"])
    out["date"] = columns["date"]
    for dim in extras:
        out[dim] = category(columns[dim], labels[dim])
    out["variable"] = category(columns["variable"], list(names))
    out["value"] = columns["value"]
    # Column by column: pandas' dict constructor would copy every numeric column into a 2-D block.
    df = pd.DataFrame(index=pd.RangeIndex(len(columns["value"])))
    for name in keys + extras + ["variable", "value"]:
        df[name] = out[name]
    return df


def iter_tidy(
    ds: xr.Dataset,
    variables: str | Sequence[str] | None = None,
    *,
    time: Any = None,
    chunk_rows: int = 1_000_000,
) -> Iterator[pd.DataFrame]:
    """The rows of :func:`tidy`, in the same order, as frames of at most ``chunk_rows`` rows.

    Only one chunk's worth of values is read from the file at a time (the
    dataset's variables stay lazily loaded), so memory is bounded by
    ``chunk_rows`` and one (scenario, [point,] replicate, site) series,
    whatever the file's size. Every chunk has the same columns.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    names = as_list(variables) or indicators(ds)
    arrays = [require_variable(ds, name) for name in names]
    t_idx = time_indices(ds, time)
    extras = extra_columns(ds, names)
    keys = key_columns(ds)
    labels = axis_labels(ds, extras)
    for name, da in zip(names, arrays):
        da = da.reset_coords(drop=True)
        order = dim_order(da)
        outer = order[: order.index("site") + 1]  # scenario, [point,] replicate, site
        sizes = [da.sizes[d] for d in outer]
        series_rows = max(1, _block_size(da, t_idx) // max(1, int(np.prod(sizes))))
        # Cut at the outermost dimension whose single index (with every inner one whole) fits a chunk,
        # and take as many consecutive indices of it as fit: few, large reads and writes.
        inner_rows = [series_rows * int(np.prod(sizes[k + 1 :])) for k in range(len(outer))]
        level = next((k for k, rows in enumerate(inner_rows) if rows <= chunk_rows), len(outer) - 1)
        step = max(1, min(sizes[level], chunk_rows // inner_rows[level]))
        for fixed in np.ndindex(*sizes[:level]):
            for i0 in range(0, sizes[level], step):
                selection = {d: slice(int(p), int(p) + 1) for d, p in zip(outer, fixed)}
                selection[outer[level]] = slice(i0, min(i0 + step, sizes[level]))
                part = da.isel(selection)
                sub = dict(labels)
                for d, pos in selection.items():
                    sub[d] = labels[d][pos]
                if SWEEP_DIM in selection:
                    for param in keys[2 : keys.index("replicate")]:
                        sub[param] = labels[param][selection[SWEEP_DIM]]
                size = _block_size(part, t_idx)
                columns = _allocate(SWEEP_DIM in outer, extras, size, sub, len(names))
                _fill(columns, sub, part, name, names, extras, t_idx, slice(0, size))
                frame = _frame(columns, sub, keys, names, extras, categorical=False)
                for r0 in range(0, len(frame), chunk_rows):
                    yield frame.iloc[r0 : r0 + chunk_rows]


def _add_site_info(df: pd.DataFrame, ds: xr.Dataset) -> pd.DataFrame:
    sites = [str(s) for s in ds["site"].values]
    position = pd.Index(sites).get_indexer(np.asarray(df["site"], dtype=object))
    info: dict[str, Any] = {}
    for coord in ("site_name", "network", "population"):
        if coord in ds.coords:
            values = np.asarray(ds[coord].values)
            if values.dtype == object and isinstance(df["site"].dtype, pd.CategoricalDtype):
                labels = pd.Index([str(v) for v in values]).unique()
                codes = labels.get_indexer([str(v) for v in values])[position]
                info[coord] = pd.Categorical.from_codes(codes, categories=labels)
            else:
                info[coord] = values[position]
    lead = [
        "scenario",
        *[c for c in df.columns if c == SWEEP_DIM or c in sweep_parameters(ds)],
        "replicate",
        "site",
    ]
    rest = [c for c in df.columns if c not in lead]
    out = df[lead].copy()
    for coord, values in info.items():
        out[coord] = values
    for c in rest:
        out[c] = df[c].to_numpy() if not isinstance(df[c].dtype, pd.CategoricalDtype) else df[c].array
    return out
