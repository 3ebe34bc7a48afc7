"""Matplotlib figures of atcsim results.

Every function builds a :class:`matplotlib.figure.Figure` directly (no
``pyplot`` state), so it works with any backend, including Agg on a headless
machine, and returns it: save it with ``fig.savefig(...)`` or let Jupyter
display it.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .dataset import SWEEP_DIM, as_list, require_variable, site_labels
from .results import POOLED, CompareResult
from .selection import check_scenarios, select_extra

__all__ = [
    "OKABE_ITO",
    "plot_sites",
    "plot_trajectory",
    "plot_forest",
    "scenario_colors",
    "event_markers",
    "is_share_variable",
    "plot_effects",
]

_BANDS = (0.5, 0.9)

#: Okabe & Ito (2008) colour-blind-safe palette, black first (the baseline), yellow last (weak on white).
OKABE_ITO: tuple[str, ...] = (
    "#000000",
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
)
_EVENT_COLOR = "#999999"


def scenario_colors(ds: xr.Dataset) -> dict[str, Any]:
    """A fixed colour per scenario (Okabe-Ito, colour-blind safe, in file order), the same in every plot."""
    names = [str(s) for s in ds["scenario"].values]
    return {name: OKABE_ITO[k % len(OKABE_ITO)] for k, name in enumerate(names)}


def is_share_variable(da: xr.DataArray, name: str) -> bool:
    """Shares in [0, 1] (dimensionless ``*_share``): drawn in % and their differences in percentage points."""
    return name.endswith("_share") and str(da.attrs.get("units", "1")).strip() in ("1", "")


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def event_markers(ds: xr.Dataset, scenarios: Sequence[str] | None = None) -> pd.DataFrame:
    """Events to mark on trajectories, from the intervention timeline (:func:`atcsim.intervention_timeline`).

    One row per distinct marker: ``kind``, ``start``, ``end`` (NaT for a
    line), ``style`` (``span``: an event such as a lockdown, shaded;
    ``line``: the end of a package intervention, e.g. the animator leaving,
    dashed) and ``scenarios`` (those it applies to).
    """
    from .evaluation import intervention_timeline

    timeline = intervention_timeline(ds)
    if scenarios is not None:
        timeline = timeline[timeline["scenario"].isin(list(scenarios))]
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _, r in timeline.iterrows():
        if r["event"] and pd.notna(r["start"]):
            key = ("span", r["kind"], r["start"], r["end"])
            rows.setdefault(key, {"kind": r["kind"], "start": r["start"], "end": r["end"], "style": "span"})
        elif not r["event"] and pd.notna(r["end"]):
            key = ("line", r["kind"], r["end"], None)
            rows.setdefault(key, {"kind": r["kind"], "start": r["end"], "end": pd.NaT, "style": "line"})
        else:
            continue
        rows[key].setdefault("scenarios", []).append(r["scenario"])
    df = pd.DataFrame(list(rows.values()), columns=["kind", "start", "end", "style", "scenarios"])
    df["scenarios"] = [tuple(dict.fromkeys(v)) for v in df["scenarios"]] if len(df) else []
    return df


def _draw_events(ax: Axes, events: pd.DataFrame, times: np.ndarray) -> None:
    if events is None or not len(events) or not np.issubdtype(times.dtype, np.datetime64):
        return
    t_end = pd.Timestamp(times[-1])
    for _, e in events.iterrows():
        if e["style"] == "span":
            end = e["end"] if pd.notna(e["end"]) else t_end
            ax.axvspan(e["start"], end, color=_EVENT_COLOR, alpha=0.18, linewidth=0, zorder=0)
        else:
            ax.axvline(e["start"], color=_EVENT_COLOR, linestyle="--", linewidth=1.0, zorder=0)


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
        lo, hi = nan_quantiles(v, [(1 - width) / 2, (1 + width) / 2])
        ax.fill_between(t, lo, hi, color=color, alpha=0.12 + 0.13 * k, linewidth=0)
    ax.plot(t, nan_quantiles(v, [0.5])[0], color=color, linewidth=1.6, label=label)


def nan_quantiles(values: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles over axis 0 ignoring NaN, as ``np.nanquantile`` (linear interpolation), vectorised.

    ``np.nanquantile`` loops over columns in Python when any value is NaN (ended runs, sites
    without data), which took most of a report's time; this sorts once (NaN last).
    Columns without a finite value give NaN.
    """
    s = np.sort(np.asarray(values, dtype=float), axis=0)
    n = np.isfinite(s).sum(axis=0)
    out = np.full((len(qs), s.shape[1]), np.nan)
    ok = n > 0
    if not ok.any():
        return out
    s, n = s[:, ok], n[ok]
    for k, q in enumerate(qs):
        pos = q * (n - 1)
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        a = np.take_along_axis(s, lo[None, :], axis=0)[0]
        b = np.take_along_axis(s, hi[None, :], axis=0)[0]
        frac = pos - lo
        out[k, ok] = a + frac * (b - a)
    return out


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
    if not np.issubdtype(times.dtype, np.datetime64) or len(times) == 0:
        return
    span_days = (times[-1] - times[0]) / np.timedelta64(1, "D")
    if span_days >= 2 * 365:
        # yearly ticks: cheap to lay out (AutoDateLocator is slow on many panels)
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _runs_array(da: xr.DataArray) -> np.ndarray:
    """(scenario, site, runs, time) array, read once (runs: replicates, or points x replicates)."""
    dims = ["scenario", "site", *([SWEEP_DIM] if SWEEP_DIM in da.dims else []), "replicate", "time"]
    values = np.asarray(da.transpose(*dims).values, dtype=float)
    return values.reshape(values.shape[0], values.shape[1], -1, values.shape[-1])


def plot_sites(
    ds: xr.Dataset,
    variable: str,
    scenarios: str | Sequence[str] | None = None,
    *,
    select: Mapping[str, Any] | None = None,
    ncols: int | None = None,
    bands: Sequence[float] = _BANDS,
    sharey: bool = True,
    events: bool | pd.DataFrame = True,
    percent: bool | None = None,
    title: str | None = None,
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
    events
        Mark the intervention timeline (True, default: :func:`event_markers`
        of the drawn scenarios: lockdowns shaded, ends of package
        interventions such as the animator's departure dashed), a DataFrame
        shaped like it, or False.
    percent
        Draw a share in % (default: for ``*_share`` indicators).
    title
        The figure's title (default: the indicator's long name and units, the
        bands and what they are over, in English).

    Returns
    -------
    matplotlib.figure.Figure
    """
    da = select_extra(require_variable(ds, variable), select)
    names = _scenarios(ds, scenarios)
    colors = scenario_colors(ds)
    labels = site_labels(ds)
    scale = 100.0 if (is_share_variable(da, variable) if percent is None else percent) else 1.0
    marks = event_markers(ds, names) if events is True else (events if events is not False else None)
    sites = list(labels)
    ncols = ncols or min(5, len(sites))
    nrows = math.ceil(len(sites) / ncols)
    width, height = 2.9 * ncols + 0.6, 2.5 * nrows + 0.9
    # fixed margins (in inches): constrained layout costs more than drawing
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(
        left=0.55 / width,
        right=1 - 0.15 / width,
        bottom=0.35 / height,
        top=1 - 0.75 / height,
        wspace=0.12 if sharey else 0.3,
        hspace=0.55,
    )
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False).ravel()
    times = np.asarray(ds["time"].values)
    arrays = _runs_array(da.sel(scenario=names)) * scale
    for j, (ax, site) in enumerate(zip(axes, sites)):
        _draw_events(ax, marks, times)
        for k, name in enumerate(names):
            _draw_bands(ax, times, arrays[k, j], colors[name], name, bands)
        ax.set_title(_wrap(labels[site], 42), fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
        _format_time_axis(ax, times)
    spare = axes[len(sites) :]
    for ax in spare:
        ax.set_axis_off()
    handles, legend_labels = axes[0].get_legend_handles_labels()
    if handles:
        # An unused panel holds the legend; otherwise it goes in the first one.
        target = spare[0] if len(spare) else axes[0]
        target.legend(
            handles, legend_labels, loc="center" if len(spare) else "upper left", fontsize=8, frameon=False
        )
    unit = " (%)" if scale == 100.0 else ""
    if title is None:
        title = (
            f"{_variable_title(da, variable, select)}{unit}: median, "
            + " and ".join(f"{b:.0%}" for b in sorted(bands))
            + f" bands over {_over(ds)}"
        )
    fig.suptitle(
        title,
        fontsize=10,
        x=0.02,
        y=1 - 0.12 / height,
        ha="left",
        va="top",
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

    Site names are shown in full (wrapped). Differences of shares are drawn
    in percentage points.

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
    share = result.variable.endswith("_share") and result.units in ("1", "")
    scale = 100.0 if share else 1.0
    labels = [_wrap(label, 44) for label, _, _ in rows]
    height = 1.3 + 0.16 * sum(1 + label.count("\n") for label in labels) + 0.16 * len(rows)
    fig = Figure(figsize=(8.0, height), layout="constrained")
    ax = fig.subplots()
    ys = np.arange(len(rows))[::-1].astype(float)
    if show_pooled:
        ys[-1] -= 0.5
    for y, (label, row, pooled) in zip(ys, rows):
        mean, lo, hi = (scale * float(row.mean_diff), scale * float(row.ci_low), scale * float(row.ci_high))
        color = "black" if pooled else OKABE_ITO[1]
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [y, y], color=color, linewidth=2.2 if pooled else 1.4)
        if np.isfinite(mean):
            ax.plot([mean], [y], marker="D" if pooled else "o", color=color, markersize=7 if pooled else 5)
    ax.axvline(0.0, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(ys.min() - 0.7, ys.max() + 0.7)
    if share:
        units = " [percentage points]"
    else:
        units = f" [{result.units}]" if result.units and result.units != "1" else ""
    ax.set_xlabel(
        f"{result.treatment} minus {result.baseline}{units}, mean paired difference "
        f"and {result.ci:.0%} CI",
        fontsize=9,
    )
    ax.set_title(f"{result.label}, {result.time_label}", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_effects(
    effects: pd.DataFrame,
    contrast: str,
    measures: Sequence[tuple[str, str, str]],
    *,
    titles: Sequence[str] | None = None,
    ci: float = 0.95,
    pooled_label: str = "all sites",
    network_label: str = "network {name}",
    xlabel: str | None = None,
) -> Figure:
    """Forest plots side by side: one contrast's effects on several measures, by site, network, pooled.

    Parameters
    ----------
    effects
        :attr:`atcsim.Evaluation.effects`.
    contrast
        Contrast name.
    measures
        ``(variable, theme, scale)`` triples (``theme`` ``""`` for none; scale
        as in the effects table: ``people``, ``per_1000``, ``pp``, ``value``).
    titles
        Panel titles (default: the labels and scales).
    ci
        Confidence level of the intervals, for the axis label.
    pooled_label
        Label of the pooled row.
    network_label
        Label of a network's row (``{name}`` is replaced by the network).
    xlabel
        The x axis label (default: "mean paired difference and 95% CI").

    Returns
    -------
    matplotlib.figure.Figure
    """
    e = effects[effects["contrast"] == contrast]
    panels = []
    for variable, theme, scale in measures:
        rows = e[(e["variable"] == variable) & (e["theme"] == theme) & (e["scale"] == scale)]
        if len(rows):
            panels.append(rows.reset_index(drop=True))
    if not panels:
        raise ValueError(f"no effect of contrast {contrast!r} on the measures asked for")
    first = panels[0]
    names = [
        pooled_label if k == "pooled" else str(n) for k, n in zip(first["group_kind"], first["group_name"])
    ]
    labels = [_wrap(n, 40) for n in names]
    lines = sum(1 + label.count("\n") for label in labels)
    width = 2.6 + 2.2 * len(panels)
    height = 1.25 + 0.14 * lines + 0.1 * len(labels)
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(
        left=2.55 / width, right=1 - 0.12 / width, bottom=0.55 / height, top=1 - 0.62 / height, wspace=0.12
    )
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    kinds = list(first["group_kind"])
    ys = np.arange(len(labels))[::-1].astype(float)
    # a gap before the networks and before the pooled row
    for k in range(1, len(kinds)):
        if kinds[k] != kinds[k - 1]:
            ys[k:] -= 0.5
    for k, (ax, rows) in enumerate(zip(axes, panels)):
        for y, (_, row) in zip(ys, rows.iterrows()):
            kind = row["group_kind"]
            color = "black" if kind == "pooled" else OKABE_ITO[5] if kind == "network" else OKABE_ITO[1]
            lo, hi, mean = float(row["ci_low"]), float(row["ci_high"]), float(row["mean_diff"])
            if np.isfinite(lo) and np.isfinite(hi):
                ax.plot([lo, hi], [y, y], color=color, linewidth=2.0 if kind != "site" else 1.3)
            if np.isfinite(mean):
                marker = "D" if kind == "pooled" else "s" if kind == "network" else "o"
                ax.plot([mean], [y], marker=marker, color=color, markersize=5.5 if kind != "site" else 4.5)
        ax.axvline(0.0, color="grey", linestyle="--", linewidth=0.9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=7)
        title = (
            titles[k]
            if titles is not None and k < len(titles)
            else f"{rows['label'][0]} ({rows['scale'][0]})"
        )
        ax.set_title(_wrap(title, 30), fontsize=8)
    axes[0].set_yticks(ys)
    axes[0].set_yticklabels(labels, fontsize=7)
    axes[0].set_ylim(ys.min() - 0.7, ys.max() + 0.7)
    if xlabel is None:
        xlabel = f"mean paired difference and {ci:.0%} CI"
    fig.text(0.5, 0.06 / height, xlabel, fontsize=8, ha="center")
    return fig
