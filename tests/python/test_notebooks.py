"""The notebooks in analysis/notebooks run top to bottom against a synthetic file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
import pytest

from conftest import ANALYSIS, subprocess_env

nbclient = pytest.importorskip("nbclient")
NOTEBOOKS = ANALYSIS / "notebooks"


def _execute(name: str, result: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    env = subprocess_env()
    env.pop("MPLBACKEND")  # the notebooks use the inline backend
    env["ATCSIM_RESULT"] = str(result)
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # the kernel inherits this process's environment
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    asyncio.run(client.async_execute())  # asyncio.run closes its event loop afterwards
    return nb


def _outputs(nb: nbformat.NotebookNode, mime: str) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if mime in out.get("data", {}):
                found.append(out["data"][mime])
            elif mime == "text/plain" and out.get("output_type") == "stream":
                found.append(out["text"])
    return found


def test_notebooks_are_committed_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_quickstart(result_file, monkeypatch):
    nb = _execute("quickstart.ipynb", result_file, monkeypatch)
    text = "\n".join(_outputs(nb, "text/plain"))
    assert str(result_file) in text
    assert "baseline, animator, animator_governance" in text
    assert len(_outputs(nb, "image/png")) == 3  # participation, trust, one site
    tables = "\n".join(_outputs(nb, "text/html"))
    assert "participation_share" in tables and "Marseille" in tables


def test_compare_interventions(result_file, monkeypatch):
    nb = _execute("compare_interventions.ipynb", result_file, monkeypatch)
    text = "\n".join(_outputs(nb, "text/plain"))
    assert "baseline:   baseline" in text
    assert "treatments: animator, animator_governance" in text
    assert "halving it needs about" in text
    assert len(_outputs(nb, "image/png")) == 2  # one forest plot per treatment
    html = "\n".join(_outputs(nb, "text/html"))
    assert "net_benefit_eur" in html and "animator_governance - baseline" in html
