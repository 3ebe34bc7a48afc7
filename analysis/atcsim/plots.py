"""Matplotlib figures of atcsim results.

Every function builds a :class:`matplotlib.figure.Figure` directly (no
``pyplot`` state), so it works with any backend, including Agg on a headless
machine, and returns it: save it with ``fig.savefig(...)`` or let Jupyter
display it.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .dataset import SWEEP_DIM, as_list, require_variable, site_labels
from .results import POOLED, CompareResult
from .selection import check_scenarios, select_extra

__all__ = ["plot_sites", "plot_trajectory", "plot_forest", "scenario_colors"]

_BANDS = (0.5, 0.9)


def scenario_colors(ds: xr.Dataset) -> dict[str, Any]:
    """A fixed colour per scenario (tab10, in file order), the same in every plot."""
    palette = [f"C{k % 10}" for k in range(ds.sizes["scenario"])]
    return dict(zip((str(s) for s in ds["scenario"].values), palette))


def _variable_title(da: xr.DataArray, name: str, select: Mapping[str, Any] | None) -> str:
    long_name = str(da.attrs.get("long_name", "")) or name
    units = str(da.attrs.get("units", ""))
    sel = "".join(f", {k}={v}" for k, v in (select or {}).items())
    return f"{long_name}{sel}" + (f" [{units}]" if units and units != "1" else "")


def _scenarios(ds: xr.Dataset, scenarios: str | Sequence[str] | None) -> list[str]:
    names = as_list(scenarios) or [str(s) for s in ds["scenario"].values]
    check_scenarios(ds, *names)
    return names


def _site_id(ds: xr.Dataset, site: str) -> str:
    labels = site_labels(ds)
    if site in labels:
        return site
    by_name = [sid for sid, label in labels.items() if label == site]
    if by_name:
        return by_name[0]
    raise ValueError(f"site {site!r} is not in this file; available sites: {', '.join(labels)}")


def _draw_bands(
    ax: Axes, times: np.ndarray, values: np.ndarray, color: Any, label: str, bands: Sequence[float]
) -> None:
    """Median line and central quantile bands over replicates (axis 0)."""
    if values.shape[0] == 0:
        return
    finite = np.isfinite(values).any(axis=0)
    if not finite.any():
        return
    v = values[:, finite]
    t = times[finite]
    for k, width in enumerate(sorted(bands, reverse=True)):
        lo, hi = np.nanquantile(v, [(1 - width) / 2, (1 + width) / 2], axis=0)
        ax.fill_between(t, lo, hi, color=color, alpha=0.12 + 0.13 * k, linewidth=0)
    ax.plot(t, np.nanmedian(v, axis=0), color=color, linewidth=1.6, label=label)


def _runs_by_time(da: xr.DataArray) -> np.ndarray:
    """(runs, time) array of one scenario and site (runs: replicates, or points x replicates)."""
    if SWEEP_DIM in da.dims:
        da = da.transpose(SWEEP_DIM, "replicate", "time")
        values = np.asarray(da.values, dtype=float)
        return values.reshape(-1, values.shape[-1])
    return np.asarray(da.transpose("replicate", "time").values, dtype=float)


def _over(ds: xr.Dataset) -> str:
    return "points and replicates" if SWEEP_DIM in ds.dims else "replicates"


def _format_time_axis(ax: Axes, times: np.ndarray) -> None:
    if np.issubdtype(times.dtype, np.datetime64):
        locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plot_sites(
    ds: xr.Dataset,
    variable: str,
    scenarios: str | Sequence[str] | None = None,
    *,
    select: Mapping[str, Any] | None = None,
    ncols: int | None = None,
    bands: Sequence[float] = _BANDS,
    sharey: bool = True,
) -> Figure:
    """One indicator across all sites: small multiples over time.

    Each panel is one site; each scenario is drawn as its median over
    replicates with central 50 % and 90 % bands. On a parameter sweep the
    median and bands are over every point and replicate (the spread the swept
    parameters induce); select one point with ``ds.isel(point=i)`` to see it
    alone.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    variable
        Indicator name.
    scenarios
        Scenarios to draw (default: all, in file order).
    select
        Value of extra dimensions, e.g. ``{"theme": "employment"}``.
    ncols
        Panels per row (default: up to 5).
    bands
        Central quantile bands to shade (default 50 % and 90 %).
    sharey
        Same y axis for all panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    da = select_extra(require_variable(ds, variable), select)
    names = _scenarios(ds, scenarios)
    colors = scenario_colors(ds)
    labels = site_labels(ds)
    sites = list(labels)
    ncols = ncols or min(5, len(sites))
    nrows = math.ceil(len(sites) / ncols)
    fig = Figure(figsize=(2.9 * ncols + 0.6, 2.3 * nrows + 1.0), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False).ravel()
    times = np.asarray(ds["time"].values)
    for ax, site in zip(axes, sites):
        for name in names:
            values = _runs_by_time(da.sel(scenario=name, site=site))
            _draw_bands(ax, times, values, colors[name], name, bands)
        ax.set_title(_shorten(labels[site], 38), fontsize=9)
        ax.grid(alpha=0.3)
        _format_time_axis(ax, times)
    spare = axes[len(sites) :]
    for ax in spare:
        ax.set_axis_off()
    handles, legend_labels = axes[0].get_legend_handles_labels()
    if handles:
        # An unused panel holds the legend; otherwise it goes in the first one.
        target = spare[0] if len(spare) else axes[0]
        target.legend(
            handles, legend_labels, loc="center" if len(spare) else "best", fontsize=8, frameon=False
        )
    fig.suptitle(
        f"{_variable_title(da, variable, select)}: median, "
        + " and ".join(f"{b:.0%}" for b in sorted(bands))
        + f" bands over {_over(ds)}",
        fontsize=10,
        x=0.02,
        ha="left",
    )
    return fig


def plot_trajectory(
    ds: xr.Dataset,
    variable: str,
    site: str,
    scenarios: str | Sequence[str] | None = None,
    *,
    select: Mapping[str, Any] | None = None,
    max_lines: int = 50,
    bands: Sequence[float] = _BANDS,
) -> Figure:
    """One site's trajectories of an indicator, per scenario.

    Thin lines are individual replicates (at most ``max_lines`` per
    scenario); thick lines are medians with central 50 % and 90 % bands. On a
    parameter sweep, every (point, replicate) run counts as one line.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    variable
        Indicator name.
    site
        Site id or site name.
    scenarios
        Scenarios to draw (default: all).
    select
        Value of extra dimensions, e.g. ``{"theme": "employment"}``.
    max_lines
        Maximum number of replicate lines per scenario.
    bands
        Central quantile bands to shade.

    Returns
    -------
    matplotlib.figure.Figure
    """
    da = select_extra(require_variable(ds, variable), select)
    site = _site_id(ds, site)
    names = _scenarios(ds, scenarios)
    colors = scenario_colors(ds)
    fig = Figure(figsize=(8.0, 4.2), layout="constrained")
    ax = fig.subplots()
    times = np.asarray(ds["time"].values)
    for name in names:
        values = _runs_by_time(da.sel(scenario=name, site=site))
        for row in values[:max_lines]:
            ax.plot(times, row, color=colors[name], linewidth=0.5, alpha=0.3)
        _draw_bands(ax, times, values, colors[name], name, bands)
    ax.set_title(f"{site_labels(ds)[site]}: {_variable_title(da, variable, select)}", fontsize=10)
    ax.grid(alpha=0.3)
    _format_time_axis(ax, times)
    if names:
        ax.legend(fontsize=8, frameon=False)
    return fig


def plot_forest(result: CompareResult, *, show_pooled: bool | None = None) -> Figure:
    """Forest plot of a :func:`atcsim.compare` result: effect by site and pooled.

    Parameters
    ----------
    result
        Output of :func:`atcsim.compare`.
    show_pooled
        Draw the pooled row (default: when there is more than one site).

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = result.table
    sites = table.drop(index=POOLED)
    if show_pooled is None:
        show_pooled = len(sites) > 1
    rows = [(str(r.site_name), r, False) for r in sites.itertuples()]
    if show_pooled:
        rows.append(("All sites (pooled)", table.loc[POOLED], True))
    height = 1.3 + 0.32 * len(rows)
    fig = Figure(figsize=(8.0, height), layout="constrained")
    ax = fig.subplots()
    ys = np.arange(len(rows))[::-1].astype(float)
    if show_pooled:
        ys[-1] -= 0.5
    for y, (label, row, pooled) in zip(ys, rows):
        mean, lo, hi = float(row.mean_diff), float(row.ci_low), float(row.ci_high)
        color = "black" if pooled else "C0"
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [y, y], color=color, linewidth=2.2 if pooled else 1.4)
        if np.isfinite(mean):
            ax.plot([mean], [y], marker="D" if pooled else "o", color=color, markersize=7 if pooled else 5)
    ax.axvline(0.0, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(ys)
    ax.set_yticklabels([_shorten(label, 40) for label, _, _ in rows], fontsize=8)
    ax.set_ylim(ys.min() - 0.7, ys.max() + 0.7)
    units = f" [{result.units}]" if result.units and result.units != "1" else ""
    ax.set_xlabel(
        f"{result.treatment} minus {result.baseline}{units}, mean paired difference "
        f"and {result.ci:.0%} CI",
        fontsize=9,
    )
    ax.set_title(f"{result.label}, {result.time_label}", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
