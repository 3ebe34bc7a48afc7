"""Calibration of atcsim models against published figures.

- :mod:`~atcsim.calibration.targets`: the targets file format (``targets.toml``)
  and its loader; errors name ``file:line:col`` and the key.
- :mod:`~atcsim.calibration.config`: the calibration config read by
  ``python3 -m atcsim calibrate CONFIG.toml``.
- :mod:`~atcsim.calibration.simulators`: the interface the methods call
  (parameter points -> statistics) and its engine implementation.
- :mod:`~atcsim.calibration.abc`: ABC-SMC with adaptive tolerances.
- :mod:`~atcsim.calibration.history`: history matching with Gaussian-process
  emulators (scikit-learn, imported only when used).
- :mod:`~atcsim.calibration.posterior`: the posterior file, credible
  intervals, posterior predictive checks.
- :mod:`~atcsim.calibration.plots`: marginals, pairs, predictive versus targets.
- :mod:`~atcsim.calibration.synthetic`: a toy problem with a known posterior.

``docs/calibration.md`` explains the method, the formats and the
comparison of the methods.
"""

from .abc import ABCResult, abc_smc
from .config import CalibrationConfig, load_config
from .history import HistoryMatchResult, emulator_posterior, history_match
from .parameters import Parameter, ParameterSpace
from .posterior import (
    CalibrationResult,
    calibrated_defaults,
    credible_intervals,
    open_posterior,
    predictive_check,
    to_dataset,
    write_posterior,
)
from .problem import Problem
from .run import CalibrationRun, calibrate
from .simulators import CachedSimulator, EngineSimulator, Simulator
from .summaries import aggregate_replicates, replicate_statistics
from .targets import Target, TargetSet, load_targets
from .tomlfile import ConfigFileError

__all__ = [
    "ABCResult",
    "abc_smc",
    "CalibrationConfig",
    "load_config",
    "HistoryMatchResult",
    "history_match",
    "emulator_posterior",
    "Parameter",
    "ParameterSpace",
    "CalibrationResult",
    "calibrated_defaults",
    "credible_intervals",
    "open_posterior",
    "predictive_check",
    "to_dataset",
    "write_posterior",
    "Problem",
    "CalibrationRun",
    "calibrate",
    "CachedSimulator",
    "EngineSimulator",
    "Simulator",
    "aggregate_replicates",
    "replicate_statistics",
    "Target",
    "TargetSet",
    "load_targets",
    "ConfigFileError",
]
