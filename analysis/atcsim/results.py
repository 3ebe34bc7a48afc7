"""Result classes of scenario comparisons: a table plus what produced it.

Each shows its header, table and notes as ``repr`` and as Jupyter HTML
(:class:`TableRepr`); the sensitivity results share that base.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pandas as pd

from .bootstrap import DEFAULT_N_BOOT, DEFAULT_SEED
from .selection import selection_label

__all__ = ["POOLED", "TableRepr", "CompareResult", "CostEffectivenessResult"]

#: Row label of the pooled (all sites) result.
POOLED = "pooled"


class TableRepr:
    """``repr`` and Jupyter HTML of a result: ``_header()``, ``table``, then any ``_notes()``."""

    def _header(self) -> str:
        raise NotImplementedError

    def _notes(self) -> Sequence[str]:
        return ()

    def __repr__(self) -> str:
        notes = "".join(f"\nnote: {n}" for n in self._notes())
        return f"{type(self).__name__}({self._header()})\n{self.table.to_string()}{notes}"

    def _repr_html_(self) -> str:
        notes = "".join(f"<p>note: {html.escape(n)}</p>" for n in self._notes())
        return f"<p><b>{html.escape(self._header())}</b></p>{self.table.to_html()}{notes}"


@dataclass(repr=False)
class CompareResult(TableRepr):
    """Paired effect of ``treatment`` versus ``baseline`` on one indicator.

    Attributes
    ----------
    table
        One row per site plus a last row ``"pooled"`` (index ``site``) with
        columns ``site_name``, ``baseline_mean``, ``treatment_mean``,
        ``mean_diff`` (treatment minus baseline, paired), ``ci_low``,
        ``ci_high`` (percentile bootstrap), ``effect_size`` (paired Cohen's
        d_z = mean diff / sd of diffs), ``share_better`` (share of replicates
        where treatment beats baseline) and ``n_replicates``.
    diffs
        Paired differences, index ``replicate``, one column per site plus
        ``"pooled"`` (mean over sites per replicate).
    """

    table: pd.DataFrame
    diffs: pd.DataFrame
    variable: str
    baseline: str
    treatment: str
    time_label: str
    units: str = ""
    long_name: str = ""
    selection: Mapping[str, Any] = field(default_factory=dict)
    ci: float = 0.95
    n_boot: int = DEFAULT_N_BOOT
    seed: int = DEFAULT_SEED
    higher_is_better: bool = True

    @property
    def label(self) -> str:
        """Variable name with its extra-dimension selection, e.g. ``outcome_index[theme=youth]``."""
        return selection_label(self.variable, self.selection)

    @property
    def pooled(self) -> pd.Series:
        """The pooled (all sites) row of :attr:`table`."""
        return self.table.loc[POOLED]

    def to_frame(self) -> pd.DataFrame:
        """The table with the comparison's metadata as leading columns."""
        df = self.table.reset_index()
        for k, (name, value) in enumerate(
            [
                ("variable", self.label),
                ("baseline", self.baseline),
                ("treatment", self.treatment),
                ("time", self.time_label),
            ]
        ):
            df.insert(k, name, value)
        return df

    def _header(self) -> str:
        units = f" [{self.units}]" if self.units else ""
        return (
            f"{self.label}{units}: {self.treatment} - {self.baseline}, {self.time_label}; "
            f"{self.ci:.0%} percentile bootstrap CI ({self.n_boot} resamples, seed {self.seed})"
        )


@dataclass(repr=False)
class CostEffectivenessResult(TableRepr):
    """Avoided costs, intervention cost, net benefit and benefit-cost ratio.

    ``table`` has one row per site and a last ``"pooled"`` row (sum over
    sites), with, for each quantity, the mean over replicates and a
    percentile bootstrap CI: ``avoided_eur`` (avoided costs, treatment minus
    baseline), ``cost_eur`` (intervention cost, treatment minus baseline),
    ``net_benefit_eur`` (avoided minus cost), ``benefit_cost_ratio``
    (mean avoided / mean cost; NaN when the mean extra cost is not
    positive), plus ``share_net_positive`` and ``n_replicates``.
    """

    table: pd.DataFrame
    baseline: str
    treatment: str
    time_label: str
    ci: float = 0.95
    n_boot: int = DEFAULT_N_BOOT
    seed: int = DEFAULT_SEED

    @property
    def pooled(self) -> pd.Series:
        """The pooled (sum over sites) row of :attr:`table`."""
        return self.table.loc[POOLED]

    def _header(self) -> str:
        return (
            f"cost-effectiveness of {self.treatment} vs {self.baseline}, cumulative to "
            f"{self.time_label}; EUR; {self.ci:.0%} percentile bootstrap CIs "
            f"({self.n_boot} resamples, seed {self.seed})"
        )
