"""Paired comparison of scenarios: effects, bootstrap CIs, cost-effectiveness.

Replicate ``r`` of every scenario shares its random numbers with replicate
``r`` of every other scenario (common random numbers), so the natural unit of
comparison is the *paired difference* ``treatment[r] - baseline[r]``. All
statistics here are computed on paired differences, and all uncertainty comes
from a percentile bootstrap over replicates using ``numpy.random.default_rng``
with a fixed default seed, so results are reproducible.
"""

from __future__ import annotations

import datetime as _dt
import math
import statistics
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import SWEEP_DIM, extra_dims, require_variable, site_labels, sweep_parameters
from .errors import FewReplicatesWarning, ScenarioNotFoundError, SweepError, TimeSelectionError

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_N_BOOT",
    "MIN_RELIABLE_REPLICATES",
    "POOLED",
    "COST_VARIABLES",
    "CompareResult",
    "CostEffectivenessResult",
    "TimeSelection",
    "bootstrap_ci",
    "compare",
    "compare_by_point",
    "cost_effectiveness",
    "replicates_needed",
    "select_time",
    "check_scenarios",
]

#: Default bootstrap seed (the first Monday of the ATC experiment, 2019-09-02).
DEFAULT_SEED = 20190902
#: Default number of bootstrap resamples.
DEFAULT_N_BOOT = 2000
#: Below this many replicates a :class:`FewReplicatesWarning` is emitted.
MIN_RELIABLE_REPLICATES = 10
#: Row label of the pooled (all sites) result.
POOLED = "pooled"
#: Cumulative cost indicators used by :func:`cost_effectiveness`.
COST_VARIABLES = ("avoided_costs_eur", "intervention_cost_eur")

TimeSpec = Union[str, int, np.integer, np.datetime64, pd.Timestamp, _dt.date, None]


# --------------------------------------------------------------------------- time


@dataclass(frozen=True)
class TimeSelection:
    """Positions on the time axis and a human-readable label for them."""

    indices: np.ndarray
    label: str

    def reduce(self, da: xr.DataArray) -> xr.DataArray:
        """Select one time point, or average over the window, removing ``time``."""
        if len(self.indices) == 1:
            return da.isel(time=int(self.indices[0]))
        return da.isel(time=self.indices).mean("time", skipna=True, keep_attrs=True)


def select_time(
    ds: xr.Dataset | xr.DataArray,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
) -> TimeSelection:
    """Resolve ``at`` or ``window`` to positions on the time axis.

    Parameters
    ----------
    ds
        Dataset or DataArray with a ``time`` dimension.
    at
        ``None`` or ``"last"`` (last recorded time), ``"first"``, a date
        (``"2021-12-31"``, matched to the nearest recorded time, at most one
        step away), a non-negative model step number (matched against the
        ``step`` coordinate, or a position when there is none), or a negative
        position counted from the end (``-1`` is the last time).
    window
        ``(start, end)``, each given like ``at``; inclusive. Exclusive with
        ``at``.

    Returns
    -------
    TimeSelection

    Raises
    ------
    TimeSelectionError
        The date or step is not on the recorded time axis.
    """
    if ds.sizes.get("time", 0) == 0:
        raise TimeSelectionError("the time axis is empty")
    if window is not None:
        if at is not None:
            raise TimeSelectionError("give either at= or window=, not both")
        if len(window) != 2:
            raise TimeSelectionError(f"window must be (start, end), got {window!r}")
        i0, i1 = (_time_index(ds, w) for w in window)
        if i0 > i1:
            raise TimeSelectionError(f"window start {window[0]!r} is after its end {window[1]!r}")
        indices = np.arange(i0, i1 + 1)
        label = (
            f"mean over {_time_label(ds, i0)} to {_time_label(ds, i1)} " f"({len(indices)} recorded times)"
        )
        return TimeSelection(indices, label)
    i = _time_index(ds, at)
    return TimeSelection(np.array([i]), _time_label(ds, i))


def _time_index(ds: xr.Dataset | xr.DataArray, spec: TimeSpec) -> int:
    n = ds.sizes["time"]
    if spec is None:
        return n - 1
    if isinstance(spec, (bool, np.bool_)):
        raise TimeSelectionError(f"invalid time {spec!r}: give a date or a step number")
    if isinstance(spec, (int, np.integer)):
        return _step_index(ds, int(spec))
    if isinstance(spec, str) and spec.strip().lower() in ("last", "end"):
        return n - 1
    if isinstance(spec, str) and spec.strip().lower() in ("first", "start"):
        return 0
    return _date_index(ds, spec)


def _step_index(ds: xr.Dataset | xr.DataArray, step: int) -> int:
    n = ds.sizes["time"]
    if step < 0:
        if -step > n:
            raise TimeSelectionError(f"position {step} is out of range: {n} recorded times")
        return n + step
    if "step" in ds.coords:
        steps = np.asarray(ds["step"].values)
        hits = np.flatnonzero(steps == step)
        if hits.size:
            return int(hits[0])
        raise TimeSelectionError(
            f"step {step} is not recorded; recorded steps run from {steps.min()} to {steps.max()}"
            f" ({n} recorded times)"
        )
    if step >= n:
        raise TimeSelectionError(f"step {step} is out of range: {n} recorded times")
    return step


def _date_index(ds: xr.Dataset | xr.DataArray, spec: TimeSpec) -> int:
    times = np.asarray(ds["time"].values)
    if not np.issubdtype(times.dtype, np.datetime64):
        raise TimeSelectionError("the time axis is not decoded to dates; give a step number")
    try:
        target = pd.Timestamp(spec)
    except (TypeError, ValueError):
        raise TimeSelectionError(f"cannot read {spec!r} as a date (YYYY-MM-DD) or a step number") from None
    if target.tzinfo is not None:
        target = target.tz_convert("UTC").tz_localize(None)
    distance = np.abs(times - np.datetime64(target.to_datetime64(), "ns"))
    i = int(np.argmin(distance))
    spacing = np.median(np.diff(times)) if len(times) > 1 else np.timedelta64(1, "D")
    if distance[i] > spacing:
        first, last = (pd.Timestamp(t).date() for t in (times[0], times[-1]))
        raise TimeSelectionError(f"date {target.date()} is outside the recorded time range {first} to {last}")
    return i


def _time_label(ds: xr.Dataset | xr.DataArray, i: int) -> str:
    value = ds["time"].values[i]
    text = (
        str(pd.Timestamp(value).date())
        if np.issubdtype(np.asarray(value).dtype, np.datetime64)
        else f"time {value}"
    )
    if "step" in ds.coords:
        text += f" (step {int(ds['step'].values[i])})"
    return text


# ---------------------------------------------------------------------- bootstrap


def _resample_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap indices (n_boot, n): the same for every row given the same n and seed."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def _percentile_interval(samples: np.ndarray, ci: float) -> tuple[float, float]:
    if samples.size == 0 or not np.all(np.isfinite(samples)):
        return (math.nan, math.nan)
    alpha = 1.0 - ci
    lo, hi = np.quantile(samples, [alpha / 2.0, 1.0 - alpha / 2.0])
    return (float(lo), float(hi))


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    ci: float = 0.95,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of a mean.

    Parameters
    ----------
    values
        One value per replicate (e.g. paired differences). NaNs are dropped.
    n_boot
        Number of resamples (with replacement, of the same size).
    ci
        Confidence level, e.g. 0.95.
    seed
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    (float, float)
        Lower and upper bounds; ``(nan, nan)`` with fewer than 2 values.
    """
    _check_boot_args(n_boot, ci)
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return (math.nan, math.nan)
    means = x[_resample_indices(x.size, n_boot, seed)].mean(axis=1)
    return _percentile_interval(means, ci)


def _check_boot_args(n_boot: int, ci: float) -> None:
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be in (0, 1), got {ci}")


def _z(ci: float) -> float:
    return statistics.NormalDist().inv_cdf(1.0 - (1.0 - ci) / 2.0)


# ------------------------------------------------------------------------ compare


def _check_site(ds: xr.Dataset, site: str) -> None:
    """Raise ``ValueError`` naming the available sites when ``site`` is not one of them."""
    sites = [str(s) for s in ds["site"].values]
    if site not in sites:
        raise ValueError(f"site {site!r} is not in this file; available sites: " f"{', '.join(sites)}")


def check_scenarios(ds: xr.Dataset, *names: str) -> None:
    """Raise :class:`ScenarioNotFoundError` naming the available scenarios."""
    available = [str(s) for s in ds["scenario"].values]
    for name in names:
        if name not in available:
            raise ScenarioNotFoundError(
                f"scenario {name!r} is not in this file; available scenarios: "
                f"{', '.join(available) or 'none'}"
            )


class _TableRepr:
    """``repr`` and Jupyter HTML of a result: ``_header()``, ``table``, then any ``_notes()``."""

    def _header(self) -> str:
        raise NotImplementedError

    def _notes(self) -> Sequence[str]:
        return ()

    def __repr__(self) -> str:
        notes = "".join(f"\nnote: {n}" for n in self._notes())
        return f"{type(self).__name__}({self._header()})\n{self.table.to_string()}{notes}"

    def _repr_html_(self) -> str:
        notes = "".join(f"<p>note: {_escape(n)}</p>" for n in self._notes())
        return f"<p><b>{_escape(self._header())}</b></p>{self.table.to_html()}{notes}"


@dataclass(repr=False)
class CompareResult(_TableRepr):
    """Paired effect of ``treatment`` versus ``baseline`` on one indicator.

    Attributes
    ----------
    table
        One row per site plus a last row ``"pooled"`` (index ``site``) with
        columns ``site_name``, ``baseline_mean``, ``treatment_mean``,
        ``mean_diff`` (treatment minus baseline, paired), ``ci_low``,
        ``ci_high`` (percentile bootstrap), ``effect_size`` (paired Cohen's
        d_z = mean diff / sd of diffs), ``share_better`` (share of replicates
        where treatment beats baseline) and ``n_replicates``.
    diffs
        Paired differences, index ``replicate``, one column per site plus
        ``"pooled"`` (mean over sites per replicate).
    """

    table: pd.DataFrame
    diffs: pd.DataFrame
    variable: str
    baseline: str
    treatment: str
    time_label: str
    units: str = ""
    long_name: str = ""
    selection: Mapping[str, Any] = field(default_factory=dict)
    ci: float = 0.95
    n_boot: int = DEFAULT_N_BOOT
    seed: int = DEFAULT_SEED
    higher_is_better: bool = True

    @property
    def label(self) -> str:
        """Variable name with its extra-dimension selection, e.g. ``outcome_index[theme=youth]``."""
        return _selection_label(self.variable, self.selection)

    @property
    def pooled(self) -> pd.Series:
        """The pooled (all sites) row of :attr:`table`."""
        return self.table.loc[POOLED]

    def to_frame(self) -> pd.DataFrame:
        """The table with the comparison's metadata as leading columns."""
        df = self.table.reset_index()
        for k, (name, value) in enumerate(
            [
                ("variable", self.label),
                ("baseline", self.baseline),
                ("treatment", self.treatment),
                ("time", self.time_label),
            ]
        ):
            df.insert(k, name, value)
        return df

    def _header(self) -> str:
        units = f" [{self.units}]" if self.units else ""
        return (
            f"{self.label}{units}: {self.treatment} - {self.baseline}, {self.time_label}; "
            f"{self.ci:.0%} percentile bootstrap CI ({self.n_boot} resamples, seed {self.seed})"
        )


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
    _check_boot_args(n_boot, ci)
    check_scenarios(ds, baseline, treatment)
    if baseline == treatment:
        raise ScenarioNotFoundError(f"baseline and treatment are the same scenario {baseline!r}")
    da = _single_point(_select_extra(require_variable(ds, variable), select), "compare()")
    selection = select_time(ds, at, window)
    b, t = _paired_arrays(selection.reduce(da), baseline, treatment)
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
    _warn_few(int(table["n_replicates"].min()), f"{variable}: {treatment} vs {baseline}")
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


def _single_point(da: xr.DataArray, what: str) -> xr.DataArray:
    """``da`` without a ``point`` dimension, or a :class:`SweepError` explaining how to pick one."""
    if SWEEP_DIM not in da.dims:
        return da
    n = da.sizes[SWEEP_DIM]
    if n == 1:
        return da.isel({SWEEP_DIM: 0})
    params = sweep_parameters(da) or ["(unknown)"]
    raise SweepError(
        f"{what} works on one parameter point, but {da.name} holds a parameter sweep "
        f"({n} points over {', '.join(params)}): select a point first, e.g. "
        f"ds.isel(point=0) (its parameter values are the coordinates {', '.join(params)}), "
        "or use atcsim.compare_by_point(ds, baseline, treatment, variable) for the effect at "
        "every point, and atcsim.sensitivity for sensitivity indices"
    )


def _select_extra(da: xr.DataArray, select: Mapping[str, Any] | None) -> xr.DataArray:
    if select:
        unknown = [k for k in select if k not in extra_dims(da)]
        if unknown:
            raise TimeSelectionError(
                f"{da.name} has no extra dimension(s) {unknown}; its dimensions are {list(da.dims)}"
            )
        da = da.sel(dict(select))
    remaining = extra_dims(da)
    if remaining:
        examples = ", ".join(f"{d}={str(da[d].values[0])!r}" for d in remaining)
        raise TimeSelectionError(
            f"{da.name} has extra dimension(s) {remaining}: choose one value with "
            f"select={{...}}, e.g. select=dict({examples})"
        )
    return da


def _selection_label(variable: str, select: Mapping[str, Any] | None) -> str:
    """``variable``, or ``variable[dim=value, ...]`` with a selection of extra dimensions."""
    if not select:
        return variable
    return f"{variable}[{', '.join(f'{k}={v}' for k, v in select.items())}]"


def _paired_arrays(
    da: xr.DataArray, baseline: str, treatment: str, dims: tuple[str, str] = ("replicate", "site")
) -> tuple[np.ndarray, np.ndarray]:
    """Float arrays of the two scenarios, with dimensions ``dims`` in that order."""

    def one(name: str) -> np.ndarray:
        return np.asarray(da.sel(scenario=name).transpose(*dims).values, dtype=float)

    return one(baseline), one(treatment)


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


def _warn_few(n: int, what: str) -> None:
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
    _check_boot_args(n_boot, ci)
    check_scenarios(ds, baseline, treatment)
    if baseline == treatment:
        raise ScenarioNotFoundError(f"baseline and treatment are the same scenario {baseline!r}")
    da = _select_extra(require_variable(ds, variable), select)
    if SWEEP_DIM not in da.dims:
        raise SweepError(f"{variable} has no point dimension (not a sweep): use atcsim.compare")
    selection = select_time(ds, at, window)
    da = selection.reduce(da)
    if site is not None:
        _check_site(ds, site)
        da = da.sel(site=site)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN sites give NaN
            da = da.mean("site", skipna=True)
    b, t = _paired_arrays(da, baseline, treatment, (SWEEP_DIM, "replicate"))
    d = t - b
    n_points, n_rep = d.shape
    rows: list[dict[str, float]] = [{}] * n_points
    complete = np.isfinite(d).all(axis=1) & np.isfinite(b).all(axis=1) & np.isfinite(t).all(axis=1)
    if n_rep >= 2 and complete.any():
        # Vectorised bootstrap over complete points: the same resamples as bootstrap_ci.
        idx = _resample_indices(n_rep, n_boot, seed)
        lo_q, hi_q = (1.0 - ci) / 2.0, 1.0 - (1.0 - ci) / 2.0
        good = np.flatnonzero(complete)
        chunk = max(1, int(4e6 // (n_boot * n_rep)))
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
    _warn_few(
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
    n = math.ceil((2.0 * _z(ci) * sd / float(target_ci_width)) ** 2)
    return max(n, 2)


# ------------------------------------------------------------- cost-effectiveness


@dataclass(repr=False)
class CostEffectivenessResult(_TableRepr):
    """Avoided costs, intervention cost, net benefit and benefit-cost ratio.

    ``table`` has one row per site and a last ``"pooled"`` row (sum over
    sites), with, for each quantity, the mean over replicates and a
    percentile bootstrap CI: ``avoided_eur`` (avoided costs, treatment minus
    baseline), ``cost_eur`` (intervention cost, treatment minus baseline),
    ``net_benefit_eur`` (avoided minus cost), ``benefit_cost_ratio``
    (mean avoided / mean cost; NaN when the mean extra cost is not
    positive), plus ``share_net_positive`` and ``n_replicates``.
    """

    table: pd.DataFrame
    baseline: str
    treatment: str
    time_label: str
    ci: float = 0.95
    n_boot: int = DEFAULT_N_BOOT
    seed: int = DEFAULT_SEED

    @property
    def pooled(self) -> pd.Series:
        """The pooled (sum over sites) row of :attr:`table`."""
        return self.table.loc[POOLED]

    def _header(self) -> str:
        return (
            f"cost-effectiveness of {self.treatment} vs {self.baseline}, cumulative to "
            f"{self.time_label}; EUR; {self.ci:.0%} percentile bootstrap CIs "
            f"({self.n_boot} resamples, seed {self.seed})"
        )


def cost_effectiveness(
    ds: xr.Dataset,
    baseline: str,
    treatment: str,
    *,
    at: TimeSpec = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
) -> CostEffectivenessResult:
    """Paired cost-effectiveness of ``treatment`` versus ``baseline``.

    Uses the cumulative indicators ``avoided_costs_eur`` and
    ``intervention_cost_eur`` at the last recorded time (or ``at``). Per
    replicate: avoided = avoided[treatment] - avoided[baseline]; cost =
    cost[treatment] - cost[baseline]; net benefit = avoided - cost. The
    ratio is mean avoided / mean cost (euros avoided per extra euro spent),
    bootstrapped jointly. Pooled rows sum over sites.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    baseline, treatment
        Scenario names.
    at
        Time point (default: last); see :func:`select_time`.
    n_boot, seed, ci
        Bootstrap settings, as in :func:`compare`.

    Returns
    -------
    CostEffectivenessResult

    Raises
    ------
    VariableNotFoundError
        A cost variable is missing.
    ScenarioNotFoundError
        A scenario name is not in the file.
    SweepError
        The data hold a parameter sweep: select one point first
        (``ds.isel(point=i)``).
    """
    _check_boot_args(n_boot, ci)
    check_scenarios(ds, baseline, treatment)
    selection = select_time(ds, at)
    arrays = {}
    for name in COST_VARIABLES:
        da = _single_point(_select_extra(require_variable(ds, name), None), "cost_effectiveness()")
        b, t = _paired_arrays(selection.reduce(da), baseline, treatment)
        arrays[name] = t - b
    avoided, cost = arrays[COST_VARIABLES[0]], arrays[COST_VARIABLES[1]]
    sites = [str(s) for s in ds["site"].values]
    labels = site_labels(ds)
    rows = [_cost_summary(avoided[:, j], cost[:, j], n_boot, seed, ci) for j in range(len(sites))]
    rows.append(_cost_summary(avoided.sum(axis=1), cost.sum(axis=1), n_boot, seed, ci))
    table = pd.DataFrame(rows, index=pd.Index(sites + [POOLED], name="site"))
    table.insert(0, "site_name", [labels[s] for s in sites] + ["all sites (sum)"])
    _warn_few(int(table["n_replicates"].min()), f"cost-effectiveness: {treatment} vs {baseline}")
    return CostEffectivenessResult(
        table=table,
        baseline=baseline,
        treatment=treatment,
        time_label=selection.label,
        ci=ci,
        n_boot=int(n_boot),
        seed=int(seed),
    )


def _cost_summary(
    avoided: np.ndarray, cost: np.ndarray, n_boot: int, seed: int, ci: float
) -> dict[str, float]:
    ok = np.isfinite(avoided) & np.isfinite(cost)
    a, c = avoided[ok], cost[ok]
    n = int(a.size)
    out: dict[str, float] = {}
    if n:
        point = {
            "avoided_eur": a.mean(),
            "cost_eur": c.mean(),
            "net_benefit_eur": (a - c).mean(),
            "benefit_cost_ratio": _ratio(a.mean(), c.mean()),
        }
    else:
        point = dict.fromkeys(("avoided_eur", "cost_eur", "net_benefit_eur", "benefit_cost_ratio"), math.nan)
    if n >= 2:
        idx = _resample_indices(n, n_boot, seed)
        ma, mc = a[idx].mean(axis=1), c[idx].mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(mc > 0, ma / mc, np.nan)
        boot = {"avoided_eur": ma, "cost_eur": mc, "net_benefit_eur": ma - mc, "benefit_cost_ratio": ratio}
    else:
        boot = {}
    for key, value in point.items():
        lo, hi = _percentile_interval(boot[key], ci) if key in boot else (math.nan, math.nan)
        if key == "benefit_cost_ratio" and not math.isfinite(value):
            lo = hi = math.nan
        out[key] = float(value)
        out[f"{key}_ci_low"] = lo
        out[f"{key}_ci_high"] = hi
    out["share_net_positive"] = float(((a - c) > 0).mean()) if n else math.nan
    out["n_replicates"] = n
    return out


def _ratio(avoided: float, cost: float) -> float:
    return float(avoided / cost) if cost > 0 else math.nan


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
