"""The committee summary quotes no figure without its uncertainty and no input as a result.

Evaluators quote what the report prints: a ratio without an interval, a figure
that an assumed parameter sets, or a difference between networks that mixes
assumed presets with site sizes must say so where it is printed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import h5py
import pytest

import atcsim
from atcsim import cli
from atcsim.summary import evaluate
from atcsim.testing import make_synthetic, make_synthetic_atc

N_BOOT = 200


#: As the engine stores them (models/territorial/params.hpp): lists as text, declared range, source.
OUTCOME_PARAMETERS = {
    "reach_share": ("[0.05, 0.05, 0.05, 0.05, 0.05, 0.05]", "1", 0.0, 1.0),
    "transition_share": ("[0.2, 0.3, 0.2, 0.3, 0.3, 0.3]", "1", 0.0, 1.0),
    "return_rate": ("[0.5, 0.5, 0.3, 0.5, 0.3, 0.5]", "year-1", 0.0, None),
}


def _store_outcome_parameters(path: Path) -> None:
    with h5py.File(path, "a") as f:
        for name, (value, units, lo, hi) in OUTCOME_PARAMETERS.items():
            dset = f["parameters"].create_dataset(name, data=value, dtype=h5py.string_dtype("utf-8"))
            dset.attrs.update({"units": units, "source": "assumption", "valid_min": lo})
            if hi is not None:
                dset.attrs["valid_max"] = hi


def _edit_config(path: Path, edit) -> None:
    with h5py.File(path, "a") as f:
        text = f.attrs["config_toml"]
        f.attrs["config_toml"] = edit(text.decode() if isinstance(text, bytes) else text)


@pytest.fixture(scope="module")
def atc_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ATC-shaped, 4 replicates, with the outcome parameters: ``governance_only`` moves nobody."""
    path = make_synthetic_atc(tmp_path_factory.mktemp("honesty") / "atc.h5", replicates=4)
    _store_outcome_parameters(path)
    return path


def _report(path: Path, out: Path, lang: str = "en") -> str:
    assert cli.main(["report", str(path), "-o", str(out), "--n-boot", str(N_BOOT), "--lang", lang]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(atc_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return _report(atc_file, tmp_path_factory.mktemp("honesty-report") / "en.html")


@pytest.fixture(scope="module")
def summary(report: str) -> str:
    return report.split('id="contrast-')[0]


def _row(summary: str, treatment: str) -> str:
    """The main table's row of the contrast whose treatment is ``treatment``."""
    table = summary.split('<table class="ev main">')[1].split("</table>")[0]
    rows = [r for r in table.split("<tr>") if f"<code>{treatment}</code> vs" in r]
    assert len(rows) == 1, treatment
    return rows[0]


def _words(html_text: str) -> str:
    """The text of a table row (a space for each tag)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_text))


def _note(html_text: str, anchor: str = "assumed-outcomes") -> str:
    """The text of the paragraph with id ``anchor`` (inline tags dropped)."""
    text = re.sub(r"<[^>]+>", "", html_text.split(f'id="{anchor}">')[1].split("</p>")[0])
    return re.sub(r"\s+", " ", html.unescape(text))


# ------------------------------------------------------------------- no bare figures


def test_a_ratio_without_interval_is_not_estimable_not_a_bare_figure(atc_file, summary):
    with atcsim.open(atc_file) as ds:
        cost = evaluate(ds, n_boot=N_BOOT).cost("governance_only")
    point = float(cost["cost_per_person_moved"])
    assert point > 0 and cost[["cost_per_person_moved_ci_low", "cost_per_person_moved_ci_high"]].isna().all()
    row = _words(_row(summary, "governance_only"))
    assert "not estimable" in row and "gain in people moved not clearly above 0, so no interval" in row
    # the ratio of means is not printed anywhere in the summary: it would be quoted as a result
    assert f"€{point:,.0f}" not in _words(summary)


def test_an_extra_cost_without_spread_says_so(summary):
    row = _words(_row(summary, "atc"))
    assert re.search(r"€[\d,]+ same in every replicate", row), row


def test_the_headline_gives_intervals_of_rates_and_of_the_cost_per_person_moved(summary):
    head = _words(summary.split('id="headline"')[1].split("</p>")[0])
    interval = r"\[[−\d.,]+, [−\d.,]+\]"
    # people, their interval, then the rate per 1,000 with its own interval
    assert re.search(rf"participants {interval} \(\+[\d.]+ {interval} per 1,000 residents\)", head), head
    assert re.search(rf"people moved {interval} \(\+[\d.]+ {interval} per 1,000 residents\)", head), head
    assert re.search(r"extra cost €[\d,]+ \(same in every replicate\)", head), head
    assert re.search(r"€[\d,]+ per person moved \[€[\d,]+, €[\d,]+\];", head), head
    assert re.search(rf"benefit-cost ratio [\d.]+ {interval}", head), head


def test_the_headline_says_when_the_cost_per_person_moved_is_not_estimable(atc_file, tmp_path):
    out = tmp_path / "gov.html"
    argv = ["report", str(atc_file), "-o", str(out), "--n-boot", str(N_BOOT), "--lang", "en"]
    assert cli.main(argv + ["--baseline", "baseline", "--treatment", "governance_only"]) == 0
    head = _words(out.read_text(encoding="utf-8").split('id="headline"')[1].split("</p>")[0])
    assert (
        "cost per person moved not estimable (gain in people moved not clearly above 0, so no interval)"
        in head
    )


# ---------------------------------------------------------- figures set by assumptions


def test_figures_set_by_assumed_parameters_say_so_with_the_stored_values(summary, report):
    note = _note(summary)
    for needle in (
        "People moved and better off, avoided costs, the benefit-cost ratio and the cost per person moved "
        "rest on assumed parameters",
        "(reach_share = 0.05)",
        "(transition_share = 0.2 to 0.3 by theme)",
        "base values stored in this file, source “assumption”",
        "roughly in proportion to reach_share × transition_share",
        "return_rate (0.3 to 0.5 by theme, per year)",
        "Their intervals cover simulation noise only, not these assumptions.",
    ):
        assert needle in note, (needle, note)
    # no range is derived from the declared bounds: the dependence is not exactly proportional
    assert "proportional range" not in note and "[0, 1]" not in note
    head = _words(summary.split('id="headline"')[1].split("</p>")[0])
    assert "depend on assumed parameters (note below the table); their intervals cover simulation" in head
    # every contrast section says it too, next to its people table and in its cost details
    sections = report.split('<section class="contrast"')[1:]
    sections = [s.split("</section>")[0] for s in sections]
    assert sections and all(s.count("(<code>reach_share</code> = 0.05)") == 2 for s in sections)


def test_the_note_says_when_the_file_does_not_record_the_parameters(tmp_path):
    path = make_synthetic_atc(tmp_path / "bare.h5", replicates=3)
    note = _note(_report(path, tmp_path / "bare.html"))
    assert "(transition_share; docs/ODD.md 7.9), whose values this file does not record" in note


def test_scenario_overrides_and_diffusion_change_the_note(atc_file, tmp_path):
    path = tmp_path / "edited.h5"
    path.write_bytes(atc_file.read_bytes())

    def edit(text: str) -> str:
        text = text.replace('name = "atc"\n', 'name = "atc"\nmodel = { reach_share = 0.1 }\n', 1)
        return text + "\n[model]\ndiffusion = true\n"

    _edit_config(path, edit)
    note = _note(_report(path, tmp_path / "edited.html"))
    assert "Scenario(s) atc set their own values of these parameters." in note
    assert "With diffusion across sites on" in note and "not in proportion" in note
    assert "roughly in proportion" not in note


def test_french_note(atc_file, tmp_path):
    text = _report(atc_file, tmp_path / "fr.html", lang="fr")
    note = _note(text)
    assert "(reach_share = 0,05)" in note and "(transition_share = 0,2 à 0,3 selon le thème)" in note
    assert "Leurs intervalles ne couvrent que le bruit de simulation, pas ces hypothèses." in note


# ------------------------------------------------------------------------ for whom


def test_for_whom_says_network_rows_mix_assumed_presets_with_site_sizes(summary):
    whom = summary.split('<table class="ev whom">')[1]
    assert "network " in whom.split("</table>")[0]  # the table has network rows
    note = _note(whom, "for-whom-note")
    assert "presets assume it (assumptions, docs/networks.md)" in note
    assert "one animator per site is a smaller dose per resident where sites are larger" in note
    assert "These rows do not rank the networks' methods." in note


def test_for_whom_has_no_network_note_without_networks(tmp_path):
    path = make_synthetic(tmp_path / "one.h5", replicates=4, sites=["all"], people=True)
    text = _report(path, tmp_path / "one.html")
    assert '<table class="ev whom">' in text and 'id="for-whom-note"' not in text


# ------------------------------------------------------------------ process measures


def test_diagnosis_quality_is_a_process_measure_not_an_outcome(report):
    section = report.split('id="contrast-experiment"')[1].split("</section>")[0]
    assert "<code>diagnosis_quality</code>" in section
    outcomes = section.split("<h3>Other outcomes</h3>")[1].split("<h3>")[0]
    assert "diagnosis_quality" not in outcomes
    process = section.split("<h3>Process measures (implementation, not outcomes)</h3>")[1].split("<h3>")[0]
    assert "<code>diagnosis_quality</code>" in process
    assert "They show that the package was delivered, not what it achieved." in process
