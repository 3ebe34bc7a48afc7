"""`import atcsim` leaves plotting, the report, sensitivity analysis and calibration to their
first use (their libraries are most of the package's import time, which every
`python3 -m atcsim` command pays), while every public name stays reachable."""

from __future__ import annotations

import json
import subprocess
import sys

import atcsim

from conftest import subprocess_env

# Imported by the plotting, report, sensitivity and calibration modules only.
HEAVY = ("matplotlib", "scipy", "sklearn", "emcee", "statsmodels")


def loaded_after(code: str) -> set[str]:
    """Top-level packages among HEAVY that a fresh interpreter has imported after CODE."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=subprocess_env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1])) & set(HEAVY)


def test_import_atcsim_imports_no_plotting_or_calibration_library():
    assert loaded_after("import atcsim") == set()


def test_info_imports_no_plotting_or_calibration_library(result_file):
    code = f"from atcsim.cli import main\nassert main(['info', {str(result_file)!r}]) == 0"
    assert loaded_after(code) == set()


def test_a_lazy_name_is_imported_on_first_use():
    assert "matplotlib" in loaded_after("import atcsim\natcsim.plot_forest")
    assert "scipy" in loaded_after("import atcsim\natcsim.calibration.abc_smc")


def test_every_public_name_resolves_to_its_module_object():
    from atcsim import calibration, plots, report, sensitivity

    for name in atcsim.__all__:
        assert getattr(atcsim, name) is not None, name
    assert atcsim.plot_forest is plots.plot_forest
    assert atcsim.write_report is report.write_report
    assert atcsim.SobolResult is sensitivity.SobolResult
    assert atcsim.sensitivity is sensitivity and atcsim.calibration is calibration
    assert set(atcsim.__all__) <= set(dir(atcsim))


def test_an_unknown_name_is_an_attribute_error():
    try:
        atcsim.no_such_name
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:
        raise AssertionError("atcsim.no_such_name did not raise")
