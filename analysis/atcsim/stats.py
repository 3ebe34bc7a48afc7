"""Paired comparison statistics: the public names, gathered from the modules that implement them.

- :mod:`atcsim.time_selection`: which recorded time(s) to analyse;
- :mod:`atcsim.bootstrap`: percentile bootstrap CIs (fixed default seed);
- :mod:`atcsim.selection`: scenario, site, extra-dimension and sweep-point checks;
- :mod:`atcsim.results`: :class:`CompareResult`, :class:`CostEffectivenessResult`;
- :mod:`atcsim.comparison`: :func:`compare`, :func:`compare_by_point`, :func:`replicates_needed`;
- :mod:`atcsim.costs`: :func:`cost_effectiveness`.
"""

from .bootstrap import DEFAULT_N_BOOT, DEFAULT_SEED, bootstrap_ci
from .comparison import MIN_RELIABLE_REPLICATES, compare, compare_by_point, replicates_needed
from .costs import COST_VARIABLES, cost_effectiveness
from .results import POOLED, CompareResult, CostEffectivenessResult
from .selection import check_scenarios
from .time_selection import TimeSelection, select_time

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
