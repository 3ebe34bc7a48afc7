"""Self-contained HTML report of an atcsim experiment.

The report is one HTML file: inline CSS, plots embedded as base64 PNG, no
JavaScript and no network fetch (a Content-Security-Policy forbids both), so
it can be opened anywhere and sent by e-mail.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import itertools
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from . import __version__
from ._outputs import check_output
from .dataset import (
    SWEEP_DIM,
    extra_dims,
    indicators,
    is_sweep,
    open as open_dataset,
    read_parameters,
    site_labels,
    sweep_method,
    sweep_table,
)
from .errors import (
    AtcsimError,
    FewReplicatesWarning,
    IncompleteRunsWarning,
    SweepError,
)
from .plots import event_markers, is_share_variable, plot_effects, plot_sites
from . import sensitivity as _sa
from .evaluation import (
    Contrast,
    Envelope,
    baseline_and_treatments,
    contrasts as file_contrasts,
    french_default,
    is_input,
)
from .i18n import LANGUAGES, Note, Words
from .report_evaluation import (
    contrast_section,
    inputs_section,
    plausibility_section,
    sites_section,
    summary_section,
)
from .posterior_effects import posterior_section
from .summary import evaluate
from .bootstrap import DEFAULT_N_BOOT, DEFAULT_SEED
from .comparison import MIN_RELIABLE_REPLICATES, compare_by_point
from .selection import selection_label
from .time_selection import TimeSpec, select_time

__all__ = ["PREFERRED_INDICATORS", "Item", "key_items", "choose_scenarios", "render_report", "write_report"]

#: Indicators shown in the report when present (otherwise every indicator is).
PREFERRED_INDICATORS: tuple[str, ...] = (
    "participation_share",
    "active_share",
    "trust_institutions",
    "trust_associations",
    "collective_efficacy",
    "org_trust_mean",
    "institution_posture",
    "projects_succeeded",
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 color:#1d1d1f;max-width:1120px;margin:0 auto;padding:1.5em 2em 4em;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}
h2{border-bottom:2px solid #d0d4da;padding-bottom:.2em;margin-top:2em}
h3{margin-top:1.6em}
p.meta,p.note,.note{color:#555;font-size:.92em}
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.88em}
th,td{border:1px solid #d0d4da;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#eef0f3}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.kv th{width:12em}
tr.pooled td{font-weight:600;background:#f6f7f9}
details{margin:.5em 0 1em}
summary{cursor:pointer;color:#2a4d7a}
pre{background:#f6f7f9;border:1px solid #d0d4da;padding:.8em;overflow-x:auto;font-size:.85em}
figure{margin:.8em 0}
figure img{max-width:100%;height:auto;border:1px solid #eceef1}
nav ul{columns:2}
code{background:#f1f2f4;padding:0 .2em}
p.warn{background:#fff6e8;border-left:4px solid #d98c00;padding:.5em 1em}
td,th{overflow-wrap:break-word}
table{max-width:100%}
.summary h1{font-size:1.4em;margin:.1em 0 .25em;line-height:1.25}
.summary h2{font-size:1.02em;margin:.7em 0 .25em;border-bottom:1px solid #d0d4da;padding-bottom:.1em}
p.kicker{color:#555;font-size:.82em;margin:0}
p.when{font-size:.88em;margin:.15em 0}
p.headline{font-size:1.02em;background:#eef4fb;border-left:4px solid #0072B2;padding:.4em .8em;margin:.45em 0}
.vs{font-weight:normal;font-size:.78em;color:#444}
h2 .vs{font-size:.7em}
table.ev td.num{white-space:normal}
table.main{width:100%;table-layout:fixed;font-size:.8em}
table.main th:first-child{width:16%}
table.whom,table.themes{font-size:.8em;width:100%;table-layout:fixed}
table.whom th:first-child,table.themes th:first-child{width:22%}
td small,th small{display:block;color:#555;font-size:.86em}
td small.rate{color:#1d1d1f;white-space:nowrap}
small.det{font-style:italic}
span.v{white-space:nowrap}
.cols{display:flex;gap:1.2em;flex-wrap:wrap}
.cols>div{flex:1 1 26em;min-width:0}
ul.sure,ul.caveats{font-size:.84em;margin:.15em 0;padding-left:1.2em}
section.contrast h2{font-size:1.25em}
@page{size:A4 landscape;margin:8mm}
@media print{
 body{max-width:none;padding:0;font-size:7pt;line-height:1.25}
 #summary{break-after:page}
 nav{display:none}
 figure,table{break-inside:avoid}
 p.headline{background:none;border-left:3px solid #0072B2;padding:.2em .6em;margin:.3em 0}
 .summary table{margin:.25em 0 .4em}
 .summary th,.summary td{padding:.1em .35em;line-height:1.15}
 .summary h2{margin:.45em 0 .15em}
 .summary p.note{margin:.2em 0}
 .summary .cols>div{flex:1 1 20em}
 ul.sure,ul.caveats{font-size:.8em;line-height:1.2}
}
"""


# ------------------------------------------------------------------- selection


@dataclass(frozen=True)
class Item:
    """One indicator shown in the report, with a value of each extra dimension."""

    variable: str
    select: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``variable`` or ``variable[dim=value]``."""
        return selection_label(self.variable, self.select)


def key_items(ds: xr.Dataset) -> list[Item]:
    """Indicators to report: the preferred ones present, else all of them; never inputs.

    Variables with extra dimensions (e.g. ``theme``) give one item per value.
    Inputs (``atcsim_role = "input"``: costs, schedules, scenario settings)
    are left out: they are set by the scenario, not effects.
    """
    outcomes = [v for v in indicators(ds) if not is_input(ds, v)]
    present = [v for v in PREFERRED_INDICATORS if v in outcomes]
    items = []
    for name in present or outcomes:
        dims = extra_dims(ds[name])
        if not dims:
            items.append(Item(name))
            continue
        for combo in itertools.product(*(ds[d].values for d in dims)):
            values = [v.item() if isinstance(v, np.generic) else v for v in combo]
            items.append(Item(name, dict(zip(dims, values))))
    return items


# The report's choice of scenarios is the evaluation's (one definition).
choose_scenarios = baseline_and_treatments


# ------------------------------------------------------------------- formatting


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


# The English-only sections' numbers; Words writes them in either language.
_ENGLISH = Words("en")


def _fmt(x: Any) -> str:
    """Compact number for tables."""
    return _ENGLISH.compact(x)


def _pct(x: Any) -> str:
    return _ENGLISH.share(x)


def _ci(lo: Any, hi: Any) -> str:
    return _ENGLISH.interval(lo, hi, compact=True)


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric_from: int = 1,
    row_classes: Sequence[str] | None = None,
    numeric: Iterable[int] | None = None,
) -> str:
    """HTML table; cells are already-escaped strings.

    Columns from ``numeric_from`` on (or exactly those in ``numeric``) are
    right-aligned numbers.
    """
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    num = set(numeric) if numeric is not None else set(range(numeric_from, len(headers)))
    body = []
    for k, row in enumerate(rows):
        cls = f' class="{row_classes[k]}"' if row_classes and row_classes[k] else ""
        cells = "".join(
            f'<td class="num">{c}</td>' if j in num else f"<td>{c}</td>" for j, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(fig: Figure, alt: str, dpi: int = 80) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'


def _describe(ds: xr.Dataset, item: Item) -> str:
    da = ds[item.variable]
    long_name = str(da.attrs.get("long_name", ""))
    return _e(item.label) + (f'<br><span class="note">{_e(long_name)}</span>' if long_name else "")


def _units(ds: xr.Dataset, item: Item) -> str:
    return _e(ds[item.variable].attrs.get("units", ""))


# ---------------------------------------------------------------------- sections


def _generated_at() -> _dt.datetime:
    """When the report is written: now, or SOURCE_DATE_EPOCH (seconds since 1970, the
    reproducible-builds convention) when it is set, so that the same file gives the same report."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return _dt.datetime.now(_dt.timezone.utc)
    if not epoch.isdigit() or int(epoch) > 253402300799:  # up to 9999-12-31
        raise AtcsimError(
            f"SOURCE_DATE_EPOCH: expected a whole number of seconds since 1970-01-01 UTC, got {epoch!r}"
        )
    return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)


def _header(ds: xr.Dataset, small: bool = False, w: Words | None = None) -> str:
    title = ds.attrs.get("title", "") or Path(ds.attrs.get("analysis_source", "")).name
    generated = _generated_at().strftime("%Y-%m-%d %H:%M UTC")
    source = f'<code>{_e(ds.attrs.get("analysis_source", ""))}</code>'
    model = f"<code>{_e(ds.attrs.get('model', 'unknown'))}</code>"
    if w is not None and w.fr:
        meta = (
            f"Fichier {source}, modèle {model}. Rapport produit le {generated} par le module "
            f"d'analyse d'atcsim {_e(__version__)}."
        )
    else:
        meta = (
            f"File {source}, model {model}. Report generated {generated} by the atcsim analysis "
            f"package {_e(__version__)}."
        )
    return ("" if small else f"<h1>atcsim report: {_e(title)}</h1>") + f'<p class="meta">{meta}</p>'


def _notice(ds: xr.Dataset, w: Words | None = None) -> str:
    """A visible warning at the top when the results need care."""
    a = ds.attrs
    problems = []
    if a.get("analysis_incomplete_runs", 0):
        problems.append(
            f"{a['analysis_incomplete_runs']} of {a.get('analysis_runs_total')} runs "
            "are incomplete and were left out"
        )
    if str(a.get("analysis_source", "")).endswith(".partial"):
        problems.append("the experiment did not finish (.partial file)")
    if "run_complete" not in ds.coords:
        problems.append("the file has no run_complete flags, so incomplete runs cannot be " "detected")
    n_rep = ds.sizes["replicate"]
    if a.get("analysis_dropped_points", np.array([])).size:
        problems.append(
            f"{a['analysis_dropped_points'].size} sweep point(s) with incomplete runs " "were left out"
        )
    if is_sweep(ds):
        # Sensitivity CIs come from the design, not from replicates; only comparisons need them.
        if n_rep < MIN_RELIABLE_REPLICATES and ds.sizes["scenario"] > 1:
            problems.append(
                f"only {n_rep} replicate(s) per point: the per-point comparisons "
                "of scenarios have unreliable confidence intervals"
            )
    elif n_rep < MIN_RELIABLE_REPLICATES:
        problems.append(
            w("few_replicates", n=n_rep)
            if w is not None
            else f"only {n_rep} replicate(s): confidence intervals are unreliable"
        )
    if not problems:
        return ""
    heading = w("read_with_care") if w is not None else "Read with care"
    see = (
        'Voir les <a href="#caveats">réserves</a>'
        if w is not None and w.fr
        else 'See <a href="#caveats">Caveats</a>'
    )
    return f'<p class="warn"><b>{_e(heading)}:</b> ' + _e("; ".join(problems)) + f". {see}.</p>"


def _run_section(ds: xr.Dataset, report_command: str | None, w: Words | None = None) -> str:
    a = ds.attrs
    dims = ", ".join(f"{d} = {n}" for d, n in ds.sizes.items())
    times = ds["time"].values
    span = (
        f"{pd.Timestamp(times[0]).date()} to {pd.Timestamp(times[-1]).date()}"
        if len(times) and np.issubdtype(times.dtype, np.datetime64)
        else "n/a"
    )
    fr = w is not None and w.fr
    rows = [
        ("Titre" if fr else "Title", a.get("title", "")),
        ("Modèle" if fr else "Model", a.get("model", "")),
        (
            "Version d'atcsim" if fr else "atcsim version",
            f"{a.get('atcsim_version', '')} (output schema {a.get('atcsim_schema', '')})",
        ),
        ("Commit Git" if fr else "Git commit", a.get("git_commit", "")),
        ("Créé le" if fr else "Created", a.get("created", "")),
        ("Graine" if fr else "Seed", a.get("seed", "")),
        ("Ligne de commande" if fr else "Command line", a.get("command_line", "")),
        ("Jours par pas" if fr else "Days per step", a.get("step_days", "")),
        (
            "Période enregistrée" if fr else "Recorded period",
            f"{span} ({len(times)} {'dates enregistrées' if fr else 'recorded times'})",
        ),
        ("Dimensions (analysées)" if fr else "Dimensions (analysed)", dims),
        ("Scénarios" if fr else "Scenarios", ", ".join(str(s) for s in ds["scenario"].values)),
        ("Sites", ", ".join(str(s) for s in ds["site"].values)),
    ]
    if is_sweep(ds):
        rows += _sweep_rows(ds)
    if report_command:
        rows.append(("Commande du rapport" if fr else "Report command", report_command))
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    config = a.get("config_toml", "")
    summary = (
        "Configuration résolue (<code>config_toml</code>) : <code>atcsim run</code> la rejoue à l'identique"
        if fr
        else "Resolved configuration (<code>config_toml</code>): "
        "<code>atcsim run</code> on it reproduces the file"
    )
    missing = (
        "Le fichier n'a pas d'attribut config_toml." if fr else "The file carries no config_toml attribute."
    )
    details = (
        f"<details><summary>{summary}</summary><pre>{_e(config)}</pre></details>"
        if config
        else f'<p class="note">{missing}</p>'
    )
    heading = "Ce qui a été simulé" if fr else "What was run"
    return f'<h2 id="run">{heading}</h2><table class="kv">{table}</table>{details}'


def _sweep_rows(ds: xr.Dataset) -> list[tuple[str, str]]:
    a = ds.attrs
    method = sweep_method(ds) or "unknown"
    design = {
        "sobol": f"Saltelli (2010) scheme on a Sobol sequence, N = "
        f"{a.get('sweep_base_points', '?')} base samples",
        "morris": f"Morris (1991) trajectories, p = {a.get('sweep_levels', '?')} levels",
        "lhs": "Latin hypercube sample",
        "grid": "full factorial grid",
    }.get(method, method)
    seeded = "sweep_seed" in a and method in ("lhs", "morris")
    seed = f", sampling seed {a['sweep_seed']}" if seeded else ""
    params = []
    for name, r in sweep_table(ds).iterrows():
        rng = f"[{r['min']:.6g}, {r['max']:.6g}]"
        scale = f", {r['scale']} scale" if r["scale"] else ""
        params.append(f"{r['key']} in {rng}{scale} ({r['n_values']} values)")
    return [
        ("Parameter sweep", f"{method}: {design}{seed}; {ds.sizes[SWEEP_DIM]} points analysed"),
        ("Swept parameters", "; ".join(params) or "none"),
    ]


_MAX_POINT_ROWS = 60


def _sweep_comparison_section(
    ds: xr.Dataset,
    contrast: Contrast,
    items: list[Item],
    n_boot: int,
    seed: int,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
) -> str:
    """Effects of a sweep: the pooled paired comparison at every point, summarised."""
    baseline, treatment = contrast.baseline, contrast.treatment
    n_points = ds.sizes[SWEEP_DIM]
    tables = [
        compare_by_point(
            ds,
            baseline,
            treatment,
            it.variable,
            at=at,
            window=window,
            select=it.select or None,
            n_boot=n_boot,
            seed=seed,
        )
        for it in items
    ]
    time_label = tables[0].attrs["time"] if tables else ""
    headers = [
        "Indicator",
        "Units",
        "Median over points of the difference",
        "Range over points",
        "Points with CI > 0",
        "Points with CI < 0",
        "Replicates per point",
    ]
    rows = []
    for item, t in zip(items, tables):
        d = t["mean_diff"].to_numpy(float)
        finite = d[np.isfinite(d)]
        above = int((t["ci_low"] > 0).sum())
        below = int((t["ci_high"] < 0).sum())
        no_ci = not np.isfinite(t["ci_low"].to_numpy(float)).any()
        rows.append(
            [
                _describe(ds, item),
                _units(ds, item),
                _fmt(np.median(finite)) if finite.size else "n/a",
                _ci(finite.min(), finite.max()) if finite.size else "n/a",
                "n/a" if no_ci else f"{above} of {len(t)}",
                "n/a" if no_ci else f"{below} of {len(t)}",
                str(int(t["n_replicates"].min())) if len(t) else "0",
            ]
        )
    question = f"{_e(contrast.question)} " if contrast.question else ""
    parts = [
        f'<h2 id="effects-{_e(contrast.name)}">Effects: {question}{_e(treatment)} vs {_e(baseline)}, '
        "per sweep point</h2>",
        f'<p class="note">At {_e(time_label)}. The file holds a '
        f"parameter sweep of {n_points} points, so the scenarios are compared separately at "
        "each point: per replicate, the unweighted mean over sites, then treatment minus "
        "baseline on the same replicate (paired), averaged over replicates, with a "
        f"95% percentile bootstrap CI over replicates ({n_boot} resamples, seed "
        f"{seed}). The table summarises these per-point effects; "
        "<code>atcsim.compare_by_point</code> gives them all, and "
        "<code>atcsim.compare(ds.isel(point=i), ...)</code> the per-site detail of one "
        "point.</p>",
        _table(headers, rows, numeric_from=2),
    ]
    swept = sweep_table(ds)
    params, keys = list(swept.index), list(swept["key"])
    for item, t in zip(items, tables):
        if len(t) > _MAX_POINT_ROWS:
            continue
        body = [
            [
                _e(p),
                *[_fmt(r[c]) for c in params],
                _fmt(r.baseline_mean),
                _fmt(r.treatment_mean),
                _fmt(r.mean_diff),
                _ci(r.ci_low, r.ci_high),
                _fmt(r.effect_size),
                str(int(r.n_replicates)),
            ]
            for p, r in t.iterrows()
        ]
        parts.append(
            f"<details><summary>Per-point effects: {_e(item.label)}</summary>"
            + _table(
                ["Point", *keys, "Baseline mean", "Treatment mean", "Difference", "CI", "d_z", "Replicates"],
                body,
            )
            + "</details>"
        )
    return "".join(parts)


def _sensitivity_intro(ds: xr.Dataset, scenarios: list[str], n_boot: int, seed: int) -> str:
    method = sweep_method(ds)
    n_rep, n_site = ds.sizes["replicate"], ds.sizes["site"]
    reduce = f"the mean over its {n_rep} replicates" if n_rep > 1 else "its single replicate"
    if n_site > 1:
        reduce += f" and over the {n_site} sites (equally weighted)"
    scen = (
        "the file's only scenario"
        if len(scenarios) == 1
        else f"each scenario separately ({', '.join(scenarios)}): scenarios are different "
        "models, so they are not pooled"
    )
    what = {
        "sobol": "Sobol indices: S1 (first order, Saltelli et al. 2010 estimator) is the share "
        "of the output variance explained by the parameter alone; ST (total, Jansen 1999 "
        "estimator) adds all its interactions. ST − S1 measures interactions; a "
        "parameter with ST ≈ 0 can be fixed anywhere in its range. CIs: percentile "
        "bootstrap over the base samples (conservative for a Sobol sequence).",
        "morris": "Morris screening: mu* (mean absolute elementary effect, Campolongo et al. "
        "2007) ranks parameters by overall influence; sigma (sd of the effects, Morris "
        "1991) is large when the effect depends on where the parameter moves or on the "
        "other parameters (non-linearity, interactions); mu (signed mean) near 0 with a "
        "large mu* means non-monotonic effects. Effects are in output units per unit of "
        "the normalised parameter range. CIs: percentile bootstrap over trajectories.",
    }.get(
        method,
        "Spearman rank correlation between each parameter and the output over the "
        "design points: +1 (−1) when the output rises (falls) monotonically with the "
        "parameter. A correlation near 0 does not rule out a non-monotonic effect: "
        "see the scatter plots. CIs: percentile bootstrap over points.",
    )
    return (
        f'<h2 id="sensitivity">Sensitivity analysis ({_e(method)} sweep)</h2>'
        f'<p class="note">For {_e(scen)}: at each parameter point, each indicator at the last '
        f"recorded time, {_e(reduce)}. {_e(what)} ({n_boot} resamples, seed {seed}.)</p>"
    )


def _sensitivity_block(ds: xr.Dataset, scenario: str, item: Item, n_boot: int, seed: int) -> str:
    method = sweep_method(ds)
    function = {"sobol": _sa.sobol, "morris": _sa.morris}.get(method, _sa.correlations)
    try:
        res = function(
            ds, item.variable, scenario=scenario, select=item.select or None, n_boot=n_boot, seed=seed
        )
    except SweepError as exc:
        return f'<h4>{_e(item.label)}</h4><p class="note">Not computed: {_e(exc)}</p>'
    t = res.table
    numeric = None
    if isinstance(res, _sa.SobolResult):
        headers = ["Parameter", "S1", f"{res.ci:.0%} CI", "ST", f"{res.ci:.0%} CI", "ST − S1"]
        rows = [
            [
                _e(r.key),
                _fmt(r.S1),
                _ci(r.S1_ci_low, r.S1_ci_high),
                _fmt(r.ST),
                _ci(r.ST_ci_low, r.ST_ci_high),
                _fmt(r.ST - r.S1),
            ]
            for _, r in t.iterrows()
        ]
        extra = (
            f"N = {res.n_base} base samples; output mean {_fmt(res.mean)}, variance "
            f"{_fmt(res.variance)}; sum of S1 = {_fmt(t['S1'].sum())} (1 for an additive "
            "model; the rest is interactions)."
        )
        fig = _figure(_sa.plot_sobol(res), f"Sobol indices of {item.label}")
    elif isinstance(res, _sa.MorrisResult):
        headers = [
            "Rank",
            "Parameter",
            "mu*",
            f"{res.ci:.0%} CI",
            "mu",
            "sigma",
            f"{res.ci:.0%} CI",
            "sigma / mu*",
        ]
        rows = [
            [
                str(r["rank"]),
                _e(r.key),
                _fmt(r.mu_star),
                _ci(r.mu_star_ci_low, r.mu_star_ci_high),
                _fmt(r.mu),
                _fmt(r.sigma),
                _ci(r.sigma_ci_low, r.sigma_ci_high),
                _fmt(r.sigma / r.mu_star) if r.mu_star > 0 else "n/a",
            ]
            for _, r in t.sort_values("mu_star", ascending=False).iterrows()
        ]
        extra = (
            f"r = {res.n_trajectories} trajectories, p = {res.levels} levels, "
            f"Delta = {_fmt(res.delta)} of each normalised range."
        )
        fig = _figure(_sa.plot_morris(res), f"Morris plane of {item.label}")
        numeric = [0, *range(2, len(headers))]
    else:
        headers = ["Parameter", "Spearman rho", f"{res.ci:.0%} CI"]
        rows = [[_e(r.key), _fmt(r.rho), _ci(r.rho_ci_low, r.rho_ci_high)] for _, r in t.iterrows()]
        extra = f"{res.n_points} points."
        fig = _figure(_sa.plot_response(res), f"{item.label} against the swept parameters", dpi=70)
    notes = "".join(f" {_e(n)}." for n in res.notes)
    return (
        f"<h4>{_describe(ds, item)}</h4>"
        + _table(headers, rows, numeric=numeric)
        + f'<p class="note">{_e(extra)}{notes}</p>'
        + fig
    )


def _sensitivity_section(
    ds: xr.Dataset, scenarios: list[str], items: list[Item], n_boot: int, seed: int
) -> str:
    parts = [_sensitivity_intro(ds, scenarios, n_boot, seed)]
    for scenario in scenarios:
        if len(scenarios) > 1:
            parts.append(f"<h3>Scenario {_e(scenario)}</h3>")
        parts += [_sensitivity_block(ds, scenario, item, n_boot, seed) for item in items]
    return "".join(parts)


def _descriptive_section(ds: xr.Dataset, items: list[Item]) -> str:
    scenario = str(ds["scenario"].values[0])
    sel = select_time(ds)
    sweep = is_sweep(ds)
    runs = "runs (points x replicates)" if sweep else "replicates"
    headers = [
        "Indicator",
        "Units",
        "Median (all sites, mean per run)",
        "90 % range",
        "Runs" if sweep else "Replicates",
    ]
    labels = site_labels(ds)
    rows, details = [], []
    for item in items:
        da = sel.reduce(ds[item.variable].sel(item.select)).sel(scenario=scenario)
        site_mean = da.mean("site", skipna=True).values
        rows.append(
            [
                _describe(ds, item),
                _units(ds, item),
                *_median_range(site_mean),
                str(int(np.isfinite(site_mean).sum())),
            ]
        )
        site_rows = [
            [_e(labels[str(site)]), *_median_range(da.sel(site=site).values)] for site in ds["site"].values
        ]
        details.append(
            f"<details><summary>Per-site values: {_e(item.label)}</summary>"
            + _table(["Site", "Median", "90 % range"], site_rows)
            + "</details>"
        )
    return (
        f'<h2 id="descriptive">Descriptive results</h2><p class="note">The file holds a '
        f"single scenario (<code>{_e(scenario)}</code>), so there is nothing to compare: "
        f"values at the last recorded time, {_e(sel.label)}, across {runs}.</p>"
        + _table(headers, rows, numeric_from=2)
        + "".join(details)
    )


def _median_range(values: np.ndarray) -> list[str]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return ["n/a", "n/a"]
    lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
    return [_fmt(med), _ci(lo, hi)]


#: Indicators drawn as trajectories, when present (else the first report items).
TRAJECTORY_INDICATORS: tuple[str, ...] = ("participation_share", "participants", "trust_institutions")
_MAX_TRAJECTORY_SCENARIOS = 4


def _trajectory_section(
    ds: xr.Dataset,
    items: list[Item],
    w: Words | None = None,
    scenarios: Sequence[str] | None = None,
) -> str:
    """Small multiples over time, with the intervention timeline's events marked."""
    return _start_trajectories(ds, items, w, scenarios)()


def _start_trajectories(
    ds: xr.Dataset,
    items: list[Item],
    w: Words | None = None,
    scenarios: Sequence[str] | None = None,
) -> Callable[[], str]:
    """:func:`_trajectory_section`, its figures drawn by forked children (see :func:`_in_background`)."""
    over = (
        "every sweep point and replicate (the spread the swept parameters induce)"
        if is_sweep(ds)
        else "replicates"
    )
    marks = event_markers(ds, scenarios)
    if w is not None:
        spans = sorted(
            {w("lockdowns") if k == "lockdown" else k for k in marks.loc[marks["style"] == "span", "kind"]}
        )
        lines = sorted(
            {
                w("animator_leaves") if k == "animator" else w("package_ends", kind=k)
                for k in marks.loc[marks["style"] == "line", "kind"]
            }
        )
        note = w(
            "trajectories_note",
            events=", ".join(spans) or w("events_none"),
            lines=", ".join(lines) or w("events_none"),
        )
        title = w("trajectories")
    else:
        note = f"Median over {over} with central 50 % and 90 % bands, per scenario."
        title = "Trajectories by site"
    if scenarios is not None and len(scenarios) < ds.sizes["scenario"]:
        note += " (" + ", ".join(scenarios) + "; <code>atcsim.plot_sites(ds, name, scenarios=[...])</code>)"
    head = f'<h2 id="trajectories">{_e(title)}</h2><p class="note">{note}</p>'
    figures = []
    headings = []
    for item in items:
        ds[item.variable].load()  # read here, not by the forked child
        heading, figure_title = item.label, None
        if w is not None and not item.select:
            heading = w.variable(item.variable, str(ds[item.variable].attrs.get("long_name", "")))
            unit = " (%)" if is_share_variable(ds[item.variable], item.variable) else ""
            figure_title = w("trajectory_title", name=heading, unit=unit)
        headings.append(heading)
        figures.append(
            _in_background(
                lambda item=item, figure_title=figure_title: _figure(
                    plot_sites(
                        ds,
                        item.variable,
                        scenarios,
                        select=item.select or None,
                        events=marks,
                        title=figure_title,
                    ),
                    f"{item.label} across sites",
                    dpi=60,
                )
            )
        )

    def join() -> str:
        return head + "".join(
            f"<h3>{_e(h)}{'' if h == item.label else f' <small><code>{_e(item.label)}</code></small>'}</h3>"
            + figure()
            for h, item, figure in zip(headings, items, figures)
        )

    return join


def _trajectory_items(ds: xr.Dataset, items: list[Item]) -> list[Item]:
    outcomes = [v for v in TRAJECTORY_INDICATORS if v in indicators(ds) and not is_input(ds, v)]
    return [Item(v) for v in outcomes] or items[:3]


def _trajectory_scenarios(contrasts: Sequence[Contrast]) -> list[str]:
    names: list[str] = []
    for c in contrasts:
        for name in (c.baseline, c.treatment):
            if name not in names:
                names.append(name)
    return names[:_MAX_TRAJECTORY_SCENARIOS]


def _caveats_section(ds: xr.Dataset, notes: Sequence[str], w: Words | None = None) -> str:
    fr = w is not None and w.fr

    def say(en: str, fr_text: str) -> str:
        return fr_text if fr else en

    a = ds.attrs
    n_rep = ds.sizes["replicate"]
    items = []
    sweep = is_sweep(ds)
    rep = say(
        f"{n_rep} replicate(s) per scenario were analysed.",
        f"{n_rep} réplication(s) par scénario analysée(s).",
    )
    if sweep:
        rep = (
            f"{n_rep} replicate(s) per scenario and sweep point were analysed "
            f"({ds.sizes[SWEEP_DIM]} points). Sensitivity measures use the mean over "
            "replicates at each point; replicate noise left in that mean is variance no "
            "parameter explains (it inflates total indices and sigma)."
        )
        if n_rep < MIN_RELIABLE_REPLICATES and ds.sizes["scenario"] > 1:
            rep += (
                f" Fewer than {MIN_RELIABLE_REPLICATES} replicates: the per-point "
                "confidence intervals of scenario comparisons are unreliable."
            )
    elif n_rep < MIN_RELIABLE_REPLICATES:
        rep += say(
            f" That is fewer than {MIN_RELIABLE_REPLICATES}: confidence intervals are "
            "unreliable (with one replicate they are undefined).",
            f" C'est moins de {MIN_RELIABLE_REPLICATES} : les intervalles de confiance ne sont pas fiables "
            "(avec une seule réplication, ils ne sont pas définis).",
        )
    items.append(rep)
    total, incomplete = a.get("analysis_runs_total"), a.get("analysis_incomplete_runs", 0)
    dropped = [int(r) for r in np.atleast_1d(a.get("analysis_dropped_replicates", []))]
    dropped_points = np.atleast_1d(a.get("analysis_dropped_points", []))
    if incomplete and sweep:
        groups = {"sobol": " (whole Sobol base samples)", "morris": " (whole Morris trajectories)"}.get(
            sweep_method(ds), ""
        )
        items.append(
            f"{incomplete} of {total} runs were not complete (run_complete == 0): "
            f"{dropped_points.size} sweep point(s) were dropped{groups} from every "
            "scenario and replicate, so that comparisons stay paired."
        )
    elif incomplete:
        items.append(
            say(
                f"{incomplete} of {total} runs were not complete (run_complete == 0): "
                f"replicate(s) {dropped} were dropped from every scenario so that comparisons stay paired.",
                f"{incomplete} des {total} simulations sont incomplètes (run_complete == 0) : la ou les "
                f"réplications {dropped} ont été retirées de tous les scénarios pour garder les comparaisons "
                "appariées.",
            )
        )
    elif "run_complete" not in ds.coords:
        items.append(
            say(
                "The file has no run_complete flags: incomplete runs cannot be detected.",
                "Le fichier n'a pas d'indicateurs run_complete : les simulations incomplètes ne peuvent pas "
                "être détectées.",
            )
        )
    elif total is not None:
        runs = (
            "scenario x point x replicate" if sweep else say("scenario x replicate", "scénario x réplication")
        )
        items.append(
            say(
                f"All {total} runs ({runs}) are marked complete.",
                f"Les {total} simulations ({runs}) sont toutes complètes.",
            )
        )
    if str(a.get("analysis_source", "")).endswith(".partial"):
        items.append(
            say(
                "The file is a .partial file: the experiment did not finish.",
                "Le fichier est un .partial : l'expérience ne s'est pas terminée.",
            )
        )
    if ds.sizes["site"] == 1:
        site = _e(str(ds["site"].values[0]))
        items.append(
            say(
                f"Single site ({site}): per-site and pooled results coincide.",
                f"Un seul site ({site}) : résultats par site et regroupés coïncident.",
            )
        )
    if sweep:
        items.append(
            "These are model outputs, not observations. The sensitivity measures "
            "describe the model over the swept ranges only; they depend on those ranges "
            "and say nothing about parameters that were not swept or about the model's "
            "structure."
        )
    else:
        items.append(
            say(
                "These are model outputs, not observations. Confidence intervals reflect "
                "simulation noise across replicates only, not uncertainty in parameters or "
                "in the model's structure; check sensitivity to the assumptions below.",
                "Ce sont des sorties du modèle, pas des observations. Les intervalles de confiance ne "
                "reflètent que le bruit de simulation entre réplications, ni l'incertitude sur les "
                "paramètres, ni celle sur la structure du modèle ; vérifiez la sensibilité aux hypothèses "
                "ci-dessous.",
            )
        )
    items.append(
        say(
            "Scenario-specific parameter values (overrides) are in the configuration "
            "above; the parameter table lists base values.",
            "Les valeurs propres à chaque scénario sont dans la configuration ci-dessus ; le tableau des "
            "paramètres donne les valeurs de base.",
        )
    )
    heading = say("Caveats", "Réserves")
    warning = say("Warning", "Attention")
    parts = [
        f'<h2 id="caveats">{heading}</h2><ul>'
        + "".join(f"<li>{_e(t)}</li>" for t in items)
        + "".join(
            f"<li>{warning}{' :' if fr else ':'} {_e(t.said(w) if isinstance(t, Note) and w else t)}</li>"
            for t in notes
        )
        + "</ul>",
        _parameters_caveat(ds, fr),
    ]
    return "".join(parts)


def _parameters_caveat(ds: xr.Dataset, fr: bool = False) -> str:
    def say(en: str, fr_text: str) -> str:
        return fr_text if fr else en

    try:
        params = read_parameters(ds)
    except (AtcsimError, OSError, ValueError) as exc:
        return (
            f'<p class="note">{say("Parameters could not be read", "Paramètres illisibles")}: {_e(exc)}</p>'
        )
    if params.empty:
        text = say("The file has no /parameters group.", "Le fichier n’a pas de groupe /parameters.")
        return f'<p class="note">{text}</p>'
    has_source = params["source"].str.len() > 0
    assumed = params[params["source"].str.contains("assumption", case=False)]
    parts = [f'<h3>{say("Parameters that are assumptions", "Paramètres qui sont des hypothèses")}</h3>']
    if not has_source.any():
        parts.append(
            '<p class="note">'
            + say(
                f"The file records no <code>source</code> for its {len(params)} parameters: treat every "
                "value as an assumption unless the model documentation (docs/ODD.md) says otherwise.",
                f"Le fichier n'indique la <code>source</code> d'aucun de ses {len(params)} paramètres : "
                "tenez chaque valeur pour une hypothèse, sauf si la documentation du modèle (docs/ODD.md) "
                "dit le contraire.",
            )
            + "</p>"
        )
    elif assumed.empty:
        text = say("No parameter is marked as an assumption.", "Aucun paramètre n’est une hypothèse.")
        parts.append(f'<p class="note">{text}</p>')
    else:
        parts.append(
            '<p class="note">'
            + say(
                f"{len(assumed)} of {len(params)} parameters have source “assumption”: results depend on "
                "values nobody has measured.",
                f"{len(assumed)} des {len(params)} paramètres ont pour source « assumption » (hypothèse) : "
                "les résultats dépendent de valeurs que personne n'a mesurées. Descriptions et sources sont "
                "celles du modèle, en anglais.",
            )
            + "</p>"
        )
        parts.append(_parameter_table(assumed, fr))
    unsourced = int((~has_source).sum())
    if has_source.any() and unsourced:
        parts.append(
            '<p class="note">'
            + say(
                f"{unsourced} parameter(s) have no recorded source.",
                f"{unsourced} paramètre(s) sans source indiquée.",
            )
            + "</p>"
        )
    parts.append(
        f"<details><summary>{say('All parameters (base values)', 'Tous les paramètres (valeurs de base)')}"
        "</summary>" + _parameter_table(params, fr) + "</details>"
    )
    return "".join(parts)


def _parameter_table(params: pd.DataFrame, fr: bool = False) -> str:
    rows = [
        [
            _e(name),
            _fmt(r.value) if not isinstance(r.value, str) else _e(r.value),
            _e(r.units),
            _e(r.description),
            _e(r.source),
        ]
        for name, r in params.iterrows()
    ]
    headers = (
        ["Paramètre", "Valeur", "Unité", "Description", "Source"]
        if fr
        else ["Parameter", "Value", "Units", "Description", "Source"]
    )
    return _table(headers, rows, numeric=[1])


def _nav(contrasts: Sequence[Contrast], single: bool, sweep: bool = False, w: Words | None = None) -> str:
    fr = w is not None and w.fr
    links = []
    if w is not None and not sweep and not single:
        links.append(f'<li><a href="#summary">{_e(w("summary"))}</a></li>')
    if single:
        links.append('<li><a href="#descriptive">Descriptive results</a></li>')
    for c in contrasts:
        anchor = f"effects-{c.name}" if sweep else f"contrast-{c.name}"
        label = c.question_in(w.lang) if w is not None else ""
        text = (
            f"{label} ({c.treatment} vs {c.baseline})" if label else f"Effects: {c.treatment} vs {c.baseline}"
        )
        links.append(f'<li><a href="#{_e(anchor)}">{_e(text)}</a></li>')
    if sweep:
        links.append('<li><a href="#sensitivity">Sensitivity analysis</a></li>')
    links.append(
        f'<li><a href="#trajectories">{"Trajectoires par site" if fr else "Trajectories by site"}</a></li>'
    )
    if w is not None and not sweep and not single:
        links += [
            f'<li><a href="#plausibility">{_e(w("plausibility"))}</a></li>',
            f'<li><a href="#sites">{_e(w("sites"))}</a></li>',
        ]
    links += [
        f'<li><a href="#run">{"Ce qui a été simulé" if fr else "What was run"}</a></li>',
        f'<li><a href="#caveats">{"Réserves" if fr else "Caveats"}</a></li>',
    ]
    return f"<nav><ul>{''.join(links)}</ul></nav>"


# -------------------------------------------------------------------------- API


def render_report(
    ds: xr.Dataset,
    *,
    baseline: str | None = None,
    treatments: Sequence[str] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    notes: Sequence[str] = (),
    report_command: str | None = None,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    lang: str | None = None,
    pooling: str = "population",
    contrasts: Sequence[Contrast] | None = None,
    envelope: Envelope | None = None,
) -> str:
    """Build the report of an opened dataset as one HTML string.

    Parameters
    ----------
    ds
        Dataset from :func:`atcsim.open`.
    baseline, treatments
        An ad hoc contrast: each treatment (default: every other scenario)
        versus the baseline (default: ``"baseline"`` if present, else the
        first). Without them the file's named contrasts are reported (else
        each scenario versus the baseline). With a single scenario the report
        is descriptive only.
    n_boot, seed
        Bootstrap settings.
    notes
        Extra caveats to list (e.g. warnings raised while opening the file).
    report_command
        Command line that produced the report, shown under "What was run".
    at, window
        When to measure effects (default: the end of the experiment, from
        the intervention timeline; see :func:`atcsim.evaluate`).
    lang
        ``"fr"`` or ``"en"`` (default: French when the file's contrasts have
        French questions, else English).
    pooling
        ``"population"`` (default) or ``"unweighted"`` pooling over sites.
    contrasts
        Contrasts to report (overrides the file's and ``baseline``/``treatments``).
    envelope
        Plausibility envelope (default: found by :func:`atcsim.evaluation.load_envelope`).

    Returns
    -------
    str
        A complete HTML document.
    """
    if ds.sizes["replicate"] == 0:
        raise AtcsimError("no complete replicate to report on (every replicate has an " "incomplete run)")
    sweep = is_sweep(ds)
    if sweep and ds.sizes[SWEEP_DIM] == 0:
        raise AtcsimError("no complete sweep point to report on (every point has an " "incomplete run)")
    items = key_items(ds)
    if not items:
        raise AtcsimError("the file has no outcome indicators")
    if lang is None:
        lang = "fr" if french_default(ds) else "en"
    if lang not in LANGUAGES:
        raise AtcsimError(f"--lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    w = Words(lang)
    single = ds.sizes["scenario"] == 1
    if contrasts is not None:
        chosen = list(contrasts)
    elif single:
        choose_scenarios(ds, baseline, treatments)  # checks the names given
        chosen = []
    else:
        chosen = file_contrasts(ds, baseline, treatments)
    body: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if single or sweep:
            body += [_header(ds), _notice(ds)]
            if sweep and not single:
                body.append(f'<p class="note">{w("no_summary_sweep")}</p>')
            body.append(_nav(chosen, single, sweep, w))
            if single:
                body.append(_descriptive_section(ds, items))
            for contrast in chosen:
                body.append(_sweep_comparison_section(ds, contrast, items, n_boot, seed, at, window))
            if sweep:
                scenarios = [str(s) for s in ds["scenario"].values]
                body.append(_sensitivity_section(ds, scenarios, items, n_boot, seed))
            body.append(_trajectory_section(ds, items))
            body.append(_run_section(ds, report_command))
        else:
            ev = evaluate(
                ds, chosen, at=at, window=window, pooling=pooling, n_boot=n_boot, seed=seed, envelope=envelope
            )
            title = str(ds.attrs.get("title", "") or Path(ds.attrs.get("analysis_source", "")).name)
            body.append(
                summary_section(
                    ds,
                    ev,
                    w,
                    title=title,
                    notice=_notice(ds, w),
                    n_assumed=_count_assumptions(ds),
                )
            )
            body.append(_nav(chosen, single, sweep, w))
            trajectories = _start_trajectories(
                ds, _trajectory_items(ds, items), w, _trajectory_scenarios(chosen)
            )
            for contrast in chosen:
                body.append(contrast_section(ds, ev, contrast, w, _figure, plot_effects))
            body.append(posterior_section(ds, ev, w))  # issue 13: "" unless run from a posterior
            body.append(trajectories())
            body.append(plausibility_section(ev, w))
            body.append(sites_section(ds, ev, w))
            body.append(inputs_section(ds, ev, w))
            body.append(_header(ds, small=True, w=w) + _run_section(ds, report_command, w))
    # Few replicates and incomplete runs are covered by the caveats already.
    covered = (FewReplicatesWarning, IncompleteRunsWarning)
    seen = list(
        dict.fromkeys(
            [
                *notes,
                *(
                    str(wn.message)
                    for wn in caught
                    if issubclass(wn.category, UserWarning) and not issubclass(wn.category, covered)
                ),
            ]
        )
    )
    body.append(_caveats_section(ds, seen, w))
    title = _e(ds.attrs.get("title", "") or "atcsim report")
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>atcsim report: {title}</title><style>{_CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )


def _in_background(make: Callable[[], str]) -> Callable[[], str]:
    """Start ``make()`` in a forked child (a trajectory figure: the report's slowest part) and return a
    function that waits for its text. The result is the same as ``make()`` in this process, which is
    what is done without ``fork``, with ``ATCSIM_REPORT_JOBS=1``, or when the child fails.
    """
    if not hasattr(os, "fork") or os.environ.get("ATCSIM_REPORT_JOBS", "") == "1":
        text = make()
        return lambda: text
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no exception may escape into the parent's code
        code = 1
        try:
            os.close(read_end)
            data = make().encode("utf-8")
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def result() -> str:
        with os.fdopen(read_end, "rb") as source:
            data = source.read()
        _, status = os.waitpid(pid, 0)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            return data.decode("utf-8")
        return make()

    return result


def _count_assumptions(ds: xr.Dataset) -> int | None:
    try:
        params = read_parameters(ds)
    except (AtcsimError, OSError, ValueError):
        return None
    if params.empty:
        return None
    return int(params["source"].str.contains("assumption", case=False).sum())


def write_report(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    baseline: str | None = None,
    treatments: Sequence[str] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    report_command: str | None = None,
    at: TimeSpec = None,
    window: tuple[TimeSpec, TimeSpec] | None = None,
    lang: str | None = None,
    pooling: str = "population",
) -> tuple[Path, list[str]]:
    """Open ``path`` and write its HTML report.

    Parameters
    ----------
    path
        atcsim output file.
    output
        HTML file to write (default: ``path`` with suffix ``.html``); missing
        folders are created. Checked before anything is read: an existing
        output that is not a regular file (a directory, FIFO or device such as
        ``/dev/null``), the input file itself, or a folder that is not writable
        raises :class:`AtcsimError`.
    baseline, treatments, n_boot, seed, report_command, at, window, lang, pooling
        See :func:`render_report`.

    Returns
    -------
    (pathlib.Path, list of str)
        The file written and the warnings raised while opening the data.
    """
    path = Path(path)
    output = Path(output) if output is not None else path.with_name(path.name + ".html")
    # Before the data are read: a bad -o fails at once, not after the bootstrap.
    check_output(output, inputs=(path,), create_folders=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = open_dataset(path)
    notes = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    extra = [
        str(w.message)
        for w in caught
        if issubclass(w.category, UserWarning) and not issubclass(w.category, IncompleteRunsWarning)
    ]
    try:
        text = render_report(
            ds,
            baseline=baseline,
            treatments=treatments,
            n_boot=n_boot,
            seed=seed,
            notes=extra,
            report_command=report_command,
            at=at,
            window=window,
            lang=lang,
            pooling=pooling,
        )
    finally:
        ds.close()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return output, notes
