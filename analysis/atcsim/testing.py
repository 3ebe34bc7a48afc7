"""Synthetic atcsim result files with known effects, for tests and demos.

:func:`make_synthetic` writes an HDF5 file that follows ``docs/output_schema.md``
exactly, using only :mod:`h5py`: dimension scales, variable-length UTF-8 string
coordinates, CF time, float64 indicators with a NaN ``_FillValue``, the
``run_complete`` flags, the global attributes and the ``/parameters`` group.
Because the generating process is known, the true paired effect of every
scenario is known too, which lets tests check the statistics.

Generating process
------------------
For a *level* indicator (a share or a mean in [0, 1]) of scenario ``s``,
replicate ``r``, site ``i`` and recorded step ``t``::

    x = base * (0.7 + 0.3 * ramp[t]) + site_offset[i] + replicate_offset[r, i]
        + effect[s] * ramp[t] + noise * scale * eps[s, r, i, t]

with ``ramp`` rising linearly from 0 at the first step to 1 at the last one.
``replicate_offset`` is shared by all scenarios (common random numbers, as in
the engine), so paired differences have standard deviation
``noise * scale * sqrt(2)`` and expectation ``effect[s] * ramp[t]``: at the last
step the expected paired difference is exactly ``effect[s]``.

A *cumulative* indicator (costs, counts) is ``final[s, r, i] * ramp[t]`` with
``final = base + effect[s] + replicate_offset[r, i] + noise * scale * eps``;
``intervention_cost_eur`` is deterministic (``effect[s] * ramp[t]``).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import h5py
import numpy as np

__all__ = [
    "DEFAULT_SCENARIOS",
    "DEFAULT_UNIT_EFFECTS",
    "SYNTHETIC_VARIABLES",
    "THEMES",
    "make_synthetic",
]

DEFAULT_SCENARIOS: tuple[str, ...] = ("baseline", "animator", "animator_governance")
START_DATE = "2019-09-02"
THEMES: tuple[str, ...] = ("employment", "housing_living_environment", "youth_education")


@dataclass(frozen=True)
class _VarSpec:
    units: str
    long_name: str
    description: str
    base: float
    scale: float
    kind: str  # "level", "cumulative", "count" or "cost"


SYNTHETIC_VARIABLES: dict[str, _VarSpec] = {
    "participation_share": _VarSpec(
        "1",
        "share of residents participating",
        "share of residents at participation level >= 2 (occasional or more)",
        0.08,
        1.0,
        "level",
    ),
    "trust_institutions": _VarSpec(
        "1",
        "mean trust in institutions",
        "mean over residents of trust in institutions Ti, in [0, 1]",
        0.30,
        1.0,
        "level",
    ),
    "projects_succeeded": _VarSpec(
        "count",
        "projects succeeded (cumulative)",
        "number of collective projects that reached their goal since the start",
        4.0,
        50.0,
        "count",
    ),
    "avoided_costs_eur": _VarSpec(
        "EUR",
        "avoided costs (cumulative)",
        "cumulative avoided public costs from improved living conditions",
        20_000.0,
        1_000_000.0,
        "cumulative",
    ),
    "intervention_cost_eur": _VarSpec(
        "EUR",
        "intervention cost (cumulative)",
        "cumulative cost of the interventions (animator salary, training, funding)",
        0.0,
        0.0,
        "cost",
    ),
}

_THEME_VARIABLE = "outcome_index"
_THEME_SPEC = _VarSpec(
    "1",
    "living-conditions index per theme",
    "living-conditions index of each theme, in [0, 1]",
    0.5,
    1.0,
    "level",
)

#: Default true effect per unit of scenario index: scenario ``k`` (0-based, in
#: file order) gets ``k * DEFAULT_UNIT_EFFECTS[var]`` unless ``effects`` says
#: otherwise.
DEFAULT_UNIT_EFFECTS: dict[str, float] = {
    "participation_share": 0.03,
    "trust_institutions": 0.02,
    "projects_succeeded": 3.0,
    "avoided_costs_eur": 60_000.0,
    "intervention_cost_eur": 35_000.0,
    _THEME_VARIABLE: 0.02,
}

# (id, name, official QPV code, network, population): shaped like the 15 ATC sites.
_SITES: tuple[tuple[str, str, str, str, float], ...] = (
    ("marseille_frais_vallon", "Marseille — Frais Vallon", "", "FCSF", 9000.0),
    ("saint_gilles_sabatot", "Saint-Gilles — Sabatot - Centre ancien", "QP030009", "FCSF", 3272.0),
    ("fort_de_france_quartiers_ouest", "Fort-de-France — Trénelle-Citron", "", "CNLRQ", 20000.0),
    ("grenoble_villeneuve_vo", "Grenoble — Villeneuve - Village Olympique", "", "CNLRQ", 11708.0),
    ("grigny_grande_borne", "Grigny — La Grande Borne", "", "BBZ", 13000.0),
    ("hombourg_haut_les_chenes", "Hombourg-Haut — Les Chênes", "", "FCSF", 1269.0),
    ("tourcoing_la_bourgogne", "Tourcoing — La Bourgogne", "", "FCSF", 9900.0),
    ("avignon_monclar_champfleury", "Avignon — Monclar Champfleury", "", "CNLRQ", 17186.0),
    ("les_mureaux_cinq_quartiers", "Les Mureaux — Cinq Quartiers", "", "BBZ", 15000.0),
    ("strasbourg_hautepierre_cronenbourg", "Strasbourg — Hautepierre / Cronenbourg", "", "BBZ", 14403.0),
    ("villefranche_belleroche", "Villefranche-sur-Saône — Belleroche", "", "BBZ", 5300.0),
    ("aubenas_quartiers_davenir", "Aubenas — Quartiers d'avenir", "", "FCSF", 4000.0),
    ("grande_synthe_albeck_europe_moulin", "Grande-Synthe — Albeck - Europe - Moulin", "", "CNLRQ", 6000.0),
    ("saint_denis_unresolved", "Saint-Denis", "", "CNLRQ", 10000.0),
    ("roubaix_epeule_unverified", "Roubaix — l'Épeule", "", "BBZ", 12000.0),
)

# name -> (value, units, description, valid_min, valid_max, source)
_PARAMETERS: dict[str, tuple[float, str, str, float, float, str]] = {
    "animator_contacts_per_week": (
        40.0,
        "1/week",
        "residents contacted by the animator per week",
        0.0,
        500.0,
        "assumption",
    ),
    "trust_loss_ratio": (
        3.0,
        "1",
        "trust lost this many times faster than gained",
        1.0,
        10.0,
        "Slovic 1993, trust asymmetry",
    ),
    "participation_threshold_mean": (
        0.35,
        "1",
        "mean of the Beta-distributed participation threshold",
        0.0,
        1.0,
        "assumption",
    ),
    "unit_cost_unemployment_eur": (
        15000.0,
        "EUR/person-year",
        "public cost of one person-year of long-term unemployment",
        0.0,
        100000.0,
        "stylized_facts.md, section 4 (costs)",
    ),
    "animator_salary_eur": (45000.0, "EUR/year", "animator salary with charges", 0.0, 200000.0, "assumption"),
}


def make_synthetic(
    path: str | os.PathLike[str],
    scenarios: Sequence[str] = DEFAULT_SCENARIOS,
    replicates: int = 12,
    sites: int | Sequence[str] = 3,
    steps: int = 20,
    effects: Mapping[str, Mapping[str, float]] | None = None,
    noise: float = 0.02,
    seed: int = 0,
    complete: np.ndarray | Sequence[Sequence[int]] | None = None,
    extra_theme_var: bool = True,
    partial: bool = False,
    variables: Sequence[str] | None = None,
    step_days: int = 7,
    start_date: str = START_DATE,
    model: str = "territorial",
    schema: int = 1,
    parameter_sources: bool = True,
) -> Path:
    """Write a synthetic atcsim output file with known effects.

    Parameters
    ----------
    path
        Where to write. With ``partial=True`` the suffix ``.partial`` is added
        unless ``path`` already ends with it.
    scenarios
        Scenario names, in file order; the first one plays the baseline.
    replicates
        Number of replicates R.
    sites
        Number of sites (taken from a list shaped like the 15 ATC sites, at
        most 15) or explicit site ids (e.g. ``["all"]`` as canonical models do).
    steps
        Number of recorded steps (weekly by default).
    effects
        True effect at the last step, ``{scenario: {variable: effect}}``, as
        treatment minus the first scenario (missing entries: 0). Default:
        scenario ``k`` gets ``k * DEFAULT_UNIT_EFFECTS[variable]``.
    noise
        Per-observation noise scale (absolute for [0, 1] indicators, scaled up
        for counts and EUR); paired differences have sd ``noise*scale*sqrt(2)``.
    seed
        Seed of the generator (numpy ``default_rng``).
    complete
        ``run_complete`` flags, shape (scenario, replicate); runs flagged 0
        hold only NaN, as in an interrupted ``atcsim run``. Default: all
        complete, or the pattern described under ``partial``.
    extra_theme_var
        Also write ``outcome_index`` with an extra ``theme`` dimension.
    partial
        Write an interrupted experiment: unless ``complete`` is given, the
        last ``max(1, R // 4)`` replicates of the last scenario and the last
        replicate of the first scenario are incomplete.
    variables
        Indicator names to write (default: all of ``SYNTHETIC_VARIABLES``).
        Unknown names get a generic [0, 1] level indicator.
    step_days, start_date, model
        Written to the ``step_days`` and ``model`` attributes and the time
        units ``days since <start_date>``.
    schema
        Value of the ``atcsim_schema`` attribute (to test version checks).
    parameter_sources
        Write a ``source`` attribute on each parameter.

    Returns
    -------
    pathlib.Path
        The path actually written.
    """
    path = Path(path)
    if partial and not path.name.endswith(".partial"):
        path = path.with_name(path.name + ".partial")
    if replicates < 1 or steps < 1:
        raise ValueError("replicates and steps must be >= 1")
    scenarios = list(scenarios)
    site_rows = _site_rows(sites)
    names = list(variables) if variables is not None else list(SYNTHETIC_VARIABLES)
    specs = {n: SYNTHETIC_VARIABLES.get(n, _generic_spec(n)) for n in names}
    if extra_theme_var:
        specs[_THEME_VARIABLE] = _THEME_SPEC
    true_effects = _resolve_effects(scenarios, specs, effects)
    flags = _resolve_complete(complete, partial, len(scenarios), replicates)

    rng = np.random.default_rng(seed)
    shape = (len(scenarios), replicates, len(site_rows), steps)
    data = {
        name: _simulate(
            spec, true_effects[name], shape, noise, rng, n_theme=len(THEMES) if name == _THEME_VARIABLE else 0
        )
        for name, spec in specs.items()
    }
    for values in data.values():
        values[flags == 0] = np.nan

    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", track_order=True) as f:
        _write_global_attrs(f, path, scenarios, replicates, steps, seed, model, step_days, start_date, schema)
        scales = _write_coordinates(
            f, scenarios, replicates, site_rows, steps, step_days, start_date, extra_theme_var
        )
        for name, spec in specs.items():
            dims = ["scenario", "replicate", "site", "time"]
            if name == _THEME_VARIABLE:
                dims.append("theme")
            _write_variable(f, name, spec, data[name], [scales[d] for d in dims])
        rc = f.create_dataset("run_complete", data=flags.astype(np.int8))
        rc.attrs["long_name"] = "run complete flag"
        rc.attrs["description"] = "1 when the run's data are complete on disk"
        rc.attrs["units"] = "1"
        rc.attrs["flag_values"] = np.array([0, 1], dtype=np.int8)
        rc.attrs["flag_meanings"] = "incomplete complete"
        rc.dims[0].attach_scale(scales["scenario"])
        rc.dims[1].attach_scale(scales["replicate"])
        _write_parameters(f, parameter_sources)
    return path


def _site_rows(sites: int | Sequence[str]) -> list[tuple[str, str, str, str, float]]:
    if isinstance(sites, (int, np.integer)):
        if not 1 <= sites <= len(_SITES):
            raise ValueError(f"sites must be between 1 and {len(_SITES)}, got {sites}")
        return list(_SITES[: int(sites)])
    rows = []
    known = {row[0]: row for row in _SITES}
    for k, site in enumerate(sites):
        rows.append(known.get(site, (site, site, "", "none", 1000.0 * (k + 1))))
    if not rows:
        raise ValueError("at least one site is needed")
    return rows


def _generic_spec(name: str) -> _VarSpec:
    return _VarSpec("1", name.replace("_", " "), f"synthetic indicator {name}", 0.4, 1.0, "level")


def _resolve_effects(
    scenarios: list[str],
    specs: Mapping[str, _VarSpec],
    effects: Mapping[str, Mapping[str, float]] | None,
) -> dict[str, np.ndarray]:
    out = {}
    for name in specs:
        if effects is None:
            unit = DEFAULT_UNIT_EFFECTS.get(name, 0.02)
            out[name] = np.arange(len(scenarios), dtype=float) * unit
        else:
            unknown = set(effects) - set(scenarios)
            if unknown:
                raise ValueError(f"effects name unknown scenarios {sorted(unknown)}")
            out[name] = np.array([float(effects.get(s, {}).get(name, 0.0)) for s in scenarios])
            out[name] -= out[name][0]  # effects are relative to the first scenario
    return out


def _resolve_complete(
    complete: np.ndarray | Sequence[Sequence[int]] | None,
    partial: bool,
    n_scenarios: int,
    replicates: int,
) -> np.ndarray:
    if complete is not None:
        flags = np.asarray(complete, dtype=np.int8)
        if flags.shape != (n_scenarios, replicates):
            raise ValueError(f"complete must have shape {(n_scenarios, replicates)}, got {flags.shape}")
        return flags
    flags = np.ones((n_scenarios, replicates), dtype=np.int8)
    if partial:
        k = max(1, replicates // 4)
        flags[-1, replicates - k :] = 0
        flags[0, replicates - 1] = 0
    return flags


def _simulate(
    spec: _VarSpec,
    effect: np.ndarray,
    shape: tuple[int, int, int, int],
    noise: float,
    rng: np.random.Generator,
    n_theme: int = 0,
) -> np.ndarray:
    n_s, n_r, n_i, n_t = shape
    ramp = np.linspace(0.0, 1.0, n_t) if n_t > 1 else np.ones(1)
    extra = (n_theme,) if n_theme else ()
    sd = noise * spec.scale
    eff = effect.reshape(n_s, 1, 1, *([1] * len(extra)))
    rep = rng.normal(0.0, 2.0 * sd, size=(1, n_r, n_i, *extra))
    if spec.kind == "cost":
        final = np.broadcast_to(eff, (n_s, n_r, n_i, *extra))
        return final[:, :, :, None] * _expand(ramp, extra)
    if spec.kind in ("cumulative", "count"):
        final = spec.base + eff + rep + rng.normal(0.0, sd, size=(n_s, n_r, n_i, *extra))
        values = final[:, :, :, None] * _expand(ramp, extra)
        return np.round(values) if spec.kind == "count" else values
    site = rng.normal(0.0, 0.2 * spec.base, size=(1, 1, n_i, 1, *extra))
    trend = spec.base * (0.7 + 0.3 * _expand(ramp, extra))
    eps = rng.normal(0.0, sd, size=(n_s, n_r, n_i, n_t, *extra))
    return trend + site + rep[:, :, :, None] + eff[:, :, :, None] * _expand(ramp, extra) + eps


def _expand(ramp: np.ndarray, extra: tuple[int, ...]) -> np.ndarray:
    """Shape ``ramp`` (time,) to broadcast against (s, r, i, time[, extra])."""
    return ramp.reshape(1, 1, 1, -1, *([1] * len(extra)))


def _write_global_attrs(
    f: h5py.File,
    path: Path,
    scenarios: list[str],
    replicates: int,
    steps: int,
    seed: int,
    model: str,
    step_days: int,
    start_date: str,
    schema: int,
) -> None:
    created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    f.attrs["Conventions"] = "CF-1.8"
    f.attrs["title"] = "synthetic atcsim experiment (test data, not a simulation)"
    f.attrs["atcsim_version"] = f"{schema}.1.0" if schema != 1 else "0.1.0"
    f.attrs["atcsim_schema"] = np.int64(schema)
    f.attrs["git_commit"] = "synthetic"
    f.attrs["created"] = created.isoformat().replace("+00:00", "Z")
    f.attrs["command_line"] = f"atcsim run scenarios/synthetic.toml -o {path.name}"
    f.attrs["config_toml"] = _config_toml(scenarios, replicates, steps, seed, model, start_date)
    f.attrs["seed"] = np.int64(seed)
    f.attrs["model"] = model
    f.attrs["step_days"] = np.int64(step_days)


def _config_toml(
    scenarios: list[str], replicates: int, steps: int, seed: int, model: str, start_date: str
) -> str:
    lines = [
        "# synthetic configuration written by atcsim.testing.make_synthetic",
        "[experiment]",
        'name = "synthetic"',
        f'model = "{model}"',
        f"seed = {seed}",
        f"replicates = {replicates}",
        f'start_date = "{start_date}"',
        f"steps = {steps}",
        "",
        "[parameters]",
    ]
    lines += [f"{name} = {spec[0]!r}" for name, spec in _PARAMETERS.items()]
    for k, name in enumerate(scenarios):
        lines += ["", "[[scenario]]", f'name = "{name}"']
        if k:
            lines.append(f"animator.contacts_per_week = {40 * k}")
    return "\n".join(lines) + "\n"


def _write_coordinates(
    f: h5py.File,
    scenarios: list[str],
    replicates: int,
    site_rows: list[tuple[str, str, str, str, float]],
    steps: int,
    step_days: int,
    start_date: str,
    with_theme: bool,
) -> dict[str, h5py.Dataset]:
    text = h5py.string_dtype("utf-8")
    scales = {}

    def scale(name: str, values: np.ndarray, dtype: object, long_name: str) -> h5py.Dataset:
        dset = f.create_dataset(name, data=values, dtype=dtype)
        dset.attrs["long_name"] = long_name
        dset.make_scale(name)
        scales[name] = dset
        return dset

    scale("scenario", np.array(scenarios, dtype=object), text, "scenario name")
    scale("replicate", np.arange(replicates, dtype=np.int64), np.int64, "replicate index")
    scale("site", np.array([r[0] for r in site_rows], dtype=object), text, "site id")
    time = scale("time", np.arange(steps, dtype=np.float64) * step_days, np.float64, "time")
    time.attrs["units"] = f"days since {start_date}"
    time.attrs["calendar"] = "standard"
    time.attrs["standard_name"] = "time"
    if with_theme:
        scale("theme", np.array(THEMES, dtype=object), text, "theme")

    aux = {
        "site_name": (np.array([r[1] for r in site_rows], dtype=object), text, "site name", None),
        "site_code": (
            np.array([r[2] for r in site_rows], dtype=object),
            text,
            "official QPV code (empty when unknown)",
            None,
        ),
        "network": (np.array([r[3] for r in site_rows], dtype=object), text, "national network", None),
        "population": (np.array([r[4] for r in site_rows], dtype=np.float64), np.float64, "residents", "1"),
    }
    for name, (values, dtype, long_name, units) in aux.items():
        dset = f.create_dataset(name, data=values, dtype=dtype)
        dset.attrs["long_name"] = long_name
        if units:
            dset.attrs["units"] = units
        dset.dims[0].attach_scale(scales["site"])
    step = f.create_dataset("step", data=np.arange(steps, dtype=np.int64))
    step.attrs["long_name"] = "model step number"
    step.attrs["units"] = "1"
    step.dims[0].attach_scale(scales["time"])
    return scales


def _write_variable(
    f: h5py.File, name: str, spec: _VarSpec, values: np.ndarray, scales: list[h5py.Dataset]
) -> None:
    chunks = (1, 1, 1) + values.shape[3:]
    dset = f.create_dataset(
        name,
        data=values,
        dtype=np.float64,
        chunks=chunks,
        compression="gzip",
        compression_opts=4,
        shuffle=True,
        fillvalue=np.nan,
    )
    dset.attrs["_FillValue"] = np.float64(np.nan)
    dset.attrs["units"] = spec.units
    dset.attrs["long_name"] = spec.long_name
    dset.attrs["description"] = spec.description
    for axis, scale_dset in enumerate(scales):
        dset.dims[axis].attach_scale(scale_dset)


def _write_parameters(f: h5py.File, with_sources: bool) -> None:
    group = f.create_group("parameters", track_order=True)
    for name, (value, units, description, lo, hi, source) in _PARAMETERS.items():
        dset = group.create_dataset(name, data=np.float64(value))
        dset.attrs["units"] = units
        dset.attrs["description"] = description
        dset.attrs["valid_min"] = np.float64(lo)
        dset.attrs["valid_max"] = np.float64(hi)
        if with_sources:
            dset.attrs["source"] = source
