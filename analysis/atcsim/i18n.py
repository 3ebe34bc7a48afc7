"""Words and numbers of the report in French and English.

The summary and the evaluator's sections of the report are written in either
language (``--lang fr|en``); numbers follow the language's conventions (French:
narrow no-break space between thousands, decimal comma, ``[a ; b]`` intervals).
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

__all__ = ["LANGUAGES", "Words", "words"]

LANGUAGES = ("fr", "en")

_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "summary": "Summary",
        "summary_of": "Summary for the steering committee",
        "measured_end": "Measured on {date} ({step}), at the end of the experiment: the package's last "
        "intervention ended on {end}.",
        "measured_run_end": "Measured on {date} ({step}), at the end of the run (the package has no end "
        "date).",
        "measured_at": "Measured on {date} ({step}), the date chosen with --at{end_note}.",
        "measured_contrast": "Measured on {date} ({step}), the date this question is asked at (its "
        "scenarios differ only late){end_note}; another date: --at.",
        "measured_on": "measured on {date}",
        "measured_run_end_early": "Measured on {date} ({step}), at the end of the run, which stops before "
        "the date this question is asked at.",
        "forest_xlabel": "mean paired difference (treatment minus baseline) and {ci} CI",
        "trajectory_title": "{name}{unit}: median over replicates, 50 % and 90 % bands",
        "measured_window": "Averaged {label}, the window chosen with --window{end_note}; costs and yearly "
        "rates "
        "at its end.",
        "end_note": " (the experiment ended on {end})",
        "pooling_population": "Sites pooled with population weights ({n} sites, {pop} residents); "
        "unweighted: <code>--pooling unweighted</code>.",
        "pooling_unweighted": "Sites pooled without weights (each of the {n} sites counts the same).",
        "replicates": "{n} paired replicates; {ci} intervals in brackets.",
        "contrast_default": "The file names no contrast: each scenario is compared with {baseline}.",
        "contrast_adhoc": "Contrast chosen on the command line.",
        "vs": "{treatment} vs {baseline}",
        "question": "Question",
        "what_changed": "What each contrast changed",
        "for_whom": "For whom ({contrast})",
        "for_whom_note": "Networks differ in method as the model's presets assume it (assumptions, "
        "docs/networks.md) and in their sites: one animator per site is a smaller dose per resident where "
        "sites are larger, and per-1,000 figures carry that. These rows do not rank the networks' methods.",
        "by_theme": "By theme ({contrast})",
        "how_sure": "How sure are we",
        "caveats_up_front": "Caveats and site data quality",
        "group": "Sites",
        "population": "Residents",
        "all_sites": "all sites",
        "network": "network {name}",
        "theme": "Theme",
        "extra_cost": "Extra cost",
        "cost_per_moved": "Cost per person moved",
        "cost_per_reached": "Cost per person reached",
        "bcr": "Benefit-cost ratio",
        "per_1000": "per 1,000 residents",
        "per_1000_short": "per 1,000",
        "pp": "pct. points",
        "people": "people",
        "deterministic": "deterministic given the assumptions",
        "no_difference": "no difference in any replicate",
        "na": "n/a",
        "ci_sim": "Intervals reflect simulation noise only, at assumed parameter values: {n} replicates "
        "share "
        "their random numbers across scenarios (paired), and the bootstrap spreads their differences.",
        "param_uncertainty": "Parameter uncertainty: {text}.",
        "robust_sweep": 'Robustness: see the <a href="#sensitivity">sensitivity analysis</a> of this sweep.',
        "robust_none": "Robustness: this file holds no parameter sweep; run one (<code>[sweep]</code>, "
        "docs/sensitivity.md) to see how the effects depend on the assumed parameters, "
        '{n_assumed} of which are assumptions (<a href="#caveats">list</a>).',
        "plausibility_flags": "Plausibility: {n} of {total} checks outside the published envelope "
        '(<a href="#plausibility">details</a>): {examples}.',
        "plausibility_ok": "Plausibility: all {total} checks within the published envelope "
        '(<a href="#plausibility">details</a>).',
        "plausibility_none": "Plausibility: no check could be made (no recorded range and no envelope).",
        "deterministic_note": "{n} effect(s) have no spread across replicates: deterministic given the "
        "assumptions, "
        "not certain (no confidence interval, no effect size).",
        "inputs_note": "Inputs set by the scenarios are never shown as effects: {names}.",
        "site_flags": "Sites whose identity or population is not from an official statistic: {sites}.",
        "site_flags_none": "Every site's identity is resolved and its population is an official statistic.",
        "site_flags_unknown": "The file does not record the source kind of site data (engine before issue "
        "14): "
        "{sites}.",
        "no_summary_sweep": "This file holds a parameter sweep: the summary needs one parameter point "
        "(<code>ds.isel(point=i)</code>); per-point effects follow.",
        "no_summary_single": "This file holds a single scenario: there is no contrast to summarise.",
        "read_with_care": "Read with care",
        "few_replicates": "only {n} replicate(s): confidence intervals are unreliable",
        "note_no_population": "sites have no usable population: pooled over sites without weights",
        "note_no_envelope": "the plausibility envelope (docs/data/envelope.toml) was not found, so effects "
        "were not checked against its contrast bounds (searched: {paths}; set ATCSIM_ENVELOPE)",
        "note_inputs_dropped": "inputs are not effects and were left out: {names}",
        "note_contrast_after_run": "{name} is to be measured on {at}, after the run ends ({end}): "
        "measured at the end of the run",
        "double_count": "People reached, moved or better off are summed over themes: a person counted in two "
        "themes counts twice.",
        "cost_na_same": "same cost",
        "no_gain": "no gain",
        "effects_in_people": "Effects in people",
        "other_outcomes": "Other outcomes",
        "process_measures": "Process measures (implementation, not outcomes)",
        "process_note": "These follow the intervention's schedule by construction: the shared diagnosis's "
        "quality gains diagnosis_gain per forum during a shared diagnosis and a fraction of that otherwise "
        "(diagnosis_without_process). They show that the package was delivered, not what it achieved.",
        "indicator": "Indicator",
        "baseline_mean": "Baseline",
        "treatment_mean": "Treatment",
        "difference": "Difference",
        "dz": "d_z (signal/noise)",
        "per_site": "Per site",
        "costs": "Costs",
        "scenario_desc": "Scenarios",
        "effects_note": "Paired differences (treatment minus baseline, same replicate) {when}; {ci} "
        "percentile "
        "bootstrap intervals over replicates ({n_boot} resamples, seed {seed}). Head counts are totals over "
        "the sites' full population; per 1,000 residents pooled as total over total population. d_z (mean "
        "difference / sd of differences) measures signal against simulation noise, not the size of an effect "
        "in a real population; it is left out when the differences have no spread.",
        "contrast": "Contrast",
        "trajectories": "Trajectories by site",
        "trajectories_note": "Median over replicates with central 50 % and 90 % bands. Shaded: {events}; "
        "dashed: {lines}.",
        "plausibility": "Plausibility checks",
        "plausibility_note": "Levels: each scenario's replicate mean against the ranges the file records "
        "(atcsim_plausible, as <code>atcsim run</code> checks them). Effects of the package (contrasts whose "
        "baseline delivers none of it) against the contrast bounds of {envelope}. A check fails when the "
        "value, or its whole confidence interval, is outside the range; with many checks, about 1 interval "
        "in "
        "20 misses by chance.",
        "plausibility_all_ok": "All {n} checks passed.",
        "envelope_missing": "The envelope file was not found (searched {paths}): effects were not checked "
        "against "
        "its bounds. Set ATCSIM_ENVELOPE to docs/data/envelope.toml.",
        "sites": "Site data quality",
        "sites_note": "Identity, and perimeter and source kind of the population (official statistic, "
        "secondary source, assumption), as the file records them.",
        "identity": "Identity",
        "source_kind": "Population source",
        "perimeter": "Perimeter",
        "assumed": "Fields assumed",
        "flags": "Flags",
        "inputs": "Inputs (set by the scenarios, not effects)",
        "inputs_section_note": "These indicators are set by the scenario or its schedule (atcsim_role = "
        "input): "
        "their levels are shown {when}, pooled over sites; they are never effects.",
        "check": "Check",
        "subject": "Scenario or contrast",
        "value": "Value",
        "range": "Plausible range",
        "site": "Site",
        "table": "Envelope table",
        "time_step": "week {step}",
        "time_step_other": "step {step}",
        "lockdowns": "lockdowns",
        "animator_leaves": "animator leaves",
        "package_ends": "end of {kind}",
        "events_none": "none",
        "scenario_descriptions_missing": "(no description in the file)",
        "cost_table_note": "Cumulative to {date}; pooled = sum over sites. Extra cost and avoided costs are "
        "paired differences; benefit-cost ratio = mean avoided costs / mean extra cost; cost per person = "
        "mean extra cost / mean gain (n/a when there is no gain or no extra cost; not estimable, with no "
        "figure, when the gain or the extra cost is 0 or less in some bootstrap resamples).",
        "not_estimable": "not estimable",
        "not_estimable_cost_per_person_moved": "gain in people moved not clearly above 0, so no interval",
        "not_estimable_cost_per_person_reached": "gain in people reached not clearly above 0, so no "
        "interval",
        "not_estimable_benefit_cost_ratio": "extra cost not clearly above 0, so no interval",
        "no_spread": "same in every replicate",
        "assumed_outcomes": "People moved and better off, avoided costs, the benefit-cost ratio and the "
        "cost per person moved rest on assumed parameters, not measured ones: a successful project reaches a "
        "share of a theme's target group (<code>reach_share</code> = {reach}) and a share of those reached "
        "move (<code>transition_share</code> = {transition}){recorded}.",
        "assumed_recorded": " (base values stored in this file{source})",
        "assumed_source": ", source “{source}”",
        "assumed_unknown": "People moved and better off, avoided costs, the benefit-cost ratio and the "
        "cost per person moved rest on assumed parameters, not measured ones: the share of a theme's target "
        "group a successful project reaches (<code>reach_share</code>) and the share of those reached who "
        "move (<code>transition_share</code>; docs/ODD.md 7.9), whose values this file does not record.",
        "assumed_proportional": "People moved and avoided costs grow roughly in proportion to reach_share × "
        "transition_share (a little less, as those moved fill the target group), the benefit-cost ratio with "
        "them and the cost per person moved inversely; avoided costs also fall as the assumed "
        "<code>return_rate</code>{ret} rises. Their intervals cover simulation noise only, not these "
        "assumptions.",
        "assumed_diffusion": "With diffusion across sites on, people better off also decide which practices "
        "sites take up: these figures depend on reach_share, transition_share and <code>return_rate</code>"
        "{ret}, not in proportion. Their intervals cover simulation noise only, not these assumptions.",
        "assumed_return": " ({values}, per year)",
        "assumed_override": "Scenario(s) {names} set their own values of these parameters.",
        "assumed_varied": "They vary within this file ({names}): the values above are the base ones.",
        "by_theme_range": "{lo} to {hi} by theme",
        "headline_assumed": "People moved, avoided costs and the ratios built on them depend on assumed "
        "parameters (note below the table); their intervals cover simulation noise only.",
        "no_interval": "no interval (fewer than 2 replicates)",
        "avoided": "Avoided costs",
        "net": "Net benefit",
        "cost_per_site_year": "Extra cost per site-year",
        # parameter and simulation uncertainty of a posterior run (posterior_effects.py)
        "posterior_title": "Parameter and simulation uncertainty",
        "posterior_intro": "Each replicate draws one parameter set from the posterior <code>{path}</code> "
        "({draws} draws × {k} replicates, the same in every scenario). An effect's variance splits into "
        "parameter uncertainty (variance of the draw means, less their noise) and simulation noise "
        "(variance between replicates of one draw); the mean effect's interval counts both.",
        "posterior_one_per_draw": "One replicate per draw: the two parts cannot be separated "
        "(set [posterior] draws below replicates).",
        "posterior_contrast": "contrast",
        "posterior_indicator": "indicator",
        "posterior_mean": "mean effect",
        "posterior_ci": "CI",
        "posterior_sd_parameter": "parameter sd",
        "posterior_sd_stochastic": "stochastic sd",
        "posterior_share": "parameter share",
        "pp_short": "pp",
        # what the calibration posterior says (calibration_summary)
        "calibration_title": "The calibration: what the targets say about the parameters",
        "calibration_intro": "Posterior of the calibration ({method}, targets <code>{targets}</code>): "
        "median and 90 % credible interval of each calibrated parameter; shrinkage = 1 - interval width / "
        "prior width (near 0: the targets do not inform the parameter).",
        "calibration_missing": "The posterior file is not at the path recorded in the run: its plots are "
        "not shown.",
        "calibration_changed": "The posterior file has changed since the run (checksum): its plots are not "
        "shown.",
        "calibration_parameter": "parameter",
        "calibration_median": "median",
        "calibration_interval": "90 % interval",
        "calibration_prior": "prior",
        "calibration_shrinkage": "shrinkage",
        "calibration_target": "target",
        "calibration_role": "role",
        "calibration_observed": "observed",
        "calibration_observed_interval": "observed interval",
        "calibration_predicted_median": "predicted (median)",
        "calibration_predicted_interval": "predicted (90 %)",
        "calibration_inside": "share inside",
    },
    "fr": {
        "summary": "Synthèse",
        "summary_of": "Synthèse pour le comité de pilotage",
        "measured_end": "Mesuré au {date} ({step}), à la fin de l'expérimentation : la dernière intervention "
        "du programme a pris fin le {end}.",
        "measured_run_end": "Mesuré au {date} ({step}), à la fin de la simulation (le programme n'a pas de "
        "date "
        "de fin).",
        "measured_at": "Mesuré au {date} ({step}), date choisie avec --at{end_note}.",
        "measured_contrast": "Mesuré au {date} ({step}), date à laquelle cette question se pose (ses "
        "scénarios ne diffèrent que tard){end_note} ; une autre date : --at.",
        "measured_on": "mesuré au {date}",
        "measured_run_end_early": "Mesuré au {date} ({step}), à la fin de la simulation, qui s'arrête avant "
        "la date à laquelle cette question se pose.",
        "forest_xlabel": "différence appariée moyenne (traitement moins référence) et IC à {ci}",
        "trajectory_title": "{name}{unit} : médiane des réplications, bandes à 50 % et 90 %",
        "measured_window": "Moyenne {label}, fenêtre choisie avec --window{end_note} ; coûts et taux annuels "
        "à sa fin.",
        "end_note": " (l'expérimentation a pris fin le {end})",
        "pooling_population": "Sites regroupés avec pondération par la population ({n} sites, {pop} "
        "habitants) ; "
        "sans pondération : <code>--pooling unweighted</code>.",
        "pooling_unweighted": "Sites regroupés sans pondération (chacun des {n} sites compte autant).",
        "replicates": "{n} réplications appariées ; intervalles de confiance à {ci} entre crochets.",
        "contrast_default": "Le fichier ne nomme aucun contraste : chaque scénario est comparé à {baseline}.",
        "contrast_adhoc": "Contraste choisi en ligne de commande.",
        "vs": "{treatment} comparé à {baseline}",
        "question": "Question",
        "what_changed": "Ce qu'a changé chaque contraste",
        "for_whom": "Pour qui ({contrast})",
        "for_whom_note": "Les réseaux diffèrent par leur méthode telle que les préréglages du modèle la "
        "supposent (hypothèses, docs/networks.md) et par leurs sites : un animateur par site est une dose "
        "par habitant plus faible dans les grands sites, ce que portent les chiffres pour 1 000 habitants. "
        "Ces lignes ne classent pas les méthodes des réseaux.",
        "by_theme": "Par thème ({contrast})",
        "how_sure": "Quelle certitude",
        "caveats_up_front": "Réserves et qualité des données des sites",
        "group": "Sites",
        "population": "Habitants",
        "all_sites": "tous les sites",
        "network": "réseau {name}",
        "theme": "Thème",
        "extra_cost": "Coût supplémentaire",
        "cost_per_moved": "Coût par personne ayant changé de situation",
        "cost_per_reached": "Coût par personne touchée",
        "bcr": "Ratio bénéfice-coût",
        "per_1000": "pour 1 000 habitants",
        "per_1000_short": "pour 1 000",
        "pp": "points de %",
        "people": "personnes",
        "deterministic": "déterministe sous ces hypothèses",
        "no_difference": "aucune différence dans aucune réplication",
        "na": "n.d.",
        "ci_sim": "Les intervalles ne reflètent que le bruit de simulation, aux valeurs supposées des "
        "paramètres : les {n} réplications partagent leurs nombres aléatoires entre scénarios (appariement) "
        "et le bootstrap rééchantillonne leurs différences.",
        "param_uncertainty": "Incertitude des paramètres : {text}.",
        "robust_sweep": 'Robustesse : voir l\'<a href="#sensitivity">analyse de sensibilité</a> de ce '
        "balayage.",
        "robust_none": "Robustesse : ce fichier ne contient pas de balayage de paramètres ; en lancer un "
        "(<code>[sweep]</code>, docs/sensitivity.md) montre comment les effets dépendent des paramètres "
        'supposés, dont {n_assumed} sont des hypothèses (<a href="#caveats">liste</a>).',
        "plausibility_flags": "Plausibilité : {n} contrôle(s) sur {total} hors de l'enveloppe publiée "
        '(<a href="#plausibility">détail</a>) : {examples}.',
        "plausibility_ok": "Plausibilité : les {total} contrôles sont dans l'enveloppe publiée "
        '(<a href="#plausibility">détail</a>).',
        "plausibility_none": "Plausibilité : aucun contrôle possible (ni plage enregistrée, ni enveloppe).",
        "deterministic_note": "{n} effet(s) sans dispersion entre réplications : déterministe sous ces "
        "hypothèses, "
        "pas certain (ni intervalle, ni taille d'effet).",
        "inputs_note": "Les entrées fixées par les scénarios ne sont jamais présentées comme des effets : "
        "{names}.",
        "site_flags": "Sites dont l'identité ou la population ne vient pas d'une statistique officielle : "
        "{sites}.",
        "site_flags_none": "L'identité de chaque site est établie et sa population est une statistique "
        "officielle.",
        "site_flags_unknown": "Le fichier n'indique pas le type de source des données des sites (moteur "
        "antérieur à l'issue 14) : {sites}.",
        "no_summary_sweep": "Ce fichier contient un balayage de paramètres : la synthèse porte sur un seul "
        "point (<code>ds.isel(point=i)</code>) ; les effets par point suivent.",
        "no_summary_single": "Ce fichier ne contient qu'un scénario : il n'y a pas de contraste à "
        "synthétiser.",
        "read_with_care": "À lire avec précaution",
        "few_replicates": "seulement {n} réplication(s) : les intervalles de confiance ne sont pas fiables",
        "note_no_population": "les sites n'ont pas de population utilisable : regroupés sans pondération",
        "note_no_envelope": "l'enveloppe de plausibilité (docs/data/envelope.toml) est introuvable : les "
        "effets n'ont pas été confrontés à ses bornes (cherchée dans : {paths} ; voir ATCSIM_ENVELOPE)",
        "note_inputs_dropped": "les entrées ne sont pas des effets et ont été écartées : {names}",
        "note_contrast_after_run": "{name} devait être mesuré au {at}, après la fin de la simulation "
        "({end}) : mesuré à la fin de la simulation",
        "double_count": "Les personnes touchées, ayant changé de situation ou en meilleure situation sont "
        "additionnées sur les thèmes : une personne comptée dans deux thèmes compte deux fois.",
        "cost_na_same": "même coût",
        "no_gain": "aucun gain",
        "effects_in_people": "Effets en nombre de personnes",
        "other_outcomes": "Autres résultats",
        "process_measures": "Mesures de processus (mise en œuvre, pas des résultats)",
        "process_note": "Elles suivent par construction le calendrier de l'intervention : la qualité du "
        "diagnostic partagé gagne diagnosis_gain par forum pendant un diagnostic partagé et une fraction de "
        "ce gain sinon (diagnosis_without_process). Elles montrent que le programme a été mis en œuvre, pas "
        "ce qu'il a produit.",
        "indicator": "Indicateur",
        "baseline_mean": "Référence",
        "treatment_mean": "Traitement",
        "difference": "Différence",
        "dz": "d_z (signal/bruit)",
        "per_site": "Par site",
        "costs": "Coûts",
        "scenario_desc": "Scénarios",
        "effects_note": "Différences appariées (traitement moins référence, même réplication) {when} ; "
        "intervalles bootstrap percentiles à {ci} sur les réplications ({n_boot} tirages, graine {seed}). "
        "Les "
        "effectifs sont des totaux sur la population entière des sites ; les taux pour 1 000 habitants "
        "regroupés comme total sur population totale. d_z (différence moyenne / écart-type des différences) "
        "mesure le signal face au bruit de simulation, pas la taille d'un effet dans une population réelle ; "
        "il est omis quand les différences n'ont aucune dispersion.",
        "contrast": "Contraste",
        "trajectories": "Trajectoires par site",
        "trajectories_note": "Médiane des réplications, bandes centrales à 50 % et 90 %. En grisé : {events} "
        "; "
        "en tirets : {lines}.",
        "plausibility": "Contrôles de plausibilité",
        "plausibility_note": "Niveaux : moyenne des réplications de chaque scénario comparée aux plages "
        "enregistrées dans le fichier (atcsim_plausible, comme les contrôle <code>atcsim run</code>). Effets "
        "du programme (contrastes dont la référence n'en livre aucune partie) comparés aux bornes de "
        "{envelope}. Un contrôle échoue quand la valeur, ou tout son intervalle de confiance, sort de la "
        "plage ; avec de nombreux contrôles, environ 1 intervalle sur 20 la manque par hasard.",
        "plausibility_all_ok": "Les {n} contrôles sont passés.",
        "envelope_missing": "Le fichier d'enveloppe est introuvable (cherché : {paths}) : les effets n'ont "
        "pas "
        "été comparés à ses bornes. Définir ATCSIM_ENVELOPE sur docs/data/envelope.toml.",
        "sites": "Qualité des données des sites",
        "sites_note": "Identité, périmètre et type de source de la population (statistique officielle, "
        "source "
        "secondaire, hypothèse), tels qu'enregistrés dans le fichier.",
        "identity": "Identité",
        "source_kind": "Source de la population",
        "perimeter": "Périmètre",
        "assumed": "Champs supposés",
        "flags": "Signalements",
        "inputs": "Entrées (fixées par les scénarios, pas des effets)",
        "inputs_section_note": "Ces indicateurs sont fixés par le scénario ou son calendrier (atcsim_role = "
        "input) : leurs niveaux sont donnés {when}, regroupés sur les sites ; ce ne sont jamais des effets.",
        "check": "Contrôle",
        "subject": "Scénario ou contraste",
        "value": "Valeur",
        "range": "Plage plausible",
        "site": "Site",
        "table": "Table de l'enveloppe",
        "time_step": "semaine {step}",
        "time_step_other": "pas {step}",
        "lockdowns": "confinements",
        "animator_leaves": "départ de l'animateur",
        "package_ends": "fin de {kind}",
        "events_none": "aucun",
        "scenario_descriptions_missing": "(pas de description dans le fichier)",
        "cost_table_note": "Cumulé jusqu'au {date} ; regroupé = somme sur les sites. Coût supplémentaire et "
        "coûts évités sont des différences appariées ; ratio bénéfice-coût = coûts évités moyens / coût "
        "supplémentaire moyen ; coût par personne = coût supplémentaire moyen / gain moyen (n.d. sans gain "
        "ou "
        "sans coût supplémentaire ; non estimable, sans chiffre, quand le gain ou le coût supplémentaire est "
        "nul ou négatif dans certains rééchantillonnages bootstrap).",
        "not_estimable": "non estimable",
        "not_estimable_cost_per_person_moved": "gain en personnes ayant changé de situation pas nettement "
        "supérieur à 0, donc pas d'intervalle",
        "not_estimable_cost_per_person_reached": "gain en personnes touchées pas nettement supérieur à 0, "
        "donc pas d'intervalle",
        "not_estimable_benefit_cost_ratio": "coût supplémentaire pas nettement supérieur à 0, donc pas "
        "d'intervalle",
        "no_spread": "identique dans toutes les réplications",
        "assumed_outcomes": "Les personnes ayant changé de situation ou en meilleure situation, les coûts "
        "évités, le ratio bénéfice-coût et le coût par personne ayant changé de situation reposent sur des "
        "paramètres supposés, non mesurés : un projet réussi touche une part du public cible d'un thème "
        "(<code>reach_share</code> = {reach}) et une part des personnes touchées change de situation "
        "(<code>transition_share</code> = {transition}){recorded}.",
        "assumed_recorded": " (valeurs de base enregistrées dans ce fichier{source})",
        "assumed_source": ", source « {source} »",
        "assumed_unknown": "Les personnes ayant changé de situation ou en meilleure situation, les coûts "
        "évités, le ratio bénéfice-coût et le coût par personne ayant changé de situation reposent sur des "
        "paramètres supposés, non mesurés : la part du public cible d'un thème qu'un projet réussi touche "
        "(<code>reach_share</code>) et la part des personnes touchées qui change de situation "
        "(<code>transition_share</code> ; docs/ODD.md 7.9), dont ce fichier n'enregistre pas les valeurs.",
        "assumed_proportional": "Les personnes ayant changé de situation et les coûts évités croissent à peu "
        "près en proportion de reach_share × transition_share (un peu moins, à mesure que le public cible se "
        "vide), le ratio bénéfice-coût avec eux et le coût par personne ayant changé de situation en sens "
        "inverse ; les coûts évités baissent aussi quand le taux de retour supposé <code>return_rate</code>"
        "{ret} augmente. Leurs intervalles ne couvrent que le bruit de simulation, pas ces hypothèses.",
        "assumed_diffusion": "Avec la diffusion entre sites, les personnes en meilleure situation décident "
        "aussi des pratiques que les sites adoptent : ces chiffres dépendent de reach_share, "
        "transition_share et <code>return_rate</code>{ret}, pas en proportion. Leurs intervalles ne "
        "couvrent que le bruit de simulation, pas ces hypothèses.",
        "assumed_return": " ({values}, par an)",
        "assumed_override": "Le ou les scénarios {names} fixent leurs propres valeurs de ces paramètres.",
        "assumed_varied": "Ils varient dans ce fichier ({names}) : les valeurs ci-dessus sont celles "
        "de base.",
        "by_theme_range": "{lo} à {hi} selon le thème",
        "headline_assumed": "Les personnes ayant changé de situation, les coûts évités et les ratios qui en "
        "découlent dépendent de paramètres supposés (note sous le tableau) ; leurs intervalles ne couvrent "
        "que le bruit de simulation.",
        "no_interval": "pas d'intervalle (moins de 2 réplications)",
        "avoided": "Coûts évités",
        "net": "Bénéfice net",
        "cost_per_site_year": "Coût supplémentaire par site et par an",
        # parameter and simulation uncertainty of a posterior run (posterior_effects.py)
        "posterior_title": "Incertitude des paramètres et bruit de simulation",
        "posterior_intro": "Chaque réplique tire un jeu de paramètres dans la loi a posteriori "
        "<code>{path}</code> ({draws} tirages × {k} répliques, les mêmes dans chaque scénario). La variance "
        "d'un effet se partage entre les paramètres (variance des moyennes par tirage, corrigée du bruit) et "
        "le hasard de la simulation (variance entre répliques d'un même tirage) ; l'intervalle de l'effet "
        "moyen tient compte des deux.",
        "posterior_one_per_draw": "Une seule réplique par tirage : la part des paramètres n'est pas "
        "séparable ([posterior] draws).",
        "posterior_contrast": "contraste",
        "posterior_indicator": "indicateur",
        "posterior_mean": "effet moyen",
        "posterior_ci": "IC",
        "posterior_sd_parameter": "é.-t. paramètres",
        "posterior_sd_stochastic": "é.-t. stochastique",
        "posterior_share": "part des paramètres",
        "pp_short": "points de %",
        # what the calibration posterior says (calibration_summary)
        "calibration_title": "La calibration : ce que les cibles disent des paramètres",
        "calibration_intro": "Loi a posteriori de la calibration ({method}, cibles <code>{targets}</code>) : "
        "médiane et intervalle crédible à 90 % de chaque paramètre calibré ; « resserrement » = 1 − largeur "
        "de l'intervalle / largeur de l'a priori (proche de 0 : les cibles ne renseignent pas ce "
        "paramètre).",
        "calibration_missing": "Le fichier de la loi a posteriori n'est plus au chemin enregistré : ses "
        "graphiques ne sont pas montrés.",
        "calibration_changed": "Le fichier de la loi a posteriori a changé depuis la simulation : ses "
        "graphiques ne sont pas montrés.",
        "calibration_parameter": "paramètre",
        "calibration_median": "médiane",
        "calibration_interval": "intervalle à 90 %",
        "calibration_prior": "a priori",
        "calibration_shrinkage": "resserrement",
        "calibration_target": "cible",
        "calibration_role": "rôle",
        "calibration_observed": "observé",
        "calibration_observed_interval": "intervalle observé",
        "calibration_predicted_median": "prédit (médiane)",
        "calibration_predicted_interval": "prédit (90 %)",
        "calibration_inside": "part dans l'intervalle",
    },
}

#: Display names of indicators (fall back on the file's long_name).
_VARIABLES: dict[str, dict[str, str]] = {
    "en": {
        "participants": "Participants",
        "core_members": "Core members",
        "people_reached": "People reached",
        "people_moved": "People moved (work, training, school…)",
        "people_better_off": "People better off",
        "participation_share": "Participation",
        "active_share": "Active residents",
        "youth_representation_ratio": "Youth representation (15-24)",
        "low_income_representation_ratio": "Low-income representation",
        "forum_attendance": "Forum attendance",
        "forum_sessions": "Sessions per forum",
        "forum_session_attendance": "Attendance per forum session",
        "trust_institutions": "Trust in institutions",
        "trust_associations": "Trust in associations",
        "collective_efficacy": "Collective efficacy",
        "institution_posture": "Institutional posture",
        "org_trust_mean": "Trust between organisations",
        "projects_succeeded": "Projects succeeded",
        "conflict_productive": "Productive conflict per forum",
        "conflict_destructive": "Destructive conflict per forum",
        "avoided_costs_eur": "Avoided public costs (EUR)",
        "diagnosis_quality": "Quality of the shared diagnosis",
        "intervention_cost_eur": "Intervention cost (EUR)",
        "resident_voice_share": "Residents' voice in decisions",
        "facilitation_quality": "Facilitation quality of this week's forum",
    },
    "fr": {
        "participants": "Participants",
        "core_members": "Membres du noyau",
        "people_reached": "Personnes touchées",
        "people_moved": "Personnes ayant changé de situation (emploi, formation, école…)",
        "people_better_off": "Personnes en meilleure situation",
        "participation_share": "Participation",
        "active_share": "Habitants actifs",
        "youth_representation_ratio": "Représentation des jeunes (15-24 ans)",
        "low_income_representation_ratio": "Représentation des ménages modestes",
        "forum_attendance": "Présence aux forums",
        "forum_sessions": "Séances par forum",
        "forum_session_attendance": "Présence par séance de forum",
        "trust_institutions": "Confiance dans les institutions",
        "trust_associations": "Confiance dans les associations",
        "collective_efficacy": "Efficacité collective",
        "institution_posture": "Posture des institutions",
        "org_trust_mean": "Confiance entre organisations",
        "projects_succeeded": "Projets réussis",
        "conflict_productive": "Conflit productif par forum",
        "conflict_destructive": "Conflit destructeur par forum",
        "avoided_costs_eur": "Coûts publics évités (EUR)",
        "diagnosis_quality": "Qualité du diagnostic partagé",
        "intervention_cost_eur": "Coût de l'intervention (EUR)",
        "resident_voice_share": "Voix des habitants dans les décisions",
        "facilitation_quality": "Qualité d'animation du forum de la semaine",
    },
}

#: Short names for table headers.
_SHORT: dict[str, dict[str, str]] = {
    "en": {
        "people_moved": "People moved",
        "youth_representation_ratio": "Youth representation",
        "low_income_representation_ratio": "Low-income representation",
    },
    "fr": {
        "people_moved": "Changé de situation",
        "people_better_off": "En meilleure situation",
        "youth_representation_ratio": "Représentation des jeunes",
        "low_income_representation_ratio": "Représentation des modestes",
    },
}

_THEMES: dict[str, dict[str, str]] = {
    "en": {
        "all": "all themes",
        "employment": "employment",
        "housing_living_environment": "housing and living environment",
        "youth_education": "youth and education",
        "safety": "safety",
        "health_access_to_rights": "health and access to rights",
        "social_ties_culture": "social ties and culture",
    },
    "fr": {
        "all": "tous thèmes",
        "employment": "emploi",
        "housing_living_environment": "logement et cadre de vie",
        "youth_education": "jeunesse et éducation",
        "safety": "tranquillité publique",
        "health_access_to_rights": "santé et accès aux droits",
        "social_ties_culture": "lien social et culture",
    },
}

_WORDS_FR = {
    "identity": {"resolved": "établie", "unresolved": "non résolue", "unverified": "non vérifiée"},
    "kind": {
        "official": "statistique officielle",
        "secondary": "source secondaire",
        "assumption": "hypothèse",
    },
    "perimeter": {
        "qpv": "QPV",
        "estate": "quartier (hors périmètre QPV)",
        "national_default": "défaut national",
    },
    "check": {
        "level": "niveau",
        "effect": "effet",
        "benefit-cost ratio": "ratio bénéfice-coût",
        "cost per site-year": "coût par site et par an",
    },
    "flag": {
        "identity unresolved": "identité non résolue",
        "identity unverified": "identité non vérifiée",
        "population assumed (national default)": "population supposée (défaut national)",
        "population assumed": "population supposée",
        "population from a secondary source": "population de source secondaire",
        "population for the estate, not the QPV perimeter": "population du quartier, pas du périmètre QPV",
        "no population": "pas de population",
    },
    "role": {"validation": "validation (réservée)"},
    "unit": {
        "per 1,000 residents per year": "pour 1 000 habitants par an",
        "per 1,000 residents": "pour 1 000 habitants",
        "per forum": "par forum",
        "EUR per site-year": "EUR par site et par an",
    },
}
_WORDS_EN = {
    "identity": {"resolved": "resolved", "unresolved": "unresolved", "unverified": "unverified"},
    "kind": {"official": "official statistic", "secondary": "secondary source", "assumption": "assumption"},
    "perimeter": {
        "qpv": "QPV",
        "estate": "estate (not the QPV perimeter)",
        "national_default": "national default",
    },
    "role": {"validation": "validation (held out)"},
}


class Note(str):
    """A note in English (it is a ``str``) that knows its sentence key, so a report can say it in French."""

    def __new__(cls, key: str, **values: Any) -> "Note":
        note = super().__new__(cls, _TEXT["en"][key].format(**values))
        note.key, note.values = key, values
        return note

    def said(self, w: "Words") -> str:
        return w(self.key, **self.values)


class Words:
    """Text and number formatting in one language."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        self.lang = lang
        self.fr = lang == "fr"

    # -------------------------------------------------------------- text

    def __call__(self, key: str, **values: Any) -> str:
        """The sentence ``key``; ``values`` are inserted as given (escape them first when needed)."""
        text = _TEXT[self.lang][key]
        return text.format(**values) if values else text

    def variable(self, name: str, long_name: str = "") -> str:
        return _VARIABLES[self.lang].get(name) or long_name or name

    def short(self, name: str, long_name: str = "") -> str:
        """A short name for table headers."""
        return _SHORT[self.lang].get(name) or self.variable(name, long_name)

    def theme(self, label: str) -> str:
        return _THEMES[self.lang].get(label, label.replace("_", " "))

    def term(self, family: str, value: str) -> str:
        table = (_WORDS_FR if self.fr else _WORDS_EN).get(family, {})
        return table.get(value, value)

    def flag(self, text: str) -> str:
        if not self.fr:
            return text
        return _WORDS_FR["flag"].get(text, text)

    # ----------------------------------------------------------- numbers

    def number(self, x: Any, *, signed: bool = False, digits: int | None = None) -> str:
        """A number for a table: about 3 significant digits, thousands grouped, no scientific notation."""
        x, special = self._finite(x)
        if special is not None:
            return special
        ax = abs(x)
        if digits is None:
            if ax >= 100:
                digits = 0
            elif ax >= 10:
                digits = 1
            elif ax >= 1:
                digits = 2
            elif ax > 0:
                digits = min(1 - math.floor(math.log10(ax)), 8)  # 2 significant digits
            else:
                digits = 0
        text = self._separators(f"{ax:,.{digits}f}")
        zero = not any(c in "123456789" for c in text)
        if zero:
            return text
        if x < 0:
            return "−" + text
        return "+" + text if signed else text

    def signed(self, x: Any, **kw: Any) -> str:
        return self.number(x, signed=True, **kw)

    def compact(self, x: Any) -> str:
        """A number as the report's own tables write it (report._fmt, the one definition):
        units grouped from 1,000, two decimals from 1, three significant digits below."""
        x, special = self._finite(x)
        if special is not None:
            return special
        ax = abs(x)
        if ax >= 1000:
            text = f"{x:,.0f}"
        elif ax >= 1:
            text = f"{x:.2f}"
        elif ax == 0:
            text = "0"
        else:
            text = f"{x:.3g}"
        return self._separators(text)

    def interval(self, lo: Any, hi: Any, *, compact: bool = False, **kw: Any) -> str:
        """``[lo, hi]``, its bounds as :meth:`compact` writes them when ``compact``, else as
        :meth:`number` does (with ``kw``)."""
        try:
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            return self("na")
        if math.isnan(lo) or math.isnan(hi):
            return self("na")
        sep = " ; " if self.fr else ", "
        bound = self.compact if compact else lambda x: self.number(x, **kw)
        return f"[{bound(lo)}{sep}{bound(hi)}]"

    def share(self, x: Any) -> str:
        """A fraction as a whole percentage in a table cell: 74% in English, 74 % in French."""
        x = float(x)
        if math.isnan(x):
            return self("na")
        return f"{x * 100:.0f}\u00a0%" if self.fr else f"{x:.0%}"

    def _finite(self, x: Any) -> tuple[float, str | None]:
        """``x`` as a float, and the text to show instead when it is not a finite number
        (not a number at all: itself, escaped; NaN: the language's "not available"; infinities: ∞)."""
        try:
            x = float(x)
        except (TypeError, ValueError):
            return math.nan, html.escape(str(x))
        if math.isnan(x):
            return x, self("na")
        if math.isinf(x):
            return x, "∞" if x > 0 else "−∞"
        return x, None

    def _separators(self, text: str) -> str:
        """An English-formatted number (1,234.5) with the language's separators (French: 1 234,5)."""
        return text.replace(",", "\u202f").replace(".", ",") if self.fr else text

    def euros(self, x: Any) -> str:
        try:
            x = float(x)
        except (TypeError, ValueError):
            return self("na")
        if math.isnan(x):
            return self("na")
        text = self.number(x, digits=0)
        return f"{text}\u00a0€" if self.fr else f"€{text}" if not text.startswith("−") else f"−€{text[1:]}"

    def percent(self, ci: float) -> str:
        text = f"{ci * 100:.0f}"
        return f"{text}\u00a0%" if self.fr else f"{text} %"

    def date(self, value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self("na")
        ts = pd.Timestamp(value)
        if ts is pd.NaT:
            return self("na")
        month = _MONTHS[self.lang][ts.month - 1]
        return f"{ts.day} {month} {ts.year}" if self.fr else f"{ts.day} {month} {ts.year}"


def words(lang: str) -> Words:
    """A :class:`Words` for ``lang`` ("fr" or "en")."""
    return Words(lang)
