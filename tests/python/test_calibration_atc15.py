"""The territorial calibration (scenarios/calibration/atc15*.toml): synthetic targets
and the recovery test through the engine.

The recovery test (about a minute on 2 cores) runs the calibration experiment at
a known truth, writes synthetic targets from it (the real targets' statistics and
sds, observed values the model produced plus a normal error of each target's sd),
and calibrates scenarios/calibration/atc15_ci.toml against them: the 90 % credible
intervals must cover the truth and be narrower than the prior (the targets identify
both parameters). A calibration that ignored the targets (its prior) fails the
second check; one biased by a wrong statistic fails the first.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, atcsim_binary, subprocess_env

from atcsim.calibration import load_targets
from atcsim.calibration.posterior import open_posterior
from atcsim.calibration.recovery import check_recovery, synthetic_targets_text, truth_statistics

CAL = ROOT / "scenarios" / "calibration"
# Away from the defaults (0.41, 6.4) and from the priors' centres (0.425, 8.0).
TRUTH = {"model.threshold_mean": 0.45, "model.project_effort": 9.6}


def engine_or_skip() -> Path:
    binary = atcsim_binary()
    if binary is None:
        pytest.skip("no atcsim binary (set ATCSIM_BIN or build with `make`)")
    return binary


def test_synthetic_targets_keep_statistics_and_sds(tmp_path):
    ts = load_targets(CAL / "targets.toml")
    values = np.arange(1.0, len(ts.targets) + 1.0)
    exact = tmp_path / "exact.toml"
    exact.write_text(synthetic_targets_text(ts, values, seed=None, label="test"), encoding="utf-8")
    synth = load_targets(exact)
    assert synth.names == ts.names
    for t, s, v in zip(ts.targets, synth.targets, values):
        assert s.observed.value == v
        assert s.observed.sd == pytest.approx(t.observed.total_sd)  # an interval becomes its sd
        assert s.statistic == t.statistic and s.role == t.role
    assert synth.title.startswith("Synthetic targets")
    noisy = load_targets_from_text(tmp_path, synthetic_targets_text(ts, values, seed=3, label="test"))
    errors = np.array([(s.observed.value - v) / s.observed.sd for s, v in zip(noisy.targets, values)])
    assert np.all(errors != 0) and np.all(np.abs(errors) < 4)
    again = load_targets_from_text(tmp_path, synthetic_targets_text(ts, values, seed=3, label="test"))
    assert [t.observed.value for t in again.targets] == [t.observed.value for t in noisy.targets]
    with pytest.raises(ValueError, match="not a number"):
        synthetic_targets_text(ts, values * np.nan, seed=None, label="test")


def test_synthetic_targets_refuse_an_observed_table_they_cannot_rewrite(tmp_path):
    """An observed value written as a [target.observed] table (valid TOML, read by
    load_targets) cannot be rewritten line by line: a clear error, not a file that
    silently keeps the real observation."""
    text = (CAL / "targets.toml").read_text(encoding="utf-8")
    line = re.search(r"(?m)^observed = \{ value = 0\.0057, interval = \[0\.0028, 0\.0085\].*$", text)
    assert line is not None
    block_end = text.index("\n[[target]]", line.end())
    moved = text[: line.start()] + text[line.end() : block_end].lstrip("\n")
    moved += (
        '\n[target.observed]\nvalue = 0.0057\ninterval = [0.0028, 0.0085]\nlevel = 0.9\nbasis = "as above"\n'
    )
    moved += text[block_end:]
    ts = load_targets_from_text(tmp_path, moved)
    assert ts.targets[0].observed.value == 0.0057
    with pytest.raises(ValueError, match="inline table on one line"):
        synthetic_targets_text(ts, np.ones(len(ts.targets)), seed=None, label="test")


def load_targets_from_text(tmp_path: Path, text: str):
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    return load_targets(path)


def test_recovery_through_the_engine(tmp_path):
    binary = engine_or_skip()
    env = subprocess_env()
    env["ATCSIM_BIN"] = str(binary)
    truth_run = tmp_path / "truth.h5"
    sets = ["model.population_scale=0.05"] + [f"{k}={v}" for k, v in TRUTH.items()]
    cmd = [str(binary), "run", str(CAL / "atc15_experiment.toml"), "--replicates", "8", "-o", str(truth_run)]
    for s in sets:
        cmd += ["--set", s]
    proc = subprocess.run(cmd + ["--quiet"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    ts = load_targets(CAL / "targets.toml")
    synthetic = tmp_path / "synthetic_targets.toml"
    synthetic.write_text(
        synthetic_targets_text(ts, truth_statistics(ts, truth_run), seed=11, label="the recovery truth"),
        encoding="utf-8",
    )
    # atc15_ci.toml, as documented for a recovery: the same config with --targets
    out = tmp_path / "recovery.nc"
    proc = subprocess.run(
        [sys.executable, "-m", "atcsim", "calibrate", str(CAL / "atc15_ci.toml")]
        + ["--targets", str(synthetic), "-o", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    table = check_recovery(open_posterior(out), TRUTH)
    assert table["covered"].all(), table
    assert (table["shrinkage"] > 0.2).all(), table  # identified, not the prior


def test_recovery_cli_reports_coverage(tmp_path):
    """`python3 -m atcsim.calibration.recovery check` on the toy's posterior (no engine)."""
    env = subprocess_env()
    out = tmp_path / "toy.nc"
    proc = subprocess.run(
        [sys.executable, "-m", "atcsim", "calibrate", str(CAL / "toy.toml"), "-o", str(out), "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    check = [sys.executable, "-m", "atcsim.calibration.recovery", "check", str(out)]
    proc = subprocess.run(
        check + ["--truth", "toy.decay=0.45", "--truth", "toy.inert=0.3"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"\d of 2 90% intervals cover the truth", proc.stdout)
    proc = subprocess.run(check + ["--truth", "toy.nothing=1"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "not calibrated in this posterior: toy.nothing" in proc.stderr


def test_calibrate_targets_option_must_name_a_file(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "atcsim", "calibrate", str(CAL / "toy.toml"), "--targets", "nope.toml"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "--targets: file not found: nope.toml" in proc.stderr
    assert not (tmp_path / "out").exists()
