"""Effects run from a calibration posterior: parameter versus stochastic uncertainty.

A file run with ``[posterior]`` (or ``atcsim run --posterior FILE``) draws one
parameter set per replicate from the posterior: replicate ``r`` uses draw
``posterior_draw[r] = r mod N`` (``N = [posterior] draws``), so with
``replicates = N x k`` every draw is simulated ``k`` times, in every scenario
(the pairing of scenarios is kept). The paired effect ``e`` of a replicate
(treatment minus baseline) then varies for two reasons, which the law of
total variance separates::

    Var(e) = Var(E[e | draw]) + E[Var(e | draw)]
           = parameter variance + stochastic variance

estimated as in a one-way random-effects analysis of variance: the
stochastic variance is the pooled variance of the ``k`` replicates within a
draw; the parameter variance is the variance of the draw means minus the
part of it that is noise (stochastic variance x mean of 1/k_i), floored at 0.
With one replicate per draw (``k = 1``) the two cannot be told apart: only
the total is given. The mean effect's interval counts both: it is a t
interval over the ``N`` draw means (each draw is one independent unit).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .i18n import Words

__all__ = ["DRAW_COORD", "is_posterior_run", "variance_split", "split_effects", "calibration_summary"]

#: The replicate coordinate a ``[posterior]`` run writes (docs/output_schema.md).
DRAW_COORD = "posterior_draw"

SPLIT_COLUMNS = [
    "mean",
    "ci_low",
    "ci_high",
    "n_draws",
    "replicates_per_draw",
    "var_parameter",
    "var_stochastic",
    "var_total",
    "sd_parameter",
    "sd_stochastic",
    "parameter_share",
]


def is_posterior_run(ds: xr.Dataset) -> bool:
    """True when the file's replicates were drawn from a posterior (a ``posterior_draw`` coordinate)."""
    return DRAW_COORD in ds.variables and ds[DRAW_COORD].dims == ("replicate",)


def _t_quantile(p: float, df: int) -> float:
    try:
        from scipy.stats import t

        return float(t.ppf(p, df))
    except ImportError:  # pragma: no cover - scipy is a Debian dependency of sklearn
        from .bootstrap import normal_quantile

        return float(normal_quantile(p))


def variance_split(effects: np.ndarray, draws: np.ndarray, ci: float = 0.95) -> pd.DataFrame:
    """Split the variance of per-replicate effects into parameter and stochastic parts.

    Parameters
    ----------
    effects
        ``(replicate,)`` or ``(replicate, column)`` paired effects (NaN = missing).
    draws
        ``(replicate,)`` the posterior draw of each replicate.
    ci
        Level of the mean effect's interval.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``mean``, ``ci_low``, ``ci_high`` (t interval over
        draw means), ``n_draws``, ``replicates_per_draw`` (mean), ``var_parameter``,
        ``var_stochastic``, ``var_total``, their square roots ``sd_parameter`` and
        ``sd_stochastic``, and ``parameter_share`` = var_parameter / var_total.
        The split is NaN when no draw has two replicates.
    """
    e = np.asarray(effects, dtype=float)
    if e.ndim == 1:
        e = e[:, None]
    draws = np.asarray(draws)
    if draws.shape != (e.shape[0],):
        raise ValueError(f"draws: expected one per replicate ({e.shape[0]}), got shape {draws.shape}")
    rows = [_split_column(e[:, c], draws, ci) for c in range(e.shape[1])]
    return pd.DataFrame(rows, columns=SPLIT_COLUMNS)


def _split_column(x: np.ndarray, draws: np.ndarray, ci: float) -> dict[str, float]:
    ok = np.isfinite(x)
    x, d = x[ok], draws[ok]
    labels, inverse, counts = np.unique(d, return_inverse=True, return_counts=True)
    n_draws = len(labels)
    out = dict.fromkeys(SPLIT_COLUMNS, math.nan)
    out["n_draws"] = float(n_draws)
    if n_draws == 0:
        return out
    sums = np.bincount(inverse, weights=x, minlength=n_draws)
    means = sums / counts
    out["mean"] = float(means.mean())
    out["replicates_per_draw"] = float(counts.mean())
    if n_draws >= 2:
        var_means = float(means.var(ddof=1))
        half = _t_quantile(0.5 + ci / 2, n_draws - 1) * math.sqrt(var_means / n_draws)
        out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    else:
        var_means = math.nan
    dof_within = int((counts - 1).sum())
    if dof_within > 0:
        within = float(((x - means[inverse]) ** 2).sum() / dof_within)
        parameter = max(0.0, var_means - within * float(np.mean(1.0 / counts)))
        out["var_stochastic"], out["var_parameter"] = within, parameter
        out["var_total"] = within + parameter
        out["sd_stochastic"], out["sd_parameter"] = math.sqrt(within), math.sqrt(parameter)
        if out["var_total"] > 0:
            out["parameter_share"] = parameter / out["var_total"]
    elif n_draws >= 2:
        out["var_total"] = float(x.var(ddof=1))
    return out


def split_effects(ds: xr.Dataset, ev: Any) -> pd.DataFrame:
    """The variance split of every pooled effect of an :class:`~atcsim.Evaluation` of a posterior run.

    Measured as ``ev`` measures its effects (same time, scales and pooling over
    sites). One row per contrast x indicator (x theme) x scale: ``contrast``,
    ``variable``, ``theme``, ``label``, ``scale`` and the columns of
    :func:`variance_split`. Empty when the file was not run from a posterior.
    """
    # The same per-replicate columns as the summary's effects (atcsim.summary internals).
    from .summary import _groups, _Reader, _variable_columns

    if not is_posterior_run(ds) or ev.effects.empty:
        return pd.DataFrame(columns=["contrast", "variable", "theme", "label", "scale", *SPLIT_COLUMNS])
    draws = np.asarray(ds[DRAW_COORD].values)
    population = ev.site_quality["population"].to_numpy(float)
    groups = _groups(ds, population, ev.pooling)
    readers: dict[int, Any] = {}
    frames = []
    for contrast in ev.contrasts:
        when = ev.when_of(contrast)  # each contrast at its own date, as the summary measures it
        data = readers.setdefault(id(when), _Reader(ds, when))
        for name in dict.fromkeys(ev.effects.loc[ev.effects["contrast"] == contrast.name, "variable"]):
            rows, b, t = _variable_columns(ds, data, contrast, name, groups)
            desc = pd.DataFrame(rows)
            keep = (desc["group_kind"] == "pooled").to_numpy()
            split = variance_split((t - b)[:, keep], draws, ev.ci)
            frames.append(
                pd.concat(
                    [
                        desc.loc[keep, ["contrast", "variable", "theme", "label", "scale"]].reset_index(
                            drop=True
                        ),
                        split,
                    ],
                    axis=1,
                )
            )
    return pd.concat(frames, ignore_index=True)


#: The Words key of the unit after an indicator's name, by scale (none for plain values).
_SCALE_UNIT = {"pp": "pp_short", "per_1000": "per_1000_short", "people": "people"}

_POSTERIOR_HEADERS = (
    "posterior_contrast",
    "posterior_indicator",
    "posterior_mean",
    "posterior_ci",
    "posterior_sd_parameter",
    "posterior_sd_stochastic",
    "posterior_share",
)


def posterior_section(ds: xr.Dataset, ev: Any, w: Words) -> str:
    """HTML section of the report, in ``w``'s language: each pooled effect with its parameter
    and stochastic parts.

    "" when the file was not run from a posterior.
    """
    from .report import _e, _table

    if not is_posterior_run(ds):
        return ""
    draws = int(ds.attrs.get("posterior_draws", 0) or np.unique(ds[DRAW_COORD].values).size)
    k = ds.sizes["replicate"] / max(draws, 1)
    path = _e(str(ds.attrs.get("posterior_path", "?")))
    intro = w("posterior_intro", path=path, draws=draws, k=f"{k:g}")
    note = f'<p class="note">{_e(w("posterior_one_per_draw"))}</p>' if k < 2 else ""
    rows = [_posterior_row(r, w) for _, r in split_effects(ds, ev).iterrows()]
    return (
        f'<section id="posterior-uncertainty"><h2>{_e(w("posterior_title"))}</h2><p>{intro}</p>{note}'
        + _table([w(key) for key in _POSTERIOR_HEADERS], rows, numeric_from=2)
        + calibration_summary(ds, w)
        + "</section>"
    )


def _posterior_row(r: pd.Series, w: Words) -> list[str]:
    """A row of split_effects as the table's cells."""
    from .report import _e  # not at the top: report imports this module

    unit = _SCALE_UNIT.get(r["scale"])
    return [
        _e(r["contrast"]),
        _e(r["label"] + (f" ({w(unit)})" if unit else "")),
        w.compact(r["mean"]),
        w.interval(r["ci_low"], r["ci_high"], compact=True),
        w.compact(r["sd_parameter"]),
        w.compact(r["sd_stochastic"]),
        w.share(r["parameter_share"]),
    ]


def _fnv1a64(data: bytes) -> int:
    """The engine's 64-bit FNV-1a of a file's bytes (``posterior_checksum``); its offset
    basis is the engine's (sim/core/text.hpp: 1469598103934665603, not FNV's published one)."""
    h = 1469598103934665603
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _posterior_file(ds: xr.Dataset) -> tuple[str | None, str]:
    """The posterior file the run drew from, if it is still there unchanged: (path, "")
    or (None, why not)."""
    import os

    path = str(ds.attrs.get("posterior_path", ""))
    source = str(ds.encoding.get("source", "") or "")
    candidates = [path]
    if source and not os.path.isabs(path):
        candidates.append(os.path.join(os.path.dirname(source), path))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            with open(candidate, "rb") as f:
                data = f.read()
            expected = str(ds.attrs.get("posterior_checksum", ""))
            if expected and f"fnv1a64:{_fnv1a64(data):016x}" != expected:
                return None, "changed"
            return candidate, ""
    return None, "missing"


_CI_HEADERS = (
    "calibration_parameter",
    "calibration_median",
    "calibration_interval",
    "calibration_prior",
    "calibration_shrinkage",
)
_CHECK_HEADERS = (
    "calibration_target",
    "calibration_role",
    "calibration_observed",
    "calibration_observed_interval",
    "calibration_predicted_median",
    "calibration_predicted_interval",
    "calibration_inside",
)


def calibration_summary(ds: xr.Dataset, w: Words) -> str:
    """What the posterior says (credible intervals, predictive check of every target) and
    its plots (marginals, pairs, predictive versus targets), read from the posterior file
    the run drew from, in ``w``'s language; a one-line note when that file is gone or has changed."""
    from .calibration.plots import plot_marginals, plot_pairs, plot_predictive
    from .calibration.posterior import credible_intervals, open_posterior, predictive_check
    from .report import _e, _figure, _table

    path, why = _posterior_file(ds)
    if path is None:
        return f'<p class="note">{_e(w("calibration_" + why))}</p>'  # calibration_missing, _changed
    try:
        post = open_posterior(path)
        ci = credible_intervals(post, 0.9)
        pc = predictive_check(post)
    except Exception as exc:  # noqa: BLE001 - a damaged posterior costs its section, not the report
        return f'<p class="note">{_e(path)}: {_e(str(exc))}</p>'
    method, targets = (_e(str(post.attrs.get(key, "?"))) for key in ("method", "targets_file"))
    ci_rows = [
        [
            _e(str(r["key"])),
            w.compact(r["median"]),
            w.interval(r["low"], r["high"], compact=True),
            w.interval(r["prior_min"], r["prior_max"], compact=True),
            w.compact(r["shrinkage"]),
        ]
        for _, r in ci.iterrows()
    ]
    pc_rows = [
        [
            _e(str(name)),
            _e(w.term("role", str(r["role"]))),
            w.compact(r["observed"]),
            w.interval(r["low"], r["high"], compact=True),
            w.compact(r["predicted_median"]),
            w.interval(r["predicted_low"], r["predicted_high"], compact=True),
            w.share(r["inside"]),
        ]
        for name, r in pc.iterrows()
    ]
    figures = (
        _figure(plot_marginals(post), "posterior marginals")
        + _figure(plot_pairs(post), "posterior pairs")
        + _figure(plot_predictive(post), "posterior predictive versus targets")
    )
    return (
        f'<h3 id="calibration">{_e(w("calibration_title"))}</h3>'
        f'<p>{w("calibration_intro", method=method, targets=targets)}</p>'
        + _table([w(key) for key in _CI_HEADERS], ci_rows, numeric_from=1)
        + _table([w(key) for key in _CHECK_HEADERS], pc_rows, numeric_from=2)
        + figures
    )
