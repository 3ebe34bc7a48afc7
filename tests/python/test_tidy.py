"""atcsim.tidy: long table with one row per value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import atcsim

from conftest import N_REPLICATES, N_SITES, N_STEPS, SCENARIOS

N_ROWS = len(SCENARIOS) * N_REPLICATES * N_SITES * N_STEPS


def test_columns_and_size_for_one_variable(ds):
    df = atcsim.tidy(ds, "participation_share")
    assert list(df.columns) == ["scenario", "replicate", "site", "date", "variable", "value"]
    assert len(df) == N_ROWS
    assert set(df["variable"]) == {"participation_share"}
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df["value"].notna().all()


def test_values_match_the_dataset(ds):
    df = atcsim.tidy(ds, ["participation_share", "trust_institutions"])
    row = df[
        (df.scenario == "animator")
        & (df.replicate == 3)
        & (df.site == "saint_gilles_sabatot")
        & (df.variable == "trust_institutions")
    ].iloc[5]
    expected = (
        ds["trust_institutions"]
        .sel(scenario="animator", replicate=3, site="saint_gilles_sabatot", time=row.date)
        .item()
    )
    assert row.value == expected
    assert len(df) == 2 * N_ROWS


def test_extra_dimension_becomes_a_column(ds):
    df = atcsim.tidy(ds, ["participation_share", "outcome_index"])
    assert list(df.columns) == ["scenario", "replicate", "site", "date", "theme", "variable", "value"]
    outcome = df[df.variable == "outcome_index"]
    assert len(outcome) == N_ROWS * ds.sizes["theme"]
    assert set(outcome["theme"]) == set(ds["theme"].values)
    assert df.loc[df.variable == "participation_share", "theme"].isna().all()


def test_all_variables_by_default(ds):
    df = atcsim.tidy(ds)
    assert set(df["variable"]) == set(atcsim.indicators(ds))


def test_site_info_columns(ds):
    df = atcsim.tidy(ds, "participation_share", site_info=True)
    assert list(df.columns[:6]) == ["scenario", "replicate", "site", "site_name", "network", "population"]
    marseille = df[df.site == "marseille_frais_vallon"]
    assert set(marseille["network"]) == {"FCSF"}
    assert set(marseille["population"]) == {9000.0}


def test_dropna_and_unknown_variable(ds):
    masked = ds.copy()
    masked["participation_share"] = masked["participation_share"].where(masked["replicate"] != 0)
    df = atcsim.tidy(masked, "participation_share", dropna=True)
    assert len(df) == N_ROWS - N_ROWS // N_REPLICATES
    assert df["value"].notna().all()
    with pytest.raises(atcsim.VariableNotFoundError, match="available: .*participation_share"):
        atcsim.tidy(ds, "no_such_indicator")


def test_groupby_is_what_users_expect(ds):
    df = atcsim.tidy(ds, "participation_share")
    means = df.groupby("scenario")["value"].mean()
    expected = ds["participation_share"].mean(["replicate", "site", "time"]).to_series()
    np.testing.assert_allclose(means.loc[list(SCENARIOS)].values, expected.loc[list(SCENARIOS)].values)
