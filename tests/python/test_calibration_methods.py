"""Calibration methods on the synthetic trade-off toy, whose posterior is known exactly.

The recovery test calibrates the toy against observations generated at known
parameters and compares the result with the exact posterior (grid
integration). Tolerances: with about 400 effective particles the Monte Carlo
standard error of a posterior mean is about 0.05 posterior sd and that of a
posterior sd about 4 %; the bounds below (mean within 0.35 sd, sd within a
factor 1.33) are 7 to 8 standard errors wide; over 40 truths drawn from the
prior, ABC-SMC's largest errors were 0.25 sd and a factor 1.22
(docs/calibration.md, "Comparison"). The inert parameter's posterior is its
uniform prior: its sd must be within [0.87, 1.15] of 1/sqrt(12) (the sd
ratio's standard error is about 0.024 at this ESS; measured 0.89-1.05).

Two deliberately wrong variants fail the same checks: ABC-SMC stopped at
tolerance 3 instead of 1 (identified quantities twice too wide; failed on
40 of 40 truths in the comparison) and ABC-SMC ignoring its importance
weights (the inert parameter's sd shrinks to 0.76-0.83; failed on 40 of 40).
Runs in about 20 s (10 s of CPU).
"""

from __future__ import annotations

import numpy as np
import pytest

from atcsim.calibration import abc as abc_module
from atcsim.calibration.abc import abc_smc, next_tolerance, pmc_weights
from atcsim.calibration.history import emulator_posterior, history_match, implausibility
from atcsim.calibration.problem import Problem, effective_sample_size, weighted_quantile
from atcsim.calibration.simulators import CachedSimulator
from atcsim.calibration.synthetic import (
    TOY_OUTPUTS,
    TOY_TRUTH,
    ToySimulator,
    exact_posterior,
    toy_observation,
    toy_space,
    toy_targets,
)

REPLICATES = 4
SPACE = toy_space()
TRUTHS = [
    np.array([TOY_TRUTH[k] for k in SPACE.keys]),
    np.array([0.9, 0.35, 0.8, 0.7]),
]


def toy_problem(truth: np.ndarray, seed: int):
    observed = toy_observation(truth, seed=seed, replicates=REPLICATES)
    problem = Problem(SPACE, toy_targets(observed).targets)
    return problem, observed, exact_posterior(observed, replicates=REPLICATES)


def recovery_failures(
    values: np.ndarray, weights: np.ndarray, truth: np.ndarray, exact, inert_sd_min: float = 0.87
) -> list[str]:
    """What is wrong with a posterior sample, against the truth and the exact posterior.

    Identified quantities: the decay (c) and the product a b of the pair that
    trades off. Their 90 % credible intervals must cover the truth, their
    posterior means be within 0.35 exact-posterior sd of the exact ones and
    their sds within a factor 1.33. The inert parameter's posterior must stay
    its uniform prior: sd within [inert_sd_min, 1.15] of 1 / sqrt(12)."""
    failures = []
    product = values[:, 0] * values[:, 1]
    q = exact.product_quantile(np.linspace(0.0005, 0.9995, 2000))
    checks = {
        "decay": (values[:, 2], truth[2], exact.mean(2), exact.sd(2)),
        "product": (product, truth[0] * truth[1], float(q.mean()), float(q.std())),
    }
    for name, (x, true, e_mean, e_sd) in checks.items():
        lo, hi = weighted_quantile(x, weights, [0.05, 0.95])
        if not lo <= true <= hi:
            failures.append(f"{name}: 90 % interval [{lo:.3f}, {hi:.3f}] misses {true:.3f}")
        mean = np.average(x, weights=weights)
        sd = np.sqrt(np.average((x - mean) ** 2, weights=weights))
        if abs(mean - e_mean) > 0.35 * e_sd:
            failures.append(f"{name}: mean {mean:.4f} vs exact {e_mean:.4f} (sd {e_sd:.4f})")
        if not 0.75 < sd / e_sd < 1.33:
            failures.append(f"{name}: sd {sd:.4f} vs exact {e_sd:.4f}")
    mean = np.average(values[:, 3], weights=weights)
    ratio = np.sqrt(np.average((values[:, 3] - mean) ** 2, weights=weights) * 12)
    if not inert_sd_min < ratio < 1.15:
        failures.append(f"inert: sd {ratio:.3f} of the prior's, for a parameter without effect")
    return failures


@pytest.mark.parametrize("t", range(len(TRUTHS)))
def test_abc_smc_recovers_known_parameters(t):
    truth = TRUTHS[t]
    problem, _, exact = toy_problem(truth, seed=100 + t)
    res = abc_smc(problem, ToySimulator(TOY_OUTPUTS, replicates=REPLICATES), population=500, seed=t)
    assert res.stop_reason.startswith("reached the final tolerance (1)")
    g = res.final
    assert g.tolerance == 1.0 and g.size >= 500 and g.ess > 200
    assert recovery_failures(SPACE.from_unit(g.u), g.weights, truth, exact) == []
    # the pair that trades off shows as a strong negative correlation, the inert parameter as none
    x = SPACE.from_unit(g.u)
    assert np.corrcoef(x[:, 0], x[:, 1])[0, 1] < -0.7


def test_wrong_tolerance_fails_recovery():
    """ABC-SMC stopped at tolerance 3: the same checks must fail (the test can fail)."""
    truth = TRUTHS[0]
    problem, _, exact = toy_problem(truth, seed=100)
    res = abc_smc(
        problem, ToySimulator(TOY_OUTPUTS, replicates=REPLICATES), population=500, seed=0, final_tolerance=3.0
    )
    failures = recovery_failures(SPACE.from_unit(res.final.u), res.final.weights, truth, exact)
    assert any("decay: sd" in f for f in failures), failures
    assert any("product: sd" in f for f in failures), failures


def test_ignoring_the_weights_fails_recovery(monkeypatch):
    """ABC-SMC with equal weights instead of Beaumont's: the same checks must fail."""
    truth = TRUTHS[0]
    problem, _, exact = toy_problem(truth, seed=100)

    def equal_weights(u_new, u_prev, w_prev, cov, chunk=256):
        return np.full(len(u_new), 1.0 / len(u_new))

    monkeypatch.setattr(abc_module, "pmc_weights", equal_weights)
    res = abc_smc(problem, ToySimulator(TOY_OUTPUTS, replicates=REPLICATES), population=500, seed=0)
    failures = recovery_failures(SPACE.from_unit(res.final.u), res.final.weights, truth, exact)
    assert any(f.startswith("inert: sd") for f in failures), failures


def test_history_matching_keeps_truth_and_emulator_posterior_recovers():
    truth = TRUTHS[0]
    problem, _, exact = toy_problem(truth, seed=100)
    sim = ToySimulator(TOY_OUTPUTS, replicates=REPLICATES)
    hm = history_match(problem, sim, waves=3, points_per_wave=40, seed=5)
    assert hm.simulations <= 120
    assert implausibility(hm, SPACE.to_unit(truth))[0] <= 3.0
    assert hm.waves[-1].volume < 0.3  # the targets rule out most of the prior
    assert all(w.loo_outside < 0.1 for w in hm.waves)  # emulators validated by leave-one-out
    region = hm.region()
    assert region(SPACE.to_unit(truth))[0]
    assert region(hm.nroy).all()
    u, w = emulator_posterior(hm, problem)
    # the emulator posterior is an approximation: over 40 truths its inert sd ratio went down to 0.85
    assert recovery_failures(SPACE.from_unit(u), w, truth, exact, inert_sd_min=0.8) == []


def test_hm_then_abc_inside_region():
    truth = TRUTHS[1]
    problem, _, exact = toy_problem(truth, seed=101)
    sim = ToySimulator(TOY_OUTPUTS, replicates=REPLICATES)
    hm = history_match(problem, sim, waves=2, points_per_wave=40, seed=6)
    inside = Problem(SPACE, problem.targets, region=hm.region())
    res = abc_smc(inside, sim, population=500, seed=7, initial=hm.nroy[:500])
    assert hm.region()(res.final.u).all()  # proposals outside the region are never simulated
    assert res.simulations < 20000
    assert recovery_failures(SPACE.from_unit(res.final.u), res.final.weights, truth, exact) == []


# ------------------------------------------------------------------ components


@pytest.mark.parametrize("per_particle", [False, True])
def test_pmc_weights_correct_the_proposal(per_particle):
    """Particles moved from a clustered population and kept inside [0, 1]^2 are
    distributed as the truncated kernel mixture; weighting by 1 / mixture density
    (uniform prior) must give back the uniform distribution, unweighted they are not."""
    rng = np.random.default_rng(3)
    prev = rng.beta(2, 5, size=(60, 2))
    w_prev = rng.random(60) + 0.2
    cov = np.array([[0.04, 0.01], [0.01, 0.03]])
    covs = cov * (1 + rng.random(60))[:, None, None] if per_particle else cov
    n = 40000
    j = rng.choice(60, size=3 * n, p=w_prev / w_prev.sum())
    z = rng.standard_normal((3 * n, 2))
    chol = np.linalg.cholesky(np.broadcast_to(covs, (60, 2, 2)))
    cand = prev[j] + np.einsum("mjk,mk->mj", chol[j], z)
    new = cand[np.all((cand >= 0) & (cand <= 1), axis=1)][:n]
    w = pmc_weights(new, prev, w_prev, covs)
    corner = np.all(new < 0.5, axis=1)
    # uniform: mean 0.5, variance 1/12, a quarter of the mass in [0, 0.5)^2. With ESS > 3000 the
    # sampling sds of these weighted estimates are below 0.0053, 0.0015 and 0.008: bounds of ~4 sd
    assert effective_sample_size(w) > 3000
    assert np.allclose(w @ new, 0.5, atol=0.02)
    assert np.allclose(w @ (new - 0.5) ** 2, 1 / 12, atol=0.006)
    assert abs(w @ corner - 0.25) < 0.03
    assert abs(corner.mean() - 0.25) > 0.15  # without the weights: far from uniform


def test_next_tolerance_keeps_the_ess_fraction():
    rng = np.random.default_rng(1)
    d = rng.chisquare(3, 2000) ** 0.5 * 3
    w = rng.random(2000)
    ess = effective_sample_size(w)
    eps = next_tolerance(d, w, np.inf, "gaussian", 0.5, 1.0)
    assert effective_sample_size(w * np.exp(-0.5 * (d / eps) ** 2)) == pytest.approx(0.5 * ess, rel=1e-3)
    assert next_tolerance(d, w, np.inf, "gaussian", 0.5, 10.0) == 10.0  # floored at the final tolerance
    eps_u = next_tolerance(d, w, np.inf, "uniform", 0.5, 0.0)
    assert effective_sample_size(w * (d <= eps_u)) >= 0.5 * ess
    assert effective_sample_size(w * (d < eps_u)) < 0.5 * ess


def test_deterministic_and_resumable_from_cache(tmp_path):
    problem, _, _ = toy_problem(TRUTHS[0], seed=100)

    def run(sim):
        return abc_smc(problem, sim, population=200, seed=11, max_generations=3)

    first = run(CachedSimulator(ToySimulator(TOY_OUTPUTS, replicates=REPLICATES), tmp_path, "toy"))
    second_sim = CachedSimulator(ToySimulator(TOY_OUTPUTS, replicates=REPLICATES), tmp_path, "toy")
    second = run(second_sim)
    assert second_sim.simulated == 0 and second_sim.cached == first.simulations  # replayed from the cache
    for a, b in zip(first.generations, second.generations):
        assert np.array_equal(a.u, b.u) and np.array_equal(a.weights, b.weights)
    other = abc_smc(
        problem, ToySimulator(TOY_OUTPUTS, replicates=REPLICATES), population=200, seed=12, max_generations=3
    )
    assert not np.array_equal(other.final.u, first.final.u)


def test_uniform_kernel_runs_and_budget_stops():
    problem, _, _ = toy_problem(TRUTHS[0], seed=100)
    res = abc_smc(
        problem,
        ToySimulator(TOY_OUTPUTS, replicates=REPLICATES),
        population=200,
        kernel="uniform",
        seed=1,
        max_simulations=3000,
    )
    assert res.simulations <= 3000
    assert "max_simulations" in res.stop_reason
    tol = [g.tolerance for g in res.generations]
    assert all(a > b for a, b in zip(tol, tol[1:]))


def test_nan_statistics_are_never_accepted():
    problem, _, _ = toy_problem(TRUTHS[0], seed=100)

    class Flaky(ToySimulator):
        def simulate(self, values, seeds):
            out = super().simulate(values, seeds)
            out[values[:, 2] > 0.8] = np.nan  # the model fails for large decay
            return out

    res = abc_smc(
        problem, Flaky(TOY_OUTPUTS, replicates=REPLICATES), population=200, seed=2, max_generations=2
    )
    assert np.all(SPACE.from_unit(res.final.u)[:, 2] <= 0.8)
    assert res.generations[0].failed > 0
    assert any("NaN" in n for n in res.notes)
