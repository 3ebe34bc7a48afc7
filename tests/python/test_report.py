"""`python3 -m atcsim report`: one self-contained HTML file, checked in a real browser."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pytest

from atcsim import cli

from conftest import start_cli, subprocess_env

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def _heading(text: str, name: str) -> bool:
    """An h3 for indicator ``name``: the name itself, or a readable title followed by the name in code."""
    return (
        re.search(rf"<h3>(?:[^<]* <small><code>)?{re.escape(name)}(?:</code></small>)?</h3>", text)
        is not None
    )


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "atcsim", *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )


@pytest.fixture(scope="module")
def report(result_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    proc = run_cli("report", str(result_file), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout
    return out, out.read_text(encoding="utf-8")


def test_report_is_self_contained(report):
    _, text = report
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text.lower()
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    # every src/href is inline data or an in-page anchor: nothing is fetched
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text)
    assert refs and all(r.startswith(("data:", "#")) for r in refs), refs
    assert "<link" not in text.lower() and "@import" not in text and "url(" not in text


def test_report_embeds_decodable_png_plots(report):
    _, text = report
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    # one forest figure per contrast (2) + one trajectory figure per outcome drawn (2)
    assert len(images) == 4
    for b64 in images:
        pixels = mpimg.imread(io.BytesIO(base64.b64decode(b64)), format="png")
        assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100


def test_report_says_what_was_run(report, result_file):
    _, text = report
    for needle in (
        "What was run",
        "territorial",
        "0.1.0",
        "synthetic",
        "20",
        "<details>",
        "config_toml",
        "[experiment]",
        "atcsim run scenarios/synthetic.toml",
        "Report command",
        "python3 -m atcsim report",
    ):
        assert needle in text, needle


def test_report_has_effects_per_treatment_with_cis(report):
    _, text = report
    summary, details = text.split('id="contrast-', 1)
    # the summary comes first: one row per contrast, with CIs and the cost
    assert "Summary for the steering committee" in summary
    assert summary.count("<code>animator</code> vs <code>baseline</code>") >= 1
    assert "<code>animator_governance</code> vs <code>baseline</code>" in summary
    assert "Measured on 16 December 2019 (week 15)" in summary
    assert "simulation noise" in summary and "not run from a calibration posterior" in summary
    # the inputs are never effects: intervention_cost_eur is named as an input, not in a table of effects
    assert "Inputs set by the scenarios are never shown as effects" in summary
    effects, trajectories = details.split('id="trajectories"')
    assert "trust_institutions" in effects and "projects_succeeded" in effects
    assert "intervention_cost_eur" not in effects
    assert "percentile bootstrap" in effects and "95 %" in effects
    assert effects.count("Benefit-cost ratio") >= 2
    assert "Marseille — Frais Vallon" in effects
    assert trajectories.count("<small><code>participation_share</code></small></h3>") == 1


def test_report_caveats(report):
    _, text = report
    caveats = text.split('id="caveats"')[1]
    assert "12 replicate(s) per scenario" in caveats
    assert "All 36 runs" in caveats
    assert "Parameters that are assumptions" in caveats
    assert "animator_contacts_per_week" in caveats and "participation_threshold_mean" in caveats
    assumed = caveats.split("All parameters")[0]
    assert "trust_loss_ratio" not in assumed  # sourced (Slovic 1993), not an assumption


def test_partial_file_report_mentions_dropped_runs(partial_file, tmp_path, capsys):
    out = tmp_path / "partial.html"
    code = cli.main(["report", str(partial_file), "-o", str(out), "--n-boot", "200"])
    captured = capsys.readouterr()
    assert code == 0
    assert "warning:" in captured.err and "4 of 36 runs" in captured.err
    text = out.read_text(encoding="utf-8")
    assert "Read with care" in text
    assert "4 of 36 runs were not complete" in text and "[9, 10, 11]" in text
    assert "only 9 replicate(s)" in text


def test_single_scenario_report_is_descriptive(single_scenario_file, tmp_path):
    out = tmp_path / "single.html"
    assert cli.main(["report", str(single_scenario_file), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Descriptive results" in text and "nothing to compare" in text
    assert "Effects:" not in text and "Cost-effectiveness" not in text
    assert "Trajectories by site" in text


def test_canonical_single_site_report_lists_all_variables(canonical_file, tmp_path):
    out = tmp_path / "canonical.html"
    code = cli.main(["report", str(canonical_file), "-o", str(out), "--n-boot", "200"])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "Effects: high_threshold vs low_threshold" in text  # first scenario is the baseline
    assert _heading(text, "cascade_size") and _heading(text, "adopter_share")
    assert "Single site (all)" in text
    assert "Cost-effectiveness" not in text


def test_treatment_and_baseline_options(result_file, tmp_path):
    out = tmp_path / "one.html"
    code = cli.main(
        [
            "report",
            str(result_file),
            "-o",
            str(out),
            "--baseline",
            "animator",
            "--treatment",
            "animator_governance",
            "--n-boot",
            "200",
        ]
    )
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "<code>animator_governance</code> vs <code>animator</code>" in text
    assert "ad hoc" in text or "--treatment" in text or "compared with" in text
    assert "<code>animator</code> vs <code>baseline</code>" not in text


def test_theme_variables_expand_when_no_preferred_indicator(tmp_path):
    from atcsim.testing import make_synthetic

    path = make_synthetic(
        tmp_path / "themes.h5",
        replicates=10,
        sites=2,
        steps=5,
        variables=["avoided_costs_eur", "intervention_cost_eur"],
    )
    out = tmp_path / "themes.html"
    assert cli.main(["report", str(path), "-o", str(out), "--n-boot", "100"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "<h3>outcome_index[theme=employment]</h3>" in text
    assert _heading(text, "avoided_costs_eur")


def test_bad_inputs_exit_2_with_one_line(result_file, tmp_path):
    missing = run_cli("report", str(tmp_path / "missing.h5"), "-o", str(tmp_path / "x.html"))
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file" in missing.stderr
    assert not (tmp_path / "x.html").exists()

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not hdf5")
    not_atcsim = run_cli("report", str(text_file))
    assert not_atcsim.returncode == 2
    assert "not an atcsim output file" in not_atcsim.stderr
    assert not_atcsim.stderr.strip().count("\n") == 0


def test_unknown_baseline_exit_2(result_file, tmp_path, capsys):
    code = cli.main(["report", str(result_file), "-o", str(tmp_path / "x.html"), "--baseline", "status_quo"])
    err = capsys.readouterr().err
    assert code == 2
    assert "status_quo" in err and "baseline, animator, animator_governance" in err
    assert err.strip().count("\n") == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        # negative steps were read as positions from the end (--at -5: the 5th time from the end)
        (["--at", "-5"], "--at: expected a date (YYYY-MM-DD) or a model step >= 0, got -5"),
        (["--window", "-3", "-1"], "--window: expected a date (YYYY-MM-DD) or a model step >= 0, got -3"),
        (["--window", "2", "-1"], "--window: expected a date (YYYY-MM-DD) or a model step >= 0, got -1"),
        # these were "internal error: ValueError ... please report this", exit 1
        (["--n-boot", "0"], "--n-boot: expected a positive number of bootstrap resamples, got 0"),
        (["--n-boot", "-3"], "--n-boot: expected a positive number of bootstrap resamples, got -3"),
        (["--seed", "-1"], "--seed: expected a non-negative integer, got -1"),
    ],
)
def test_bad_report_arguments_exit_2_and_write_nothing(result_file, tmp_path, capsys, extra, message):
    out = tmp_path / "x.html"
    code = cli.main(["report", str(result_file), "-o", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(f"atcsim report: error: {message}") and err.strip().count("\n") == 0
    assert not out.exists()


def test_output_checked_before_the_data_are_read(
    result_file, tmp_path, capsys, monkeypatch, unwritable_folders
):
    """A bad -o is refused at once (exit 2), not after the whole report was computed."""
    import atcsim.report

    def render_report(*args, **kwargs):
        raise AssertionError("the report was computed before its output path was checked")

    monkeypatch.setattr(atcsim.report, "render_report", render_report)
    blocker, read_only = unwritable_folders
    for output, why in [
        (blocker / "report.html", f"'{blocker}' is not a directory"),
        (tmp_path, "it is a directory"),
        (read_only / "report.html", f"the directory '{read_only}' is not writable"),
        (read_only / "new" / "report.html", f"cannot create the folder '{read_only / 'new'}': "),
        (result_file, "it is the input file"),
    ]:
        code = cli.main(["report", str(result_file), "-o", str(output)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert err.startswith(f"atcsim report: error: -o {output}: cannot write '{output}': {why}"), err
        assert err.strip().count("\n") == 0
    assert list(read_only.iterdir()) == [] and blocker.read_text() == ""


def test_report_refuses_an_output_that_is_not_a_regular_file(result_file, tmp_path):
    """A FIFO (or a device) as -o is refused like `atcsim run -o` and `export -o`, exit 2; the
    report used to open it and block until something read it (and write into a device)."""
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    # In its own session: were it to block on the FIFO, every process of it is stopped.
    with start_cli("report", str(result_file), "-o", str(fifo)) as proc:
        try:
            _, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail("report blocked on a FIFO given as -o")
    assert proc.returncode == 2, stderr
    assert stderr == (
        f"atcsim report: error: -o {fifo}: cannot write '{fifo}': it is a FIFO (named pipe), "
        "not a regular file\n"
    )
    assert stat.S_ISFIFO(fifo.stat().st_mode) and list(tmp_path.iterdir()) == [fifo]


def test_missing_output_folders_are_created(result_file, tmp_path):
    out = tmp_path / "new" / "deeper" / "report.html"
    assert cli.main(["report", str(result_file), "-o", str(out), "--n-boot", "50"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ----------------------------------------------------------------- real browser


def _chromium(args: list[str], user_data: Path) -> subprocess.CompletedProcess:
    base = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={user_data}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=90)


def _console_messages(stderr: str) -> list[str]:
    """Messages the page wrote to the JS console (errors, uncaught exceptions)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_console_detector_catches_page_errors(tmp_path):
    # Guards the browser test below: the detector must see a real page error.
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><h1>x</h1><script>undefinedFunction();</script></body></html>")
    proc = _chromium(["--dump-dom", bad.as_uri()], tmp_path / "profile")
    assert any("undefinedFunction" in m for m in _console_messages(proc.stderr)), proc.stderr


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(report, tmp_path):
    path, _ = report
    shot = tmp_path / "report.png"
    proc = _chromium(
        [f"--screenshot={shot}", "--window-size=1200,2000", path.as_uri()], tmp_path / "profile-shot"
    )
    assert shot.exists(), proc.stderr[-2000:]
    pixels = mpimg.imread(str(shot))
    assert pixels.shape[:2] == (2000, 1200)
    assert pixels.std() > 0.05  # not a blank page
    # coloured plot pixels reach the first screen (text and tables are grey scale)
    rgb = pixels[..., :3]
    saturation = rgb.max(axis=2) - rgb.min(axis=2)
    assert (saturation > 0.3).sum() > 500
    assert _console_messages(proc.stderr) == []

    dom = _chromium(["--dump-dom", path.as_uri()], tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console_messages(dom.stderr) == []
    html = dom.stdout
    for heading in (
        "What was run",
        "What each contrast changed",
        "How sure are we",
        "Trajectories by site",
        "Caveats",
    ):
        assert re.search(rf"<h2[^>]*>{re.escape(heading)}</h2>", html), heading
    assert html.count("<img") == 4
    assert "<details>" in html
