"""Summary statistics of model output, one per target, as targets define them.

:func:`replicate_statistics` turns a dataset opened with :func:`atcsim.open`
into an array ``(point, replicate, target)`` (``(replicate, target)``
without a sweep): for every replicate, the indicator aggregated over the
target's time window, then over sites, then (with ``relative_to``) combined
with its reference. :func:`aggregate_replicates` then applies each target's
aggregation over replicates. The two steps are separate because history
matching needs the spread over replicates (the model's stochastic variance),
not only their mean.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import xarray as xr

from ..dataset import SWEEP_DIM
from ..errors import AtcsimError, ScenarioNotFoundError, TimeSelectionError, VariableNotFoundError
from .targets import Statistic, Target, Window

__all__ = ["replicate_statistics", "aggregate_replicates", "statistic_variance", "StatisticError"]


class StatisticError(AtcsimError):
    """A target's statistic cannot be computed from the data (names the target and why)."""


def _time_mask(da: xr.DataArray, window: Window, target: str) -> np.ndarray:
    n = da.sizes["time"]
    if window.is_all:
        return np.ones(n, bool)
    if isinstance(window.start, int):
        steps = np.asarray(da["step"].values) if "step" in da.coords else np.arange(n)
        mask = (steps >= window.start) & (steps <= window.end)
        recorded = f"steps {steps.min()} to {steps.max()}" if n else "nothing"
    else:
        times = np.asarray(da["time"].values).astype("datetime64[D]")
        start, end = np.datetime64(window.start, "D"), np.datetime64(window.end, "D")
        mask = (times >= start) & (times <= end)
        recorded = f"{times.min()} to {times.max()}" if n else "nothing"
    if not mask.any():
        raise TimeSelectionError(
            f"target {target}: the window {window.describe()} holds no recorded time (recorded: {recorded})"
        )
    return mask


def _over_time(da: xr.DataArray, stat: Statistic, window: Window, target: str) -> xr.DataArray:
    mask = _time_mask(da, window, target)
    sub = da.isel(time=np.flatnonzero(mask))
    how = stat.time
    if how == "mean":
        return sub.mean("time", skipna=False)
    if how == "first":
        return sub.isel(time=0)
    if how == "last":
        return sub.isel(time=-1)
    if how == "min":
        return sub.min("time", skipna=False)
    if how == "max":
        return sub.max("time", skipna=False)
    # weeks_to_reach: weeks from the window's first recorded time to the first time at or
    # above the threshold; never reached -> the window's length (censored at its end).
    times = np.asarray(sub["time"].values).astype("datetime64[s]").astype(np.int64)
    weeks = (times - times[0]) / (7 * 86400.0)
    reached = (sub >= stat.time_threshold).values
    axis = sub.dims.index("time")
    first = np.argmax(reached, axis=axis)
    ever = reached.any(axis=axis)
    values = np.where(ever, weeks[first], weeks[-1])
    dims = [d for d in sub.dims if d != "time"]
    return xr.DataArray(values, dims=dims, coords={d: sub[d] for d in dims if d in sub.coords})


def _over_sites(da: xr.DataArray, stat: Statistic, target: str) -> xr.DataArray:
    how = stat.sites
    if how == "mean":
        return da.mean("site", skipna=False)
    if how == "sum":
        return da.sum("site", skipna=False)
    if how == "median":
        return da.median("site", skipna=False)
    if how == "population_weighted":
        if "population" not in da.coords:
            raise StatisticError(
                f'target {target}: sites = "population_weighted" needs a population coordinate'
            )
        w = da["population"].astype(float)
        if not np.all(np.isfinite(w.values)) or float(w.sum()) <= 0:
            raise StatisticError(f"target {target}: site populations are missing or zero")
        return (da * w).sum("site", skipna=False) / w.sum()
    above = da > stat.site_threshold if how == "share_above" else da < stat.site_threshold
    return above.where(da.notnull()).mean("site", skipna=False)


def _one_side(
    ds: xr.Dataset, variable: str, stat: Statistic, scenario: str | None, window: Window, target: str
) -> xr.DataArray:
    if variable not in ds.data_vars:
        available = ", ".join(str(v) for v in ds.data_vars)
        raise VariableNotFoundError(
            f"target {target}: variable {variable!r} is not in the output; available: {available}"
        )
    da = ds[variable]
    for dim, label in stat.select.items():
        if dim not in da.dims:
            raise StatisticError(f"target {target}: {variable} has no dimension {dim!r} (select)")
        try:
            da = da.sel({dim: label})
        except KeyError:
            labels = ", ".join(str(x) for x in da[dim].values)
            raise StatisticError(f"target {target}: {dim} has no label {label!r}; labels: {labels}") from None
    scenarios = [str(s) for s in da["scenario"].values]
    if scenario is None:
        if len(scenarios) != 1:
            raise ScenarioNotFoundError(
                f"target {target}: the output has scenarios {', '.join(scenarios)}; "
                "the target must name one (statistic.scenario)"
            )
        scenario = scenarios[0]
    if scenario not in scenarios:
        raise ScenarioNotFoundError(
            f"target {target}: scenario {scenario!r} is not in the output; scenarios: {', '.join(scenarios)}"
        )
    da = da.sel(scenario=scenario)
    extra = [d for d in da.dims if d not in ("replicate", "site", "time", SWEEP_DIM)]
    if extra:
        raise StatisticError(
            f"target {target}: {variable} has extra dimension(s) {', '.join(extra)}: "
            "pick a label with statistic.select"
        )
    return _over_sites(_over_time(da, stat, window, target), stat, target)


def _target_values(ds: xr.Dataset, target: Target, variable: str) -> np.ndarray:
    stat = target.statistic
    value = _one_side(ds, variable, stat, stat.scenario, stat.window, target.name)
    ref = stat.relative_to
    if ref is not None:
        other = _one_side(
            ds, variable, stat, ref.scenario or stat.scenario, ref.window or stat.window, target.name
        )
        value = value / other if ref.contrast == "ratio" else value - other
    dims = [d for d in (SWEEP_DIM, "replicate") if d in value.dims]
    return np.asarray(value.transpose(*dims).values, dtype=float)


def replicate_statistics(
    ds: xr.Dataset, targets: Sequence[Target], variables: Mapping[str, str]
) -> np.ndarray:
    """Every target's statistic for every replicate.

    Parameters
    ----------
    ds
        Output of :func:`atcsim.open` (one parameter point, or a sweep).
    targets
        The targets, in the order of the last axis of the result.
    variables
        Descriptive indicator name -> model variable (the targets file's
        ``[indicators]`` mapping).

    Returns
    -------
    numpy.ndarray
        ``(replicate, target)``, or ``(point, replicate, target)`` for a
        sweep. NaN where the model produced NaN (e.g. a ratio to 0): the
        callers count those as failed simulations and say so.
    """
    columns = []
    for t in targets:
        variable = variables.get(t.statistic.indicator, "")
        if not variable:
            raise StatisticError(
                f"target {t.name}: indicator {t.statistic.indicator!r} is not mapped to a model variable"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            columns.append(_target_values(ds, t, variable))
    return np.stack(columns, axis=-1)


def aggregate_replicates(values: np.ndarray, targets: Sequence[Target]) -> np.ndarray:
    """``(..., replicate, target)`` -> ``(..., target)`` with each target's aggregation."""
    out = np.empty(values.shape[:-2] + values.shape[-1:], dtype=float)
    for j, t in enumerate(targets):
        column = values[..., j]
        out[..., j] = (
            np.median(column, axis=-1) if t.statistic.replicates == "median" else column.mean(axis=-1)
        )
    return out


def statistic_variance(values: np.ndarray, targets: Sequence[Target]) -> np.ndarray:
    """Variance of the replicate-aggregated statistic at each point, estimated from
    the spread over its ``R`` replicates: ``s^2 / R`` for a mean, ``(pi / 2) s^2 / R``
    for a median (its asymptotic variance under normality). Needs ``R >= 2``."""
    n_rep = values.shape[-2]
    if n_rep < 2:
        raise ValueError("the variance over replicates needs at least 2 replicates")
    var = values.var(axis=-2, ddof=1) / n_rep
    factor = np.array([np.pi / 2 if t.statistic.replicates == "median" else 1.0 for t in targets])
    return var * factor
