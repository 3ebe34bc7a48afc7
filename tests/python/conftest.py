"""Shared fixtures: small synthetic result files written once per session."""

from __future__ import annotations

import os
import subprocess
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

# `make test` installs every dependency first (scripts/setup), so a test skipped
# there (no binary, no Chromium, no R...) is a test that silently cannot fail:
# with ATCSIM_REQUIRE_ALL_TESTS=1 (set by `make test-python`) a skip is a failure.
REQUIRE_ALL_TESTS = os.environ.get("ATCSIM_REQUIRE_ALL_TESTS") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL_TESTS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but ATCSIM_REQUIRE_ALL_TESTS=1 requires every test to run: {reason}"


SCENARIOS = ("baseline", "animator", "animator_governance")
N_REPLICATES = 12
N_SITES = 4
N_STEPS = 16


def subprocess_env() -> dict[str, str]:
    """Environment for child processes (CLI, notebook kernels) that import atcsim."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ANALYSIS), env.get("PYTHONPATH", "")) if p)
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # silence debugpy's frozen-modules note
    return env


def start_cli(*args: str) -> subprocess.Popen[str]:
    """`python -m atcsim ARGS` started in a session of its own (so that a test can signal or kill its
    whole process group), with stdout and stderr captured as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "atcsim", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
        start_new_session=True,
    )


@pytest.fixture
def unwritable_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(a regular file where an output's folder is expected, a folder that is not writable): the
    places an output check must refuse. As root a mode of 0o555 does not stop writing, so
    os.access is made to answer for the folder as it would for a non-root user."""
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    read_only = tmp_path / "read_only"
    read_only.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if Path(p) == read_only else real_access(p, mode, **kw)
    )
    return blocker, read_only


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("synthetic")


@pytest.fixture(scope="session")
def result_file(synthetic_dir: Path) -> Path:
    """Complete 3-scenario file: 12 replicates, 4 sites, 16 weekly steps."""
    return make_synthetic(
        synthetic_dir / "atc.h5",
        scenarios=SCENARIOS,
        replicates=N_REPLICATES,
        sites=N_SITES,
        steps=N_STEPS,
        seed=1,
    )


@pytest.fixture(scope="session")
def partial_file(synthetic_dir: Path) -> Path:
    """Interrupted experiment: 4 of 36 runs incomplete, replicates 9-11 not paired."""
    return make_synthetic(
        synthetic_dir / "interrupted.h5",
        scenarios=SCENARIOS,
        replicates=N_REPLICATES,
        sites=N_SITES,
        steps=N_STEPS,
        seed=2,
        partial=True,
    )


@pytest.fixture(scope="session")
def single_scenario_file(synthetic_dir: Path) -> Path:
    return make_synthetic(
        synthetic_dir / "single.h5", scenarios=("baseline",), replicates=6, sites=3, steps=10, seed=3
    )


@pytest.fixture(scope="session")
def canonical_file(synthetic_dir: Path) -> Path:
    """Shaped like a canonical model's output: one site called "all", own indicators."""
    return make_synthetic(
        synthetic_dir / "canonical.h5",
        scenarios=("low_threshold", "high_threshold"),
        replicates=10,
        sites=["all"],
        steps=12,
        seed=4,
        variables=["cascade_size", "adopter_share"],
        extra_theme_var=False,
        model="canonical/watts",
    )


@pytest.fixture(scope="session")
def ds(result_file: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complete file opens without any warning
        dataset = atcsim.open(result_file)
    yield dataset
    dataset.close()


# ------------------------------------------------------------ real engine runs


def atcsim_binary() -> Path | None:
    """The engine named by ATCSIM_BIN, else build/release/atcsim; None if neither exists."""
    for candidate in (os.environ.get("ATCSIM_BIN"), str(ROOT / "build" / "release" / "atcsim")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def run_engine(config: str, directory: Path, name: str, *extra: str) -> Path:
    """Write ``config`` to DIRECTORY/NAME.toml, run the engine on it, return the output path."""
    import subprocess

    binary = atcsim_binary()
    if binary is None:
        pytest.skip("no atcsim binary (set ATCSIM_BIN or build with `make`)")
    toml = directory / f"{name}.toml"
    out = directory / f"{name}.h5"
    toml.write_text(config, encoding="utf-8")
    proc = subprocess.run(
        [str(binary), "run", str(toml), "-o", str(out), "--quiet", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=directory,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def sweep_config(
    model: str, sweep: str, *, steps: int = 1, model_params: str = "", experiment: str = "", extra: str = ""
) -> str:
    """A minimal engine config; ``model_params``, ``experiment`` go in their sections,
    ``extra`` (sites, scenarios) and ``sweep`` are appended verbatim."""
    return (
        f'[experiment]\nname = "sweep"\nsteps = {steps}\n{experiment}\n\n'
        f'[model]\nname = "{model}"\n{model_params}\n\n'
        f'[output]\npath = "sweep.h5"\n\n{extra}\n{sweep}\n'
    )


PI = "3.141592653589793"
ISHIGAMI_RANGES = "\n".join(f'"model.x{i}" = {{ min = -{PI}, max = {PI} }}' for i in (1, 2, 3))
#: Sobol base samples of the Ishigami validation run: N (k + 2) = 20480 runs.
ISHIGAMI_N = 4096
#: Sobol base samples of the g-function validation run: N (k + 2) = 10240 runs.
G_N = 1024
#: Morris trajectories (p = 4 levels) of the Ishigami screening run: r (k + 1) = 2000 runs.
MORRIS_R = 500
#: Latin hypercube points of the Ishigami rank-correlation run.
LHS_POINTS = 1000

# A small stochastic sweep shaped like a real study: two scenarios, two sites, replicates.
_WATTS = dict(
    steps=10,
    model_params="n = 300\nphi = 0.18\nmean_degree = 4.0",
    experiment="replicates = 4\nseed = 11",
    extra=(
        '[[site]]\nid = "north"\nname = "North site"\n\n'
        '[[site]]\nid = "south"\nname = "South site"\n\n'
        '[[scenario]]\nname = "baseline"\n\n'
        '[[scenario]]\nname = "dense"\nmodel = { mean_degree = 6.0 }\n'
    ),
)


@pytest.fixture(scope="session")
def engine_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sweeps")


@pytest.fixture(scope="session")
def ishigami_sobol(engine_dir: Path) -> Path:
    sweep = (
        f'[sweep]\nmethod = "sobol"\nbase_points = {ISHIGAMI_N}\n\n'
        f"[sweep.parameters]\n{ISHIGAMI_RANGES}\n"
    )
    return run_engine(sweep_config("testfn/ishigami", sweep), engine_dir, "ishigami_sobol")


@pytest.fixture(scope="session")
def g_sobol(engine_dir: Path) -> Path:
    ranges = "\n".join(f'"model.x{i}" = {{ min = 0.0, max = 1.0 }}' for i in range(1, 9))
    sweep = f'[sweep]\nmethod = "sobol"\nbase_points = {G_N}\n\n[sweep.parameters]\n{ranges}\n'
    return run_engine(sweep_config("testfn/sobol_g", sweep), engine_dir, "g_sobol")


@pytest.fixture(scope="session")
def ishigami_morris(engine_dir: Path) -> Path:
    sweep = (
        f'[sweep]\nmethod = "morris"\ntrajectories = {MORRIS_R}\nlevels = 4\nseed = 3\n\n'
        f"[sweep.parameters]\n{ISHIGAMI_RANGES}\n"
    )
    return run_engine(sweep_config("testfn/ishigami", sweep), engine_dir, "ishigami_morris")


@pytest.fixture(scope="session")
def ishigami_lhs(engine_dir: Path) -> Path:
    sweep = (
        f'[sweep]\nmethod = "lhs"\npoints = {LHS_POINTS}\nseed = 5\n\n'
        f"[sweep.parameters]\n{ISHIGAMI_RANGES}\n"
    )
    return run_engine(sweep_config("testfn/ishigami", sweep), engine_dir, "ishigami_lhs")


@pytest.fixture(scope="session")
def watts_grid(engine_dir: Path) -> Path:
    """2 scenarios x 6 grid points x 4 replicates x 2 sites of a small Watts cascade model."""
    sweep = (
        '[sweep]\nmethod = "grid"\n\n[sweep.parameters]\n'
        '"model.phi" = [0.1, 0.2, 0.3]\n"model.n" = [200, 300]\n'
    )
    return run_engine(sweep_config("canonical/watts", sweep, **_WATTS), engine_dir, "watts_grid")


@pytest.fixture(scope="session")
def watts_morris(engine_dir: Path) -> Path:
    """2 scenarios x 6 Morris trajectories (18 points) x 4 replicates x 2 sites; n is an integer
    swept on a log scale, so its values are rounded."""
    sweep = (
        '[sweep]\nmethod = "morris"\ntrajectories = 6\nseed = 2\n\n[sweep.parameters]\n'
        '"model.phi" = { min = 0.05, max = 0.35 }\n'
        '"model.n" = { min = 100, max = 1000, scale = "log" }\n'
    )
    return run_engine(sweep_config("canonical/watts", sweep, **_WATTS), engine_dir, "watts_morris")


@pytest.fixture(scope="session")
def watts_sobol(engine_dir: Path) -> Path:
    """2 scenarios x 8 Sobol base samples (32 points) x 4 replicates x 2 sites."""
    sweep = (
        '[sweep]\nmethod = "sobol"\nbase_points = 8\n\n[sweep.parameters]\n'
        '"model.phi" = { min = 0.05, max = 0.35 }\n'
        '"model.initial_active" = { min = 1, max = 5 }\n'
    )
    return run_engine(sweep_config("canonical/watts", sweep, **_WATTS), engine_dir, "watts_sobol")


@pytest.fixture(scope="session")
def atc15_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real run of scenarios/atc15.toml: 4 scenarios x 2 replicates x 15 sites x 85 weeks
    (to 2021-04-12: the last lockdown starts 2021-04-03; ~10 s)."""
    import subprocess

    binary = atcsim_binary()
    if binary is None:
        pytest.skip("no atcsim binary (set ATCSIM_BIN or build with `make`)")
    out = tmp_path_factory.mktemp("atc15_small") / "atc15_small.h5"
    proc = subprocess.run(
        [str(binary), "run", str(ROOT / "scenarios" / "atc15.toml"), "-o", str(out), "--quiet"]
        + ["--replicates", "2", "--set", "model.population_scale=0.05"]
        + ["--set", "experiment.end_date=2021-04-12"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return out
