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
from typing import Any, Mapping, Sequence

import h5py
import numpy as np

__all__ = [
    "ATC_CONTRASTS",
    "ATC_DESCRIPTIONS",
    "ATC_EFFECTS",
    "ATC_INTERVENTIONS",
    "ATC_SCENARIOS",
    "ATC_SITES",
    "PEOPLE_VARIABLES",
    "SITE_QUALITY",
    "make_synthetic_atc",
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
    kind: str  # "level", "cumulative", "count", "cost" (deterministic) or "fixed" (deterministic level)
    role: str = "outcome"  # the atcsim_role attribute: "outcome" or "input"
    theme: bool = False  # has the extra `theme` dimension
    plausible: str = ""  # the atcsim_plausible attribute (one range per line), "" for none


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
        role="input",
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
    theme=True,
)

#: Indicators of the territorial model's evaluation (issue 14): head counts per theme,
#: representation ratios, inputs, a deterministic outcome and recorded plausible ranges.
#: Written with ``people=True``.
PEOPLE_VARIABLES: dict[str, _VarSpec] = {
    "participants": _VarSpec(
        "person", "residents participating", "residents aged 15+ at level >= 2", 700.0, 1000.0, "level"
    ),
    "core_members": _VarSpec(
        "person",
        "core participants",
        "residents at level 4, at full scale",
        30.0,
        100.0,
        "level",
        plausible="core_members_per_site|value|3|100|1000|10000|-1|[read, secondary]\n",
    ),
    "people_reached": _VarSpec(
        "person",
        "people reached by successful projects (cumulative)",
        "people of each theme's target group reached since week 0",
        200.0,
        500.0,
        "cumulative",
        theme=True,
    ),
    "people_moved": _VarSpec(
        "person",
        "people moved into a better state (cumulative)",
        "people of each theme's target group moved into the better state since week 0",
        10.0,
        100.0,
        "cumulative",
        theme=True,
    ),
    "people_better_off": _VarSpec(
        "person",
        "people in a better state through projects",
        "people currently in the better state of each theme",
        8.0,
        100.0,
        "cumulative",
        theme=True,
    ),
    "youth_representation_ratio": _VarSpec(
        "1",
        "youth representation ratio",
        "share of 15-24 among participants / among residents",
        0.7,
        1.0,
        "level",
    ),
    "low_income_representation_ratio": _VarSpec(
        "1",
        "low-income representation ratio",
        "share of low-income among participants / among residents",
        0.8,
        1.0,
        "level",
    ),
    "forum_attendance": _VarSpec(
        "person",
        "attendees at the last forum",
        "residents attending the last forum held",
        40.0,
        200.0,
        "level",
        plausible="forum_attendance|per_event|3|250|0|1e+300|-1|[read]\n",
    ),
    "diagnosis_quality": _VarSpec(
        "1", "quality of the shared diagnosis", "quality Q in [0, 1] (deterministic here)", 0.2, 0.0, "fixed"
    ),
    "resident_voice_share": _VarSpec(
        "1",
        "residents' share of voice in decisions",
        "the governance body's v, set by the scenario",
        0.0,
        0.0,
        "fixed",
        role="input",
    ),
}

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
    "participants": 60.0,
    "core_members": 5.0,
    "people_reached": 120.0,
    "people_moved": 15.0,
    "people_better_off": 10.0,
    "youth_representation_ratio": 0.05,
    "low_income_representation_ratio": 0.03,
    "forum_attendance": 8.0,
    "diagnosis_quality": 0.1,
    "resident_voice_share": 0.25,
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
    roles: bool = True,
    people: bool = False,
    contrasts: Sequence[Mapping[str, str]] | None = None,
    descriptions: Mapping[str, str] | None = None,
    interventions: Sequence[Mapping[str, Any]] | None = None,
    site_quality: bool = False,
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
    roles
        Write the ``atcsim_role`` attribute on each indicator (``input`` for
        costs and scenario settings); False mimics files of older engines.
    people
        Also write the evaluation indicators of :data:`PEOPLE_VARIABLES` (head
        counts per theme, representation ratios, an input, a deterministic
        outcome, recorded plausible ranges).
    contrasts
        Named contrasts (``name``, ``treatment``, ``baseline``, ``question``,
        ``question_fr``, ``at``): the ``contrast`` dimension and its string variables.
    descriptions
        ``scenario_description`` per scenario name.
    interventions
        The intervention timeline (``scenario``, ``kind``, ``sites`` ("" for
        all), ``start`` and ``end`` dates, ``end`` None for no end), written as
        the ``intervention`` dimension with days since the start date.
    site_quality
        Write ``site_identity``, ``site_perimeter``, ``site_source_kind``,
        ``site_provenance`` and ``site_value`` (see :data:`SITE_QUALITY`).

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
    known = {**SYNTHETIC_VARIABLES, **PEOPLE_VARIABLES}
    specs = {n: known.get(n, _generic_spec(n)) for n in names}
    if extra_theme_var:
        specs[_THEME_VARIABLE] = _THEME_SPEC
    if people:
        specs.update({n: spec for n, spec in PEOPLE_VARIABLES.items() if n not in specs})
    true_effects = _resolve_effects(scenarios, specs, effects)
    flags = _resolve_complete(complete, partial, len(scenarios), replicates)

    rng = np.random.default_rng(seed)
    shape = (len(scenarios), replicates, len(site_rows), steps)
    data = {
        name: _simulate(spec, true_effects[name], shape, noise, rng, n_theme=len(THEMES) if spec.theme else 0)
        for name, spec in specs.items()
    }
    for values in data.values():
        values[flags == 0] = np.nan

    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w", track_order=True) as f:
        _write_global_attrs(f, path, scenarios, replicates, steps, seed, model, step_days, start_date, schema)
        any_theme = any(spec.theme for spec in specs.values())
        scales = _write_coordinates(
            f, scenarios, replicates, site_rows, steps, step_days, start_date, any_theme
        )
        for name, spec in specs.items():
            dims = ["scenario", "replicate", "site", "time"]
            if spec.theme:
                dims.append("theme")
            _write_variable(f, name, spec, data[name], [scales[d] for d in dims], roles)
        rc = f.create_dataset("run_complete", data=flags.astype(np.int8))
        rc.attrs["long_name"] = "run complete flag"
        rc.attrs["description"] = "1 when the run's data are complete on disk"
        rc.attrs["units"] = "1"
        rc.attrs["flag_values"] = np.array([0, 1], dtype=np.int8)
        rc.attrs["flag_meanings"] = "incomplete complete"
        rc.dims[0].attach_scale(scales["scenario"])
        rc.dims[1].attach_scale(scales["replicate"])
        _write_parameters(f, parameter_sources)
        if site_quality:
            _write_site_quality(f, site_rows, scales)
        if contrasts:
            _write_contrasts(f, contrasts)
        if descriptions is not None:
            values = np.array([str(descriptions.get(n, "")) for n in scenarios], dtype=object)
            _write_strings(f, "scenario_description", values, [scales["scenario"]], "scenario description")
        if interventions:
            _write_interventions(f, interventions, start_date)
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
    if spec.kind == "fixed":
        final = np.broadcast_to(eff, (n_s, n_r, n_i, *extra))
        return spec.base + final[:, :, :, None] * _expand(ramp, extra)
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


_CHUNK_BYTES = 256 * 1024  # the engine's kChunkBytes


def _write_variable(
    f: h5py.File,
    name: str,
    spec: _VarSpec,
    values: np.ndarray,
    scales: list[h5py.Dataset],
    roles: bool = True,
) -> None:
    # As the engine chunks (sites_per_chunk, sim/io/file_layout.hpp): one run's
    # series of all its sites, or of as many as _CHUNK_BYTES hold.
    per_site = int(np.prod(values.shape[3:])) * 8  # stored as float64
    chunks = (1, 1, min(max(1, _CHUNK_BYTES // max(per_site, 1)), values.shape[2])) + values.shape[3:]
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
    if roles:
        dset.attrs["atcsim_role"] = spec.role
    if spec.plausible:
        dset.attrs["atcsim_plausible"] = spec.plausible
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


# ------------------------------------------------------------ evaluation metadata

#: Site data quality written with ``site_quality=True``: id -> (identity, source kind
#: of the population, perimeter of the population). Sites not listed: resolved,
#: official, qpv.
SITE_QUALITY: dict[str, tuple[str, str, str]] = {
    "marseille_frais_vallon": ("resolved", "secondary", "qpv"),
    "fort_de_france_quartiers_ouest": ("resolved", "secondary", "estate"),
    "hombourg_haut_les_chenes": ("resolved", "secondary", "estate"),
    "aubenas_quartiers_davenir": ("resolved", "assumption", "national_default"),
    "saint_denis_unresolved": ("unresolved", "assumption", "national_default"),
    "roubaix_epeule_unverified": ("unverified", "secondary", "estate"),
}
_SITE_FIELDS = ("population", "poverty_rate")
_PROVENANCE = {"official": "qpv-official", "secondary": "qpv-official", "assumption": "assumption"}


def _write_strings(
    f: h5py.File, name: str, values: np.ndarray, scales: Sequence[h5py.Dataset], long_name: str
) -> h5py.Dataset:
    dset = f.create_dataset(name, data=values, dtype=h5py.string_dtype("utf-8"))
    dset.attrs["long_name"] = long_name
    for axis, scale_dset in enumerate(scales):
        dset.dims[axis].attach_scale(scale_dset)
    return dset


def _new_scale(f: h5py.File, name: str, values: Sequence[str], long_name: str) -> h5py.Dataset:
    dset = f.create_dataset(name, data=np.array(list(values), dtype=object), dtype=h5py.string_dtype("utf-8"))
    dset.attrs["long_name"] = long_name
    dset.make_scale(name)
    return dset


def _write_site_quality(
    f: h5py.File, site_rows: list[tuple[str, str, str, str, float]], scales: Mapping[str, h5py.Dataset]
) -> None:
    field_scale = _new_scale(f, "site_field", _SITE_FIELDS, "site profile field")
    site = scales["site"]
    quality = [SITE_QUALITY.get(row[0], ("resolved", "official", "qpv")) for row in site_rows]
    identity = np.array([q[0] for q in quality], dtype=object)
    _write_strings(f, "site_identity", identity, [site], "whether the site's identity is resolved")
    # the population's quality is the site's; other fields: official for resolved sites, else assumed
    kind = np.array([[q[1], q[1] if q[0] == "resolved" else "assumption"] for q in quality], dtype=object)
    perimeter = np.array([[q[2], q[2]] for q in quality], dtype=object)
    provenance = np.vectorize(lambda k: _PROVENANCE[k], otypes=[object])(kind)
    _write_strings(f, "site_source_kind", kind, [site, field_scale], "source kind of each site value")
    _write_strings(f, "site_perimeter", perimeter, [site, field_scale], "perimeter of each site value")
    _write_strings(f, "site_provenance", provenance, [site, field_scale], "source of each site value")
    values = np.array([[row[4], 0.42] for row in site_rows], dtype=np.float64)
    dset = f.create_dataset("site_value", data=values)
    dset.attrs["long_name"] = "site profile value used by the model"
    dset.dims[0].attach_scale(site)
    dset.dims[1].attach_scale(field_scale)


def _write_contrasts(f: h5py.File, contrasts: Sequence[Mapping[str, str]]) -> None:
    scale = _new_scale(f, "contrast", [c["name"] for c in contrasts], "contrast name")
    for key, long_name in (
        ("treatment", "treatment scenario of the contrast"),
        ("baseline", "baseline scenario of the contrast"),
        ("question", "question the contrast answers"),
        ("question_fr", "question the contrast answers, in French"),
        ("at", "date the contrast is measured at by default"),
    ):
        values = np.array([str(c.get(key, "")) for c in contrasts], dtype=object)
        _write_strings(f, f"contrast_{key}", values, [scale], long_name)


def _write_interventions(f: h5py.File, interventions: Sequence[Mapping[str, Any]], start_date: str) -> None:
    start = np.datetime64(start_date, "D")

    def days(value: Any) -> float:
        if value is None or value == "":
            return float("nan")
        return float((np.datetime64(str(value), "D") - start).astype(int))

    n = len(interventions)
    scale = f.create_dataset("intervention", data=np.arange(n, dtype=np.int64))
    scale.attrs["long_name"] = "intervention index"
    scale.make_scale("intervention")
    for key in ("scenario", "kind", "sites"):
        values = np.array([str(i.get(key, "")) for i in interventions], dtype=object)
        _write_strings(f, f"intervention_{key}", values, [scale], f"intervention {key}")
    for key in ("start", "end"):
        dset = f.create_dataset(
            f"intervention_{key}", data=np.array([days(i.get(key)) for i in interventions], dtype=np.float64)
        )
        dset.attrs["long_name"] = f"intervention {key}, days since the start date (NaN: no end)"
        dset.dims[0].attach_scale(scale)


#: Scenarios of :func:`make_synthetic_atc`: the ATC experiment and a factorial split of its package.
ATC_SCENARIOS: tuple[str, ...] = (
    "baseline",
    "atc",
    "atc_covid",
    "atc_continued",
    "animator_only",
    "governance_only",
    "diagnosis_only",
)
#: Sites of :func:`make_synthetic_atc`: small and large, official and not, resolved and not.
ATC_SITES: tuple[str, ...] = (
    "marseille_frais_vallon",
    "saint_gilles_sabatot",
    "hombourg_haut_les_chenes",
    "avignon_monclar_champfleury",
    "saint_denis_unresolved",
    "roubaix_epeule_unverified",
)
ATC_CONTRASTS: tuple[dict[str, str], ...] = (
    {
        "name": "experiment",
        "treatment": "atc",
        "baseline": "baseline",
        "question": "what did the experiment change?",
        "question_fr": "qu'a changé l'expérimentation ?",
    },
    {
        "name": "covid",
        "treatment": "atc_covid",
        "baseline": "atc",
        "question": "what did COVID-19 cost it?",
        "question_fr": "que lui a coûté la COVID-19 ?",
    },
    {
        "name": "animator_stays",
        "treatment": "atc_continued",
        "baseline": "atc_covid",
        "question": "what if the animator had stayed?",
        "question_fr": "et si l'animateur était resté ?",
    },
    {
        "name": "animator_only",
        "treatment": "animator_only",
        "baseline": "baseline",
        "question": "what does the animator alone change?",
        "question_fr": "que change l'animateur seul ?",
    },
    {
        "name": "governance_only",
        "treatment": "governance_only",
        "baseline": "baseline",
        "question": "what does shared governance alone change?",
        "question_fr": "que change la gouvernance partagée seule ?",
    },
    {
        "name": "diagnosis_only",
        "treatment": "diagnosis_only",
        "baseline": "baseline",
        "question": "what does the shared diagnosis alone change?",
        "question_fr": "que change le diagnostic partagé seul ?",
    },
)
ATC_DESCRIPTIONS: dict[str, str] = {
    "baseline": "no intervention",
    "atc": "the experiment as run, without COVID-19",
    "atc_covid": "atc hit by the three French lockdowns",
    "atc_continued": "atc_covid with the animator kept after 2021",
    "animator_only": "the animator alone",
    "governance_only": "shared governance alone",
    "diagnosis_only": "shared diagnosis alone",
}
_PACKAGE_START = "2019-09-02"
_ANIMATOR_END = "2021-12-31"
_LOCKDOWNS = (("2020-03-17", "2020-05-11"), ("2020-10-30", "2020-12-15"), ("2021-04-03", "2021-05-03"))


def _package(scenario: str, animator_end: str | None, lockdowns: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"scenario": scenario, "kind": "animator", "sites": "", "start": _PACKAGE_START, "end": animator_end},
        {
            "scenario": scenario,
            "kind": "shared_governance",
            "sites": "",
            "start": _PACKAGE_START,
            "end": None,
        },
        {"scenario": scenario, "kind": "shared_diagnosis", "sites": "", "start": _PACKAGE_START, "end": None},
    ]
    if lockdowns:
        rows += [
            {"scenario": scenario, "kind": "lockdown", "sites": "", "start": a, "end": b}
            for a, b in _LOCKDOWNS
        ]
    return rows


#: The intervention timeline of :func:`make_synthetic_atc` (that of scenarios/atc15.toml).
ATC_INTERVENTIONS: tuple[dict[str, Any], ...] = (
    *_package("atc", _ANIMATOR_END, False),
    *_package("atc_covid", _ANIMATOR_END, True),
    *_package("atc_continued", None, True),
    {
        "scenario": "animator_only",
        "kind": "animator",
        "sites": "",
        "start": _PACKAGE_START,
        "end": _ANIMATOR_END,
    },
    {
        "scenario": "governance_only",
        "kind": "shared_governance",
        "sites": "",
        "start": _PACKAGE_START,
        "end": None,
    },
    {
        "scenario": "diagnosis_only",
        "kind": "shared_diagnosis",
        "sites": "",
        "start": _PACKAGE_START,
        "end": None,
    },
)

#: True effects (at the last recorded step) of :func:`make_synthetic_atc`, versus baseline.
ATC_EFFECTS: dict[str, dict[str, float]] = {
    "atc": {
        "participation_share": 0.04,
        "participants": 150.0,
        "core_members": 6.0,
        "people_reached": 120.0,
        "people_moved": 30.0,
        "people_better_off": 12.0,
        "youth_representation_ratio": 0.10,
        "low_income_representation_ratio": 0.05,
        "avoided_costs_eur": 150_000.0,
        "intervention_cost_eur": 200_000.0,
        "diagnosis_quality": 0.3,
        "resident_voice_share": 0.5,
        "trust_institutions": 0.02,
    },
    "atc_covid": {
        "participation_share": 0.03,
        "participants": 110.0,
        "core_members": 4.0,
        "people_reached": 90.0,
        "people_moved": 22.0,
        "people_better_off": 9.0,
        "avoided_costs_eur": 110_000.0,
        "intervention_cost_eur": 200_000.0,
        "diagnosis_quality": 0.25,
        "resident_voice_share": 0.5,
    },
    "atc_continued": {
        "participation_share": 0.05,
        "participants": 180.0,
        "core_members": 7.0,
        "people_reached": 150.0,
        "people_moved": 35.0,
        "people_better_off": 14.0,
        "avoided_costs_eur": 180_000.0,
        "intervention_cost_eur": 300_000.0,
        "diagnosis_quality": 0.3,
        "resident_voice_share": 0.5,
    },
    "animator_only": {
        "participants": 20.0,
        "intervention_cost_eur": 120_000.0,
        "avoided_costs_eur": 20_000.0,
    },
    "governance_only": {
        "participants": 90.0,
        "people_reached": 60.0,
        "intervention_cost_eur": 30_000.0,
        "avoided_costs_eur": 60_000.0,
        "resident_voice_share": 0.5,
    },
    "diagnosis_only": {"diagnosis_quality": 0.3, "intervention_cost_eur": 20_000.0},
}


def make_synthetic_atc(
    path: str | os.PathLike[str],
    *,
    replicates: int = 10,
    sites: int | Sequence[str] = ATC_SITES,
    steps: int = 53,
    step_days: int = 30,
    seed: int = 0,
    noise: float = 0.02,
    metadata: bool = True,
    **kwargs: Any,
) -> Path:
    """An ATC-shaped synthetic file: seven scenarios, head counts per theme, evaluation metadata.

    The calendar is that of ``scenarios/atc15.toml`` (2019-09-02 to the end of
    2023, with 53 steps of 30 days by default, so files stay small): the
    package starts on 2019-09-02 and the animator leaves on 2021-12-31; the
    lockdowns of ``atc_covid`` and ``atc_continued`` are dated. With
    ``metadata=True`` the file holds what the engine writes since issue 14:
    the named contrasts of :data:`ATC_CONTRASTS` (English and French
    questions), scenario descriptions, the intervention timeline and the data
    quality of the sites (:data:`SITE_QUALITY`); with ``metadata=False`` it is
    shaped like a file of an older engine (no roles either). True effects are
    :data:`ATC_EFFECTS` at the last step, ramped linearly from 0 at the first.
    Other keyword arguments go to :func:`make_synthetic`.
    """
    options: dict[str, Any] = {
        "scenarios": ATC_SCENARIOS,
        "replicates": replicates,
        "sites": sites,
        "steps": steps,
        "step_days": step_days,
        "seed": seed,
        "noise": noise,
        "effects": ATC_EFFECTS,
        "people": True,
        "roles": metadata,
        "variables": [
            "participation_share",
            "trust_institutions",
            "projects_succeeded",
            "avoided_costs_eur",
            "intervention_cost_eur",
        ],
        "extra_theme_var": False,
    }
    if metadata:
        options.update(
            contrasts=ATC_CONTRASTS,
            descriptions=ATC_DESCRIPTIONS,
            interventions=ATC_INTERVENTIONS,
            site_quality=True,
        )
    options.update(kwargs)
    return make_synthetic(path, **options)
