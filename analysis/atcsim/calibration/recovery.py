"""Recovery: calibrate against outputs generated at known parameters (issue 13).

A recovery test asks whether the calibration finds parameters it was given.
The model is run at a known *truth* (``atcsim run EXPERIMENT --set ...``);
each target's statistic is computed from that run exactly as the calibration
computes it, and a normal observation error of the target's own sd is added
(the targets' error model), giving *synthetic targets*: the same targets, the
same statistics, the same uncertainty, but observed values the model is known
to produce. Calibrating against them must give 90 % credible intervals that
cover the truth for the parameters the targets identify; the others come back
close to their prior (``shrinkage`` near 0) and say so.

    # 1. the model at the truth (here: the documented defaults), many replicates
    atcsim run scenarios/calibration/atc15_experiment.toml --replicates 16 -o out/truth.h5
    # 2. synthetic targets
    PYTHONPATH=analysis /usr/bin/python3 -m atcsim.calibration.recovery targets \\
        scenarios/calibration/targets.toml out/truth.h5 -o out/synthetic_targets.toml --seed 1
    # 3. calibrate with targets = that file, then compare
    PYTHONPATH=analysis /usr/bin/python3 -m atcsim.calibration.recovery check \\
        out/calibration/recovery.nc --truth model.threshold_mean=0.41 ...
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..dataset import open as open_dataset
from .posterior import credible_intervals, open_posterior
from .summaries import aggregate_replicates, replicate_statistics
from .targets import TargetSet, load_targets

__all__ = ["truth_statistics", "synthetic_targets_text", "check_recovery", "main"]

# A target's observed value, written on one line as an inline table (the
# shipped targets files' style); synthetic targets rewrite that line.
_OBSERVED_LINE = re.compile(r"^observed\s*=\s*\{.*\}\s*$", re.MULTILINE)
_TITLE_LINE = re.compile(r"^title\s*=.*$", re.MULTILINE)


def truth_statistics(targets: TargetSet, run_path: str | Path) -> np.ndarray:
    """Every target's statistic (aggregated over replicates as the target says) from
    one run of the experiment at the truth."""
    ds = open_dataset(run_path)
    variables = {name: ind.model_variable for name, ind in targets.indicators.items()}
    values = replicate_statistics(ds, targets.targets, variables)
    if values.ndim != 2:
        raise ValueError(f"{run_path}: a single parameter point is needed (got a sweep)")
    return aggregate_replicates(values[np.newaxis], targets.targets)[0]


def synthetic_targets_text(
    targets: TargetSet, values: Sequence[float], *, seed: int | None, label: str
) -> str:
    """The targets file's text with each target's observed value replaced by
    ``values[j]`` plus, when ``seed`` is given, a normal error of the target's
    total sd (an interval becomes that sd around the new value)."""
    if targets.path is None:
        raise ValueError("the targets must come from a file")
    text = Path(targets.path).read_text(encoding="utf-8")
    rng = np.random.default_rng(seed) if seed is not None else None
    blocks = re.split(r"(?m)^(?=\[\[target\]\]\s*$)", text)
    if len(blocks) - 1 != len(targets.targets):
        raise ValueError(f"{targets.path}: expected one [[target]] table per target")
    out = [blocks[0]]
    for t, block, value in zip(targets.targets, blocks[1:], values):
        if not math.isfinite(value):
            raise ValueError(f"target {t.name}: the run at the truth gives {value} (not a number)")
        sd = t.observed.total_sd
        noisy = float(value + (rng.normal(0.0, sd) if rng is not None else 0.0))
        basis = f"synthetic: the model at the truth ({label})" + (
            f", plus a normal error of sd {sd:.6g} (seed {seed})" if rng is not None else ""
        )
        line = f'observed = {{ value = {noisy!r}, sd = {sd!r}, basis = "{basis}" }}'
        new_block, n = _OBSERVED_LINE.subn(line, block, count=1)
        if n != 1:
            raise ValueError(
                f"target {t.name}: its observed value must be an inline table on one line "
                "(observed = { value = ..., sd = ... }) to be rewritten"
            )
        out.append(new_block)
    result = "".join(out)
    return _TITLE_LINE.sub(f'title = "Synthetic targets: the model at {label}"', result, count=1)


def check_recovery(post, truth: Mapping[str, float], level: float = 0.9) -> pd.DataFrame:
    """Per calibrated parameter: the truth, the posterior's central ``level``
    interval, whether it covers the truth, and its shrinkage (about 0: the
    targets do not inform the parameter)."""
    ci = credible_intervals(post, level).set_index("key")
    missing = sorted(set(truth) - set(ci.index))
    if missing:
        raise KeyError(f"not calibrated in this posterior: {', '.join(missing)}")
    rows = []
    for key, r in ci.iterrows():
        if key not in truth:
            continue
        t = float(truth[key])
        rows.append(
            {
                "key": key,
                "truth": t,
                "low": r["low"],
                "median": r["median"],
                "high": r["high"],
                "covered": bool(r["low"] <= t <= r["high"]),
                "shrinkage": r["shrinkage"],
            }
        )
    return pd.DataFrame(rows).set_index("key")


def _parse_truth(items: Sequence[str]) -> dict[str, float]:
    truth = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--truth {item!r}: expected KEY=VALUE")
        truth[key.strip()] = float(value)
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m atcsim.calibration.recovery", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("targets", help="write synthetic targets from a run at the truth")
    make.add_argument("targets", help="the real targets file (statistics and sds are kept)")
    make.add_argument("run", help="output of the calibration experiment run at the truth")
    make.add_argument("-o", "--output", required=True, help="synthetic targets file to write")
    make.add_argument(
        "--seed", type=int, default=None, help="add the targets' normal error, drawn with this seed"
    )
    make.add_argument("--label", default="known parameters", help="what the truth is, for the file's title")
    check = sub.add_parser("check", help="compare a posterior's credible intervals with the truth")
    check.add_argument("posterior")
    check.add_argument("--truth", action="append", default=[], required=True, help="KEY=VALUE (repeat)")
    check.add_argument("--level", type=float, default=0.9)
    args = parser.parse_args(argv)
    try:
        if args.command == "targets":
            targets = load_targets(args.targets)
            values = truth_statistics(targets, args.run)
            text = synthetic_targets_text(targets, values, seed=args.seed, label=args.label)
            Path(args.output).write_text(text, encoding="utf-8")
            for t, v in zip(targets.targets, values):
                print(f"{t.name:32s} {v:.6g}  (published {t.observed.value:.6g})")
            print(f"wrote {args.output}")
            return 0
        table = check_recovery(open_posterior(args.posterior), _parse_truth(args.truth), args.level)
    except (OSError, ValueError, KeyError) as exc:
        print(f"recovery: {exc}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.precision", 4):
        print(table)
    print(f"{int(table['covered'].sum())} of {len(table)} {args.level:.0%} intervals cover the truth")
    return 0


if __name__ == "__main__":
    sys.exit(main())
