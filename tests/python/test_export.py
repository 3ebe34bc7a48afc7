"""`python3 -m atcsim export` (long CSV, BehaviorSpace-like per-run table) and tidy(time=, categoricals)."""

from __future__ import annotations

import gzip
import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import atcsim
import atcsim.export as export_module
from atcsim.tidy import iter_tidy

from conftest import start_cli, subprocess_env

N_SCENARIOS, N_REPLICATES, N_SITES, N_TIMES = 4, 2, 15, 85  # to 2021-04-12 (conftest)


@pytest.fixture(scope="module")
def small(atc15_small):
    ds = atcsim.open(atc15_small)
    yield ds
    ds.close()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "atcsim", *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )


def _expected_rows(ds) -> int:
    return sum(int(np.prod([ds.sizes[d] for d in ds[name].dims])) for name in atcsim.indicators(ds))


# ------------------------------------------------------------------ long CSV


def test_csv_export_has_every_value_and_reads_back_exactly(small, atc15_small, tmp_path):
    out = tmp_path / "long.csv"
    proc = _cli("export", str(atc15_small), "-o", str(out), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(out, parse_dates=["date"], low_memory=False)
    assert list(df.columns) == [
        "scenario",
        "replicate",
        "site",
        "date",
        "practice",
        "theme",
        "variable",
        "value",
    ]
    assert len(df) == _expected_rows(small)
    assert f"({len(df)} rows)" in proc.stdout
    row = df[
        (df.scenario == "atc_covid")
        & (df.replicate == 1)
        & (df.site == "grigny_grande_borne")
        & (df.variable == "people_reached")
        & (df.theme == "health_access_to_rights")
    ].iloc[-1]
    expected = small["people_reached"].sel(
        scenario="atc_covid",
        replicate=1,
        site="grigny_grande_borne",
        theme="health_access_to_rights",
        time=row.date,
    )
    assert row.value == expected.item()  # shortest repr: bit-identical
    assert row.date == pd.Timestamp(small["time"].values[-1])
    share = df[df.variable == "participation_share"]
    np.testing.assert_allclose(
        share.groupby("scenario", sort=False)["value"].mean().loc[list(small["scenario"].values)].to_numpy(),
        small["participation_share"].mean(["replicate", "site", "time"]).values,
        rtol=1e-12,
    )
    assert share["theme"].isna().all() and df.loc[df.variable == "people_reached", "theme"].notna().all()


def test_gzip_round_trip_and_same_rows_as_tidy(small, atc15_small, tmp_path):
    plain, packed = tmp_path / "a.csv", tmp_path / "a.csv.gz"
    names = ["participation_share", "people_reached"]
    for path in (plain, packed):
        atcsim.export.export(atc15_small, path, "csv", variables=names)
    with gzip.open(packed, "rt", encoding="utf-8") as f:
        assert f.read() == plain.read_text(encoding="utf-8")
    assert packed.stat().st_size < plain.stat().st_size / 3
    back = pd.read_csv(packed, parse_dates=["date"], low_memory=False)
    expected = atcsim.tidy(small, names, categorical=False)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)


def test_csv_is_written_in_bounded_chunks(small, atc15_small, tmp_path, monkeypatch):
    calls: list[tuple[int, bool]] = []
    write = export_module._write_chunk

    def spy(chunk, handle, header):
        calls.append((len(chunk), header))
        write(chunk, handle, header)

    monkeypatch.setattr(export_module, "_write_chunk", spy)
    out = tmp_path / "chunked.csv"
    # About ten chunks of the file's ~800,000 rows (chunks of 1,000 took 18 s).
    chunk = 100_000
    rows = atcsim.export.export(atc15_small, out, "csv", chunk_rows=chunk)
    total = _expected_rows(small)
    assert rows == total == sum(n for n, _ in calls)
    assert max(n for n, _ in calls) <= chunk
    assert len(calls) >= total // chunk >= 5
    assert [h for _, h in calls] == [True] + [False] * (len(calls) - 1)
    calls.clear()
    monkeypatch.setattr(export_module, "_write_chunk", write)
    whole = tmp_path / "whole.csv"
    atcsim.export.export(atc15_small, whole, "csv", chunk_rows=10_000_000)
    assert whole.read_bytes() == out.read_bytes()


def test_chunks_are_the_rows_of_tidy(small):
    chunks = list(
        iter_tidy(
            small, ["people_reached", "trust_institutions"], time=slice("2019-11-01", None), chunk_rows=77
        )
    )
    assert all(len(c) <= 77 for c in chunks)
    joined = pd.concat(chunks, ignore_index=True)
    expected = atcsim.tidy(small, ["people_reached", "trust_institutions"], time=slice("2019-11-01", None))
    pd.testing.assert_frame_equal(
        joined, expected.astype({c: object for c in ["scenario", "site", "theme", "variable"]})
    )


# ----------------------------------------------------------- behaviorspace


def test_behaviorspace_one_row_per_run_with_parameters_and_outcomes(small, atc15_small, tmp_path):
    out = tmp_path / "runs.csv.gz"
    proc = _cli("export", str(atc15_small), "-o", str(out), "--format", "behaviorspace")
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(out, float_precision="round_trip")
    assert len(df) == N_SCENARIOS * N_REPLICATES * N_SITES
    assert list(df.columns[:5]) == ["run_number", "scenario", "replicate", "site", "site_name"]
    assert df["run_number"].tolist() == list(range(1, len(df) + 1))
    assert df.groupby(["scenario", "replicate", "site"]).size().eq(1).all()
    assert (df["population_scale"] == 0.05).all() and (df["burn_in_weeks"] == 156).all()
    run = df[(df.scenario == "atc") & (df.replicate == 1) & (df.site == str(small.site.values[3]))].iloc[0]
    series = small["participation_share"].sel(scenario="atc", replicate=1, site=run.site)
    assert run.participation_share_final == series.values[-1]
    assert run.participation_share_mean == pytest.approx(float(np.nanmean(series.values)), rel=1e-12)
    reached = small["people_reached"].sel(scenario="atc", replicate=1, site=run.site, theme="employment")
    assert run.people_reached_employment_final == reached.values[-1]
    assert run.people_reached_employment_mean == pytest.approx(float(reached.mean()), rel=1e-12)
    assert run.population == float(small["population"].sel(site=run.site))
    for name in atcsim.indicators(small):
        extra = atcsim.extra_dims(small[name])
        n = int(np.prod([small.sizes[d] for d in extra])) if extra else 1
        assert sum(c.startswith(f"{name}_") and c.endswith("_final") for c in df.columns) >= n


def test_behaviorspace_takes_scenario_overrides(small, atc15_small):
    config = small.attrs["config_toml"].replace(
        'name = "atc_covid"', 'name = "atc_covid"\nmodel = { population_scale = 0.5 }', 1
    )
    assert config != small.attrs["config_toml"]
    ds = small.copy()
    ds.attrs["config_toml"] = config
    table = atcsim.export.behaviorspace_table(
        ds, "participation_share", parameters=atcsim.read_parameters(atc15_small)
    )
    scale = table.groupby("scenario")["population_scale"].unique()
    assert scale["atc_covid"].tolist() == [0.5] and scale["baseline"].tolist() == [0.05]


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--variable", "no_such_indicator"], "no_such_indicator"),
        (["--chunk-rows", "0"], "--chunk-rows"),
    ],
)
def test_bad_export_arguments_exit_2_and_write_nothing(atc15_small, tmp_path, extra, message):
    out = tmp_path / "x.csv"
    proc = _cli("export", str(atc15_small), "-o", str(out), *extra)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_bad_export_paths_exit_2(atc15_small, tmp_path):
    for args, message in [
        ([str(tmp_path / "missing.h5"), "-o", str(tmp_path / "x.csv")], "missing.h5"),
        ([str(atc15_small), "-o", str(tmp_path / "no" / "x.csv")], "does not exist"),
        ([str(atc15_small), "-o", str(tmp_path)], "it is a directory"),
    ]:
        proc = _cli("export", *args)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr
    proc = _cli("export", str(atc15_small), "-o", str(tmp_path / "x.csv"), "--format", "parquet")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_export_refuses_an_output_that_is_not_a_regular_file(result_file, tmp_path):
    """OUTPUT.tmp was renamed over whatever OUTPUT was: a FIFO (or, as root, /dev/null) became a
    regular file. Now refused like `atcsim run -o`, exit 2, nothing written, the target untouched."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(fifo)
    busy = tmp_path / "busy.csv"
    os.mkfifo(tmp_path / "busy.csv.tmp")
    for output, why in [
        (fifo, "it is a FIFO (named pipe), not a regular file"),
        (link, "it is a FIFO (named pipe), not a regular file"),
        (busy, f"'{busy}.tmp' is a FIFO (named pipe), not a regular file"),
        (result_file, "it is the input file; give another output name"),
    ]:
        proc = _cli("export", str(result_file), "-o", str(output))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == f"atcsim export: error: -o {output}: cannot write '{output}': {why}\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISFIFO((tmp_path / "busy.csv.tmp").stat().st_mode)
    assert link.is_symlink() and not busy.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy.csv.tmp", "link.csv", "pipe"]


@pytest.mark.parametrize("whom", ["process", "group"])
def test_terminated_export_leaves_nothing(result_file, tmp_path, whom):
    """SIGTERM (`timeout 3 atcsim export ...` signals the process group; `kill PID` the process
    alone) used to kill the export at once and leave OUTPUT.tmp behind; now it stops like Ctrl-C:
    exit 130, "interrupted", OUTPUT.tmp removed."""
    out = tmp_path / "long.csv"
    tmp = tmp_path / "long.csv.tmp"
    # one row per chunk: slow enough to be caught while writing
    with start_cli("export", str(result_file), "-o", str(out), "--chunk-rows", "1") as proc:
        try:
            deadline = time.monotonic() + 60
            while not (tmp.exists() and tmp.stat().st_size > 0) and time.monotonic() < deadline:
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.05)
            assert tmp.exists(), "the export never started writing"
            if whom == "group":
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                os.kill(proc.pid, signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "atcsim export: interrupted"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------- tidy


def test_tidy_time_filters(small):
    one = atcsim.tidy(small, "participation_share", time="2019-12-31")  # nearest recorded: Monday 12-30
    assert (
        set(one["date"]) == {pd.Timestamp("2019-12-30")} and len(one) == N_SCENARIOS * N_REPLICATES * N_SITES
    )
    window = atcsim.tidy(small, "participation_share", time=slice("2019-11-04", "2019-12-02"))
    assert sorted(set(window["date"])) == list(pd.date_range("2019-11-04", "2019-12-02", freq="7D"))
    listed = atcsim.tidy(small, "participation_share", time=["2020-01-20", "2019-09-02", "2019-09-02"])
    assert sorted(set(listed["date"])) == [pd.Timestamp("2019-09-02"), pd.Timestamp("2020-01-20")]
    assert len(listed) == 2 * N_SCENARIOS * N_REPLICATES * N_SITES
    row = one[(one.scenario == "atc") & (one.replicate == 0)].iloc[2]
    assert row.value == small["participation_share"].sel(
        scenario="atc", replicate=0, site=row.site, time=row.date
    )
    with pytest.raises(atcsim.TimeSelectionError, match="outside the recorded time range"):
        atcsim.tidy(small, "participation_share", time="2030-01-01")
    with pytest.raises(atcsim.TimeSelectionError):
        atcsim.tidy(small, "participation_share", time=3.5)


def test_tidy_dtypes_and_size(small):
    df = atcsim.tidy(small)
    assert len(df) == _expected_rows(small)
    for column in ("scenario", "site", "theme", "practice", "variable"):
        assert isinstance(df[column].dtype, pd.CategoricalDtype), column
    assert list(df["scenario"].cat.categories) == list(small["scenario"].values)
    assert df["replicate"].dtype == np.int32 and df["value"].dtype == np.float64
    assert df.memory_usage(deep=True).sum() / len(df) < 27  # was ~100 bytes a row with object columns
    plain = atcsim.tidy(small, "participation_share", categorical=False)
    assert plain["scenario"].dtype == object
    assert plain.groupby("scenario").size().to_dict() == {
        s: N_REPLICATES * N_SITES * N_TIMES for s in small["scenario"].values
    }


def test_sweep_exports_carry_the_point_and_its_swept_values(watts_grid, tmp_path):
    ds = atcsim.open(watts_grid)
    swept = atcsim.sweep_parameters(ds)
    table = atcsim.export.behaviorspace_table(ds, parameters=atcsim.read_parameters(watts_grid))
    n_runs = ds.sizes["scenario"] * ds.sizes["point"] * ds.sizes["replicate"] * ds.sizes["site"]
    assert len(table) == n_runs and list(table.columns[1:3]) == ["scenario", "point"]
    keys = atcsim.sweep_table(ds)["key"]
    for coord in swept:  # the base value of a swept parameter is replaced by the point's value
        column = keys[coord].removeprefix("model.")
        expected = ds[coord].sel(point=table["point"].to_xarray()).values
        np.testing.assert_array_equal(table[column].to_numpy(dtype=float), expected.astype(float))
    name = atcsim.indicators(ds)[0]
    row = table.iloc[-1]
    series = ds[name].sel(scenario=row.scenario, point=row.point, replicate=row.replicate, site=row.site)
    assert row[f"{name}_final"] == series.values[-1]
    out = tmp_path / "sweep.csv"
    rows = atcsim.export.export(watts_grid, out, "csv", chunk_rows=50)
    back = pd.read_csv(out, parse_dates=["date"])
    assert rows == len(back) == len(atcsim.tidy(ds))
    assert list(back.columns[: 2 + len(swept)]) == ["scenario", "point", *swept]
    ds.close()
