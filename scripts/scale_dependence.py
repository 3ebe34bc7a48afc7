"""How much the territorial model's outputs depend on `population_scale`, site by site size.

    /usr/bin/python3 scripts/scale_dependence.py [--atcsim build/release/atcsim] [--replicates 12]

Runs one experiment per scale (0.1, 0.3, 1) with four sites of 1,000, 1,500, 3,900
and 15,000 residents, a baseline and the ATC method (animator dosed per capita,
fte = population / 3,900, shared governance, shared diagnosis), 104 weeks after the
burn-in, and prints, for weeks 52-104, each site's baseline level and paired ATC
effect (mean over replicates and its standard error) at each scale. A measure that
does not depend on the scale agrees across a row within its noise. docs/ODD.md 7.11
quotes the table. About a minute of CPU with 12 replicates.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SITES = {"s1000": 1000, "s1500": 1500, "s3900": 3900, "s15000": 15000}
SCALES = ("0.1", "0.3", "1")
INDICATORS = (
    "participation_share",
    "core_share",
    "trust_associations",
    "bridging_tie_share",
    "network_clustering",
    "conflict_productive",
    "diagnosis_quality",
    "largest_participant_component",
)
# Graded per forum: weeks without a forum (value 0) are left out of the mean.
PER_FORUM = {"conflict_productive"}
FIRST_WEEK = 52


def config(scale: str, replicates: int, output: Path) -> str:
    text = (
        f"[experiment]\nreplicates = {replicates}\nsteps = 104\nseed = 41\n"
        f'[model]\nname = "territorial"\npopulation_scale = {scale}\n'
    )
    for site, population in SITES.items():
        text += f'[[site]]\nid = "{site}"\npopulation = {population}\n'
    text += '[[scenario]]\nname = "baseline"\n[[scenario]]\nname = "atc"\n'
    for site, population in SITES.items():
        text += (
            f'[[scenario.intervention]]\nkind = "animator"\nsites = ["{site}"]\n'
            f"fte = {population / 3900}\n"
        )
    text += '[[scenario.intervention]]\nkind = "shared_governance"\n'
    text += '[[scenario.intervention]]\nkind = "shared_diagnosis"\n'
    return text + f'[output]\npath = "{output}"\n'


def level_and_effect(path: Path, indicator: str, site: int) -> tuple[float, float, float, float]:
    """Baseline level and paired effect: mean and standard error over replicates."""
    with h5py.File(path, "r") as f:
        x = f[indicator][:, :, site, FIRST_WEEK:].astype(float)  # scenario x replicate x week
    if indicator in PER_FORUM:
        x = np.where(x == 0, np.nan, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a replicate without any forum: NaN
        per_replicate = np.nanmean(x, axis=2)
    base = per_replicate[0]
    effect = per_replicate[1] - per_replicate[0]

    def mean_se(v: np.ndarray) -> tuple[float, float]:
        v = v[np.isfinite(v)]
        if v.size < 2:
            return float("nan"), float("nan")
        return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size))

    return (*mean_se(base), *mean_se(effect))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atcsim", type=Path, default=ROOT / "build" / "release" / "atcsim")
    parser.add_argument("--replicates", type=int, default=12)
    args = parser.parse_args()
    if args.replicates < 2:
        parser.error("--replicates must be at least 2 (standard errors)")
    if not args.atcsim.exists():
        print(f"scale_dependence.py: {args.atcsim} not found (make build)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        outputs = {}
        for scale in SCALES:
            toml = Path(tmp) / f"scale_{scale}.toml"
            outputs[scale] = Path(tmp) / f"scale_{scale}.h5"
            toml.write_text(config(scale, args.replicates, outputs[scale]))
            run = subprocess.run(
                [str(args.atcsim), "run", str(toml), "--quiet"], capture_output=True, text=True
            )
            if run.returncode != 0:
                message = (run.stderr.strip().splitlines() or ["no message"])[-1]
                print(f"scale_dependence.py: atcsim run failed at scale {scale}: {message}", file=sys.stderr)
                return 1
        print(
            f"weeks {FIRST_WEEK}-104, {args.replicates} replicates: baseline level ± s.e. / "
            "paired ATC effect ± s.e., by population_scale"
        )
        print("| measure | site (residents) | " + " | ".join(f"scale {s}" for s in SCALES) + " |")
        print("|---|---|" + "---|" * len(SCALES))
        for indicator in INDICATORS:
            for k, (site, population) in enumerate(SITES.items()):
                cells = []
                for scale in SCALES:
                    b, b_se, e, e_se = level_and_effect(outputs[scale], indicator, k)
                    cells.append(f"{b:.3f} ± {b_se:.3f} / {e:+.3f} ± {e_se:.3f}")
                print(f"| {indicator} | {population:,} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
