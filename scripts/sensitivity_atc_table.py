"""Morris screening table of docs/sensitivity_atc.md from a sweep output.

usage: PYTHONPATH=analysis /usr/bin/python3 scripts/sensitivity_atc_table.py FILE.h5
       (FILE.h5 from: atcsim run scenarios/sensitivity_atc.toml)

Prints (1) the markdown table in the doc's format: one row per swept parameter,
one column per output with "mu* (rank)", then the mean rank over the outputs,
rows sorted by mean rank; (2) the checks behind the doc's caveats: the 95 %
bootstrap interval of mu* relative to mu* for the top-2 parameters of each
output, and sigma / mu* for threshold_mean and utility_cost.

mu* and ranks come from atcsim.sensitivity.morris(ds, variable, at=-1).table
(mu* in output units per unit of normalised range; rank 1 = largest mu*,
computed on unrounded values). Ties in mean rank (none so far) are broken
by the parameter's best rank, then by its key.
"""

from __future__ import annotations

import sys
import warnings

import atcsim

OUTPUTS = [
    "participation_share",
    "core_share",
    "trust_institutions",
    "trust_associations",
    "collective_efficacy",
    "org_trust_mean",
    "institution_posture",
]
FOCUS = ["model.threshold_mean", "model.utility_cost"]


def main(path: str) -> None:
    warnings.filterwarnings("ignore", category=RuntimeWarning)  # xarray's NaT cast
    ds = atcsim.open(path)
    tables = {v: atcsim.sensitivity.morris(ds, v, at=-1).table for v in OUTPUTS}
    keys = list(tables[OUTPUTS[0]]["key"])
    rows = []
    for i, key in enumerate(keys):
        ranks = [int(tables[v]["rank"].iloc[i]) for v in OUTPUTS]
        cells = [f"{tables[v]['mu_star'].iloc[i]:.3f} ({r})" for v, r in zip(OUTPUTS, ranks)]
        rows.append((sum(ranks) / len(ranks), min(ranks), key, cells))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))

    print("| assumed parameter (range) | " + " | ".join(OUTPUTS) + " | mean rank |")
    print("|" + "---|" * (len(OUTPUTS) + 2))
    for mean_rank, _, key, cells in rows:
        print(f"| `{key}` | " + " | ".join(cells) + f" | {mean_rank:.1f} |")

    print()
    print("Bootstrap 95 % CI of mu* relative to mu*, top-2 parameters per output")
    print("(-low/+high = (mu*-lo)/mu*, (hi-mu*)/mu*; width = (hi-lo)/mu*):")
    for v in OUTPUTS:
        t = tables[v].sort_values("rank")
        for _, r in t.head(2).iterrows():
            lo = (r.mu_star - r.mu_star_ci_low) / r.mu_star
            hi = (r.mu_star_ci_high - r.mu_star) / r.mu_star
            print(
                f"  {v:20s} rank {int(r['rank'])} {r.key:28s} mu*={r.mu_star:.3f} "
                f"CI [{r.mu_star_ci_low:.3f}, {r.mu_star_ci_high:.3f}]  "
                f"-{lo:.0%}/+{hi:.0%}  width {(r.mu_star_ci_high - r.mu_star_ci_low) / r.mu_star:.0%}"
            )

    print()
    print("sigma vs mu* (interactions / non-linearity) for threshold_mean and utility_cost:")
    for key in FOCUS:
        for v in OUTPUTS:
            t = tables[v].set_index("key")
            r = t.loc[key]
            print(
                f"  {key:22s} {v:20s} mu={r.mu:+.3f} mu*={r.mu_star:.3f} "
                f"sigma={r.sigma:.3f}  sigma/mu*={r.sigma / r.mu_star:.2f}"
            )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(sys.argv[1])
