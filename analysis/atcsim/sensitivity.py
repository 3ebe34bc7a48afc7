"""Sensitivity analysis of parameter sweeps: Sobol indices, Morris screening, rank correlations.

An ``atcsim run`` whose config has a ``[sweep]`` section writes one run per
(scenario, point, replicate): the indicators get a ``point`` dimension, with
the swept parameters' values as coordinates and the design's structure in
``sweep_role``, ``sweep_group`` and ``sweep_factor`` (see
``docs/sensitivity.md``). This module turns such a file into sensitivity
measures:

- :func:`sobol`: first-order and total Sobol indices (``method = "sobol"``),
  with the Saltelli et al. (2010) estimator of S1 and the Jansen (1999)
  estimator of ST, and bootstrap confidence intervals;
- :func:`morris`: Morris (1991) elementary effects, summarised by mu, mu*
  (Campolongo et al. 2007) and sigma (``method = "morris"``);
- :func:`correlations`: Spearman rank correlations between each parameter
  and the output, for any design (the natural summary of ``grid`` and ``lhs``
  sweeps);
- :func:`plot_sobol`, :func:`plot_morris`, :func:`plot_response`: figures.

Every estimator works on one scalar output per parameter point, the
*response* (:func:`response`): the indicator at one time (default: the last
recorded time) or averaged over a window, in one scenario, averaged over
replicates and over sites (or at one site). Averaging over replicates
estimates the sensitivity of the model's *expected* output; replicate noise
that survives the average adds variance that no parameter explains (it
inflates total indices and sigma), so stochastic models need enough
replicates per point.

All bootstrap resampling uses ``numpy.random.default_rng(seed)`` with
:data:`atcsim.DEFAULT_SEED` by default, so results are reproducible.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from .dataset import (
    SWEEP_DIM,
    is_sweep,
    require_variable,
    sweep_method,
    sweep_parameters,
    sweep_table,
)
from .errors import SweepError
from .stats import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    TimeSpec,
    _TableRepr,
    _check_boot_args,
    _check_site,
    _select_extra,
    _selection_label,
    check_scenarios,
    select_time,
)

__all__ = [
    "SensitivityResult",
    "SobolResult",
    "MorrisResult",
    "CorrelationResult",
    "response",
    "sobol",
    "morris",
    "correlations",
    "plot_sobol",
    "plot_morris",
    "plot_response",
]

# Bootstrap resamples are processed in blocks of about this many numbers.
_BLOCK = 4_000_000


# ------------------------------------------------------------------- response


@dataclass(frozen=True)
class _Response:
    values: np.ndarray  # one value per point (NaN where missing)
    scenario: str
    time_label: str
    description: str
    units: str
    label: str


def _resolve_scenario(ds: xr.Dataset, scenario: str | None) -> str:
    names = [str(s) for s in ds["scenario"].values]
    if scenario is None:
        if len(names) == 1:
            return names[0]
        raise SweepError(
            f"the file has {len(names)} scenarios ({', '.join(names)}); sensitivity indices are "
            "computed for one scenario at a time: pass scenario=NAME"
        )
    check_scenarios(ds, scenario)
    return scenario


def _response(
    ds: xr.Dataset,
    variable: str,
    at: TimeSpec,
    window: tuple[TimeSpec, TimeSpec] | None,
    scenario: str | None,
    site: str | None,
    select: Mapping[str, Any] | None,
) -> _Response:
    if not is_sweep(ds):
        raise SweepError(
            "the data hold no parameter sweep (no 'point' dimension): run atcsim with a "
            "[sweep] section in the config (see docs/sensitivity.md)"
        )
    da = _select_extra(require_variable(ds, variable), select)
    scenario = _resolve_scenario(ds, scenario)
    selection = select_time(ds, at, window)
    da = selection.reduce(da.sel(scenario=scenario))
    n_rep, n_site = ds.sizes["replicate"], ds.sizes["site"]
    if site is not None:
        _check_site(ds, site)
        da = da.sel(site=site)
        where = f"site {site}"
    else:
        where = "mean over sites" if n_site > 1 else f"site {ds['site'].values[0]}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN points stay NaN
        reduce_dims = [d for d in ("replicate", "site") if d in da.dims]
        da = da.mean(reduce_dims, skipna=False)
    values = np.asarray(da.transpose(SWEEP_DIM).values, dtype=float)
    reps = f"mean over {n_rep} replicates" if n_rep > 1 else "1 replicate"
    label = _selection_label(variable, select)
    description = f"{label} at {selection.label}, scenario {scenario}; per point: {reps}, " f"{where}" + (
        f" ({n_site} sites, equally weighted)" if site is None and n_site > 1 else ""
    )
    return _Response(
        values, scenario, selection.label, description, str(ds[variable].attrs.get("units", "")), label
    )


def response(
    ds: xr.Dataset,
    variable: str,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    *,
    scenario: str | None = None,
    site: str | None = None,
    select: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The scalar output analysed at each point of a sweep.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open` with a ``point`` dimension.
    variable
        Indicator name.
    at, window
        Time point (default: last recorded time) or window to average over;
        see :func:`atcsim.select_time`.
    scenario
        Scenario name; may be omitted when the file has one scenario.
    site
        Site id; default: the unweighted mean over sites.
    select
        Value of extra dimensions, e.g. ``{"theme": "employment"}``.

    Returns
    -------
    pandas.DataFrame
        Index ``point``; one column per swept parameter, ``sweep_role``,
        ``sweep_group``, ``sweep_factor`` (when present) and ``value`` (the
        indicator, mean over replicates and sites). ``attrs["description"]``
        says what was computed.
    """
    r = _response(ds, variable, at, window, scenario, site, select)
    return _point_frame(ds, r)


def _point_frame(ds: xr.Dataset, r: _Response) -> pd.DataFrame:
    data = {name: np.asarray(ds[name].values) for name in sweep_parameters(ds)}
    for coord in ("sweep_role", "sweep_group", "sweep_factor"):
        if coord in ds.coords:
            values = np.asarray(ds[coord].values)
            data[coord] = values.astype(str) if coord == "sweep_role" else values
    data["value"] = r.values
    df = pd.DataFrame(data, index=pd.Index(np.asarray(ds[SWEEP_DIM].values), name=SWEEP_DIM))
    df.attrs["description"] = r.description
    return df


def _require_method(ds: xr.Dataset, wanted: str, function: str) -> None:
    method = sweep_method(ds)
    if not is_sweep(ds):
        raise SweepError(
            f"{function} needs a parameter sweep, but the data have no 'point' dimension: add a "
            f'[sweep] section with method = "{wanted}" to the config (see docs/sensitivity.md)'
        )
    if method != wanted:
        hint = {"sobol": "use atcsim.sensitivity.sobol", "morris": "use atcsim.sensitivity.morris"}
        other = hint.get(method, "use atcsim.sensitivity.correlations")
        raise SweepError(
            f'{function} needs a sweep with method = "{wanted}", but this one is '
            f"{method or 'of unknown method'!r}: {other}, or run a {wanted} design"
        )


def _unit_values(ds: xr.Dataset) -> np.ndarray:
    """Swept parameter values mapped back to the unit hypercube (points x k)."""
    table = sweep_table(ds)
    columns = []
    for name, row in table.iterrows():
        x = np.asarray(ds[name].values, dtype=float)
        lo, hi = float(row["min"]), float(row["max"])
        if row["scale"] == "log":
            u = (np.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo))
        else:
            u = (x - lo) / (hi - lo) if hi != lo else np.zeros_like(x)
        columns.append(u)
    return np.column_stack(columns) if columns else np.empty((ds.sizes[SWEEP_DIM], 0))


def _interval(samples: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0, ignoring non-finite resamples."""
    alpha = 1.0 - ci
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanquantile(
            np.where(np.isfinite(samples), samples, np.nan), [alpha / 2.0, 1.0 - alpha / 2.0], axis=0
        )
    return lo, hi


def _resamples(seed: int, n: int, n_boot: int, step: int) -> Iterator[tuple[int, int, np.ndarray]]:
    """Bootstrap resamples of n items, ``step`` at a time: (start, stop, indices (stop-start, n)).

    Every block is drawn in turn from one ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        yield start, stop, rng.integers(0, n, size=(stop - start, n))


def _parameter_table(parameters: pd.DataFrame, params: list[str], columns: Mapping[str, Any]) -> pd.DataFrame:
    """Result table: index ``parameter``, column ``key`` (config key), then ``columns``."""
    keys = parameters["key"]
    return pd.DataFrame(
        {"key": [keys[p] for p in params], **columns}, index=pd.Index(params, name="parameter")
    )


def _result_fields(
    ds: xr.Dataset,
    r: _Response,
    variable: str,
    parameters: pd.DataFrame,
    ci: float,
    n_boot: int,
    seed: int,
    notes: list[str],
) -> dict[str, Any]:
    """Keyword arguments shared by every :class:`SensitivityResult` (all but ``table``)."""
    return dict(
        data=_point_frame(ds, r),
        variable=variable,
        scenario=r.scenario,
        time_label=r.time_label,
        description=r.description,
        units=r.units,
        label=r.label,
        ci=ci,
        n_boot=int(n_boot),
        seed=int(seed),
        notes=notes,
        parameters=parameters,
    )


def _nanstd(x: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(np.where(np.isfinite(x), x, np.nan), axis=axis, ddof=1)


# -------------------------------------------------------------------- results


@dataclass(repr=False)
class SensitivityResult(_TableRepr):
    """Common part of the sensitivity results.

    Attributes
    ----------
    table
        One row per swept parameter (index: coordinate name, e.g.
        ``model_x1``; column ``key`` is the config key, e.g. ``model.x1``).
    data
        The response per point (see :func:`response`): the swept parameters'
        values and ``value``.
    description
        What was analysed: indicator, time, scenario, how replicates and
        sites were reduced.
    parameters
        The swept parameters (:func:`atcsim.sweep_table`): key, units, min,
        max, scale.
    notes
        Caveats found while computing (e.g. incomplete design groups left out).
    """

    table: pd.DataFrame
    data: pd.DataFrame
    variable: str
    scenario: str
    time_label: str
    description: str
    units: str = ""
    label: str = ""
    ci: float = 0.95
    n_boot: int = DEFAULT_N_BOOT
    seed: int = DEFAULT_SEED
    notes: list[str] = field(default_factory=list)
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)

    method = ""

    def _header(self) -> str:
        return f"{self.method}: {self.description}"

    def _notes(self) -> list[str]:
        return self.notes


@dataclass(repr=False)
class SobolResult(SensitivityResult):
    """First-order (``S1``) and total (``ST``) Sobol indices of each parameter.

    ``table`` columns: ``key``, ``S1``, ``S1_ci_low``, ``S1_ci_high``,
    ``S1_se`` (bootstrap standard error), ``ST``, ``ST_ci_low``,
    ``ST_ci_high``, ``ST_se``. ``variance`` and ``mean`` are those of the
    response over the A and B samples; ``n_base`` is the number of complete
    base samples used (of ``n_base_total``).
    """

    n_base: int = 0
    n_base_total: int = 0
    variance: float = math.nan
    mean: float = math.nan
    method = "Sobol indices"

    def _header(self) -> str:
        return (
            f"Sobol indices (S1: Saltelli et al. 2010, ST: Jansen 1999) of "
            f"{self.description}; N = {self.n_base} base samples, V = {self.variance:.4g}; "
            f"{self.ci:.0%} percentile bootstrap CIs ({self.n_boot} resamples of the base "
            f"samples, seed {self.seed})"
        )


@dataclass(repr=False)
class MorrisResult(SensitivityResult):
    """Morris elementary effects summarised per parameter.

    ``table`` columns: ``key``, ``mu`` (mean elementary effect), ``mu_star``
    (mean absolute effect), ``mu_star_ci_low``, ``mu_star_ci_high``,
    ``sigma`` (standard deviation of the effects), ``sigma_ci_low``,
    ``sigma_ci_high``, ``n_effects``, ``rank`` (1 = largest mu*). Effects
    are in output units per unit of the parameter's range scaled to [0, 1]
    (on the log scale for log-scaled parameters), so they compare across
    parameters. ``effects`` holds every elementary effect (trajectory x
    parameter).
    """

    effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_trajectories: int = 0
    n_trajectories_total: int = 0
    levels: int = 0
    delta: float = math.nan
    method = "Morris screening"

    @property
    def ranking(self) -> list[str]:
        """Parameters by decreasing mu*."""
        return list(self.table.sort_values("mu_star", ascending=False).index)

    def _header(self) -> str:
        return (
            f"Morris elementary effects (mu* after Campolongo et al. 2007) of "
            f"{self.description}; r = {self.n_trajectories} trajectories, "
            f"p = {self.levels} levels, Delta = {self.delta:.3g} (unit scale); "
            f"{self.ci:.0%} percentile bootstrap CIs ({self.n_boot} resamples of the "
            f"trajectories, seed {self.seed})"
        )


@dataclass(repr=False)
class CorrelationResult(SensitivityResult):
    """Spearman rank correlation of each parameter with the response.

    ``table`` columns: ``key``, ``rho``, ``rho_ci_low``, ``rho_ci_high``,
    ``n_points``.
    """

    n_points: int = 0
    method = "Rank correlations"

    def _header(self) -> str:
        return (
            f"Spearman rank correlations of {self.description}; {self.n_points} points; "
            f"{self.ci:.0%} percentile bootstrap CIs ({self.n_boot} resamples of the "
            f"points, seed {self.seed})"
        )


# ---------------------------------------------------------------------- Sobol


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
    _check_boot_args(n_boot, ci)
    _require_method(ds, "sobol", "sobol()")
    r = _response(ds, variable, at, window, scenario, site, select)
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
    for start, stop, idx in _resamples(seed, n, n_boot, max(1, _BLOCK // (n * (k + 2) * 3))):
        boot_s1[start:stop], boot_st[start:stop], _ = _sobol_estimates(fa[idx], fb[idx], fab[idx])
    s1_lo, s1_hi = _interval(boot_s1, ci)
    st_lo, st_hi = _interval(boot_st, ci)
    if not variance > 0:
        notes.append("the response does not vary over the sweep (V = 0): indices are undefined")
    parameters = sweep_table(ds)
    table = _parameter_table(
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
        **_result_fields(ds, r, variable, parameters, ci, n_boot, seed, notes),
        n_base=n,
        n_base_total=n_total,
        variance=float(variance),
        mean=float(both.mean()),
    )


# --------------------------------------------------------------------- Morris


def _morris_effects(ds: xr.Dataset, f: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Elementary effects (trajectories x k) over complete trajectories, and counts."""
    params = sweep_parameters(ds)
    k = len(params)
    for coord in ("sweep_group", "sweep_factor"):
        if coord not in ds.coords:
            raise SweepError(
                f"the sweep has no {coord!r} coordinate: cannot follow the Morris " "trajectories"
            )
    units = _unit_values(ds)
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
    ds, variable, at, window, scenario, site, select, n_boot, seed, ci
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
    _check_boot_args(n_boot, ci)
    _require_method(ds, "morris", "morris()")
    r = _response(ds, variable, at, window, scenario, site, select)
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
    for start, stop, idx in _resamples(seed, n, n_boot, max(1, _BLOCK // max(1, n * k * 3))):
        _, boot_star[start:stop], boot_sigma[start:stop] = _morris_stats(ee[idx])
    if n < 2:
        boot_star[:] = np.nan
        boot_sigma[:] = np.nan
    star_lo, star_hi = _interval(boot_star, ci)
    sigma_lo, sigma_hi = _interval(boot_sigma, ci)
    parameters = sweep_table(ds)
    table = _parameter_table(
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
        **_result_fields(ds, r, variable, parameters, ci, n_boot, seed, notes),
        effects=pd.DataFrame(ee, columns=pd.Index(params, name="parameter")),
        n_trajectories=n,
        n_trajectories_total=n_total,
        levels=levels,
        delta=delta,
    )


# --------------------------------------------------------------- correlations


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
    ds, variable, at, window, scenario, site, select, n_boot, seed, ci
        As in :func:`sobol`.

    Returns
    -------
    CorrelationResult
    """
    _check_boot_args(n_boot, ci)
    r = _response(ds, variable, at, window, scenario, site, select)
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
    for start, stop, idx in _resamples(seed, n, n_boot, max(1, _BLOCK // (n * 4))):
        idx = idx + n * np.arange(stop - start)[:, None]
        counts = np.bincount(idx.ravel(), minlength=idx.size).reshape(-1, n).astype(float)
        boot[start:stop] = _spearman(counts, x, y)
    lo, hi = _interval(boot, ci)
    parameters = sweep_table(ds)
    table = _parameter_table(
        parameters, params, {"rho": rho, "rho_ci_low": lo, "rho_ci_high": hi, "n_points": n}
    )
    return CorrelationResult(
        table=table, **_result_fields(ds, r, variable, parameters, ci, n_boot, seed, notes), n_points=n
    )


# ---------------------------------------------------------------------- plots


def _error(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    err = np.vstack([values - lo, hi - values])
    return np.where(np.isfinite(err), np.clip(err, 0, None), 0.0)


def _title(result: SensitivityResult) -> str:
    return f"{result.label or result.variable}, {result.scenario}, {result.time_label}"


def plot_sobol(result: SobolResult) -> Figure:
    """Bar chart of first-order (S1) and total (ST) indices with their CIs.

    Parameters
    ----------
    result
        Output of :func:`sobol`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table
    k = len(t)
    fig = Figure(figsize=(max(5.0, 1.1 * k + 2.5), 3.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(k)
    width = 0.38
    for offset, name, color, label in (
        (-width / 2, "S1", "C0", "first order S1"),
        (width / 2, "ST", "C1", "total ST"),
    ):
        values = t[name].to_numpy(dtype=float)
        ax.bar(x + offset, np.nan_to_num(values), width, color=color, label=label)
        err = _error(values, t[f"{name}_ci_low"].to_numpy(float), t[f"{name}_ci_high"].to_numpy(float))
        ok = np.isfinite(values)
        if ok.any():
            ax.errorbar(
                (x + offset)[ok],
                values[ok],
                yerr=err[:, ok],
                fmt="none",
                ecolor="black",
                elinewidth=1,
                capsize=3,
            )
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels(
        list(t["key"]), rotation=30 if k > 5 else 0, ha="right" if k > 5 else "center", fontsize=9
    )
    top = np.nanmax(np.r_[t["S1_ci_high"].to_numpy(float), t["ST_ci_high"].to_numpy(float), 1.0])
    bottom = np.nanmin(np.r_[t["S1_ci_low"].to_numpy(float), 0.0])
    ax.set_ylim(min(bottom, 0.0) - 0.02, max(top, 1.0) + 0.05)
    ax.set_ylabel("Sobol index (share of variance)")
    ax.set_title(f"{_title(result)}\nN = {result.n_base}, {result.ci:.0%} bootstrap CIs", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def plot_morris(result: MorrisResult) -> Figure:
    """Morris plane: mu* (x) against sigma (y), one labelled point per parameter.

    Error bars are the bootstrap CIs of mu* and sigma. The dashed line
    sigma = mu* separates parameters whose effect is mostly linear and
    additive (below) from those dominated by non-linearity or interactions
    (above).

    Parameters
    ----------
    result
        Output of :func:`morris`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table
    fig = Figure(figsize=(6.2, 4.6), layout="constrained")
    ax = fig.subplots()
    ms = t["mu_star"].to_numpy(float)
    sd = t["sigma"].to_numpy(float)
    ok = np.isfinite(ms) & np.isfinite(sd)
    if ok.any():
        xerr = _error(ms, t["mu_star_ci_low"].to_numpy(float), t["mu_star_ci_high"].to_numpy(float))
        yerr = _error(sd, t["sigma_ci_low"].to_numpy(float), t["sigma_ci_high"].to_numpy(float))
        ax.errorbar(
            ms[ok],
            sd[ok],
            xerr=xerr[:, ok],
            yerr=yerr[:, ok],
            fmt="o",
            color="C0",
            ecolor="C0",
            elinewidth=0.8,
            capsize=2,
        )
    for key, x, y in zip(t["key"], ms, sd):
        if np.isfinite(x) and np.isfinite(y):
            ax.annotate(str(key), (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
    finite = np.r_[
        ms[np.isfinite(ms)],
        sd[np.isfinite(sd)],
        t["mu_star_ci_high"].to_numpy(float),
        t["sigma_ci_high"].to_numpy(float),
    ]
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) * 1.1 if finite.size and finite.max() > 0 else 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=1, label="sigma = mu*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    units = (
        f" [{result.units} per unit range]"
        if result.units and result.units != "1"
        else " (per unit of normalised range)"
    )
    ax.set_xlabel(f"mu* (mean |elementary effect|){units}", fontsize=9)
    ax.set_ylabel("sigma (sd of elementary effects)", fontsize=9)
    ax.set_title(
        f"{_title(result)}\nr = {result.n_trajectories} trajectories, " f"{result.ci:.0%} bootstrap CIs",
        fontsize=10,
    )
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def plot_response(result: SensitivityResult, *, max_points: int = 4000) -> Figure:
    """The response at each point against each swept parameter (one panel each).

    When a parameter takes few distinct values (a grid), the mean response
    at each value is drawn as a line: the parameter's main effect.

    Parameters
    ----------
    result
        Output of :func:`sobol`, :func:`morris` or :func:`correlations`.
    max_points
        At most this many points are drawn (an evenly spaced subset).

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = result.data
    params = list(result.table.index)
    keys = list(result.table["key"])
    k = len(params)
    ncols = min(4, max(1, k))
    nrows = math.ceil(k / ncols) if k else 1
    fig = Figure(figsize=(max(5.5, 3.0 * ncols + 0.6), 2.6 * nrows + 0.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel())
    y = data["value"].to_numpy(float)
    step = max(1, math.ceil(len(y) / max_points))
    for ax, name, key in zip(axes, params, keys):
        x = data[name].to_numpy(float)
        ax.plot(x[::step], y[::step], linestyle="none", marker=".", markersize=3, alpha=0.35, color="C0")
        levels = np.unique(x[np.isfinite(x)])
        if 1 < levels.size <= 25:
            means = [np.nanmean(y[x == v]) if np.isfinite(y[x == v]).any() else np.nan for v in levels]
            ax.plot(levels, means, color="C3", marker="o", markersize=4, linewidth=1.5, label="mean")
        ax.set_xlabel(str(key), fontsize=9)
        if name in result.parameters.index and result.parameters.loc[name, "scale"] == "log":
            ax.set_xscale("log")
        ax.grid(alpha=0.3)
    for ax in axes[k:]:
        ax.set_axis_off()
    units = f" [{result.units}]" if result.units and result.units != "1" else ""
    axes[0].set_ylabel(f"{result.label or result.variable}{units}", fontsize=9)
    fig.suptitle(f"{_title(result)}\none dot per point", fontsize=10, x=0.02, ha="left")
    return fig
