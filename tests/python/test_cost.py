"""atcsim.cost_effectiveness: paired avoided costs, extra cost, net benefit, ratio."""

from __future__ import annotations

import numpy as np
import pytest

import atcsim
from atcsim.testing import make_synthetic

from conftest import N_REPLICATES, N_SITES


def test_known_costs(ds):
    # make_synthetic defaults: scenario k costs k * 35,000 EUR more per site and
    # avoids k * 60,000 EUR more (in expectation) by the last step.
    res = atcsim.cost_effectiveness(ds, "baseline", "animator_governance")
    sites = res.table.drop(index="pooled")
    assert np.allclose(sites["cost_eur"], 70_000.0)
    assert np.allclose(sites["cost_eur_ci_low"], 70_000.0)
    assert np.allclose(sites["cost_eur_ci_high"], 70_000.0)
    assert res.pooled.cost_eur == pytest.approx(70_000.0 * N_SITES)
    assert res.pooled.avoided_eur_ci_low < 120_000.0 * N_SITES < res.pooled.avoided_eur_ci_high
    assert (res.table["n_replicates"] == N_REPLICATES).all()


def test_identities_between_columns(ds):
    res = atcsim.cost_effectiveness(ds, "baseline", "animator")
    t = res.table
    np.testing.assert_allclose(t["net_benefit_eur"], t["avoided_eur"] - t["cost_eur"])
    np.testing.assert_allclose(t["benefit_cost_ratio"], t["avoided_eur"] / t["cost_eur"])
    sites = t.drop(index="pooled")
    assert t.loc["pooled", "avoided_eur"] == pytest.approx(sites["avoided_eur"].sum())
    assert t.loc["pooled", "net_benefit_eur"] == pytest.approx(sites["net_benefit_eur"].sum())
    for key in ("avoided_eur", "net_benefit_eur", "benefit_cost_ratio"):
        assert (t[f"{key}_ci_low"] <= t[key]).all() and (t[key] <= t[f"{key}_ci_high"]).all()
    assert t.drop(columns="site_name").notna().all().all()


def test_paired_values_match_a_direct_computation(ds):
    res = atcsim.cost_effectiveness(ds, "baseline", "animator")
    last = ds.isel(time=-1)
    avoided = last["avoided_costs_eur"].sel(scenario="animator") - last["avoided_costs_eur"].sel(
        scenario="baseline"
    )
    cost = last["intervention_cost_eur"].sel(scenario="animator") - last["intervention_cost_eur"].sel(
        scenario="baseline"
    )
    net = (avoided - cost).sel(site="grenoble_villeneuve_vo").values
    row = res.table.loc["grenoble_villeneuve_vo"]
    assert row.net_benefit_eur == pytest.approx(net.mean())
    assert row.share_net_positive == pytest.approx((net > 0).mean())
    pooled_net = (avoided - cost).sum("site").values
    assert res.pooled.net_benefit_eur == pytest.approx(pooled_net.mean())
    assert (res.pooled.net_benefit_eur_ci_low, res.pooled.net_benefit_eur_ci_high) == pytest.approx(
        atcsim.bootstrap_ci(pooled_net)
    )


def test_no_extra_cost_gives_undefined_ratio(tmp_path):
    path = make_synthetic(
        tmp_path / "free.h5",
        scenarios=("baseline", "free_lunch"),
        replicates=10,
        sites=2,
        steps=4,
        effects={"free_lunch": {"avoided_costs_eur": 10_000.0}},
    )
    with atcsim.open(path) as data:
        res = atcsim.cost_effectiveness(data, "baseline", "free_lunch")
    assert (res.table["cost_eur"] == 0).all()
    assert res.table["benefit_cost_ratio"].isna().all()
    assert res.table["benefit_cost_ratio_ci_low"].isna().all()
    assert res.table["net_benefit_eur"].notna().all()


def test_missing_cost_variables(tmp_path):
    path = make_synthetic(
        tmp_path / "nocost.h5", replicates=3, variables=["participation_share"], extra_theme_var=False
    )
    with atcsim.open(path) as data:
        with pytest.raises(atcsim.VariableNotFoundError, match="avoided_costs_eur"):
            atcsim.cost_effectiveness(data, "baseline", "animator")


def test_one_replicate_and_unknown_scenario(ds):
    with pytest.warns(atcsim.FewReplicatesWarning):
        res = atcsim.cost_effectiveness(ds.isel(replicate=[3]), "baseline", "animator")
    assert res.table["net_benefit_eur"].notna().all()
    assert res.table["net_benefit_eur_ci_low"].isna().all()
    with pytest.raises(atcsim.ScenarioNotFoundError, match="available scenarios"):
        atcsim.cost_effectiveness(ds, "baseline", "mediator")


def test_renders(ds):
    res = atcsim.cost_effectiveness(ds, "baseline", "animator")
    assert "cost-effectiveness of animator vs baseline" in repr(res)
    assert "<table" in res._repr_html_()
