"""A synthetic calibration problem whose posterior is known exactly.

The *trade-off toy* stands in for a stochastic model with four parameters,
chosen to show the three situations a real calibration meets:

- ``toy.propensity`` (a) and ``toy.reach`` (b) **trade off**: the outputs
  depend on them only through their product p = a b (a share of people
  taking part), so the posterior is a ridge along a b = const; the product
  is identified, each factor only within the ridge and the prior box;
- ``toy.decay`` (c) is **identifiable**;
- ``toy.inert`` (u) has **no effect** on any output: its posterior is its
  prior.

Per replicate, with independent standard normal noise e1, e2, e3::

    participation = p + (0.01 + 0.05 sqrt(p (1 - p))) e1     (binomial-like: noise depends on p)
    retention     = p (1 - 0.7 c) + 0.02 e2
    startup       = 0.2 + 0.6 c^2 + 0.03 e3

A simulation averages ``replicates`` replicates. Observed values carry a
normal observation error of sd ``sigma`` (the targets' uncertainty), so the
likelihood of the observations is exactly normal, with variance
``tau_j(theta)^2 / R + sigma_j^2``: :func:`exact_posterior` integrates it on
a grid. Priors: a, b uniform on [0.2, 1]; c, u uniform on [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .parameters import Parameter, ParameterSpace
from .targets import Indicator, Observed, Scope, Source, Statistic, Target, TargetSet, Window

__all__ = [
    "TOY_OUTPUTS",
    "TOY_SIGMA",
    "TOY_TRUTH",
    "toy_space",
    "toy_mean",
    "toy_noise_sd",
    "ToySimulator",
    "toy_targets",
    "toy_observation",
    "ExactPosterior",
    "exact_posterior",
]

#: Output names of the toy (its "model variables").
TOY_OUTPUTS = ("participation", "retention", "startup")
#: Observation sd of each output (the uncertainty the toy's targets declare).
TOY_SIGMA = (0.02, 0.02, 0.03)
#: The parameter values the shipped synthetic targets were generated at.
TOY_TRUTH = {"toy.propensity": 0.6, "toy.reach": 0.5, "toy.decay": 0.45, "toy.inert": 0.3}


def toy_space() -> ParameterSpace:
    return ParameterSpace(
        [
            Parameter("toy.propensity", 0.2, 1.0),
            Parameter("toy.reach", 0.2, 1.0),
            Parameter("toy.decay", 0.0, 1.0),
            Parameter("toy.inert", 0.0, 1.0),
        ]
    )


def toy_mean(theta: np.ndarray) -> np.ndarray:
    """Expected outputs, (..., 4) parameters -> (..., 3)."""
    theta = np.asarray(theta, dtype=float)
    p = theta[..., 0] * theta[..., 1]
    c = theta[..., 2]
    return np.stack([p, p * (1 - 0.7 * c), 0.2 + 0.6 * c**2], axis=-1)


def toy_noise_sd(theta: np.ndarray) -> np.ndarray:
    """Per-replicate noise sd of each output, (..., 4) -> (..., 3)."""
    theta = np.asarray(theta, dtype=float)
    p = theta[..., 0] * theta[..., 1]
    tau1 = 0.01 + 0.05 * np.sqrt(np.clip(p * (1 - p), 0, None))
    ones = np.ones_like(p)
    return np.stack([tau1, 0.02 * ones, 0.03 * ones], axis=-1)


class ToySimulator:
    """The trade-off toy behind the :class:`~atcsim.calibration.simulators.Simulator` interface.

    ``variables`` gives, for each requested statistic, the toy output it
    reads (the targets' ``model_variable``). The toy has no time axis or
    sites: its outputs are the statistics, so windows and aggregations in
    the targets are not used.
    """

    def __init__(
        self, variables: Sequence[str], *, replicates: int = 1, parameter_keys: Sequence[str] | None = None
    ):
        unknown = [v for v in variables if v not in TOY_OUTPUTS]
        if unknown:
            raise ValueError(f"toy outputs are {', '.join(TOY_OUTPUTS)}; unknown: {', '.join(unknown)}")
        keys = list(parameter_keys) if parameter_keys is not None else toy_space().keys
        if sorted(keys) != sorted(toy_space().keys):
            raise ValueError(f"the toy's parameters are {', '.join(toy_space().keys)}; got {', '.join(keys)}")
        self._order = [keys.index(k) for k in toy_space().keys]
        self._columns = [TOY_OUTPUTS.index(v) for v in variables]
        self.replicates = int(replicates)
        self.simulations = 0

    def simulate(self, values: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        values = np.atleast_2d(np.asarray(values, dtype=float))[:, self._order]
        noise = np.empty((len(values), self.replicates, 3))
        for i, seed in enumerate(np.asarray(seeds, dtype=np.uint64)):
            noise[i] = np.random.Generator(np.random.PCG64(int(seed))).standard_normal((self.replicates, 3))
        out = toy_mean(values)[:, None, :] + toy_noise_sd(values)[:, None, :] * noise
        self.simulations += len(values)
        return out[..., self._columns]


def toy_observation(theta: dict[str, float] | np.ndarray, seed: int, replicates: int = 1) -> np.ndarray:
    """Synthetic observations at ``theta``: one simulation (``replicates`` replicates
    averaged) plus normal observation error of sd :data:`TOY_SIGMA`."""
    if isinstance(theta, dict):
        theta = np.array([theta[k] for k in toy_space().keys])
    rng = np.random.Generator(np.random.PCG64(seed))
    sim = ToySimulator(TOY_OUTPUTS, replicates=replicates)
    s = sim.simulate(np.asarray(theta)[None, :], rng.integers(1, 2**62, size=1)).mean(axis=1)[0]
    return s + np.asarray(TOY_SIGMA) * rng.standard_normal(3)


def toy_targets(observed: Sequence[float], *, validation: Sequence[str] = ()) -> TargetSet:
    """A :class:`TargetSet` for the toy's three outputs with the given observations.

    ``validation`` names outputs to hold out (role ``validation``).
    """
    indicators = {name: Indicator(name, f"toy output {name}", "1", name) for name in TOY_OUTPUTS}
    scope = Scope("toy", "the synthetic trade-off problem", "")
    targets = []
    for name, value, sd in zip(TOY_OUTPUTS, observed, TOY_SIGMA):
        targets.append(
            Target(
                name=name,
                role="validation" if name in validation else "calibration",
                description=f"synthetic observation of the toy's {name}",
                scope="toy",
                statistic=Statistic(indicator=name, scenario=None, window=Window()),
                observed=Observed(float(value), sd, None, 0.9, "synthetic: the toy's observation error"),
                source=Source("atcsim.calibration.synthetic", "synthetic"),
                why_held_out="held out for the test" if name in validation else "",
                location="<toy>",
            )
        )
    return TargetSet(Path("<toy>"), "trade-off toy", indicators, {"toy": scope}, targets)


@dataclass
class ExactPosterior:
    """The toy's posterior on a grid over (a, b, c); u's posterior is its prior."""

    grids: list[np.ndarray]  # the a, b, c grid values (cell midpoints)
    density: np.ndarray  # normalised cell probabilities, shape (na, nb, nc)
    keys: list[str]

    def marginal(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Grid values and probabilities of parameter ``j`` (0..3; 3 = inert, uniform)."""
        if j == 3:
            x = (np.arange(200) + 0.5) / 200
            return x, np.full(200, 1 / 200)
        axes = tuple(i for i in range(3) if i != j)
        return self.grids[j], self.density.sum(axis=axes)

    def quantile(self, j: int, q: float | np.ndarray) -> np.ndarray:
        x, p = self.marginal(j)
        cdf = np.cumsum(p)
        width = x[1] - x[0]
        # piecewise-linear CDF through the cell edges
        edges = np.concatenate([[x[0] - width / 2], x + width / 2])
        return np.interp(q, np.concatenate([[0.0], cdf]), edges)

    def mean(self, j: int) -> float:
        x, p = self.marginal(j)
        return float((x * p).sum())

    def sd(self, j: int) -> float:
        x, p = self.marginal(j)
        m = (x * p).sum()
        return float(np.sqrt(((x - m) ** 2 * p).sum()))

    def product_quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Quantiles of the identified product p = a b."""
        a, b = np.meshgrid(self.grids[0], self.grids[1], indexing="ij")
        prod = (a * b).ravel()
        w = self.density.sum(axis=2).ravel()
        order = np.argsort(prod)
        cdf = np.cumsum(w[order])
        return np.interp(q, cdf, prod[order])


def exact_posterior(
    observed: Sequence[float],
    *,
    replicates: int = 1,
    sigma: Sequence[float] = TOY_SIGMA,
    use: Sequence[int] = (0, 1, 2),
    resolution: int = 160,
) -> ExactPosterior:
    """The exact posterior of the toy given ``observed`` (outputs listed in ``use``)."""
    space = toy_space()
    grids = []
    for p in space.parameters[:3]:
        grids.append(p.min + (np.arange(resolution) + 0.5) / resolution * (p.max - p.min))
    a, b, c = np.meshgrid(*grids, indexing="ij")
    theta = np.stack([a, b, c, np.zeros_like(a)], axis=-1)
    mean = toy_mean(theta)
    var = toy_noise_sd(theta) ** 2 / replicates + np.asarray(sigma) ** 2
    obs = np.asarray(observed, dtype=float)
    loglik = np.zeros(a.shape)
    for j in use:
        loglik += -0.5 * (obs[j] - mean[..., j]) ** 2 / var[..., j] - 0.5 * np.log(var[..., j])
    density = np.exp(loglik - loglik.max())
    density /= density.sum()
    return ExactPosterior(grids, density, space.keys)
