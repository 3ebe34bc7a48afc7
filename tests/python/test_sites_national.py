"""Generated site files: up to date with their generators, and the synthetic
France of scenarios/sites/national.toml matches its published targets
(Insee Premiere n. 2008, 2024: 1,362 QPVs, 5.3 M residents, mean 3,900, 90 %
below 7,570, largest 132,500; legal minimum 1,000)."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import numpy as np
import pytest

from conftest import ROOT

NATIONAL = ROOT / "scenarios" / "sites" / "national.toml"


@pytest.fixture(scope="module")
def national() -> dict:
    with NATIONAL.open("rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize("script", ["make_national_sites.py", "make_atc15_sites.py"])
def test_generated_site_files_are_up_to_date(script):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr


def test_national_sizes_match_the_published_distribution(national):
    sizes = np.array([s["population"] for s in national["site"]])
    assert len(sizes) == 1362
    assert sizes.sum() == pytest.approx(5.3e6, rel=1e-3)
    assert sizes.mean() == pytest.approx(3900, rel=0.01)
    assert np.quantile(sizes, 0.9) == pytest.approx(7570, rel=0.005)
    assert (sizes < 7570).mean() == pytest.approx(0.9, abs=0.002)
    assert sizes.max() == 132_500
    assert sizes.min() >= 1000
    # A right-skewed distribution: the median well below the mean.
    assert np.median(sizes) < 0.8 * sizes.mean()


def test_national_sites_are_dealt_round_robin_to_the_three_networks(national):
    sites = national["site"]
    assert [s["network"] for s in sites[:6]] == ["FCSF", "CNLRQ", "BBZ"] * 2
    counts = {n: sum(s["network"] == n for s in sites) for n in ("FCSF", "CNLRQ", "BBZ")}
    assert counts == {"FCSF": 454, "CNLRQ": 454, "BBZ": 454}
    totals = {n: sum(s["population"] for s in sites if s["network"] == n) for n in counts}
    for total in totals.values():  # similar size distributions (the largest QPV aside)
        assert total == pytest.approx(5.3e6 / 3, rel=0.1)
    assert len({s["id"] for s in sites}) == 1362
    assert all(s["provenance"]["population"] == "assumption" for s in sites)
