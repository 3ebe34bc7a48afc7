"""The committee summary (issue 14): numbers against a hand computation, honest statistics, --at/--window."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import atcsim
from atcsim import cli
from atcsim.evaluation import contrasts as file_contrasts
from atcsim.summary import evaluate
from atcsim.testing import make_synthetic, make_synthetic_atc

from test_report import CHROMIUM, _chromium

N_BOOT = 400
CONTRAST = [
    {
        "name": "animator_effect",
        "treatment": "animator",
        "baseline": "baseline",
        "question": "Does the animator work?",
        "question_fr": "L'animateur est-il utile ?",
    }
]
TIMELINE = [
    {"scenario": "animator", "kind": "animator", "sites": "", "start": "2019-09-02", "end": "2019-11-20"}
]


@pytest.fixture(scope="module")
def people_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 sites, 6 replicates, 16 weekly steps; the animator's package ends on 2019-11-20 (week 11)."""
    return make_synthetic(
        tmp_path_factory.mktemp("evaluation") / "people.h5",
        replicates=6,
        sites=3,
        steps=16,
        seed=7,
        people=True,
        contrasts=CONTRAST,
        interventions=TIMELINE,
        site_quality=True,
    )


@pytest.fixture(scope="module")
def pds(people_file: Path):
    with atcsim.open(people_file) as data:
        yield data.load()


def _at(ds, name: str, scenario: str, index) -> np.ndarray:
    """(replicate, site[, theme]) values at one time index, or the mean over several."""
    da = ds[name].sel(scenario=scenario).transpose("replicate", "site", "time", ...)
    v = np.asarray(da.isel(time=index).values, float)
    return v.mean(axis=2) if np.ndim(index) else v


# ------------------------------------------------------------------ hand-computed numbers


def test_default_time_is_the_end_of_the_experiment(pds):
    ev = evaluate(pds, n_boot=N_BOOT)
    times = pd.DatetimeIndex(pds["time"].values)
    expected = int(np.flatnonzero(times <= pd.Timestamp("2019-11-20"))[-1])
    assert expected < len(times) - 1  # not simply the last recorded time
    assert list(ev.when.indices) == [expected]
    assert ev.when.source == "experiment end"
    assert ev.when.experiment_end == pd.Timestamp("2019-11-20")


def test_summary_numbers_match_a_hand_computation(pds):
    ev = evaluate(pds, n_boot=N_BOOT)
    k = int(ev.when.end_index)
    pop = np.asarray(pds["population"].values, float)
    c = "animator_effect"

    # participants: a head count, summed over sites, then averaged over replicates
    d = _at(pds, "participants", "animator", k) - _at(pds, "participants", "baseline", k)
    people = ev.effect(c, "participants", scale="people")
    assert people["mean_diff"] == pytest.approx(d.sum(axis=1).mean(), rel=1e-12)
    per_1000 = ev.effect(c, "participants", scale="per_1000")
    assert per_1000["mean_diff"] == pytest.approx(1000 * d.sum(axis=1).mean() / pop.sum(), rel=1e-12)
    site0 = ev.effect(c, "participants", scale="people", group=str(pds["site"].values[0]))
    assert site0["mean_diff"] == pytest.approx(d[:, 0].mean(), rel=1e-12)

    # people reached: per theme, and "all" = the sum over themes
    r = _at(pds, "people_reached", "animator", k) - _at(pds, "people_reached", "baseline", k)
    theme0 = str(pds["theme"].values[0])
    assert ev.effect(c, "people_reached", theme=theme0, scale="people")["mean_diff"] == pytest.approx(
        r[:, :, 0].sum(axis=1).mean(), rel=1e-12
    )
    assert ev.effect(c, "people_reached", theme="all", scale="people")["mean_diff"] == pytest.approx(
        r.sum(axis=(1, 2)).mean(), rel=1e-12
    )

    # a share: percentage points, pooled with population weights (not the plain mean over sites)
    s = _at(pds, "participation_share", "animator", k) - _at(pds, "participation_share", "baseline", k)
    weighted = 100 * (s @ (pop / pop.sum())).mean()
    unweighted = 100 * s.mean()
    pp = ev.effect(c, "participation_share", scale="pp")
    assert pp["mean_diff"] == pytest.approx(weighted, rel=1e-12)
    assert abs(weighted - unweighted) > 1e-3 * abs(weighted)  # the test tells the two poolings apart
    plain = evaluate(pds, pooling="unweighted", n_boot=N_BOOT).effect(c, "participation_share", scale="pp")
    assert plain["mean_diff"] == pytest.approx(unweighted, rel=1e-12)

    # the CI is the percentile bootstrap of the replicate means of the pooled paired differences
    lo, hi = atcsim.bootstrap_ci(100 * (s @ (pop / pop.sum())), n_boot=N_BOOT, seed=ev.seed)
    assert (pp["ci_low"], pp["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
    assert pp["effect_size"] == pytest.approx(
        (100 * (s @ (pop / pop.sum()))).mean() / (100 * (s @ (pop / pop.sum()))).std(ddof=1), rel=1e-9
    )

    # costs: cumulative extra cost summed over sites; benefit-cost = avoided / extra; cost per person reached
    cost = (
        _at(pds, "intervention_cost_eur", "animator", k) - _at(pds, "intervention_cost_eur", "baseline", k)
    ).sum(axis=1)
    avoided = (
        _at(pds, "avoided_costs_eur", "animator", k) - _at(pds, "avoided_costs_eur", "baseline", k)
    ).sum(axis=1)
    row = ev.cost(c)
    assert row["extra_cost_eur"] == pytest.approx(cost.mean(), rel=1e-12)
    assert row["benefit_cost_ratio"] == pytest.approx(avoided.mean() / cost.mean(), rel=1e-12)
    assert row["cost_per_person_reached"] == pytest.approx(cost.mean() / r.sum(axis=(1, 2)).mean(), rel=1e-12)
    assert row["benefit_cost_ratio_ci_low"] < row["benefit_cost_ratio"] < row["benefit_cost_ratio_ci_high"]


def test_a_contrast_measured_at_its_own_date(tmp_path):
    """``[[contrast]] at``: that contrast is measured then, the others at the end; --at overrides all."""
    dated = dict(CONTRAST[0], name="late_question", at="2019-09-30")
    too_late = dict(CONTRAST[0], name="after_the_run", at="2030-01-01")  # e.g. a shortened run
    path = make_synthetic(
        tmp_path / "dated.h5",
        replicates=6,
        sites=3,
        steps=16,
        seed=7,
        people=True,
        contrasts=[CONTRAST[0], dated, too_late],
        interventions=TIMELINE,
        site_quality=True,
    )
    with atcsim.open(path) as data:
        ds = data.load()
    times = pd.DatetimeIndex(ds["time"].values)
    k = int(np.flatnonzero(times <= pd.Timestamp("2019-09-30"))[-1])
    assert [c.at for c in atcsim.contrasts(ds)] == ["", "2019-09-30", "2030-01-01"]
    ev = evaluate(ds, n_boot=N_BOOT)
    assert ev.when_of("late_question").source == "contrast" and list(ev.when_of("late_question").indices) == [
        k
    ]
    assert ev.when_of("animator_effect") is ev.when and ev.when.end_index != k and not ev.same_time
    pop = np.asarray(ds["population"].values, float)

    def pooled_pp(index):
        s = _at(ds, "participation_share", "animator", index) - _at(
            ds, "participation_share", "baseline", index
        )
        return 100 * (s @ (pop / pop.sum())).mean()

    late = ev.effect("late_question", "participation_share", scale="pp")
    assert late["mean_diff"] == pytest.approx(pooled_pp(k), rel=1e-12)
    assert ev.effect("animator_effect", "participation_share", scale="pp")["mean_diff"] == pytest.approx(
        pooled_pp(ev.when.end_index), rel=1e-12
    )
    assert abs(pooled_pp(k) - pooled_pp(ev.when.end_index)) > 1e-3  # the two dates tell apart
    cost_k = (
        _at(ds, "intervention_cost_eur", "animator", k) - _at(ds, "intervention_cost_eur", "baseline", k)
    ).sum(1)
    assert ev.cost("late_question")["extra_cost_eur"] == pytest.approx(cost_k.mean(), rel=1e-12)
    stamps = ev.effects.groupby("contrast")["measured_at"].unique()
    assert stamps["late_question"].tolist() == [ev.when_of("late_question").label]
    assert list(ev.effects["contrast"].unique()) == ["animator_effect", "late_question", "after_the_run"]
    # a date after the run: measured at its end, with a note
    late_when = ev.when_of("after_the_run")
    assert late_when.source == "run end before contrast" and late_when.end_index == len(times) - 1
    assert any("after_the_run is to be measured on 2030-01-01" in n for n in ev.notes)
    # the scenario checks (levels) are made once, not once per measurement time
    levels = ev.checks[ev.checks["check"] == "level"]
    assert not levels.duplicated(["subject", "indicator", "label", "site"]).any()
    # a date the user gives applies to every contrast
    at = evaluate(ds, at=str(times[2].date()), n_boot=N_BOOT)
    assert at.same_time and list(at.when_of("late_question").indices) == [2]
    # the report says when each contrast is measured
    out = tmp_path / "dated.html"
    assert cli.main(["report", str(path), "-o", str(out), "--n-boot", "200", "--lang", "en"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "the date this question is asked at" in text
    assert "measured on 30 September 2019" in text or "measured on 2019-09-30" in text
    assert "at the end of the run, which stops before" in text


# ------------------------------------------------------------------------ --at / --window


def test_at_and_window_select_the_right_times(pds):
    times = pd.DatetimeIndex(pds["time"].values)
    at = evaluate(pds, at=str(times[4].date()), n_boot=N_BOOT)
    assert list(at.when.indices) == [4] and at.when.source == "at"
    s = _at(pds, "participation_share", "animator", 4) - _at(pds, "participation_share", "baseline", 4)
    pop = np.asarray(pds["population"].values, float)
    assert at.effect("animator_effect", "participation_share", scale="pp")["mean_diff"] == pytest.approx(
        100 * (s @ (pop / pop.sum())).mean(), rel=1e-12
    )

    window = evaluate(pds, window=(str(times[3].date()), str(times[6].date())), n_boot=N_BOOT)
    assert list(window.when.indices) == [3, 4, 5, 6] and window.when.end_index == 6
    idx = np.arange(3, 7)
    d = _at(pds, "participants", "animator", idx) - _at(pds, "participants", "baseline", idx)
    assert window.effect("animator_effect", "participants", scale="people")["mean_diff"] == pytest.approx(
        d.sum(axis=1).mean(), rel=1e-12
    )
    # cumulative costs are taken at the window's end
    c6 = (
        _at(pds, "intervention_cost_eur", "animator", 6) - _at(pds, "intervention_cost_eur", "baseline", 6)
    ).sum(1)
    assert window.cost("animator_effect")["extra_cost_eur"] == pytest.approx(c6.mean(), rel=1e-12)


def test_report_headline_states_when(people_file, tmp_path):
    out = tmp_path / "r.html"
    assert cli.main(["report", str(people_file), "-o", str(out), "--n-boot", "200", "--lang", "en"]) == 0
    head = out.read_text(encoding="utf-8").split('id="when"')[1][:600]
    assert "at the end of the experiment" in head and "20 November 2019" in head
    out_at = tmp_path / "at.html"
    assert (
        cli.main(["report", str(people_file), "-o", str(out_at), "--at", "2019-09-30", "--lang", "en"]) == 0
    )
    head = out_at.read_text(encoding="utf-8").split('id="when"')[1][:600]
    assert "Measured on 30 September 2019" in head and "--at" in head
    out_w = tmp_path / "w.html"
    code = cli.main(
        ["report", str(people_file), "-o", str(out_w), "--window", "2019-09-23", "2019-10-14", "--lang", "en"]
    )
    assert code == 0
    assert "--window" in out_w.read_text(encoding="utf-8").split('id="when"')[1][:600]


def test_bad_at_date_exits_2(people_file, tmp_path, capsys):
    code = cli.main(["report", str(people_file), "-o", str(tmp_path / "x.html"), "--at", "2031-01-01"])
    assert code == 2
    assert not (tmp_path / "x.html").exists()
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- honest statistics


def test_inputs_are_never_effects(pds, people_file, tmp_path):
    inputs = [v for v in atcsim.indicators(pds) if pds[v].attrs.get("atcsim_role") == "input"]
    assert {"intervention_cost_eur", "resident_voice_share"} <= set(inputs)
    ev = evaluate(pds, n_boot=N_BOOT)
    assert not set(ev.effects["variable"]) & set(inputs)
    asked = evaluate(pds, variables=["participants", "resident_voice_share"], n_boot=N_BOOT)
    assert set(asked.effects["variable"]) == {"participants"}
    assert any("resident_voice_share" in n for n in asked.notes)
    out = tmp_path / "r.html"
    assert cli.main(["report", str(people_file), "-o", str(out), "--n-boot", "200", "--lang", "en"]) == 0
    text = out.read_text(encoding="utf-8")
    # effects tables (summary and contrast sections) never name an input; the inputs section does
    effects_part = text.split('id="trajectories"')[0]
    for table in re.findall(r"<table.*?</table>", effects_part, flags=re.S):
        for name in inputs:
            assert f"<code>{name}</code>" not in table
    assert "resident_voice_share" in text.split('id="inputs"')[1]
    assert "∞" not in text


def test_zero_spread_is_called_deterministic(tmp_path):
    path = make_synthetic(
        tmp_path / "flat.h5",
        replicates=5,
        sites=2,
        steps=8,
        noise=0.0,
        seed=3,
        contrasts=CONTRAST,
        people=True,
    )
    with atcsim.open(path) as ds:
        ev = evaluate(ds, n_boot=N_BOOT)
    flat = ev.effects[ev.effects["deterministic"].astype(bool)]
    assert len(flat) > 0
    assert flat["effect_size"].isna().all()
    assert (flat["ci_low"] == flat["mean_diff"]).all() and (flat["ci_high"] == flat["mean_diff"]).all()
    # a row with spread keeps its d_z
    spread = ev.effects[~ev.effects["deterministic"].astype(bool) & ev.effects["sd_diff"].gt(0)]
    assert spread.empty or spread["effect_size"].notna().all()
    for lang, words in (
        ("en", "deterministic given the assumptions"),
        ("fr", "déterministe sous ces hypothèses"),
    ):
        out = tmp_path / f"{lang}.html"
        assert cli.main(["report", str(path), "-o", str(out), "--n-boot", "200", "--lang", lang]) == 0
        text = out.read_text(encoding="utf-8")
        assert words in text
        assert "∞" not in text and "inf" not in re.sub(r"<[^>]+>", " ", text).split()


def test_french_is_the_default_with_french_questions(people_file, result_file, tmp_path):
    fr = tmp_path / "fr.html"
    assert cli.main(["report", str(people_file), "-o", str(fr), "--n-boot", "200"]) == 0
    text = fr.read_text(encoding="utf-8")
    assert '<html lang="fr"' in text and "L&#x27;animateur est-il utile ?" in text
    assert "Mesuré" in text.split('id="when"')[1][:400]
    en = tmp_path / "en.html"
    assert cli.main(["report", str(result_file), "-o", str(en), "--n-boot", "200"]) == 0
    assert '<html lang="en"' in en.read_text(encoding="utf-8")


def test_files_without_the_contract_fall_back_on_defaults(tmp_path):
    old = make_synthetic_atc(tmp_path / "old.h5", replicates=3, metadata=False)
    with atcsim.open(old) as ds:
        chosen = file_contrasts(ds)
        ev = evaluate(ds, n_boot=N_BOOT)
    assert [c.baseline for c in chosen] == ["baseline"] * len(chosen)
    assert {c.treatment for c in chosen} == {s for s in ds["scenario"].values if s != "baseline"}
    assert ev.when.source == "run end"
    out = tmp_path / "old.html"
    assert cli.main(["report", str(old), "-o", str(out), "--n-boot", "200"]) == 0
    assert "at the end of the run" in out.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ real browser

_MEASURE = """<script>
window.addEventListener("load", () => {
  const head = document.getElementById("headline").getBoundingClientRect();
  const tables = [...document.querySelectorAll("table")].map((t) => {
    const r = t.getBoundingClientRect();
    return Math.max(r.right, r.left + t.scrollWidth);
  });
  const out = document.createElement("pre");
  out.id = "measure";
  out.textContent = JSON.stringify({
    headline_bottom: head.bottom, screen: window.innerHeight, width: window.innerWidth,
    widest_table: Math.max(...tables), tables: tables.length,
    page_width: document.documentElement.scrollWidth,
  });
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_first_screen_has_the_headline_and_tables_fit_1280px(tmp_path):
    import json

    path = make_synthetic_atc(tmp_path / "atc.h5", replicates=4)
    out = tmp_path / "report.html"
    assert cli.main(["report", str(path), "-o", str(out), "--n-boot", "200"]) == 0
    text = out.read_text(encoding="utf-8")
    # the measuring script is the test's, so the page's Content-Security-Policy (no scripts) is lifted
    probe = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text).replace(
        "</body>", _MEASURE + "</body>"
    )
    page = tmp_path / "probe.html"
    page.write_text(probe, encoding="utf-8")
    dom = _chromium(["--window-size=1280,800", "--dump-dom", page.as_uri()], tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<pre id="measure">(.*?)</pre>', dom.stdout, flags=re.S)
    assert found, dom.stdout[-2000:]
    m = json.loads(html.unescape(found.group(1)))
    assert m["width"] == 1280 and m["tables"] >= 5
    assert m["headline_bottom"] <= m["screen"]  # the answer is on the first screen
    assert m["widest_table"] <= 1280 and m["page_width"] <= 1280
    first = dom.stdout.split('id="headline"')[1][:3000]
    assert "Mesuré" in dom.stdout.split('id="when"')[1][:300]  # French, and says when
    assert "personnes" in first or "participants" in first


def _pdf_pages(pdf: Path) -> int:
    """Pages of a PDF Chromium printed (its page objects are plain text: ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def _print_pages(page: Path, tmp_path: Path, name: str) -> int:
    pdf = tmp_path / f"{name}.pdf"
    proc = _chromium(
        ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], tmp_path / f"p-{name}"
    )
    assert pdf.exists(), proc.stderr[-2000:]
    return _pdf_pages(pdf)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_the_printed_summary_is_one_a4_landscape_page(tmp_path):
    """The committee's page: the summary alone, printed with the report's print CSS, fits one A4 page."""
    path = make_synthetic_atc(tmp_path / "atc.h5", replicates=4, sites=15)
    out = tmp_path / "report.html"
    assert cli.main(["report", str(path), "-o", str(out), "--n-boot", "200"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "@page{size:A4 landscape" in text
    start = text.index('<section id="summary"')
    end = text.index("</section>", start) + len("</section>")
    summary = text[start:end]
    assert "<section" not in summary[1:]  # the cut holds the whole summary
    only = tmp_path / "summary.html"
    only.write_text(text[:start] + summary + "</body></html>", encoding="utf-8")
    assert _print_pages(only, tmp_path, "summary") == 1
    # the counting can fail: the same summary twice does not fit one page
    twice = tmp_path / "twice.html"
    twice.write_text(text[:start] + summary + summary.replace('id="', 'id="x') + "</body></html>", "utf-8")
    assert _print_pages(twice, tmp_path, "twice") >= 2


# ------------------------------------------------------------------------------ a real run


def test_report_of_a_small_real_atc15_run(tmp_path):
    """A real engine file (today's or with the issue-14 metadata): the summary reads it, the page stays small.

    The build time is measured by bench/report_time.py, not asserted here (a shared CI machine).
    """
    import subprocess

    from conftest import ROOT, atcsim_binary

    binary = atcsim_binary()
    if binary is None:
        pytest.skip("no atcsim binary (set ATCSIM_BIN or build with `make`)")
    h5 = tmp_path / "atc15.h5"
    proc = subprocess.run(
        [str(binary), "run", str(ROOT / "scenarios" / "atc15.toml"), "-o", str(h5), "--quiet"]
        + ["--set", "model.population_scale=0.02", "--replicates", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "atc15.html"
    assert cli.main(["report", str(h5), "-o", str(out), "--n-boot", "200"]) == 0
    size = out.stat().st_size
    assert 50_000 < size < 3_000_000
    text = out.read_text(encoding="utf-8")
    summary = text.split('id="contrast-')[0]
    assert 'id="headline"' in summary and 'id="when"' in summary
    assert "atc_continued" in summary and "atc_covid" in summary
    with atcsim.open(h5) as ds:
        inputs = [v for v in atcsim.indicators(ds) if ds[v].attrs.get("atcsim_role") == "input"]
        ev = evaluate(ds, n_boot=200)
        timeline = atcsim.intervention_timeline(ds)
    assert inputs and not set(ev.effects["variable"]) & set(inputs)
    assert "participants" in set(ev.effects["variable"])
    # the end of the experiment (the animator leaves at the end of 2021), from the file's timeline or,
    # for files without one, from the steps of its stored configuration
    assert ev.when.source == "experiment end"
    assert pd.Timestamp("2021-12-20") <= ev.when.experiment_end <= pd.Timestamp("2022-01-01")
    assert pd.Timestamp("2021-12-13") <= ev.when.date <= ev.when.experiment_end
    lockdowns = timeline[(timeline["kind"] == "lockdown") & (timeline["scenario"] == "atc_covid")]
    assert sorted(lockdowns["start"].dt.year) == [2020, 2020, 2021]
    assert "∞" not in text
    # keeping the animator is measured when the two scenarios differ: at the date the contrast declares
    kept = ev.when_of("animator_kept")
    assert kept.source == "contrast" and kept.date == pd.Timestamp("2023-12-25")
    assert "mesuré au 25 décembre 2023" in summary
    # people moved and the cost figures name the assumed parameters that set them, as the engine stored them
    assert "(<code>reach_share</code> = 0,05)" in summary and "source « assumption »" in summary


def test_figures_drawn_in_forked_children_are_the_serial_ones(people_file, monkeypatch):
    from atcsim.report import render_report

    # The header's time is fixed: the two renders may fall on either side of a minute.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with atcsim.open(people_file) as ds:
        parallel = render_report(ds, n_boot=200)
        monkeypatch.setenv("ATCSIM_REPORT_JOBS", "1")
        serial = render_report(ds, n_boot=200)
    assert parallel.count("<img") >= 3
    assert "2023-11-14 22:13 UTC" in parallel  # SOURCE_DATE_EPOCH 1700000000
    assert parallel == serial


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5", "99999999999999"])
def test_bad_source_date_epoch_exits_2_and_writes_nothing(value, people_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code = cli.main(["report", str(people_file), "-o", str(tmp_path / "x.html"), "--n-boot", "50"])
    assert code == 2
    assert not (tmp_path / "x.html").exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "SOURCE_DATE_EPOCH" in err[0] and repr(value) in err[0]


def test_report_time_is_now_without_source_date_epoch(people_file, monkeypatch):
    from atcsim.report import render_report

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with atcsim.open(people_file) as ds:
        html = render_report(ds, n_boot=50)
    now = pd.Timestamp.now(tz="UTC")
    stamps = {(now - pd.Timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M UTC") for m in range(0, 3)}
    assert any(stamp in html for stamp in stamps)
