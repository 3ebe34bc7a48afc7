"""Scenarios run from a calibration posterior ([posterior] / --posterior) and the split of an
effect's variance into parameter and stochastic parts (atcsim.posterior_effects).

The engine tests use canonical/granovetter (milliseconds per run) and skip without a built
engine; about 2 s in all.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import atcsim
from atcsim.evaluation import contrasts as file_contrasts
from atcsim.i18n import Words
from atcsim.posterior_effects import posterior_section, split_effects, variance_split
from atcsim.testing import make_synthetic
from conftest import atcsim_binary, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
CAL = ROOT / "scenarios" / "calibration"
EXPERIMENT = CAL / "granovetter_experiment.toml"


# ------------------------------------------------------------ the variance split


def test_variance_split_recovers_known_parts():
    # e = mu + a_draw + eps: parameter variance 4, stochastic variance 4, 1000 draws x 4 replicates
    rng = np.random.default_rng(11)
    draws = np.repeat(np.arange(1000), 4)
    a = rng.normal(0, 2.0, 1000)
    e = 1.5 + a[draws] + rng.normal(0, 2.0, draws.size)
    s = variance_split(e, draws).iloc[0]
    # standard errors: about 0.22 (parameter) and 0.10 (stochastic)
    assert s["var_parameter"] == pytest.approx(4.0, abs=0.6)
    assert s["var_stochastic"] == pytest.approx(4.0, abs=0.3)
    assert s["parameter_share"] == pytest.approx(0.5, abs=0.06)
    assert s["n_draws"] == 1000 and s["replicates_per_draw"] == 4
    assert s["ci_low"] < 1.5 < s["ci_high"]
    # the naive variance of the draw means (noise not removed) would give 5, the total variance 8
    naive = np.var([e[draws == i].mean() for i in range(1000)], ddof=1)
    assert abs(naive - 4.0) > 0.6
    # no parameter effect: the parameter part is near 0 and never negative
    flat = variance_split(1.5 + rng.normal(0, 2.0, draws.size), draws).iloc[0]
    assert 0.0 <= flat["var_parameter"] < 0.25


def test_variance_split_interval_counts_parameter_uncertainty():
    # 90 % interval of the mean effect over 400 repetitions: covers mu about 90 % of the time
    rng = np.random.default_rng(3)
    draws = np.repeat(np.arange(20), 3)
    inside = 0
    for _ in range(400):
        e = rng.normal(0, 1.0, 20)[draws] + rng.normal(0, 0.5, draws.size)
        s = variance_split(e, draws, ci=0.9).iloc[0]
        inside += s["ci_low"] < 0 < s["ci_high"]
    assert 0.85 <= inside / 400 <= 0.95  # binomial sd 1.5 %
    # a replicate-level interval (ignoring the draws) would cover far less often


def test_variance_split_one_replicate_per_draw_gives_only_the_total():
    e = np.array([1.0, 2.0, 4.0, 3.0])
    s = variance_split(e, np.arange(4)).iloc[0]
    assert np.isnan(s["var_parameter"]) and np.isnan(s["var_stochastic"])
    assert s["var_total"] == pytest.approx(np.var(e, ddof=1))


def test_split_effects_on_a_synthetic_posterior_run(tmp_path):
    # A synthetic file (known noise) whose replicates get a per-draw shift of the treatment: 40 draws x 3.
    path = make_synthetic(tmp_path / "post.h5", replicates=120, sites=3, noise=0.01, seed=5)
    ds = atcsim.open(path)
    draws = np.arange(120) % 40
    shift = np.random.default_rng(1).normal(0, 0.03, 40)[draws]
    ds = ds.assign_coords(posterior_draw=("replicate", draws))
    ds.attrs.update(posterior_path="/x/post.nc", posterior_draws=40)
    contrast = file_contrasts(ds)[0]
    var = "participation_share"
    shifted = ds[var].copy()
    shifted.loc[{"scenario": contrast.treatment}] = shifted.sel(scenario=contrast.treatment) + xr_da(shift)
    ds[var] = shifted
    ev = atcsim.evaluate(ds, [contrast])
    split = split_effects(ds, ev)
    row = split[(split["variable"] == var) & (split["theme"] == "")].iloc[0]
    scale = 100.0 if row["scale"] == "pp" else 1.0
    # the draws' own shifts (sd 0.03): the estimate is within its sampling error (40 draws: ~11 %)
    assert row["sd_parameter"] == pytest.approx(scale * np.std(shift[:40], ddof=1), rel=0.25)
    assert row["sd_stochastic"] < row["sd_parameter"]
    assert ev.uncertainty.calibrated and "40 draws" in ev.uncertainty.text
    html = atcsim.render_report(ds, contrasts=[contrast])
    assert 'id="posterior-uncertainty"' in html and "parameter share" in html
    assert "is not at the path recorded in the run" in html  # /x/post.nc
    # in French: its words, and its numbers with a decimal comma and "[a ; b]" intervals
    french = posterior_section(ds, ev, Words("fr"))
    assert "part des paramètres" in french and "n&#x27;est plus au chemin enregistré" in french
    assert re.search(r"<td class=\"num\">\[[-−\d\u202f]+,\d+ ; [-−\d\u202f]+,\d+\]</td>", french)
    assert not re.search(r"\d\.\d", _cells(french)) and re.search(r"\d\.\d", _cells(html))


def test_summary_intervals_resample_whole_draws(tmp_path):
    """Replicates that share a posterior draw are not independent: the summary's bootstrap
    resamples draws, so its interval matches the draw-level one; resampling replicates one
    by one (the wrong variant) is clearly narrower."""
    from atcsim.summary import bootstrap_weights, paired_stats

    w = bootstrap_weights(6, 500, 1, (0, 0, 1, 1, 2, 2))
    assert np.allclose(w.sum(axis=1), 1.0)
    assert np.array_equal(w[:, 0], w[:, 1]) and np.array_equal(w[:, 4], w[:, 5])
    rng = np.random.default_rng(3)
    draws = np.repeat(np.arange(20), 3)  # 20 draws x 3 replicates
    effect = rng.normal(0, 1.0, 20)[draws] + rng.normal(0, 0.2, 60)  # mostly parameter variance
    b = np.zeros((60, 1))
    t = effect[:, None]
    clustered = paired_stats(b, t, 2000, 1, 0.95, tuple(draws)).iloc[0]
    naive = paired_stats(b, t, 2000, 1, 0.95).iloc[0]
    draw_means = effect.reshape(20, 3).mean(axis=1)
    half = 2.093 * draw_means.std(ddof=1) / np.sqrt(20)  # t(19) interval over draw means
    width = clustered["ci_high"] - clustered["ci_low"]
    assert width == pytest.approx(2 * half, rel=0.15)
    assert (naive["ci_high"] - naive["ci_low"]) < 0.7 * width
    ds = atcsim.open(make_synthetic(tmp_path / "k1.h5", replicates=4, sites=2, seed=3))
    from atcsim.summary import replicate_clusters

    assert replicate_clusters(ds) is None  # no posterior: replicates are the units
    assert replicate_clusters(ds.assign_coords(posterior_draw=("replicate", [0, 1, 2, 3]))) is None
    assert replicate_clusters(ds.assign_coords(posterior_draw=("replicate", [0, 1, 0, 1]))) == (0, 1, 0, 1)


def test_report_shows_the_calibration_of_the_posterior_it_drew_from(tmp_path):
    """The report of a posterior run shows the posterior's intervals, predictive check and
    plots when the file is still there unchanged (checksum as the engine records it), and
    says so when it has changed."""
    from atcsim.posterior_effects import _fnv1a64, calibration_summary

    en, fr = Words("en"), Words("fr")
    post = tmp_path / "toy.nc"
    proc = subprocess.run(
        [sys.executable, "-m", "atcsim", "calibrate", str(CAL / "toy.toml"), "-o", str(post), "--quiet"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    ds = atcsim.open(make_synthetic(tmp_path / "run.h5", replicates=4, sites=2, seed=3))
    checksum = f"fnv1a64:{_fnv1a64(post.read_bytes()):016x}"
    ds.attrs.update(posterior_path=str(post), posterior_checksum=checksum)
    html = calibration_summary(ds, en)
    assert 'id="calibration"' in html and html.count("<img") == 3
    assert "toy.decay" in html and "validation (held out)" in html
    french = calibration_summary(ds, fr)
    assert "réservée" in french
    # the credible intervals' bounds (all within [0, 1]) follow each language's conventions
    assert re.search(r"<td class=\"num\">\[0\.\d+, [01]\.\d+\]</td>", html)
    assert re.search(r"<td class=\"num\">\[0,\d+ ; [01],\d+\]</td>", french)
    assert not re.search(r"\d\.\d", _cells(french)) and " ; " not in _cells(html)
    ds.attrs["posterior_checksum"] = "fnv1a64:0000000000000000"
    assert "has changed since the run" in calibration_summary(ds, en)
    assert "a changé depuis la simulation" in calibration_summary(ds, fr)
    assert _fnv1a64(b"") == 1469598103934665603  # the engine's offset basis (sim/core/text.hpp)


def _cells(html: str) -> str:
    """The report's numeric table cells, one a line."""
    return "\n".join(re.findall(r'<td class="num">(.*?)</td>', html))


def xr_da(values: np.ndarray):
    import xarray as xr

    return xr.DataArray(values, dims=["replicate"])


# ------------------------------------------------------------ engine runs


def write_posterior(path: Path, keys, samples, weights, fmt="atcsim-calibration/1") -> Path:
    with h5py.File(path, "w") as f:
        f.attrs["calibration_format"] = fmt
        f.create_dataset("parameter_key", data=np.array(keys, dtype=object), dtype=h5py.string_dtype())
        f.create_dataset("samples", data=np.asarray(samples, dtype=float))
        f.create_dataset("weights", data=np.asarray(weights, dtype=float))
    return path


def engine(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    binary = atcsim_binary()
    if binary is None:
        pytest.skip("no atcsim binary (set ATCSIM_BIN or build with `make`)")
    return subprocess.run([str(binary), *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_posterior_runs_draw_per_replicate_deterministically(tmp_path):
    samples = [[0.25, 0.1], [0.3, 0.2], [0.35, 0.3], [0.4, 0.05]]
    post = write_posterior(tmp_path / "post.nc", ["model.mean", "model.sd"], samples, [0.1, 0.4, 0.0, 0.5])
    outs = []
    for threads in ("1", "2"):
        out = tmp_path / f"t{threads}.h5"
        p = engine(
            "run",
            str(EXPERIMENT),
            "--posterior",
            str(post),
            "--replicates",
            "6",
            "--set",
            "posterior.draws=3",
            "--threads",
            threads,
            "-o",
            str(out),
            "--quiet",
            cwd=tmp_path,
        )
        assert p.returncode == 0, p.stderr
        outs.append(atcsim.open(out))
    a, b = outs
    assert np.array_equal(a["active_fraction"].values, b["active_fraction"].values, equal_nan=True)
    draw = a["posterior_draw"].values
    sample = a["posterior_sample"].values
    assert list(draw) == [0, 1, 2, 0, 1, 2]
    assert 2 not in sample  # zero weight: never drawn
    assert np.array_equal(a["model_mean"].values, np.array(samples)[sample, 0])
    assert a.attrs["posterior_draws"] == 3 and a.attrs["posterior_parameters"] == "model_mean model_sd"
    # the report's check of the posterior file computes the engine's checksum
    from atcsim.posterior_effects import _fnv1a64

    assert a.attrs["posterior_checksum"] == f"fnv1a64:{_fnv1a64(post.read_bytes()):016x}"
    # replicate r is exactly `atcsim run --set` at its drawn values, replicate r
    r = 4
    direct = tmp_path / "direct.h5"
    p = engine(
        "run",
        str(EXPERIMENT),
        "--replicates",
        "6",
        "--set",
        f"model.mean={samples[sample[r]][0]!r}",
        "--set",
        f"model.sd={samples[sample[r]][1]!r}",
        "-o",
        str(direct),
        "--quiet",
        cwd=tmp_path,
    )
    assert p.returncode == 0, p.stderr
    d = atcsim.open(direct)["active_fraction"].isel(replicate=r).values
    assert np.array_equal(a["active_fraction"].isel(replicate=r).values, d)


@pytest.mark.parametrize(
    "keys,samples,weights,extra,message",
    [
        (["model.mean", "model.sd"], [[0.3, -0.2]], [1.0], "", "sample 0: model.sd: value -0.2 is outside"),
        (
            ["model.mean", "model.spread"],
            [[0.3, 0.2]],
            [1.0],
            "",
            "parameter 'model.spread' is not a numeric",
        ),
        (["model.mean"], [[0.3], [0.2]], [1.0, -1.0], "", "weights[1] = -1: expected a finite weight >= 0"),
        (
            ["model.mean"],
            [[0.3]],
            [1.0],
            "draws = 3\n",
            "posterior.draws: expected a divisor",
        ),
    ],
)
def test_bad_posteriors_are_located_errors(tmp_path, keys, samples, weights, extra, message):
    write_posterior(tmp_path / "post.nc", keys, samples, weights)
    config = tmp_path / "c.toml"
    config.write_text(f'include = "{EXPERIMENT}"\n\n[posterior]\npath = "post.nc"\n{extra}', encoding="utf-8")
    p = engine("validate", str(config), cwd=tmp_path)
    assert p.returncode == 2
    line = p.stderr.strip()
    assert "\n" not in line and message in line
    assert "c.toml:" in line and ("posterior.path" in line or "posterior.draws" in line)


def test_posterior_of_a_scenario_left_out_by_scenario_option_is_named(tmp_path):
    """A posterior parameter of a scenario that --scenario leaves out could not be drawn: the error
    says so (the generic "not a numeric parameter" would send the user looking in the wrong place);
    with the scenario selected, or without --scenario, the same config is valid."""
    write_posterior(tmp_path / "post.nc", ["scenario.b.model.mean", "model.sd"], [[0.3, 0.2]], [1.0])
    config = tmp_path / "c.toml"
    config.write_text(
        f'include = "{EXPERIMENT}"\n\n[[scenario]]\nname = "a"\n\n[[scenario]]\nname = "b"\n'
        'model.mean = 0.35\n\n[posterior]\npath = "post.nc"\n',
        encoding="utf-8",
    )
    for selected in ([], ["--scenario", "b"], ["--scenario", "a", "--scenario", "b"]):
        p = engine("validate", str(config), *selected, cwd=tmp_path)
        assert p.returncode == 0, p.stderr
    p = engine("validate", str(config), "--scenario", "a", cwd=tmp_path)
    assert p.returncode == 2
    line = p.stderr.strip()
    assert "\n" not in line and "c.toml:11:8: posterior.path:" in line
    assert "parameter 'scenario.b.model.mean' is one of scenario 'b', which --scenario leaves out" in line
    assert "--scenario b" in line


# ------------------------------------------------------------ calibrated defaults


def test_calibrated_defaults_lists_informed_model_parameters_only():
    import xarray as xr

    from atcsim.calibration import calibrated_defaults

    rng = np.random.default_rng(2)
    n = 4000
    samples = np.column_stack([rng.normal(0.3, 0.01, n), rng.uniform(0, 1, n), rng.normal(0.5, 0.01, n)])
    post = xr.Dataset(
        {
            "samples": (("sample", "parameter"), samples),
            "weights": ("sample", np.full(n, 1.0 / n)),
            "parameter_key": ("parameter", ["model.threshold_mean", "model.inert", "site.A.population"]),
            "parameter_min": ("parameter", [0.0, 0.0, 0.0]),
            "parameter_max": ("parameter", [1.0, 1.0, 1.0]),
            "parameter_scale": ("parameter", ["linear"] * 3),
        },
        coords={"parameter": ["model_threshold_mean", "model_inert", "site_A_population"]},
        attrs={"targets_file": "scenarios/calibration/targets.toml", "created": "2026-12-01T10:00:00Z"},
    )
    text = calibrated_defaults(post)
    assert 'format = "atcsim-calibrated-defaults/1"' in text and "date = 2026-12-01" in text
    line = next(x for x in text.splitlines() if x.startswith("threshold_mean = "))
    median = float(line.split("median = ")[1].split(",")[0])
    assert median == pytest.approx(0.3, abs=0.002)
    assert "inert" not in text.split("[parameters]")[1]  # not informed: keeps its default
    assert "population" not in text  # not a model.X key


def test_posterior_runs_are_identical_across_mpi_ranks(tmp_path, monkeypatch):
    import shutil

    binary = atcsim_binary()
    if binary is None or shutil.which("mpirun") is None or not binary.with_name("atcsim-mpi").is_file():
        pytest.skip("no engine, mpirun or atcsim-mpi")
    # as tests/cli/test_mpi.cpp: CI runs as root, which Open MPI refuses unless told
    monkeypatch.setenv("OMPI_ALLOW_RUN_AS_ROOT", "1")
    monkeypatch.setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    monkeypatch.setenv("OMPI_MCA_rmaps_base_oversubscribe", "1")
    post = write_posterior(tmp_path / "post.nc", ["model.mean"], [[0.25], [0.3], [0.35]], [1.0, 1.0, 1.0])
    args = ["run", str(EXPERIMENT), "--posterior", str(post), "--replicates", "4", "--quiet"]
    serial = tmp_path / "serial.h5"
    assert engine(*args, "-o", str(serial), cwd=tmp_path).returncode == 0
    ranks = tmp_path / "ranks.h5"
    p = subprocess.run(
        ["mpirun", "-n", "2", str(binary.with_name("atcsim-mpi")), *args, "-o", str(ranks)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    a, b = atcsim.open(serial), atcsim.open(ranks)
    assert np.array_equal(a["posterior_sample"].values, b["posterior_sample"].values)
    assert np.array_equal(a["active_fraction"].values, b["active_fraction"].values, equal_nan=True)
