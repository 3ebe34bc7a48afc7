"""Files written by the real C++ engine open and analyse like the synthetic ones.

Uses the binary named by ATCSIM_BIN (set by `make test-python`), else
build/release/atcsim when it exists; skipped when neither is available.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import atcsim

from conftest import ROOT, subprocess_env

WATTS = ROOT / "scenarios" / "canonical" / "watts.toml"


def _binary() -> Path | None:
    candidates = [os.environ.get("ATCSIM_BIN"), str(ROOT / "build" / "release" / "atcsim")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


BINARY = _binary()
pytestmark = pytest.mark.skipif(
    BINARY is None or not WATTS.exists(),
    reason="no atcsim binary (set ATCSIM_BIN or build with `make`) or no watts scenario",
)


@pytest.fixture(scope="module")
def engine_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("engine") / "watts.h5"
    proc = subprocess.run(
        [
            str(BINARY),
            "run",
            str(WATTS),
            "-o",
            str(out),
            "--replicates",
            "3",
            "--set",
            "model.n=400",
            "--set",
            "experiment.steps=20",
            "--threads",
            "1",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def test_engine_file_opens_cleanly(engine_file):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = atcsim.open(engine_file)
    assert {"scenario", "replicate", "site", "time"} <= set(ds.dims)
    assert ds.sizes["replicate"] == 3 and ds.sizes["time"] == 21
    assert np.issubdtype(ds["time"].dtype, np.datetime64)
    for coord in ("site_name", "site_code", "network", "population", "step", "run_complete"):
        assert coord in ds.coords, coord
    names = atcsim.indicators(ds)
    assert names
    for name in names:
        assert "units" in ds[name].attrs and np.isfinite(ds[name].values).all()
    assert not atcsim.read_parameters(ds).empty


def test_engine_file_analyses(engine_file):
    ds = atcsim.open(engine_file)
    names = atcsim.indicators(ds)
    baseline, treatment = (str(s) for s in ds["scenario"].values[:2])
    with pytest.warns(atcsim.FewReplicatesWarning):
        res = atcsim.compare(ds, baseline, treatment, names[0])
    assert list(res.table.index) == [str(s) for s in ds["site"].values] + ["pooled"]
    assert np.isfinite(res.table["mean_diff"]).all()
    df = atcsim.tidy(ds, names[0])
    assert len(df) == int(np.prod([ds.sizes[d] for d in ("scenario", "replicate", "site", "time")]))


def test_engine_file_report_and_info(engine_file, tmp_path):
    env = subprocess_env()
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "atcsim",
            "report",
            str(engine_file),
            "-o",
            str(tmp_path / "r.html"),
            "--n-boot",
            "200",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert "Effects: " in (tmp_path / "r.html").read_text(encoding="utf-8")

    ours = subprocess.run(
        [sys.executable, "-m", "atcsim", "info", str(engine_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    theirs = subprocess.run(
        [str(BINARY), "info", str(engine_file)], capture_output=True, text=True, timeout=60
    )
    assert ours.returncode == 0 and theirs.returncode == 0, ours.stderr + theirs.stderr
    for prefix in ("title:", "model:", "seed:", "scenarios:", "sites:", "runs:"):
        line_ours = next(line for line in ours.stdout.splitlines() if line.startswith(prefix))
        line_theirs = next(line for line in theirs.stdout.splitlines() if line.startswith(prefix))
        assert line_ours == line_theirs
