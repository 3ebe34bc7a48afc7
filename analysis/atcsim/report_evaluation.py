"""The evaluator's sections of the HTML report: the summary page and one section per contrast.

The summary answers, on the first screen, "did it work, how much, for whom, at
what cost, how sure are we"; it prints on one A4 landscape page. Every number
comes from :func:`atcsim.evaluate`; the words from :mod:`atcsim.i18n`.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .dataset import read_parameters
from .errors import AtcsimError
from .evaluation import Contrast, config, scenario_descriptions
from .i18n import Note, Words
from .results import POOLED
from .summary import ALL_THEMES, FOR_WHOM_VARIABLES, PROCESS_VARIABLES, Evaluation

__all__ = [
    "summary_section",
    "contrast_section",
    "plausibility_section",
    "sites_section",
    "inputs_section",
    "when_sentence",
]

# The summary's main table: (variable, theme, scale, also show per 1,000)
_MAIN_MEASURES: tuple[tuple[str, str, str, bool], ...] = (
    ("participants", "", "people", True),
    ("core_members", "", "people", False),
    ("people_reached", ALL_THEMES, "people", False),
    ("people_moved", ALL_THEMES, "people", True),
    ("people_better_off", ALL_THEMES, "people", False),
    ("participation_share", "", "pp", False),
)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _step_text(ds: xr.Dataset, w: Words, index: int) -> str:
    step = int(ds["step"].values[index]) if "step" in ds.coords else index
    days = float(ds.attrs.get("step_days", 7) or 7)
    return w("time_step" if days == 7 else "time_step_other", step=step)


def when_sentence(ds: xr.Dataset, ev: Evaluation, w: Words, contrast: Contrast | None = None) -> str:
    """When the effects (of ``contrast``; default: the main one) are measured, and why then (escaped HTML)."""
    when = ev.when_of(contrast if contrast is not None else ev.contrasts[0])
    date = w.date(when.date) if when.date is not None else _e(when.label)
    step = _step_text(ds, w, when.end_index)
    end = w.date(when.experiment_end) if when.experiment_end is not None else ""
    end_note = w("end_note", end=end) if end else ""
    if when.source == "experiment end":
        return w("measured_end", date=date, step=step, end=end)
    if when.source == "run end":
        return w("measured_run_end", date=date, step=step)
    if when.source == "at":
        return w("measured_at", date=date, step=step, end_note=end_note)
    if when.source == "contrast":
        return w("measured_contrast", date=date, step=step, end_note=end_note)
    if when.source == "run end before contrast":
        return w("measured_run_end_early", date=date, step=step)
    return w("measured_window", label=_e(when.label), end_note=end_note)


def _cell(w: Words, row: pd.Series | None, *, digits: int | None = None, extra: str = "") -> str:
    """An effect with its CI under it (or the words for no spread)."""
    if row is None or not math.isfinite(float(row["mean_diff"])):
        return w("na")
    value = w.signed(row["mean_diff"], digits=digits)
    if bool(row["deterministic"]):
        note = w("no_difference") if float(row["mean_diff"]) == 0 else w("deterministic")
        sub = f'<small class="det">{_e(note)}</small>'
    else:
        sub = f"<small>{w.interval(row['ci_low'], row['ci_high'], digits=digits)}</small>"
    return f'<span class="v">{value}</span>{sub}{extra}'


#: Ratios of the cost tables; without an interval they are "not estimable" (their denominator, the gain
#: or the extra cost, is 0 or less in some bootstrap resamples: summary._ratio_stats).
_RATIOS = ("cost_per_person_moved", "cost_per_person_reached", "benefit_cost_ratio")


def _money_spread(row: pd.Series, key: str) -> str:
    """How sure a cost figure is: ``"ci"`` (an interval), ``"none"`` (no spread across replicates),
    ``"not estimable"`` (a ratio whose denominator is not clearly above 0) or ``"one"`` (< 2 replicates)."""
    lo, hi = float(row.get(f"{key}_ci_low", math.nan)), float(row.get(f"{key}_ci_high", math.nan))
    if math.isfinite(lo) and math.isfinite(hi):
        return "ci" if hi - lo > 1e-9 * max(abs(lo), abs(hi), 1e-300) else "none"
    if float(row.get("n_replicates", 2)) < 2:
        return "one"
    return "not estimable" if key in _RATIOS else "one"


def _money_text(w: Words, row: pd.Series, key: str, ratio: bool = False) -> tuple[str, str]:
    """A cost figure (escaped HTML) and what says how sure it is: its interval, or why there is none.

    A ratio without an interval is "not estimable" and its point value is not given: a ratio of means
    whose denominator may be 0 can be any size, and a bare figure would be quoted as a result.
    """
    spread = _money_spread(row, key)
    if spread == "not estimable":
        return _e(w("not_estimable")), _e(w(f"not_estimable_{key}"))
    value = w.number(row[key], digits=2) if ratio else w.euros(row[key])
    if spread == "ci":
        fmt = (lambda x: w.number(x, digits=2)) if ratio else w.euros
        sep = " ; " if w.fr else ", "
        return value, f"[{fmt(row[f'{key}_ci_low'])}{sep}{fmt(row[f'{key}_ci_high'])}]"
    return value, _e(w("no_spread" if spread == "none" else "no_interval"))


def _money_cell(w: Words, row: pd.Series | None, key: str, ratio: bool = False) -> str:
    if row is None or key not in row or not math.isfinite(float(row[key])):
        return w("na")
    value, sure = _money_text(w, row, key, ratio)
    return f'<span class="v">{value}</span><small>{sure}</small>'


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    cls: str = "",
    first_text: int = 1,
    text: Sequence[int] = (),
) -> str:
    """HTML table (cells already escaped): the first ``first_text`` columns and those in ``text`` are text,
    the others numbers (right-aligned)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{c}</td>' if j >= first_text and j not in text else f"<td>{c}</td>"
            for j, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f'<table class="ev {cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _contrast_title(c: Contrast, w: Words) -> str:
    question = c.question_in(w.lang)
    vs = w("vs", treatment=f"<code>{_e(c.treatment)}</code>", baseline=f"<code>{_e(c.baseline)}</code>")
    return (
        f"{_e(question[:1].upper() + question[1:])} " if question else ""
    ) + f'<span class="vs">{vs}</span>'


def _has(ev: Evaluation, variable: str) -> bool:
    return bool(len(ev.effects)) and bool((ev.effects["variable"] == variable).any())


def _fallback_measures(ev: Evaluation) -> list[tuple[str, str, str, bool]]:
    """Without head counts (e.g. canonical models): the first outcomes evaluated."""
    seen: list[tuple[str, str, str, bool]] = []
    for (variable, theme, scale), _ in ev.effects.groupby(["variable", "theme", "scale"], sort=False):
        if scale != "per_1000" and variable not in PROCESS_VARIABLES:
            seen.append((variable, theme, scale, False))
        if len(seen) == 4:
            break
    return seen


def _measure_header(ds: xr.Dataset, w: Words, variable: str, theme: str, scale: str) -> str:
    name = w.short(variable, str(ds[variable].attrs.get("long_name", "")) if variable in ds else "")
    if theme == ALL_THEMES:
        theme = ""  # the note under the table says head counts are summed over themes
    unit = {"pp": w("pp"), "people": w("people"), "per_1000": w("per_1000")}.get(scale, "")
    theme_text = f" ({w.theme(theme)})" if theme else ""
    return f"{_e(name)}{_e(theme_text)}" + (f'<br><small class="u">{_e(unit)}</small>' if unit else "")


# ------------------------------------------------------ figures set by assumptions

#: Parameters (all "assumption") that set, per successful project, how many people are reached and move
#: (models/territorial/phases_projects.cpp, phase 8), and how fast they return.
_REACH, _TRANSITION, _RETURN = "reach_share", "transition_share", "return_rate"


def _values(value: Any) -> list[float]:
    """A parameter's value (a number, a list, or a list as the engine stores it: "[0.05, 0.05]")."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    values = value if isinstance(value, (list, tuple)) else [value]
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        return []
    return out if out and all(math.isfinite(v) for v in out) else []


def _outcome_parameters(ds: xr.Dataset) -> dict[str, tuple[list[float], str]]:
    """reach_share, transition_share and return_rate as the file records them, with their source: the
    base values of ``/parameters``, else those of the stored configuration's ``[model]``."""
    try:
        params = read_parameters(ds)
    except (AtcsimError, OSError, ValueError):
        params = pd.DataFrame()
    model = config(ds).get("model", {})
    found = {}
    for name in (_REACH, _TRANSITION, _RETURN):
        if name in params.index:
            values, source = _values(params.at[name, "value"]), str(params.at[name, "source"])
        else:
            values, source = _values(model.get(name)), ""
        if values:
            found[name] = (values, source)
    return found


def _per_theme(w: Words, values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return w.compact(lo) if lo == hi else w("by_theme_range", lo=w.compact(lo), hi=w.compact(hi))


def _shows_assumed_outcomes(ev: Evaluation) -> bool:
    """True when the report prints people moved or better off, avoided costs or ratios built on them."""
    costs = ev.costs
    return (
        _has(ev, "people_moved")
        or _has(ev, "people_better_off")
        or any(k in costs for k in ("avoided_eur", "cost_per_person_moved"))
    )


def assumed_outcomes_note(ds: xr.Dataset, ev: Evaluation, w: Words, anchor: str = "") -> str:
    """What sets people moved and the cost figures: the assumed reach and transition shares, their values
    as the file records them, how the figures depend on them, and that intervals leave them out (HTML).

    People moved per successful project are transition_share × reach_share × target group × (1 − share of
    the group already better off): the figures grow roughly, not exactly, in proportion to the product,
    so no range is derived from the parameters' declared bounds.
    """
    if not _shows_assumed_outcomes(ev):
        return ""
    found = _outcome_parameters(ds)
    if _REACH in found and _TRANSITION in found:
        sources = {found[n][1] for n in (_REACH, _TRANSITION)}
        source = (
            w("assumed_source", source=_e(sources.pop())) if len(sources) == 1 and "" not in sources else ""
        )
        text = w(
            "assumed_outcomes",
            reach=_per_theme(w, found[_REACH][0]),
            transition=_per_theme(w, found[_TRANSITION][0]),
            recorded=w("assumed_recorded", source=source),
        )
    else:
        text = w("assumed_unknown")
    ret = w("assumed_return", values=_per_theme(w, found[_RETURN][0])) if _RETURN in found else ""
    diffusion = bool(config(ds).get("model", {}).get("diffusion", False))
    text += " " + w("assumed_diffusion" if diffusion else "assumed_proportional", ret=ret)
    scenarios = {s for c in ev.contrasts for s in (c.treatment, c.baseline)}
    names = (_REACH, _TRANSITION, _RETURN)
    overriding = [
        str(s.get("name", ""))
        for s in config(ds).get("scenario", [])
        if isinstance(s, dict)
        and s.get("name") in scenarios
        and isinstance(s.get("model"), dict)
        and set(s["model"]) & set(names)
    ]
    if overriding:
        text += " " + w("assumed_override", names=", ".join(f"<code>{_e(n)}</code>" for n in overriding))
    varied = [str(v) for v in ds.variables if any(n in str(v) for n in names)]
    if varied:
        text += " " + w("assumed_varied", names=", ".join(f"<code>{_e(v)}</code>" for v in varied))
    ident = f' id="{_e(anchor)}"' if anchor else ""
    return f'<p class="note assumed"{ident}>{text}</p>'


# ------------------------------------------------------------------- summary


def summary_section(
    ds: xr.Dataset,
    ev: Evaluation,
    w: Words,
    *,
    title: str,
    notice: str = "",
    sweep_link: bool = False,
    n_assumed: int | None = None,
) -> str:
    """The summary page: headline, effects of every contrast, for whom, how sure, caveats up front."""
    main = ev.contrasts[0]
    parts = [
        '<section id="summary" class="summary">',
        f'<p class="kicker">atcsim · {_e(title)} · {_e(w("summary_of"))}</p>',
        f'<h1 id="headline-title">{_contrast_title(main, w)}</h1>',
        f'<p class="when" id="when"><b>{when_sentence(ds, ev, w)}</b> {_pooling_sentence(ds, ev, w)} '
        f'{_e(w("replicates", n=ev.n_replicates, ci=w.percent(ev.ci)))}{_contrast_source(ev, w)}</p>',
        f'<p class="headline" id="headline">{_headline(ds, ev, main, w)}</p>',
        notice,
        _main_table(ds, ev, w),
        '<div class="cols">',
        _for_whom(ds, ev, main, w),
        _by_theme(ds, ev, main, w),
        "</div>",
        _how_sure(ds, ev, w, sweep_link, n_assumed),
        _caveats_up_front(ds, ev, w),
        "</section>",
    ]
    return "".join(parts)


def _pooling_sentence(ds: xr.Dataset, ev: Evaluation, w: Words) -> str:
    n = ds.sizes["site"]
    if ev.pooling == "population":
        pop = float(np.nansum(ev.site_quality["population"].to_numpy(float)))
        return w("pooling_population", n=n, pop=w.number(pop, digits=0))
    return w("pooling_unweighted", n=n)


def _contrast_source(ev: Evaluation, w: Words) -> str:
    sources = {c.source for c in ev.contrasts}
    if "default" in sources:
        return " " + _e(w("contrast_default", baseline=ev.contrasts[0].baseline))
    if "ad hoc" in sources:
        return " " + _e(w("contrast_adhoc"))
    return ""


def _headline(ds: xr.Dataset, ev: Evaluation, c: Contrast, w: Words) -> str:
    """One sentence: the main contrast's effects in people, its cost and its benefit-cost ratio."""
    pieces = []

    def effect(variable: str, theme: str, words_key: str, per_1000: bool) -> None:
        row = ev.effect(c.name, variable, theme=theme, scale="people")
        if row is None:
            return
        text = f"<b>{w.signed(row['mean_diff'])}</b> {_e(words_key)}"
        if bool(row["deterministic"]):
            text += f" ({_e(w('no_spread'))})"
        else:
            text += f" {w.interval(row['ci_low'], row['ci_high'])}"
        if per_1000:
            rate = ev.effect(c.name, variable, theme=theme, scale="per_1000")
            if rate is not None:
                sure = (
                    "" if bool(rate["deterministic"]) else f" {w.interval(rate['ci_low'], rate['ci_high'])}"
                )
                text += f" ({w.signed(rate['mean_diff'])}{sure} {_e(w('per_1000'))})"
        pieces.append(text)

    lower = str.lower
    effect("participants", "", lower(w.variable("participants")), True)
    effect("people_moved", ALL_THEMES, lower(w.variable("people_moved")).split(" (")[0], True)
    effect("people_better_off", ALL_THEMES, lower(w.variable("people_better_off")), False)
    if not pieces:
        for variable, theme, scale, _ in _fallback_measures(ev)[:3]:
            row = ev.effect(c.name, variable, theme=theme, scale=scale)
            if row is not None:
                name = w.variable(variable, str(ds[variable].attrs.get("long_name", "")))
                unit = f" {w('pp')}" if scale == "pp" else ""
                sure = (
                    f" ({_e(w('no_spread'))})"
                    if bool(row["deterministic"])
                    else f" {w.interval(row['ci_low'], row['ci_high'])}"
                )
                pieces.append(f"{_e(name)} <b>{w.signed(row['mean_diff'])}</b>{_e(unit)}{sure}")
    cost = ev.cost(c.name)
    sep = " ; " if w.fr else "; "
    text = (", " if not w.fr else ", ").join(pieces)
    if cost is not None and math.isfinite(float(cost["extra_cost_eur"])):
        value, sure = _money_text(w, cost, "extra_cost_eur")
        text += f"{sep}{_e(w('extra_cost').lower())} <b>{value}</b> {_bracketed(sure)}"
        if "cost_per_person_moved" in cost and math.isfinite(float(cost["cost_per_person_moved"])):
            value, sure = _money_text(w, cost, "cost_per_person_moved")
            if _money_spread(cost, "cost_per_person_moved") == "not estimable":
                text += f", {_e(w('cost_per_moved').lower())} {value} ({sure})"
            else:
                text += f", {value} {_e(_per_person_moved(w))} {_bracketed(sure)}"
        if "benefit_cost_ratio" in cost and math.isfinite(float(cost["benefit_cost_ratio"])):
            value, sure = _money_text(w, cost, "benefit_cost_ratio", ratio=True)
            text += f"{sep}{_e(w('bcr').lower())} <b>{value}</b> {_bracketed(sure)}"
    vs = w("vs", treatment=f"<code>{_e(c.treatment)}</code>", baseline=f"<code>{_e(c.baseline)}</code>")
    assumed = f" {_e(w('headline_assumed'))}" if _shows_assumed_outcomes(ev) else ""
    return (f"{vs} : {text}." if w.fr else f"{vs}: {text}.") + assumed


def _per_person_moved(w: Words) -> str:
    return "par personne ayant changé de situation" if w.fr else "per person moved"


def _bracketed(sure: str) -> str:
    """An interval as it is, a reason for having none in parentheses (headline text)."""
    return sure if sure.startswith("[") else f"({sure})"


def _main_table(ds: xr.Dataset, ev: Evaluation, w: Words) -> str:
    measures = [m for m in _MAIN_MEASURES if _has(ev, m[0])] or _fallback_measures(ev)
    costs = not ev.costs.empty
    headers = [_e(w("question"))]
    headers += [_measure_header(ds, w, v, t, s) for v, t, s, _ in measures]
    if costs:
        headers += [_e(w("extra_cost"))]
        if "cost_per_person_moved" in ev.costs:
            headers.append(_e(w("cost_per_moved")))
        elif "cost_per_person_reached" in ev.costs:
            headers.append(_e(w("cost_per_reached")))
        if "benefit_cost_ratio" in ev.costs:
            headers.append(_e(w("bcr")))
    rows = []
    for c in ev.contrasts:
        row = [_contrast_title(c, w) + _own_date(ev, c, w)]
        for variable, theme, scale, per_1000 in measures:
            r = ev.effect(c.name, variable, theme=theme, scale=scale)
            extra = ""
            if per_1000:
                rate = ev.effect(c.name, variable, theme=theme, scale="per_1000")
                if rate is not None and math.isfinite(float(rate["mean_diff"])):
                    extra = (
                        f'<small class="rate">{w.signed(rate["mean_diff"])} {_e(w("per_1000_short"))}</small>'
                    )
            row.append(_cell(w, r, extra=extra))
        if costs:
            cost = ev.cost(c.name)
            row.append(_money_cell(w, cost, "extra_cost_eur"))
            if "cost_per_person_moved" in ev.costs:
                row.append(_cost_per(w, cost, "cost_per_person_moved"))
            elif "cost_per_person_reached" in ev.costs:
                row.append(_cost_per(w, cost, "cost_per_person_reached"))
            if "benefit_cost_ratio" in ev.costs:
                row.append(_cost_per(w, cost, "benefit_cost_ratio", ratio=True))
        rows.append(row)
    note = f'<p class="note">{_e(w("double_count"))}</p>' if any(m[1] == ALL_THEMES for m in measures) else ""
    note += assumed_outcomes_note(ds, ev, w, "assumed-outcomes")
    return f'<h2>{_e(w("what_changed"))}</h2>' + _table(headers, rows, "main") + note


def _own_date(ev: Evaluation, c: Contrast, w: Words) -> str:
    """A contrast measured at another time than the main one says when (else nothing)."""
    when = ev.when_of(c)
    if ev.same_time or when is ev.when_of(ev.contrasts[0]):
        return ""
    date = w.date(when.date) if when.date is not None else when.label
    return f'<br><small class="when">{_e(w("measured_on", date=date))}</small>'


def _cost_per(w: Words, cost: pd.Series | None, key: str, ratio: bool = False) -> str:
    if cost is None:
        return w("na")
    if float(cost["extra_cost_eur"]) == 0 and abs(float(cost.get("extra_cost_eur_ci_high", 0))) == 0:
        return f'<small>{_e(w("cost_na_same"))}</small>'
    if not math.isfinite(float(cost.get(key, math.nan))):
        return f'<small>{_e(w("no_gain"))}</small>' if not ratio else w("na")
    return _money_cell(w, cost, key, ratio=ratio)


def _for_whom(ds: xr.Dataset, ev: Evaluation, c: Contrast, w: Words) -> str:
    columns = [(v, "", "value") for v in FOR_WHOM_VARIABLES if _has(ev, v)]
    lead = [
        m
        for m in (("participants", "", "per_1000"), ("people_moved", ALL_THEMES, "per_1000"))
        if _has(ev, m[0])
    ]
    measures = lead + columns
    if not measures:
        return ""
    e = ev.effects
    groups = e[(e["contrast"] == c.name) & (e["group_kind"] != "site")][
        ["group_kind", "group"]
    ].drop_duplicates()
    pops = ev.site_quality["population"]
    networks = ds["network"].values if "network" in ds.coords else np.array([])
    headers = [_e(w("group")), _e(w("population"))] + [_measure_header(ds, w, *m) for m in measures]
    rows = []
    for _, g in groups.iterrows():
        if g["group_kind"] == "pooled":
            label, pop = w("all_sites"), float(np.nansum(pops.to_numpy(float)))
        else:
            label = w("network", name=g["group"])
            pop = float(np.nansum(pops.to_numpy(float)[[str(n) == g["group"] for n in networks]]))
        cells = [_e(label), w.number(pop, digits=0)]
        for variable, theme, scale in measures:
            cells.append(_cell(w, ev.effect(c.name, variable, theme=theme, scale=scale, group=g["group"])))
        rows.append(cells)
    networked = bool((groups["group_kind"] == "network").any())
    note = f'<p class="note" id="for-whom-note">{_e(w("for_whom_note"))}</p>' if networked else ""
    return f'<div><h2>{_e(w("for_whom", contrast=c.name))}</h2>{_table(headers, rows, "whom", 1)}{note}</div>'


def _by_theme(ds: xr.Dataset, ev: Evaluation, c: Contrast, w: Words) -> str:
    variables = [v for v in ("people_reached", "people_moved", "people_better_off") if _has(ev, v)]
    if not variables:
        return ""
    e = ev.effects
    themes = [
        t for t in dict.fromkeys(e.loc[e["variable"] == variables[0], "theme"]) if t and t != ALL_THEMES
    ]
    headers = [_e(w("theme"))] + [_measure_header(ds, w, v, "", "people") for v in variables]
    rows = []
    for theme in themes:
        cells = [_e(w.theme(theme))]
        for v in variables:
            rate = ev.effect(c.name, v, theme=theme, scale="per_1000")
            extra = (
                f'<small class="rate">{w.signed(rate["mean_diff"])} {_e(w("per_1000_short"))}</small>'
                if rate is not None
                else ""
            )
            cells.append(_cell(w, ev.effect(c.name, v, theme=theme, scale="people"), extra=extra))
        rows.append(cells)
    return f'<div><h2>{_e(w("by_theme", contrast=c.name))}</h2>{_table(headers, rows, "themes", 1)}</div>'


def _how_sure(ds: xr.Dataset, ev: Evaluation, w: Words, sweep_link: bool, n_assumed: int | None) -> str:
    items = [_e(w("ci_sim", n=ev.n_replicates))]
    # PARAMETER UNCERTAINTY (issue 13, branch calib2): filled by atcsim.evaluation.parameter_uncertainty.
    text = ev.uncertainty.text_fr if w.fr else ev.uncertainty.text
    items.append(f'<span id="parameter-uncertainty">{_e(w("param_uncertainty", text=text))}</span>')
    items.append(
        w("robust_sweep") if sweep_link else w("robust_none", n_assumed=n_assumed if n_assumed else "?")
    )
    items.append(_plausibility_line(ev, w))
    n_det = (
        int(ev.effects.loc[ev.effects["group_kind"] == "pooled", "deterministic"].sum())
        if len(ev.effects)
        else 0
    )
    if n_det:
        items.append(_e(w("deterministic_note", n=n_det)))
    return (
        f'<h2>{_e(w("how_sure"))}</h2><ul class="sure">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    )


def _plausibility_line(ev: Evaluation, w: Words) -> str:
    total = len(ev.checks)
    if total == 0:
        return _e(w("plausibility_none"))
    flags = ev.flags
    if flags.empty:
        return w("plausibility_ok", total=total)
    examples = []
    for _, f in flags.drop_duplicates(["check", "indicator", "label", "subject"]).head(3).iterrows():
        label = f" ({w.theme(f['label'])})" if f["label"] else ""
        where = w("all_sites") if f["site"] == POOLED else f["site_name"]
        examples.append(
            f"{_e(w.variable(f['indicator']))}{_e(label)}, {_e(f['subject'])}, {_e(where)}: "
            f"{w.number(f['value'])} ∉ [{w.number(f['min'])}{' ; ' if w.fr else ', '}{w.number(f['max'])}]"
        )
    more = len(flags) - len(examples)
    text = "; ".join(examples) + (f" (+{more})" if more > 0 else "")
    return w("plausibility_flags", n=len(flags), total=total, examples=text)


def _caveats_up_front(ds: xr.Dataset, ev: Evaluation, w: Words) -> str:
    items = []
    q = ev.site_quality
    flagged = q[q["flags"].map(len) > 0]
    if len(flagged):
        listed = "; ".join(
            f"<b>{_e(r.site_name)}</b> ({_e(', '.join(w.flag(f) for f in r.flags))})"
            for r in flagged.itertuples()
        )
        key = "site_flags" if q.attrs.get("source") == "file" else "site_flags_unknown"
        items.append(w(key, sites=listed))
    else:
        items.append(_e(w("site_flags_none")))
    if ev.inputs:
        items.append(w("inputs_note", names=", ".join(f"<code>{_e(n)}</code>" for n in ev.inputs)))
    items += [_e(n.said(w) if isinstance(n, Note) else n) for n in ev.notes]
    return (
        f'<h2>{_e(w("caveats_up_front"))}</h2><ul class="caveats">'
        + "".join(f"<li>{i}</li>" for i in items)
        + "</ul>"
    )


# ------------------------------------------------------------ contrast sections


def contrast_section(
    ds: xr.Dataset,
    ev: Evaluation,
    c: Contrast,
    w: Words,
    figure: Callable[[Any, str], str],
    plot: Callable[..., Any],
) -> str:
    """One contrast: question, scenarios, effects in people, other outcomes, forest plots, per-site, costs."""
    descriptions = scenario_descriptions(ds)
    missing = w("scenario_descriptions_missing")
    e = ev.effects[ev.effects["contrast"] == c.name]
    when = when_sentence(ds, ev, w, c)
    parts = [
        f'<section class="contrast" id="contrast-{_e(c.name)}">',
        f"<h2>{_contrast_title(c, w)}</h2>",
        f'<p class="note"><b>{_e(w("scenario_desc"))}</b>: <code>{_e(c.treatment)}</code>: '
        f"{_e(descriptions.get(c.treatment) or missing)}; <code>{_e(c.baseline)}</code>: "
        f"{_e(descriptions.get(c.baseline) or missing)}.</p>",
        '<p class="note">'
        + _e(
            w(
                "effects_note",
                when=when[:1].lower() + when[1:].rstrip("."),
                ci=w.percent(ev.ci),
                n_boot=ev.n_boot,
                seed=ev.seed,
            )
        )
        + "</p>",
    ]
    pooled = e[e["group_kind"] == "pooled"]
    people = pooled[pooled["scale"].isin(["people", "per_1000"])]
    if len(people):
        parts.append(f'<h3>{_e(w("effects_in_people"))}</h3>')
        parts.append(_people_table(ds, people, w))
        parts.append(assumed_outcomes_note(ds, ev, w))
    others = pooled[~pooled["scale"].isin(["people", "per_1000"])]
    process = others[others["variable"].isin(PROCESS_VARIABLES)]
    others = others[~others["variable"].isin(PROCESS_VARIABLES)]
    if len(others):
        parts.append(f'<h3>{_e(w("other_outcomes"))}</h3>')
        parts.append(_outcome_table(ds, others, w))
    if len(process):
        parts.append(f'<h3>{_e(w("process_measures"))}</h3><p class="note">{_e(w("process_note"))}</p>')
        parts.append(_outcome_table(ds, process, w))
    measures = _figure_measures(e)
    if measures:
        titles = [_measure_title(ds, w, *m) for m in measures]
        fig = plot(
            ev.effects,
            c.name,
            measures,
            titles=titles,
            ci=ev.ci,
            pooled_label=w("all_sites"),
            network_label=w("network", name="{name}"),
            xlabel=w("forest_xlabel", ci=w.percent(ev.ci)),
        )
        parts.append(figure(fig, f"effects of {c.name} by site"))
    parts.append(_site_details(ds, e, w, measures))
    parts.append(_cost_details(ds, ev, c, w))
    parts.append("</section>")
    return "".join(parts)


def _measure_title(ds: xr.Dataset, w: Words, variable: str, theme: str, scale: str) -> str:
    name = w.short(variable, str(ds[variable].attrs.get("long_name", "")))
    unit = {"pp": w("pp"), "people": w("people"), "per_1000": w("per_1000")}.get(scale, "")
    return name + (f" ({w.theme(theme)})" if theme else "") + (f", {unit}" if unit else "")


def _figure_measures(e: pd.DataFrame) -> list[tuple[str, str, str]]:
    wanted = [
        ("participants", "", "per_1000"),
        ("people_moved", ALL_THEMES, "per_1000"),
        ("people_better_off", ALL_THEMES, "per_1000"),
        ("participation_share", "", "pp"),
    ]
    keys = set(zip(e["variable"], e["theme"], e["scale"]))
    found = [m for m in wanted if m in keys]
    if found:
        return found
    out = []
    for m in dict.fromkeys(zip(e["variable"], e["theme"], e["scale"])):
        if m[2] != "per_1000":
            out.append(m)
        if len(out) == 3:
            break
    return out


def _people_table(ds: xr.Dataset, rows: pd.DataFrame, w: Words) -> str:
    headers = [_e(w("indicator")), _e(w("baseline_mean")), _e(w("treatment_mean")), _e(w("difference"))]
    headers += [_e(w("per_1000")), _e(w("dz"))]
    body = []
    for (variable, theme), g in rows.groupby(["variable", "theme"], sort=False):
        total = g[g["scale"] == "people"].iloc[0]
        rate = g[g["scale"] == "per_1000"]
        rate_row = rate.iloc[0] if len(rate) else None
        name = w.variable(variable, str(ds[variable].attrs.get("long_name", "")))
        label = name + (f" — {w.theme(theme)}" if theme else "")
        body.append(
            [
                _e(label),
                w.number(total["baseline_mean"]),
                w.number(total["treatment_mean"]),
                _cell(w, total),
                _cell(w, rate_row),
                _dz(w, total),
            ]
        )
    return _table(headers, body, "people")


def _dz(w: Words, row: pd.Series) -> str:
    if bool(row["deterministic"]):
        return f'<small class="det">{_e(w("deterministic"))}</small>'
    return w.number(row["effect_size"], digits=1)


def _outcome_table(ds: xr.Dataset, rows: pd.DataFrame, w: Words) -> str:
    headers = [_e(w("indicator")), _e(w("baseline_mean")), _e(w("treatment_mean")), _e(w("difference"))]
    headers.append(_e(w("dz")))
    body = []
    for _, r in rows.iterrows():
        name = w.variable(r["variable"], str(ds[r["variable"]].attrs.get("long_name", "")))
        unit = f" ({w('pp')})" if r["scale"] == "pp" else ""
        label = name + (f" — {w.theme(r['theme'])}" if r["theme"] else "") + unit
        pct = " %" if r["scale"] == "pp" else ""
        body.append(
            [
                f"{_e(label)}<br><small><code>{_e(r['label'])}</code></small>",
                w.number(r["baseline_mean"]) + pct,
                w.number(r["treatment_mean"]) + pct,
                _cell(w, r),
                _dz(w, r),
            ]
        )
    return _table(headers, body, "outcomes")


def _site_details(ds: xr.Dataset, e: pd.DataFrame, w: Words, measures: list[tuple[str, str, str]]) -> str:
    if not measures:
        return ""
    sites = e[e["group_kind"] != "pooled"]
    headers = [_e(w("site"))] + [_e(_measure_title(ds, w, *m)) for m in measures]
    body = []
    first = sites[
        (sites["variable"] == measures[0][0])
        & (sites["theme"] == measures[0][1])
        & (sites["scale"] == measures[0][2])
    ]
    for _, g in first.iterrows():
        cells = [_e(g["group_name"])]
        for variable, theme, scale in measures:
            r = sites[
                (sites["variable"] == variable)
                & (sites["theme"] == theme)
                & (sites["scale"] == scale)
                & (sites["group"] == g["group"])
            ]
            cells.append(_cell(w, r.iloc[0] if len(r) else None))
        body.append(cells)
    return f"<details><summary>{_e(w('per_site'))}</summary>{_table(headers, body, 'sites')}</details>"


def _cost_details(ds: xr.Dataset, ev: Evaluation, c: Contrast, w: Words) -> str:
    if ev.costs.empty:
        return ""
    rows = ev.costs[ev.costs["contrast"] == c.name]
    keys = [("extra_cost_eur", "extra_cost", False)]
    if "avoided_eur" in rows:
        keys += [("avoided_eur", "avoided", False), ("net_benefit_eur", "net", False)]
    if "benefit_cost_ratio" in rows:
        keys.append(("benefit_cost_ratio", "bcr", True))
    if "cost_per_person_moved" in rows:
        keys.append(("cost_per_person_moved", "cost_per_moved", False))
    if "cost_per_person_reached" in rows:
        keys.append(("cost_per_person_reached", "cost_per_reached", False))
    headers = [_e(w("site"))] + [_e(w(k[1])) for k in keys] + [_e(w("cost_per_site_year"))]
    body = []
    for _, r in rows.iterrows():
        name = w("all_sites") if r["group_kind"] == "pooled" else r["group_name"]
        if r["group_kind"] == "network":
            name = w("network", name=r["group"])
        cells = [_e(name)]
        for key, _, ratio in keys:
            cells.append(_cost_per(w, r, key, ratio) if key != "extra_cost_eur" else _money_cell(w, r, key))
        cells.append(w.euros(r["extra_cost_per_site_year"]))
        body.append(cells)
    when = ev.when_of(c)
    date = w.date(when.date) if when.date is not None else when.label
    note = f'<p class="note">{_e(w("cost_table_note", date=date))}</p>' + assumed_outcomes_note(ds, ev, w)
    return f"<details><summary>{_e(w('costs'))}</summary>{note}{_table(headers, body, 'costs')}</details>"


# --------------------------------------------------------- plausibility, sites


def plausibility_section(ev: Evaluation, w: Words) -> str:
    env = (
        f"<code>{_e(ev.envelope.path)}</code>"
        if ev.envelope.found
        else "docs/data/envelope.toml " + ("(introuvable)" if w.fr else "(not found)")
    )
    parts = [
        f'<section id="plausibility"><h2>{_e(w("plausibility"))}</h2>',
        f'<p class="note">{w("plausibility_note", envelope=env)}</p>',
    ]
    if not ev.envelope.found:
        parts.append(
            f'<p class="warn">{_e(w("envelope_missing", paths=", ".join(ev.envelope.searched)))}</p>'
        )
    flags = ev.flags
    if len(ev.checks) and flags.empty:
        parts.append(f"<p>{_e(w('plausibility_all_ok', n=len(ev.checks)))}</p>")
    elif len(flags):
        headers = [_e(w(k)) for k in ("check", "subject", "indicator", "site", "value", "range", "table")]
        body = []
        for _, f in flags.iterrows():
            label = f" ({w.theme(f['label'])})" if f["label"] else ""
            where = w("all_sites") if f["site"] == POOLED else f["site_name"]
            value = w.number(f["value"])
            if math.isfinite(float(f["ci_low"])):
                value += f"<br><small>{w.interval(f['ci_low'], f['ci_high'])}</small>"
            unit = w.term("unit", f["unit"]) if w.fr else f["unit"]
            sep = " ; " if w.fr else ", "
            body.append(
                [
                    _e(w.term("check", f["check"]) if w.fr else f["check"]),
                    f"<code>{_e(f['subject'])}</code>",
                    f"<code>{_e(f['indicator'])}</code>{_e(label)}",
                    _e(where),
                    value,
                    f"[{w.number(f['min'])}{sep}{w.number(f['max'])}] {_e(unit)}",
                    f"<code>{_e(f['table'])}</code> <small>{_e(f['status'])}</small>",
                ]
            )
        parts.append(_table(headers, body, "flags", first_text=4, text=(6,)))
    parts.append("</section>")
    return "".join(parts)


def sites_section(ds: xr.Dataset, ev: Evaluation, w: Words) -> str:
    q = ev.site_quality
    networks = (
        dict(zip([str(s) for s in ds["site"].values], [str(n) for n in ds["network"].values]))
        if "network" in ds.coords
        else {}
    )
    headers = [_e(w("site")), "Réseau" if w.fr else "Network", _e(w("population"))]
    headers += [_e(w(k)) for k in ("identity", "source_kind", "perimeter", "assumed", "flags")]
    body = []
    for site, r in q.iterrows():
        body.append(
            [
                f"{_e(r['site_name'])}<br><small><code>{_e(site)}</code></small>",
                _e(networks.get(site, "")),
                w.number(r["population"], digits=0),
                _e(w.term("identity", r["identity"]) or "?"),
                _e(w.term("kind", r["population_source_kind"]) or "?"),
                _e(w.term("perimeter", r["population_perimeter"]) or "?"),
                str(len(r["assumed_fields"])),
                _e("; ".join(w.flag(f) for f in r["flags"])),
            ]
        )
    return (
        f'<section id="sites"><h2>{_e(w("sites"))}</h2><p class="note">{_e(w("sites_note"))}</p>'
        + _table(headers, body, "quality", first_text=2, text=(3, 4, 5, 7))
        + "</section>"
    )


def inputs_section(ds: xr.Dataset, ev: Evaluation, w: Words) -> str:
    if not ev.inputs:
        return ""
    scenarios = [str(s) for s in ds["scenario"].values]
    index = ev.when.end_index
    weights = ev.site_quality["population"].to_numpy(float)
    if ev.pooling != "population" or not np.isfinite(weights).all():
        weights = np.ones(ds.sizes["site"])
    headers = [_e(w("indicator"))] + [f"<code>{_e(s)}</code>" for s in scenarios]
    body = []
    for name in ev.inputs:
        da = ds[name]
        extra = [d for d in da.dims if d not in ("scenario", "replicate", "site", "time", "point")]
        if extra:
            continue
        values = np.asarray(da.isel(time=index).transpose("scenario", "replicate", "site").values, float)
        cost = name.endswith("_eur")
        label = _e(w.variable(name, str(da.attrs.get("long_name", ""))))
        cells = [f"{label}<br><small><code>{_e(name)}</code></small>"]
        for s in range(len(scenarios)):
            per_site = np.nanmean(values[s], axis=0)
            pooled = float(np.nansum(per_site)) if cost else float(np.average(per_site, weights=weights))
            cells.append(w.euros(pooled) if cost else w.number(pooled))
        body.append(cells)
    date = w.date(ev.when.date) if ev.when.date is not None else ev.when.label
    when = ("au " if w.fr else "on ") + date
    return (
        f'<section id="inputs"><h2>{_e(w("inputs"))}</h2>'
        f'<p class="note">{_e(w("inputs_section_note", when=when))}</p>'
        + _table(headers, body, "inputs")
        + "</section>"
    )
