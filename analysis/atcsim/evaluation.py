"""What an experiment asks, and what a file says about its own data.

An evaluator needs more than indicators: the questions the experiment asks
(named contrasts), when the experiment ended (the intervention timeline), which
variables are effects and which are inputs (``atcsim_role``), which values are
plausible (``atcsim_plausible`` and ``docs/data/envelope.toml``), and how far
each site's data can be trusted (perimeter, source kind, identity). This module
reads all of that from a dataset opened with :func:`atcsim.open`.

Every reader degrades gracefully on files written before these variables
existed: it falls back on the resolved configuration stored in the file
(``config_toml``), then on a documented default, and says which one it used.
"""

from __future__ import annotations

import copy
import functools
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .errors import ScenarioNotFoundError
from .selection import check_scenarios

__all__ = [
    "Contrast",
    "PlausibleRange",
    "Envelope",
    "EVENT_KINDS",
    "KNOWN_INPUTS",
    "contrasts",
    "default_contrasts",
    "scenario_descriptions",
    "intervention_timeline",
    "experiment_end",
    "variable_role",
    "is_input",
    "outcome_indicators",
    "input_indicators",
    "plausible_ranges",
    "site_quality",
    "find_envelope",
    "load_envelope",
    "parameter_uncertainty",
    "french_default",
]

#: Intervention kinds that are events happening *to* the experiment (drawn as
#: markers on trajectories), not part of the package it delivers: their end
#: date does not end the experiment.
EVENT_KINDS: frozenset[str] = frozenset({"lockdown", "funding_cut", "animator_departure", "urban_renewal"})

#: Indicators known to be inputs (set by the scenario, never effects), used only
#: for files written before the ``atcsim_role`` attribute existed.
KNOWN_INPUTS: frozenset[str] = frozenset(
    {
        "intervention_cost_eur",
        "resident_voice_share",
        "forums_held",
        "animator_present",
        "facilitation_quality",
    }
)

_CONTRAST_DIM = "contrast"
_INTERVENTION_DIM = "intervention"


# ---------------------------------------------------------------------- contrasts


@dataclass(frozen=True)
class Contrast:
    """A named comparison: ``treatment`` minus ``baseline``, paired by replicate.

    ``source`` says where it comes from: ``"file"`` (the ``contrast`` variables
    the engine writes from ``[[contrast]]``), ``"config"`` (the ``[[contrast]]``
    tables of the stored ``config_toml``), ``"default"`` (each scenario versus
    the baseline, when the file names none) or ``"ad hoc"`` (given by the user).
    ``at`` is the date the contrast is measured at by default (ISO; ``""``: the
    end of the experiment), e.g. for scenarios that differ only late.
    """

    name: str
    treatment: str
    baseline: str
    question: str = ""
    question_fr: str = ""
    source: str = "file"
    at: str = ""

    def question_in(self, lang: str) -> str:
        """The question in ``lang`` ("fr" or "en"), falling back on the other language, then the name."""
        first, second = (
            (self.question_fr, self.question) if lang == "fr" else (self.question, self.question_fr)
        )
        return first or second or ""


def _strings(ds: xr.Dataset, name: str) -> list[str] | None:
    if name not in ds.variables:
        return None
    return [_text(v) for v in np.atleast_1d(ds[name].values)]


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def config(ds: xr.Dataset) -> dict[str, Any]:
    """The resolved configuration stored in the file (``config_toml``), parsed; ``{}`` if absent."""
    text = ds.attrs.get("config_toml", "")
    if not isinstance(text, str) or not text.strip():
        return {}
    # Parsed once per text (a report asks a score of times); each caller gets its own copy.
    return copy.deepcopy(_parsed_config(text))


@functools.lru_cache(maxsize=4)
def _parsed_config(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def contrasts(
    ds: xr.Dataset,
    baseline: str | None = None,
    treatments: Sequence[str] | None = None,
) -> list[Contrast]:
    """The contrasts to report.

    With ``baseline`` or ``treatments`` given: ad hoc contrasts (each treatment,
    default every other scenario, versus the baseline, default ``"baseline"``
    or the first scenario). Otherwise the file's named contrasts (the
    ``contrast`` dimension; or the ``[[contrast]]`` tables of ``config_toml``),
    keeping those whose scenarios are in ``ds``; else :func:`default_contrasts`.

    Raises
    ------
    ScenarioNotFoundError
        A given scenario is not in the file, or a treatment is the baseline.
    """
    if baseline is not None or treatments:
        return default_contrasts(ds, baseline, treatments, source="ad hoc")
    named = _file_contrasts(ds)
    if not named:
        named = _config_contrasts(ds)
    available = {str(s) for s in ds["scenario"].values}
    kept = [
        c for c in named if c.treatment in available and c.baseline in available and c.treatment != c.baseline
    ]
    return kept or default_contrasts(ds)


def _file_contrasts(ds: xr.Dataset) -> list[Contrast]:
    if _CONTRAST_DIM not in ds.dims:
        return []
    names = [_text(v) for v in ds[_CONTRAST_DIM].values]
    treat = _strings(ds, "contrast_treatment")
    base = _strings(ds, "contrast_baseline")
    if treat is None or base is None:
        return []
    question = _strings(ds, "contrast_question") or [""] * len(names)
    question_fr = _strings(ds, "contrast_question_fr") or [""] * len(names)
    dates = _strings(ds, "contrast_at") or [""] * len(names)
    return [
        Contrast(n, t, b, q, qf, "file", at)
        for n, t, b, q, qf, at in zip(names, treat, base, question, question_fr, dates)
    ]


def _config_contrasts(ds: xr.Dataset) -> list[Contrast]:
    out = []
    for k, table in enumerate(config(ds).get("contrast", []) or []):
        if not isinstance(table, dict) or "treatment" not in table or "baseline" not in table:
            continue
        out.append(
            Contrast(
                str(table.get("name", f"contrast_{k}")),
                str(table["treatment"]),
                str(table["baseline"]),
                str(table.get("question", "")),
                str(table.get("question_fr", "")),
                "config",
                str(table.get("at", "")),
            )
        )
    return out


def default_contrasts(
    ds: xr.Dataset,
    baseline: str | None = None,
    treatments: Sequence[str] | None = None,
    *,
    source: str = "default",
) -> list[Contrast]:
    """Each treatment (default: every other scenario) vs the baseline ("baseline", else the first)."""
    baseline, chosen = baseline_and_treatments(ds, baseline, treatments)
    return [Contrast(f"{t}_vs_{baseline}", t, baseline, "", "", source) for t in chosen]


def baseline_and_treatments(
    ds: xr.Dataset, baseline: str | None = None, treatments: Sequence[str] | None = None
) -> tuple[str, list[str]]:
    """Baseline (``"baseline"`` if present, else the first) and treatments (default: the others), checked.

    Raises
    ------
    ScenarioNotFoundError
        A given name is not in the file, or a treatment equals the baseline.
    """
    names = [str(s) for s in ds["scenario"].values]
    if not names:
        raise ScenarioNotFoundError("the file has no scenario")
    if baseline is None:
        baseline = "baseline" if "baseline" in names else names[0]
    check_scenarios(ds, baseline)
    if treatments:
        check_scenarios(ds, *treatments)
        if baseline in treatments:
            raise ScenarioNotFoundError(f"treatment {baseline!r} is also the baseline")
        return baseline, list(treatments)
    return baseline, [n for n in names if n != baseline]


def french_default(ds: xr.Dataset) -> bool:
    """True when the file has French questions (``contrast_question_fr``, or ``question_fr`` in config)."""
    found = _strings(ds, "contrast_question_fr")
    if found and any(found):
        return True
    return any(c.question_fr for c in _config_contrasts(ds))


# ------------------------------------------------------- scenarios and timeline


def scenario_descriptions(ds: xr.Dataset) -> dict[str, str]:
    """Scenario name -> description (``scenario_description``, else ``config_toml``; ``""`` when unknown)."""
    names = [str(s) for s in ds["scenario"].values]
    found = _strings(ds, "scenario_description")
    if found is not None and "scenario" in ds["scenario_description"].dims:
        by_name = dict(zip([str(s) for s in ds["scenario_description"]["scenario"].values], found))
        return {n: by_name.get(n, "") for n in names}
    table = {
        str(s.get("name", "")): str(s.get("description", ""))
        for s in config(ds).get("scenario", []) or []
        if isinstance(s, dict)
    }
    return {n: table.get(n, "") for n in names}


def _start_date(ds: xr.Dataset) -> pd.Timestamp | None:
    units = str(ds["time"].encoding.get("units", "") or ds["time"].attrs.get("units", ""))
    if "since" in units:
        try:
            return pd.Timestamp(units.split("since", 1)[1].strip().split()[0])
        except ValueError:
            pass
    times = np.asarray(ds["time"].values)
    if times.size and np.issubdtype(times.dtype, np.datetime64):
        return pd.Timestamp(times[0])
    return None


def _as_date(value: Any, start: pd.Timestamp | None, step_days: float) -> pd.Timestamp:
    """A date from days since the start (number), a datetime, or a date string; NaT when missing."""
    if value is None:
        return pd.NaT
    if isinstance(value, (np.datetime64, pd.Timestamp)):
        return pd.Timestamp(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not math.isfinite(float(value)) or start is None:
            return pd.NaT
        return start + pd.Timedelta(days=float(value) * step_days)
    try:
        return pd.Timestamp(str(value))
    except ValueError:
        return pd.NaT


def intervention_timeline(ds: xr.Dataset) -> pd.DataFrame:
    """Every scheduled intervention: one row each.

    Columns ``scenario``, ``kind``, ``sites`` (tuple of site ids; empty = every
    site), ``start`` and ``end`` (timestamps; ``end`` is NaT when the
    intervention runs to the end of the run) and ``event`` (True for kinds in
    :data:`EVENT_KINDS`). Read from the ``intervention`` variables; for older
    files from the ``[[scenario.intervention]]`` tables of ``config_toml``
    (``start_date``/``end_date``, ``start_step``/``end_step`` or ``start_week``/``end_week``). The
    DataFrame's ``attrs["source"]`` is ``"file"``, ``"config"`` or ``"none"``.
    """
    columns = ["scenario", "kind", "sites", "start", "end", "event"]
    start = _start_date(ds)
    rows: list[dict[str, Any]] = []
    source = "none"
    if _INTERVENTION_DIM in ds.dims and "intervention_kind" in ds.variables:
        source = "file"
        scen = _strings(ds, "intervention_scenario") or [""] * ds.sizes[_INTERVENTION_DIM]
        kinds = _strings(ds, "intervention_kind") or []
        sites = _strings(ds, "intervention_sites") or [""] * len(kinds)
        starts = (
            np.atleast_1d(ds["intervention_start"].values)
            if "intervention_start" in ds
            else [None] * len(kinds)
        )
        ends = (
            np.atleast_1d(ds["intervention_end"].values) if "intervention_end" in ds else [None] * len(kinds)
        )
        for s, k, where, t0, t1 in zip(scen, kinds, sites, starts, ends):
            rows.append(
                {
                    "scenario": s,
                    "kind": k,
                    "sites": _site_list(where),
                    "start": _as_date(t0, start, 1.0),
                    "end": _as_date(t1, start, 1.0),
                }
            )
    else:
        cfg = config(ds)
        step_days = float(ds.attrs.get("step_days", cfg.get("experiment", {}).get("step_days", 7)) or 7)
        for scenario in cfg.get("scenario", []) or []:
            if not isinstance(scenario, dict):
                continue
            for item in scenario.get("intervention", []) or []:
                if not isinstance(item, dict) or "kind" not in item:
                    continue
                source = "config"
                # the resolved configuration has steps (start_step/end_step); older ones dates or weeks
                t0 = item.get("start_date", item.get("start_step", item.get("start_week")))
                t1 = item.get("end_date", item.get("end_step", item.get("end_week")))
                by_week = "start_date" not in item
                rows.append(
                    {
                        "scenario": str(scenario.get("name", "")),
                        "kind": str(item["kind"]),
                        "sites": _site_list(item.get("sites", item.get("site", ""))),
                        "start": _as_date(t0, start, step_days if by_week else 1.0)
                        if t0 is not None
                        else start,
                        "end": _as_date(t1, start, step_days if "end_date" not in item else 1.0),
                    }
                )
    df = pd.DataFrame(rows, columns=columns[:-1])
    df["event"] = df["kind"].isin(EVENT_KINDS)
    df = df.reindex(columns=columns)
    df["start"] = pd.to_datetime(df["start"])
    df["end"] = pd.to_datetime(df["end"])
    df.attrs["source"] = source
    return df


def _site_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if str(v))
    text = _text(value).replace(",", " ").replace(";", " ")
    return tuple(t for t in text.split() if t and t not in ("all", "*"))


@dataclass(frozen=True)
class ExperimentEnd:
    """When the experiment ended, and the recorded time that measures it.

    ``date`` is the last end date of the package (interventions that are not
    events), or None; ``index`` the position on the time axis of the last
    recorded time at or before it (the last time when ``date`` is None);
    ``source`` ``"package"`` or ``"run"``.
    """

    date: pd.Timestamp | None
    index: int
    source: str


def experiment_end(ds: xr.Dataset, scenarios: Sequence[str] | None = None) -> ExperimentEnd:
    """The end of the experiment: the last end date of the package, else the end of the run.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    scenarios
        Only interventions of these scenarios (default: every scenario).
    """
    timeline = intervention_timeline(ds)
    n = ds.sizes["time"]
    if scenarios is not None:
        timeline = timeline[timeline["scenario"].isin(list(scenarios))]
    package = timeline[~timeline["event"] & timeline["end"].notna()]
    times = np.asarray(ds["time"].values)
    if package.empty or not np.issubdtype(times.dtype, np.datetime64):
        return ExperimentEnd(None, n - 1, "run")
    end = pd.Timestamp(package["end"].max())
    before = np.flatnonzero(times <= np.datetime64(end.to_datetime64(), "ns"))
    if before.size == 0:
        return ExperimentEnd(end, 0, "package")
    return ExperimentEnd(end, int(before[-1]), "package")


# ------------------------------------------------------------------ roles, ranges


def variable_role(ds: xr.Dataset, name: str) -> str:
    """``"outcome"`` or ``"input"`` from the ``atcsim_role`` attribute; for older files, inferred.

    Without the attribute, indicators in :data:`KNOWN_INPUTS` are inputs and
    every other is an outcome.
    """
    role = _text(ds[name].attrs.get("atcsim_role", "")).strip().lower()
    if role in ("outcome", "input"):
        return role
    return "input" if name in KNOWN_INPUTS else "outcome"


def is_input(ds: xr.Dataset, name: str) -> bool:
    """True when ``name`` is set by the scenario (never to be reported as an effect)."""
    return variable_role(ds, name) == "input"


def outcome_indicators(ds: xr.Dataset) -> list[str]:
    """Indicators produced by the model's dynamics (effects can be reported on them)."""
    from .dataset import indicators

    return [v for v in indicators(ds) if not is_input(ds, v)]


def input_indicators(ds: xr.Dataset) -> list[str]:
    """Indicators set by the scenario (costs, schedules, intervention parameters)."""
    from .dataset import indicators

    return [v for v in indicators(ds) if is_input(ds, v)]


@dataclass(frozen=True)
class PlausibleRange:
    """A plausible range of an indicator (``atcsim_plausible``) or of an effect (envelope contrast bound).

    ``basis``: ``value``, ``per_event``, ``per_1000``, ``per_1000_per_year``
    (the file's words), or for envelope tables the envelope's own basis
    (``per_1000_residents_per_year``, ``ratio``, ``per_site_year``, ...).
    ``label``: the extra-dimension label bounded (e.g. a theme), or None.
    """

    table: str
    indicator: str
    basis: str
    min: float
    max: float
    population_min: float = 0.0
    population_max: float = math.inf
    label: str | None = None
    status: str = ""
    contrast: bool = False
    quantity: str = ""

    def applies_to(self, population: float) -> bool:
        """True when a site of this population is in the table's population range."""
        if self.population_min <= 0 and not math.isfinite(self.population_max):
            return True
        return math.isfinite(population) and self.population_min <= population <= self.population_max

    def contains(self, value: float) -> bool:
        return self.min <= value <= self.max


def plausible_ranges(ds: xr.Dataset, name: str) -> list[PlausibleRange]:
    """The level ranges the file records for indicator ``name`` (empty when none)."""
    text = _text(ds[name].attrs.get("atcsim_plausible", ""))
    extra = [d for d in ds[name].dims if d not in ("scenario", "replicate", "site", "time", "point")]
    labels = [str(v) for v in ds[extra[0]].values] if extra else []
    out = []
    for line in text.splitlines():
        parts = line.strip().split("|")
        if len(parts) != 8:
            continue
        table, basis, lo, hi, pop_lo, pop_hi, label, status = parts
        try:
            k = int(label)
            values = [float(lo), float(hi), float(pop_lo), float(pop_hi)]
        except ValueError:
            continue
        out.append(
            PlausibleRange(
                table=table,
                indicator=name,
                basis=basis,
                min=values[0],
                max=values[1],
                population_min=values[2],
                population_max=values[3] if values[3] < 1e299 else math.inf,
                label=labels[k] if 0 <= k < len(labels) else None,
                status=status,
            )
        )
    return out


# --------------------------------------------------------------------- envelope


@dataclass
class Envelope:
    """The plausibility envelope (``docs/data/envelope.toml``) and where it was read."""

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    searched: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return self.path is not None

    def _range(self, key: str, table: dict[str, Any]) -> PlausibleRange:
        pop = table.get("population_range") or [0.0, math.inf]
        return PlausibleRange(
            table=key,
            indicator=str(table.get("indicator", "")),
            basis=str(table.get("basis", "")),
            min=float(table.get("min", -math.inf)),
            max=float(table.get("max", math.inf)),
            population_min=float(pop[0]),
            population_max=float(pop[1]),
            label=str(table["label"]) if "label" in table else None,
            status=str(table.get("status", "")),
            contrast=bool(table.get("contrast", False)),
            quantity=str(table.get("quantity", "")),
        )

    def contrast_bounds(self) -> list[PlausibleRange]:
        """Bounds on effects (tables with ``contrast = true``)."""
        return [self._range(k, t) for k, t in self.tables.items() if t.get("contrast")]

    def bound(self, indicator: str, basis: str | None = None) -> PlausibleRange | None:
        """The first table bounding ``indicator`` (with ``basis`` when given), or None."""
        for key, table in self.tables.items():
            if table.get("indicator") == indicator and (basis is None or table.get("basis") == basis):
                return self._range(key, table)
        return None


_ENVELOPE_ENV = "ATCSIM_ENVELOPE"


def find_envelope() -> tuple[Path | None, tuple[str, ...]]:
    """Locate ``envelope.toml``: ``$ATCSIM_ENVELOPE``, the source tree's ``docs/data/``, the packaged copy.

    Returns the path found (or None) and the places searched, in order.
    """
    here = Path(__file__).resolve().parent
    candidates = []
    if os.environ.get(_ENVELOPE_ENV):
        candidates.append(Path(os.environ[_ENVELOPE_ENV]))
    candidates += [here.parents[1] / "docs" / "data" / "envelope.toml", here / "data" / "envelope.toml"]
    for path in candidates:
        if path.is_file():
            return path, tuple(str(c) for c in candidates)
    return None, tuple(str(c) for c in candidates)


def load_envelope(path: str | os.PathLike[str] | None = None) -> Envelope:
    """Read the envelope; an empty :class:`Envelope` (``found`` False) when no file is found or readable.

    An unreadable file given explicitly raises ``ValueError``.
    """
    if path is not None:
        path = Path(path)
        try:
            return Envelope(tomllib.loads(path.read_text(encoding="utf-8")), path, (str(path),))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the envelope: {exc}") from None
    found, searched = find_envelope()
    if found is None:
        return Envelope({}, None, searched)
    try:
        tables = tomllib.loads(found.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return Envelope({}, None, searched)
    return Envelope({k: v for k, v in tables.items() if isinstance(v, dict)}, found, searched)


# ------------------------------------------------------------------ site quality

_OFFICIAL = "official"


def site_quality(ds: xr.Dataset) -> pd.DataFrame:
    """Data quality of each site: identity, and the perimeter and source kind of its population.

    Returns
    -------
    pandas.DataFrame
        Index ``site``; columns ``site_name``, ``population``, ``identity``
        (``resolved``/``unresolved``/``unverified``; ``""`` when the file does
        not say), ``population_source_kind`` (``official``/``secondary``/
        ``assumption``; ``""`` unknown), ``population_perimeter``
        (``qpv``/``estate``/``national_default``; ``""`` unknown),
        ``assumed_fields`` (site fields whose source is an assumption) and
        ``flags`` (plain-language problems, empty when none). ``attrs["source"]``
        is ``"file"`` when the file records identity and source kinds,
        ``"provenance"`` when only ``site_provenance`` is available.
    """
    sites = [str(s) for s in ds["site"].values]
    names = (
        [str(n) or s for n, s in zip(ds["site_name"].values, sites)]
        if "site_name" in ds.coords
        else list(sites)
    )
    population = (
        np.asarray(ds["population"].values, dtype=float)
        if "population" in ds.coords
        else np.full(len(sites), np.nan)
    )
    identity = _strings(ds, "site_identity") if "site_identity" in ds.variables else None
    kind = _field_table(ds, "site_source_kind")
    perimeter = _field_table(ds, "site_perimeter")
    provenance = _field_table(ds, "site_provenance")
    full = identity is not None and kind is not None
    rows = []
    for k, site in enumerate(sites):
        pop_kind = _lookup(kind, site, "population")
        pop_perimeter = _lookup(perimeter, site, "population")
        pop_provenance = _lookup(provenance, site, "population")
        ident = identity[k] if identity is not None else ""
        source_table = kind if kind is not None else provenance
        assumed = (
            [f for f, v in source_table.loc[site].items() if str(v).strip().lower() == "assumption"]
            if source_table is not None and site in source_table.index
            else []
        )
        if not pop_kind and pop_provenance.lower() == "assumption":
            pop_kind = "assumption"
        if not pop_perimeter and pop_kind == "assumption":
            pop_perimeter = "national_default"
        flags = []
        if ident in ("unresolved", "unverified"):
            flags.append(f"identity {ident}")
        elif not ident and any(w in site for w in ("unresolved", "unverified")):
            flags.append("identity not confirmed (the site id says so; the file records no site_identity)")
        if pop_kind == "assumption":
            flags.append(
                "population assumed (national default)"
                if pop_perimeter == "national_default"
                else "population assumed"
            )
        elif pop_kind and pop_kind != _OFFICIAL:
            flags.append(f"population from a {pop_kind} source")
        elif not pop_kind and pop_provenance:
            flags.append(f"population source kind not recorded (provenance “{pop_provenance}”)")
        if pop_perimeter == "estate":
            flags.append("population for the estate, not the QPV perimeter")
        if not math.isfinite(population[k]) or population[k] <= 0:
            flags.append("no population")
        rows.append(
            {
                "site": site,
                "site_name": names[k],
                "population": population[k],
                "identity": ident,
                "population_source_kind": pop_kind,
                "population_perimeter": pop_perimeter,
                "assumed_fields": tuple(assumed),
                "flags": tuple(flags),
            }
        )
    df = pd.DataFrame(rows).set_index("site")
    df.attrs["source"] = "file" if full else ("provenance" if provenance is not None else "none")
    return df


def _field_table(ds: xr.Dataset, name: str) -> pd.DataFrame | None:
    """A (site x site_field) string variable as a DataFrame, or None."""
    if name not in ds.variables or "site_field" not in ds[name].dims:
        return None
    da = ds[name].transpose("site", "site_field")
    values = np.vectorize(_text, otypes=[object])(np.asarray(da.values, dtype=object))
    return pd.DataFrame(
        values, index=[str(s) for s in da["site"].values], columns=[str(f) for f in da["site_field"].values]
    )


def _lookup(table: pd.DataFrame | None, site: str, field_name: str) -> str:
    if table is None or site not in table.index or field_name not in table.columns:
        return ""
    return str(table.at[site, field_name]).strip().lower()


# ------------------------------------------------------------ parameter uncertainty


@dataclass(frozen=True)
class ParameterUncertainty:
    """Whether the file's replicates carry parameter uncertainty (drawn from a calibration posterior)."""

    calibrated: bool
    text: str
    text_fr: str


#: Shown wherever parameter uncertainty would be, until the file has posterior draws.
NOT_CALIBRATED = (
    "not run from a calibration posterior (atcsim run --posterior FILE): intervals reflect simulation "
    "noise at the documented parameter values only"
)
NOT_CALIBRATED_FR = (
    "simulation sans loi a posteriori de calibration (atcsim run --posterior FICHIER) : les intervalles "
    "ne reflètent que le bruit de simulation, aux valeurs documentées des paramètres"
)


def parameter_uncertainty(ds: xr.Dataset) -> ParameterUncertainty:
    """Parameter uncertainty of the file, or the "not calibrated" statement.

    A file run with ``[posterior]`` (``atcsim run --posterior FILE``) has a
    ``posterior_draw`` coordinate on ``replicate``: its replicates carry
    parameter uncertainty, which :mod:`atcsim.posterior_effects` separates
    from simulation noise (the report's "Parameter and simulation
    uncertainty" section).
    """
    if "posterior_draw" in ds.variables:
        draws = int(np.unique(np.asarray(ds["posterior_draw"].values)).size)
        path = Path(str(ds.attrs.get("posterior_path", "?"))).name
        return ParameterUncertainty(
            True,
            f"each replicate draws its parameters from the posterior {path} ({draws} draws): intervals "
            "include parameter uncertainty; its share is in the section on parameter and simulation "
            "uncertainty",
            f"chaque réplique tire ses paramètres dans la loi a posteriori {path} ({draws} tirages) : les "
            "intervalles incluent l'incertitude des paramètres ; sa part est donnée dans la section "
            "« Incertitude des paramètres et bruit de simulation »",
        )
    return ParameterUncertainty(False, NOT_CALIBRATED, NOT_CALIBRATED_FR)
