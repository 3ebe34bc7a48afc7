"""Spearman rank correlations between each swept parameter and the response, with bootstrap CIs."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import xarray as xr

from ..bootstrap import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    RESAMPLE_BLOCK,
    check_boot_args,
    percentile_intervals,
    resample_blocks,
)
from ..dataset import sweep_method, sweep_parameters, sweep_table
from ..errors import SweepError
from ..time_selection import TimeSpec
from .results import CorrelationResult, parameter_table, result_fields
from .sweep_response import compute_response

__all__ = ["correlations"]


def _tie_groups(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort order, start of each group of equal values in it, and each value's group."""
    order = np.argsort(v, kind="stable")
    sorted_v = v[order]
    new = np.r_[True, sorted_v[1:] != sorted_v[:-1]]
    group = np.empty(v.size, dtype=np.int64)
    group[order] = np.cumsum(new) - 1
    return order, np.flatnonzero(new), group


def _weighted_ranks(counts: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Average ranks of the values v in each resample given by ``counts`` (resamples x n).

    ``counts[b, i]`` is how often point i is drawn in resample b; ties (equal
    values, or a point drawn several times) share their mean rank, exactly as
    ranking the resample itself would give.
    """
    order, starts, group = _tie_groups(v)
    per_group = np.add.reduceat(counts[:, order], starts, axis=1)
    rank = np.cumsum(per_group, axis=1) - per_group + (per_group + 1.0) / 2.0
    return rank[:, group]


def _spearman(counts: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman rho (resamples x k) of each column of x (n x k) with y (n) in each resample."""
    w = counts / counts.sum(axis=1, keepdims=True)
    ry = _weighted_ranks(counts, y)
    dy = ry - (w * ry).sum(axis=1, keepdims=True)
    vy = (w * dy * dy).sum(axis=1)
    out = []
    for j in range(x.shape[1]):
        rx = _weighted_ranks(counts, x[:, j])
        dx = rx - (w * rx).sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append((w * dx * dy).sum(axis=1) / np.sqrt((w * dx * dx).sum(axis=1) * vy))
    return np.stack(out, axis=1)


def correlations(
    ds: xr.Dataset,
    variable: str,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    *,
    scenario: str | None = None,
    site: str | None = None,
    select: Mapping[str, Any] | None = None,
    baseline: str | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
) -> CorrelationResult:
    """Spearman rank correlation between each swept parameter and the response.

    A model-free summary for any design, and the one the report shows for
    ``grid`` and ``lhs`` sweeps: rho near +-1 means the output rises (falls)
    monotonically with the parameter; rho near 0 means no monotonic trend
    (the parameter may still matter non-monotonically: look at
    :func:`plot_response`). For Sobol designs only the A and B points (an
    independent sample) are used. Confidence intervals resample points.

    Parameters
    ----------
    ds, variable, at, window, scenario, site, select, baseline, n_boot, seed, ci
        As in :func:`sobol`.

    Returns
    -------
    CorrelationResult
    """
    check_boot_args(n_boot, ci)
    r = compute_response(ds, variable, at, window, scenario, site, select, baseline)
    params = sweep_parameters(ds)
    x = np.column_stack([np.asarray(ds[p].values, dtype=float) for p in params])
    y = r.values
    use = np.isfinite(y) & np.isfinite(x).all(axis=1)
    notes = []
    if sweep_method(ds) == "sobol" and "sweep_role" in ds.coords:
        use &= np.isin(np.asarray(ds["sweep_role"].values).astype(str), ["A", "B"])
        notes.append("only the A and B points of the Sobol design are used")
    x, y = x[use], y[use]
    n = int(y.size)
    if n < 3:
        raise SweepError(f"{variable}: only {n} usable point(s); need at least 3")
    if n < 10:
        notes.append(
            f"only {n} points: the bootstrap CIs are unreliable (with so few points "
            "a resample often repeats the same few values)"
        )
    if np.all(y == y[0]):
        notes.append("the response does not vary over the sweep: correlations are undefined")
    rho = _spearman(np.ones((1, n)), x, y)[0]
    # Bootstrap: resample n points with replacement, as counts of each point per resample.
    boot = np.empty((n_boot, len(params)))
    for start, stop, idx in resample_blocks(seed, n, n_boot, max(1, RESAMPLE_BLOCK // (n * 4))):
        idx = idx + n * np.arange(stop - start)[:, None]
        counts = np.bincount(idx.ravel(), minlength=idx.size).reshape(-1, n).astype(float)
        boot[start:stop] = _spearman(counts, x, y)
    lo, hi = percentile_intervals(boot, ci)
    parameters = sweep_table(ds)
    table = parameter_table(
        parameters, params, {"rho": rho, "rho_ci_low": lo, "rho_ci_high": hi, "n_points": n}
    )
    return CorrelationResult(
        table=table, **result_fields(ds, r, variable, parameters, ci, n_boot, seed, notes), n_points=n
    )
