"""atcsim: analysis of atcsim simulation results.

Open an output file of ``atcsim run`` as an :class:`xarray.Dataset`, reshape
it for seaborn/statsmodels, compare scenarios with paired bootstrap
statistics, estimate cost-effectiveness, plot, and write a self-contained
HTML report::

    import atcsim
    ds = atcsim.open("out/atc15.h5")
    res = atcsim.compare(ds, "baseline", "animator", "participation_share")
    atcsim.plot_forest(res)

Files of a parameter sweep (a ``[sweep]`` config section) have a ``point``
dimension; :mod:`atcsim.sensitivity` computes Sobol indices, Morris screening
and rank correlations from them::

    res = atcsim.sensitivity.sobol(atcsim.open("out/sweep.h5"), "y")
    atcsim.sensitivity.plot_sobol(res)

:mod:`atcsim.calibration` calibrates model parameters against published
targets (ABC-SMC, history matching) and writes a posterior file.

From the shell: ``python3 -m atcsim report out/atc15.h5 -o report.html``,
``python3 -m atcsim info out/atc15.h5``,
``python3 -m atcsim export out/atc15.h5 -o runs.csv.gz --format behaviorspace`` and
``python3 -m atcsim calibrate scenarios/calibration/toy.toml``.
"""

__version__ = "0.1.0"

import importlib  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from .dataset import (  # noqa: E402
    SUPPORTED_SCHEMA,
    extra_dims,
    indicators,
    is_sweep,
    open,
    open_raw,
    read_parameters,
    sweep_parameters,
    sweep_table,
)
from .errors import (  # noqa: E402
    AtcsimError,
    AtcsimFileError,
    FewReplicatesWarning,
    IncompleteRunsWarning,
    NotAtcsimFileError,
    ScenarioNotFoundError,
    SchemaVersionError,
    SweepError,
    TimeSelectionError,
    VariableNotFoundError,
)
from .evaluation import (  # noqa: E402
    Contrast,
    contrasts,
    experiment_end,
    intervention_timeline,
    site_quality,
)
from .summary import Evaluation, evaluate  # noqa: E402
from .stats import (  # noqa: E402
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    CompareResult,
    CostEffectivenessResult,
    bootstrap_ci,
    compare,
    compare_by_point,
    cost_effectiveness,
    replicates_needed,
    select_time,
)
from .tidy import tidy  # noqa: E402
from . import export  # noqa: E402

# Plotting (matplotlib), the report, sensitivity analysis and calibration
# (scipy, sklearn) are imported when first used, not with the package: they
# are most of its import time, which every ``python3 -m atcsim`` command pays
# (``info`` or ``export`` need none of them).
_LAZY = {
    "plot_effects": "plots",
    "plot_forest": "plots",
    "plot_sites": "plots",
    "plot_trajectory": "plots",
    "render_report": "report",
    "write_report": "report",
    "CorrelationResult": "sensitivity",
    "MorrisResult": "sensitivity",
    "SobolResult": "sensitivity",
    "plot_morris": "sensitivity",
    "plot_response": "sensitivity",
    "plot_sobol": "sensitivity",
}
_LAZY_MODULES = ("sensitivity", "calibration", "plots", "report")

if TYPE_CHECKING:  # what the names are, for static tools
    from . import calibration, sensitivity  # noqa: F401
    from .plots import plot_effects, plot_forest, plot_sites, plot_trajectory  # noqa: F401
    from .report import render_report, write_report  # noqa: F401
    from .sensitivity import (  # noqa: F401
        CorrelationResult,
        MorrisResult,
        SobolResult,
        plot_morris,
        plot_response,
        plot_sobol,
    )


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # once imported, an ordinary attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_LAZY_MODULES))


__all__ = [
    "evaluate",
    "Evaluation",
    "plot_effects",
    "site_quality",
    "intervention_timeline",
    "experiment_end",
    "contrasts",
    "Contrast",
    "__version__",
    "SUPPORTED_SCHEMA",
    "DEFAULT_N_BOOT",
    "DEFAULT_SEED",
    "open",
    "open_raw",
    "read_parameters",
    "indicators",
    "extra_dims",
    "is_sweep",
    "sweep_parameters",
    "sweep_table",
    "tidy",
    "export",
    "compare",
    "compare_by_point",
    "sensitivity",
    "calibration",
    "SobolResult",
    "MorrisResult",
    "CorrelationResult",
    "plot_sobol",
    "plot_morris",
    "plot_response",
    "replicates_needed",
    "cost_effectiveness",
    "bootstrap_ci",
    "select_time",
    "CompareResult",
    "CostEffectivenessResult",
    "plot_sites",
    "plot_forest",
    "plot_trajectory",
    "render_report",
    "write_report",
    "AtcsimError",
    "AtcsimFileError",
    "NotAtcsimFileError",
    "SchemaVersionError",
    "ScenarioNotFoundError",
    "VariableNotFoundError",
    "TimeSelectionError",
    "SweepError",
    "IncompleteRunsWarning",
    "FewReplicatesWarning",
]
