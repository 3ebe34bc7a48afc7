"""The evaluator's answers: effects of each contrast in people and per capita, for whom, at what cost.

:func:`evaluate` computes, for each named contrast (:func:`atcsim.contrasts`),
the paired effect of every outcome indicator per site, per network and pooled,
in people (totals) and per 1,000 residents for head counts, in percentage points
for shares; the costs (extra intervention cost, avoided costs, benefit-cost
ratio, cost per person reached and moved); and the plausibility checks (levels
outside the ranges the file records, effects outside the envelope's contrast
bounds). Inputs (``atcsim_role = "input"``) are never reported as effects.

Statistics are those of :func:`atcsim.compare`: paired differences (treatment
minus baseline, same replicate) and 95 % percentile bootstrap CIs over
replicates with the same resamples, computed for all columns at once. Pooling
over sites is population-weighted by default (the ``population`` coordinate):
a pooled share is the population-weighted mean of the sites' shares, a pooled
head count the sum over sites and its per-1,000 figure the sum divided by the
total population. ``pooling="unweighted"`` gives every site the same weight.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .bootstrap import DEFAULT_N_BOOT, DEFAULT_SEED, bootstrap_ci, check_boot_args, resample_indices
from .comparison import MIN_RELIABLE_REPLICATES
from .dataset import SWEEP_DIM, extra_dims, indicators, site_labels
from .errors import AtcsimError, SweepError
from .i18n import Note
from .evaluation import (
    Contrast,
    Envelope,
    ParameterUncertainty,
    PlausibleRange,
    contrasts as file_contrasts,
    experiment_end,
    input_indicators,
    intervention_timeline,
    is_input,
    load_envelope,
    parameter_uncertainty,
    plausible_ranges,
    site_quality,
)
from .results import POOLED
from .time_selection import TimeSpec, select_time

__all__ = [
    "PEOPLE_VARIABLES",
    "SHARE_VARIABLES",
    "FOR_WHOM_VARIABLES",
    "PROCESS_VARIABLES",
    "DEFAULT_EFFECT_VARIABLES",
    "ALL_THEMES",
    "When",
    "Evaluation",
    "evaluate",
    "contrast_whens",
    "is_deterministic",
    "is_people",
    "is_share",
]

#: Head counts (units "person") reported in people and per 1,000 residents.
PEOPLE_VARIABLES: tuple[str, ...] = (
    "participants",
    "core_members",
    "people_reached",
    "people_moved",
    "people_better_off",
)
#: Shares reported in percentage points.
SHARE_VARIABLES: tuple[str, ...] = ("participation_share", "active_share")
#: Who takes part: representation ratios (1 = parity with the population).
FOR_WHOM_VARIABLES: tuple[str, ...] = ("youth_representation_ratio", "low_income_representation_ratio")
#: Process (implementation) measures: their effect echoes the schedule of the intervention (the shared
#: diagnosis's quality gains diagnosis_gain per forum during a shared diagnosis, diagnosis_without_process
#: times that otherwise: models/territorial/phases_residents.cpp), so they show delivery, not outcomes.
PROCESS_VARIABLES: tuple[str, ...] = ("diagnosis_quality",)
#: Every indicator whose effect is computed by default, when the file has it and it is an outcome.
DEFAULT_EFFECT_VARIABLES: tuple[str, ...] = (
    *PEOPLE_VARIABLES,
    *SHARE_VARIABLES,
    *FOR_WHOM_VARIABLES,
    "forum_attendance",
    "trust_institutions",
    "trust_associations",
    "collective_efficacy",
    "institution_posture",
    "org_trust_mean",
    "projects_succeeded",
    "diagnosis_quality",
    "conflict_productive",
    "conflict_destructive",
    "avoided_costs_eur",
)
#: Label of the sum over an extra dimension (themes) of a head count.
ALL_THEMES = "all"
_COST = "intervention_cost_eur"
_AVOIDED = "avoided_costs_eur"
_DETERMINISTIC_RTOL = 1e-9


def is_people(ds: xr.Dataset, name: str) -> bool:
    """True for head counts (``units`` person/persons/people)."""
    return str(ds[name].attrs.get("units", "")).strip().lower() in ("person", "persons", "people")


def is_share(ds: xr.Dataset, name: str) -> bool:
    """True for shares in [0, 1] (dimensionless ``*_share`` indicators), reported in percentage points."""
    return name.endswith("_share") and str(ds[name].attrs.get("units", "1")).strip() in ("1", "")


def is_deterministic(d: np.ndarray) -> bool:
    """True when at least 2 paired differences are all equal (up to rounding): no spread across replicates."""
    d = np.asarray(d, dtype=float)
    d = d[np.isfinite(d)]
    if d.size < 2:
        return False
    scale = max(float(np.abs(d).max()), 1e-300)
    return float(d.std(ddof=1)) <= _DETERMINISTIC_RTOL * scale


@dataclass(frozen=True)
class When:
    """When effects are measured.

    ``indices``: positions on the time axis (one, or a window averaged);
    ``end_index``: the position at which cumulative costs and per-year rates
    are taken; ``source``: ``"experiment end"`` (the last end date of the
    package), ``"run end"`` (no dated package: the last recorded time),
    ``"at"`` or ``"window"`` (chosen by the user), ``"contrast"`` (the date
    the contrast declares, ``[[contrast]] at``), ``"run end before contrast"``
    (the run stops before that date); ``experiment_end``: the
    package's last end date when known; ``years``: years from the first
    recorded time to ``end_index``.
    """

    indices: np.ndarray
    end_index: int
    label: str
    source: str
    date: pd.Timestamp | None
    experiment_end: pd.Timestamp | None
    years: float

    @property
    def is_window(self) -> bool:
        return len(self.indices) > 1


def contrast_whens(
    ds: xr.Dataset,
    chosen: Sequence[Contrast],
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    notes: list[str] | None = None,
) -> tuple[When, dict[str, When]]:
    """The default measurement time and each contrast's.

    A time the user gives (``at`` or ``window``) applies to every contrast;
    otherwise a contrast that declares its date (``[[contrast]] at``) is
    measured then (at the end of the run when the run stops before that
    date, with a note in ``notes``), the others at the end of the experiment.
    """
    default = resolve_when(ds, at, window)
    times = np.asarray(ds["time"].values)
    last = pd.Timestamp(times[-1]) if len(times) and np.issubdtype(times.dtype, np.datetime64) else None
    whens = {}
    for c in chosen:
        if at is None and window is None and c.at:
            if last is not None and pd.Timestamp(c.at) > last:
                whens[c.name] = dataclasses.replace(resolve_when(ds, -1), source="run end before contrast")
                if notes is not None:
                    notes.append(Note("note_contrast_after_run", name=c.name, at=c.at, end=str(last.date())))
            else:
                whens[c.name] = dataclasses.replace(resolve_when(ds, c.at), source="contrast")
        else:
            whens[c.name] = default
    return default, whens


def resolve_when(
    ds: xr.Dataset, at: TimeSpec = None, window: tuple[TimeSpec, TimeSpec] | None = None
) -> When:
    """The measurement time: ``at``, ``window``, else the end of the experiment (else of the run)."""
    end = experiment_end(ds)
    if window is not None:
        sel = select_time(ds, None, window)
        source = "window"
    elif at is not None:
        sel = select_time(ds, at)
        source = "at"
    else:
        sel = select_time(ds, int(end.index) - ds.sizes["time"]) if ds.sizes["time"] else select_time(ds)
        source = "experiment end" if end.source == "package" else "run end"
    indices = np.asarray(sel.indices)
    end_index = int(indices[-1])
    times = np.asarray(ds["time"].values)
    dated = np.issubdtype(times.dtype, np.datetime64)
    date = pd.Timestamp(times[end_index]) if dated else None
    if dated and len(times) > 1:
        years = (pd.Timestamp(times[end_index]) - pd.Timestamp(times[0])).days / 365.25
    else:
        step_days = float(ds.attrs.get("step_days", 7) or 7)
        years = end_index * step_days / 365.25
    return When(indices, end_index, sel.label, source, date, end.date, float(years))


@dataclass
class Evaluation:
    """What :func:`evaluate` found. Every table is a pandas DataFrame.

    Attributes
    ----------
    contrasts
        The contrasts evaluated (with their questions and where they come from).
    when
        The default measurement time (:class:`When`): the user's ``at`` or
        ``window``, else the end of the experiment.
    whens
        Each contrast's measurement time (:meth:`when_of`): ``when``, or the
        date the contrast declares (``[[contrast]] at``) when the user gave none.
    pooling
        ``"population"`` or ``"unweighted"`` (the pooling actually used).
    effects
        One row per contrast x indicator (x theme) x scale x group: columns
        ``contrast``, ``variable``, ``theme`` (label, :data:`ALL_THEMES` for the
        sum over themes, ``""`` without a theme), ``label``, ``scale``
        (``people`` totals, ``per_1000`` residents, ``pp`` percentage points for
        shares in %, ``value`` otherwise), ``group_kind`` (``site``,
        ``network``, ``pooled``), ``group``, ``group_name``, ``baseline_mean``,
        ``treatment_mean``, ``mean_diff``, ``ci_low``, ``ci_high``, ``sd_diff``,
        ``effect_size`` (d_z; NaN when not meaningful: fewer than 2
        replicates, or no spread), ``deterministic`` (no spread across
        replicates: the effect is exact given the assumptions),
        ``n_replicates`` and ``measured_at`` (the contrast's time label).
    costs
        One row per contrast x group: ``extra_cost_eur``, ``avoided_eur``,
        ``net_benefit_eur``, ``benefit_cost_ratio``, ``cost_per_person_reached``,
        ``cost_per_person_moved``, ``extra_cost_per_site_year`` (each with
        ``_ci_low``/``_ci_high`` where defined), ``n_replicates``,
        ``measured_at``. Costs are cumulative to the contrast's time.
    checks
        Every plausibility check made: ``check`` (``level``: a scenario's
        replicate mean against the range the file records, as the engine
        computes it; ``effect``: an effect of the package, i.e. of a contrast
        whose baseline delivers none of it, against the envelope's contrast
        bounds; ``benefit-cost ratio``; ``cost per site-year`` of scenarios
        delivering the whole package), ``subject`` (scenario or contrast),
        ``indicator``, ``label``, ``site``, ``site_name``, ``value``,
        ``ci_low``, ``ci_high`` (NaN for levels), ``min``, ``max``, ``unit``,
        ``table``, ``status``, ``inside`` (False when the value, or its whole
        CI when it has one, is outside the range).
    site_quality
        :func:`atcsim.site_quality`.
    inputs
        Indicators that are inputs, left out of the effects.
    notes
        Plain-language notes on what was done (fallbacks, missing data).
    """

    contrasts: list[Contrast]
    when: When
    whens: dict[str, When]
    pooling: str
    effects: pd.DataFrame
    costs: pd.DataFrame
    checks: pd.DataFrame
    site_quality: pd.DataFrame
    inputs: list[str]
    envelope: Envelope
    uncertainty: ParameterUncertainty
    ci: float = 0.95
    n_boot: int = DEFAULT_N_BOOT
    seed: int = DEFAULT_SEED
    n_replicates: int = 0
    notes: list[str] = field(default_factory=list)

    def when_of(self, contrast: str | Contrast) -> When:
        """When ``contrast`` (a name or a :class:`Contrast`) is measured."""
        name = contrast.name if isinstance(contrast, Contrast) else contrast
        return self.whens.get(name, self.when)

    @property
    def same_time(self) -> bool:
        """True when every contrast is measured at the same time."""
        return len({(tuple(w.indices), w.end_index) for w in self.whens.values()}) <= 1

    @property
    def flags(self) -> pd.DataFrame:
        """The failed checks."""
        return self.checks[~self.checks["inside"].astype(bool)] if len(self.checks) else self.checks

    def effect(
        self,
        contrast: str,
        variable: str,
        *,
        theme: str = "",
        scale: str | None = None,
        group: str = POOLED,
    ) -> pd.Series | None:
        """One row of :attr:`effects` (None when absent). ``scale`` defaults to the first available."""
        e = self.effects
        if e.empty:
            return None
        m = (
            (e["contrast"] == contrast)
            & (e["variable"] == variable)
            & (e["theme"] == theme)
            & (e["group"] == group)
        )
        if scale is not None:
            m &= e["scale"] == scale
        rows = e[m]
        return None if rows.empty else rows.iloc[0]

    def cost(self, contrast: str, group: str = POOLED) -> pd.Series | None:
        c = self.costs
        if c.empty:
            return None
        rows = c[(c["contrast"] == contrast) & (c["group"] == group)]
        return None if rows.empty else rows.iloc[0]


# ---------------------------------------------------------------------------- API


def evaluate(
    ds: xr.Dataset,
    contrasts: Sequence[Contrast] | None = None,
    *,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    pooling: str = "population",
    variables: Sequence[str] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    ci: float = 0.95,
    envelope: Envelope | None = None,
) -> Evaluation:
    """Effects, costs and plausibility checks of every contrast.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open` (one parameter point).
    contrasts
        Default: :func:`atcsim.contrasts` (the file's named contrasts, else each
        scenario versus the baseline).
    at, window
        When to measure every contrast (see :func:`atcsim.select_time`).
        Default: each contrast's own date (``[[contrast]] at``), else the end
        of the experiment (the last end date of the package in the
        intervention timeline; the last recorded time when the package has no
        end date).
        With a window, levels and head counts are averaged over it; cumulative
        costs and per-year rates are taken at its end.
    pooling
        ``"population"`` (default) or ``"unweighted"``.
    variables
        Indicators whose effects are computed (default: those of
        :data:`DEFAULT_EFFECT_VARIABLES` in the file when it has head counts,
        shares or representation ratios, else every outcome). Inputs are
        dropped with a note; indicators with more than one extra dimension
        are skipped.
    n_boot, seed, ci
        Bootstrap settings (as :func:`atcsim.compare`).
    envelope
        Plausibility envelope (default: :func:`atcsim.evaluation.load_envelope`).

    Raises
    ------
    SweepError
        The file holds a parameter sweep (select a point first).
    ValueError
        Unknown ``pooling``.
    """
    check_boot_args(n_boot, ci)
    if pooling not in ("population", "unweighted"):
        raise ValueError(f"pooling must be 'population' or 'unweighted', got {pooling!r}")
    if SWEEP_DIM in ds.dims:
        if ds.sizes[SWEEP_DIM] != 1:
            raise SweepError(
                "evaluate() works on one parameter point: select one first, e.g. ds.isel(point=0)"
            )
        ds = ds.isel({SWEEP_DIM: 0})
    if ds.sizes["replicate"] == 0:
        raise AtcsimError("no complete replicate to evaluate")
    notes: list[str] = []
    chosen = list(contrasts) if contrasts is not None else file_contrasts(ds)
    when, whens = contrast_whens(ds, chosen, at, window, notes)
    quality = site_quality(ds)
    population = quality["population"].to_numpy(float)
    if pooling == "population" and not (np.isfinite(population).all() and (population > 0).all()):
        notes.append(Note("note_no_population"))
        pooling = "unweighted"
    inputs = input_indicators(ds)
    names = _effect_variables(ds, variables, notes)
    groups = _groups(ds, population, pooling)
    env = envelope if envelope is not None else load_envelope()
    effects, costs, checks = [], [], []
    for group_when, group in _by_time(chosen, whens):
        data = _Reader(ds, group_when)
        group_costs = _costs(ds, data, group, groups, group_when, n_boot, seed, ci, notes)
        effects.append(_effects(ds, data, group, names, groups, n_boot, seed, ci))
        costs.append(group_costs)
        checks.append(
            _checks(ds, data, group, group_costs, group_when, env, quality, n_boot, seed, ci, False)
        )
    checks.append(
        _checks(ds, _Reader(ds, when), [], pd.DataFrame(), when, env, quality, n_boot, seed, ci, True)
    )
    effects_table = _in_contrast_order(_stamped(effects, whens), chosen)
    if effects_table.empty:
        effects_table = _empty_effects()
    costs_table = _in_contrast_order(_stamped(costs, whens), chosen)
    checks_table = pd.concat([c for c in checks if len(c)] or [checks[-1]], ignore_index=True)
    if not env.found:
        notes.append(Note("note_no_envelope", paths=", ".join(env.searched)))
    n_rep = int(ds.sizes["replicate"])
    if n_rep < MIN_RELIABLE_REPLICATES:
        notes.append(Note("few_replicates", n=n_rep))
    return Evaluation(
        contrasts=chosen,
        when=when,
        whens=whens,
        pooling=pooling,
        effects=effects_table,
        costs=costs_table,
        checks=checks_table,
        site_quality=quality,
        inputs=inputs,
        envelope=env,
        uncertainty=parameter_uncertainty(ds),
        ci=ci,
        n_boot=int(n_boot),
        seed=int(seed),
        n_replicates=n_rep,
        notes=notes,
    )


# ------------------------------------------------------------------ internals


def _by_time(chosen: Sequence[Contrast], whens: dict[str, When]) -> list[tuple[When, list[Contrast]]]:
    """The contrasts grouped by measurement time (in order of first appearance), each group read once."""
    groups: dict[tuple, tuple[When, list[Contrast]]] = {}
    for c in chosen:
        w = whens[c.name]
        groups.setdefault((tuple(int(i) for i in w.indices), w.end_index), (w, []))[1].append(c)
    return list(groups.values())


def _stamped(frames: list[pd.DataFrame], whens: dict[str, When]) -> pd.DataFrame:
    """The frames concatenated, each row stamped with its contrast's time label (``measured_at``)."""
    kept = [f for f in frames if len(f)]
    if not kept:
        return pd.DataFrame()
    table = pd.concat(kept, ignore_index=True)
    table["measured_at"] = [whens[c].label for c in table["contrast"]]
    return table


def _in_contrast_order(table: pd.DataFrame, chosen: Sequence[Contrast]) -> pd.DataFrame:
    if table.empty:
        return table
    order = {c.name: k for k, c in enumerate(chosen)}
    rank = table["contrast"].map(order)
    return table.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)


def _effect_variables(ds: xr.Dataset, variables: Sequence[str] | None, notes: list[str]) -> list[str]:
    present = indicators(ds)
    if variables is None:
        evaluation = (*PEOPLE_VARIABLES, *SHARE_VARIABLES, *FOR_WHOM_VARIABLES)
        if any(v in present for v in evaluation):
            names = [v for v in DEFAULT_EFFECT_VARIABLES if v in present]
        else:  # not the territorial model's evaluation indicators: every outcome
            names = list(present)
    else:
        names = [str(v) for v in variables]
        missing = [v for v in names if v not in present]
        if missing:
            raise AtcsimError(
                f"not indicators of this file: {', '.join(missing)}; available: {', '.join(present)}"
            )
    dropped = [v for v in names if is_input(ds, v)]
    if dropped and variables is not None:
        notes.append(Note("note_inputs_dropped", names=", ".join(dropped)))
    return [v for v in names if not is_input(ds, v) and len(extra_dims(ds[v])) <= 1]


@dataclass(frozen=True)
class _Groups:
    """Sites, networks and pooled: ``mean`` and ``total`` aggregators (sites x groups)."""

    sites: list[str]
    names: list[str]
    kinds: list[str]
    labels: list[str]
    population: np.ndarray
    mean: np.ndarray
    total: np.ndarray


def _groups(ds: xr.Dataset, population: np.ndarray, pooling: str) -> _Groups:
    sites = [str(s) for s in ds["site"].values]
    labels = site_labels(ds)
    n = len(sites)
    members: list[tuple[str, str, str, np.ndarray]] = []
    if "network" in ds.coords and n > 1:
        networks = [str(v) for v in ds["network"].values]
        distinct = list(dict.fromkeys(networks))
        if len(distinct) > 1:
            for net in distinct:
                members.append(("network", net, f"network {net}", np.array([x == net for x in networks])))
    members.append(("pooled", POOLED, "all sites", np.ones(n, bool)))
    weights = population if pooling == "population" else np.ones(n)
    mean = np.zeros((n, len(members)))
    total = np.zeros((n, len(members)))
    for g, (_, _, _, m) in enumerate(members):
        w = np.where(m, weights, 0.0)
        mean[:, g] = w / w.sum()
        total[:, g] = m.astype(float)
    return _Groups(
        sites=sites,
        names=[x[1] for x in members],
        kinds=[x[0] for x in members],
        labels=[labels[s] for s in sites] + [x[2] for x in members],
        population=population,
        mean=mean,
        total=total,
    )


class _Reader:
    """Reads each variable once: at the measurement time (or window mean), and at the end index."""

    def __init__(self, ds: xr.Dataset, when: When) -> None:
        self.ds = ds
        self.when = when
        self.scenarios = [str(s) for s in ds["scenario"].values]
        self._cache: dict[tuple[str, bool], np.ndarray] = {}

    def values(self, name: str, at_end: bool = False) -> np.ndarray:
        """(scenario, replicate, site[, extra]) float array."""
        key = (name, at_end or not self.when.is_window)
        if key not in self._cache:
            da = self.ds[name].transpose("scenario", "replicate", "site", "time", *extra_dims(self.ds[name]))
            if key[1]:
                v = np.asarray(da.isel(time=self.when.end_index).values, dtype=float)
            else:
                raw = np.asarray(da.isel(time=self.when.indices).values, dtype=float)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    v = np.nanmean(raw, axis=3)
            self._cache[key] = v
        return self._cache[key]

    def scenario(self, name: str, scenario: str, at_end: bool = False) -> np.ndarray:
        return self.values(name, at_end)[self.scenarios.index(scenario)]


#: What an effects table says about a group (filled by the caller) ...
EFFECT_KEY_COLUMNS = ("contrast", "variable", "theme", "label", "scale", "group_kind", "group", "group_name")
#: ... and the paired statistics of :func:`paired_stats` (NaN where undefined).
PAIRED_FLOAT_COLUMNS = (
    "baseline_mean",
    "treatment_mean",
    "mean_diff",
    "ci_low",
    "ci_high",
    "sd_diff",
    "effect_size",
)


def _empty_effects() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[*EFFECT_KEY_COLUMNS, *PAIRED_FLOAT_COLUMNS, "deterministic", "n_replicates", "measured_at"]
    )


def _variable_columns(
    ds: xr.Dataset, data: _Reader, contrast: Contrast, name: str, groups: _Groups
) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    """Row descriptions and (replicate, column) baseline and treatment arrays of one contrast and indicator.

    Columns: per theme (and, for head counts, the sum over themes) and scale, the sites then the groups.
    """
    b_all = data.scenario(name, contrast.baseline)
    t_all = data.scenario(name, contrast.treatment)
    extra = extra_dims(ds[name])
    people = is_people(ds, name)
    share = is_share(ds, name)
    if extra:
        labels = [str(v) for v in ds[extra[0]].values]
        slices = [(lab, b_all[..., k], t_all[..., k]) for k, lab in enumerate(labels)]
        if people:
            slices.append((ALL_THEMES, b_all.sum(axis=-1), t_all.sum(axis=-1)))
    else:
        slices = [("", b_all, t_all)]
    blocks = []
    for theme, b, t in slices:
        label = f"{name}[{extra[0]}={theme}]" if theme else name
        if people:
            per_1000 = 1000.0 / groups.population
            blocks.append((theme, label, "people", b, t, groups.total))
            # per 1,000 residents, pooled as the weighted mean of the sites' rates: with population
            # weights, the group's head count over the group's population
            blocks.append((theme, label, "per_1000", b * per_1000, t * per_1000, groups.mean))
        elif share:
            blocks.append((theme, label, "pp", 100.0 * b, 100.0 * t, groups.mean))
        else:
            blocks.append((theme, label, "value", b, t, groups.mean))
    rows: list[dict[str, Any]] = []
    b_cols, t_cols = [], []
    kinds = ["site"] * len(groups.sites) + groups.kinds
    ids = groups.sites + groups.names
    for theme, label, scale, b, t, agg in blocks:
        b_cols += [b, b @ agg]
        t_cols += [t, t @ agg]
        rows += [
            {
                "contrast": contrast.name,
                "variable": name,
                "theme": theme,
                "label": label,
                "scale": scale,
                "group_kind": kind,
                "group": group,
                "group_name": group_name,
            }
            for kind, group, group_name in zip(kinds, ids, groups.labels)
        ]
    return rows, np.concatenate(b_cols, axis=1), np.concatenate(t_cols, axis=1)


def _effects(
    ds: xr.Dataset,
    data: _Reader,
    chosen: Sequence[Contrast],
    names: Sequence[str],
    groups: _Groups,
    n_boot: int,
    seed: int,
    ci: float,
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    b_cols, t_cols = [], []
    for contrast in chosen:
        for name in names:
            r, b, t = _variable_columns(ds, data, contrast, name, groups)
            rows += r
            b_cols.append(b)
            t_cols.append(t)
    if not rows:
        return _empty_effects()
    stats = paired_stats(
        np.concatenate(b_cols, axis=1),
        np.concatenate(t_cols, axis=1),
        n_boot,
        seed,
        ci,
        replicate_clusters(ds),
    )
    return pd.concat([pd.DataFrame(rows), stats], axis=1)


@functools.lru_cache(maxsize=8)
def _weights(n: int, n_boot: int, seed: int) -> np.ndarray:
    idx = resample_indices(n, n_boot, seed)
    counts = np.zeros((n_boot, n))
    for r in range(n):
        counts[:, r] = (idx == r).sum(axis=1)
    counts /= n
    counts.setflags(write=False)
    return counts


def bootstrap_weights(n: int, n_boot: int, seed: int, clusters: tuple[int, ...] | None = None) -> np.ndarray:
    """(n_boot, n) matrix whose rows average a bootstrap resample: ``weights @ x`` = resample means.

    Uses the resamples of :func:`atcsim.bootstrap_ci` (same ``n``, ``n_boot``, ``seed``).
    With ``clusters`` (one label per replicate, e.g. its posterior draw) whole
    clusters are resampled: replicates that share a draw are not independent,
    and resampling them one by one would make intervals too narrow.
    """
    if clusters is None:
        return _weights(int(n), int(n_boot), int(seed))
    if len(clusters) != n:
        raise ValueError(f"{len(clusters)} cluster labels for {n} replicates")
    return _cluster_weights(tuple(int(c) for c in clusters), int(n_boot), int(seed))


@functools.lru_cache(maxsize=8)
def _cluster_weights(clusters: tuple[int, ...], n_boot: int, seed: int) -> np.ndarray:
    _, inverse = np.unique(np.asarray(clusters), return_inverse=True)
    g = int(inverse.max()) + 1
    idx = resample_indices(g, n_boot, seed)
    counts = np.zeros((n_boot, g))
    for j in range(g):
        counts[:, j] = (idx == j).sum(axis=1)
    sizes = np.bincount(inverse, minlength=g)
    weights = counts[:, inverse] / (counts @ sizes)[:, None]
    weights.setflags(write=False)
    return weights


def replicate_clusters(ds: xr.Dataset) -> tuple[int, ...] | None:
    """What the bootstrap resamples: ``None`` (replicates, independent), or for a run
    from a posterior with several replicates per draw, each replicate's draw."""
    if "posterior_draw" not in ds.variables or ds["posterior_draw"].dims != ("replicate",):
        return None
    draws = np.asarray(ds["posterior_draw"].values)
    return tuple(int(d) for d in draws) if np.unique(draws).size < draws.size else None


def paired_stats(
    b: np.ndarray,
    t: np.ndarray,
    n_boot: int,
    seed: int,
    ci: float,
    clusters: tuple[int, ...] | None = None,
) -> pd.DataFrame:
    """Paired statistics of every column of (replicate, column) arrays ``b`` and ``t``;
    ``clusters``: see :func:`bootstrap_weights` (used for columns without missing values).

    Columns ``baseline_mean``, ``treatment_mean``, ``mean_diff``, ``ci_low``,
    ``ci_high``, ``sd_diff``, ``effect_size``, ``deterministic``,
    ``n_replicates``. A replicate is used for a column when both values are
    finite. ``effect_size`` (d_z) is NaN when undefined or not meaningful:
    fewer than 2 replicates, or no spread (``deterministic``).
    """
    d = t - b
    ok = np.isfinite(d) & np.isfinite(b) & np.isfinite(t)
    n_rep, n_col = d.shape
    out = {k: np.full(n_col, np.nan) for k in PAIRED_FLOAT_COLUMNS}
    det = np.zeros(n_col, bool)
    n = ok.sum(axis=0)
    full = n == n_rep
    lo_q, hi_q = (1.0 - ci) / 2.0, 1.0 - (1.0 - ci) / 2.0
    cols = np.flatnonzero(full)
    if cols.size:
        dd = d[:, cols]
        out["baseline_mean"][cols] = b[:, cols].mean(axis=0)
        out["treatment_mean"][cols] = t[:, cols].mean(axis=0)
        mean = dd.mean(axis=0)
        out["mean_diff"][cols] = mean
        if n_rep >= 2:
            sd = dd.std(axis=0, ddof=1)
            out["sd_diff"][cols] = sd
            flat = sd <= _DETERMINISTIC_RTOL * np.maximum(np.abs(dd).max(axis=0), 1e-300)
            det[cols] = flat
            with np.errstate(divide="ignore", invalid="ignore"):
                out["effect_size"][cols] = np.where(flat, np.nan, mean / sd)
            means = bootstrap_weights(n_rep, n_boot, seed, clusters) @ dd
            lo, hi = np.quantile(means, [lo_q, hi_q], axis=0)
            out["ci_low"][cols], out["ci_high"][cols] = lo, hi
    for j in np.flatnonzero(~full & (n > 0)):
        dj = d[ok[:, j], j]
        out["baseline_mean"][j] = b[ok[:, j], j].mean()
        out["treatment_mean"][j] = t[ok[:, j], j].mean()
        out["mean_diff"][j] = dj.mean()
        if dj.size >= 2:
            out["sd_diff"][j] = dj.std(ddof=1)
            det[j] = is_deterministic(dj)
            if not det[j]:
                out["effect_size"][j] = dj.mean() / out["sd_diff"][j]
            out["ci_low"][j], out["ci_high"][j] = bootstrap_ci(dj, n_boot=n_boot, ci=ci, seed=seed)
    if det.any():
        # No spread: the interval is the value itself (bootstrap means of equal values, up to rounding).
        out["ci_low"][det] = out["mean_diff"][det]
        out["ci_high"][det] = out["mean_diff"][det]
    df = pd.DataFrame(out)
    df["deterministic"] = det
    df["n_replicates"] = n
    return df


# ---------------------------------------------------------------------- costs


def _ratio_stats(
    num: np.ndarray, den: np.ndarray, weights: np.ndarray, ci: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of means per column, with a bootstrap CI when the denominator is positive in every resample."""
    with np.errstate(divide="ignore", invalid="ignore"):
        point = np.where(den.mean(axis=0) > 0, num.mean(axis=0) / den.mean(axis=0), np.nan)
        bn, bd = weights @ num, weights @ den
        ratio = np.where(bd > 0, bn / bd, np.nan)
    lo_q, hi_q = (1.0 - ci) / 2.0, 1.0 - (1.0 - ci) / 2.0
    defined = np.isfinite(ratio).all(axis=0) & np.isfinite(point)
    lo = np.full(point.shape, np.nan)
    hi = np.full(point.shape, np.nan)
    if defined.any():
        q = np.quantile(ratio[:, defined], [lo_q, hi_q], axis=0)
        lo[defined], hi[defined] = q[0], q[1]
    return point, lo, hi


def _mean_ci(x: np.ndarray, weights: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo_q, hi_q = (1.0 - ci) / 2.0, 1.0 - (1.0 - ci) / 2.0
    boot = weights @ x
    lo, hi = np.quantile(boot, [lo_q, hi_q], axis=0)
    return x.mean(axis=0), lo, hi


def _costs(
    ds: xr.Dataset,
    data: _Reader,
    chosen: Sequence[Contrast],
    groups: _Groups,
    when: When,
    n_boot: int,
    seed: int,
    ci: float,
    notes: list[str],
) -> pd.DataFrame:
    present = indicators(ds)
    if _COST not in present:
        return pd.DataFrame()
    n_rep = ds.sizes["replicate"]
    weights = bootstrap_weights(n_rep, n_boot, seed, replicate_clusters(ds)) if n_rep >= 2 else None
    frames = []
    for c in chosen:

        def diff(name: str, theme_sum: bool = False) -> np.ndarray | None:
            if name not in present:
                return None
            x = data.scenario(name, c.treatment, at_end=True) - data.scenario(name, c.baseline, at_end=True)
            if x.ndim == 3:
                x = x.sum(axis=-1) if theme_sum else None
            if x is None:
                return None
            return np.concatenate([x, x @ groups.total], axis=1)  # sites, then group totals

        cost = diff(_COST)
        avoided = diff(_AVOIDED)
        reached = diff("people_reached", True)
        moved = diff("people_moved", True)
        table: dict[str, Any] = {
            "contrast": c.name,
            "group_kind": ["site"] * len(groups.sites) + groups.kinds,
            "group": groups.sites + groups.names,
            "group_name": groups.labels,
        }
        finite = np.isfinite(cost).all(axis=0)
        table["n_replicates"] = np.where(finite, n_rep, np.isfinite(cost).sum(axis=0))
        columns = [("extra_cost_eur", cost)]
        if avoided is not None:
            columns += [("avoided_eur", avoided), ("net_benefit_eur", avoided - cost)]
        for key, x in columns:
            if weights is None:
                table[key] = x.mean(axis=0)
                table[f"{key}_ci_low"] = table[f"{key}_ci_high"] = np.full(x.shape[1], np.nan)
            else:
                table[key], table[f"{key}_ci_low"], table[f"{key}_ci_high"] = _mean_ci(x, weights, ci)
        ratios = []
        if avoided is not None:
            ratios.append(("benefit_cost_ratio", avoided, cost))
        if reached is not None:
            ratios.append(("cost_per_person_reached", cost, reached))
        if moved is not None:
            ratios.append(("cost_per_person_moved", cost, moved))
        for key, num, den in ratios:
            if weights is None:
                with np.errstate(divide="ignore", invalid="ignore"):
                    table[key] = np.where(den.mean(axis=0) > 0, num.mean(axis=0) / den.mean(axis=0), np.nan)
                table[f"{key}_ci_low"] = table[f"{key}_ci_high"] = np.full(num.shape[1], np.nan)
            else:
                table[key], table[f"{key}_ci_low"], table[f"{key}_ci_high"] = _ratio_stats(
                    num, den, weights, ci
                )
        n_sites = groups.total.sum(axis=0)
        per_site = np.concatenate([np.ones(len(groups.sites)), n_sites])
        years = when.years if when.years > 0 else math.nan
        table["extra_cost_per_site_year"] = np.asarray(table["extra_cost_eur"]) / per_site / years
        frames.append(pd.DataFrame(table))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ----------------------------------------------------------------- plausibility


def _engine_statistic(r: PlausibleRange, series: np.ndarray, times: np.ndarray, population: float) -> float:
    """The statistic the engine checks (sim/exec/envelope.cpp) for one run's series over time."""
    per_1000 = 1000.0 / population if population > 0 else math.nan
    if r.basis == "per_1000_per_year":
        if series.size < 2:
            return math.nan
        years = (pd.Timestamp(times[-1]) - pd.Timestamp(times[0])).days / 365.25
        return (series[-1] - series[0]) / years * per_1000 if years > 0 else math.nan
    v = series[1:] if series.size > 1 else series
    if r.basis == "per_event":
        v = v[v != 0.0]
    v = v[np.isfinite(v)]
    if v.size == 0:
        return math.nan
    mean = float(v.mean())
    return mean * per_1000 if r.basis == "per_1000" else mean


_BASIS_UNIT = {
    "value": "",
    "per_event": "per forum",
    "per_1000": "per 1,000 residents",
    "per_1000_per_year": "per 1,000 residents per year",
    "per_1000_residents_per_year": "per 1,000 residents per year",
    "per_site_year": "EUR per site-year",
    "ratio": "",
}


def _no_package(timeline: pd.DataFrame, scenario: str) -> bool:
    """True when ``scenario`` delivers no intervention of the package (events such as lockdowns aside).

    Without a timeline, only a scenario named ``baseline`` counts as such.
    """
    if timeline.attrs.get("source", "none") == "none":
        return scenario == "baseline"
    rows = timeline[timeline["scenario"] == scenario]
    return bool(rows["event"].all()) if len(rows) else True


def _checks(
    ds: xr.Dataset,
    data: _Reader,
    chosen: Sequence[Contrast],
    costs: pd.DataFrame,
    when: When,
    env: Envelope,
    quality: pd.DataFrame,
    n_boot: int,
    seed: int,
    ci: float,
    scenario_checks: bool,
) -> pd.DataFrame:
    """Plausibility checks; ``inside`` is False when the value (or its whole CI) is outside the range.

    With ``scenario_checks``, the checks of scenarios (levels, cost per site-year); otherwise those of
    the contrasts ``chosen`` (effects of the package, benefit-cost ratios), at ``when``.
    """
    rows: list[dict[str, Any]] = []
    sites = list(quality.index)
    names = quality["site_name"].tolist()
    population = quality["population"].to_numpy(float)
    scenarios = [str(s) for s in ds["scenario"].values]
    times = np.asarray(ds["time"].values)
    timeline = intervention_timeline(ds)

    def add(
        check, subject, indicator, label, k, value, r: PlausibleRange, unit=None, lo=math.nan, hi=math.nan
    ):
        if math.isfinite(lo) and math.isfinite(hi):
            inside = not (lo > r.max or hi < r.min)  # the CI overlaps the range
        else:
            inside = r.contains(value)
        rows.append(
            {
                "check": check,
                "subject": subject,
                "indicator": indicator,
                "label": label or "",
                "site": sites[k] if k is not None else POOLED,
                "site_name": names[k] if k is not None else "all sites",
                "value": float(value),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "min": r.min,
                "max": r.max,
                "unit": _BASIS_UNIT.get(r.basis, r.basis) if unit is None else unit,
                "table": r.table,
                "status": r.status,
                "inside": bool(inside),
            }
        )

    # Levels: the ranges the file records (atcsim_plausible), as the engine checks them.
    for name in indicators(ds) if scenario_checks else []:
        ranges = plausible_ranges(ds, name)
        if not ranges:
            continue
        extra = extra_dims(ds[name])
        values = np.asarray(ds[name].transpose("scenario", "replicate", "site", "time", *extra).values, float)
        for r in ranges:
            if extra:
                labels = [str(v) for v in ds[extra[0]].values]
                if r.label not in labels:
                    continue
                series_all = values[..., labels.index(r.label)]
            else:
                series_all = values
            for s, scenario in enumerate(scenarios):
                for k in range(len(sites)):
                    if not r.applies_to(population[k]):
                        continue
                    stats = [
                        _engine_statistic(r, series_all[s, rep, k], times, population[k])
                        for rep in range(series_all.shape[1])
                    ]
                    stats = [x for x in stats if math.isfinite(x)]
                    if stats:
                        add("level", scenario, name, r.label, k, float(np.mean(stats)), r)
    # Effects of the package (contrasts against a scenario without it): the envelope's contrast bounds.
    years = when.years
    package = [c for c in chosen if _no_package(timeline, c.baseline)]
    for r in env.contrast_bounds():
        if r.indicator not in indicators(ds) or r.basis != "per_1000_residents_per_year" or years <= 0:
            continue
        extra = extra_dims(ds[r.indicator])
        labels = [str(v) for v in ds[extra[0]].values] if extra else []
        if extra and r.label not in labels:
            continue
        for c in package:
            b = data.scenario(r.indicator, c.baseline, at_end=True)
            t = data.scenario(r.indicator, c.treatment, at_end=True)
            if extra:
                b, t = b[..., labels.index(r.label)], t[..., labels.index(r.label)]
            rate = 1000.0 / years / population
            bc = np.concatenate(
                [b * rate, (b.sum(axis=1) * 1000.0 / years / population.sum())[:, None]], axis=1
            )
            tc = np.concatenate(
                [t * rate, (t.sum(axis=1) * 1000.0 / years / population.sum())[:, None]], axis=1
            )
            stats = paired_stats(bc, tc, n_boot, seed, ci, replicate_clusters(ds))
            for k in range(len(sites) + 1):
                site = k if k < len(sites) else None
                if site is not None and not r.applies_to(population[k]):
                    continue
                row = stats.iloc[k]
                if math.isfinite(row["mean_diff"]):
                    add(
                        "effect",
                        c.name,
                        r.indicator,
                        r.label,
                        site,
                        row["mean_diff"],
                        r,
                        lo=row["ci_low"],
                        hi=row["ci_high"],
                    )
    # Benefit-cost ratio of the package (pooled and per site).
    bcr = env.bound("benefit_cost_ratio")
    names_package = {c.name for c in package}
    if bcr is not None and not costs.empty and "benefit_cost_ratio" in costs:
        for _, row in costs.iterrows():
            if row["group_kind"] == "network" or row["contrast"] not in names_package:
                continue
            if not math.isfinite(row["benefit_cost_ratio"]):
                continue
            k = sites.index(row["group"]) if row["group"] in sites else None
            add(
                "benefit-cost ratio",
                row["contrast"],
                "benefit_cost_ratio",
                "",
                k,
                row["benefit_cost_ratio"],
                bcr,
                unit="",
                lo=row["benefit_cost_ratio_ci_low"],
                hi=row["benefit_cost_ratio_ci_high"],
            )
    # Cost of the package per site-year, for scenarios that deliver the whole package.
    per_year = env.bound(_COST, "per_site_year")
    if scenario_checks and per_year is not None and _COST in indicators(ds) and years > 0:
        for scenario in scenarios:
            kinds = set(timeline.loc[timeline["scenario"] == scenario, "kind"])
            full_package = {"animator", "shared_governance"} <= kinds if len(timeline) else True
            level = np.nanmean(data.scenario(_COST, scenario, at_end=True), axis=0)
            if not full_package or not np.nanmax(np.abs(level)) > 0:
                continue
            for k in range(len(sites)):
                add(
                    "cost per site-year",
                    scenario,
                    _COST,
                    "",
                    k,
                    level[k] / years,
                    per_year,
                    "EUR per site-year",
                )
    columns = [
        "check",
        "subject",
        "indicator",
        "label",
        "site",
        "site_name",
        "value",
        "ci_low",
        "ci_high",
        "min",
        "max",
        "unit",
        "table",
        "status",
        "inside",
    ]
    return pd.DataFrame(rows, columns=columns)
