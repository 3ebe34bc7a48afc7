"""The response of a sweep: one scalar per parameter point, and the design's structure.

Every estimator works on the *response*: the indicator at one time (or
averaged over a window), in one scenario, averaged over replicates and over
sites (or at one site), at each point of the sweep. With ``baseline=`` the
response is instead the *paired effect* of the scenario: scenario minus
baseline, replicate by replicate (common random numbers), then averaged, so
that screening ranks parameters by how much they move the treatment effect
rather than the levels.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ..dataset import SWEEP_DIM, is_sweep, require_variable, sweep_method, sweep_parameters, sweep_table
from ..errors import SweepError
from ..selection import check_scenarios, check_site, select_extra, selection_label
from ..time_selection import TimeSpec, select_time

__all__ = ["Response", "compute_response", "point_frame", "require_method", "response", "unit_values"]


@dataclass(frozen=True)
class Response:
    """The response at each point, and what it is (for titles and result headers)."""

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


def compute_response(
    ds: xr.Dataset,
    variable: str,
    at: TimeSpec,
    window: tuple[TimeSpec, TimeSpec] | None,
    scenario: str | None,
    site: str | None,
    select: Mapping[str, Any] | None,
    baseline: str | None = None,
) -> Response:
    """The response of ``variable`` at each point (arguments as in :func:`response`)."""
    if not is_sweep(ds):
        raise SweepError(
            "the data hold no parameter sweep (no 'point' dimension): run atcsim with a "
            "[sweep] section in the config (see docs/sensitivity.md)"
        )
    da = select_extra(require_variable(ds, variable), select)
    if baseline is not None and scenario is None:
        raise SweepError("baseline= needs scenario= (the treatment whose paired effect is screened)")
    scenario = _resolve_scenario(ds, scenario)
    selection = select_time(ds, at, window)
    if baseline is not None:
        check_scenarios(ds, baseline)
        if baseline == scenario:
            raise SweepError(f"baseline and scenario are the same scenario {baseline!r}")
        # paired per replicate (and site) before any averaging
        da = selection.reduce(da.sel(scenario=scenario)) - selection.reduce(da.sel(scenario=baseline))
    else:
        da = selection.reduce(da.sel(scenario=scenario))
    n_rep, n_site = ds.sizes["replicate"], ds.sizes["site"]
    if site is not None:
        check_site(ds, site)
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
    label = selection_label(variable, select)
    what = f"scenario {scenario} - {baseline} (paired)" if baseline is not None else f"scenario {scenario}"
    description = f"{label} at {selection.label}, {what}; per point: {reps}, " f"{where}" + (
        f" ({n_site} sites, equally weighted)" if site is None and n_site > 1 else ""
    )
    return Response(
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
    baseline: str | None = None,
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
    baseline
        Analyse the paired effect ``scenario - baseline`` (per replicate and
        site, then averaged) instead of the level of ``scenario``.

    Returns
    -------
    pandas.DataFrame
        Index ``point``; one column per swept parameter, ``sweep_role``,
        ``sweep_group``, ``sweep_factor`` (when present) and ``value`` (the
        indicator, mean over replicates and sites). ``attrs["description"]``
        says what was computed.
    """
    r = compute_response(ds, variable, at, window, scenario, site, select, baseline)
    return point_frame(ds, r)


def point_frame(ds: xr.Dataset, r: Response) -> pd.DataFrame:
    """The response as a table: the swept parameters, design coordinates and ``value`` per point."""
    data = {name: np.asarray(ds[name].values) for name in sweep_parameters(ds)}
    for coord in ("sweep_role", "sweep_group", "sweep_factor"):
        if coord in ds.coords:
            values = np.asarray(ds[coord].values)
            data[coord] = values.astype(str) if coord == "sweep_role" else values
    data["value"] = r.values
    df = pd.DataFrame(data, index=pd.Index(np.asarray(ds[SWEEP_DIM].values), name=SWEEP_DIM))
    df.attrs["description"] = r.description
    return df


def require_method(ds: xr.Dataset, wanted: str, function: str) -> None:
    """Raise :class:`SweepError` unless ``ds`` is a ``wanted`` sweep; the message says what to use."""
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


def unit_values(ds: xr.Dataset) -> np.ndarray:
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
