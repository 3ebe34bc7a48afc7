"""The headline outputs of docs/ODD.md, section 1, from the ATC experiment's output.

    make run     # writes out/atc15.h5 (scenarios/atc15.toml)
    PYTHONPATH=analysis /usr/bin/python3 scripts/odd_headline.py out/atc15.h5

Every figure comes from the analysis package, as the report computes it
(atcsim.evaluate: paired differences atc - baseline per replicate, sites
pooled -- head counts and costs summed, shares population-weighted --,
percentile bootstrap of the mean over replicates, seed 20190902, 2,000
resamples); atcsim.compare gives the replicates' own spread.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np
import pandas as pd

import atcsim
from atcsim import Contrast

# The scenarios of scenarios/atc15.toml the figures compare.
SCENARIOS = ("baseline", "atc", "atc_covid")
SECOND_HALF_2021 = ("2021-07-01", "2021-12-31")
THEMES = ("housing_living_environment", "safety")


def minus(text: str) -> str:
    return text.replace("-", "\u2212")


def num(x: float, d: int, sign: bool = False) -> str:
    s = f"{x:+.{d}f}" if sign else f"{x:.{d}f}"
    if float(s) == 0:
        s = s.lstrip("+-")
    return minus(s)


def iv(lo: float, hi: float, d: int) -> str:
    return f"[{num(lo, d)}, {num(hi, d)}]"


def window_dates(ds, span):
    """First and last recorded dates inside [span[0], span[1]] (slice semantics)."""
    t = pd.to_datetime(ds["time"].values)
    inside = t[(t >= pd.Timestamp(span[0])) & (t <= pd.Timestamp(span[1]))]
    return str(inside[0].date()), str(inside[-1].date())


def end_of_year(ds, year: int) -> str:
    t = pd.to_datetime(ds["time"].values)
    return str(t[t.year == year][-1].date())


# ------------------------------------------------------------------------ API


def api_figures(ds) -> dict:
    main = Contrast("atc_vs_baseline", "atc", "baseline", source="ad hoc")
    covid = Contrast("atc_covid_vs_baseline", "atc_covid", "baseline", source="ad hoc")
    ev = atcsim.evaluate(ds, [main, covid], variables=["core_members", "people_moved", "people_better_off"])
    assert ev.when.source == "experiment end", ev.when
    f: dict = {"date": str(ev.when.date.date()), "end_index": ev.when.end_index}
    c = ev.cost(main.name)
    f["avoided"] = (c["avoided_eur"], c["avoided_eur_ci_low"], c["avoided_eur_ci_high"])
    f["spent"] = c["extra_cost_eur"]
    f["bcr"] = (c["benefit_cost_ratio"], c["benefit_cost_ratio_ci_low"], c["benefit_cost_ratio_ci_high"])
    k = ev.cost(covid.name)
    f["covid"] = (k["avoided_eur"], k["avoided_eur_ci_low"], k["avoided_eur_ci_high"])
    e = ev.effects
    core = e[(e.contrast == main.name) & (e.variable == "core_members") & (e.scale == "people")]
    core = core[core.group_kind == "site"]
    f["core"] = (
        core.baseline_mean.min(),
        core.baseline_mean.max(),
        core.treatment_mean.min(),
        core.treatment_mean.max(),
    )
    r = ev.effect(main.name, "core_members", scale="people")
    f["core_effect"] = (r["mean_diff"], r["ci_low"], r["ci_high"])
    for var in ("people_moved", "people_better_off"):
        for theme in ("employment", *THEMES):
            r = ev.effect(main.name, var, theme=theme, scale="people")
            f[(var, theme)] = (r["mean_diff"], r["ci_low"], r["ci_high"])
    f["population"] = float(np.nansum(ev.site_quality["population"].to_numpy(float)))
    # single replicates: pooled (summed) avoided costs per replicate
    res = atcsim.compare(ds, "baseline", "atc", "avoided_costs_eur", at=ev.when.end_index)
    per_rep = res.diffs.drop(columns="pooled").sum(axis=1).to_numpy()
    f["spread"] = tuple(np.percentile(per_rep, [2.5, 97.5]))
    f["minmax"] = (per_rep.min(), per_rep.max())
    # benefit-cost ratio at the end of 2023
    f["end2023"] = end_of_year(ds, 2023)
    ev23 = atcsim.evaluate(ds, [main], at=f["end2023"], variables=["core_members"])
    c23 = ev23.cost(main.name)
    f["bcr2023"] = (
        c23["benefit_cost_ratio"],
        c23["benefit_cost_ratio_ci_low"],
        c23["benefit_cost_ratio_ci_high"],
    )
    # participation share, population-weighted, over the second half of 2021
    f["part_window"] = window_dates(ds, SECOND_HALF_2021)
    evp = atcsim.evaluate(ds, [main], window=f["part_window"], variables=["participation_share"])
    assert evp.pooling == "population"
    r = evp.effect(main.name, "participation_share", scale="pp")
    f["part"] = (r["mean_diff"], r["ci_low"], r["ci_high"])
    return f


# -------------------------------------------------------------------- output


def table(f: dict, label: str) -> str:
    date = f["date"]
    a, bcr, b23 = f["avoided"], f["bcr"], f["bcr2023"]
    p = f["part"]
    core = [int(round(v)) for v in f["core"]]
    ce = f["core_effect"]
    emp = f[("people_moved", "employment")]
    hs = [f[("people_moved", t)] for t in THEMES]
    rows = [
        (
            f"avoided public costs at {date} (end of the experiment)",
            f"{num(a[0] / 1e6, 2)} M€ {iv(a[1] / 1e6, a[2] / 1e6, 2)} "
            f"for {num(f['spent'] / 1e6, 2)} M€ spent",
        ),
        (f"benefit-cost ratio at {date}", f"{num(bcr[0], 2)} {iv(bcr[1], bcr[2], 2)}"),
        (
            f"benefit-cost ratio at the end of 2023 ({f['end2023']})",
            f"{num(b23[0], 2)} {iv(b23[1], b23[2], 2)}",
        ),
        (
            "participation share (residents 15+, population-weighted, mean over "
            f"{f['part_window'][0]} to {f['part_window'][1]})",
            f"{num(p[0], 2, True)} percentage points {iv(p[1], p[2], 2)}",
        ),
        (
            f"core members at {date}, all sites (per site: mean over replicates, range over the sites)",
            f"atc − baseline {num(ce[0], 0, True)} {iv(ce[1], ce[2], 0)} "
            f"(per site: baseline {core[0]}-{core[1]}, atc {core[2]}-{core[3]})",
        ),
        (
            f"residents moved from long-term unemployment into work or training by {date}",
            f"atc − baseline {num(emp[0], 0)} people {iv(emp[1], emp[2], 0)}, "
            f"for {f['population']:,.0f} residents",
        ),
        (
            f"people moved into a better state by {date} (cumulative), "
            "housing and living environment / safety",
            " / ".join(f"{num(h[0], 0, True)} {iv(h[1], h[2], 0)}" for h in hs),
        ),
    ]
    out = [f"### {label}", "", "| quantity | value [95 % interval] |", "|---|---|"]
    out += [f"| {q} | {v} |" for q, v in rows]
    c, s = f["covid"], f["spread"]
    out += [
        "",
        f"- `atc_covid` − `baseline`, avoided costs at {date}: "
        f"{num(c[0] / 1e6, 2)} M€ {iv(c[1] / 1e6, c[2] / 1e6, 2)}",
        f"- single replicates of the first row (2.5-97.5 percentiles): "
        f"{num(s[0] / 1e6, 2)}-{num(s[1] / 1e6, 2)} M€ (min-max {num(f['minmax'][0] / 1e6, 2)} to "
        f"{num(f['minmax'][1] / 1e6, 2)} M€)",
    ]
    bo = [f[("people_better_off", t)] for t in THEMES]
    out.append(
        f"- `people_better_off` (people in the better state on {date}, after returns): "
        + " / ".join(f"{num(b[0], 0, True)} {iv(b[1], b[2], 0)}" for b in bo)
    )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", help="output of scenarios/atc15.toml (out/atc15.h5)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    try:
        ds = atcsim.open(args.path)
        missing = [s for s in SCENARIOS if s not in ds["scenario"].values]
        if missing:
            raise atcsim.AtcsimError(
                f"{args.path}: no scenario {', '.join(missing)} (it has "
                f"{', '.join(map(str, ds['scenario'].values))}); it reads the output of scenarios/atc15.toml"
            )
        print(table(api_figures(ds), f"headline outputs of {args.path}"))
    except (atcsim.AtcsimError, OSError) as e:
        print(f"{ap.prog}: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
