"""Percentile bootstrap over replicates (or points, trajectories, base samples).

Every resample is drawn from ``numpy.random.default_rng(seed)`` with a fixed
default seed, so results are reproducible.
"""

from __future__ import annotations

import math
import statistics
import warnings
from typing import Iterator, Sequence

import numpy as np

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_N_BOOT",
    "RESAMPLE_BLOCK",
    "bootstrap_ci",
    "check_boot_args",
    "normal_quantile",
    "percentile_interval",
    "percentile_intervals",
    "resample_blocks",
    "resample_indices",
]

#: Default bootstrap seed (the first Monday of the ATC experiment, 2019-09-02).
DEFAULT_SEED = 20190902
#: Default number of bootstrap resamples.
DEFAULT_N_BOOT = 2000
#: Bootstrap resamples are processed in blocks of about this many numbers.
RESAMPLE_BLOCK = 4_000_000


def resample_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """Bootstrap indices (n_boot, n): the same for every row given the same n and seed."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def resample_blocks(seed: int, n: int, n_boot: int, step: int) -> Iterator[tuple[int, int, np.ndarray]]:
    """Bootstrap resamples of n items, ``step`` at a time: (start, stop, indices (stop-start, n)).

    Every block is drawn in turn from one ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, n_boot, step):
        stop = min(n_boot, start + step)
        yield start, stop, rng.integers(0, n, size=(stop - start, n))


def percentile_interval(samples: np.ndarray, ci: float) -> tuple[float, float]:
    """Central ``ci`` percentile interval of 1-D bootstrap samples; NaN if any sample is not finite."""
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
    check_boot_args(n_boot, ci)
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return (math.nan, math.nan)
    means = x[resample_indices(x.size, n_boot, seed)].mean(axis=1)
    return percentile_interval(means, ci)


def check_boot_args(n_boot: int, ci: float) -> None:
    """Raise ``ValueError`` unless ``n_boot >= 1`` and ``0 < ci < 1``."""
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be in (0, 1), got {ci}")


def normal_quantile(ci: float) -> float:
    """z such that a standard normal lies in (-z, z) with probability ``ci`` (1.96 for 0.95)."""
    return statistics.NormalDist().inv_cdf(1.0 - (1.0 - ci) / 2.0)


def percentile_intervals(samples: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Central ``ci`` percentile intervals along axis 0 (lower, upper), ignoring non-finite resamples."""
    alpha = 1.0 - ci
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanquantile(
            np.where(np.isfinite(samples), samples, np.nan), [alpha / 2.0, 1.0 - alpha / 2.0], axis=0
        )
    return lo, hi
