"""The synthetic writer follows docs/output_schema.md, so tests exercise the real layout."""

from __future__ import annotations

import shutil
import subprocess

import h5py
import numpy as np
import pytest
import xarray as xr

from atcsim.testing import SYNTHETIC_VARIABLES, make_synthetic

from conftest import N_REPLICATES, N_SITES, N_STEPS, SCENARIOS

GLOBAL_ATTRS = (
    "Conventions",
    "title",
    "atcsim_version",
    "atcsim_schema",
    "git_commit",
    "created",
    "command_line",
    "config_toml",
    "seed",
    "model",
    "step_days",
)


def test_opens_with_plain_xarray_h5netcdf(result_file):
    with xr.open_dataset(result_file, engine="h5netcdf", decode_times=False) as raw:
        assert dict(raw.sizes) == {
            "scenario": 3,
            "replicate": N_REPLICATES,
            "site": N_SITES,
            "time": N_STEPS,
            "theme": 3,
        }
        assert list(raw["scenario"].values) == list(SCENARIOS)
        assert raw["time"].attrs["units"] == "days since 2019-09-02"
        assert raw["time"].attrs["calendar"] == "standard"
        assert raw["time"].dtype == np.float64
        assert raw["replicate"].dtype == np.int64
        assert raw["run_complete"].dims == ("scenario", "replicate")
        assert raw["run_complete"].dtype == np.int8
        assert raw["outcome_index"].dims == ("scenario", "replicate", "site", "time", "theme")
        for name in SYNTHETIC_VARIABLES:
            var = raw[name]
            assert var.dims == ("scenario", "replicate", "site", "time")
            assert var.dtype == np.float64
            assert {"units", "long_name", "description"} <= set(var.attrs)
            assert np.isnan(var.encoding["_FillValue"])
        for aux in ("site_name", "site_code", "network", "population"):
            assert raw[aux].dims == ("site",)
        assert raw["step"].dims == ("time",)
        assert set(GLOBAL_ATTRS) <= set(raw.attrs)
        assert raw.attrs["Conventions"] == "CF-1.8"
        assert raw.attrs["atcsim_schema"] == 1


def test_hdf5_layout_details(result_file):
    with h5py.File(result_file, "r") as f:
        for dim in ("scenario", "replicate", "site", "time", "theme"):
            assert h5py.h5ds.is_scale(f[dim].id), dim
        assert h5py.check_string_dtype(f["site"].dtype).encoding == "utf-8"
        assert h5py.check_string_dtype(f["site_name"].dtype).length is None  # variable length
        var = f["participation_share"]
        assert var.chunks == (1, 1, N_SITES, N_STEPS)  # one run at a time, as the engine writes
        assert var.compression == "gzip" and var.compression_opts == 4 and var.shuffle
        assert np.isnan(var.fillvalue) and np.isnan(var.attrs["_FillValue"])
        assert [var.dims[i][0].name for i in range(4)] == ["/scenario", "/replicate", "/site", "/time"]
        assert f["run_complete"].dtype == np.int8
        params = f["parameters"]
        assert all(params[name].shape == () for name in params)
        assert "source" in params["animator_contacts_per_week"].attrs


@pytest.mark.skipif(shutil.which("ncdump") is None, reason="ncdump (Debian netcdf-bin) not installed")
def test_ncdump_reads_header_and_data_without_complaint(result_file, partial_file):
    for path in (result_file, partial_file):
        header = subprocess.run(["ncdump", "-h", str(path)], capture_output=True, text=True, timeout=60)
        assert header.returncode == 0, header.stderr
        assert header.stderr == ""
        assert "string site_name(site)" in header.stdout
        assert "double outcome_index(scenario, replicate, site, time, theme)" in header.stdout
        assert "group: parameters" in header.stdout
    data = subprocess.run(
        ["ncdump", "-v", "scenario,site_name", str(result_file)], capture_output=True, text=True, timeout=60
    )
    assert data.returncode == 0, data.stderr
    assert '"animator_governance"' in data.stdout
    assert "Trénelle-Citron" in data.stdout  # UTF-8 survives


def test_partial_files_flag_runs_and_hold_nan(partial_file):
    assert partial_file.name.endswith(".h5.partial")
    with xr.open_dataset(partial_file, engine="h5netcdf") as raw:
        flags = raw["run_complete"].values
        assert flags.sum() == flags.size - 4
        incomplete = raw["participation_share"].values[flags == 0]
        complete = raw["participation_share"].values[flags == 1]
        assert np.isnan(incomplete).all()
        assert np.isfinite(complete).all()


def test_known_effect_at_last_step_is_the_expected_paired_difference(tmp_path):
    path = make_synthetic(
        tmp_path / "big.h5",
        replicates=400,
        sites=2,
        steps=3,
        noise=0.02,
        effects={"animator": {"trust_institutions": 0.05}},
        seed=9,
    )
    with xr.open_dataset(path, engine="h5netcdf") as raw:
        v = raw["trust_institutions"].isel(time=-1)
        diff = (v.sel(scenario="animator") - v.sel(scenario="baseline")).values
        unaffected = (v.sel(scenario="animator_governance") - v.sel(scenario="baseline")).values
    se = 0.02 * np.sqrt(2) / np.sqrt(diff.size)
    assert abs(diff.mean() - 0.05) < 4 * se
    assert abs(unaffected.mean()) < 4 * se
    assert diff.std(ddof=1) == pytest.approx(0.02 * np.sqrt(2), rel=0.1)


def test_invalid_arguments_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        make_synthetic(tmp_path / "x.h5", replicates=3, complete=[[1, 1]])
    with pytest.raises(ValueError, match="unknown scenarios"):
        make_synthetic(tmp_path / "x.h5", effects={"nope": {"participation_share": 1.0}})
    with pytest.raises(ValueError, match="sites"):
        make_synthetic(tmp_path / "x.h5", sites=16)
