#!/usr/bin/python3
"""Write scenarios/sites/atc15.toml from scenarios/sites/atc15_sites.csv.

The CSV (copied from the project's shared data, with per-site sources in
docs/data/atc15_sites_sources.md) holds what public material gave for the 15
sites of the Animation Territoriale Citoyenne experiment. Every model field of
every site gets a value AND a provenance label:

- the CSV's confidence (``qpv-official`` or ``neighbourhood``) when the CSV has
  the figure;
- ``assumption`` when it does not: the value is then the national QPV figure
  (Insee Premiere 2008 and 1593, ONPV 2015; docs/data/README.md).

Each value also gets two labels ([site.perimeter] and [site.source_kind]):
what it describes (``qpv``: the official QPV perimeter; ``estate``: the
neighbourhood, not the QPV perimeter; ``national_default``: the national QPV
figure) and what gave it (``official``: an official statistic, Insee's, even
when read in a reproduction that names the table; ``secondary``: press, an
encyclopaedia, an association; ``assumption``: nothing, the national
default). Each site gets an ``identity``: ``confirmed``, ``unresolved`` (which
of several places) or ``unverified`` (probable, not checked).

Nothing is filled silently: the notes of each site keep the CSV's notes, the
sources and the open questions (which Saint-Denis, which Roubaix
neighbourhood). Run ``/usr/bin/python3 scripts/make_atc15_sites.py`` after
editing the CSV; a test checks the TOML is up to date.
"""
from __future__ import annotations

import csv
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CSV = ROOT / "scenarios" / "sites" / "atc15_sites.csv"
OUT = ROOT / "scenarios" / "sites" / "atc15.toml"

# National QPV figures used where a site's figure is missing (docs/data/README.md).
DEFAULTS = {
    "population": (3900.0, "national mean residents per QPV, 2024 geography (Insee Premiere 2008)"),
    "poverty_rate": (0.42, "poverty rate at 60 % in QPV (Insee Premiere 1593)"),
    "under25_share": (0.39, "share of QPV residents under 25, 2024 (Insee Premiere 2008)"),
    "unemployment_rate": (0.264, "unemployment rate in QPV, 2015 (ONPV)"),
    "foreign_share": (0.23, "share of foreign nationals in QPV, 2024 (Insee Premiere 2008)"),
}
# Model site fields the CSV has no column for: the model's national defaults
# (docs/ODD.md section 8.2, where each default's source is given) apply, and
# for a given site they are assumptions, so they are labelled as such.
ASSUMED_FIELDS = (
    "under15_share",
    "senior_share",
    "associations_per_1000",
    "mix_social_centre",
    "mix_regie_de_quartier",
    "mix_resident_group",
    "mix_sports_culture",
    "mix_parents",
    "mix_faith_community",
)
# Sites whose figures are official statistics (Insee), with where they were
# read (docs/data/atc15_sites_sources.md); the figures of every other site come
# from secondary sources (Marseille's 9,000 from Wikipedia, Tourcoing's from
# Tresor des regions, Avignon's and the estates' from the press or local sites).
OFFICIAL = {
    "saint_gilles_sabatot": "Insee/CGET QPV indicators (code_qp QP030009), read in a reproduction",
    "hombourg_haut_les_chenes": "RP 2020 and Filosofi 2021 as tabulated in the contrat de ville (ORIV)",
    "grenoble_villeneuve_vo": "Insee population 2018 as tabulated by ADES",
}
# Sites whose neighbourhood is not known for sure (docs/data/atc15_sites_sources.md).
IDENTITY = {
    "saint_denis_unresolved": "unresolved",  # Saint-Denis (93) or Saint-Denis (974)
    "roubaix_epeule_unverified": "unverified",  # probably l'Epeule
}
PERIMETER = {"qpv-official": "qpv", "neighbourhood": "estate"}
# CSV column for each field, and the factor to a fraction.
COLUMNS = {
    "population": ("population", 1.0),
    "poverty_rate": ("poverty_rate_pct", 0.01),
    "under25_share": ("under25_share_pct", 0.01),
    "unemployment_rate": ("unemployment_rate_pct", 0.01),
    "foreign_share": ("foreign_share_pct", 0.01),
}


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def site_block(row: dict[str, str]) -> str:
    confidence = row["confidence"].strip()
    label = confidence if confidence in ("qpv-official", "neighbourhood") else "assumption"
    lines = ["[[site]]", f"id = {toml_string(row['site_id'])}"]
    name = f"{row['commune']} - {row['neighbourhood']}"
    lines.append(f"name = {toml_string(name)}")
    lines.append(f"code = {toml_string(row['qpv_code'].strip())}")
    lines.append(f"network = {toml_string(row['network'].strip())}")
    lines.append(f"identity = {toml_string(IDENTITY.get(row['site_id'], 'confirmed'))}")
    notes = [row["notes"].strip()]
    if row["qpv_name"].strip():
        notes.insert(0, f"QPV name: {row['qpv_name'].strip()}.")
    if row["population_year"].strip():
        notes.append(f"Population year: {row['population_year'].strip()}.")
    notes.append(f"Sources: {row['sources'].strip()}")
    provenance = {}
    perimeter = {}
    source_kind = {}
    assumed = []
    for field, (column, factor) in COLUMNS.items():
        raw = row[column].strip()
        if raw:
            value = float(raw) * factor
            provenance[field] = label
            perimeter[field] = PERIMETER[label]
            source_kind[field] = "official" if row["site_id"] in OFFICIAL else "secondary"
        else:
            value, why = DEFAULTS[field]
            provenance[field] = "assumption"
            perimeter[field] = "national_default"
            source_kind[field] = "assumption"
            assumed.append(f"{field} = {value:g} ({why})")
        lines.append(f"{field} = {value!r}")
    if assumed:
        notes.append("Assumed (no sourced figure): " + "; ".join(assumed) + ".")
    lines.insert(6, f"notes = {toml_string(' '.join(n for n in notes if n))}")
    lines.append("[site.provenance]")
    for field, value in provenance.items():
        lines.append(f"{field} = {toml_string(value)}")
    for field in ASSUMED_FIELDS:
        lines.append(f'{field} = "assumption"')
    # Fields not listed take the model's labels for a default:
    # national_default, assumption.
    lines.append("[site.perimeter]")
    lines.extend(f"{field} = {toml_string(value)}" for field, value in perimeter.items())
    lines.append("[site.source_kind]")
    lines.extend(f"{field} = {toml_string(value)}" for field, value in source_kind.items())
    return "\n".join(lines)


def render() -> str:
    with CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = (
        "# The 15 sites of the Animation Territoriale Citoyenne experiment (2019-2021).\n"
        "# GENERATED by scripts/make_atc15_sites.py from scenarios/sites/atc15_sites.csv;\n"
        "# edit the CSV and re-run the script. Sources per site: docs/data/atc15_sites_sources.md.\n"
        "# provenance: qpv-official = figure for the official QPV perimeter; neighbourhood =\n"
        "# figure for the estate, not the QPV perimeter; assumption = national QPV default.\n"
        "# perimeter (qpv, estate, national_default) and source_kind (official, secondary,\n"
        "# assumption) say the same in two parts; identity: confirmed, unresolved, unverified.\n"
        "# Fields without a value here (age shares beyond under-25, associations)\n"
        "# take the model's national defaults (docs/ODD.md section 8.2), labelled assumption.\n"
        '# Official per-QPV statistics can override these: [sites] overrides = "file.csv".\n'
    )
    return header + "\n" + "\n\n".join(site_block(r) for r in rows) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run scripts/make_atc15_sites.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
