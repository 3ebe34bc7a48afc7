"""Calibration targets: the TOML key locator, the loader's errors (file:line:col and
key), and the shipped targets files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, atcsim_binary, subprocess_env

from atcsim.calibration import ConfigFileError, load_targets
from atcsim.calibration.tomlfile import loads

TARGETS = ROOT / "scenarios" / "calibration" / "targets.toml"

# A valid file; each error case below edits one line of it.
VALID = """\
format = "atcsim-targets/1"

[indicators.share]
description = "a share"
unit = "1"
model_variable = "participation_share"

[indicators.delay]
description = "a delay"
unit = "weeks"
model_variable = ""

[scopes.qpv]
description = "all QPV"

[[target]]
name = "first"
role = "calibration"
description = "a share"
scope = "qpv"
statistic = { indicator = "share", scenario = "baseline", window = { from = 2019-09-02, to = 2019-12-31 } }
observed = { value = 0.2, sd = 0.02, basis = "assumption" }
source = { citation = "somebody", status = "read" }

[[target]]
name = "second"
role = "validation"
why_held_out = "out of sample"
description = "a delay"
scope = "qpv"
[target.statistic]
indicator = "delay"
window = { from = 0, to = 100 }
time = "weeks_to_reach"
time_threshold = 0.5
sites = "share_below"
site_threshold = 0.5
[target.observed]
value = 52.0
interval = [40.0, 70.0]
level = 0.9
basis = "assumption"
[target.source]
citation = "somebody else"
status = "read, secondary"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edit(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_valid_file_loads(tmp_path):
    ts = load_targets(write(tmp_path, VALID))
    assert ts.names == ["first", "second"]
    assert [t.name for t in ts.calibration] == ["first"]
    second = ts["second"]
    assert second.statistic.time == "weeks_to_reach" and second.statistic.window.start == 0
    # an interval at level 0.9 becomes a normal sd: half-width / z_0.95
    assert second.observed.sd == pytest.approx(15.0 / 1.6448536, rel=1e-6)
    assert second.observed.bounds == (40.0, 70.0)
    assert ts["first"].observed.bounds == pytest.approx((0.2 - 1.6448536 * 0.02, 0.2 + 1.6448536 * 0.02))
    assert ts["first"].location.endswith("targets.toml:16:1")


# (replacement of one line of VALID, expected line:col, key, message fragment)
ERRORS = [
    (
        'format = "atcsim-targets/1"',
        'format = "atcsim-targets/2"',
        "1:10",
        "format",
        'expected "atcsim-targets/1"',
    ),
    ('role = "calibration"', 'role = "calibrate"', "18:8", "target[0].role", 'did you mean "calibration"'),
    (
        'scope = "qpv"\nstatistic',
        'scpoe = "qpv"\nstatistic',
        "20:1",
        "target[0].scpoe",
        'unknown key (did you mean "scope"?)',
    ),
    (
        "observed = { value = 0.2, sd = 0.02,",
        "observed = { value = 0.2, sd = -0.02,",
        "22:32",
        "target[0].observed.sd",
        "expected a number > 0, got -0.02",
    ),
    (
        "observed = { value = 0.2, sd = 0.02,",
        'observed = { value = "0.2", sd = 0.02,',
        "22:22",
        "target[0].observed.value",
        'expected a number, got a string ("0.2")',
    ),
    (
        "observed = { value = 0.2, sd = 0.02,",
        "observed = { value = 0.2, sd = 0.02, interval = [0.1, 0.3],",
        "22:1",
        "target[0].observed",
        "exactly one of sd",
    ),
    (
        "interval = [40.0, 70.0]",
        "interval = [60.0, 70.0]",
        "40:12",
        "target[1].observed.interval",
        "containing value = 52",
    ),
    (
        "interval = [40.0, 70.0]",
        "interval = [70.0, 40.0]",
        "40:12",
        "target[1].observed.interval",
        "LOW < HIGH",
    ),
    (
        'indicator = "share"',
        'indicator = "shares"',
        "21:27",
        "target[0].statistic.indicator",
        'not declared in [indicators] (did you mean "share"?)',
    ),
    (
        'scope = "qpv"\nstatistic',
        'scope = "zus"\nstatistic',
        "20:9",
        "target[0].scope",
        '"zus" is not declared in [scopes]',
    ),
    ("to = 2019-12-31", "to = 2019-01-31", "21:94", "target[0].statistic.window.to", "expected to >= from"),
    (
        "to = 2019-12-31",
        "to = 2019-12-31T10:00:00",
        "21:94",
        "target[0].statistic.window.to",
        "expected a date (YYYY-MM-DD)",
    ),
    (
        "window = { from = 0, to = 100 }",
        "window = { from = 0, to = 2020-01-01 }",
        "33:27",
        "target[1].statistic.window.to",
        "same kind as from",
    ),
    (
        'name = "second"',
        'name = "first"',
        "26:8",
        "target[1].name",
        'duplicate target name "first" (first used by target[0])',
    ),
    ('name = "second"', 'name = "sec ond"', "26:8", "target[1].name", 'letters, digits and "_" only'),
    (
        "time_threshold = 0.5\n",
        "",
        "31:1",
        "target[1].statistic",
        'time = "weeks_to_reach" needs time_threshold',
    ),
    (
        "site_threshold = 0.5\n",
        "",
        "31:1",
        "target[1].statistic",
        'sites = "share_below" needs site_threshold',
    ),
    ('why_held_out = "out of sample"\n', "", "25:1", "target[1]", "a validation target needs why_held_out"),
    (
        'status = "read, secondary"',
        'status = "read secondary"',
        "45:10",
        "target[1].source.status",
        'did you mean "read, secondary"',
    ),
    (
        'role = "calibration"',
        'role = "validation"\nwhy_held_out = "x"',
        "16:1",
        "target",
        'at least one target with role = "calibration"',
    ),
    (
        'model_variable = ""\n',
        'model_variable = ""\n[indicators.unused]\ndescription = "x"\nunit = "1"\n',
        "12:1",
        "indicators.unused",
        "used by no target",
    ),
    ('unit = "weeks"', "unit = 3", "10:8", "indicators.delay.unit", "expected a string, got a number (3)"),
    (
        'time = "weeks_to_reach"',
        'time = "average"',
        "34:8",
        "target[1].statistic.time",
        'expected one of "mean", "first", "last"',
    ),
    (
        "level = 0.9",
        "level = 1.5",
        "41:9",
        "target[1].observed.level",
        "expected a number > 0 and < 1, got 1.5",
    ),
]


@pytest.mark.parametrize("old,new,where,key,message", ERRORS, ids=[e[3] + ":" + e[4][:20] for e in ERRORS])
def test_errors_name_line_column_and_key(tmp_path, old, new, where, key, message):
    path = write(tmp_path, edit(old, new))
    with pytest.raises(ConfigFileError) as info:
        load_targets(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path}:{where}: {key}: "), text
    assert message in text, text


def test_invalid_toml_reports_tomllib_position(tmp_path):
    path = write(tmp_path, edit('unit = "1"', 'unit = "1'))
    with pytest.raises(ConfigFileError, match=re.escape(f"{path}:5:") + ".*invalid TOML"):
        load_targets(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        load_targets("/nonexistent/targets.toml")


def test_unmapped_indicator_points_at_model_variable(tmp_path):
    ts = load_targets(write(tmp_path, VALID))
    with pytest.raises(ConfigFileError) as info:
        ts.check_mapped()
    assert str(info.value).startswith(f"{ts.path}:11:1: indicators.delay.model_variable: ")
    with pytest.raises(
        ConfigFileError, match=r':6:18: indicators.share.model_variable: "participation_share" is not'
    ):
        ts.check_mapped(["participation", "delay_weeks"], what="the model")


def test_locator_positions():
    text = (
        '# comment with "quotes" and [brackets]\n'
        'a = "x # not a comment"  # comment\n'
        "'quoted.key' = 1\n"
        "[t.u]\n"
        "x.y = { p = [1, 2,\n"
        '  {z = """a\n'
        'b"""}], "s" = 3 }\n'
        "[[arr]]\n"
        "k = 1\n"
        "[[arr.sub]]\n"
        "m = [\n"
        "  # inside an array\n"
        "  1979-05-27,\n"
        "  2,\n"
        "]\n"
        "[[arr]]\n"
        "k = 2\n"
        "[[arr.sub]]\n"
        "m = 3\n"
    )
    doc = loads(text, "f.toml")
    assert doc.data["arr"][1]["sub"][0]["m"] == 3
    expect = {
        ("a",): (2, 1),
        ("quoted.key",): (3, 1),
        ("t", "u"): (4, 1),
        ("t", "u", "x", "y"): (5, 1),
        ("t", "u", "x", "y", "p", 1): (5, 17),
        ("t", "u", "x", "y", "p", 2, "z"): (6, 4),
        ("t", "u", "x", "y", "s"): (7, 9),
        ("arr", 0, "k"): (9, 1),
        ("arr", 0, "sub", 0, "m"): (11, 1),
        ("arr", 0, "sub", 0, "m", 0): (13, 3),
        ("arr", 0, "sub", 0, "m", 1): (14, 3),
        ("arr", 1): (16, 1),
        ("arr", 1, "k"): (17, 1),
        ("arr", 1, "sub", 0, "m"): (19, 1),
    }
    for path, pos in expect.items():
        assert doc.position(path) == pos, path
    assert doc.position(("t", "u", "x", "y", "p"), value=True) == (5, 13)
    # unknown paths fall back to their nearest located ancestor
    assert doc.position(("arr", 1, "missing")) == (16, 1)


# --------------------------------------------------------------- shipped files


def test_shipped_targets_file():
    ts = load_targets(TARGETS)
    assert len(ts.calibration) >= 3
    validation = ts.validation
    assert len(validation) >= 3
    assert all(t.why_held_out for t in validation)
    names = set(ts.names)
    for expected in (
        "body_residents_per_council",
        "body_startup_weeks",
        "volunteering_2022_vs_2019",
        "councils_inactive_2023",
        "volunteering_2023_vs_2019",
        "trust_in_associations_2021",
    ):
        assert expected in names
    assert ts["councils_inactive_2023"].role == "validation"
    for t in ts.targets:
        assert t.source.status in ("read", "read, secondary")
        assert t.observed.basis
        assert t.source.facts.startswith("docs/data/stylized_facts.md")
    # every indicator is mapped, and to a variable the territorial model declares
    binary = atcsim_binary()
    if binary is None:
        ts.check_mapped()
    else:
        out = subprocess.run(
            [str(binary), "describe", "territorial"], capture_output=True, text=True, check=True
        ).stdout
        declared = {line.split()[0] for line in out.split("indicators:", 1)[1].splitlines() if line.strip()}
        ts.check_mapped(declared, what="the territorial model")
    # inputs are not targets: membership_share is an input of the model
    assert "association_involvement" not in names
    for scope in ts.scopes.values():
        assert (TARGETS.parent / scope.experiment).is_file(), scope.experiment


@pytest.mark.parametrize("name", ["toy_targets.toml", "granovetter_targets.toml"])
def test_shipped_synthetic_targets_load(name):
    ts = load_targets(TARGETS.parent / name)
    assert ts.calibration and ts.validation
    ts.check_mapped()


def test_cli_exit_code_2_on_bad_targets(tmp_path):
    targets = write(tmp_path, edit('role = "calibration"', 'role = "fit"'))
    config = tmp_path / "cal.toml"
    config.write_text(
        '[calibration]\ntargets = "targets.toml"\noutput = "post.nc"\nmethod = "abc-smc"\n\n'
        '[simulator]\nkind = "toy"\n\n[parameters]\n"toy.propensity" = { min = 0.2, max = 1.0 }\n'
        '"toy.reach" = { min = 0.2, max = 1.0 }\n"toy.decay" = { min = 0.0, max = 1.0 }\n'
        '"toy.inert" = { min = 0.0, max = 1.0 }\n',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "atcsim", "calibrate", str(config)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line
    assert line.startswith(f"atcsim calibrate: error: {targets}:18:8: target[0].role: expected one of"), line
    assert not (tmp_path / "post.nc").exists()
