"""Cost-effectiveness of a scenario against a baseline, from the cumulative cost indicators."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from .bootstrap import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    check_boot_args,
    percentile_interval,
    resample_indices,
)
from .comparison import warn_few_replicates
from .dataset import require_variable, site_labels
from .results import POOLED, CostEffectivenessResult
from .selection import check_scenarios, paired_arrays, select_extra, single_point
from .time_selection import TimeSpec, select_time

__all__ = ["COST_VARIABLES", "cost_effectiveness"]

#: Cumulative cost indicators used by :func:`cost_effectiveness`.
COST_VARIABLES = ("avoided_costs_eur", "intervention_cost_eur")


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
    check_boot_args(n_boot, ci)
    check_scenarios(ds, baseline, treatment)
    selection = select_time(ds, at)
    arrays = {}
    for name in COST_VARIABLES:
        da = single_point(select_extra(require_variable(ds, name), None), "cost_effectiveness()")
        b, t = paired_arrays(selection.reduce(da), baseline, treatment)
        arrays[name] = t - b
    avoided, cost = arrays[COST_VARIABLES[0]], arrays[COST_VARIABLES[1]]
    sites = [str(s) for s in ds["site"].values]
    labels = site_labels(ds)
    rows = [_cost_summary(avoided[:, j], cost[:, j], n_boot, seed, ci) for j in range(len(sites))]
    rows.append(_cost_summary(avoided.sum(axis=1), cost.sum(axis=1), n_boot, seed, ci))
    table = pd.DataFrame(rows, index=pd.Index(sites + [POOLED], name="site"))
    table.insert(0, "site_name", [labels[s] for s in sites] + ["all sites (sum)"])
    warn_few_replicates(int(table["n_replicates"].min()), f"cost-effectiveness: {treatment} vs {baseline}")
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
        idx = resample_indices(n, n_boot, seed)
        ma, mc = a[idx].mean(axis=1), c[idx].mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(mc > 0, ma / mc, np.nan)
        boot = {"avoided_eur": ma, "cost_eur": mc, "net_benefit_eur": ma - mc, "benefit_cost_ratio": ratio}
    else:
        boot = {}
    for key, value in point.items():
        lo, hi = percentile_interval(boot[key], ci) if key in boot else (math.nan, math.nan)
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
