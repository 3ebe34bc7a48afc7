"""Which parameters to calibrate: Morris screening of the targets' statistics and of
treatment effects, from one Morris sweep (issue 13, docs/calibration.md "Which
parameters").

A parameter is worth calibrating when moving it across its prior range moves
a calibration target's statistic by a good share of the target's own
uncertainty (then the target can inform it), or moves an intervention's
effect (then its uncertainty matters to what evaluators are told). The
screen reports both, on comparable scales:

- for each target, ``mu* / sd``: the mean absolute elementary effect (over the
  unit-normalised prior range) in units of the target's total sd. Above about
  1, the target can tell values of the parameter apart;
- for each paired effect ``treatment - baseline`` of a variable, ``mu* /
  |mean effect|``: the parameter's mean absolute elementary effect relative
  to the effect's size over the design.

    PYTHONPATH=analysis /usr/bin/python3 -m atcsim.calibration.screening \\
        out/atc15_screening.h5 scenarios/calibration/targets.toml \\
        --effect atc:baseline:participants:2021-12-27 --effect atc:baseline:avoided_costs_eur:2021-12-27
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..dataset import open as open_dataset
from ..dataset import sweep_parameters, sweep_table
from ..sensitivity import morris, morris_values
from .summaries import replicate_statistics
from .targets import TargetSet, load_targets

__all__ = ["Effect", "screen", "main"]


@dataclass(frozen=True)
class Effect:
    """A paired effect to screen: ``variable`` in ``treatment`` minus ``baseline`` at ``at``
    (a date, or a step number for models without a calendar)."""

    treatment: str
    baseline: str
    variable: str
    at: str

    @classmethod
    def parse(cls, text: str) -> "Effect":
        parts = text.split(":")
        if len(parts) != 4 or not all(parts):
            raise ValueError(f"--effect {text!r}: expected TREATMENT:BASELINE:VARIABLE:DATE")
        return cls(*parts)

    @property
    def label(self) -> str:
        return f"effect {self.variable} ({self.treatment} - {self.baseline}, {self.at})"


def non_finite_note(ds: xr.Dataset, values: np.ndarray, label: str) -> str | None:
    """What to say when some points' values are not finite (a ratio to 0, or no
    value): then the column's mu* is infinite or NaN, and the reader must know
    why. Names how many points, and each swept parameter whose values at those
    points lie in a narrower interval than the design's (where they are)."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    keys = sweep_table(ds)["key"]
    where = []
    for name in sweep_parameters(ds):
        design = np.asarray(ds[name].values, dtype=float)
        lo, hi = float(design[bad].min()), float(design[bad].max())
        if lo > design.min() or hi < design.max():
            key = keys[name]
            where.append(f"{key} = {lo:.4g}" if lo == hi else f"{key} in [{lo:.4g}, {hi:.4g}]")
    kinds = []
    if np.isinf(values).any():
        kinds.append(f"{int(np.isinf(values).sum())} infinite, a ratio to 0")
    if np.isnan(values).any():
        kinds.append(f"{int(np.isnan(values).sum())} NaN, no value in any replicate")
    note = f"{label}: {int(bad.sum())} of {values.size} points have no finite statistic ({'; '.join(kinds)})"
    note += f", all with {' and '.join(where)}" if where else ", across the whole design"
    return note + "; its mu* is therefore not finite"


def screen(ds: xr.Dataset, targets: TargetSet, effects: Sequence[Effect] = ()) -> pd.DataFrame:
    """One row per swept parameter, one column per target (``mu*/sd``) and per
    effect (``mu*/|effect|``), plus ``max_target`` and ``max_effect``; sorted by
    the larger of the two. ``table.attrs["notes"]`` says which columns have points
    without a finite value, and where (:func:`non_finite_note`)."""
    variables = {name: ind.model_variable for name, ind in targets.indicators.items()}
    stats = replicate_statistics(ds, targets.targets, variables)  # (point, replicate, target)
    columns: dict[str, pd.Series] = {}
    notes: list[str] = []
    for j, t in enumerate(targets.targets):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all replicates NaN: said by the note
            values = np.nanmean(stats[:, :, j], axis=1)
        label = f"{t.role[:3]}:{t.name}"
        note = non_finite_note(ds, values, label)
        with warnings.catch_warnings():
            if note:  # inf - inf in the elementary effects: said by the note
                warnings.simplefilter("ignore", RuntimeWarning)
            result = morris_values(ds, values, name=t.name, n_boot=200)
        columns[label] = result.table["mu_star"] / t.observed.total_sd
        notes += [note] if note else []
    for e in effects:
        at = int(e.at) if e.at.lstrip("-").isdigit() else e.at  # a step number or a date
        result = morris(ds, e.variable, at=at, scenario=e.treatment, baseline=e.baseline, n_boot=200)
        size = abs(float(np.nanmean(result.data["value"])))
        columns[e.label] = result.table["mu_star"] / (size if size > 0 else np.nan)
        note = non_finite_note(ds, result.data["value"].to_numpy(), e.label)
        notes += [note] if note else []
    table = pd.DataFrame(columns)
    target_cols = [c for c in table.columns if c.startswith("cal:")]
    effect_cols = [c for c in table.columns if c.startswith("effect ")]
    table["max_target"] = table[target_cols].max(axis=1) if target_cols else np.nan
    table["max_effect"] = table[effect_cols].max(axis=1) if effect_cols else np.nan
    table = table.sort_values(["max_target", "max_effect"], ascending=False)
    table.attrs["notes"] = notes
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m atcsim.calibration.screening",
        description="Morris screening of calibration targets and treatment effects from a Morris sweep.",
    )
    parser.add_argument("sweep", help="output of a method = 'morris' sweep (e.g. atc15_screening.toml)")
    parser.add_argument("targets", help="the targets file (only calibration and validation statistics)")
    parser.add_argument("--effect", action="append", default=[], help="TREATMENT:BASELINE:VARIABLE:DATE")
    parser.add_argument("--csv", help="also write the table to this CSV file")
    args = parser.parse_args(argv)
    try:
        effects = [Effect.parse(e) for e in args.effect]
    except ValueError as exc:
        parser.error(str(exc))
    table = screen(open_dataset(args.sweep), load_targets(args.targets), effects)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 2):
        print(table)
    for note in table.attrs["notes"]:
        print(f"note: {note}")
    if args.csv:
        table.to_csv(args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
