"""The ODD's parameter, site-field, intervention and indicator tables are
generated from the model's declarations (`atcsim describe territorial
--markdown`): every row the code declares must appear verbatim in docs/ODD.md,
so the documentation cannot drift from the code."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("ATCSIM_BIN", str(ROOT / "build" / "release" / "atcsim"))


@pytest.mark.skipif(not pathlib.Path(BIN).exists(), reason="atcsim binary not built")
def test_odd_tables_match_the_declarations():
    out = subprocess.run(
        [BIN, "describe", "territorial", "--markdown"], check=True, capture_output=True, text=True
    ).stdout
    rows = [line.strip() for line in out.splitlines() if line.startswith("| `")]
    assert len(rows) > 150  # parameters, site fields, interventions, indicators
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    missing = [row for row in rows if row not in odd]
    assert not missing, (
        "docs/ODD.md is out of date; regenerate its tables with "
        "`atcsim describe territorial --markdown`. First missing rows:\n" + "\n".join(missing[:5])
    )
