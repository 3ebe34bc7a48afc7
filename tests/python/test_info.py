"""`python3 -m atcsim info`: what a result file holds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from atcsim import cli

from conftest import subprocess_env


def run_info(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "atcsim", "info", str(path)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )


def test_info_summarises_a_complete_file(result_file):
    proc = run_info(result_file)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for needle in (
        "title:       synthetic atcsim experiment",
        "model:       territorial",
        "by atcsim 0.1.0 (commit synthetic), output schema 1",
        "seed:        1",
        "dimensions:  scenario=3 replicate=12 site=4 time=16 theme=3 " "(days since 2019-09-02)",
        "scenarios:   baseline, animator, animator_governance",
        "period:      2019-09-02 to 2019-12-16 (16 recorded times, 7 day(s) per step)",
        "sites:       marseille_frais_vallon, saint_gilles_sabatot,",
        "fort_de_france_quartiers_ouest: Fort-de-France — Trénelle-Citron; CNLRQ",
        "avoided_costs_eur                [EUR]",
        "outcome_index                    [1] x3 (theme)",
        "runs:        36/36 complete\n",
        "parameters:",
        "animator_salary_eur              = 45000 EUR/year  (assumption)",
        "trust_loss_ratio                 = 3  (source: Slovic 1993",
    ):
        assert needle in out, needle
    assert proc.stderr == ""


def test_info_lists_incomplete_runs_without_dropping(partial_file, capsys):
    assert cli.main(["info", str(partial_file)]) == 0
    out = capsys.readouterr().out
    assert "replicate=12" in out
    assert "runs:        32/36 complete  (INCOMPLETE: resume with atcsim run --resume)" in out
    assert "  baseline: replicates [11] incomplete" in out
    assert "  animator_governance: replicates [9, 10, 11] incomplete" in out


def test_info_bad_path_exit_2(tmp_path):
    proc = run_info(tmp_path / "nothing.h5")
    assert proc.returncode == 2
    assert proc.stderr.startswith("atcsim info: error:")
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stdout == ""


def test_usage_error_exit_2():
    with pytest.raises(SystemExit) as info:  # argparse: usage errors exit 2
        cli.main(["frobnicate"])
    assert info.value.code == 2
