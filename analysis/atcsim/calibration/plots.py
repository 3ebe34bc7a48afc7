"""Plots of a posterior file, as functions a report can call.

Each takes the dataset of :func:`~atcsim.calibration.posterior.open_posterior`
and returns a :class:`matplotlib.figure.Figure`:

- :func:`plot_marginals`: weighted histogram of each parameter over its
  prior range, with the 90 % credible interval and, optionally, known values;
- :func:`plot_pairs`: every pair of parameters (weighted 2-d histograms),
  where trade-offs show as ridges;
- :func:`plot_predictive`: each target's observed interval against the
  posterior predictive interval, calibration and validation targets apart;
- :func:`plot_progress`: tolerance and acceptance rate per ABC generation,
  and the non-implausible volume per history-matching wave.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import xarray as xr

from .posterior import credible_intervals, predictive_check

__all__ = ["plot_marginals", "plot_pairs", "plot_predictive", "plot_progress"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _bins(post: xr.Dataset, j: int, n: int = 30) -> np.ndarray:
    lo, hi = float(post["parameter_min"][j]), float(post["parameter_max"][j])
    if str(post["parameter_scale"].values[j]) == "log":
        return np.geomspace(lo, hi, n + 1)
    return np.linspace(lo, hi, n + 1)


def plot_marginals(post: xr.Dataset, *, truth: Mapping[str, float] | None = None, level: float = 0.9):
    """One panel per parameter: weighted posterior histogram on the prior range (the
    prior is flat on that axis, log-scaled for log-uniform priors), the median and the
    central ``level`` credible interval; ``truth`` (key or name -> value) marks known values."""
    plt = _plt()
    x = np.asarray(post["samples"].values)
    w = np.asarray(post["weights"].values)
    ci = credible_intervals(post, level)
    k = x.shape[1]
    cols = min(k, 3)
    rows = int(np.ceil(k / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for j in range(k):
        ax = axes[j // cols][j % cols]
        name = str(post["parameter"].values[j])
        key = str(post["parameter_key"].values[j])
        bins = _bins(post, j)
        ax.hist(x[:, j], bins=bins, weights=w, density=True, color="#4878a8", alpha=0.8)
        row = ci.loc[name]
        ax.axvspan(row["low"], row["high"], color="#f0a030", alpha=0.2, label=f"{round(100 * level)} % CI")
        ax.axvline(row["median"], color="#c05000", lw=1.5, label="median")
        if truth is not None and (key in truth or name in truth):
            ax.axvline(truth.get(key, truth.get(name)), color="black", ls="--", lw=1.5, label="truth")
        if str(post["parameter_scale"].values[j]) == "log":
            ax.set_xscale("log")
        ax.set_xlim(bins[0], bins[-1])
        ax.set_xlabel(key)
        ax.set_yticks([])
        ax.set_title(f"shrinkage {row['shrinkage']:.2f}", fontsize=9)
    for j in range(k, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"Posterior marginals ({post.attrs.get('method', '')})")
    fig.tight_layout()
    return fig


def plot_pairs(post: xr.Dataset, *, truth: Mapping[str, float] | None = None, bins: int = 30):
    """Lower triangle of weighted 2-d histograms, marginals on the diagonal."""
    plt = _plt()
    x = np.asarray(post["samples"].values)
    w = np.asarray(post["weights"].values)
    keys = [str(v) for v in post["parameter_key"].values]
    names = [str(v) for v in post["parameter"].values]
    k = x.shape[1]
    fig, axes = plt.subplots(k, k, figsize=(2.4 * k, 2.4 * k), squeeze=False)
    edges = [_bins(post, j, bins) for j in range(k)]
    for i in range(k):
        for j in range(k):
            ax = axes[i][j]
            if j > i:
                ax.set_visible(False)
                continue
            if i == j:
                ax.hist(x[:, j], bins=edges[j], weights=w, color="#4878a8")
                ax.set_yticks([])
            else:
                h, _, _ = np.histogram2d(x[:, j], x[:, i], bins=[edges[j], edges[i]], weights=w)
                ax.pcolormesh(edges[j], edges[i], h.T, cmap="Blues", shading="flat")
                if truth is not None:
                    tj = truth.get(keys[j], truth.get(names[j]))
                    ti = truth.get(keys[i], truth.get(names[i]))
                    if tj is not None and ti is not None:
                        ax.plot([tj], [ti], "k+", ms=10, mew=2)
            for axis, jj in (("x", j), ("y", i)):
                if str(post["parameter_scale"].values[jj]) == "log" and not (axis == "y" and i == j):
                    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
            if i == k - 1:
                ax.set_xlabel(keys[j], fontsize=8)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(keys[i], fontsize=8)
            elif i != j:
                ax.set_yticklabels([])
    fig.suptitle("Posterior: pairs (ridges are trade-offs)")
    fig.tight_layout()
    return fig


def plot_predictive(post: xr.Dataset):
    """For each target: the observed value and its uncertainty interval (black) against
    the posterior predictive median and 90 % interval (blue: calibration, orange:
    validation), on a scale relative to the observed value's uncertainty."""
    plt = _plt()
    pc = predictive_check(post)
    n = len(pc)
    fig, ax = plt.subplots(figsize=(7, 0.5 * n + 1.5))
    for i, (name, row) in enumerate(pc.iterrows()):
        half = (row["high"] - row["low"]) / 2 or 1.0
        center = row["observed"]

        def z(v, c=center, h=half):
            return (v - c) / h

        y = n - 1 - i
        ax.plot([z(row["low"]), z(row["high"])], [y + 0.12] * 2, color="black", lw=3)
        ax.plot([0], [y + 0.12], "ko")
        color = "#4878a8" if row["role"] == "calibration" else "#e08020"
        ax.plot([z(row["predicted_low"]), z(row["predicted_high"])], [y - 0.12] * 2, color=color, lw=3)
        ax.plot([z(row["predicted_median"])], [y - 0.12], "o", color=color)
        ax.text(
            1.02,
            y,
            f"{100 * row['inside']:.0f} % inside",
            transform=ax.get_yaxis_transform(),
            fontsize=8,
            va="center",
        )
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{name} ({row['role'][0]})" for name, row in pc.iloc[::-1].iterrows()], fontsize=8)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("(value - observed) / half-width of the observed interval")
    ax.set_title(
        "Targets (black) and posterior predictive 90 % intervals\n(blue: calibration, orange: validation)"
    )
    fig.tight_layout()
    return fig


def plot_progress(post: xr.Dataset):
    """Tolerance and acceptance per ABC-SMC generation; region volume per history-matching wave."""
    plt = _plt()
    panels = []
    if "tolerance" in post:
        panels.append("abc")
    if "wave_volume" in post:
        panels.append("hm")
    fig, axes = plt.subplots(1, max(len(panels), 1), figsize=(5 * max(len(panels), 1), 3.2), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        if panel == "abc":
            g = post["generation"].values
            tol = np.asarray(post["tolerance"].values, float)
            ax.plot(g[1:], tol[1:], "o-", label="tolerance (target sd)")
            ax.set_yscale("log")
            ax.set_xlabel("generation")
            ax2 = ax.twinx()
            ax2.plot(g, post["acceptance_rate"].values, "s--", color="#e08020", label="acceptance rate")
            ax2.set_yscale("log")
            ax.set_title("ABC-SMC")
            ax.legend(loc="upper right", fontsize=8)
            ax2.legend(loc="lower left", fontsize=8)
        else:
            ax.plot(post["wave"].values, post["wave_volume"].values, "o-")
            ax.set_yscale("log")
            ax.set_xlabel("wave")
            ax.set_ylabel("non-implausible share of the prior")
            ax.set_title("History matching")
    if not panels:
        axes[0][0].set_visible(False)
    fig.tight_layout()
    return fig
