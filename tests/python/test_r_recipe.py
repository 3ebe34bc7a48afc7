"""docs/r.md's R recipe (analysis/r/effect.R, Debian's r-cran-ncdf4) gives the Python package's effect."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import atcsim

from conftest import ROOT

SCRIPT = ROOT / "analysis" / "r" / "effect.R"
DOC = ROOT / "docs" / "r.md"


def test_the_page_shows_the_script_verbatim():
    blocks = re.findall(r"```r\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert blocks == [SCRIPT.read_text(encoding="utf-8")]


def _rscript() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not installed (scripts/setup installs r-base-core and r-cran-ncdf4)")
    probe = subprocess.run([rscript, "-e", "library(ncdf4)"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("R package ncdf4 not installed (scripts/setup installs r-cran-ncdf4)")
    return rscript


@pytest.mark.parametrize(
    "treatment, baseline, variable, date",
    [
        ("atc", "baseline", "participation_share", "2019-12-30"),
        ("atc_covid", "baseline", "core_share", "2020-01-20"),
    ],
)
def test_r_effect_equals_python(atc15_small, treatment, baseline, variable, date):
    rscript = _rscript()
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(atc15_small), treatment, baseline, variable, date],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    match = re.fullmatch(rf"{variable} {treatment} - {baseline} at {date}: (\S+)\n", proc.stdout)
    assert match, proc.stdout
    r_value = float(match.group(1))
    ds = atcsim.open(atc15_small)
    v = ds[variable]
    python_value = (v.sel(scenario=treatment) - v.sel(scenario=baseline)).sel(time=date).mean().item()
    ds.close()
    assert r_value != 0.0
    assert abs(r_value - python_value) <= 1e-9


def test_r_reports_an_unknown_scenario(atc15_small):
    rscript = _rscript()
    proc = subprocess.run(
        [rscript, str(SCRIPT), str(atc15_small), "nope", "baseline", "participation_share", "2019-12-30"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "unknown scenario" in proc.stderr
