"""The scripts that regenerate documented tables refuse a file they cannot read, with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import subprocess_env

ROOT = Path(__file__).resolve().parents[2]


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )


@pytest.mark.parametrize(
    "script, expected",
    [
        ("odd_headline.py", "no scenario atc, atc_covid"),
        ("posterior_scenarios_table.py", "no contrast animator_kept, covid_cost, experiment_effect"),
    ],
)
def test_a_file_without_the_atc15_scenarios_is_refused(result_file: Path, script: str, expected: str) -> None:
    r = run_script(script, str(result_file))
    assert r.returncode == 2, r.stderr
    assert expected in r.stderr and str(result_file) in r.stderr
    assert "scenarios/atc15.toml" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


@pytest.mark.parametrize("script", ["odd_headline.py", "posterior_scenarios_table.py"])
def test_a_missing_file_is_refused(tmp_path: Path, script: str) -> None:
    missing = tmp_path / "missing.h5"
    r = run_script(script, str(missing))
    assert r.returncode == 2, r.stderr
    assert f"{missing}: no such file" in r.stderr and "Traceback" not in r.stderr
