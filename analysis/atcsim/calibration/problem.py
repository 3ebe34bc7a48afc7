"""What every calibration method needs: parameters, targets, observations, a region.

A :class:`Problem` holds the parameter space (priors), the targets in the
order of the simulator's statistics, the observed values and their total
uncertainties, and optionally a *region* of the unit cube the prior is
restricted to (the non-implausible region of history matching).

Distances are Euclidean in units of each calibration target's total sd
(observation and model discrepancy combined)::

    d(s) = sqrt( sum_j ((s_j - o_j) / sigma_j)^2 )     over calibration targets j

Validation targets are computed for every simulation but never enter a
distance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .parameters import ParameterSpace
from .summaries import aggregate_replicates
from .targets import Target

__all__ = ["Problem", "effective_sample_size", "weighted_quantile", "weighted_cov"]


@dataclass
class Problem:
    space: ParameterSpace
    targets: Sequence[Target]
    #: Restricts the prior to part of the unit cube: u (n, k) -> bool (n,). None: the whole cube.
    region: Callable[[np.ndarray], np.ndarray] | None = None
    observed: np.ndarray = field(init=False)
    sigma: np.ndarray = field(init=False)
    calibration: np.ndarray = field(init=False)  # column indices of calibration targets

    def __post_init__(self) -> None:
        self.targets = list(self.targets)
        self.observed = np.array([t.observed.value for t in self.targets], dtype=float)
        self.sigma = np.array([t.observed.total_sd for t in self.targets], dtype=float)
        self.calibration = np.array(
            [j for j, t in enumerate(self.targets) if t.role == "calibration"], dtype=int
        )
        if self.calibration.size == 0:
            raise ValueError("no calibration target")

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.targets]

    def aggregate(self, raw: np.ndarray) -> np.ndarray:
        """(n, R, m) simulator output -> (n, m) per the targets' replicate aggregation."""
        return aggregate_replicates(raw, self.targets)

    def standardized(self, stats: np.ndarray) -> np.ndarray:
        """(n, m) statistics -> (n, m_calibration) residuals in sd units."""
        c = self.calibration
        return (np.atleast_2d(stats)[:, c] - self.observed[c]) / self.sigma[c]

    def distance(self, stats: np.ndarray) -> np.ndarray:
        """Distance of each row of (n, m) statistics; +inf where a statistic is NaN."""
        z = self.standardized(stats)
        d = np.sqrt(np.sum(z**2, axis=1))
        return np.where(np.isfinite(d), d, np.inf)

    def allowed(self, u: np.ndarray) -> np.ndarray:
        """Rows of ``u`` with positive prior density: in the cube and in the region."""
        ok = self.space.inside(u)
        if self.region is not None and ok.any():
            ok[ok] = self.region(np.atleast_2d(u)[ok])
        return ok


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's ESS, (sum w)^2 / sum w^2."""
    w = np.asarray(weights, dtype=float)
    s2 = float(np.sum(w**2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


def weighted_quantile(x: np.ndarray, weights: np.ndarray, q: float | Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, with
    each point at the middle of its weight)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(weights, dtype=float)
    order = np.argsort(x)
    x, w = x[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


def weighted_cov(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted covariance of the rows of ``x`` (reliability weights, unbiased)."""
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    mean = w @ x
    d = x - mean
    denom = 1.0 - np.sum(w**2)
    cov = (d * w[:, None]).T @ d / (denom if denom > 0 else 1.0)
    return np.atleast_2d(cov)
