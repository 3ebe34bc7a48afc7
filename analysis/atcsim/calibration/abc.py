"""ABC-SMC: population Monte Carlo with an adaptive tolerance schedule.

Generation 0 draws ``population`` points from the prior (or from a region,
e.g. the non-implausible region left by history matching) and simulates
them. Each later generation t:

1. **Tolerance** (Del Moral et al. 2012): the previous population, re-weighted
   to a smaller tolerance, keeps an effective sample size of
   ``ess_fraction`` times its own; the tolerance is the one that does so,
   floored at ``final_tolerance``.
2. **Proposal** (Beaumont et al. 2009): pick a particle of generation t-1 by
   its weight and move it by a normal kernel whose covariance is twice the
   weighted covariance of generation t-1. Proposals with zero prior density
   (outside the ranges or the region) are redrawn, never simulated.
3. **Acceptance**: simulate and accept, until ``population`` particles are
   accepted (whole batches are kept, so a generation may hold a few more).
4. **Weights** (Beaumont et al. 2009): w_i = prior(theta_i) /
   sum_j w_j^{t-1} K(theta_i | theta_j^{t-1}).

Two acceptance kernels, on the distance d in units of the targets' sd:

- ``gaussian`` (default): accept with probability exp(-d^2 / (2 eps^2)).
  At eps = 1 this is exactly the likelihood of the observations under the
  targets' normal error model (Wilkinson 2013), so ``final_tolerance = 1``
  ends at the exact posterior for that error model; larger tolerances are
  tempered versions of it.
- ``uniform``: accept when d <= eps, after adding the targets' observation
  error to each simulated statistic ("noisy ABC", Wilkinson 2013). At
  tolerance eps the result is the exact posterior for the targets' error
  plus a uniform error in the ball of radius eps (sd units), whose sd per
  target is sigma sqrt(1 + eps^2 / (m + 2)) (m calibration targets): it
  approaches the exact posterior only as eps -> 0.

The run stops after the generation that reaches ``final_tolerance``, or
when the acceptance rate falls below ``min_acceptance``, after
``max_generations``, or when ``max_simulations`` is spent (a generation cut
short keeps its particles if it has at least half a population, else the
previous generation is the result). Everything random comes from one
:class:`numpy.random.Generator` seeded by ``seed``: same inputs, same
result.

References: Beaumont, Cornuet, Marin & Robert (2009) Biometrika 96(4):983-990;
Del Moral, Doucet & Jasra (2012) Statistics and Computing 22:1009-1020;
Wilkinson (2013) Stat. Appl. Genet. Mol. Biol. 12(2):129-141.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .problem import Problem, effective_sample_size, weighted_cov
from .simulators import Simulator

__all__ = ["Generation", "ABCResult", "abc_smc", "pmc_weights", "next_tolerance", "KERNELS"]

KERNELS = ("gaussian", "uniform")
TRANSITIONS = ("olcm", "beaumont")


@dataclass
class Generation:
    """One population of particles (unit-cube coordinates) and how it was obtained."""

    index: int
    tolerance: float
    u: np.ndarray  # (n, k) unit-cube coordinates
    weights: np.ndarray  # (n,) normalised
    distances: np.ndarray  # (n,) distance acceptance used (uniform kernel: with observation error)
    stats: np.ndarray  # (n, m) replicate-aggregated statistics of every target
    simulations: int  # simulations run for this generation
    failed: int  # simulations with a NaN statistic (never accepted)
    seconds: float

    @property
    def size(self) -> int:
        return len(self.weights)

    @property
    def acceptance_rate(self) -> float:
        return self.size / self.simulations if self.simulations else float("nan")

    @property
    def ess(self) -> float:
        return effective_sample_size(self.weights)


@dataclass
class ABCResult:
    generations: list[Generation]
    kernel: str
    stop_reason: str
    simulations: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def final(self) -> Generation:
        return self.generations[-1]


def pmc_weights(
    u_new: np.ndarray, u_prev: np.ndarray, w_prev: np.ndarray, cov: np.ndarray, chunk: int = 256
) -> np.ndarray:
    """Beaumont et al. (2009) importance weights for a uniform prior on the allowed set:
    1 / sum_j w_j N(u_new | u_prev_j, cov_j), normalised. ``cov`` is one (k, k) covariance
    shared by every particle, or one per particle, (n_prev, k, k)."""
    w_prev = np.asarray(w_prev, dtype=float) / np.sum(w_prev)
    k = u_prev.shape[1]
    covs = np.broadcast_to(cov, (len(u_prev), k, k))
    inv_chol = np.linalg.inv(np.linalg.cholesky(covs))  # (n_prev, k, k)
    log_det = -np.sum(np.log(np.abs(np.diagonal(inv_chol, axis1=1, axis2=2))), axis=1)  # log sqrt det
    ref = np.einsum("njk,nk->nj", inv_chol, u_prev)
    log_a = np.log(w_prev) - log_det
    out = np.empty(len(u_new))
    for start in range(0, len(u_new), chunk):
        x = np.einsum("njk,mk->mnj", inv_chol, u_new[start : start + chunk])  # (chunk, n_prev, k)
        sq = np.sum((x - ref[None, :, :]) ** 2, axis=2)
        a = log_a[None, :] - 0.5 * sq
        amax = a.max(axis=1, keepdims=True)
        out[start : start + chunk] = amax[:, 0] + np.log(np.exp(a - amax).sum(axis=1))
    w = np.exp(-(out - out.min()))
    return w / w.sum()


def transition_covariances(prev: "Generation", eps: float, kernel: str, transition: str) -> np.ndarray:
    """Covariance of the move kernel: ``beaumont``, twice the weighted covariance of the
    previous population (Beaumont et al. 2009), one (k, k) matrix; ``olcm``, one matrix per
    particle (Filippi et al. 2013, optimal local covariance): the second moment, about the
    particle, of the previous population re-weighted to the new tolerance."""
    k = prev.u.shape[1]
    if transition == "beaumont":
        cov = 2.0 * weighted_cov(prev.u, prev.weights)
        return cov + np.eye(k) * 1e-12 * max(1.0, float(np.trace(cov)))
    w = _reweighted(prev, eps, kernel)
    mean = w @ prev.u
    d = prev.u - mean
    base = (d * w[:, None]).T @ d
    off = mean[None, :] - prev.u  # (n, k)
    covs = base[None, :, :] + off[:, :, None] * off[:, None, :]
    return covs + np.eye(k)[None] * 1e-12 * max(1.0, float(np.trace(base)))


def _reweighted(prev: "Generation", eps: float, kernel: str) -> np.ndarray:
    """The previous population's weights re-weighted to tolerance ``eps`` (normalised)."""
    d = prev.distances
    if kernel == "gaussian":
        inv_prev = 0.0 if not np.isfinite(prev.tolerance) else 1.0 / prev.tolerance**2
        expo = -0.5 * d**2 * (1.0 / eps**2 - inv_prev)
        w = prev.weights * np.exp(expo - expo.max())
    else:
        w = prev.weights * (d <= eps)
    if not w.sum() > 0:
        w = prev.weights.copy()
    return w / w.sum()


def next_tolerance(
    distances: np.ndarray,
    weights: np.ndarray,
    previous: float,
    kernel: str,
    ess_fraction: float,
    final: float,
) -> float:
    """Del Moral et al. (2012): the tolerance at which the re-weighted population keeps
    ``ess_fraction`` of its effective sample size; never below ``final``."""
    d = np.asarray(distances, dtype=float)
    w = np.asarray(weights, dtype=float)
    goal = ess_fraction * effective_sample_size(w)
    if kernel == "gaussian":
        inv_prev = 0.0 if not np.isfinite(previous) else 1.0 / previous**2

        def ess_at(eps: float) -> float:
            expo = -0.5 * d**2 * (1.0 / eps**2 - inv_prev)
            expo = np.where(np.isfinite(d), expo, -np.inf)
            return effective_sample_size(w * np.exp(expo - np.max(expo[np.isfinite(expo)], initial=0.0)))

        if ess_at(final) >= goal:
            return final
        hi = (
            previous
            if np.isfinite(previous)
            else max(final, float(np.max(d[np.isfinite(d)], initial=1.0))) * 10
        )
        lo = final
        for _ in range(60):  # bisection in log(eps); ess_at grows with eps
            mid = math.sqrt(lo * hi)
            if ess_at(mid) >= goal:
                hi = mid
            else:
                lo = mid
        return hi
    order = np.argsort(d)
    ds, ws = d[order], w[order]
    s1, s2 = np.cumsum(ws), np.cumsum(ws**2)
    ess = s1**2 / s2
    ok = np.flatnonzero((ess >= goal) & np.isfinite(ds))
    eps = float(ds[ok[0]]) if ok.size else float(previous)
    return max(eps, final)


def abc_smc(
    problem: Problem,
    simulator: Simulator,
    *,
    population: int = 500,
    kernel: str = "gaussian",
    transition: str = "olcm",
    ess_fraction: float = 0.5,
    final_tolerance: float | None = None,
    max_generations: int = 30,
    min_acceptance: float = 0.005,
    max_simulations: int | None = None,
    max_batch: int = 4096,
    seed: int = 0,
    initial: np.ndarray | None = None,
    log: Callable[[str], None] | None = None,
) -> ABCResult:
    """Run ABC-SMC (see the module docstring).

    Parameters
    ----------
    problem
        Parameters, targets (in the simulator's column order), observations
        and the optional region.
    simulator
        See :mod:`atcsim.calibration.simulators`.
    population
        Particles per generation.
    kernel
        ``"gaussian"`` or ``"uniform"``.
    ess_fraction
        Share of the effective sample size kept when the tolerance shrinks
        (0 < alpha < 1; 0.5 is the usual choice).
    final_tolerance
        Tolerance of the last generation (in sd units); default 1 for the
        gaussian kernel (the exact posterior under the targets' error
        model), 0.5 for the uniform kernel.
    max_generations, min_acceptance, max_simulations
        Other stopping rules.
    max_batch
        Most points per simulator call.
    seed
        Seed of every random draw.
    initial
        (n, k) unit-cube points for generation 0 (a sample of the prior
        restricted to the region); default: ``population`` prior draws.
    log
        Called with one line per generation.
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    if transition not in TRANSITIONS:
        raise ValueError(f"transition must be one of {TRANSITIONS}, got {transition!r}")
    if not 0 < ess_fraction < 1:
        raise ValueError(f"ess_fraction must be in (0, 1), got {ess_fraction}")
    if population < 2:
        raise ValueError("population must be at least 2")
    final = float(final_tolerance if final_tolerance is not None else (1.0 if kernel == "gaussian" else 0.5))
    if not final > 0:
        raise ValueError("final_tolerance must be > 0")
    budget = math.inf if max_simulations is None else int(max_simulations)
    rng = np.random.Generator(np.random.PCG64(seed))
    say = log or (lambda _msg: None)
    k = len(problem.space)
    start_all = time.monotonic()
    used = 0

    def simulate(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Statistics and the distance acceptance uses (with observation error for "uniform")."""
        seeds = rng.integers(1, 2**62, size=len(u), dtype=np.int64).astype(np.uint64)
        raw = simulator.simulate(problem.space.from_unit(u), seeds)
        stats = problem.aggregate(raw)
        d = problem.distance(stats)
        if kernel == "uniform":  # noisy ABC: one draw of the observation error per simulation
            z = problem.standardized(stats) + rng.standard_normal((len(u), problem.calibration.size))
            d = np.where(np.isfinite(d), np.sqrt(np.sum(z**2, axis=1)), np.inf)
        return stats, d

    # ---- generation 0: the prior (or the region), all accepted at tolerance infinity
    t0 = time.monotonic()
    if initial is None:
        u0 = np.empty((0, k))
        while len(u0) < population:
            draw = problem.space.sample_unit(rng, 2 * (population - len(u0)))
            u0 = np.vstack([u0, draw[problem.allowed(draw)]])
        u0 = u0[:population]
    else:
        u0 = np.atleast_2d(np.asarray(initial, dtype=float))
    if len(u0) > budget:
        raise ValueError(f"max_simulations ({budget}) is smaller than the first population ({len(u0)})")
    stats0 = np.empty((0, len(problem.targets)))
    d0 = np.empty(0)
    for s in range(0, len(u0), max_batch):
        st, dd = simulate(u0[s : s + max_batch])
        stats0, d0 = np.vstack([stats0, st]), np.concatenate([d0, dd])
    used += len(u0)
    failed0 = int(np.sum(~np.isfinite(d0)))
    keep = np.isfinite(d0)
    gen = Generation(
        0,
        math.inf,
        u0[keep],
        np.full(int(keep.sum()), 1.0 / max(int(keep.sum()), 1)),
        d0[keep],
        stats0[keep],
        len(u0),
        failed0,
        time.monotonic() - t0,
    )
    generations = [gen]
    say(_line(gen))
    notes = []
    if failed0:
        notes.append(f"generation 0: {failed0} simulation(s) gave a NaN statistic and were dropped")
    stop = ""
    while not stop:
        prev = generations[-1]
        if prev.index + 1 > max_generations:
            stop = f"reached max_generations ({max_generations})"
            break
        if prev.tolerance <= final:
            stop = f"reached the final tolerance ({final:g})"
            break
        if used >= budget:
            stop = f"spent max_simulations ({budget})"
            break
        t_start = time.monotonic()
        eps = next_tolerance(prev.distances, prev.weights, prev.tolerance, kernel, ess_fraction, final)
        if kernel == "uniform" and eps >= prev.tolerance:
            stop = "the tolerance no longer decreases (too many particles at the same distance)"
            break
        cov = transition_covariances(prev, eps, kernel, transition)
        chol = np.linalg.cholesky(cov)  # (k, k), or (n_prev, k, k) for olcm
        p_prev = prev.weights / prev.weights.sum()
        acc_estimate = max(prev.acceptance_rate if prev.index > 0 else 0.5, 1e-3)
        acc_u, acc_stats, acc_d = [], [], []
        n_acc = n_sim = n_failed = 0
        while n_acc < population and used < budget:
            need = population - n_acc
            n_batch = int(min(max_batch, budget - used, max(16, math.ceil(need / acc_estimate * 1.1))))
            props = np.empty((0, k))
            while len(props) < n_batch:
                m = 2 * (n_batch - len(props))
                j = rng.choice(len(p_prev), size=m, p=p_prev)
                z = rng.standard_normal((m, k))
                if chol.ndim == 2:
                    cand = prev.u[j] + z @ chol.T
                else:
                    cand = prev.u[j] + np.einsum("mjk,mk->mj", chol[j], z)
                props = np.vstack([props, cand[problem.allowed(cand)]])
            props = props[:n_batch]
            stats, d = simulate(props)
            n_failed += int(np.sum(~np.isfinite(d)))
            if kernel == "gaussian":
                accept = rng.random(len(d)) < np.exp(-0.5 * (d / eps) ** 2)
            else:
                accept = d <= eps
            accept &= np.isfinite(d)
            used += len(props)
            n_sim += len(props)
            acc_u.append(props[accept])
            acc_stats.append(stats[accept])
            acc_d.append(d[accept])
            n_acc += int(accept.sum())
            acc_estimate = max(n_acc / n_sim, 1e-3)
        u_new = np.vstack(acc_u) if acc_u else np.empty((0, k))
        if n_failed:
            notes.append(
                f"generation {prev.index + 1}: {n_failed} simulation(s) gave a NaN statistic (rejected)"
            )
        if n_acc < population:
            if n_acc < population / 2:
                stop = (
                    f"spent max_simulations ({budget}) during generation {prev.index + 1} "
                    f"(discarded: only {n_acc} particles)"
                )
                break
            stop = f"spent max_simulations ({budget}) during generation {prev.index + 1} ({n_acc} particles)"
        weights = pmc_weights(u_new, prev.u, prev.weights, cov)
        gen = Generation(
            prev.index + 1,
            eps,
            u_new,
            weights,
            np.concatenate(acc_d),
            np.vstack(acc_stats),
            n_sim,
            n_failed,
            time.monotonic() - t_start,
        )
        generations.append(gen)
        say(_line(gen))
        if not stop and gen.acceptance_rate < min_acceptance:
            stop = f"acceptance rate {gen.acceptance_rate:.4f} fell below min_acceptance ({min_acceptance:g})"
    if generations[-1].tolerance > final:
        notes.append(
            f"the last generation's tolerance ({generations[-1].tolerance:.3g}) is above the final tolerance "
            f"({final:g}): the posterior is wider than the targets' uncertainty alone implies"
        )
    return ABCResult(generations, kernel, stop, used, time.monotonic() - start_all, notes)


def _line(g: Generation) -> str:
    return (
        f"generation {g.index}: tolerance {g.tolerance:.4g}, {g.simulations} simulations, "
        f"acceptance {g.acceptance_rate:.3f}, ESS {g.ess:.0f} of {g.size}"
    )
