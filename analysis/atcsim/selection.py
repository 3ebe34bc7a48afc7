"""Selecting what to analyse: scenarios, sites, extra dimensions, one sweep point.

Each check raises an error that names what is available, so a typo is fixed
from the message alone. Times are selected in :mod:`atcsim.time_selection`.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import xarray as xr

from .dataset import SWEEP_DIM, extra_dims, sweep_parameters
from .errors import ScenarioNotFoundError, SweepError, TimeSelectionError

__all__ = [
    "check_scenarios",
    "check_site",
    "paired_arrays",
    "select_extra",
    "selection_label",
    "single_point",
]


def check_scenarios(ds: xr.Dataset, *names: str) -> None:
    """Raise :class:`ScenarioNotFoundError` naming the available scenarios."""
    available = [str(s) for s in ds["scenario"].values]
    for name in names:
        if name not in available:
            raise ScenarioNotFoundError(
                f"scenario {name!r} is not in this file; available scenarios: "
                f"{', '.join(available) or 'none'}"
            )


def check_site(ds: xr.Dataset, site: str) -> None:
    """Raise ``ValueError`` naming the available sites when ``site`` is not one of them."""
    sites = [str(s) for s in ds["site"].values]
    if site not in sites:
        raise ValueError(f"site {site!r} is not in this file; available sites: " f"{', '.join(sites)}")


def single_point(da: xr.DataArray, what: str) -> xr.DataArray:
    """``da`` without a ``point`` dimension, or a :class:`SweepError` explaining how to pick one."""
    if SWEEP_DIM not in da.dims:
        return da
    n = da.sizes[SWEEP_DIM]
    if n == 1:
        return da.isel({SWEEP_DIM: 0})
    params = sweep_parameters(da) or ["(unknown)"]
    raise SweepError(
        f"{what} works on one parameter point, but {da.name} holds a parameter sweep "
        f"({n} points over {', '.join(params)}): select a point first, e.g. "
        f"ds.isel(point=0) (its parameter values are the coordinates {', '.join(params)}), "
        "or use atcsim.compare_by_point(ds, baseline, treatment, variable) for the effect at "
        "every point, and atcsim.sensitivity for sensitivity indices"
    )


def select_extra(da: xr.DataArray, select: Mapping[str, Any] | None) -> xr.DataArray:
    """``da`` at one value of each extra dimension (e.g. ``theme``), given by ``select``.

    Raises :class:`TimeSelectionError` for a dimension ``da`` does not have, or
    when an extra dimension is left unselected (the message gives an example).
    """
    if select:
        unknown = [k for k in select if k not in extra_dims(da)]
        if unknown:
            raise TimeSelectionError(
                f"{da.name} has no extra dimension(s) {unknown}; its dimensions are {list(da.dims)}"
            )
        da = da.sel(dict(select))
    remaining = extra_dims(da)
    if remaining:
        examples = ", ".join(f"{d}={str(da[d].values[0])!r}" for d in remaining)
        raise TimeSelectionError(
            f"{da.name} has extra dimension(s) {remaining}: choose one value with "
            f"select={{...}}, e.g. select=dict({examples})"
        )
    return da


def selection_label(variable: str, select: Mapping[str, Any] | None) -> str:
    """``variable``, or ``variable[dim=value, ...]`` with a selection of extra dimensions."""
    if not select:
        return variable
    return f"{variable}[{', '.join(f'{k}={v}' for k, v in select.items())}]"


def paired_arrays(
    da: xr.DataArray, baseline: str, treatment: str, dims: tuple[str, str] = ("replicate", "site")
) -> tuple[np.ndarray, np.ndarray]:
    """Float arrays of the two scenarios, with dimensions ``dims`` in that order."""

    def one(name: str) -> np.ndarray:
        return np.asarray(da.sel(scenario=name).transpose(*dims).values, dtype=float)

    return one(baseline), one(treatment)
