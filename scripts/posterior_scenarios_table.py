"""The table "Scenarios from the posterior" of docs/calibration.md.

    make run                                     # out/atc15.h5 (scenarios/atc15.toml)
    build/release/atcsim run scenarios/atc15_calibrated.toml   # out/atc15_calibrated.h5
    PYTHONPATH=analysis /usr/bin/python3 scripts/posterior_scenarios_table.py \
        out/atc15_calibrated.h5 out/atc15.h5

Every figure comes from the analysis package, as the report computes it: each
contrast of the file at its own date (atcsim.evaluate, 95 % intervals; a
posterior run resamples whole draws), and the share of an effect's variance
that the parameters explain (atcsim.posterior_effects.split_effects).
"""

from __future__ import annotations

import argparse
import sys
import warnings

import atcsim
from atcsim.posterior_effects import split_effects

# (contrast, indicator, theme, scale, label)
ROWS = (
    ("experiment_effect", "participants", "", "people", "participants"),
    ("experiment_effect", "people_moved", "all", "people", "people moved, all themes"),
    ("covid_cost", "participants", "", "people", "participants"),
    ("animator_kept", "participants", "", "people", "participants"),
)


def num(x: float, sign: bool = True) -> str:
    text = f"{x:+,.0f}" if sign else f"{x:,.0f}"
    return text.replace("-", "\u2212")


def ratio(x: float) -> str:
    return f"{x:.2f}".replace("-", "\u2212")


def measured(path: str) -> dict:
    """Per row: (mean, low, high, parameter share or None); and the benefit-cost ratio."""
    ds = atcsim.open(path)
    ev = atcsim.evaluate(ds)
    have = [c.name for c in ev.contrasts]
    missing = sorted({row[0] for row in ROWS} - set(have))
    if missing:
        raise atcsim.AtcsimError(
            f"{path}: no contrast {', '.join(missing)} (it has {', '.join(have) or 'none'}); it reads the "
            "output of scenarios/atc15.toml or scenarios/atc15_calibrated.toml"
        )
    split = split_effects(ds, ev)
    out: dict = {"date": {c.name: str(ev.when_of(c).date.date()) for c in ev.contrasts}}
    for contrast, variable, theme, scale, _ in ROWS:
        r = ev.effect(contrast, variable, theme=theme, scale=scale)
        share = None
        if not split.empty:
            s = split[
                (split.contrast == contrast)
                & (split.variable == variable)
                & (split.theme.fillna("") == theme)
                & (split.scale == scale)
            ]
            share = float(s.parameter_share.iloc[0])
        out[(contrast, variable)] = (r["mean_diff"], r["ci_low"], r["ci_high"], share)
    c = ev.cost("experiment_effect")
    out["bcr"] = (c["benefit_cost_ratio"], c["benefit_cost_ratio_ci_low"], c["benefit_cost_ratio_ci_high"])
    return out


def cell(v: tuple) -> str:
    return f"{num(v[0])} [{num(v[1], False)}; {num(v[2], False)}]"


def table(posterior: dict, defaults: dict | None) -> str:
    lines = [
        "| contrast (at its date) | at the documented defaults | from the posterior "
        "| parameter share of the variance |",
        "|---|---|---|---|",
    ]
    for contrast, variable, _, _, label in ROWS:
        p = posterior[(contrast, variable)]
        d = cell(defaults[(contrast, variable)]) if defaults else ""
        share = "" if p[3] is None else f"{100 * p[3]:.0f} %"
        lines.append(f"| `{contrast}`, {label} ({posterior['date'][contrast]}) | {d} | {cell(p)} | {share} |")
    b = posterior["bcr"]
    d = defaults["bcr"] if defaults else None
    dcell = f"{ratio(d[0])} [{ratio(d[1])}; {ratio(d[2])}]" if d else ""
    pcell = f"{ratio(b[0])} [{ratio(b[1])}; {ratio(b[2])}]"
    lines.append(f"| `experiment_effect`, benefit-cost ratio | {dcell} | {pcell} | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior", help="output of scenarios/atc15_calibrated.toml")
    ap.add_argument("defaults", nargs="?", help="output of scenarios/atc15.toml (the defaults' column)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    try:
        defaults = measured(args.defaults) if args.defaults else None
        print(table(measured(args.posterior), defaults))
    except (atcsim.AtcsimError, OSError) as e:
        print(f"{ap.prog}: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
