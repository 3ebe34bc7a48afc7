"""The engine's `atcsim info` refuses what `atcsim.open` refuses: a well-formed file whose layout
breaks docs/output_schema.md (a `run_complete` of the wrong shape or type, an indicator stored as
strings, a dimension whose variables disagree on its size, a coordinate that is no dimension scale)
is one line naming the file and what is wrong, exit 2, not a description of its metadata.

The files are derived from a small real `atcsim run` output by tests/python/damage.py
(`layout_edits`), which keeps the dimension scales consistent so that only the layout is wrong.
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import h5py
import pytest

import atcsim

from conftest import atcsim_binary, run_engine
from damage import _edit, first_indicator, layout_edits

TINY = (
    '[experiment]\nname = "tiny"\nsteps = 6\nreplicates = 2\nseed = 3\n'
    '[model]\nname = "canonical/watts"\nn = 200\n'
    '[[scenario]]\nname = "a"\n[[scenario]]\nname = "b"\nmodel = { phi = 0.3 }\n'
)

# What `atcsim info` says after the file's path (2 scenarios, 2 replicates, 1 site).
EXPECTED = {
    "run_complete_extra_dim": "run_complete has dimensions ('scenario', 'replicate', 'site'); "
    "expected (scenario[, point], replicate)",
    "run_complete_text": "variable 'run_complete' holds string values; expected numbers",
    "run_complete_sizes": "conflicting sizes for dimension 'replicate': length 3 on 'run_complete' "
    "and length 2 on 'replicate'",
    "run_complete_short": "conflicting sizes for dimension 'replicate': length 1 on 'run_complete' "
    "and length 2 on 'replicate'",
    "indicator_text": "indicator '{indicator}' holds string values; expected numbers",
    "site_name_2d": "variable 'site_name' has dimensions ('site', 'scenario'); expected one dimension",
    "population_text": "variable 'population' holds string values; expected numbers",
    "time_not_a_scale": "variable '{indicator}' has no dimension scale associated with axis 3",
    "scale_lists_others": "inconsistent dimension scales: /{indicator} axis 0 names /scenario, "
    "which does not list it back",
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_engine(TINY, tmp_path_factory.mktemp("layout"), "tiny")


def _info(path: Path) -> subprocess.CompletedProcess[str]:
    binary = atcsim_binary()
    assert binary is not None  # run_engine skipped otherwise
    return subprocess.run([str(binary), "info", str(path)], capture_output=True, text=True, timeout=120)


def test_the_base_file_is_described(tiny):
    proc = _info(tiny)
    assert proc.returncode == 0, proc.stderr
    assert "runs:        4/4 complete" in proc.stdout


def test_every_layout_edit_is_covered(tiny):
    with h5py.File(tiny, "r") as f:
        assert sorted(layout_edits(f)) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_info_refuses_a_broken_layout_like_the_package(tiny, tmp_path, name):
    with h5py.File(tiny, "r") as f:
        edit = layout_edits(f)[name]
        indicator = first_indicator(f)
    path = _edit(tiny, tmp_path, f"{name}.h5", edit)
    proc = _info(path)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr == f"atcsim: error: {path}: {EXPECTED[name].format(indicator=indicator)}\n"
    assert proc.stdout == ""
    # The analysis package refuses the same file, in one line naming it.
    with warnings.catch_warnings(), pytest.raises(atcsim.AtcsimError) as refused:
        warnings.simplefilter("ignore")
        atcsim.open(path).close()
    assert str(path) in str(refused.value) and "\n" not in str(refused.value)
