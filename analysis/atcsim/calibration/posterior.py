"""The posterior file: samples, weights, how they were obtained, the targets.

A calibration writes one netCDF-4/HDF5 file (like the engine's outputs),
readable with :func:`open_posterior` (an :class:`xarray.Dataset`) or any
netCDF tool. Layout (``docs/calibration.md`` has the full table):

=====================  ==========================  =========================================
variable               dimensions                  content
=====================  ==========================  =========================================
``samples``            (sample, parameter)         posterior sample, parameter values
``weights``            (sample)                    normalised importance weights
``predicted``          (draw, target)              simulated statistics at posterior draws
``predicted_weight``   (draw)                      their weights
``tolerance`` ...      (generation)                ABC-SMC: tolerance, ESS, acceptance rate,
                                                   simulations, particles, seconds
``particle_*``         (particle[, parameter])     every ABC generation's particles
``wave_*``             (wave)                      history matching: simulations, region
                                                   volume, emulator diagnostics
``design_*``           (design_point, ...)         history-matching design points and results
``nroy``               (nroy_sample, parameter)    uniform sample of the non-implausible region
``target_*``           (target)                    observed value, sd, bounds, role, statistic,
                                                   scope, source, status, derivation, ...
``parameter_*``        (parameter)                 dotted key, prior min, max, scale
=====================  ==========================  =========================================

Global attributes: ``calibration_format``, ``method``, ``seed``,
``stop_reason``, ``simulations``, ``runtime_seconds``, ``created``,
``atcsim_version``, ``config_toml`` (the calibration config, verbatim),
``targets_toml`` (the targets file, verbatim), ``notes``.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import ndtr

from ..errors import AtcsimFileError
from .abc import ABCResult
from .history import HistoryMatchResult
from .parameters import ParameterSpace
from .problem import effective_sample_size, weighted_quantile
from .targets import Target

__all__ = [
    "FORMAT",
    "CalibrationResult",
    "to_dataset",
    "write_posterior",
    "open_posterior",
    "credible_intervals",
    "predictive_check",
    "resample",
    "tradeoffs",
]

FORMAT = "atcsim-calibration/1"


@dataclass
class CalibrationResult:
    """Everything a calibration produced, before it is written."""

    method: str
    space: ParameterSpace
    targets: Sequence[Target]
    u: np.ndarray  # (n, k) posterior sample, unit cube
    weights: np.ndarray  # (n,)
    predicted: np.ndarray  # (d, m) simulated statistics at posterior draws
    predicted_weights: np.ndarray  # (d,)
    stop_reason: str
    simulations: int
    seconds: float
    seed: int
    abc: ABCResult | None = None
    history: HistoryMatchResult | None = None
    notes: list[str] = field(default_factory=list)
    config_text: str = ""
    targets_text: str = ""
    targets_path: str = ""
    model_config: str = ""
    simulations_cached: int = 0

    @property
    def samples(self) -> np.ndarray:
        return self.space.from_unit(self.u)


def _strings(values: Sequence[str]) -> np.ndarray:
    return np.array([str(v) for v in values], dtype=object)


def to_dataset(result: CalibrationResult) -> xr.Dataset:
    """The posterior file's content as a dataset."""
    from .. import __version__

    space, targets = result.space, list(result.targets)
    names = space.names
    data: dict[str, tuple] = {
        "samples": (("sample", "parameter"), result.samples, {"long_name": "posterior sample"}),
        "weights": (
            ("sample",),
            np.asarray(result.weights, float) / np.sum(result.weights),
            {"long_name": "normalised weight"},
        ),
        "predicted": (
            ("draw", "target"),
            np.asarray(result.predicted, float),
            {
                "long_name": "simulated statistic at a posterior draw "
                "(replicate-aggregated, without observation error)"
            },
        ),
        "predicted_weight": (
            ("draw",),
            np.asarray(result.predicted_weights, float) / np.sum(result.predicted_weights),
            {},
        ),
        "parameter_key": (("parameter",), _strings(space.keys), {}),
        "parameter_min": (("parameter",), np.array([p.min for p in space]), {}),
        "parameter_max": (("parameter",), np.array([p.max for p in space]), {}),
        "parameter_scale": (("parameter",), _strings([p.scale for p in space]), {}),
        "parameter_units": (("parameter",), _strings([p.units for p in space]), {}),
    }
    obs = [t.observed for t in targets]
    target_vars = {
        "role": [t.role for t in targets],
        "observed": [o.value for o in obs],
        "sd": [o.total_sd for o in obs],
        "observation_sd": [o.sd for o in obs],
        "discrepancy_sd": [o.discrepancy_sd for o in obs],
        "low": [o.bounds[0] for o in obs],
        "high": [o.bounds[1] for o in obs],
        "level": [o.level for o in obs],
        "uncertainty_basis": [o.basis for o in obs],
        "description": [t.description for t in targets],
        "indicator": [t.statistic.indicator for t in targets],
        "statistic": [t.statistic.describe() for t in targets],
        "scope": [t.scope for t in targets],
        "source": [t.source.citation for t in targets],
        "source_url": [t.source.url for t in targets],
        "source_status": [t.source.status for t in targets],
        "source_facts": [t.source.facts for t in targets],
        "source_derivation": [t.source.derivation for t in targets],
        "source_year": [t.source.year for t in targets],
        "why_held_out": [t.why_held_out for t in targets],
        "location": [t.location for t in targets],
    }
    for key, values in target_vars.items():
        arr = np.asarray(values, float) if isinstance(values[0], float) else _strings(values)
        data[f"target_{key}"] = (("target",), arr, {})
    if result.abc is not None:
        gens = result.abc.generations
        data.update(
            {
                "tolerance": (("generation",), np.array([g.tolerance for g in gens]), {"units": "target sd"}),
                "ess": (
                    ("generation",),
                    np.array([g.ess for g in gens]),
                    {"long_name": "effective sample size"},
                ),
                "acceptance_rate": (("generation",), np.array([g.acceptance_rate for g in gens]), {}),
                "generation_simulations": (("generation",), np.array([g.simulations for g in gens]), {}),
                "generation_particles": (("generation",), np.array([g.size for g in gens]), {}),
                "generation_failed": (("generation",), np.array([g.failed for g in gens]), {}),
                "generation_seconds": (("generation",), np.array([g.seconds for g in gens]), {"units": "s"}),
                "particle_generation": (
                    ("particle",),
                    np.concatenate([np.full(g.size, g.index) for g in gens]),
                    {},
                ),
                "particle_values": (
                    ("particle", "parameter"),
                    np.vstack([space.from_unit(g.u) for g in gens]),
                    {},
                ),
                "particle_weight": (("particle",), np.concatenate([g.weights for g in gens]), {}),
                "particle_distance": (
                    ("particle",),
                    np.concatenate([g.distances for g in gens]),
                    {"units": "target sd"},
                ),
            }
        )
    if result.history is not None:
        waves = result.history.waves
        data.update(
            {
                "wave_simulations": (("wave",), np.array([w.simulations for w in waves]), {}),
                "wave_volume": (
                    ("wave",),
                    np.array([w.volume for w in waves]),
                    {"long_name": "non-implausible share of the prior"},
                ),
                "wave_cutoff": (("wave",), np.array([w.cutoff for w in waves]), {}),
                "wave_loo_outside_3": (("wave",), np.array([w.loo_outside for w in waves]), {}),
                "wave_emulator_ratio": (("wave",), np.array([w.emulator_ratio for w in waves]), {}),
                "wave_seconds": (("wave",), np.array([w.seconds for w in waves]), {"units": "s"}),
                "design_wave": (
                    ("design_point",),
                    np.concatenate([np.full(w.simulations, w.index) for w in waves]),
                    {},
                ),
                "design_values": (
                    ("design_point", "parameter"),
                    np.vstack([space.from_unit(w.design) for w in waves]),
                    {},
                ),
                "design_statistics": (("design_point", "target"), np.vstack([w.stats for w in waves]), {}),
                "nroy": (("nroy_sample", "parameter"), space.from_unit(result.history.nroy), {}),
            }
        )
    coords = {"parameter": _strings(names), "target": _strings([t.name for t in targets])}
    if result.abc is not None:
        coords["generation"] = np.arange(len(result.abc.generations))
    if result.history is not None:
        coords["wave"] = np.arange(1, len(result.history.waves) + 1)
    ds = xr.Dataset({k: xr.Variable(d, v, a) for k, (d, v, a) in data.items()}, coords=coords)
    ds.attrs.update(
        {
            "Conventions": "CF-1.8",
            "title": "atcsim calibration posterior",
            "calibration_format": FORMAT,
            "method": result.method,
            "kernel": result.abc.kernel if result.abc is not None else "",
            "implausibility_rule": result.history.implausibility_rule if result.history is not None else "",
            "seed": int(result.seed),
            "stop_reason": result.stop_reason,
            "simulations": int(result.simulations),
            "simulations_cached": int(result.simulations_cached),
            "runtime_seconds": float(result.seconds),
            "ess": effective_sample_size(result.weights),
            "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
            "atcsim_version": __version__,
            "config_toml": result.config_text,
            "targets_file": result.targets_path,
            "targets_toml": result.targets_text,
            "model_config": result.model_config,
            "notes": "\n".join(result.notes),
        }
    )
    return ds


def write_posterior(result: CalibrationResult | xr.Dataset, path: str | os.PathLike[str]) -> Path:
    """Write the posterior file (to ``PATH.partial``, renamed when complete)."""
    ds = result if isinstance(result, xr.Dataset) else to_dataset(result)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    ds.to_netcdf(tmp, engine="h5netcdf", invalid_netcdf=False)
    os.replace(tmp, path)
    return path


def open_posterior(path: str | os.PathLike[str]) -> xr.Dataset:
    """Open a posterior file written by :func:`write_posterior`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        ds = xr.load_dataset(path, engine="h5netcdf")
    except Exception as exc:  # h5py/h5netcdf raise several types for a non-HDF5 file
        raise AtcsimFileError(f"{path}: not a netCDF-4/HDF5 file ({exc})") from None
    if ds.attrs.get("calibration_format") != FORMAT:
        raise AtcsimFileError(
            f"{path}: not an atcsim posterior file (calibration_format is "
            f"{ds.attrs.get('calibration_format')!r}, expected {FORMAT!r})"
        )
    return ds


def credible_intervals(post: xr.Dataset, level: float = 0.9) -> pd.DataFrame:
    """Per parameter: weighted mean, sd, median, the central ``level`` credible
    interval, and ``shrinkage`` = 1 - interval width / the prior's central
    ``level`` width (about 0 for a parameter the targets do not inform)."""
    x = np.asarray(post["samples"].values)
    w = np.asarray(post["weights"].values)
    lo_q, hi_q = 0.5 - level / 2, 0.5 + level / 2
    rows = []
    for j, name in enumerate(post["parameter"].values):
        q = weighted_quantile(x[:, j], w, [lo_q, 0.5, hi_q])
        mean = float(np.average(x[:, j], weights=w))
        sd = float(np.sqrt(np.average((x[:, j] - mean) ** 2, weights=w)))
        pmin, pmax = float(post["parameter_min"][j]), float(post["parameter_max"][j])
        if str(post["parameter_scale"].values[j]) == "log":
            prior_width = np.exp(np.log(pmin) + hi_q * np.log(pmax / pmin)) - np.exp(
                np.log(pmin) + lo_q * np.log(pmax / pmin)
            )
        else:
            prior_width = level * (pmax - pmin)
        rows.append(
            {
                "parameter": str(name),
                "key": str(post["parameter_key"].values[j]),
                "mean": mean,
                "sd": sd,
                "low": float(q[0]),
                "median": float(q[1]),
                "high": float(q[2]),
                "prior_min": pmin,
                "prior_max": pmax,
                "shrinkage": float(1 - (q[2] - q[0]) / prior_width),
            }
        )
    return pd.DataFrame(rows).set_index("parameter")


def resample(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: ``n`` indices drawn in proportion to ``weights``."""
    w = np.asarray(weights, float)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, (rng.random() + np.arange(n)) / n)


def predictive_check(post: xr.Dataset, *, level: float | None = None) -> pd.DataFrame:
    """Posterior predictive check of every target.

    The predictive distribution of an observation is the simulated
    statistic at posterior draws plus the target's normal error (its total
    sd): a weighted mixture of normals, computed exactly (no Monte Carlo, so
    the same figures wherever they are computed). Per target: predictive
    median and central 90 % interval, ``inside`` = the predictive
    probability of falling inside the target's uncertainty interval (its
    declared interval, else value +- z sd at its level), and ``p_value`` = 2
    min(P(y <= observed), P(y >= observed)), the two-sided posterior
    predictive p-value. Validation targets were not used to fit: their rows
    are the out-of-sample check.
    """
    pred = np.asarray(post["predicted"].values)
    w = np.asarray(post["predicted_weight"].values)
    rows = []
    for j, name in enumerate(post["target"].values):
        ok = np.isfinite(pred[:, j]) & (w > 0)
        sd = float(post["target_sd"][j])
        lo, hi = float(post["target_low"][j]), float(post["target_high"][j])
        obs = float(post["target_observed"][j])
        row = {"predicted_median": np.nan, "predicted_low": np.nan, "predicted_high": np.nan}
        inside = p_value = np.nan
        if ok.any():
            mix = _NormalMixture(pred[ok, j], w[ok], sd)
            q = [mix.quantile(p) for p in (0.05, 0.5, 0.95)]
            row = {"predicted_median": q[1], "predicted_low": q[0], "predicted_high": q[2]}
            inside = mix.cdf(hi) - mix.cdf(lo)
            below = mix.cdf(obs)
            p_value = 2 * min(below, 1 - below)
        rows.append(
            {
                "target": str(name),
                "role": str(post["target_role"].values[j]),
                "observed": obs,
                "low": lo,
                "high": hi,
                **row,
                "inside": float(inside),
                "p_value": float(p_value),
                "draws": int(ok.sum()),
            }
        )
    return pd.DataFrame(rows).set_index("target")


class _NormalMixture:
    """Weighted mixture of normals N(mean_i, sd^2) (sd 0: the weighted point masses)."""

    def __init__(self, means: np.ndarray, weights: np.ndarray, sd: float) -> None:
        self.means = np.asarray(means, float)
        self.weights = np.asarray(weights, float) / float(np.sum(weights))
        self.sd = float(sd)

    def cdf(self, y: float) -> float:
        if self.sd <= 0:
            return float(np.sum(self.weights[self.means <= y]))
        return float(self.weights @ ndtr((y - self.means) / self.sd))

    def quantile(self, p: float) -> float:
        if self.sd <= 0:
            return float(weighted_quantile(self.means, self.weights, p))
        lo = float(self.means.min() - 10 * self.sd)
        hi = float(self.means.max() + 10 * self.sd)
        for _ in range(100):  # bisection to far below the figures' precision
            mid = 0.5 * (lo + hi)
            if self.cdf(mid) < p:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)


def tradeoffs(post: xr.Dataset, threshold: float = 0.5) -> pd.DataFrame:
    """Pairs of parameters whose posterior rank correlation exceeds ``threshold`` in
    absolute value: parameters that trade off (the targets inform a combination of
    them, e.g. a product, more than each one)."""
    x = np.asarray(post["samples"].values)
    w = np.asarray(post["weights"].values)
    w = w / w.sum()
    ranks = np.argsort(np.argsort(x, axis=0), axis=0).astype(float)
    m = w @ ranks
    d = ranks - m
    cov = (d * w[:, None]).T @ d
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    keys = [str(v) for v in post["parameter_key"].values]
    rows = [
        {"parameter_1": keys[i], "parameter_2": keys[j], "rank_correlation": float(corr[i, j])}
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if abs(corr[i, j]) > threshold
    ]
    return pd.DataFrame(rows, columns=["parameter_1", "parameter_2", "rank_correlation"])


def calibrated_defaults(
    post: xr.Dataset,
    *,
    min_shrinkage: float = 0.2,
    date: str | None = None,
    targets: str | None = None,
) -> str:
    """The calibrated-defaults file of a posterior (``models/NAME/calibrated.toml``).

    One entry per ``model.X`` parameter that the targets inform (shrinkage at
    least ``min_shrinkage``; a parameter that comes back with its prior keeps
    its documented default): the posterior median and 90 % interval. The
    file is for review and commit by hand (docs/calibration.md, "From a
    posterior to defaults"); the engine applies it at the model's
    registration and ``atcsim describe`` shows "calibrated (TARGETS, DATE)".
    """
    ci = credible_intervals(post, 0.9)
    targets = targets or str(post.attrs.get("targets_file", "")) or "?"
    if os.path.isabs(targets) and Path(targets).is_relative_to(Path.cwd()):
        targets = os.path.relpath(targets)  # as the repository names it
    day = date or str(post.attrs.get("created", ""))[:10] or _dt.date.today().isoformat()
    lines = [
        "# Calibrated defaults: posterior medians of a reviewed calibration (docs/calibration.md).",
        f"# Written from {post.attrs.get('method', '?')} posterior, seed {post.attrs.get('seed', '?')}; "
        f"parameters with shrinkage < {min_shrinkage} left out.",
        'format = "atcsim-calibrated-defaults/1"',
        f"targets = {_toml_str(targets)}",
        f"date = {day}",
        "",
        "[parameters]",
    ]
    for _, r in ci.iterrows():
        key = str(r["key"])
        if not key.startswith("model.") or key.count(".") != 1 or r["shrinkage"] < min_shrinkage:
            continue
        name = key.split(".", 1)[1]
        lines.append(f"{name} = {{ median = {r['median']!r}, low = {r['low']!r}, high = {r['high']!r} }}")
    return "\n".join(lines) + "\n"


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
