"""Plots: Agg-safe, return Figures, draw what the data say."""

from __future__ import annotations

import io

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.figure import Figure

import atcsim

from conftest import N_REPLICATES, N_SITES, SCENARIOS


def _png_pixels(fig: Figure) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    buffer.seek(0)
    return mpimg.imread(buffer)


def test_plot_sites_one_panel_per_site_with_medians(ds):
    fig = atcsim.plot_sites(ds, "participation_share")
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == N_SITES
    first = panels[0]
    assert first.get_title() == "Marseille — Frais Vallon"
    medians = [line for line in first.get_lines() if line.get_label() in SCENARIOS]
    assert [m.get_label() for m in medians] == list(SCENARIOS)
    expected = np.median(
        ds["participation_share"].sel(scenario="animator", site="marseille_frais_vallon").values, axis=0
    )
    # a share is drawn in % (percentage points on the axis)
    np.testing.assert_allclose(medians[1].get_ydata(), 100 * expected)
    assert "(%)" in fig._suptitle.get_text()
    assert len(first.collections) == 2 * len(SCENARIOS)  # 50 % and 90 % bands
    assert _png_pixels(fig).std() > 0.01


def test_plot_sites_subset_and_extra_dimension(ds):
    fig = atcsim.plot_sites(
        ds, "outcome_index", scenarios=["baseline", "animator"], select={"theme": "employment"}, ncols=2
    )
    first = fig.axes[0]
    assert {line.get_label() for line in first.get_lines()} == {"baseline", "animator"}
    with pytest.raises(atcsim.TimeSelectionError, match="theme"):
        atcsim.plot_sites(ds, "outcome_index")
    with pytest.raises(atcsim.ScenarioNotFoundError):
        atcsim.plot_sites(ds, "participation_share", scenarios="nope")


def test_plot_trajectory_draws_every_replicate(ds):
    fig = atcsim.plot_trajectory(ds, "trust_institutions", "Saint-Gilles — Sabatot - Centre ancien")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == len(SCENARIOS) * (N_REPLICATES + 1)
    assert "Saint-Gilles" in ax.get_title()
    by_id = atcsim.plot_trajectory(
        ds, "trust_institutions", "saint_gilles_sabatot", scenarios="baseline", max_lines=3
    )
    assert len(by_id.axes[0].get_lines()) == 4
    with pytest.raises(ValueError, match="available sites"):
        atcsim.plot_trajectory(ds, "trust_institutions", "Atlantis")
    assert _png_pixels(fig).std() > 0.01


def test_plot_forest_rows_and_values(ds):
    res = atcsim.compare(ds, "baseline", "animator", "participation_share")
    fig = atcsim.plot_forest(res)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "All sites (pooled)"
    assert len(labels) == N_SITES + 1
    points = [
        line for line in ax.get_lines() if len(line.get_xdata()) == 1 and line.get_marker() in ("o", "D")
    ]
    # a share's difference is drawn in percentage points
    np.testing.assert_allclose(
        sorted(p.get_xdata()[0] for p in points), sorted(100 * res.table["mean_diff"]), rtol=1e-9
    )
    assert "percentage points" in ax.get_xlabel()
    assert _png_pixels(fig).std() > 0.01


def test_plot_forest_single_site_and_nan_ci(canonical_file):
    with pytest.warns(atcsim.FewReplicatesWarning):
        with atcsim.open(canonical_file) as data:
            res = atcsim.compare(data.isel(replicate=[0]), "low_threshold", "high_threshold", "cascade_size")
    fig = atcsim.plot_forest(res)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["all"]
    _png_pixels(fig)  # renders despite a NaN CI


def test_nan_quantiles_match_numpy():
    from atcsim.plots import nan_quantiles

    rng = np.random.default_rng(5)
    x = rng.normal(size=(11, 40))
    x[rng.random(x.shape) < 0.3] = np.nan
    x[:, 3] = np.nan  # a column without data
    qs = [0.05, 0.25, 0.5, 0.75, 0.95]
    with np.testing.suppress_warnings() as sup:
        sup.filter(RuntimeWarning)
        expected = np.nanquantile(x, qs, axis=0)
    np.testing.assert_allclose(nan_quantiles(x, qs), expected, rtol=1e-12, atol=1e-12, equal_nan=True)
