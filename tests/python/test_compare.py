"""atcsim.compare, bootstrap_ci, replicates_needed: correctness and statistical honesty."""

from __future__ import annotations

import math
import statistics
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import atcsim
from atcsim.testing import make_synthetic

from conftest import N_REPLICATES, N_STEPS

Z95 = statistics.NormalDist().inv_cdf(0.975)


def paired_dataset(baseline: np.ndarray, treatment: np.ndarray) -> xr.Dataset:
    """In-memory dataset with one recorded time from (replicate, site) arrays."""
    n_rep, n_site = baseline.shape
    values = np.stack([baseline, treatment])[:, :, :, None]
    return xr.Dataset(
        {"x": (("scenario", "replicate", "site", "time"), values, {"units": "1"})},
        coords={
            "scenario": ["baseline", "treatment"],
            "replicate": np.arange(n_rep),
            "site": [f"s{k}" for k in range(n_site)],
            "time": [np.datetime64("2021-12-27")],
        },
    )


# ------------------------------------------------------------------ correctness


def test_table_shape_and_no_nan(ds):
    res = atcsim.compare(ds, "baseline", "animator", "participation_share")
    assert list(res.table.index) == list(ds["site"].values) + ["pooled"]
    assert list(res.table.columns) == [
        "site_name",
        "baseline_mean",
        "treatment_mean",
        "mean_diff",
        "ci_low",
        "ci_high",
        "effect_size",
        "share_better",
        "n_replicates",
    ]
    numeric = res.table.drop(columns="site_name")
    assert numeric.notna().all().all()
    assert (res.table["n_replicates"] == N_REPLICATES).all()
    assert (res.table["ci_low"] <= res.table["mean_diff"]).all()
    assert (res.table["mean_diff"] <= res.table["ci_high"]).all()
    assert "last" not in res.time_label and "step 15" in res.time_label


def test_statistics_match_a_direct_computation(ds):
    res = atcsim.compare(ds, "baseline", "animator_governance", "trust_institutions")
    last = ds["trust_institutions"].isel(time=-1)
    b = last.sel(scenario="baseline").transpose("replicate", "site").values
    t = last.sel(scenario="animator_governance").transpose("replicate", "site").values
    d = t - b
    site = "saint_gilles_sabatot"
    j = list(ds["site"].values).index(site)
    row = res.table.loc[site]
    assert row.mean_diff == pytest.approx(d[:, j].mean())
    assert row.baseline_mean == pytest.approx(b[:, j].mean())
    assert row.effect_size == pytest.approx(d[:, j].mean() / d[:, j].std(ddof=1))
    assert row.share_better == pytest.approx((d[:, j] > 0).mean())
    assert (row.ci_low, row.ci_high) == atcsim.bootstrap_ci(d[:, j], seed=atcsim.DEFAULT_SEED)
    pooled = d.mean(axis=1)
    np.testing.assert_allclose(res.diffs["pooled"].values, pooled)
    assert res.pooled.mean_diff == pytest.approx(pooled.mean())
    assert res.pooled.effect_size == pytest.approx(pooled.mean() / pooled.std(ddof=1))
    np.testing.assert_allclose(res.diffs[site].values, d[:, j])


def test_known_effect_is_recovered(tmp_path):
    path = make_synthetic(
        tmp_path / "effect.h5",
        replicates=40,
        sites=3,
        steps=4,
        seed=11,
        effects={"animator": {"participation_share": 0.04}},
    )
    with atcsim.open(path) as data:
        res = atcsim.compare(data, "baseline", "animator", "participation_share")
        null = atcsim.compare(data, "baseline", "animator_governance", "participation_share")
    assert res.pooled.ci_low < 0.04 < res.pooled.ci_high
    assert res.pooled.ci_low > 0  # effect is ~9 standard errors: detected
    assert null.pooled.ci_low < 0 < null.pooled.ci_high  # no effect: CI straddles 0
    assert res.pooled.share_better > 0.9


def test_reproducible_and_seed_dependent(ds):
    a = atcsim.compare(ds, "baseline", "animator", "participation_share")
    b = atcsim.compare(ds, "baseline", "animator", "participation_share")
    c = atcsim.compare(ds, "baseline", "animator", "participation_share", seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_series_equal(a.table["mean_diff"], c.table["mean_diff"])
    assert not np.allclose(a.table["ci_low"], c.table["ci_low"])


def test_time_selection_by_date_step_position_and_window(ds):
    var = "participation_share"
    by_date = atcsim.compare(ds, "baseline", "animator", var, at="2019-10-14")
    by_step = atcsim.compare(ds, "baseline", "animator", var, at=6)
    by_position = atcsim.compare(ds, "baseline", "animator", var, at=6 - N_STEPS)
    pd.testing.assert_frame_equal(by_date.table, by_step.table)
    pd.testing.assert_frame_equal(by_date.table, by_position.table)
    assert "2019-10-14 (step 6)" == by_date.time_label
    near = atcsim.compare(ds, "baseline", "animator", var, at="2019-10-16")  # nearest record
    pd.testing.assert_frame_equal(near.table, by_date.table)

    window = atcsim.compare(ds, "baseline", "animator", var, window=("2019-10-14", 9))
    sub = ds[var].isel(time=slice(6, 10)).mean("time")
    d = (sub.sel(scenario="animator") - sub.sel(scenario="baseline")).mean("site")
    assert window.pooled.mean_diff == pytest.approx(float(d.mean()))
    assert "4 recorded times" in window.time_label


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"at": "2030-01-01"}, "outside the recorded time range"),
        ({"at": 999}, "step 999 is not recorded"),
        ({"at": -99}, "out of range"),
        ({"at": "not a date"}, "cannot read"),
        ({"window": (10, 2)}, "after its end"),
        ({"at": 1, "window": (0, 2)}, "not both"),
    ],
)
def test_bad_time_selection(ds, kwargs, match):
    with pytest.raises(atcsim.TimeSelectionError, match=match):
        atcsim.compare(ds, "baseline", "animator", "participation_share", **kwargs)


def test_missing_scenario_names_the_available_ones(ds):
    with pytest.raises(atcsim.ScenarioNotFoundError) as info:
        atcsim.compare(ds, "baseline", "animateur", "participation_share")
    message = str(info.value)
    assert "'animateur'" in message
    assert "baseline, animator, animator_governance" in message
    assert isinstance(info.value, ValueError)
    with pytest.raises(atcsim.ScenarioNotFoundError, match="same scenario"):
        atcsim.compare(ds, "animator", "animator", "participation_share")


def test_missing_variable_and_extra_dimension(ds):
    with pytest.raises(atcsim.VariableNotFoundError, match="available: .*trust_institutions"):
        atcsim.compare(ds, "baseline", "animator", "trust_in_everything")
    with pytest.raises(atcsim.TimeSelectionError, match="theme"):
        atcsim.compare(ds, "baseline", "animator", "outcome_index")
    res = atcsim.compare(ds, "baseline", "animator", "outcome_index", select={"theme": "employment"})
    assert res.label == "outcome_index[theme=employment]"
    assert res.table.drop(columns="site_name").notna().all().all()


def test_one_replicate_gives_nan_ci_and_a_warning(ds):
    one = ds.isel(replicate=[0])
    with pytest.warns(atcsim.FewReplicatesWarning, match="single replicate"):
        res = atcsim.compare(one, "baseline", "animator", "participation_share")
    assert np.isfinite(res.table["mean_diff"]).all()
    assert res.table["ci_low"].isna().all() and res.table["ci_high"].isna().all()
    assert res.table["effect_size"].isna().all()
    assert (res.table["n_replicates"] == 1).all()
    with pytest.raises(ValueError, match="at least 2"):
        atcsim.replicates_needed(res, 0.01)


def test_few_replicates_warn_and_enough_do_not(ds):
    with pytest.warns(atcsim.FewReplicatesWarning, match="only 5 replicate"):
        atcsim.compare(ds.isel(replicate=slice(0, 5)), "baseline", "animator", "participation_share")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        atcsim.compare(ds, "baseline", "animator", "participation_share")  # 12 replicates


def test_identical_scenarios_have_zero_effect(ds):
    same = ds.copy()
    same["participation_share"] = same["participation_share"].copy()
    same["participation_share"].loc[{"scenario": "animator"}] = (
        same["participation_share"].sel(scenario="baseline").values
    )
    res = atcsim.compare(same, "baseline", "animator", "participation_share")
    assert (res.table["mean_diff"] == 0).all()
    assert (res.table["effect_size"] == 0).all()
    assert (res.table["share_better"] == 0).all()
    assert (res.table["ci_low"] == 0).all() and (res.table["ci_high"] == 0).all()


def test_direction_of_share_better(ds):
    up = atcsim.compare(ds, "baseline", "animator", "participation_share")
    down = atcsim.compare(ds, "baseline", "animator", "participation_share", higher_is_better=False)
    np.testing.assert_allclose(up.table["share_better"] + down.table["share_better"], 1.0)


def test_site_with_missing_values_is_compared_on_complete_pairs():
    rng = np.random.default_rng(3)
    b = rng.normal(size=(20, 2))
    t = b + 1.0
    t[:5, 1] = np.nan
    res = atcsim.compare(paired_dataset(b, t), "baseline", "treatment", "x")
    assert res.table.loc["s1", "n_replicates"] == 15
    assert res.table.loc["s0", "n_replicates"] == 20
    assert res.table.loc["s1", "mean_diff"] == pytest.approx(1.0)
    assert res.pooled.mean_diff == pytest.approx(1.0)


def test_result_renders(ds):
    res = atcsim.compare(ds, "baseline", "animator", "participation_share")
    assert "animator - baseline" in repr(res)
    assert "<table" in res._repr_html_()
    frame = res.to_frame()
    assert list(frame.columns[:5]) == ["variable", "baseline", "treatment", "time", "site"]


# -------------------------------------------------------------- honesty


def test_bootstrap_ci_covers_the_true_mean_about_95_percent_of_the_time():
    # 400 independent data sets of 30 paired differences (a realistic replicate
    # count), each with its own bootstrap seed and the default 2000 resamples.
    # The percentile bootstrap of a mean with n = 30 has true coverage ~94 %;
    # the binomial sd over 400 draws is ~1.2 %, so the 90-99 % band is about
    # 3 sd wide on each side: a correct CI passes, a CI that is too narrow
    # (e.g. ignoring resampling) or too wide (e.g. unpaired) fails.
    rng = np.random.default_rng(2024)
    true_effect, n, draws = 0.05, 30, 400
    covered = 0
    for k in range(draws):
        diffs = true_effect + rng.normal(0.0, 0.03, size=n)
        lo, hi = atcsim.bootstrap_ci(diffs, seed=k)
        covered += lo <= true_effect <= hi
    assert 0.90 <= covered / draws <= 0.99


def test_compare_end_to_end_coverage_with_common_random_numbers():
    # 8 experiments x 50 independent sites = 400 CIs through the full compare()
    # pipeline with default bootstrap settings; each experiment has its own seed. Replicate noise
    # shared by both scenarios (common random numbers) is 10x larger than the
    # scenario-specific noise: an unpaired analysis would produce CIs ~10x too
    # wide (coverage ~100 %), a wrong sign would give ~0 %.
    rng = np.random.default_rng(99)
    true_effect, n_rep, n_site = 0.02, 30, 50
    covered, total = 0, 0
    for experiment in range(8):
        common = rng.normal(0.5, 0.1, size=(n_rep, n_site))
        b = common + rng.normal(0.0, 0.01, size=(n_rep, n_site))
        t = common + true_effect + rng.normal(0.0, 0.01, size=(n_rep, n_site))
        res = atcsim.compare(paired_dataset(b, t), "baseline", "treatment", "x", seed=experiment)
        sites = res.table.drop(index="pooled")
        covered += int(((sites.ci_low <= true_effect) & (true_effect <= sites.ci_high)).sum())
        total += len(sites)
        # paired CI width ~ 2 * 1.96 * 0.01 * sqrt(2) / sqrt(30) = 0.010, not ~0.07
        assert sites.eval("ci_high - ci_low").median() < 0.02
    assert 0.90 <= covered / total <= 0.99


# ------------------------------------------------------------ replicates needed


def test_replicates_needed_formula_and_sources(ds):
    diffs = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    sd = diffs.std(ddof=1)
    expected = math.ceil((2 * Z95 * sd / 0.5) ** 2)
    assert atcsim.replicates_needed(diffs, 0.5) == expected
    assert atcsim.replicates_needed(diffs, 100.0) == 2  # never below 2

    res = atcsim.compare(ds, "baseline", "animator", "trust_institutions")
    sd_pooled = res.diffs["pooled"].std(ddof=1)
    assert atcsim.replicates_needed(res, 0.01) == math.ceil((2 * Z95 * sd_pooled / 0.01) ** 2)
    site = "marseille_frais_vallon"
    assert atcsim.replicates_needed(res, 0.01, site=site) == atcsim.replicates_needed(res.diffs[site], 0.01)
    assert atcsim.replicates_needed(
        ds, 0.01, "baseline", "animator", "trust_institutions"
    ) == atcsim.replicates_needed(res, 0.01)
    with pytest.raises(ValueError, match="target_ci_width"):
        atcsim.replicates_needed(diffs, 0.0)
    with pytest.raises(ValueError, match="baseline, treatment and variable"):
        atcsim.replicates_needed(ds, 0.01)


def test_replicates_needed_delivers_the_target_width():
    rng = np.random.default_rng(5)
    pilot = rng.normal(0.0, 1.0, size=200)
    n = atcsim.replicates_needed(pilot, 0.5)
    widths = []
    for k in range(40):
        lo, hi = atcsim.bootstrap_ci(rng.normal(0.0, 1.0, size=n), n_boot=500, seed=k)
        widths.append(hi - lo)
    assert np.mean(widths) == pytest.approx(0.5, rel=0.1)


def test_bad_bootstrap_arguments(ds):
    with pytest.raises(ValueError, match="n_boot"):
        atcsim.compare(ds, "baseline", "animator", "participation_share", n_boot=0)
    with pytest.raises(ValueError, match="ci"):
        atcsim.bootstrap_ci([1.0, 2.0], ci=1.5)
    assert all(math.isnan(v) for v in atcsim.bootstrap_ci([1.0]))
