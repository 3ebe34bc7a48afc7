"""Result classes of the sensitivity estimators: one row per swept parameter."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd
import xarray as xr

from ..bootstrap import DEFAULT_N_BOOT, DEFAULT_SEED
from ..results import TableRepr
from .sweep_response import Response, point_frame

__all__ = [
    "SensitivityResult",
    "SobolResult",
    "MorrisResult",
    "CorrelationResult",
    "parameter_table",
    "result_fields",
]


@dataclass(repr=False)
class SensitivityResult(TableRepr):
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


def parameter_table(parameters: pd.DataFrame, params: list[str], columns: Mapping[str, Any]) -> pd.DataFrame:
    """Result table: index ``parameter``, column ``key`` (config key), then ``columns``."""
    keys = parameters["key"]
    return pd.DataFrame(
        {"key": [keys[p] for p in params], **columns}, index=pd.Index(params, name="parameter")
    )


def result_fields(
    ds: xr.Dataset,
    r: Response,
    variable: str,
    parameters: pd.DataFrame,
    ci: float,
    n_boot: int,
    seed: int,
    notes: list[str],
) -> dict[str, Any]:
    """Keyword arguments shared by every :class:`SensitivityResult` (all but ``table``)."""
    return dict(
        data=point_frame(ds, r),
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
