"""Exceptions and warnings raised by the atcsim analysis package.

Every error is a :class:`ValueError` subclass, so code that already catches
``ValueError`` keeps working, and the command line maps them all to exit
code 2 (input error).
"""

from __future__ import annotations

__all__ = [
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


class AtcsimError(ValueError):
    """Base class of every error raised by the atcsim analysis package."""


class AtcsimFileError(AtcsimError):
    """A file cannot be read as an atcsim output file."""


class NotAtcsimFileError(AtcsimFileError):
    """The file is not HDF5, or has no ``atcsim_schema`` global attribute."""


class SchemaVersionError(AtcsimFileError):
    """The file was written with a schema version this package does not read."""


class ScenarioNotFoundError(AtcsimError):
    """A scenario name is not in the file; the message lists the available ones."""


class VariableNotFoundError(AtcsimError):
    """An indicator is not in the file; the message lists the available ones."""


class TimeSelectionError(AtcsimError):
    """A date, step or window does not match the recorded time axis."""


class SweepError(AtcsimError):
    """The data hold a parameter sweep where one point is needed (select it with
    ``ds.isel(point=i)``), or lack the sweep design a sensitivity estimator needs."""


class IncompleteRunsWarning(UserWarning):
    """Some runs are not marked complete (``run_complete == 0``) and were dropped."""


class FewReplicatesWarning(UserWarning):
    """Too few replicates for a reliable bootstrap confidence interval."""
