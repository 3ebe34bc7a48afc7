"""Paired comparison of scenarios: effects with bootstrap CIs, per site, pooled, per sweep point.

Replicate ``r`` of every scenario shares its random numbers with replicate
``r`` of every other scenario (common random numbers), so the natural unit of
comparison is the *paired difference* ``treatment[r] - baseline[r]``. All
statistics here are computed on paired differences, and all uncertainty comes
from a percentile bootstrap over replicates (:mod:`atcsim.bootstrap`).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .bootstrap import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    RESAMPLE_BLOCK,
    bootstrap_ci,
    check_boot_args,
    normal_quantile,
    resample_indices,
)
from .dataset import SWEEP_DIM, require_variable, site_labels, sweep_parameters
from .errors import FewReplicatesWarning, ScenarioNotFoundError, SweepError
from .results import POOLED, CompareResult
from .selection import check_scenarios, check_site, paired_arrays, select_extra, single_point
from .time_selection import TimeSpec, select_time

__all__ = [
    "MIN_RELIABLE_REPLICATES",
    "compare",
    "compare_by_point",
    "replicates_needed",
    "warn_few_replicates",
]

#: Below this many replicates a :class:`FewReplicatesWarning` is emitted.
MIN_RELIABLE_REPLICATES = 10


def compare(
    ds: xr.Dataset,
    baseline: str,
    treatment: str,
    variable: str,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    *,
    select: Mapping[str, Any] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
    higher_is_better: bool = True,
) -> CompareResult:
    """Paired effect of ``treatment`` versus ``baseline``, per site and pooled.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    baseline, treatment
        Scenario names.
    variable
        Indicator name.
    at
        Time point (default: last recorded time); see :func:`select_time`.
    window
        ``(start, end)``: compare the time-average over this window instead.
    select
        Selection of extra dimensions, e.g. ``{"theme": "employment"}``;
        required when ``variable`` has dimensions beyond
        (scenario, replicate, site, time).
    n_boot
        Bootstrap resamples (default 2000).
    seed
        Bootstrap seed (fixed default: results are reproducible).
    ci
        Confidence level (default 0.95).
    higher_is_better
        Direction used by ``share_better`` (use False for e.g. costs).

    Returns
    -------
    CompareResult
        ``result.table`` has one row per site and a ``"pooled"`` row. The
        pooled row pairs, per replicate, the mean over sites of each scenario
        (sites equally weighted; a site missing in a replicate is left out of
        that replicate's mean).

    Raises
    ------
    ScenarioNotFoundError
        A scenario name is not in the file (the message lists those that are).
    VariableNotFoundError, TimeSelectionError
        Unknown variable, or time outside the recorded range.
    SweepError
        The data hold a parameter sweep (a ``point`` dimension with more than
        one point): comparisons are made at one parameter point, so select
        one first (``ds.isel(point=i)``), or use :func:`compare_by_point`.

    Warns
    -----
    FewReplicatesWarning
        Fewer than 10 replicates: the CI is unreliable (NaN with one replicate).
    """
    check_boot_args(n_boot, ci)
    check_scenarios(ds, baseline, treatment)
    if baseline == treatment:
        raise ScenarioNotFoundError(f"baseline and treatment are the same scenario {baseline!r}")
    da = single_point(select_extra(require_variable(ds, variable), select), "compare()")
    selection = select_time(ds, at, window)
    b, t = paired_arrays(selection.reduce(da), baseline, treatment)
    sites = [str(s) for s in ds["site"].values]
    labels = site_labels(ds)
    diffs = t - b
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN, by design
        pooled_diff = np.nanmean(diffs, axis=1) if diffs.size else np.full(diffs.shape[0], np.nan)
        pooled_b = np.nanmean(b, axis=1) if b.size else pooled_diff
        pooled_t = np.nanmean(t, axis=1) if t.size else pooled_diff
    rows = [_pair_summary(b[:, j], t[:, j], n_boot, seed, ci, higher_is_better) for j in range(len(sites))]
    pooled = _pair_summary(pooled_b, pooled_t, n_boot, seed, ci, higher_is_better, diffs=pooled_diff)
    table = pd.DataFrame(rows + [pooled], index=pd.Index(sites + [POOLED], name="site"))
    table.insert(0, "site_name", [labels[s] for s in sites] + ["all sites (pooled)"])
    warn_few_replicates(int(table["n_replicates"].min()), f"{variable}: {treatment} vs {baseline}")
    diff_frame = pd.DataFrame(
        np.column_stack([diffs, pooled_diff]) if diffs.size else np.empty((diffs.shape[0], len(sites) + 1)),
        index=pd.Index(ds["replicate"].values, name="replicate"),
        columns=sites + [POOLED],
    )
    return CompareResult(
        table=table,
        diffs=diff_frame,
        variable=variable,
        baseline=baseline,
        treatment=treatment,
        time_label=selection.label,
        units=str(da.attrs.get("units", "")),
        long_name=str(da.attrs.get("long_name", "")),
        selection=dict(select or {}),
        ci=ci,
        n_boot=int(n_boot),
        seed=int(seed),
        higher_is_better=higher_is_better,
    )


def _pair_summary(
    b: np.ndarray,
    t: np.ndarray,
    n_boot: int,
    seed: int,
    ci: float,
    higher: bool,
    diffs: np.ndarray | None = None,
) -> dict[str, float]:
    d = (t - b) if diffs is None else diffs
    ok = np.isfinite(d) & np.isfinite(b) & np.isfinite(t)
    d, b, t = d[ok], b[ok], t[ok]
    n = int(d.size)
    mean = float(d.mean()) if n else math.nan
    lo, hi = bootstrap_ci(d, n_boot=n_boot, ci=ci, seed=seed)
    beats = (d > 0) if higher else (d < 0)
    return {
        "baseline_mean": float(b.mean()) if n else math.nan,
        "treatment_mean": float(t.mean()) if n else math.nan,
        "mean_diff": mean,
        "ci_low": lo,
        "ci_high": hi,
        "effect_size": _cohen_dz(d),
        "share_better": float(beats.mean()) if n else math.nan,
        "n_replicates": n,
    }


def _cohen_dz(d: np.ndarray) -> float:
    """Paired Cohen's d_z = mean / sd (ddof 1); 0 when every difference is 0."""
    if d.size < 2:
        return math.nan
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if sd == 0.0:
        return 0.0 if mean == 0.0 else math.copysign(math.inf, mean)
    return mean / sd


def warn_few_replicates(n: int, what: str) -> None:
    """Warn (:class:`FewReplicatesWarning`) when ``n`` replicates are too few for reliable CIs.

    The warning points at the caller of the function that calls this one.
    """
    if n >= MIN_RELIABLE_REPLICATES:
        return
    if n == 0:
        detail = "no replicate has values in both scenarios: all statistics are NaN"
    elif n == 1:
        detail = "with a single replicate the confidence interval is undefined (NaN)"
    else:
        detail = (
            f"bootstrap confidence intervals are unreliable (typically too narrow) below "
            f"{MIN_RELIABLE_REPLICATES} replicates"
        )
    warnings.warn(
        f"{what}: only {n} replicate(s); {detail}. Run more replicates " "(see atcsim.replicates_needed).",
        FewReplicatesWarning,
        stacklevel=3,
    )


# ------------------------------------------------------------ compare by point


def compare_by_point(
    ds: xr.Dataset,
    baseline: str,
    treatment: str,
    variable: str,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    *,
    select: Mapping[str, Any] | None = None,
    site: str | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """Paired effect of ``treatment`` versus ``baseline`` at every point of a sweep.

    The same statistics as the pooled row of :func:`compare` (or one site's
    row, with ``site=``), computed separately at each parameter point: row
    ``i`` equals ``compare(ds.isel(point=i), ...)``. Replicate ``r`` shares
    its random numbers across scenarios *and* points, so each point's
    comparison is paired.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open` with a ``point`` dimension.
    baseline, treatment, variable, at, window, select, n_boot, seed, ci, higher_is_better
        As in :func:`compare`.
    site
        Site id; default: pooled over sites (per replicate, the unweighted
        mean over sites, then paired).

    Returns
    -------
    pandas.DataFrame
        Index ``point``; one column per swept parameter (its value), then
        ``baseline_mean``, ``treatment_mean``, ``mean_diff``, ``ci_low``,
        ``ci_high``, ``effect_size``, ``share_better``, ``n_replicates``.
        ``attrs`` holds ``variable``, ``baseline``, ``treatment``, ``time``
        and ``site``.

    Raises
    ------
    SweepError
        ``ds`` has no ``point`` dimension (use :func:`compare`).
    ScenarioNotFoundError, VariableNotFoundError, TimeSelectionError
        As :func:`compare`.
    """
    check_boot_args(n_boot, ci)
    check_scenarios(ds, baseline, treatment)
    if baseline == treatment:
        raise ScenarioNotFoundError(f"baseline and treatment are the same scenario {baseline!r}")
    da = select_extra(require_variable(ds, variable), select)
    if SWEEP_DIM not in da.dims:
        raise SweepError(f"{variable} has no point dimension (not a sweep): use atcsim.compare")
    selection = select_time(ds, at, window)
    da = selection.reduce(da)
    if site is not None:
        check_site(ds, site)
        da = da.sel(site=site)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN sites give NaN
            da = da.mean("site", skipna=True)
    b, t = paired_arrays(da, baseline, treatment, (SWEEP_DIM, "replicate"))
    d = t - b
    n_points, n_rep = d.shape
    rows: list[dict[str, float]] = [{}] * n_points
    complete = np.isfinite(d).all(axis=1) & np.isfinite(b).all(axis=1) & np.isfinite(t).all(axis=1)
    if n_rep >= 2 and complete.any():
        # Vectorised bootstrap over complete points: the same resamples as bootstrap_ci.
        idx = resample_indices(n_rep, n_boot, seed)
        lo_q, hi_q = (1.0 - ci) / 2.0, 1.0 - (1.0 - ci) / 2.0
        good = np.flatnonzero(complete)
        chunk = max(1, int(RESAMPLE_BLOCK // (n_boot * n_rep)))
        for start in range(0, good.size, chunk):
            sel = good[start : start + chunk]
            means = d[sel][:, idx].mean(axis=2)  # (points, n_boot)
            lo, hi = np.quantile(means, [lo_q, hi_q], axis=1)
            for k, p in enumerate(sel):
                dp = d[p]
                beats = (dp > 0) if higher_is_better else (dp < 0)
                rows[p] = {
                    "baseline_mean": float(b[p].mean()),
                    "treatment_mean": float(t[p].mean()),
                    "mean_diff": float(dp.mean()),
                    "ci_low": float(lo[k]),
                    "ci_high": float(hi[k]),
                    "effect_size": _cohen_dz(dp),
                    "share_better": float(beats.mean()),
                    "n_replicates": n_rep,
                }
    for p in range(n_points):
        if not rows[p]:
            rows[p] = _pair_summary(b[p], t[p], n_boot, seed, ci, higher_is_better)
    table = pd.DataFrame(rows, index=pd.Index(ds[SWEEP_DIM].values, name=SWEEP_DIM))
    for k, name in enumerate(sweep_parameters(ds)):
        table.insert(k, name, np.asarray(ds[name].values))
    warn_few_replicates(
        int(table["n_replicates"].min()) if len(table) else 0,
        f"{variable}: {treatment} vs {baseline} (per point)",
    )
    table.attrs.update(
        {
            "variable": variable,
            "baseline": baseline,
            "treatment": treatment,
            "time": selection.label,
            "site": site or POOLED,
        }
    )
    return table


# ------------------------------------------------------------- replicates needed


def replicates_needed(
    source: xr.Dataset | CompareResult | Sequence[float] | np.ndarray,
    target_ci_width: float,
    baseline: str | None = None,
    treatment: str | None = None,
    variable: str | None = None,
    *,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    select: Mapping[str, Any] | None = None,
    site: str = POOLED,
    ci: float = 0.95,
) -> int:
    """Replicates needed for a confidence interval of a given total width.

    Uses the normal approximation ``n = ceil((2 * z * sd / width) ** 2)``
    (z = 1.96 for 95 %), with ``sd`` the standard deviation of the paired
    differences observed so far. It is a planning figure: with few
    replicates ``sd`` itself is uncertain, and the bootstrap CI of small
    samples is somewhat wider than the normal one.

    Parameters
    ----------
    source
        Paired differences (array-like), a :class:`CompareResult` (its
        ``site`` column of ``diffs`` is used), or a dataset (then
        ``baseline``, ``treatment`` and ``variable`` are required).
    target_ci_width
        Desired total width (upper minus lower bound), in the variable's units.
    baseline, treatment, variable, at, window, select
        As in :func:`compare`, when ``source`` is a dataset.
    site
        Site id, or ``"pooled"`` (default).
    ci
        Confidence level.

    Returns
    -------
    int
        Number of replicates, at least 2.
    """
    if not target_ci_width > 0:
        raise ValueError(f"target_ci_width must be > 0, got {target_ci_width}")
    if isinstance(source, xr.Dataset):
        if baseline is None or treatment is None or variable is None:
            raise ValueError("with a dataset, give baseline, treatment and variable")
        source = compare(source, baseline, treatment, variable, at=at, window=window, select=select, n_boot=1)
    if isinstance(source, CompareResult):
        if site not in source.diffs.columns:
            raise ValueError(
                f"site {site!r} not in the comparison; available: " f"{', '.join(source.diffs.columns)}"
            )
        d = source.diffs[site].to_numpy(dtype=float)
    else:
        d = np.asarray(source, dtype=float).ravel()
    d = d[np.isfinite(d)]
    if d.size < 2:
        raise ValueError("at least 2 paired differences are needed to estimate their spread")
    sd = float(d.std(ddof=1))
    n = math.ceil((2.0 * normal_quantile(ci) * sd / float(target_ci_width)) ** 2)
    return max(n, 2)
