"""History matching with Gaussian-process emulators.

History matching (Craig et al. 1997; Vernon, Goldstein & Bower 2010;
Andrianakis et al. 2015) does not compute a posterior: it rules out the
parameter points at which the model cannot match the targets, in *waves*.

Each wave:

1. runs a space-filling design of ``points_per_wave`` points inside the
   current non-implausible region (wave 1: a Latin hypercube of the prior
   ranges), ``R`` replicates each;
2. fits, for each calibration target j, a Gaussian-process emulator of the
   replicate-aggregated statistic (scikit-learn's ``GaussianProcessRegressor``,
   constant times Matern-5/2 kernel with one length scale per parameter,
   on the unit cube). The statistic's stochastic variance at each design
   point (the spread over its replicates / R) is the GP's per-point noise,
   and a second GP emulates its logarithm, so the emulator knows where the
   model is noisier (Andrianakis et al. 2015). With R = 1 a single white-noise
   level is fitted instead;
3. computes the implausibility of any point x::

       I_j(x) = |o_j - E[f_j(x)]| / sqrt(Var_emulator_j(x) + Var_stochastic_j(x) + sigma_j^2)

   where sigma_j combines the observation's sd and the model discrepancy
   (the targets' ``total_sd``), and I(x) = max_j I_j(x) (or the second
   largest, ``implausibility = "second_max"``, for many targets);
4. keeps the points with I(x) <= ``cutoff`` (3: Pukelsheim's three-sigma rule,
   which bounds the tail probability of any unimodal distribution by 5 %)
   under this wave's emulators *and* every earlier wave's.

The non-implausible region is sampled by rejection from a box around the
previous wave's non-implausible sample (enlarged by ``box_margin`` of its
size), which gives iid uniform draws in the region (within the box) and an
estimate of its volume as a share of the prior's.

After the waves, an approximate posterior comes from the last wave's
emulators: the non-implausible sample weighted by the normal likelihood
with the emulator's, the model's and the observation's variances
(:func:`emulator_posterior`), or, more accurately, from ABC-SMC restricted
to the region (method ``hm+abc``).

Waves stop early when a wave no longer shrinks the region (it keeps more
than ``stop_shrink`` of the previous volume) while the emulators' variance
is small against the other two variances (median ratio below
``stop_emulator_ratio``): further waves would not learn more.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .problem import Problem
from .simulators import Simulator
from .summaries import statistic_variance

__all__ = [
    "Emulator",
    "Wave",
    "HistoryMatchResult",
    "history_match",
    "implausibility",
    "emulator_posterior",
    "maximin_subset",
    "lhs",
]


def lhs(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Latin hypercube of n points in [0, 1]^k (McKay et al. 1979)."""
    u = (np.argsort(rng.random((k, n)), axis=1).T + rng.random((n, k))) / n
    return u


def maximin_subset(points: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy farthest-point selection of ``n`` rows of ``points`` (a space-filling design
    inside an arbitrary region), starting from a random row."""
    if len(points) <= n:
        return points.copy()
    chosen = [int(rng.integers(len(points)))]
    dist = np.sum((points - points[chosen[0]]) ** 2, axis=1)
    for _ in range(n - 1):
        i = int(np.argmax(dist))
        chosen.append(i)
        dist = np.minimum(dist, np.sum((points - points[i]) ** 2, axis=1))
    return points[chosen]


class Emulator:
    """GP emulator of one statistic over the unit cube, with its stochastic variance.

    ``predict(u)`` returns the emulated mean, the emulator's variance (its
    uncertainty about the mean) and the model's stochastic variance of the
    statistic at ``u``.
    """

    def __init__(self, u: np.ndarray, mean: np.ndarray, variance: np.ndarray | None, seed: int) -> None:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        k = u.shape[1]
        self.y_mean = float(np.mean(mean))
        self.y_scale = float(np.std(mean)) or 1.0
        y = (mean - self.y_mean) / self.y_scale
        base = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
            length_scale=np.full(k, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
        )
        if variance is not None:
            v = np.maximum(variance, 1e-3 * max(float(np.median(variance)), 1e-300))
            alpha = v / self.y_scale**2 + 1e-10
            kernel = base
        else:
            alpha = 1e-10
            kernel = base + WhiteKernel(1e-2, (1e-8, 1e1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.gp = GaussianProcessRegressor(kernel, alpha=alpha, n_restarts_optimizer=2, random_state=seed)
            self.gp.fit(u, y)
        self.white = variance is None
        if self.white:
            self.noise = float(self.gp.kernel_.k2.noise_level) * self.y_scale**2
            self.var_gp = None
        else:
            logv = np.log(np.maximum(variance, 1e-300))
            self.logv_mean = float(np.mean(logv))
            vk = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
                length_scale=np.full(k, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
            ) + WhiteKernel(0.1, (1e-6, 1e1))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.var_gp = GaussianProcessRegressor(vk, n_restarts_optimizer=1, random_state=seed + 1)
                self.var_gp.fit(u, logv - self.logv_mean)
        self.loo_z = self._loo(u, y, alpha)

    def _loo(self, u: np.ndarray, y: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
        """Leave-one-out standardized errors of the mean emulator, fitted hyperparameters held
        fixed (Rasmussen & Williams 2006, eqs. 5.10-5.12): with K the covariance of the
        observations (kernel plus their noise), the held-out residual is [K^-1 y]_i / [K^-1]_ii
        and its predictive variance, noise included, 1 / [K^-1]_ii."""
        K = self.gp.kernel_(u) + np.diag(np.broadcast_to(alpha, (len(u),)))
        try:
            Kinv = np.linalg.inv(K)
        except np.linalg.LinAlgError:
            return np.full(len(u), np.nan)
        d = np.diag(Kinv)
        return (Kinv @ y) / d * np.sqrt(d)

    def predict(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u = np.atleast_2d(u)
        mean, sd = self.gp.predict(u, return_std=True)
        var = sd**2
        if self.white:  # sklearn's std includes the white noise: remove it
            var = np.maximum(var - self.noise / self.y_scale**2, 0.0)
            stoch = np.full(len(u), self.noise)
        else:
            stoch = np.exp(self.var_gp.predict(u) + self.logv_mean)
        return mean * self.y_scale + self.y_mean, var * self.y_scale**2, stoch


@dataclass
class Wave:
    index: int
    design: np.ndarray  # (n, k) unit-cube design points
    stats: np.ndarray  # (n, m) replicate-aggregated statistics (every target)
    variance: np.ndarray | None  # (n, m) their stochastic variance (None with 1 replicate)
    emulators: dict[int, Emulator]  # calibration target column -> emulator
    cutoff: float
    observed: np.ndarray  # (m,) observed values
    sigma: np.ndarray  # (m,) total sd of the observations
    rule: str  # "max" or "second_max"
    nroy: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))  # uniform sample of the region
    volume: float = float("nan")  # region volume, as a share of the prior's
    emulator_ratio: float = float("nan")  # median Var_emulator / (Var_stochastic + sigma^2) in the region
    seconds: float = 0.0

    @property
    def simulations(self) -> int:
        return len(self.design)

    def implausibility(self, u: np.ndarray) -> np.ndarray:
        """This wave's implausibility at unit-cube points ``u`` (max, or second max, over targets)."""
        values = []
        for j, em in self.emulators.items():
            mean, var_em, var_st = em.predict(u)
            values.append(np.abs(self.observed[j] - mean) / np.sqrt(var_em + var_st + self.sigma[j] ** 2))
        imp = np.column_stack(values)
        if self.rule == "second_max" and imp.shape[1] >= 2:
            return np.sort(imp, axis=1)[:, -2]
        return imp.max(axis=1)

    @property
    def loo_outside(self) -> float:
        """Share of leave-one-out standardized errors beyond 3 (should be a few %)."""
        z = np.concatenate([e.loo_z for e in self.emulators.values()])
        z = z[np.isfinite(z)]
        return float(np.mean(np.abs(z) > 3)) if z.size else float("nan")


@dataclass
class HistoryMatchResult:
    waves: list[Wave]
    stop_reason: str
    simulations: int
    seconds: float
    implausibility_rule: str
    notes: list[str] = field(default_factory=list)

    @property
    def nroy(self) -> np.ndarray:
        return self.waves[-1].nroy

    def region(self) -> Callable[[np.ndarray], np.ndarray]:
        """The non-implausible region as a predicate on unit-cube points."""
        waves = list(self.waves)

        def inside(u: np.ndarray) -> np.ndarray:
            u = np.atleast_2d(u)
            ok = np.ones(len(u), bool)
            for w in waves:
                if ok.any():
                    ok[ok] = w.implausibility(u[ok]) <= w.cutoff
            return ok

        return inside


def implausibility(result: HistoryMatchResult, u: np.ndarray) -> np.ndarray:
    """Largest implausibility over the waves at unit-cube points ``u``."""
    u = np.atleast_2d(u)
    return np.max([w.implausibility(u) for w in result.waves], axis=0)


def _sample_region(
    rng: np.random.Generator,
    inside: Callable[[np.ndarray], np.ndarray],
    lo: np.ndarray,
    hi: np.ndarray,
    wanted: int,
    max_candidates: int,
) -> tuple[np.ndarray, int]:
    """Uniform draws in the box [lo, hi] kept by ``inside``: at most ``wanted`` of them, the
    number of candidates drawn and the number kept (their ratio estimates the region's share
    of the box)."""
    kept, drawn, n_kept = [], 0, 0
    while n_kept < wanted and drawn < max_candidates:
        m = int(min(max_candidates - drawn, max(4 * (wanted - n_kept), 20000)))
        cand = lo + rng.random((m, len(lo))) * (hi - lo)
        ok = inside(cand)
        kept.append(cand[ok])
        n_kept += int(ok.sum())
        drawn += m
    sample = np.vstack(kept) if kept else np.empty((0, len(lo)))
    return sample[:wanted], drawn, n_kept


def history_match(
    problem: Problem,
    simulator: Simulator,
    *,
    waves: int = 4,
    points_per_wave: int | None = None,
    cutoff: float = 3.0,
    implausibility_rule: str = "max",
    nroy_samples: int = 2000,
    max_candidates: int = 2_000_000,
    box_margin: float = 0.1,
    max_simulations: int | None = None,
    stop_shrink: float = 0.8,
    stop_emulator_ratio: float = 0.1,
    seed: int = 0,
    first_design: Callable[[int, int], tuple[np.ndarray, np.ndarray]] | None = None,
    log: Callable[[str], None] | None = None,
) -> HistoryMatchResult:
    """Run history-matching waves (see the module docstring).

    ``first_design(points, seed)``, when given, runs wave 1's design itself and
    returns its (P, k) parameter *values* and (P, R, m) statistics (e.g.
    :meth:`EngineSimulator.run_design`: one engine sweep); otherwise wave 1
    is a Latin hypercube simulated through ``simulator``.
    """
    if implausibility_rule not in ("max", "second_max"):
        raise ValueError(f"implausibility_rule must be 'max' or 'second_max', got {implausibility_rule!r}")
    k = len(problem.space)
    n_points = int(points_per_wave or 10 * k)
    if n_points < 2 * k + 2:
        raise ValueError(f"points_per_wave ({n_points}) must be at least 2 k + 2 = {2 * k + 2}")
    budget = math.inf if max_simulations is None else int(max_simulations)
    rng = np.random.Generator(np.random.PCG64(seed))
    say = log or (lambda _msg: None)
    start_all = time.monotonic()
    done: list[Wave] = []
    notes: list[str] = []
    used = 0
    stop = ""
    lo, hi = np.zeros(k), np.ones(k)
    previous_nroy: np.ndarray | None = None
    volume_prev = 1.0
    for w in range(1, waves + 1):
        if used + n_points > budget:
            stop = f"max_simulations ({budget}) leaves too few simulations for wave {w} ({n_points} points)"
            break
        t0 = time.monotonic()
        if w == 1 and first_design is not None:
            values, raw = first_design(n_points, int(rng.integers(1, 2**31)))
            design = problem.space.to_unit(values)
        else:
            if w == 1:
                design = lhs(rng, n_points, k)
            else:
                design = maximin_subset(previous_nroy, n_points, rng)
            seeds = rng.integers(1, 2**62, size=len(design), dtype=np.int64).astype(np.uint64)
            raw = simulator.simulate(problem.space.from_unit(design), seeds)
        used += len(design)
        stats = problem.aggregate(raw)
        good = np.all(np.isfinite(stats[:, problem.calibration]), axis=1)
        if not good.all():
            notes.append(
                f"wave {w}: {int((~good).sum())} design point(s) gave a NaN statistic and were left out"
            )
        variance = statistic_variance(raw, problem.targets) if raw.shape[1] >= 2 else None
        emulators = {}
        for j in problem.calibration:
            var_j = None if variance is None else variance[good, j]
            emulators[int(j)] = Emulator(
                design[good], stats[good, j], var_j, seed=int(rng.integers(1, 2**31))
            )
        wave = Wave(
            w,
            design,
            stats,
            variance,
            emulators,
            cutoff,
            problem.observed,
            problem.sigma,
            implausibility_rule,
        )
        all_waves = [*done, wave]

        def inside(u: np.ndarray, _waves=all_waves) -> np.ndarray:
            ok = problem.allowed(u)
            for wv in _waves:
                if ok.any():
                    ok[ok] = wv.implausibility(u[ok]) <= cutoff
            return ok

        if previous_nroy is not None and len(previous_nroy):
            span = previous_nroy.max(axis=0) - previous_nroy.min(axis=0)
            lo = np.clip(previous_nroy.min(axis=0) - box_margin * span, 0, 1)
            hi = np.clip(previous_nroy.max(axis=0) + box_margin * span, 0, 1)
        sample, drawn, kept = _sample_region(rng, inside, lo, hi, nroy_samples, max_candidates)
        wave.nroy = sample
        wave.volume = float(np.prod(hi - lo) * kept / drawn)
        if len(sample):
            ratios = []
            for j, em in emulators.items():
                _, var_em, var_st = em.predict(sample[:500])
                ratios.append(var_em / (var_st + problem.sigma[j] ** 2))
            wave.emulator_ratio = float(np.median(np.concatenate(ratios)))
        wave.seconds = time.monotonic() - t0
        done.append(wave)
        say(
            f"wave {w}: {len(design)} simulations, non-implausible volume {wave.volume:.3g} of the prior "
            f"({len(sample)} samples), emulator/other variance {wave.emulator_ratio:.3g}, "
            f"LOO errors beyond 3: {100 * wave.loo_outside:.1f} %"
        )
        if len(sample) == 0:
            stop = (
                f"wave {w}: no non-implausible point found among {drawn} candidates: the model cannot match "
                "the targets within their uncertainty (check the targets, or declare a model discrepancy)"
            )
            break
        if len(sample) < nroy_samples:
            notes.append(
                f"wave {w}: only {len(sample)} non-implausible samples found among {drawn} candidates"
            )
        shrink = wave.volume / volume_prev
        if w > 1 and shrink > stop_shrink and wave.emulator_ratio < stop_emulator_ratio:
            stop = (
                f"wave {w} kept {100 * shrink:.0f} % of the previous region and the emulators' variance is "
                f"{wave.emulator_ratio:.3g} of the other variances: more waves would not shrink it"
            )
            break
        volume_prev = wave.volume
        previous_nroy = sample
    if not stop:
        stop = f"ran {len(done)} wave(s)"
    return HistoryMatchResult(done, stop, used, time.monotonic() - start_all, implausibility_rule, notes)


def emulator_posterior(result: HistoryMatchResult, problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Approximate posterior from the last wave's emulators: the non-implausible sample
    (unit cube) and normalised weights prod_j N(o_j; E f_j, Var_em + Var_st + sigma_j^2)."""
    wave = result.waves[-1]
    u = result.nroy
    logw = np.zeros(len(u))
    for j, em in wave.emulators.items():
        mean, var_em, var_st = em.predict(u)
        var = var_em + var_st + problem.sigma[j] ** 2
        logw += -0.5 * (problem.observed[j] - mean) ** 2 / var - 0.5 * np.log(var)
    w = np.exp(logw - logw.max())
    return u, w / w.sum()
