// Declarations of the territorial model: parameters, site fields,
// interventions, indicators. One declaration per parameter drives validation,
// `atcsim describe`, the HDF5 attributes and docs/ODD.md's tables.
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "models/territorial/model.hpp"
#include "models/territorial/territorial.hpp"
#include "sim/model/calibrated_defaults.hpp"

namespace atc::models::territorial {

void attach_envelope(std::vector<sim::IndicatorDecl>& indicators,
                     const std::vector<sim::DimensionDecl>& dims);

namespace {

// Peak memory per resident (of population x population_scale) and per site:
// measured peak resident set size above a 20 MB process, 144 MB for a
// population of 400,000 and 476-484 MB for 1,250,000 (4 December 2026: large
// arrays are rounded up to whole 2 MiB huge pages since 2 December; 131 MB at
// 400,000 before); the 1,362 sites of the national scenario in memory at
// once, 1.71 GB for 4.0 million residents, about 0.3 MB a site beyond its
// residents (docs/hardening.md). 380 bytes keeps the estimate above the
// largest of these by about 9 %.
constexpr double kMemoryPerResident = 380;
constexpr double kMemoryPerSite = 0.5e6;

std::vector<sim::InterventionDecl> interventions() {
  using sim::declarations;
  return {
      {"animator",
       "a locally recruited animator attached to a host association: outreach contacts, forum facilitation, "
       "ramp-up, turnover, salary; the site network's method sets the defaults (preset)",
       declarations<AnimatorParams>()},
      {"shared_governance",
       "a governance body where residents and organisations choose the themes together; the site network's "
       "method sets the defaults (preset)",
       declarations<GovernanceParams>()},
      {"shared_diagnosis",
       "a collective diagnosis (constats communs): frequent workshops whose deliberation improves the "
       "diagnosis and informs institutions",
       declarations<DiagnosisParams>()},
      {"institution_training",
       "training of institutional staff in cooperative practice: from start_week, for effect_weeks, "
       "institutions' "
       "posture gains from cooperation are multiplied by 1 + learning_boost",
       declarations<TrainingParams>()},
      {"funding", "extra funding of associations: capacity multiplied by 1 + capacity_increase while active",
       declarations<FundingParams>()},
      {"lockdown",
       "COVID-19 lockdown: no physical activity or forum; digital participation for residents without a "
       "barrier, at reduced effect",
       declarations<LockdownParams>()},
      {"funding_cut", "cut of association funding: capacity multiplied by 1 - capacity_cut while active",
       declarations<FundingCutParams>()},
      {"animator_departure",
       "the animator leaves at start_week; a successor arrives at end_week (if any) while an animator "
       "intervention is active",
       declarations<DepartureParams>()},
      {"urban_renewal",
       "urban renewal: residents relocated (block ties cut, new ones in the new block, memberships lost), "
       "spread over the active weeks (52 if no end_week)",
       declarations<RenewalParams>()},
  };
}

// Sites are priority neighbourhoods (QPV): how the output labels them and how
// official per-QPV statistics (Insee key figures) are matched to them.
sim::SiteSchema site_schema() {
  sim::SiteSchema s;
  s.code_long_name = "official QPV code";
  s.network_long_name = "national network";
  for (const char* n : network_names()) s.networks.emplace_back(n);
  s.population_field = "population";
  s.provenance_long_name =
      "source or confidence of each site value (qpv-official, neighbourhood, assumption, ...)";
  s.code_columns = {"qpv_code", "code_qpv", "code_qp", "code", "codgeo"};
  s.code_system = "QPV";
  s.override_provenance = "qpv-official";
  // What a value describes: the official QPV perimeter, the estate (a
  // neighbourhood figure, not the QPV perimeter) or a national QPV default;
  // what gave it: an official statistic (Insee, even when read in a
  // reproduction that names the table), a secondary source (press,
  // encyclopaedia, association) or nothing (an assumption). A site's identity
  // is unresolved (which of several places) or unverified (probable).
  s.perimeter_labels = {"qpv", "estate", "national_default"};
  s.source_kind_labels = {"official", "secondary", "assumption"};
  s.identity_labels = {"confirmed", "unresolved", "unverified"};
  s.default_perimeter = "national_default";
  s.default_source_kind = "assumption";
  s.default_identity = "confirmed";
  s.override_perimeter = "qpv";
  s.override_source_kind = "official";
  s.perimeter_long_name = "perimeter each site value describes (qpv, estate, national_default)";
  s.source_kind_long_name = "kind of source of each site value (official, secondary, assumption)";
  s.identity_long_name =
      "whether the neighbourhood the site stands for is known (confirmed, unresolved, unverified)";
  return s;
}

}  // namespace

extern const char* const kCalibratedToml;

sim::ModelDescription territorial() {
  sim::ModelDescription d;
  d.name = "territorial";
  d.summary =
      "Territorial cooperation in a priority neighbourhood (QPV): participation ladder, trust, deliberation, "
      "joint projects, interventions of the ATC experiment";
  d.citation =
      "atcsim territorial model (docs/ODD.md); mechanisms from Granovetter (1978), Watts (2002), Deffuant et "
      "al. (2000), Sampson et al. (1997), Slovic (1993), DeGroot (1974)";
  d.default_step_days = 7;
  d.default_steps = 156;
  d.params = sim::declarations<Params>();
  // A reviewed calibration's posterior medians, when one has been committed
  // (sim/model/calibrated_defaults.hpp, docs/calibration.md).
  sim::apply_calibrated_defaults(d.params, kCalibratedToml, "models/territorial/calibrated.toml");
  d.site_fields = sim::declarations<SiteFields>();
  d.interventions = interventions();
  d.indicators = TerritorialModel::indicator_decls();
  d.dimensions = {
      {"theme", {theme_labels().begin(), theme_labels().end()}, "theme of living conditions"},
      {"practice", {"structured_facilitation", "co_decision"}, "practice that can spread across sites"}};
  attach_envelope(d.indicators, d.dimensions);
  d.check = [](const sim::ParamSet& values) {
    const auto p = sim::bind<Params>(values);
    std::vector<sim::ParamProblem> problems;
    auto sum = [](const auto& list) {
      double total = 0;
      for (double x : list.get()) total += x;
      return total;
    };
    if (p.block_ties % 2 != 0) problems.push_back({"block_ties", "expected an even number (ring lattice)"});
    if (p.responsiveness_max < p.responsiveness_min) {
      problems.push_back({"responsiveness_max", "expected at least responsiveness_min"});
    }
    if (sum(p.initial_level_shares) > 1.0) {
      problems.push_back({"initial_level_shares", "expected shares summing to at most 1"});
    }
    if (sum(p.resident_priorities) <= 0) {
      problems.push_back({"resident_priorities", "expected at least one positive weight"});
    }
    if (sum(p.institution_priorities) <= 0) {
      problems.push_back({"institution_priorities", "expected at least one positive weight"});
    }
    return problems;
  };
  d.create = [](const sim::ModelInit& init) { return make_model(init); };
  // Memory grows with the residents simulated (population x population_scale;
  // the under-15s are left out of the model, so this is an upper bound): the
  // per-resident arrays of Residents (model.hpp: ~30 bytes of profile and
  // state, 92 of trust and priorities, 24 tie slots of 6 bytes) and the tie
  // snapshot (sim::SlotGraph: 24 slots of 4 bytes and a degree); and the
  // organisations' matrices, whose number follows the site's population
  // (associations_per_1000) whatever population_scale: n^2 entries.
  d.estimate_memory = [](const sim::ParamSet& values, const sim::SiteSpec& site) {
    const double population = site.number("population");
    const Params params = sim::bind<Params>(values);
    double resident_bytes = 0, organisation_bytes = 0;
    if (std::isfinite(population)) {
      resident_bytes = kMemoryPerResident * population * params.population_scale;
      // The organisations follow the site's population, whatever population_scale.
      const double organisations =
          association_count(SiteProfile::from(site), params.min_associations) + kInstTypes;
      organisation_bytes = kMemoryPerOrganisationPair * organisations * organisations;
    }
    // What to reduce: population_scale does not shrink the organisations.
    return sim::MemoryEstimate{
        kMemoryPerSite + resident_bytes + organisation_bytes,
        organisation_bytes > resident_bytes
            ? "the site's population or site.associations_per_1000 (the organisations' "
              "trust matrices, which model.population_scale does not shrink)"
            : "model.population_scale (or the site's population)"};
  };
  // Phase 9: the sites of a network meet and may adopt each other's
  // practices (off unless diffusion = true; then the engine runs a run's
  // sites in lockstep).
  d.coupled = [](const sim::ParamSet& values) { return sim::bind<Params>(values).diffusion.get(); };
  d.couple = [](std::int64_t step, std::span<sim::Model* const> sites, const sim::ParamSet& /*values*/) {
    std::vector<TerritorialModel*> models;
    models.reserve(sites.size());
    for (auto* m : sites) models.push_back(static_cast<TerritorialModel*>(m));
    const Params& p = models.front()->params();  // every site of a run has the scenario's parameters
    if ((step + 1) % p.diffusion_period_weeks != 0) return;
    network_meeting(models, step);
  };
  d.site_schema = site_schema();
  return d;
}

}  // namespace atc::models::territorial
