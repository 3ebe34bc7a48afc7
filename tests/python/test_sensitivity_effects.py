"""Screening the treatment effect (paired scenario - baseline) rather than the levels.

The Ishigami function f = sin x1 + a sin^2 x2 + b x3^4 sin x1 run in two scenarios, a = 7
(baseline) and a = 9 (treatment): the paired effect is 2 sin^2 x2, which depends on x2 alone,
while the levels depend mostly on x1 and x2. About 1 s (one engine run of 80 points x 2
scenarios).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import atcsim
from atcsim import sensitivity as sa
from atcsim.errors import SweepError
from conftest import ISHIGAMI_RANGES, run_engine, sweep_config

R = 20  # Morris trajectories: r (k + 1) = 80 points


@pytest.fixture(scope="module")
def two_scenario_morris(tmp_path_factory):
    sweep = f'[sweep]\nmethod = "morris"\ntrajectories = {R}\nlevels = 4\nseed = 5\n\n[sweep.parameters]\n'
    extra = '[[scenario]]\nname = "baseline"\n\n[[scenario]]\nname = "a9"\nmodel = { a = 9.0 }\n'
    config = sweep_config("testfn/ishigami", sweep + ISHIGAMI_RANGES, extra=extra)
    path = run_engine(config, tmp_path_factory.mktemp("effects"), "ishigami_effect")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return atcsim.open(path)


def _targets_file(folder, name: str, relative_to: str, observed: str):
    """A targets file with one calibration target on y in scenario a9 (``relative_to``:
    the statistic's extra TOML, e.g. a ratio to the baseline)."""
    path = folder / "t.toml"
    path.write_text(
        'format = "atcsim-targets/1"\n'
        '[indicators.y]\ndescription = "y"\nunit = "1"\nmodel_variable = "y"\n'
        '[scopes.s]\ndescription = "s"\n'
        f'[[target]]\nname = "{name}"\nrole = "calibration"\ndescription = "y in a9"\nscope = "s"\n'
        f'statistic = {{ indicator = "y", scenario = "a9", window = {{ from = 0, to = 1 }}, time = "last"'
        f"{relative_to} }}\n"
        f'observed = {{ {observed}, basis = "b" }}\n'
        'source = { citation = "c", status = "read" }\n',
        encoding="utf-8",
    )
    return path


def test_morris_of_the_paired_effect(two_scenario_morris):
    ds = two_scenario_morris
    effect = sa.morris(ds, "y", scenario="a9", baseline="baseline", n_boot=200).table
    # p = 4: each move of x2 changes sin^2 x2 by 3/4; per unit of normalised range (Delta = 2/3)
    # the effect 2 sin^2 x2 moves by 2 * 3/4 / (2/3) = 2.25 exactly; x1 and x3 do not move it at all.
    assert effect.loc["model_x2", "mu_star"] == pytest.approx(2.25, abs=1e-9)
    assert effect.loc["model_x1", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert effect.loc["model_x3", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    # the levels tell another story: x1 matters a lot for the baseline's level
    level = sa.morris(ds, "y", scenario="baseline", n_boot=200).table
    assert level.loc["model_x1", "mu_star"] > 1.0
    # the response is the paired difference, point by point
    r = sa.response(ds, "y", scenario="a9", baseline="baseline")
    y = ds["y"].isel(time=-1).mean(["replicate", "site"])
    assert np.allclose(r["value"].to_numpy(), (y.sel(scenario="a9") - y.sel(scenario="baseline")).values)
    assert "a9 - baseline (paired)" in r.attrs["description"]


def test_effect_screening_errors(two_scenario_morris):
    with pytest.raises(SweepError, match="baseline= needs scenario="):
        sa.morris(two_scenario_morris, "y", baseline="baseline")
    with pytest.raises(SweepError, match="same scenario"):
        sa.morris(two_scenario_morris, "y", scenario="a9", baseline="a9")


def test_morris_values_equals_morris_of_the_same_response(two_scenario_morris):
    ds = two_scenario_morris
    r = sa.response(ds, "y", scenario="a9", baseline="baseline")
    direct = sa.morris(ds, "y", scenario="a9", baseline="baseline", n_boot=100).table
    given = sa.morris_values(ds, r["value"].to_numpy(), name="effect of a = 9", n_boot=100).table
    assert np.array_equal(given["mu_star"].values, direct["mu_star"].values)
    assert np.array_equal(given["sigma"].values, direct["sigma"].values, equal_nan=True)
    with pytest.raises(SweepError, match="one value per point"):
        sa.morris_values(ds, r["value"].to_numpy()[:-1], name="short")


def test_screening_reports_targets_in_sds_and_effects_relative(two_scenario_morris, tmp_path):
    from atcsim.calibration import load_targets
    from atcsim.calibration.screening import Effect, screen

    targets = _targets_file(tmp_path, "level", "", "value = 3.0, sd = 2.0")
    ds = two_scenario_morris
    table = screen(ds, load_targets(targets), [Effect.parse("a9:baseline:y:1")])
    level = sa.morris(ds, "y", scenario="a9", n_boot=100).table["mu_star"]
    assert np.allclose(table.loc[level.index, "cal:level"], level / 2.0)
    effect_col = [c for c in table.columns if c.startswith("effect y")][0]
    mean_effect = float(np.mean(sa.response(ds, "y", scenario="a9", baseline="baseline")["value"]))
    assert table.loc["model_x2", effect_col] == pytest.approx(2.25 / abs(mean_effect))
    assert table.loc["model_x1", effect_col] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="TREATMENT:BASELINE:VARIABLE:DATE"):
        Effect.parse("a9:baseline:y")


def test_screening_says_which_points_have_no_finite_statistic(
    two_scenario_morris, tmp_path, capsys, monkeypatch
):
    """A ratio to 0 at some points makes a column's mu* infinite: the table's notes
    (and the command's output) say how many points, and where in the design."""
    from atcsim.calibration import load_targets, screening
    from atcsim.calibration.screening import screen

    ratio = ', relative_to = { scenario = "baseline", contrast = "ratio" }'
    targets = _targets_file(tmp_path, "ratio", ratio, "value = 1.0, sd = 0.5")
    ds = two_scenario_morris
    assert screen(ds, load_targets(targets)).attrs["notes"] == []  # y is never 0: all finite
    # The baseline's y set to 0 where x1 is at the top of its range: the ratio is infinite there.
    damaged = ds.copy(deep=True)
    top = damaged["model_x1"].values == damaged["model_x1"].values.max()
    baseline = int(np.flatnonzero(damaged["scenario"].values == "baseline")[0])
    damaged["y"][{"scenario": baseline, "point": np.flatnonzero(top)}] = 0.0
    table = screen(damaged, load_targets(targets))
    assert np.isinf(table.loc["model_x1", "cal:ratio"])
    (note,) = table.attrs["notes"]
    assert note.startswith(f"cal:ratio: {int(top.sum())} of {top.size} points have no finite statistic")
    assert f"{int(top.sum())} infinite, a ratio to 0" in note
    assert f"model.x1 = {float(damaged['model_x1'].values.max()):.4g}" in note
    assert "model.x2" not in note and "model.x3" not in note  # spread over their whole ranges
    # The command prints it after the table.
    monkeypatch.setattr(screening, "open_dataset", lambda path: damaged)
    assert screening.main(["sweep.h5", str(targets)]) == 0
    printed = capsys.readouterr().out
    assert f"note: {note}" in printed, printed
