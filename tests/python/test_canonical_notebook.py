"""analysis/notebooks/canonical.ipynb runs the atcsim binary on every canonical
model, top to bottom, and plots each sweep against the published values."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import nbformat
import pytest

from conftest import ANALYSIS, ROOT, subprocess_env

nbclient = pytest.importorskip("nbclient")
NOTEBOOK = ANALYSIS / "notebooks" / "canonical.ipynb"
BINARY = Path(os.environ.get("ATCSIM_BIN", ROOT / "build" / "release" / "atcsim"))


@pytest.mark.skipif(not BINARY.exists(), reason=f"atcsim binary not built ({BINARY}); set ATCSIM_BIN")
def test_canonical_notebook(monkeypatch):
    env = subprocess_env()
    env.pop("MPLBACKEND")  # the notebook uses the inline backend
    env["ATCSIM_BIN"] = str(BINARY)
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # the kernel inherits this process's environment
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    asyncio.run(client.async_execute())
    images = [
        out for cell in nb.cells for out in cell.get("outputs", []) if "image/png" in out.get("data", {})
    ]
    assert len(images) == 7  # one sweep per canonical model
    text = "".join(
        out.get("text", "")
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )
    for model in ("granovetter", "watts", "deffuant", "hk", "nowak_may", "axelrod", "schelling"):
        assert model in text
