// Typed reading of the declared parameters, site fields and interventions,
// and the fixed tables of the territorial model (themes, organisation types
// and their theme focus).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "models/territorial/params.hpp"

namespace atc::models::territorial {

const std::array<const char*, kThemes>& theme_labels() {
  static const std::array<const char*, kThemes> labels{
      "employment", "housing_living_environment", "youth_education",
      "safety",     "health_access_to_rights",    "social_ties_culture"};
  return labels;
}

const std::array<const char*, kAssocTypes>& association_type_names() {
  static const std::array<const char*, kAssocTypes> names{
      "social_centre", "regie_de_quartier", "resident_group", "sports_culture", "parents", "faith_community"};
  return names;
}

const std::array<const char*, kInstTypes>& institution_type_names() {
  static const std::array<const char*, kInstTypes> names{
      "municipality",       "prefect_delegate", "social_landlord",       "schools",
      "employment_service", "police",           "health_family_benefits"};
  return names;
}

// Theme focus, columns: employment, housing, youth, safety, health, social ties.
// An assumption read from each type's mission; partners of a project on theme k
// are the organisations with focus >= partner_focus_min on k.
const std::array<ThemeVector, kAssocTypes>& association_focus() {
  static const std::array<ThemeVector, kAssocTypes> f{{
      {0.5, 0.3, 0.8, 0.2, 0.6, 1.0},  // social centre: families, youth, access to rights, social ties
      {0.9, 1.0, 0.3, 0.4, 0.2, 0.5},  // regie de quartier: living environment, insertion jobs
      {0.2, 0.9, 0.3, 0.8, 0.2, 0.7},  // resident group: housing, tranquillity, neighbourly life
      {0.2, 0.1, 0.9, 0.2, 0.3, 0.8},  // sports / culture
      {0.1, 0.2, 1.0, 0.4, 0.2, 0.3},  // parents
      {0.2, 0.2, 0.4, 0.1, 0.6, 0.9},  // faith / community
  }};
  return f;
}

const std::array<ThemeVector, kInstTypes>& institution_focus() {
  static const std::array<ThemeVector, kInstTypes> f{{
      {0.5, 0.8, 0.6, 0.6, 0.4, 0.7},  // municipality
      {0.6, 0.5, 0.5, 0.6, 0.3, 0.3},  // prefect's delegate
      {0.1, 1.0, 0.1, 0.5, 0.1, 0.3},  // social landlord
      {0.2, 0.0, 1.0, 0.2, 0.2, 0.2},  // schools
      {1.0, 0.0, 0.4, 0.0, 0.2, 0.0},  // employment service
      {0.0, 0.2, 0.2, 1.0, 0.0, 0.1},  // police
      {0.2, 0.3, 0.3, 0.0, 1.0, 0.3},  // health / family benefits
  }};
  return f;
}

int lead_association_type(const std::string& network) {
  if (network == "CNLRQ") return 1;  // regie de quartier
  if (network == "BBZ") return 2;    // citizen initiatives: resident group
  return 0;                          // FCSF and unknown: social centre
}

namespace {

template <std::size_t N>
std::array<double, N> list(const sim::ParamSet& p, const char* name) {
  const auto& v = p.real_list(name);
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N && i < v.size(); ++i) out[i] = v[i];
  return out;
}

int as_int(std::int64_t v) {
  return static_cast<int>(v);
}

}  // namespace

Params Params::from(const sim::ParamSet& p) {
  Params r;
  r.population_scale = p.real("population_scale");
  r.burn_in_weeks = as_int(p.integer("burn_in_weeks"));
  r.activity_rate = p.real("activity_rate");
  r.block_size = as_int(p.integer("block_size"));
  r.block_ties = as_int(p.integer("block_ties"));
  r.block_rewiring = p.real("block_rewiring");
  r.weak_ties = p.real("weak_ties");
  r.membership_share = p.real("membership_share");
  r.membership_age_weights = list<kAgeGroups>(p, "membership_age_weights");
  r.availability_mean = list<4>(p, "availability_mean");
  r.availability_concentration = p.real("availability_concentration");
  r.low_income_availability_shift = p.real("low_income_availability_shift");
  r.threshold_mean = p.real("threshold_mean");
  r.threshold_concentration = p.real("threshold_concentration");
  r.youth_threshold_shift = p.real("youth_threshold_shift");
  r.low_income_threshold_shift = p.real("low_income_threshold_shift");
  r.trust_institutions_initial = p.real("trust_institutions_initial");
  r.trust_associations_initial = p.real("trust_associations_initial");
  r.efficacy_initial = p.real("efficacy_initial");
  r.trust_concentration = p.real("trust_concentration");
  r.resident_priorities = list<kThemes>(p, "resident_priorities");
  r.priority_concentration = p.real("priority_concentration");
  r.initial_level_shares = list<4>(p, "initial_level_shares");
  r.residential_turnover = p.real("residential_turnover");

  r.association_capacity = list<kAssocTypes>(p, "association_capacity");
  r.institution_capacity = list<kInstTypes>(p, "institution_capacity");
  r.contacts_per_fte = p.real("contacts_per_fte");
  r.member_contact_weight = p.real("member_contact_weight");
  r.barrier_contact_penalty = p.real("barrier_contact_penalty");
  r.legitimacy_initial = p.real("legitimacy_initial");
  r.association_posture = p.real("association_posture");
  r.posture_initial = p.real("posture_initial");
  r.responsiveness_min = p.real("responsiveness_min");
  r.responsiveness_max = p.real("responsiveness_max");
  r.org_trust_initial = list<4>(p, "org_trust_initial");
  r.org_trust_concentration = p.real("org_trust_concentration");
  r.institution_priorities = list<kThemes>(p, "institution_priorities");
  r.partner_focus_min = p.real("partner_focus_min");

  r.utility.social = p.real("utility_social");
  r.utility.efficacy = p.real("utility_efficacy");
  r.utility.trust = p.real("utility_trust");
  r.utility.invited = p.real("utility_invited");
  r.utility.habit = p.real("utility_habit");
  r.utility.cost = p.real("utility_cost");
  r.ladder.noise = p.real("decision_noise");
  r.ladder.up = list<4>(p, "ladder_up_rate");
  r.ladder.down = p.real("ladder_down_rate");
  r.ladder.margin = p.real("ladder_down_margin");
  r.ladder.core_weeks = as_int(p.integer("core_weeks"));
  r.fatigue.gain = p.real("fatigue_gain");
  r.fatigue.rest = p.real("fatigue_rest");
  r.fatigue.relief = p.real("fatigue_relief");

  r.forum_period_weeks = as_int(p.integer("forum_period_weeks"));
  r.attendance = list<3>(p, "attendance");
  r.confidence_base = p.real("confidence_base");
  r.confidence_trust = p.real("confidence_trust");
  r.confidence_facilitation = p.real("confidence_facilitation");
  r.convergence_rate = p.real("convergence_rate");
  r.priority_anchoring = p.real("priority_anchoring");
  r.facilitation_base = p.real("facilitation_base");
  r.forum_trust_gain = p.real("forum_trust_gain");
  r.conflict_dispersion_min = p.real("conflict_dispersion_min");
  r.conflict_trust_min = p.real("conflict_trust_min");
  r.conflict_efficacy_gain = p.real("conflict_efficacy_gain");
  r.conflict_efficacy_loss = p.real("conflict_efficacy_loss");
  r.conflict_dropout = p.real("conflict_dropout");
  r.tie_formation = p.real("tie_formation");
  r.formed_tie_weeks = as_int(p.integer("formed_tie_weeks"));
  r.diagnosis_initial = p.real("diagnosis_initial");
  r.diagnosis_gain = p.real("diagnosis_gain");
  r.diagnosis_conflict_bonus = p.real("diagnosis_conflict_bonus");
  r.diagnosis_without_process = p.real("diagnosis_without_process");
  r.diagnosis_decay = p.real("diagnosis_decay");
  r.institution_learning = p.real("institution_learning");

  r.topdown_period_weeks = as_int(p.integer("topdown_period_weeks"));
  r.topdown_launch_probability = p.real("topdown_launch_probability");
  r.governance_checks_progress = p.boolean("governance_checks_progress");
  r.max_projects = as_int(p.integer("max_projects"));
  r.project_effort = p.real("project_effort");
  r.project_effort_cv = p.real("project_effort_cv");
  r.project_interest_min = p.real("project_interest_min");
  r.ownership_effect = p.real("ownership_effect");
  r.project_weeks = as_int(p.integer("project_weeks"));
  r.abandon_share = p.real("abandon_share");
  r.priority_top_n = as_int(p.integer("priority_top_n"));
  r.resident_effort = list<3>(p, "resident_effort");
  r.contribution.trust = p.real("contribution_trust");
  r.contribution.trust_reference = p.real("contribution_trust_reference");
  r.contribution.posture = p.real("contribution_posture");
  r.contribution.mobilisation = p.real("contribution_mobilisation");
  r.contribution.intercept = p.real("contribution_intercept");
  r.free_rider_share = p.real("free_rider_share");
  r.diagnosis_effect = p.real("diagnosis_effect");
  r.facilitation_effect = p.real("facilitation_effect");

  r.org_trust_gain = p.real("org_trust_gain");
  r.org_trust_relaxation = p.real("org_trust_relaxation");
  r.negativity = p.real("negativity");
  r.resident_trust_gain = p.real("resident_trust_gain");
  r.tie_spillover = p.real("tie_spillover");
  r.proposal_rate = p.real("proposal_rate");
  r.institution_trust_gain = p.real("institution_trust_gain");
  r.degroot_weight = p.real("degroot_weight");
  r.trust_relaxation = p.real("trust_relaxation");
  r.posture_gain = p.real("posture_gain");
  r.posture_loss = p.real("posture_loss");
  r.posture_relaxation = p.real("posture_relaxation");
  r.legitimacy_gain = p.real("legitimacy_gain");

  r.outcome_initial = list<kThemes>(p, "outcome_initial");
  r.outcome_gain = p.real("outcome_gain");
  r.outcome_relaxation = p.real("outcome_relaxation");
  r.unit_cost_eur = list<kThemes>(p, "unit_cost_eur");
  r.integration_rate = p.real("integration_rate");
  r.triadic_closure = p.real("triadic_closure");
  r.new_block_ties = as_int(p.integer("new_block_ties"));
  r.clustering_sample = as_int(p.integer("clustering_sample"));
  r.diffusion_share = p.real("diffusion_share");
  r.diffusion_period_weeks = as_int(p.integer("diffusion_period_weeks"));
  return r;
}

SiteProfile SiteProfile::from(const sim::SiteSpec& site) {
  SiteProfile s;
  const auto& f = site.fields;
  s.population = f.real("population");
  s.poverty_rate = f.real("poverty_rate");
  s.under25_share = f.real("under25_share");
  s.under15_share = f.real("under15_share");
  s.senior_share = f.real("senior_share");
  s.unemployment_rate = f.real("unemployment_rate");
  s.foreign_share = f.real("foreign_share");
  s.barrier_share = f.real("barrier_share");
  s.associations_per_1000 = f.real("associations_per_1000");
  for (int t = 0; t < kAssocTypes; ++t) {
    s.association_mix[t] = f.real(fmt::format("mix_{}", association_type_names()[t]));
  }
  s.network = site.network;
  return s;
}

const std::array<const char*, 3>& network_names() {
  static const std::array<const char*, 3> names{"FCSF", "CNLRQ", "BBZ"};
  return names;
}

// The three networks' methods as parameter values. Every value is an
// assumption read from what each network does in practice; the reasoning and
// the published figures behind it are in docs/networks.md (keep both in step:
// a test checks that the document lists these values). Parameters a preset
// does not name keep their declared defaults.
const PresetValues& preset_values(std::string_view network, std::string_view kind) {
  using V = sim::ParamValue;
  static const PresetValues kNone;
  static const std::map<std::pair<std::string, std::string>, PresetValues> table{
      // FCSF, social centres: broad community animation through families and
      // social activities; the centre hosts the animator; tables de quartier
      // practice of resident-led meetings.
      {{"FCSF", "animator"},
       {{"host", V{std::string("social_centre")}},
        {"contacts_per_week", V{45.0}},
        {"facilitation_quality", V{0.7}},
        {"forum_period_weeks", V{std::int64_t{2}}},
        {"theme_emphasis", V{std::string("none")}},
        {"turnover_per_year", V{0.2}},
        {"vacancy_weeks", V{std::int64_t{8}}},
        {"ramp_up_weeks", V{std::int64_t{26}}}}},
      {{"FCSF", "shared_governance"},
       {{"period_weeks", V{std::int64_t{4}}},
        {"resident_voice", V{0.6}},
        {"min_residents", V{std::int64_t{12}}}}},
      // CNLRQ, regies de quartier: residents employed in neighbourhood upkeep,
      // daily presence in the public space, employment and living environment;
      // boards shared by residents, local authorities and social landlords.
      {{"CNLRQ", "animator"},
       {{"host", V{std::string("regie_de_quartier")}},
        {"contacts_per_week", V{50.0}},
        {"facilitation_quality", V{0.5}},
        {"forum_period_weeks", V{std::int64_t{4}}},
        {"theme_emphasis", V{std::string("housing_living_environment")}},
        {"emphasis_strength", V{1.0}},
        {"turnover_per_year", V{0.2}},
        {"vacancy_weeks", V{std::int64_t{12}}},
        {"ramp_up_weeks", V{std::int64_t{13}}}}},
      {{"CNLRQ", "shared_governance"},
       {{"period_weeks", V{std::int64_t{4}}},
        {"resident_voice", V{0.4}},
        {"min_residents", V{std::int64_t{8}}}}},
      // BBZ, Bleu Blanc Zebre: citizen initiatives carried by small resident
      // groups, co-constructed with the municipality.
      {{"BBZ", "animator"},
       {{"host", V{std::string("resident_group")}},
        {"contacts_per_week", V{30.0}},
        {"facilitation_quality", V{0.6}},
        {"forum_period_weeks", V{std::int64_t{2}}},
        {"theme_emphasis", V{std::string("none")}},
        {"turnover_per_year", V{0.3}},
        {"vacancy_weeks", V{std::int64_t{16}}},
        {"ramp_up_weeks", V{std::int64_t{39}}}}},
      {{"BBZ", "shared_governance"},
       {{"period_weeks", V{std::int64_t{3}}},
        {"resident_voice", V{0.5}},
        {"min_residents", V{std::int64_t{6}}}}},
  };
  const auto it = table.find({std::string(network), std::string(kind)});
  return it == table.end() ? kNone : it->second;
}

std::string preset_of(const sim::InterventionSpec& iv, const std::string& site_network) {
  const auto& decls = iv.params.decls();
  const bool has_preset =
      std::any_of(decls.begin(), decls.end(), [](const sim::ParamDecl& d) { return d.name == "preset"; });
  if (!has_preset) return "";
  const std::string& preset = iv.params.string("preset");
  const std::string& network = preset == "network" ? site_network : preset;
  for (const char* n : network_names()) {
    if (network == n) return network;
  }
  return "";
}

sim::ParamSet apply_preset(const sim::InterventionSpec& iv, const std::string& site_network) {
  sim::ParamSet p = iv.params;
  const std::string preset = preset_of(iv, site_network);
  if (preset.empty()) return p;
  for (const auto& [name, value] : preset_values(preset, iv.kind)) {
    if (!p.was_set(name)) p.set(p.index_of(name), value);
  }
  return p;
}

Interventions Interventions::from(std::span<const sim::InterventionSpec> specs, const std::string& network) {
  Interventions out;
  for (const auto& iv : specs) {
    const Window w{iv.start_step, iv.end_step};
    const sim::ParamSet p = apply_preset(iv, network);
    if (iv.kind == "animator") {
      AnimatorSpec a;
      a.when = w;
      a.contacts_per_week = p.real("contacts_per_week");
      a.facilitation = p.real("facilitation_quality");
      a.forum_period_weeks = as_int(p.integer("forum_period_weeks"));
      const auto& theme = p.string("theme_emphasis");
      for (int k = 0; k < kThemes; ++k) {
        if (theme == theme_labels()[k]) a.theme_emphasis[k] = p.real("emphasis_strength");
      }
      const auto& host = p.string("host");
      for (int t = 0; t < kAssocTypes; ++t) {
        if (host == association_type_names()[t]) a.host_type = t;
      }
      a.turnover_per_year = p.real("turnover_per_year");
      a.vacancy_weeks = as_int(p.integer("vacancy_weeks"));
      a.ramp_up_weeks = as_int(p.integer("ramp_up_weeks"));
      a.salary_cost_eur = p.real("salary_cost_eur");
      out.animators.push_back(a);
    } else if (iv.kind == "animator_departure") {
      out.departures.push_back(w);
    } else if (iv.kind == "shared_governance") {
      out.governance.push_back({w, as_int(p.integer("period_weeks")), p.real("resident_voice"),
                                as_int(p.integer("min_residents")), p.real("cost_eur_per_year")});
    } else if (iv.kind == "shared_diagnosis") {
      DiagnosisSpec d{w, as_int(p.integer("period_weeks")), p.real("cost_eur")};
      d.when.end = std::min(d.when.end, d.when.start + p.integer("duration_weeks"));
      out.diagnosis.push_back(d);
    } else if (iv.kind == "institution_training") {
      out.training.push_back({w, p.real("posture_boost"), p.real("cost_eur")});
    } else if (iv.kind == "funding") {
      out.funding.push_back({w, p.real("capacity_increase"), p.real("cost_eur_per_year")});
    } else if (iv.kind == "funding_cut") {
      out.funding.push_back({w, -p.real("capacity_cut"), 0.0});
    } else if (iv.kind == "lockdown") {
      out.lockdowns.push_back({w, p.real("activity"), p.real("digital_effect")});
    } else if (iv.kind == "urban_renewal") {
      RenewalSpec r{w, p.real("relocated_share"), p.real("membership_loss"), p.real("housing_outcome_gain")};
      if (r.when.end == INT64_MAX) r.when.end = r.when.start + 52;
      out.renewals.push_back(r);
    }
  }
  return out;
}

}  // namespace atc::models::territorial
