// Phase 9: practices spread across the sites of a national network. A
// practice (structured facilitation, co-decision governance) is site state:
// each site starts with or without it. Every diffusion_period_weeks the sites
// of a network meet (a site attends when its animator is in post); each
// attending site compares, for each practice, the success of the peers that
// use it with that of the peers that do not (people in a better state per
// 1,000 residents, similarity-weighted), and adopts or drops the practice
// when the difference clears a threshold, paying a cost, after a lag. State
// is never copied from one site to another, and an advantage within the
// threshold never moves a site, so a useless practice does not spread. The
// engine calls network_meeting() after a week when the scenario couples its
// sites (diffusion = true); every site has then finished the same week.
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "models/territorial/model.hpp"

namespace atc::models::territorial {

double TerritorialModel::better_off_per_1000() const {
  double total = 0;
  for (double x : people_better_) total += x;
  return site_.population > 0 ? 1000.0 * total / site_.population : 0.0;
}

SiteRecord TerritorialModel::record() const {
  SiteRecord r;
  const auto& names = network_names();
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (site_.network == names[k]) r.network = static_cast<int>(k);
  }
  r.attends = r.network >= 0 && animator_present_;
  // Similarity coordinates: size on a log scale, and the profile relative to
  // the national QPV references.
  r.profile = {std::log(std::max(1.0, *site_.population)) / std::log(10.0),
               site_.poverty_rate / prm_.national_poverty_rate - 1.0,
               site_.unemployment_rate / prm_.national_unemployment_rate - 1.0,
               site_.under25_share / prm_.national_under25_share - 1.0};
  r.success = better_off_per_1000();
  for (std::size_t k = 0; k < practice_.size(); ++k) r.in_use[k] = practice_[k];
  return r;
}

void TerritorialModel::decide_practices(std::span<const SiteRecord> sites, std::int64_t step,
                                        std::size_t self) {
  if (!sites[self].attends) return;
  sim::RandomStream rng(key_, static_cast<std::uint64_t>(step), 0, sim::Purpose("territorial/adoption"));
  const auto min_peers = static_cast<std::size_t>(*prm_.adoption_min_peers);
  for (int k = 0; k < kPractices; ++k) {
    const auto kk = static_cast<std::size_t>(k);
    const double u = rng.uniform();                      // drawn for every practice (common random numbers)
    if (practice_change_at_[kk] != INT64_MAX) continue;  // a change is already under way
    const double evidence = practice_evidence(sites, self, k, prm_.similarity_bandwidth, min_peers);
    if (u >= switch_probability(evidence, practice_[kk], prm_.adoption_threshold, prm_.adoption_scale))
      continue;
    practice_next_[kk] = !practice_[kk];
    practice_change_at_[kk] = step + 1 + prm_.adoption_lag_weeks;
    if (practice_next_[kk]) intervention_cost_ += prm_.adoption_cost_eur;
  }
}

void network_meeting(std::span<TerritorialModel* const> sites, std::int64_t step) {
  std::vector<SiteRecord> records;
  records.reserve(sites.size());
  for (const auto* s : sites) records.push_back(s->record());
  // Every site decides from the same snapshot: the result does not depend on
  // the order of the sites.
  for (std::size_t k = 0; k < sites.size(); ++k) sites[k]->decide_practices(records, step, k);
}

}  // namespace atc::models::territorial
