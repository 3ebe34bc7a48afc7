"""Selecting times: one recorded time (a date, a step, a position) or a window of them."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Union

import numpy as np
import pandas as pd
import xarray as xr

from .errors import TimeSelectionError

__all__ = ["TimeSpec", "TimeSelection", "select_time"]

#: How a time is given: a date, a model step, a position from the end, "first"/"last", or None (last).
TimeSpec = Union[str, int, np.integer, np.datetime64, pd.Timestamp, _dt.date, None]


@dataclass(frozen=True)
class TimeSelection:
    """Positions on the time axis and a human-readable label for them."""

    indices: np.ndarray
    label: str

    def reduce(self, da: xr.DataArray) -> xr.DataArray:
        """Select one time point, or average over the window, removing ``time``."""
        if len(self.indices) == 1:
            return da.isel(time=int(self.indices[0]))
        return da.isel(time=self.indices).mean("time", skipna=True, keep_attrs=True)


def select_time(
    ds: xr.Dataset | xr.DataArray,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
) -> TimeSelection:
    """Resolve ``at`` or ``window`` to positions on the time axis.

    Parameters
    ----------
    ds
        Dataset or DataArray with a ``time`` dimension.
    at
        ``None`` or ``"last"`` (last recorded time), ``"first"``, a date
        (``"2021-12-31"``, matched to the nearest recorded time, at most one
        step away), a non-negative model step number (matched against the
        ``step`` coordinate, or a position when there is none), or a negative
        position counted from the end (``-1`` is the last time).
    window
        ``(start, end)``, each given like ``at``; inclusive. Exclusive with
        ``at``.

    Returns
    -------
    TimeSelection

    Raises
    ------
    TimeSelectionError
        The date or step is not on the recorded time axis.
    """
    if ds.sizes.get("time", 0) == 0:
        raise TimeSelectionError("the time axis is empty")
    if window is not None:
        if at is not None:
            raise TimeSelectionError("give either at= or window=, not both")
        if len(window) != 2:
            raise TimeSelectionError(f"window must be (start, end), got {window!r}")
        i0, i1 = (_time_index(ds, w) for w in window)
        if i0 > i1:
            raise TimeSelectionError(f"window start {window[0]!r} is after its end {window[1]!r}")
        indices = np.arange(i0, i1 + 1)
        label = (
            f"mean over {_time_label(ds, i0)} to {_time_label(ds, i1)} " f"({len(indices)} recorded times)"
        )
        return TimeSelection(indices, label)
    i = _time_index(ds, at)
    return TimeSelection(np.array([i]), _time_label(ds, i))


def _time_index(ds: xr.Dataset | xr.DataArray, spec: TimeSpec) -> int:
    n = ds.sizes["time"]
    if spec is None:
        return n - 1
    if isinstance(spec, (bool, np.bool_)):
        raise TimeSelectionError(f"invalid time {spec!r}: give a date or a step number")
    if isinstance(spec, (int, np.integer)):
        return _step_index(ds, int(spec))
    if isinstance(spec, str) and spec.strip().lower() in ("last", "end"):
        return n - 1
    if isinstance(spec, str) and spec.strip().lower() in ("first", "start"):
        return 0
    return _date_index(ds, spec)


def _step_index(ds: xr.Dataset | xr.DataArray, step: int) -> int:
    n = ds.sizes["time"]
    if step < 0:
        if -step > n:
            raise TimeSelectionError(f"position {step} is out of range: {n} recorded times")
        return n + step
    if "step" in ds.coords:
        steps = np.asarray(ds["step"].values)
        hits = np.flatnonzero(steps == step)
        if hits.size:
            return int(hits[0])
        raise TimeSelectionError(
            f"step {step} is not recorded; recorded steps run from {steps.min()} to {steps.max()}"
            f" ({n} recorded times)"
        )
    if step >= n:
        raise TimeSelectionError(f"step {step} is out of range: {n} recorded times")
    return step


def _date_index(ds: xr.Dataset | xr.DataArray, spec: TimeSpec) -> int:
    times = np.asarray(ds["time"].values)
    if not np.issubdtype(times.dtype, np.datetime64):
        raise TimeSelectionError("the time axis is not decoded to dates; give a step number")
    try:
        target = pd.Timestamp(spec)
    except (TypeError, ValueError):
        raise TimeSelectionError(f"cannot read {spec!r} as a date (YYYY-MM-DD) or a step number") from None
    if target.tzinfo is not None:
        target = target.tz_convert("UTC").tz_localize(None)
    distance = np.abs(times - np.datetime64(target.to_datetime64(), "ns"))
    i = int(np.argmin(distance))
    spacing = np.median(np.diff(times)) if len(times) > 1 else np.timedelta64(1, "D")
    if distance[i] > spacing:
        first, last = (pd.Timestamp(t).date() for t in (times[0], times[-1]))
        raise TimeSelectionError(f"date {target.date()} is outside the recorded time range {first} to {last}")
    return i


def _time_label(ds: xr.Dataset | xr.DataArray, i: int) -> str:
    value = ds["time"].values[i]
    text = (
        str(pd.Timestamp(value).date())
        if np.issubdtype(np.asarray(value).dtype, np.datetime64)
        else f"time {value}"
    )
    if "step" in ds.coords:
        text += f" (step {int(ds['step'].values[i])})"
    return text
