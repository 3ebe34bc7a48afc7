"""atcsim.open, read_parameters, indicators: decoding, metadata, incomplete runs, bad files."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pandas as pd
import pytest

import atcsim
from atcsim.testing import make_synthetic

from conftest import N_REPLICATES, N_SITES, SCENARIOS


def test_dates_are_decoded_and_metadata_are_coordinates(ds):
    assert np.issubdtype(ds["time"].dtype, np.datetime64)
    assert pd.Timestamp(ds["time"].values[0]) == pd.Timestamp("2019-09-02")
    assert pd.Timestamp(ds["time"].values[1]) == pd.Timestamp("2019-09-09")
    for coord in ("site_name", "site_code", "network", "population", "step", "run_complete"):
        assert coord in ds.coords, coord
        assert coord not in ds.data_vars
    assert ds["site_name"].values[2] == "Fort-de-France — Trénelle-Citron"
    assert ds["population"].dtype == np.float64
    assert list(ds["step"].values[:3]) == [0, 1, 2]
    assert ds["participation_share"].attrs["units"] == "1"
    assert ds["avoided_costs_eur"].attrs["units"] == "EUR"
    assert ds["avoided_costs_eur"].attrs["long_name"]
    assert ds.attrs["analysis_incomplete_runs"] == 0
    assert ds.attrs["analysis_runs_total"] == len(SCENARIOS) * N_REPLICATES


def test_indicators_and_extra_dims(ds):
    names = atcsim.indicators(ds)
    assert "participation_share" in names and "outcome_index" in names
    assert "run_complete" not in names and "site_name" not in names
    assert atcsim.extra_dims(ds["outcome_index"]) == ["theme"]
    assert atcsim.extra_dims(ds["participation_share"]) == []


def test_partial_file_drops_unpaired_replicates_with_a_counted_warning(partial_file):
    with pytest.warns(atcsim.IncompleteRunsWarning) as record:
        ds = atcsim.open(partial_file)
    message = " ".join(str(w.message) for w in record)
    assert "4 of 36 runs" in message
    assert "every scenario" in message and "paired" in message
    assert "[9, 10, 11]" in message and ".partial" in message
    # replicate 11 is incomplete in baseline, 9-11 in animator_governance: 9-11 dropped everywhere
    assert list(ds["replicate"].values) == list(range(9))
    assert ds.sizes["scenario"] == 3
    assert np.isfinite(ds["participation_share"].values).all()
    assert list(ds.attrs["analysis_dropped_replicates"]) == [9, 10, 11]
    assert ds.attrs["analysis_incomplete_runs"] == 4


def test_replicate_incomplete_in_treatment_only_is_dropped_from_baseline_too(tmp_path):
    complete = np.ones((3, 5), dtype=np.int8)
    complete[1, 2] = 0
    path = make_synthetic(tmp_path / "one_missing.h5", replicates=5, complete=complete)
    with pytest.warns(atcsim.IncompleteRunsWarning, match="1 of 15 runs"):
        ds = atcsim.open(path)
    assert list(ds["replicate"].values) == [0, 1, 3, 4]


def test_keep_incomplete_runs_on_request(partial_file):
    with pytest.warns(atcsim.IncompleteRunsWarning, match="kept as NaN"):
        ds = atcsim.open(partial_file, drop_incomplete=False)
    assert ds.sizes["replicate"] == N_REPLICATES
    assert np.isnan(ds["participation_share"].sel(scenario="baseline", replicate=11)).all()


def test_nothing_complete_in_every_scenario_says_so(tmp_path):
    complete = np.ones((2, 4), dtype=np.int8)
    complete[1, :] = 0
    path = make_synthetic(
        tmp_path / "half.h5", scenarios=("baseline", "animator"), replicates=4, complete=complete
    )
    with pytest.warns(atcsim.IncompleteRunsWarning, match="nothing left"):
        ds = atcsim.open(path)
    assert ds.sizes["replicate"] == 0
    with pytest.warns(atcsim.FewReplicatesWarning, match="no replicate has values"):
        res = atcsim.compare(ds, "baseline", "animator", "participation_share")
    assert (res.table["n_replicates"] == 0).all() and res.table["mean_diff"].isna().all()
    assert atcsim.tidy(ds, "participation_share").empty


def test_partial_name_with_all_runs_complete_still_warns(tmp_path):
    path = make_synthetic(tmp_path / "done.h5.partial", replicates=3)
    with pytest.warns(atcsim.IncompleteRunsWarning, match="every run is marked complete"):
        ds = atcsim.open(path)
    assert ds.sizes["replicate"] == 3


def test_text_file_is_not_an_atcsim_file(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("hello")
    with pytest.raises(atcsim.NotAtcsimFileError, match="not HDF5"):
        atcsim.open(path)


def test_hdf5_without_schema_attribute_is_not_an_atcsim_file(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
        f.attrs["title"] = "some other HDF5 file"
    with pytest.raises(atcsim.NotAtcsimFileError, match="atcsim_schema") as info:
        atcsim.open(path)
    assert isinstance(info.value, ValueError)


def test_incompatible_schema_version_is_refused(tmp_path):
    path = make_synthetic(tmp_path / "future.h5", replicates=2, schema=2)
    with pytest.raises(atcsim.SchemaVersionError, match="schema 2") as info:
        atcsim.open(path)
    assert "reads schema 1" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError):
        atcsim.open(tmp_path / "missing.h5")


def test_read_parameters_from_path_and_dataset(result_file, ds):
    params = atcsim.read_parameters(result_file)
    assert params.loc["animator_salary_eur", "value"] == 45000.0
    assert params.loc["animator_salary_eur", "units"] == "EUR/year"
    assert params.loc["animator_salary_eur", "source"] == "assumption"
    assert params.loc["trust_loss_ratio", "valid_max"] == 10.0
    pd.testing.assert_frame_equal(params, atcsim.read_parameters(ds))


def test_parameters_without_sources_read_as_empty_strings(tmp_path):
    path = make_synthetic(tmp_path / "nosrc.h5", replicates=2, parameter_sources=False)
    params = atcsim.read_parameters(path)
    assert (params["source"] == "").all() and len(params) > 0


def test_open_raw_keeps_everything_silently(partial_file):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raw = atcsim.open_raw(partial_file)
    assert raw.sizes["replicate"] == N_REPLICATES
    assert raw.sizes["site"] == N_SITES
    assert int(raw["run_complete"].sum()) == 32
