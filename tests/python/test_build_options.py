"""CMake options of the build (CMakeLists.txt): a wrong value is refused at
configure time, naming the option and what it expects."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
def test_an_unknown_profile_guided_stage_is_refused(tmp_path):
    result = subprocess.run(
        ["cmake", "-S", str(ROOT), "-B", str(tmp_path / "build"), "-DATCSIM_PGO=sometimes"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ATCSIM_PGO is 'sometimes': expected generate, use or nothing" in result.stderr
