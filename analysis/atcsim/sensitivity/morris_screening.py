"""Morris screening: elementary effects summarised by mu, mu* and sigma, with bootstrap CIs."""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ..bootstrap import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    RESAMPLE_BLOCK,
    check_boot_args,
    percentile_intervals,
    resample_blocks,
)
from ..dataset import SWEEP_DIM, sweep_parameters, sweep_table
from ..errors import SweepError
from ..time_selection import TimeSpec
from .results import MorrisResult, parameter_table, result_fields
from .sweep_response import Response, compute_response, require_method, unit_values

__all__ = ["morris", "morris_values"]


def _morris_effects(ds: xr.Dataset, f: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Elementary effects (trajectories x k) over complete trajectories, and counts."""
    params = sweep_parameters(ds)
    k = len(params)
    for coord in ("sweep_group", "sweep_factor"):
        if coord not in ds.coords:
            raise SweepError(
                f"the sweep has no {coord!r} coordinate: cannot follow the Morris " "trajectories"
            )
    units = unit_values(ds)
    groups = np.asarray(ds["sweep_group"].values)
    factors = np.asarray(ds["sweep_factor"].values)
    points = np.asarray(ds[SWEEP_DIM].values)
    # Points of a trajectory are consecutive in the design: order by (group, point).
    order = np.lexsort((points, groups))
    unique, starts, counts = np.unique(groups[order], return_index=True, return_counts=True)
    effects = []
    for start, count in zip(starts, counts):
        rows = order[start : start + count]
        moved = factors[rows[1:]]
        if count != k + 1 or factors[rows[0]] != -1 or not np.array_equal(np.sort(moved), np.arange(k)):
            continue  # incomplete trajectory (e.g. a subset of the points)
        du = units[rows[1:], moved] - units[rows[:-1], moved]
        df = f[rows[1:]] - f[rows[:-1]]
        ee = np.full(k, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            ee[moved] = np.where(du != 0, df / du, np.nan)  # signed by the direction of the move
        if np.isfinite(ee).any():
            effects.append(ee)
    matrix = np.array(effects) if effects else np.empty((0, k))
    return matrix, len(effects), int(unique.size)


def _morris_stats(ee: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mu, mu*, sigma over axis -2 (trajectories), NaN-aware."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(ee, axis=-2)
        mu_star = np.nanmean(np.abs(ee), axis=-2)
        sigma = np.nanstd(ee, axis=-2, ddof=1)
    return mu, mu_star, sigma


def morris(
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
) -> MorrisResult:
    """Morris screening (elementary effects) from a ``method = "morris"`` sweep.

    Each trajectory is k + 1 consecutive points; point m differs from point
    m - 1 in one parameter j (``sweep_factor``) by +-Delta on the unit scale.
    Its elementary effect is ``EE_j = (f(x_m) - f(x_{m-1})) / (u_j(x_m) -
    u_j(x_{m-1}))``, with u the parameter mapped back to [0, 1] with the
    sweep's min, max and scale: effects are signed by the direction of the
    move, in output units per unit of normalised range. Per parameter, over
    the r trajectories:

    - ``mu``: mean effect (Morris 1991); effects of opposite signs cancel;
    - ``mu_star``: mean absolute effect (Campolongo et al. 2007), the
      measure to rank parameters by;
    - ``sigma``: standard deviation of the effects (Morris 1991):
      non-linearity or interactions.

    Confidence intervals resample trajectories with replacement.

    Parameters
    ----------
    ds, variable, at, window, scenario, site, select, baseline, n_boot, seed, ci
        As in :func:`sobol`.

    Returns
    -------
    MorrisResult

    Raises
    ------
    SweepError
        Not a Morris sweep, several scenarios and no ``scenario=``, or no
        complete trajectory.
    """
    check_boot_args(n_boot, ci)
    require_method(ds, "morris", "morris()")
    r = compute_response(ds, variable, at, window, scenario, site, select, baseline)
    return _morris_result(ds, r, variable, n_boot, seed, ci)


def morris_values(
    ds: xr.Dataset,
    values: np.ndarray,
    *,
    name: str,
    description: str = "",
    units: str = "",
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
) -> MorrisResult:
    """Morris screening of a quantity the caller computed at each point of ``ds``'s
    Morris sweep (e.g. a calibration target's statistic, :mod:`atcsim.calibration`),
    one value per point in the order of the ``point`` dimension; otherwise as
    :func:`morris`."""
    check_boot_args(n_boot, ci)
    require_method(ds, "morris", "morris_values()")
    values = np.asarray(values, dtype=float)
    if values.shape != (ds.sizes[SWEEP_DIM],):
        raise SweepError(f"{name}: expected one value per point ({ds.sizes[SWEEP_DIM]}), got {values.shape}")
    r = Response(values=values, scenario="", time_label="", description=description, units=units, label=name)
    return _morris_result(ds, r, name, n_boot, seed, ci)


def _morris_result(
    ds: xr.Dataset, r: Response, variable: str, n_boot: int, seed: int, ci: float
) -> MorrisResult:
    params = sweep_parameters(ds)
    ee, n, n_total = _morris_effects(ds, r.values)
    notes = []
    if n < n_total:
        notes.append(f"{n_total - n} of {n_total} trajectories are incomplete and were left out")
    if n == 0:
        raise SweepError(f"{variable}: no complete Morris trajectory in the data")
    if n < 2:
        notes.append("a single trajectory: sigma and the CIs are undefined")
    mu, mu_star, sigma = _morris_stats(ee)
    k = len(params)
    boot_star = np.empty((n_boot, k))
    boot_sigma = np.empty((n_boot, k))
    for start, stop, idx in resample_blocks(seed, n, n_boot, max(1, RESAMPLE_BLOCK // max(1, n * k * 3))):
        _, boot_star[start:stop], boot_sigma[start:stop] = _morris_stats(ee[idx])
    if n < 2:
        boot_star[:] = np.nan
        boot_sigma[:] = np.nan
    star_lo, star_hi = percentile_intervals(boot_star, ci)
    sigma_lo, sigma_hi = percentile_intervals(boot_sigma, ci)
    parameters = sweep_table(ds)
    table = parameter_table(
        parameters,
        params,
        {
            "mu": mu,
            "mu_star": mu_star,
            "mu_star_ci_low": star_lo,
            "mu_star_ci_high": star_hi,
            "sigma": sigma,
            "sigma_ci_low": sigma_lo,
            "sigma_ci_high": sigma_hi,
            "n_effects": np.isfinite(ee).sum(axis=0),
        },
    )
    table["rank"] = table["mu_star"].rank(ascending=False, method="min").astype("Int64")
    levels = int(ds.attrs.get("sweep_levels", 0) or 0)
    delta = levels / (2.0 * (levels - 1)) if levels > 1 else math.nan
    return MorrisResult(
        table=table,
        **result_fields(ds, r, variable, parameters, ci, n_boot, seed, notes),
        effects=pd.DataFrame(ee, columns=pd.Index(params, name="parameter")),
        n_trajectories=n,
        n_trajectories_total=n_total,
        levels=levels,
        delta=delta,
    )
