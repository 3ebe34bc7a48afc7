"""Shared fixtures: small synthetic result files written once per session."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
ANALYSIS = ROOT / "analysis"
if str(ANALYSIS) not in sys.path:  # also runnable without PYTHONPATH=analysis
    sys.path.insert(0, str(ANALYSIS))

import pytest  # noqa: E402

import atcsim  # noqa: E402
from atcsim.testing import make_synthetic  # noqa: E402

SCENARIOS = ("baseline", "animator", "animator_governance")
N_REPLICATES = 12
N_SITES = 4
N_STEPS = 16


def subprocess_env() -> dict[str, str]:
    """Environment for child processes (CLI, notebook kernels) that import atcsim."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ANALYSIS), env.get("PYTHONPATH", "")) if p)
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silence debugpy's frozen-modules note
    return env


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("synthetic")


@pytest.fixture(scope="session")
def result_file(synthetic_dir: Path) -> Path:
    """Complete 3-scenario file: 12 replicates, 4 sites, 16 weekly steps."""
    return make_synthetic(synthetic_dir / "atc.h5", scenarios=SCENARIOS,
                          replicates=N_REPLICATES, sites=N_SITES, steps=N_STEPS, seed=1)


@pytest.fixture(scope="session")
def partial_file(synthetic_dir: Path) -> Path:
    """Interrupted experiment: 4 of 36 runs incomplete, replicates 9-11 not paired."""
    return make_synthetic(synthetic_dir / "interrupted.h5", scenarios=SCENARIOS,
                          replicates=N_REPLICATES, sites=N_SITES, steps=N_STEPS, seed=2,
                          partial=True)


@pytest.fixture(scope="session")
def single_scenario_file(synthetic_dir: Path) -> Path:
    return make_synthetic(synthetic_dir / "single.h5", scenarios=("baseline",), replicates=6,
                          sites=3, steps=10, seed=3)


@pytest.fixture(scope="session")
def canonical_file(synthetic_dir: Path) -> Path:
    """Shaped like a canonical model's output: one site called "all", own indicators."""
    return make_synthetic(synthetic_dir / "canonical.h5", scenarios=("low_threshold", "high_threshold"),
                          replicates=10, sites=["all"], steps=12, seed=4,
                          variables=["cascade_size", "adopter_share"], extra_theme_var=False,
                          model="canonical/watts")


@pytest.fixture(scope="session")
def ds(result_file: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complete file opens without any warning
        dataset = atcsim.open(result_file)
    yield dataset
    dataset.close()
