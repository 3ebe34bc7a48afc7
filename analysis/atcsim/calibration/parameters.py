"""Calibrated parameters and their priors.

Each parameter has a declared range and a scale: its prior is uniform on
``[min, max]`` (``scale = "linear"``) or log-uniform (``scale = "log"``), as
for the engine's sweeps (``docs/sensitivity.md``). The methods work in the
unit cube ``u in [0, 1]^k``, where every prior is uniform: ``u`` maps to a
value linearly or logarithmically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Parameter", "ParameterSpace", "coordinate_name"]


def coordinate_name(key: str) -> str:
    """Output coordinate of a dotted key, as the engine names sweep coordinates (``.`` -> ``_``)."""
    return key.replace(".", "_")


@dataclass(frozen=True)
class Parameter:
    """One calibrated parameter: its dotted config key (as for ``atcsim run --set``) and prior."""

    key: str
    min: float
    max: float
    scale: str = "linear"  # "linear": uniform prior; "log": log-uniform prior
    units: str = ""

    def __post_init__(self) -> None:
        if not (np.isfinite(self.min) and np.isfinite(self.max) and self.max > self.min):
            raise ValueError(f"{self.key}: expected finite min < max, got [{self.min}, {self.max}]")
        if self.scale not in ("linear", "log"):
            raise ValueError(f"{self.key}: scale must be 'linear' or 'log', got {self.scale!r}")
        if self.scale == "log" and self.min <= 0:
            raise ValueError(f"{self.key}: a log scale needs min > 0, got {self.min}")

    @property
    def name(self) -> str:
        return coordinate_name(self.key)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.scale == "log":
            lo, hi = np.log(self.min), np.log(self.max)
            return np.exp(lo + u * (hi - lo))
        return self.min + u * (self.max - self.min)

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.scale == "log":
            lo, hi = np.log(self.min), np.log(self.max)
            return (np.log(x) - lo) / (hi - lo)
        return (x - self.min) / (self.max - self.min)


class ParameterSpace:
    """The calibrated parameters, in order; maps the unit cube to values and back."""

    def __init__(self, parameters: Sequence[Parameter]) -> None:
        if not parameters:
            raise ValueError("expected at least one parameter")
        keys = [p.key for p in parameters]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate parameter keys in {keys}")
        self.parameters = list(parameters)

    def __len__(self) -> int:
        return len(self.parameters)

    def __iter__(self):
        return iter(self.parameters)

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.parameters]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """(n, k) points of the unit cube -> (n, k) parameter values."""
        u = np.atleast_2d(np.asarray(u, dtype=float))
        return np.column_stack([p.from_unit(u[:, j]) for j, p in enumerate(self.parameters)])

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=float))
        return np.column_stack([p.to_unit(x[:, j]) for j, p in enumerate(self.parameters)])

    def sample_unit(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent prior draws, in the unit cube."""
        return rng.random((n, len(self)))

    @staticmethod
    def inside(u: np.ndarray) -> np.ndarray:
        """Rows of ``u`` inside the unit cube (where the prior density is positive)."""
        u = np.atleast_2d(u)
        return np.all((u >= 0.0) & (u <= 1.0), axis=1)
