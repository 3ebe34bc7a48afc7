"""Calibration plumbing: statistics from output files, the engine simulator, the
command line, the posterior file and its plots.

The engine tests use canonical/granovetter (milliseconds per run) and skip
without a built engine. About 25 s in all, most of it the end-to-end
calibration through the engine (scenarios/calibration/granovetter.toml).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import atcsim
from conftest import ROOT, atcsim_binary, subprocess_env

from atcsim.calibration import load_targets
from atcsim.calibration.parameters import Parameter, ParameterSpace
from atcsim.calibration.plots import plot_marginals, plot_pairs, plot_predictive, plot_progress
from atcsim.calibration.posterior import credible_intervals, open_posterior, predictive_check, tradeoffs
from atcsim.calibration.simulators import EngineError, EngineSimulator
from atcsim.calibration.summaries import StatisticError, aggregate_replicates, replicate_statistics
from atcsim.calibration.tomlfile import loads
from atcsim.errors import ScenarioNotFoundError, TimeSelectionError, VariableNotFoundError
from atcsim.testing import make_synthetic

CAL = ROOT / "scenarios" / "calibration"


def targets_from(text: str, tmp_path: Path):
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    return load_targets(path)


def one_target(statistic: str, indicator_var: str = "participation_share") -> str:
    return (
        'format = "atcsim-targets/1"\n'
        f'[indicators.x]\ndescription = "x"\nunit = "1"\nmodel_variable = "{indicator_var}"\n'
        '[scopes.s]\ndescription = "s"\n'
        '[[target]]\nname = "t"\nrole = "calibration"\ndescription = "t"\nscope = "s"\n'
        f'statistic = {{ indicator = "x", {statistic} }}\n'
        'observed = { value = 0.1, sd = 0.01, basis = "b" }\n'
        'source = { citation = "c", status = "read" }\n'
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = make_synthetic(
        tmp_path_factory.mktemp("cal") / "s.h5",
        scenarios=("baseline", "animator"),
        replicates=5,
        sites=3,
        steps=20,
        seed=9,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = atcsim.open(path)
    yield ds
    ds.close()


def stat(ds, tmp_path, statistic, var="participation_share"):
    ts = targets_from(one_target(statistic, var), tmp_path)
    variables = {k: v.model_variable for k, v in ts.indicators.items()}
    return replicate_statistics(ds, ts.targets, variables)[:, 0], ts


def test_statistics_match_direct_computation(synthetic, tmp_path):
    da = synthetic["participation_share"]
    window = dict(time=slice("2019-09-16", "2019-10-27"))
    base = da.sel(scenario="baseline").sel(**window)

    got, _ = stat(
        synthetic, tmp_path, 'scenario = "baseline", window = { from = 2019-09-16, to = 2019-10-27 }'
    )
    assert np.allclose(got, base.mean("time").mean("site").values)

    got, _ = stat(
        synthetic,
        tmp_path,
        'scenario = "baseline", window = { from = 2019-09-16, to = 2019-10-27 }, '
        'sites = "population_weighted"',
    )
    pop = synthetic["population"].values
    assert np.allclose(got, (base.mean("time").values * pop).sum(axis=1) / pop.sum())

    got, _ = stat(
        synthetic,
        tmp_path,
        'scenario = "animator", window = { from = 3, to = 9 }, time = "last", '
        'sites = "share_below", site_threshold = 0.2',
    )
    last = da.sel(scenario="animator").isel(time=9).values  # steps 3..9: the last is step 9
    assert np.allclose(got, (last < 0.2).mean(axis=1))

    got, _ = stat(
        synthetic,
        tmp_path,
        'scenario = "animator", window = "all", relative_to = { scenario = "baseline", contrast = "ratio" }',
    )
    ratio = da.sel(scenario="animator").mean("time").mean("site") / da.sel(scenario="baseline").mean(
        "time"
    ).mean("site")
    assert np.allclose(got, ratio.values)

    threshold = float(da.sel(scenario="animator").mean("site").median())
    got, _ = stat(
        synthetic,
        tmp_path,
        f'scenario = "animator", window = "all", time = "weeks_to_reach", time_threshold = {threshold}, '
        'sites = "median"',
    )
    reached = (da.sel(scenario="animator") >= threshold).values  # (replicate, site, time)
    first = np.where(reached.any(axis=2), reached.argmax(axis=2), 19)  # weekly steps: index = weeks
    assert np.allclose(got, np.median(first, axis=1))

    got, ts = stat(
        synthetic,
        tmp_path,
        'scenario = "baseline", window = "all", select = { theme = "employment" }',
        "outcome_index",
    )
    oi = synthetic["outcome_index"].sel(scenario="baseline", theme="employment")
    assert np.allclose(got, oi.mean("time").mean("site").values)
    agg = aggregate_replicates(got[None, :, None], ts.targets)
    assert agg.shape == (1, 1) and np.isclose(agg[0, 0], got.mean())


def test_statistic_errors_name_the_target(synthetic, tmp_path):
    with pytest.raises(
        TimeSelectionError, match="target t: the window 2025-01-01 to 2025-02-01 holds no recorded"
    ):
        stat(synthetic, tmp_path, 'scenario = "baseline", window = { from = 2025-01-01, to = 2025-02-01 }')
    with pytest.raises(VariableNotFoundError, match="target t: variable 'nope'"):
        stat(synthetic, tmp_path, 'scenario = "baseline", window = "all"', "nope")
    with pytest.raises(ScenarioNotFoundError, match="must name one"):
        stat(synthetic, tmp_path, 'window = "all"')
    with pytest.raises(ScenarioNotFoundError, match="'observed' is not in the output"):
        stat(synthetic, tmp_path, 'scenario = "observed", window = "all"')
    with pytest.raises(StatisticError, match="extra dimension"):
        stat(synthetic, tmp_path, 'scenario = "baseline", window = "all"', "outcome_index")


# ------------------------------------------------------------------ the engine


def engine_or_skip() -> Path:
    binary = atcsim_binary()
    if binary is None:
        pytest.skip("no atcsim binary (set ATCSIM_BIN or build with `make`)")
    return binary


def granovetter(tmp_path: Path, replicates: int = 3, keys=("model.mean", "model.sd")) -> EngineSimulator:
    binary = engine_or_skip()
    ts = load_targets(CAL / "granovetter_targets.toml")
    space = ParameterSpace([Parameter(k, 0.1, 0.5) for k in keys])
    return EngineSimulator(
        CAL / "granovetter_experiment.toml",
        space,
        ts.targets,
        {k: v.model_variable for k, v in ts.indicators.items()},
        replicates=replicates,
        workdir=tmp_path / "work",
        engine=str(binary),
        quiet=True,
    )


def test_engine_simulator_matches_a_direct_run(tmp_path):
    sim = granovetter(tmp_path)
    values = np.array([[0.3, 0.25], [0.35, 0.3]])
    seeds = np.array([17, 23], dtype=np.uint64)
    out = sim.simulate(values, seeds)
    # the batch is one engine run (a [sweep] method = "points" with per-point seeds)
    assert out.shape == (2, 3, 3) and sim.runs == 1
    # ... bit-identical to one engine run per point with --set experiment.seed=S
    one_by_one = granovetter(tmp_path / "one-by-one")
    one_by_one.batch = False
    assert np.array_equal(one_by_one.simulate(values, seeds), out) and one_by_one.runs == 2
    # the same point run by hand: atcsim run --set ... ; statistics from atcsim.open
    direct = tmp_path / "direct.h5"
    subprocess.run(
        [
            str(sim.engine),
            "run",
            str(CAL / "granovetter_experiment.toml"),
            "-o",
            str(direct),
            "--quiet",
            "--replicates",
            "3",
            "--set",
            "model.mean=0.35",
            "--set",
            "model.sd=0.3",
            "--set",
            "experiment.seed=23",
        ],
        check=True,
    )
    a = (
        atcsim.open(direct)["active_fraction"].sel(scenario="default").mean("site").values
    )  # (replicate, time)
    assert np.allclose(out[1], a[:, [1, 3, 5]])
    # finished points are found again: no engine run the second time
    again = granovetter(tmp_path)
    assert np.array_equal(again.simulate(values, seeds), out) and again.runs == 0


def test_engine_records_only_the_variables_the_targets_read(tmp_path):
    """The batch records active_fraction, not the model's other indicators (output.record): less to
    compute, write and read; the statistics are those of a run recording everything (the test
    above compares them with a direct run)."""
    sim = granovetter(tmp_path)
    assert sim.recorded() == ["active_fraction"]
    sim.simulate(np.array([[0.3, 0.25]]), np.array([17], dtype=np.uint64))
    (batch,) = (tmp_path / "work" / "batches").glob("*.h5")
    ds = atcsim.open(batch)
    try:
        indicators = {"active_fraction", "active_count", "new_active"}  # canonical/granovetter's
        assert indicators & set(ds.data_vars) == {"active_fraction"}
    finally:
        ds.close()


def test_cli_a_variable_the_model_lacks_is_an_error_at_the_targets_file(tmp_path):
    """A targets file mapping an indicator to a variable the model does not have: the engine
    refuses to record it, and calibrate names the targets file's line, exit 2."""
    engine_or_skip()
    text = (CAL / "granovetter_targets.toml").read_text(encoding="utf-8")
    assert 'model_variable = "active_fraction"' in text
    targets = tmp_path / "targets.toml"
    targets.write_text(text.replace('"active_fraction"', '"active_fractoin"'), encoding="utf-8")
    config = granovetter_calibration(tmp_path)
    proc = calibrate_cli(
        str(config), "--targets", str(targets), "-o", str(tmp_path / "g.nc"), "--quiet", cwd=tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    expected = (
        f"{targets}:12:18: indicators.acting_share.model_variable: not a variable of the experiment's "
        "model: unknown indicator 'active_fractoin'"
    )
    assert expected in proc.stderr, proc.stderr
    assert "did you mean 'active_fraction'?" in proc.stderr
    assert not (tmp_path / "g.work").exists()


def test_engine_simulator_mpi_gives_the_same_statistics(tmp_path, monkeypatch):
    binary = engine_or_skip()
    if shutil.which("mpirun") is None or not binary.with_name("atcsim-mpi").is_file():
        pytest.skip("no mpirun or atcsim-mpi")
    # as tests/cli/test_mpi.cpp: CI runs as root, which Open MPI refuses unless told
    monkeypatch.setenv("OMPI_ALLOW_RUN_AS_ROOT", "1")
    monkeypatch.setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    monkeypatch.setenv("OMPI_MCA_rmaps_base_oversubscribe", "1")
    values, seeds = np.array([[0.3, 0.25]]), np.array([5], dtype=np.uint64)
    serial = granovetter(tmp_path / "serial").simulate(values, seeds)
    mpi = granovetter(tmp_path / "mpi")
    mpi.mpi_ranks = 2
    assert np.array_equal(mpi.simulate(values, seeds), serial)


def test_engine_design_is_one_sweep(tmp_path):
    sim = granovetter(tmp_path)
    values, stats = sim.run_design("lhs", 12, seed=4)
    assert values.shape == (12, 2) and stats.shape == (12, 3, 3) and sim.runs == 1
    assert np.all((values >= 0.1) & (values <= 0.5))
    # a Latin hypercube: one point in each of the 12 strata of each parameter
    for j in range(2):
        assert sorted(np.floor((values[:, j] - 0.1) / 0.4 * 12).astype(int)) == list(range(12))


def test_engine_rejects_a_bad_key(tmp_path):
    sim = granovetter(tmp_path, keys=("model.mean", "model.spread"))
    with pytest.raises(EngineError, match="model.spread"):
        sim.simulate(np.array([[0.3, 0.25]]), np.array([1], dtype=np.uint64))


# --------------------------------------------------------------- command line


def calibrate_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = subprocess_env()
    binary = atcsim_binary()
    if binary is not None:
        env["ATCSIM_BIN"] = str(binary)
    return subprocess.run(
        [sys.executable, "-m", "atcsim", "calibrate", *args], capture_output=True, text=True, env=env, cwd=cwd
    )


def test_cli_engine_end_to_end(tmp_path):
    """scenarios/calibration/granovetter.toml: wave 1 as one engine sweep, wave 2 and the
    predictive draws as explicit points; the posterior covers the parameters the targets
    were generated at (mean 0.3, sd 0.25)."""
    engine_or_skip()
    out = tmp_path / "g.nc"
    proc = calibrate_cli(str(CAL / "granovetter.toml"), "-o", str(out), "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "90 % credible intervals" in proc.stdout
    # the held-out target's coverage is said whatever it is
    pc = predictive_check(open_posterior(out))
    late = 100 * pc.loc["late_cascade", "inside"]
    assert (
        f"held-out targets: {late:.0f} % predictive coverage on average (1 target(s): late_cascade"
        in proc.stdout
    )
    post = open_posterior(out)
    ci = credible_intervals(post)
    for key, truth in (("model.mean", 0.3), ("model.sd", 0.25)):
        row = ci[ci["key"] == key].iloc[0]
        assert row["low"] <= truth <= row["high"], row
        assert row["shrinkage"] > 0.3
    assert list(post["wave_simulations"].values) == [24, 24]
    assert post.attrs["simulations"] == 24 + 24 + 12
    assert post.attrs["model_config"].endswith("granovetter_experiment.toml")
    assert not (tmp_path / "g.work").exists()  # removed after success


def test_cli_toy_posterior_file_and_plots(tmp_path):
    out = tmp_path / "toy.nc"
    proc = calibrate_cli(str(CAL / "toy.toml"), "-o", str(out), "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    post = open_posterior(out)
    for name in (
        "samples",
        "weights",
        "predicted",
        "tolerance",
        "ess",
        "acceptance_rate",
        "wave_volume",
        "nroy",
    ):
        assert name in post, name
    assert post.attrs["method"] == "hm+abc" and post.attrs["calibration_format"] == "atcsim-calibration/1"
    assert post.attrs["config_toml"] == (CAL / "toy.toml").read_text(encoding="utf-8")  # verbatim
    assert post.attrs["targets_toml"] == (CAL / "toy_targets.toml").read_text(encoding="utf-8")
    assert post["tolerance"].values[-1] == 1.0
    assert np.isclose(float(post["weights"].sum()), 1.0)
    assert list(post["target_role"].values) == ["calibration", "calibration", "validation"]
    assert str(post["target_source_status"].values[0]) == "synthetic"
    ci = credible_intervals(post)
    # propensity and reach trade off; the inert parameter is not identified
    assert ci.loc["toy_inert", "shrinkage"] < 0.2
    t = tradeoffs(post)
    assert ((t["parameter_1"] == "toy.propensity") & (t["parameter_2"] == "toy.reach")).any()
    pc = predictive_check(post)
    assert pc.loc["startup", "role"] == "validation" and 0 <= pc.loc["startup", "inside"] <= 1
    # exact (a mixture of normals): the same figures every time, and what sampling converges to
    assert pc.equals(predictive_check(post))
    rng = np.random.default_rng(0)
    pred, w = post["predicted"].values, post["predicted_weight"].values
    for j, name in enumerate(post["target"].values):
        pick = rng.choice(len(w), size=200_000, p=w / w.sum())
        y = pred[pick, j] + float(post["target_sd"][j]) * rng.standard_normal(200_000)
        row = pc.loc[str(name)]
        assert np.mean((y >= row["low"]) & (y <= row["high"])) == pytest.approx(row["inside"], abs=0.01)
        assert np.median(y) == pytest.approx(
            row["predicted_median"], abs=0.01 * float(post["target_sd"][j]) + 1e-3
        )
    for plot in (plot_marginals, plot_pairs, plot_predictive, plot_progress):
        fig = plot(post)
        assert fig.axes
    import matplotlib.pyplot as plt

    plt.close("all")


def test_cli_resume_replays_the_cache(tmp_path):
    out = tmp_path / "toy.nc"
    config = tmp_path / "toy.toml"
    config.write_text(
        f'[calibration]\ntargets = "{CAL / "toy_targets.toml"}"\noutput = "x.nc"\nmethod = "abc-smc"\n'
        'seed = 4\n\n[simulator]\nkind = "toy"\nreplicates = 4\n\n[parameters]\n'
        '"toy.propensity" = { min = 0.2, max = 1.0 }\n"toy.reach" = { min = 0.2, max = 1.0 }\n'
        '"toy.decay" = { min = 0.0, max = 1.0 }\n"toy.inert" = { min = 0.0, max = 1.0 }\n\n'
        "[abc]\npopulation = 200\nmax_generations = 3\n",
        encoding="utf-8",
    )
    first = calibrate_cli(str(config), "-o", str(out), "--keep-work", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    a = open_posterior(out)
    # an existing work directory needs --resume (as OUT.h5.partial does for the engine)
    refused = calibrate_cli(str(config), "-o", str(out), cwd=tmp_path)
    assert refused.returncode == 2
    assert "--resume" in refused.stderr and "\n" not in refused.stderr.strip()
    again = calibrate_cli(str(config), "-o", str(out), "--resume", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    b = open_posterior(out)
    assert b.attrs["simulations_cached"] == b.attrs["simulations"] == a.attrs["simulations"]
    assert np.array_equal(a["samples"].values, b["samples"].values)
    assert not (tmp_path / "toy.work").exists()


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('method = "hm+abc"', 'method = "abc"', ':8:10: calibration.method: expected one of "abc-smc"'),
        (
            '"toy.decay" = { min = 0.0, max = 1.0 }',
            '"toy.decay" = { min = 1.0, max = 0.0 }',
            ':19:34: parameters."toy.decay".max',
        ),
        ("[abc]", "[abc]\nkernal = 1", ':27:1: abc.kernal: unknown key (did you mean "kernel"?)'),
        (  # a misspelled toy parameter was an "internal error" ValueError, exit 1
            '"toy.decay" = { min = 0.0, max = 1.0 }',
            '"toy.decy" = { min = 0.0, max = 1.0 }',
            ':19:1: parameters."toy.decy": not a parameter of the toy (did you mean "toy.decay"?); '
            "expected one of: toy.propensity, toy.reach, toy.decay, toy.inert",
        ),
        (
            '"toy.decay" = { min = 0.0, max = 1.0 }\n',
            "",
            ":16:1: parameters: missing toy parameter(s) toy.decay; the toy needs all of: toy.propensity, "
            "toy.reach, toy.decay, toy.inert",
        ),
        ("replicates = 4", "replicates = 0", ":14:14: simulator.replicates: expected an integer >= 1, got 0"),
        (
            "max_simulations = 60000",
            "max_simulations = 100",
            ":10:19: calibration.max_simulations: expected at least one wave's points and one ABC-SMC "
            "population (540), got 100",
        ),
    ],
)
def test_cli_config_errors_exit_2(tmp_path, old, new, message):
    text = (CAL / "toy.toml").read_text(encoding="utf-8")
    assert old in text
    config = tmp_path / "bad.toml"
    config.write_text(text.replace(old, new).replace('"toy_targets.toml"', f'"{CAL / "toy_targets.toml"}"'))
    proc = calibrate_cli(str(config), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"atcsim calibrate: error: {config}"), proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "\n" not in proc.stderr.strip() and "internal error" not in proc.stderr


def test_config_positions_for_quoted_parameter_keys():
    doc = loads('[parameters]\n"model.mu" = { min = 1, max = 2 }\n', "c.toml")
    assert doc.where(("parameters", "model.mu", "max"), value=True) == "c.toml:2:31"


def test_recorded_paths_relative_below_the_working_directory(tmp_path, monkeypatch):
    """The posterior records the targets and experiment files as typed from the
    repository (no home folder in a shipped file), absolute when outside it."""
    from atcsim.calibration.run import _recorded_path

    (tmp_path / "cal").mkdir()
    inside = tmp_path / "cal" / "targets.toml"
    monkeypatch.chdir(tmp_path)
    assert _recorded_path(inside) == "cal/targets.toml"
    assert _recorded_path(Path("cal") / "targets.toml") == "cal/targets.toml"
    monkeypatch.chdir(tmp_path / "cal")
    outside = tmp_path / "elsewhere.toml"
    assert _recorded_path(outside) == str(outside)


# ------------------------------------------- the engine rejects what it is given


def granovetter_calibration(tmp_path: Path, old: str = "", new: str = "", experiment: str = "") -> Path:
    """scenarios/calibration/granovetter.toml in tmp_path (its files named absolutely), with
    ``old`` replaced by ``new`` and, when given, ``experiment`` as the experiment's text."""
    text = (CAL / "granovetter.toml").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new).replace(
        '"granovetter_targets.toml"', f'"{CAL / "granovetter_targets.toml"}"'
    )
    if experiment:
        (tmp_path / "experiment.toml").write_text(experiment, encoding="utf-8")
        text = text.replace('"granovetter_experiment.toml"', '"experiment.toml"')
    else:
        text = text.replace('"granovetter_experiment.toml"', f'"{CAL / "granovetter_experiment.toml"}"')
    config = tmp_path / "cal.toml"
    config.write_text(text, encoding="utf-8")
    return config


BAD_EXPERIMENT = (
    '[experiment]\nname = "x"\nsteps = 20\n\n[model]\nname = "canonical/granovetter"\nmeen = 0.3\n'
)


# (old, new, experiment, message) for granovetter_calibration, by name.
REJECTIONS = dict(
    zip(
        ["key_in_the_sweep", "key_in_the_points", "range_bound", "set_assignment", "experiment"],
        [
            (  # wave 1 as one engine sweep: the engine named the generated design-lhs-*.toml
                '"model.sd" = { min = 0.1, max = 0.4 }',
                '"model.spread" = { min = 0.1, max = 0.4 }',
                "",
                ':22:1: parameters."model.spread": the engine rejects this parameter: '
                "expected the dotted key "
                "of a numeric model parameter",
            ),
            (  # every wave as explicit points: the engine named the generated b-*.csv and b-*.toml
                'first_design = "sweep"\n\n[parameters]\n"model.mean" = { min = 0.2, max = 0.45 }',
                '\n[parameters]\n"model.mean" = { min = 0.2, max = 0.45 }\n'
                '"model.spread" = { min = 0.1, max = 0.4 }',
                "",
                ':21:1: parameters."model.spread": the engine rejects this parameter: '
                "expected the dotted key "
                "of a numeric model parameter",
            ),
            (  # a range the engine refuses: the bound it names
                '"model.sd" = { min = 0.1, max = 0.4 }',
                '"model.sd" = { min = -0.5, max = 0.4 }',
                "",
                ':22:22: parameters."model.sd".min: the engine rejects this parameter: value -0.5 is outside '
                "the parameter's range: expected a real number >= 0",
            ),
            (
                'first_design = "sweep"',
                'first_design = "sweep"\nset = ["model.n=500", "model.sdd=0.3"]',
                "",
                ":19:23: simulator.set[1]: the engine rejects it: "
                "model.sdd: unknown key (did you mean 'sd'?)",
            ),
            (  # the experiment's own error, at its place, after the calibration config's line
                "",
                "",
                BAD_EXPERIMENT,
                ":16:10: simulator.config: the engine rejects the experiment: {tmp}/experiment.toml:7:1: "
                "model.meen: unknown key (did you mean 'mean'?)",
            ),
        ],
    )
)


# Every case with --quiet (the engine's stderr read); without it (the engine's input first
# checked with `atcsim validate`) for one parameter and the experiment: the same path otherwise.
@pytest.mark.parametrize(
    "case,quiet",
    [(name, True) for name in REJECTIONS] + [("key_in_the_sweep", False), ("experiment", False)],
    ids=[f"quiet-{name}" for name in REJECTIONS] + ["progress-key_in_the_sweep", "progress-experiment"],
)
def test_cli_engine_rejection_names_the_calibration_config(tmp_path, case, quiet):
    """A config error the engine finds is the calibration config's (file:line:col, the key), not the
    design or batch files generated in OUTPUT.work/, exit 2, and nothing is left behind: the work
    directory and the output folders the run created are removed. Without --quiet the engine's
    stderr is the user's (its progress bar), so its input is checked first with stderr read."""
    engine_or_skip()
    old, new, experiment, message = REJECTIONS[case]
    config = granovetter_calibration(tmp_path, old, new, experiment)
    before = sorted(tmp_path.iterdir())
    out = tmp_path / "out" / "calibration" / "g.nc"
    proc = calibrate_cli(str(config), "-o", str(out), *(["--quiet"] if quiet else []), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("calibrate: ")]
    assert errors == [errors[0]] and errors[0].startswith(f"atcsim calibrate: error: {config}:"), proc.stderr
    assert message.format(tmp=tmp_path) in errors[0], proc.stderr
    assert ".work" not in proc.stderr and "design-lhs" not in proc.stderr and "batches" not in proc.stderr
    assert sorted(tmp_path.iterdir()) == before  # no out/, no g.work/


def test_cli_engine_rejection_through_the_atcsim_command(tmp_path):
    """`atcsim calibrate` (the C++ command line, which runs the analysis package with itself as
    the engine) says the same."""
    binary = engine_or_skip()
    config = granovetter_calibration(tmp_path, '"model.sd" = {', '"model.spread" = {')
    env = subprocess_env()
    env["ATCSIM_ANALYSIS"] = str(ROOT / "analysis")
    proc = subprocess.run(
        [str(binary), "calibrate", str(config), "-o", "g.nc", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (
        f'atcsim calibrate: error: {config}:22:1: parameters."model.spread": the engine rejects this '
        "parameter: expected the dotted key of a numeric model parameter (model.X, scenario.NAME.model.X), "
        "intervention parameter (scenario.NAME.intervention.KIND.X) or site field (site.ID.X)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cal.toml"]


def test_cli_engine_rejection_keeps_what_was_there(tmp_path):
    """--keep-work keeps the work directory of a refused run; with --resume, what the work
    directory held before stays and only what the refused run added is removed."""
    engine_or_skip()
    config = granovetter_calibration(tmp_path, '"model.sd" = {', '"model.spread" = {')
    kept = calibrate_cli(str(config), "-o", "g.nc", "--quiet", "--keep-work", cwd=tmp_path)
    assert kept.returncode == 2 and 'parameters."model.spread"' in kept.stderr, kept.stderr
    assert any((tmp_path / "g.work").rglob("design-lhs-*.toml"))
    shutil.rmtree(tmp_path / "g.work")
    (tmp_path / "g.work" / "cache").mkdir(parents=True)
    (tmp_path / "g.work" / "cache" / "batch-earlier.npy").write_bytes(b"")
    resumed = calibrate_cli(str(config), "-o", "g.nc", "--quiet", "--resume", cwd=tmp_path)
    assert resumed.returncode == 2, resumed.stderr
    assert sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "g.work").rglob("*")) == [
        "g.work/cache",
        "g.work/cache/batch-earlier.npy",
    ]


# ------------------------------------------------------------- the output path


def toy_calibration(tmp_path: Path) -> Path:
    text = (CAL / "toy.toml").read_text(encoding="utf-8")
    config = tmp_path / "toy.toml"
    config.write_text(text.replace('"toy_targets.toml"', f'"{CAL / "toy_targets.toml"}"'), encoding="utf-8")
    return config


def test_cli_output_checked_before_anything_runs(tmp_path, capsys, monkeypatch, unwritable_folders):
    """calibrate -o is checked as export -o and report -o are: a directory, a FIFO, an input
    file, a folder that is not writable or not a directory is refused at once, exit 2, one
    line, before a single simulation; the output named by the config is refused at its line."""
    import os

    import atcsim.calibration.run
    from atcsim import cli

    def build_simulator(*args, **kwargs):
        raise AssertionError("simulations were set up before the output path was checked")

    monkeypatch.setattr(atcsim.calibration.run, "_build_simulator", build_simulator)
    config = toy_calibration(tmp_path)
    fifo = tmp_path / "pipe.nc"
    os.mkfifo(fifo)
    blocker, read_only = unwritable_folders
    (tmp_path / "taken.nc.partial").mkdir()
    for output, why in [
        (tmp_path, "it is a directory"),
        (fifo, "it is a FIFO (named pipe), not a regular file"),
        (config, "it is the input file"),
        (CAL / "toy_targets.toml", "it is the input file"),
        (blocker / "g.nc", f"'{blocker}' is not a directory"),
        (read_only / "g.nc", f"the directory '{read_only}' is not writable"),
        (read_only / "new" / "g.nc", f"cannot create the folder '{read_only / 'new'}': "),
        (tmp_path / "taken.nc", f"'{tmp_path / 'taken.nc.partial'}' is a directory"),
    ]:
        code = cli.main(["calibrate", str(config), "-o", str(output), "--quiet"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert err.startswith(f"atcsim calibrate: error: -o {output}: cannot write '{output}': {why}"), err
        assert err.strip().count("\n") == 0
    assert list(read_only.iterdir()) == [] and blocker.read_text() == ""
    # the config's own output: the error is at its line
    (tmp_path / "out.nc").mkdir()
    config.write_text(config.read_text().replace('output = "out/calibration/toy.nc"', 'output = "out.nc"'))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["calibrate", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    where = f"{config}:7:10: calibration.output"
    assert err == f"atcsim calibrate: error: {where}: cannot write 'out.nc': it is a directory\n"
