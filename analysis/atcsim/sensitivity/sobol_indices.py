"""Sobol indices: first order (Saltelli et al. 2010) and total (Jansen 1999), with bootstrap CIs."""

from __future__ import annotations

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
from ..dataset import sweep_parameters, sweep_table
from ..errors import SweepError
from ..time_selection import TimeSpec
from .results import SobolResult, parameter_table, result_fields
from .sweep_response import compute_response, require_method

__all__ = ["sobol"]


def _sobol_matrices(ds: xr.Dataset, f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """(fA, fB, fAB) over complete base samples, their count and the total count."""
    k = len(sweep_parameters(ds))
    for coord in ("sweep_role", "sweep_group", "sweep_factor"):
        if coord not in ds.coords:
            raise SweepError(
                f"the sweep has no {coord!r} coordinate: cannot identify the " "Saltelli A, B and AB samples"
            )
    df = pd.DataFrame(
        {
            "role": np.asarray(ds["sweep_role"].values).astype(str),
            "group": np.asarray(ds["sweep_group"].values),
            "factor": np.asarray(ds["sweep_factor"].values),
            "f": f,
        }
    )
    groups = np.unique(df["group"])
    a = df[df.role == "A"].drop_duplicates("group").set_index("group")["f"]
    b = df[df.role == "B"].drop_duplicates("group").set_index("group")["f"]
    ab = (
        df[df.role == "AB"]
        .drop_duplicates(["group", "factor"])
        .pivot(index="group", columns="factor", values="f")
        .reindex(index=groups, columns=range(k))
    )
    frame = pd.concat([a.reindex(groups).rename("A"), b.reindex(groups).rename("B"), ab], axis=1)
    complete = frame.notna().all(axis=1).to_numpy()
    values = frame.to_numpy(dtype=float)[complete]
    return values[:, 0], values[:, 1], values[:, 2:], int(complete.sum()), int(groups.size)


def _sobol_estimates(
    fa: np.ndarray, fb: np.ndarray, fab: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S1, ST (..., k) and V (...) from fA, fB (..., N) and fAB (..., N, k).

    Leading axes (bootstrap resamples) broadcast. The output is centred on
    the mean over A and B first: that leaves both estimators' expectations
    unchanged (E[f_ABj - f_A] = 0) and removes the variance the mean adds to
    the S1 estimator.
    """
    n = fa.shape[-1]
    both = np.concatenate([fa, fb], axis=-1)
    centre = both.mean(axis=-1, keepdims=True)
    fa, fb, fab = fa - centre, fb - centre, fab - centre[..., None]
    variance = both.var(axis=-1, ddof=1)
    diff = fab - fa[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = variance[..., None]
        s1 = (fb[..., None] * diff).sum(axis=-2) / n / v  # Saltelli et al. (2010)
        st = 0.5 * (diff**2).sum(axis=-2) / n / v  # Jansen (1999)
    return s1, st, variance


def sobol(
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
) -> SobolResult:
    """First-order and total Sobol indices from a ``method = "sobol"`` sweep.

    The sweep holds, for each base index i = 1..N, the points A_i, B_i and
    AB_i^j (A_i with parameter j taken from B_i), j = 1..k. With f the
    response (:func:`response`) and V its variance over the 2N points of A
    and B:

    - first order (Saltelli et al. 2010, table 2 (b)):
      ``S1_j = mean_i(f(B_i) (f(AB_i^j) - f(A_i))) / V``;
    - total (Jansen 1999): ``ST_j = mean_i((f(A_i) - f(AB_i^j))^2) / (2 V)``.

    The response is centred on its A/B mean first (this does not change the
    estimators' expectations and reduces the variance of S1's). Confidence
    intervals resample the N base samples (each with its A, B and AB rows)
    with replacement; they treat the Sobol sequence as random sampling,
    which overstates the error of quasi-random points, so they are
    conservative.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open` holding a Sobol sweep.
    variable
        Indicator name.
    at, window
        Time point (default: last recorded time) or window to average over.
    scenario
        Scenario name; may be omitted when the file has one scenario.
    site
        Site id; default: the unweighted mean over sites.
    select
        Value of extra dimensions, e.g. ``{"theme": "employment"}``.
    baseline
        Screen the paired treatment effect ``scenario - baseline`` (per
        replicate and site, then averaged) instead of the level of
        ``scenario`` (issue 13: which parameters move the intervention's
        effect, not only the outcome).
    n_boot, seed, ci
        Bootstrap resamples, seed and confidence level.

    Returns
    -------
    SobolResult
        ``result.table``: one row per parameter with ``S1``, ``ST``, their
        CIs and bootstrap standard errors.

    Raises
    ------
    SweepError
        Not a Sobol sweep, several scenarios and no ``scenario=``, or fewer
        than 2 complete base samples.
    """
    check_boot_args(n_boot, ci)
    require_method(ds, "sobol", "sobol()")
    r = compute_response(ds, variable, at, window, scenario, site, select, baseline)
    params = sweep_parameters(ds)
    fa, fb, fab, n, n_total = _sobol_matrices(ds, r.values)
    notes = []
    if n < n_total:
        notes.append(
            f"{n_total - n} of {n_total} base samples are incomplete (missing or NaN "
            "values) and were left out"
        )
    if n < 2:
        raise SweepError(f"{variable}: only {n} complete Sobol base sample(s); need at least 2")
    s1, st, variance = _sobol_estimates(fa, fb, fab)
    k = len(params)
    boot_s1 = np.empty((n_boot, k))
    boot_st = np.empty((n_boot, k))
    for start, stop, idx in resample_blocks(seed, n, n_boot, max(1, RESAMPLE_BLOCK // (n * (k + 2) * 3))):
        boot_s1[start:stop], boot_st[start:stop], _ = _sobol_estimates(fa[idx], fb[idx], fab[idx])
    s1_lo, s1_hi = percentile_intervals(boot_s1, ci)
    st_lo, st_hi = percentile_intervals(boot_st, ci)
    if not variance > 0:
        notes.append("the response does not vary over the sweep (V = 0): indices are undefined")
    parameters = sweep_table(ds)
    table = parameter_table(
        parameters,
        params,
        {
            "S1": s1,
            "S1_ci_low": s1_lo,
            "S1_ci_high": s1_hi,
            "S1_se": _nanstd(boot_s1, 0),
            "ST": st,
            "ST_ci_low": st_lo,
            "ST_ci_high": st_hi,
            "ST_se": _nanstd(boot_st, 0),
        },
    )
    both = np.concatenate([fa, fb])
    return SobolResult(
        table=table,
        **result_fields(ds, r, variable, parameters, ci, n_boot, seed, notes),
        n_base=n,
        n_base_total=n_total,
        variance=float(variance),
        mean=float(both.mean()),
    )


def _nanstd(x: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(np.where(np.isfinite(x), x, np.nan), axis=axis, ddof=1)
