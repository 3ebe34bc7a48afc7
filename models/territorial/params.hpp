#pragma once
// Typed copies of the territorial model's declared parameters, site fields and
// interventions, read once when a site is built (never in the step loop).
// The declarations themselves (defaults, ranges, units, sources) are in
// description.cpp: one declaration per parameter.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/mechanisms/public_goods.hpp"
#include "models/territorial/submodels.hpp"
#include "sim/model/model.hpp"

namespace atc::models::territorial {

inline constexpr int kAssocTypes = 6;
inline constexpr int kInstTypes = 7;
inline constexpr int kAgeGroups = 3;  // 15-24, 25-64, 65+

using ThemeVector = std::array<double, kThemes>;

// All values come from the declarations (description.cpp) through from().
struct Params {
  // population and structure
  double population_scale{};
  int burn_in_weeks{};
  double activity_rate{};
  int block_size{};
  int block_ties{};
  double block_rewiring{};
  double weak_ties{};
  double membership_share{};
  std::array<double, kAgeGroups> membership_age_weights{};
  std::array<double, 4> availability_mean{};  // youth, employed adult, non-employed adult, senior
  double availability_concentration{};
  double low_income_availability_shift{};
  double threshold_mean{};
  double threshold_concentration{};
  double youth_threshold_shift{};
  double low_income_threshold_shift{};
  double trust_institutions_initial{};
  double trust_associations_initial{};
  double efficacy_initial{};
  double trust_concentration{};
  ThemeVector resident_priorities{};
  double priority_concentration{};
  std::array<double, 4> initial_level_shares{};  // levels 1..4
  double residential_turnover{};                 // per year

  // organisations
  std::array<double, kAssocTypes> association_capacity{};
  std::array<double, kInstTypes> institution_capacity{};
  double contacts_per_fte{};
  double member_contact_weight{};
  double barrier_contact_penalty{};
  double legitimacy_initial{};
  double association_posture{};
  double posture_initial{};
  double responsiveness_min{};
  double responsiveness_max{};
  std::array<double, 4> org_trust_initial{};  // assoc->assoc, assoc->inst, inst->assoc, inst->inst
  double org_trust_concentration{};
  ThemeVector institution_priorities{};
  double partner_focus_min{};

  // participation
  UtilityWeights utility;
  LadderRates ladder;
  FatigueRates fatigue;

  // deliberation
  int forum_period_weeks{};
  std::array<double, 3> attendance{};  // levels 2, 3, 4
  double confidence_base{};
  double confidence_trust{};
  double confidence_facilitation{};
  double convergence_rate{};
  double priority_anchoring{};
  double facilitation_base{};
  double forum_trust_gain{};
  double conflict_dispersion_min{};
  double conflict_trust_min{};
  double conflict_efficacy_gain{};
  double conflict_efficacy_loss{};
  double conflict_dropout{};
  double tie_formation{};
  int formed_tie_weeks{};
  double diagnosis_initial{};
  double diagnosis_gain{};
  double diagnosis_conflict_bonus{};
  double diagnosis_without_process{};
  double diagnosis_decay{};
  double institution_learning{};

  // theme choice and projects
  int topdown_period_weeks{};
  double topdown_launch_probability{};
  bool governance_checks_progress{};
  int max_projects{};
  double project_effort{};
  double project_effort_cv{};
  double project_interest_min{};
  double ownership_effect{};
  int project_weeks{};
  double abandon_share{};
  int priority_top_n{};
  std::array<double, 3> resident_effort{};  // FTE per resident at levels 2, 3, 4
  mechanisms::ContributionWeights contribution;
  double free_rider_share{};
  double diagnosis_effect{};
  double facilitation_effect{};

  // trust and posture
  double org_trust_gain{};
  double org_trust_relaxation{};
  double negativity{};
  double resident_trust_gain{};
  double tie_spillover{};
  double proposal_rate{};
  double institution_trust_gain{};
  double degroot_weight{};
  double trust_relaxation{};
  double posture_gain{};
  double posture_loss{};
  double posture_relaxation{};
  double legitimacy_gain{};

  // outcomes and costs
  ThemeVector outcome_initial{};
  double outcome_gain{};
  double outcome_relaxation{};
  ThemeVector unit_cost_eur{};
  double integration_rate{};
  double triadic_closure{};
  int new_block_ties{};
  int clustering_sample{};

  // diffusion across sites of a network (phase 9)
  double diffusion_share{};
  int diffusion_period_weeks{};

  static Params from(const sim::ParamSet& p);
};

struct SiteProfile {
  double population = 3900;
  double poverty_rate = 0.42;
  double under25_share = 0.39;
  double under15_share = 0.24;
  double senior_share = 0.12;
  double unemployment_rate = 0.264;
  double foreign_share = 0.23;
  double barrier_share = 0.25;
  double associations_per_1000 = 1.5;
  std::array<double, kAssocTypes> association_mix{};
  std::array<double, kInstTypes> institutions{};
  std::string network;

  static SiteProfile from(const sim::SiteSpec& site);
};

// ---- interventions, as scheduled for one site -------------------------------

struct Window {
  std::int64_t start = 0;
  std::int64_t end = INT64_MAX;  // exclusive
  [[nodiscard]] bool active(std::int64_t step) const { return step >= start && step < end; }
};

struct AnimatorSpec {
  Window when;
  double contacts_per_week = 40;
  double facilitation = 0.6;
  int forum_period_weeks = 2;
  ThemeVector theme_emphasis{};
  int host_type = -1;  // association type, -1 = the network's lead type
  double turnover_per_year = 0.2;
  int vacancy_weeks = 12;
  int ramp_up_weeks = 26;
  double salary_cost_eur = 45000;
};

struct GovernanceSpec {
  Window when;
  int period_weeks = 4;
  double resident_voice = 0.5;
  int min_residents = 8;
  double cost_eur_per_year = 5000;
};

struct DiagnosisSpec {
  Window when;
  int period_weeks = 2;
  double cost_eur = 10000;
};

struct TrainingSpec {
  Window when;
  double posture_boost = 0.1;
  double cost_eur = 15000;
};

struct FundingSpec {
  Window when;
  double capacity_change = 0.3;  // +x for funding, -x for a cut
  double cost_eur_per_year = 0;
};

struct LockdownSpec {
  Window when;
  double activity = 0.35;
  double digital_effect = 0.3;
};

struct RenewalSpec {
  Window when;
  double relocated_share = 0.1;
  double membership_loss = 0.5;
  double housing_outcome_gain = 0.0;
};

struct Interventions {
  std::vector<AnimatorSpec> animators;
  std::vector<Window> departures;
  std::vector<GovernanceSpec> governance;
  std::vector<DiagnosisSpec> diagnosis;
  std::vector<TrainingSpec> training;
  std::vector<FundingSpec> funding;  // funding and funding_cut
  std::vector<LockdownSpec> lockdowns;
  std::vector<RenewalSpec> renewals;

  // `network` is the site's network: it selects the preset of interventions
  // whose `preset` is "network" (see apply_preset).
  static Interventions from(std::span<const sim::InterventionSpec> specs, const std::string& network);
};

// ---- the national networks' methods (docs/networks.md) ---------------------

// The networks of the experiment, each with a preset of intervention
// parameters: FCSF (social centres), CNLRQ (regies de quartier), BBZ (Bleu
// Blanc Zebre).
const std::array<const char*, 3>& network_names();
using PresetValues = std::vector<std::pair<std::string, sim::ParamValue>>;
// The values a network's preset gives to the parameters of one intervention
// kind (empty for an unknown network or a kind without a preset).
const PresetValues& preset_values(std::string_view network, std::string_view kind);
// The preset an intervention uses at a site: its `preset` parameter, where
// "network" means the site's network; "" when none applies ("none", or a site
// without a known network).
std::string preset_of(const sim::InterventionSpec& iv, const std::string& site_network);
// The intervention's parameters at a site: the preset's values replace the
// defaults of the parameters the scenario did not set explicitly.
sim::ParamSet apply_preset(const sim::InterventionSpec& iv, const std::string& site_network);

// Theme labels (the `theme` output dimension) and organisation type names.
const std::array<const char*, kThemes>& theme_labels();
const std::array<const char*, kAssocTypes>& association_type_names();
const std::array<const char*, kInstTypes>& institution_type_names();
// Theme focus of each organisation type, in [0, 1].
const std::array<ThemeVector, kAssocTypes>& association_focus();
const std::array<ThemeVector, kInstTypes>& institution_focus();
// Lead association type of a national network ("FCSF" -> social centre, ...).
int lead_association_type(const std::string& network);

}  // namespace atc::models::territorial
