"""`make test` requires every Python test to run: with ATCSIM_REQUIRE_ALL_TESTS=1
a skip (a missing binary or tool) is a failure, so that no test passes in CI by
not running. conftest.py is loaded as a plugin into a pytest run of a file that
skips."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, subprocess_env


def run_skipping_test(tmp_path, require: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_skips.py").write_text(
        "import pytest\n\n\ndef test_needs_a_widget():\n    pytest.skip('no widget')\n", encoding="utf-8"
    )
    env = subprocess_env()
    env["PYTHONPATH"] = f"{ROOT / 'tests' / 'python'}:{env['PYTHONPATH']}"
    env["ATCSIM_REQUIRE_ALL_TESTS"] = require
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider", "test_skips.py"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_a_skip_fails_when_every_test_is_required(tmp_path):
    proc = run_skipping_test(tmp_path, "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed" in proc.stdout
    assert "requires every test to run: Skipped: no widget" in proc.stdout


def test_a_skip_is_a_skip_otherwise(tmp_path):
    proc = run_skipping_test(tmp_path, "0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 skipped" in proc.stdout
