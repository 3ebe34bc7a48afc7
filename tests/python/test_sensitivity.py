"""Sensitivity indices from sweeps run by the real engine, against analytic values.

The sweep files are written by the atcsim binary (ATCSIM_BIN, else
build/release/atcsim; every test here is skipped without it) in temporary
directories: see the session fixtures in conftest.py.

How the tolerances are derived
------------------------------
Sobol: each estimator is a ratio of sample means over the N base samples
(S1_j = mean(f_B (f_ABj - f_A)) / V, ST_j = mean((f_A - f_ABj)^2) / (2V)).
Treating the N base samples as independent, the central limit theorem makes
the error approximately Normal(0, SE^2) with SE = O(1/sqrt(N)), and the
bootstrap over base samples (what ``sobol()`` reports as ``S1_se``/``ST_se``)
estimates SE. The ratio's bias is O(1/N), i.e. ~1e-4 here, negligible. We
therefore require |estimate - analytic| <= 4 SE: a false failure has
probability ~6e-5 per index under the normal approximation. The Sobol
sequence is quasi-random, so its actual error shrinks faster than the random
sampling SE (close to 1/N): the bound is conservative. To keep the test
meaningful we also require SE to be small (below a stated cap), so the bound
cannot be loose by accident.

Morris (Ishigami, p = 4 levels): the elementary effects take only a few
values that can be computed by hand (see test_morris_ishigami), so mu* has a
known expectation and a binomial standard error; the same 4-SE rule applies.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

import atcsim
from atcsim import sensitivity as sa

from conftest import G_N, ISHIGAMI_N, LHS_POINTS, MORRIS_R

N_BOOT = 1000  # bootstrap resamples: SE estimated to ~2 % (relative), plenty for a 4-SE bound
Z = 4.0


def _open(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complete sweep file opens without any warning
        return atcsim.open(path)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic S1 and ST of the Ishigami function on [-pi, pi]^3 (Sobol' & Levitan 1999)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)  # = 8 b^2 pi^8 / 225
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def g_indices(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Analytic S1 and ST of the Sobol' g-function: V_i = 1/(3(1+a_i)^2), V = prod(1+V_i) - 1."""
    vi = 1.0 / (3.0 * (1.0 + a) ** 2)
    v = np.prod(1.0 + vi) - 1.0
    return vi / v, vi * np.prod(1.0 + vi) / (1.0 + vi) / v


def test_ishigami_analytic_values_are_the_published_ones():
    s1, st = ishigami_indices()
    np.testing.assert_allclose(s1, [0.314, 0.442, 0.0], atol=5e-4)
    np.testing.assert_allclose(st, [0.558, 0.442, 0.244], atol=5e-4)


def test_sobol_ishigami_matches_analytic(ishigami_sobol):
    res = sa.sobol(_open(ishigami_sobol), "y", n_boot=N_BOOT)
    t = res.table
    assert list(t.index) == ["model_x1", "model_x2", "model_x3"]
    assert list(t["key"]) == ["model.x1", "model.x2", "model.x3"]
    assert res.n_base == res.n_base_total == ISHIGAMI_N and not res.notes
    # V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.845; its relative SE is ~2 % at this N.
    assert res.variance == pytest.approx(13.845, rel=0.06)
    s1, st = ishigami_indices()
    # Cap on SE: the random-sampling SE at N = 4096 is ~0.01-0.025 for these indices.
    assert (t["S1_se"] < 0.03).all() and (t["ST_se"] < 0.03).all()
    assert (np.abs(t["S1"] - s1) <= Z * t["S1_se"]).all(), t
    assert (np.abs(t["ST"] - st) <= Z * t["ST_se"]).all(), t
    # The CIs bracket the estimates, and x3 has no first-order effect but a clear total one.
    assert ((t["S1_ci_low"] <= t["S1"]) & (t["S1"] <= t["S1_ci_high"])).all()
    assert t.loc["model_x3", "S1_ci_low"] < 0 < t.loc["model_x3", "S1_ci_high"]
    assert t.loc["model_x3", "ST_ci_low"] > 0.15


def test_sobol_g_function_matches_analytic(g_sobol):
    res = sa.sobol(_open(g_sobol), "y", n_boot=N_BOOT)
    t = res.table
    assert res.n_base == G_N and len(t) == 8
    # The model's default a = (0, 1, 4.5, 9, 99, 99, 99, 99) (Saltelli et al. 2008).
    s1, st = g_indices(np.array([0, 1, 4.5, 9, 99, 99, 99, 99], dtype=float))
    assert (t["S1_se"] < 0.05).all() and (t["ST_se"] < 0.05).all()
    # 1e-4 floor: the bootstrap SE of the negligible indices (x5..x8, true value 7e-5) is
    # itself ~1e-5; 1e-4 is far below any index that matters.
    assert (np.abs(t["S1"] - s1) <= Z * t["S1_se"] + 1e-4).all(), t
    assert (np.abs(t["ST"] - st) <= Z * t["ST_se"] + 1e-4).all(), t
    # Importance follows a: x1 > x2 > x3 > the rest, separated by more than the CIs.
    assert t["ST_ci_low"].iloc[0] > t["ST_ci_high"].iloc[1]
    assert t["ST_ci_low"].iloc[1] > t["ST_ci_high"].iloc[2]
    assert t["ST_ci_low"].iloc[2] > t["ST"].iloc[4:].max()


def test_morris_ishigami(ishigami_morris):
    """mu* of the Ishigami inputs with p = 4 levels, against values computed by hand.

    With p = 4 the levels are u in {0, 1/3, 2/3, 1}, i.e. x in {-pi, -pi/3, pi/3, pi}, and
    Delta = 2/3: every move is -pi <-> pi/3 or -pi/3 <-> pi. Hence, with effects per unit of
    normalised range (divide by Delta = 2/3):
    - x2: a sin^2(x2) changes by 7 * 3/4 in every move, so |EE2| = 7.875 exactly, with
      signs + and - equally often (mu2 ~ 0, sigma2 ~ 7.875: non-monotonic);
    - x1: sin(x1) changes by sqrt(3)/2, times (1 + 0.1 x3^4) where x3 is at +-pi (prob. 1/2)
      or +-pi/3: EE1 = 13.953 or 1.455, always positive, E|EE1| = 7.704;
    - x3: 0.1 (pi^4 - (pi/3)^4) |sin x1| with |sin x1| = 0 (x1 = +-pi) or sqrt(3)/2:
      EE3 = 0 or 12.498, E|EE3| = 6.249.
    So E[mu*] = (7.704, 7.875, 6.249): x1 and x2 rank above x3, while x1 and x2 are within
    0.17 of each other, less than one standard error at any affordable r, and their order
    depends on p (the Sobol total indices, a different measure, put x1 first: ST1 = 0.558 >
    ST2 = 0.442). We therefore assert x1, x2 > x3 only, not the order of x1 and x2.
    mu*1 and mu*3 are 1.455 + 12.498 B/r and 12.498 B'/r with B, B' ~ Binomial(r, 1/2):
    SE = 12.498 / 2 / sqrt(r) = 0.28 for r = 500. The margins mu*1 - mu*3 (1.455, SE 0.40)
    and mu*2 - mu*3 (1.626, SE 0.28) are 3.7 and 5.8 SE.
    """
    res = sa.morris(_open(ishigami_morris), "y", n_boot=N_BOOT)
    t = res.table
    assert res.n_trajectories == MORRIS_R and res.levels == 4
    assert res.delta == pytest.approx(2 / 3)
    root3 = math.sqrt(3) / 2
    hi1, lo1 = (root3 * (1 + 0.1 * x**4) * 1.5 for x in (math.pi, math.pi / 3))
    ee3 = 0.1 * (math.pi**4 - (math.pi / 3) ** 4) * root3 * 1.5
    se = (hi1 - lo1) / 2 / math.sqrt(MORRIS_R)
    assert t.loc["model_x2", "mu_star"] == pytest.approx(7.875, rel=1e-9)
    assert abs(t.loc["model_x1", "mu_star"] - (hi1 + lo1) / 2) <= Z * se
    assert abs(t.loc["model_x3", "mu_star"] - ee3 / 2) <= Z * se
    # x1's effects are all positive; x2's cancel (mean of +-7.875, SE 7.875/sqrt(r)).
    assert t.loc["model_x1", "mu"] == pytest.approx(t.loc["model_x1", "mu_star"])
    assert abs(t.loc["model_x2", "mu"]) <= Z * 7.875 / math.sqrt(MORRIS_R)
    assert t.loc["model_x2", "sigma"] == pytest.approx(7.875, rel=0.01)
    # The robust ranking: x3 last.
    assert res.ranking[-1] == "model_x3"
    assert t.loc["model_x3", "rank"] == 3
    # The effects themselves take only the values derived above.
    effects = res.effects.abs()
    np.testing.assert_allclose(np.unique(effects["model_x2"].round(9)), [7.875])
    np.testing.assert_allclose(np.unique(effects["model_x1"].round(9)), sorted([lo1, hi1]))
    np.testing.assert_allclose(np.unique(effects["model_x3"].round(9)), [0.0, ee3], atol=1e-9)


def test_morris_log_scaled_integer_parameter(watts_morris):
    """Unit-scale mapping undoes log scales (and copes with integer rounding)."""
    ds = _open(watts_morris)
    assert ds["model_n"].attrs["sweep_scale"] == "log"
    res = sa.morris(ds, "active_fraction", scenario="dense", n_boot=200)
    assert res.n_trajectories == 6 and set(res.table.index) == {"model_phi", "model_n"}
    assert (res.table["n_effects"] == 6).all()
    # phi is mapped linearly: its levels are exactly on the p = 4 grid.
    u = (ds["model_phi"].values - 0.05) / 0.30
    np.testing.assert_allclose(u * 3, np.round(u * 3), atol=1e-9)
    # n = round(100 * 10^u): log-mapping back lands within rounding of the grid.
    un = np.log(ds["model_n"].values / 100) / np.log(10)
    np.testing.assert_allclose(un * 3, np.round(un * 3), atol=0.01)
    # Raising the threshold phi shrinks cascades: its effects are negative and dominate.
    assert res.table.loc["model_phi", "mu"] < 0
    assert res.ranking[0] == "model_phi"


def test_correlations_ishigami_lhs(ishigami_lhs):
    """Spearman rho on a Latin hypercube: x1 acts monotonically on average, x2 and x3 do not.

    E[y | x1] = sin(x1) (1 + 0.1 E[x3^4]) + const rises with x1 on most of [-pi, pi], so rho1
    > 0; y is even in x2 and in x3, so rho2 = rho3 = 0, and under zero correlation the
    estimate has SE ~ 1/sqrt(n - 1) = 0.032 for n = 1000: we allow 4 SE.
    """
    res = sa.correlations(_open(ishigami_lhs), "y", n_boot=N_BOOT)
    t = res.table
    assert res.n_points == LHS_POINTS
    assert t.loc["model_x1", "rho_ci_low"] > 0.2
    bound = Z / math.sqrt(LHS_POINTS - 1)
    assert abs(t.loc["model_x2", "rho"]) < bound and abs(t.loc["model_x3", "rho"]) < bound
    assert isinstance(sa.plot_response(res), Figure)


def test_sobol_is_reproducible_and_drops_incomplete_groups(g_sobol):
    ds = _open(g_sobol)
    a = sa.sobol(ds, "y", n_boot=100)
    b = sa.sobol(ds, "y", n_boot=100)
    assert a.table.equals(b.table)
    # Dropping the last point breaks the last base sample: it is left out, with a note.
    cut = sa.sobol(ds.isel(point=slice(0, -1)), "y", n_boot=100)
    assert cut.n_base == G_N - 1 and cut.n_base_total == G_N
    assert "incomplete" in cut.notes[0]
    # A different bootstrap seed changes the CIs but not the estimates.
    c = sa.sobol(ds, "y", n_boot=100, seed=7)
    np.testing.assert_array_equal(a.table["S1"], c.table["S1"])
    assert not np.array_equal(a.table["S1_ci_low"], c.table["S1_ci_low"])


def test_sensitivity_errors(ishigami_morris, watts_sobol, ds):
    with pytest.raises(atcsim.SweepError, match='method = "sobol"'):
        sa.sobol(_open(ishigami_morris), "y")
    with pytest.raises(atcsim.SweepError, match="no 'point' dimension"):
        sa.morris(ds, "participation_share")
    watts = _open(watts_sobol)
    with pytest.raises(atcsim.SweepError, match="pass scenario=NAME"):
        sa.sobol(watts, "active_fraction")
    with pytest.raises(atcsim.ScenarioNotFoundError):
        sa.sobol(watts, "active_fraction", scenario="nope")
    with pytest.raises(atcsim.VariableNotFoundError):
        sa.sobol(watts, "nope", scenario="dense")


def test_stochastic_sweep_per_scenario_and_site(watts_sobol):
    ds = _open(watts_sobol)
    pooled = sa.sobol(ds, "active_fraction", scenario="baseline", n_boot=200)
    north = sa.sobol(ds, "active_fraction", scenario="baseline", site="north", n_boot=200)
    assert "mean over 4 replicates" in pooled.description
    assert "mean over sites" in pooled.description and "site north" in north.description
    # The response is the replicate- and site-mean at the last time, one value per point.
    resp = sa.response(ds, "active_fraction", scenario="baseline")
    expected = ds["active_fraction"].sel(scenario="baseline").isel(time=-1).mean(["replicate", "site"]).values
    np.testing.assert_allclose(resp["value"].to_numpy(), expected)
    assert {"model_phi", "model_initial_active", "sweep_role", "value"} <= set(resp.columns)
    assert pooled.n_base == 8 and np.isfinite(pooled.table["S1"]).all()


def test_plots_are_figures(g_sobol, ishigami_morris):
    sob = sa.sobol(_open(g_sobol), "y", n_boot=100)
    mor = sa.morris(_open(ishigami_morris), "y", n_boot=100)
    for fig in (atcsim.plot_sobol(sob), atcsim.plot_morris(mor), atcsim.plot_response(mor)):
        assert isinstance(fig, Figure) and fig.axes
    assert [t.get_text() for t in atcsim.plot_sobol(sob).axes[0].get_xticklabels()][:2] == [
        "model.x1",
        "model.x2",
    ]
    assert "model_x1" in repr(sob) and "<table" in mor._repr_html_()
