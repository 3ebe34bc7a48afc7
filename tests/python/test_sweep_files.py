"""The existing analysis functions on files with a ``point`` dimension (parameter sweeps).

Sweep files come from the real engine (see conftest.py; skipped without the binary):
a stochastic Watts model with two scenarios, two sites and four replicates, swept on a
grid, a Morris design and a Sobol design, plus the Ishigami Sobol validation file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
from matplotlib.figure import Figure

import atcsim

from conftest import atcsim_binary, subprocess_env


def _open(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return atcsim.open(path, **kwargs)


def test_open_sweep_file(watts_grid):
    ds = _open(watts_grid)
    assert ds["active_fraction"].dims == ("scenario", "point", "replicate", "site", "time")
    assert ds["run_complete"].dims == ("scenario", "point", "replicate")
    for coord in ("model_phi", "model_n", "sweep_role", "sweep_group", "sweep_factor"):
        assert coord in ds.coords, coord
    assert atcsim.is_sweep(ds) and not atcsim.is_sweep(ds.isel(point=0))
    assert atcsim.sweep_parameters(ds) == ["model_phi", "model_n"]
    table = atcsim.sweep_table(ds)
    assert list(table["key"]) == ["model.phi", "model.n"]
    assert list(table["n_values"]) == [3, 2]
    assert atcsim.indicators(ds) and atcsim.extra_dims(ds["active_fraction"]) == []
    assert ds.attrs["analysis_dropped_points"].size == 0


def _break_runs(source: Path, target: Path, runs: list[tuple[int, int, int]]) -> Path:
    """Copy ``source`` and mark runs (scenario, point, replicate) incomplete, values NaN."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as f:
        flags = f["run_complete"][...]
        for s, p, r in runs:
            flags[s, p, r] = 0
            for name in ("active_fraction", "active_count", "new_active"):
                f[name][s, p, r] = np.nan
        f["run_complete"][...] = flags
    return target


def test_open_drops_whole_design_groups(watts_sobol, tmp_path):
    # Point 5 belongs to Sobol base sample 1 (points 4..7: A, B, AB0, AB1).
    path = _break_runs(watts_sobol, tmp_path / "broken.h5.partial", [(1, 5, 3)])
    with pytest.warns(atcsim.IncompleteRunsWarning) as caught:
        ds = atcsim.open(path)
    message = " ".join(str(w.message) for w in caught)
    assert "1 of 256 runs (scenario x point x replicate)" in message
    assert "dropped 4 sweep point(s) [4, 5, 6, 7]" in message
    assert "1 Sobol base sample" in message and ".partial" in message
    assert ds.sizes["point"] == 28 and ds.sizes["replicate"] == 4  # replicates all kept
    assert list(ds.attrs["analysis_dropped_points"]) == [4, 5, 6, 7]
    assert ds.attrs["analysis_dropped_replicates"].size == 0
    assert (ds["run_complete"].values == 1).all()
    res = atcsim.sensitivity.sobol(ds, "active_fraction", scenario="dense", n_boot=100)
    assert res.n_base == 7 and res.n_base_total == 7
    # Without dropping, the NaN run is kept and the estimator skips its base sample instead.
    with pytest.warns(atcsim.IncompleteRunsWarning, match="kept as NaN"):
        raw = atcsim.open(path, drop_incomplete=False)
    assert raw.sizes["point"] == 32
    res = atcsim.sensitivity.sobol(raw, "active_fraction", scenario="dense", n_boot=100)
    assert res.n_base == 7 and res.n_base_total == 8 and res.notes


def test_open_drops_morris_trajectory(watts_morris, tmp_path):
    path = _break_runs(watts_morris, tmp_path / "broken.h5", [(0, 4, 0)])  # trajectory 1
    with pytest.warns(atcsim.IncompleteRunsWarning, match="1 Morris trajectory"):
        ds = atcsim.open(path)
    assert list(ds.attrs["analysis_dropped_points"]) == [3, 4, 5]
    res = atcsim.sensitivity.morris(ds, "active_fraction", scenario="baseline", n_boot=100)
    assert res.n_trajectories == 5


def test_tidy_has_point_columns(watts_grid):
    ds = _open(watts_grid)
    df = atcsim.tidy(ds, ["active_fraction", "active_count"], site_info=True)
    assert list(df.columns[:5]) == ["scenario", "point", "model_phi", "model_n", "replicate"]
    assert {"site", "site_name", "date", "variable", "value"} <= set(df.columns)
    assert len(df) == 2 * 2 * 6 * 4 * 2 * 11
    # Each row carries its point's parameter values.
    pairs = df[["point", "model_phi", "model_n"]].drop_duplicates().set_index("point")
    np.testing.assert_allclose(pairs["model_phi"], ds["model_phi"].values)
    np.testing.assert_allclose(pairs["model_n"], ds["model_n"].values)
    row = df[
        (df.point == 4)
        & (df.replicate == 2)
        & (df.site == "south")
        & (df.scenario == "dense")
        & (df.variable == "active_count")
    ].iloc[-1]
    assert (
        row.value
        == ds["active_count"].sel(scenario="dense", site="south").isel(point=4, replicate=2, time=-1).item()
    )


def test_compare_needs_one_point(watts_grid, ds):
    sweep = _open(watts_grid)
    with pytest.raises(atcsim.SweepError, match=r"ds\.isel\(point=0\).*compare_by_point"):
        atcsim.compare(sweep, "baseline", "dense", "active_fraction")
    with pytest.raises(atcsim.SweepError, match="one parameter point"):
        atcsim.replicates_needed(sweep, 0.01, "baseline", "dense", "active_fraction")
    expanded = ds.expand_dims(point=[0, 1], axis=1)
    with pytest.raises(atcsim.SweepError, match="cost_effectiveness"):
        atcsim.cost_effectiveness(expanded, "baseline", "animator")
    # One selected point is an ordinary file.
    with pytest.warns(atcsim.FewReplicatesWarning):
        res = atcsim.compare(sweep.isel(point=2), "baseline", "dense", "active_fraction")
    assert list(res.table.index) == ["north", "south", "pooled"]


def test_compare_by_point_equals_compare_at_each_point(watts_grid):
    ds = _open(watts_grid)
    with pytest.warns(atcsim.FewReplicatesWarning):
        table = atcsim.compare_by_point(ds, "baseline", "dense", "active_fraction", n_boot=300)
    assert list(table.index) == list(range(6))
    assert list(table.columns[:2]) == ["model_phi", "model_n"]
    assert table.attrs["site"] == "pooled"
    for point in (0, 3, 5):
        with pytest.warns(atcsim.FewReplicatesWarning):
            one = atcsim.compare(
                ds.isel(point=point), "baseline", "dense", "active_fraction", n_boot=300
            ).pooled
        for column in (
            "baseline_mean",
            "treatment_mean",
            "mean_diff",
            "ci_low",
            "ci_high",
            "effect_size",
            "share_better",
            "n_replicates",
        ):
            assert table.loc[point, column] == pytest.approx(one[column], nan_ok=True), column
    with pytest.warns(atcsim.FewReplicatesWarning):
        south = atcsim.compare_by_point(ds, "baseline", "dense", "active_fraction", site="south")
    with pytest.warns(atcsim.FewReplicatesWarning):
        one = atcsim.compare(ds.isel(point=1), "baseline", "dense", "active_fraction").table
    assert south.loc[1, "mean_diff"] == pytest.approx(one.loc["south", "mean_diff"])
    with pytest.raises(atcsim.SweepError):
        atcsim.compare_by_point(ds.isel(point=0), "baseline", "dense", "active_fraction")


def test_plots_pool_points_and_replicates(watts_grid):
    ds = _open(watts_grid)
    fig = atcsim.plot_sites(ds, "active_fraction")
    assert isinstance(fig, Figure) and "points and replicates" in fig._suptitle.get_text()
    assert isinstance(atcsim.plot_trajectory(ds, "active_count", "North site"), Figure)
    assert "over replicates" in atcsim.plot_sites(ds.isel(point=0), "active_fraction")._suptitle.get_text()


def test_info_matches_engine(watts_sobol, tmp_path):
    path = _break_runs(watts_sobol, tmp_path / "info.h5", [(0, 9, 1), (1, 30, 0)])
    ours = subprocess.run(
        [sys.executable, "-m", "atcsim", "info", str(path)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    theirs = subprocess.run(
        [str(atcsim_binary()), "info", str(path)], capture_output=True, text=True, timeout=60
    )
    assert ours.returncode == 0 and theirs.returncode == 0, ours.stderr + theirs.stderr
    for prefix in ("dimensions:", "sweep:", "scenarios:", "sites:", "runs:"):
        line_ours = next(line for line in ours.stdout.splitlines() if line.startswith(prefix))
        line_theirs = next(line for line in theirs.stdout.splitlines() if line.startswith(prefix))
        assert line_ours == line_theirs
    assert "baseline: 1 of 32 points incomplete (9)" in ours.stdout
    assert "dense: 1 of 32 points incomplete (30)" in ours.stdout


def _report(path, **kwargs) -> str:
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        ds = atcsim.open(path)
    return atcsim.render_report(ds, n_boot=100, **kwargs)


def test_report_grid_sweep_with_scenarios(watts_grid):
    html = _report(watts_grid)
    assert "Effects: dense vs baseline, per sweep point" in html
    assert "Per-point effects: active_fraction" in html
    assert "Sensitivity analysis (grid sweep)" in html and "Spearman rho" in html
    assert "Scenario baseline" in html and "Scenario dense" in html
    assert "mean over its 4 replicates and over the 2 sites" in html
    assert "model.phi in [0.1, 0.3]" in html
    assert 'href="#sensitivity"' in html and "every sweep point and replicate" in html
    assert "Traceback" not in html and "Warning:" not in html


def test_report_sobol_sweep_single_scenario(ishigami_sobol):
    html = _report(ishigami_sobol)
    assert "Descriptive results" in html and "Sensitivity analysis (sobol sweep)" in html
    assert "Saltelli (2010) scheme on a Sobol sequence, N = 4096" in html
    assert "<th>S1</th>" in html and "<th>ST</th>" in html and "model.x3" in html
    assert html.count("<img") == 2  # the Sobol bar chart and the trajectories


def test_report_morris_sweep_via_cli(watts_morris, tmp_path):
    out = tmp_path / "morris.html"
    proc = subprocess.run(
        [sys.executable, "-m", "atcsim", "report", str(watts_morris), "-o", str(out), "--n-boot", "100"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert "Sensitivity analysis (morris sweep)" in html and "mu*" in html
    assert "Morris plane of active_fraction" in html
    assert "model.n in [100, 1000], log scale" in html
