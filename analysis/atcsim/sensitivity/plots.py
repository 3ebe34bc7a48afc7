"""Figures of sensitivity results: Sobol bars, the Morris plane, the response against each parameter."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from .results import MorrisResult, SensitivityResult, SobolResult

__all__ = ["plot_sobol", "plot_morris", "plot_response"]


def _error(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    err = np.vstack([values - lo, hi - values])
    return np.where(np.isfinite(err), np.clip(err, 0, None), 0.0)


def _title(result: SensitivityResult) -> str:
    return f"{result.label or result.variable}, {result.scenario}, {result.time_label}"


def plot_sobol(result: SobolResult) -> Figure:
    """Bar chart of first-order (S1) and total (ST) indices with their CIs.

    Parameters
    ----------
    result
        Output of :func:`sobol`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table
    k = len(t)
    fig = Figure(figsize=(max(5.0, 1.1 * k + 2.5), 3.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(k)
    width = 0.38
    for offset, name, color, label in (
        (-width / 2, "S1", "C0", "first order S1"),
        (width / 2, "ST", "C1", "total ST"),
    ):
        values = t[name].to_numpy(dtype=float)
        ax.bar(x + offset, np.nan_to_num(values), width, color=color, label=label)
        err = _error(values, t[f"{name}_ci_low"].to_numpy(float), t[f"{name}_ci_high"].to_numpy(float))
        ok = np.isfinite(values)
        if ok.any():
            ax.errorbar(
                (x + offset)[ok],
                values[ok],
                yerr=err[:, ok],
                fmt="none",
                ecolor="black",
                elinewidth=1,
                capsize=3,
            )
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels(
        list(t["key"]), rotation=30 if k > 5 else 0, ha="right" if k > 5 else "center", fontsize=9
    )
    top = np.nanmax(np.r_[t["S1_ci_high"].to_numpy(float), t["ST_ci_high"].to_numpy(float), 1.0])
    bottom = np.nanmin(np.r_[t["S1_ci_low"].to_numpy(float), 0.0])
    ax.set_ylim(min(bottom, 0.0) - 0.02, max(top, 1.0) + 0.05)
    ax.set_ylabel("Sobol index (share of variance)")
    ax.set_title(f"{_title(result)}\nN = {result.n_base}, {result.ci:.0%} bootstrap CIs", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def plot_morris(result: MorrisResult) -> Figure:
    """Morris plane: mu* (x) against sigma (y), one labelled point per parameter.

    Error bars are the bootstrap CIs of mu* and sigma. The dashed line
    sigma = mu* separates parameters whose effect is mostly linear and
    additive (below) from those dominated by non-linearity or interactions
    (above).

    Parameters
    ----------
    result
        Output of :func:`morris`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = result.table
    fig = Figure(figsize=(6.2, 4.6), layout="constrained")
    ax = fig.subplots()
    ms = t["mu_star"].to_numpy(float)
    sd = t["sigma"].to_numpy(float)
    ok = np.isfinite(ms) & np.isfinite(sd)
    if ok.any():
        xerr = _error(ms, t["mu_star_ci_low"].to_numpy(float), t["mu_star_ci_high"].to_numpy(float))
        yerr = _error(sd, t["sigma_ci_low"].to_numpy(float), t["sigma_ci_high"].to_numpy(float))
        ax.errorbar(
            ms[ok],
            sd[ok],
            xerr=xerr[:, ok],
            yerr=yerr[:, ok],
            fmt="o",
            color="C0",
            ecolor="C0",
            elinewidth=0.8,
            capsize=2,
        )
    for key, x, y in zip(t["key"], ms, sd):
        if np.isfinite(x) and np.isfinite(y):
            ax.annotate(str(key), (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
    finite = np.r_[
        ms[np.isfinite(ms)],
        sd[np.isfinite(sd)],
        t["mu_star_ci_high"].to_numpy(float),
        t["sigma_ci_high"].to_numpy(float),
    ]
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) * 1.1 if finite.size and finite.max() > 0 else 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=1, label="sigma = mu*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    units = (
        f" [{result.units} per unit range]"
        if result.units and result.units != "1"
        else " (per unit of normalised range)"
    )
    ax.set_xlabel(f"mu* (mean |elementary effect|){units}", fontsize=9)
    ax.set_ylabel("sigma (sd of elementary effects)", fontsize=9)
    ax.set_title(
        f"{_title(result)}\nr = {result.n_trajectories} trajectories, " f"{result.ci:.0%} bootstrap CIs",
        fontsize=10,
    )
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def plot_response(result: SensitivityResult, *, max_points: int = 4000) -> Figure:
    """The response at each point against each swept parameter (one panel each).

    When a parameter takes few distinct values (a grid), the mean response
    at each value is drawn as a line: the parameter's main effect.

    Parameters
    ----------
    result
        Output of :func:`sobol`, :func:`morris` or :func:`correlations`.
    max_points
        At most this many points are drawn (an evenly spaced subset).

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = result.data
    params = list(result.table.index)
    keys = list(result.table["key"])
    k = len(params)
    ncols = min(4, max(1, k))
    nrows = math.ceil(k / ncols) if k else 1
    fig = Figure(figsize=(max(5.5, 3.0 * ncols + 0.6), 2.6 * nrows + 0.9), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel())
    y = data["value"].to_numpy(float)
    step = max(1, math.ceil(len(y) / max_points))
    for ax, name, key in zip(axes, params, keys):
        x = data[name].to_numpy(float)
        ax.plot(x[::step], y[::step], linestyle="none", marker=".", markersize=3, alpha=0.35, color="C0")
        levels = np.unique(x[np.isfinite(x)])
        if 1 < levels.size <= 25:
            means = [np.nanmean(y[x == v]) if np.isfinite(y[x == v]).any() else np.nan for v in levels]
            ax.plot(levels, means, color="C3", marker="o", markersize=4, linewidth=1.5, label="mean")
        ax.set_xlabel(str(key), fontsize=9)
        if name in result.parameters.index and result.parameters.loc[name, "scale"] == "log":
            ax.set_xscale("log")
        ax.grid(alpha=0.3)
    for ax in axes[k:]:
        ax.set_axis_off()
    units = f" [{result.units}]" if result.units and result.units != "1" else ""
    axes[0].set_ylabel(f"{result.label or result.variable}{units}", fontsize=9)
    fig.suptitle(f"{_title(result)}\none dot per point", fontsize=10, x=0.02, ha="left")
    return fig
