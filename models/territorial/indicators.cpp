// Indicators of the territorial model, computed at the end of each week from
// the end-of-week state (block-ordered reductions: identical for any thread
// count), and written by observe(). Every ratio with a possibly empty
// denominator has an explicit value (see the indicator descriptions).
#include <algorithm>
#include <cmath>

#include "models/territorial/model.hpp"
#include "sim/graph/metrics.hpp"

namespace atc::models::territorial {

namespace {

std::uint32_t find_root(std::vector<std::uint32_t>& parent, std::uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];  // path halving
    x = parent[x];
  }
  return x;
}

enum Census : int {
  kN,
  kInformedCount,
  kParticipants,
  kActiveCount,
  kCoreCount,
  kEver,
  kYouthPop,
  kYouthPart,
  kLowPop,
  kLowPart,
  kTi,
  kTa,
  kEff,
  kTies,
  kBridging,
  kFormed,
  kPrio,  // kThemes entries
  kCensusSize = kPrio + kThemes
};

}  // namespace

void TerritorialModel::compute_indicators(sim::Parallel par) {
  const auto& r = res_;
  const auto c = par.reduce<Sums<kCensusSize>>(r.n, [&](std::size_t b, std::size_t e) {
    Sums<kCensusSize> s;
    for (std::size_t i = b; i < e; ++i) {
      const std::uint8_t level = r.level[i];
      const bool part = level >= kOccasional;
      s.v[kN] += 1;
      s.v[kInformedCount] += level >= kInformed ? 1 : 0;
      s.v[kParticipants] += part ? 1 : 0;
      s.v[kActiveCount] += level >= kActive ? 1 : 0;
      s.v[kCoreCount] += level == kCore ? 1 : 0;
      s.v[kEver] += r.ever[i];
      s.v[kYouthPop] += r.age[i] == 0 ? 1 : 0;
      s.v[kYouthPart] += part && r.age[i] == 0 ? 1 : 0;
      s.v[kLowPop] += r.low_income[i];
      s.v[kLowPart] += part && r.low_income[i] ? 1 : 0;
      s.v[kTi] += r.ti[i];
      s.v[kTa] += r.ta[i];
      s.v[kEff] += r.eff[i];
      const auto nb = ties_.neighbours_of(static_cast<sim::NodeId>(i));
      s.v[kTies] += static_cast<double>(nb.size());
      for (sim::NodeId t : nb) s.v[kBridging] += r.block[t] != r.block[i] ? 1 : 0;
      for (int k = 0; k < r.tie_count[i]; ++k)
        s.v[kFormed] += r.tie_kind[i * kTieSlots + k] == kFormedTie ? 1 : 0;
      if (part) {
        for (int k = 0; k < kThemes; ++k) s.v[kPrio + k] += r.p(i)[k];
      }
    }
    return s;
  });
  const double n = c.v[kN];
  const double parts = c.v[kParticipants];
  IndicatorValues& v = ind_;
  v.informed = c.v[kInformedCount] / n;
  v.participation = parts / n;
  v.active = c.v[kActiveCount] / n;
  v.core = c.v[kCoreCount] / n;
  v.ever = c.v[kEver] / n;
  // Representation ratios: share among participants / share among residents.
  auto ratio = [&](double in_part, double in_pop) {
    if (in_pop <= 0) return 1.0;  // nobody to represent
    if (parts <= 0) return 0.0;   // nobody participates
    return (in_part / parts) / (in_pop / n);
  };
  v.youth_ratio = ratio(c.v[kYouthPart], c.v[kYouthPop]);
  v.low_income_ratio = ratio(c.v[kLowPart], c.v[kLowPop]);
  v.ti = c.v[kTi] / n;
  v.ta = c.v[kTa] / n;
  v.eff = c.v[kEff] / n;
  v.ties = c.v[kTies] / n;
  v.formed_ties = c.v[kFormed] / n;
  v.bridging = c.v[kTies] > 0 ? c.v[kBridging] / c.v[kTies] : 0.0;
  // Dispersion of participants' priorities around their centroid.
  if (parts >= 2) {
    ThemeVector centroid{};
    for (int k = 0; k < kThemes; ++k) centroid[k] = c.v[kPrio + k] / parts;
    v.dispersion = par.reduce<double>(r.n, [&](std::size_t b, std::size_t e) {
      double s = 0;
      for (std::size_t i = b; i < e; ++i) {
        if (r.level[i] < kOccasional) continue;
        double d2 = 0;
        for (int k = 0; k < kThemes; ++k) d2 += (r.p(i)[k] - centroid[k]) * (r.p(i)[k] - centroid[k]);
        s += std::sqrt(d2);
      }
      return s;
    }) / parts;
  } else {
    v.dispersion = 0;
  }
  // Clustering on the fixed sample.
  double clustering = 0;
  for (std::uint32_t i : sample_) clustering += sim::local_clustering(ties_, i);
  v.clustering = sample_.empty() ? 0.0 : clustering / static_cast<double>(sample_.size());
  // Largest connected component of the participants' network (union-find, serial).
  if (parts > 0) {
    for (std::uint32_t i = 0; i < r.n; ++i) {
      uf_parent_[i] = i;
      uf_size_[i] = 0;
    }
    for (std::uint32_t i = 0; i < r.n; ++i) {
      if (!r.participating[i]) continue;
      for (sim::NodeId t : ties_.neighbours_of(i)) {
        if (t <= i || !r.participating[t]) continue;
        const std::uint32_t a = find_root(uf_parent_, i);
        const std::uint32_t b = find_root(uf_parent_, t);
        if (a != b) uf_parent_[std::max(a, b)] = std::min(a, b);
      }
    }
    std::uint32_t largest = 0;
    for (std::uint32_t i = 0; i < r.n; ++i) {
      if (!r.participating[i]) continue;
      largest = std::max(largest, ++uf_size_[find_root(uf_parent_, i)]);
    }
    double part_flags = 0;
    for (std::uint32_t i = 0; i < r.n; ++i) part_flags += r.participating[i];
    v.largest_component = part_flags > 0 ? largest / part_flags : 0.0;
  } else {
    v.largest_component = 0;
  }
  // Organisations.
  const int o = org_.size();
  double sum = 0, sum2 = 0, count = 0;
  for (int j = 0; j < o; ++j) {
    for (int l = 0; l < o; ++l) {
      if (j == l) continue;
      const double x = org_.trust(j, l);
      sum += x;
      sum2 += x * x;
      count += 1;
    }
  }
  v.org_trust_mean = count > 0 ? sum / count : 0.0;
  v.org_trust_sd =
      count > 1 ? std::sqrt(std::max(0.0, sum2 / count - v.org_trust_mean * v.org_trust_mean)) : 0.0;
  double posture = 0, legitimacy = 0;
  for (int j = 0; j < org_.n_assoc; ++j) legitimacy += org_.legitimacy[j];
  for (int j = org_.n_assoc; j < o; ++j) posture += org_.posture[j];
  v.posture = org_.n_inst > 0 ? posture / org_.n_inst : 0.0;
  v.legitimacy = org_.n_assoc > 0 ? legitimacy / org_.n_assoc : 0.0;
}

void TerritorialModel::observe(sim::Observation& out) const {
  const IndicatorValues& v = ind_;
  out.set("participation_share", v.participation);
  out.set("active_share", v.active);
  out.set("core_share", v.core);
  out.set("informed_share", v.informed);
  out.set("ever_participated_share", v.ever);
  out.set("youth_representation_ratio", v.youth_ratio);
  out.set("low_income_representation_ratio", v.low_income_ratio);
  out.set("trust_institutions", v.ti);
  out.set("trust_associations", v.ta);
  out.set("collective_efficacy", v.eff);
  out.set("org_trust_mean", v.org_trust_mean);
  out.set("org_trust_sd", v.org_trust_sd);
  out.set("network_clustering", v.clustering);
  out.set("bridging_tie_share", v.bridging);
  out.set("informal_ties", v.ties);
  out.set("formed_ties", v.formed_ties);
  out.set("largest_participant_component", v.largest_component);
  out.set("forums_held", forums_held_);
  out.set("forum_attendance", forum_attendees_);
  out.set("resident_voice_share", effective_voice_);
  out.set("projects_launched", projects_launched_);
  int active = 0;
  for (const auto& p : projects_) active += p.active ? 1 : 0;
  out.set("projects_active", active);
  out.set("projects_succeeded", projects_succeeded_);
  out.set("projects_failed", projects_failed_);
  out.set("projects_on_resident_priority_share",
          projects_launched_ > 0 ? projects_on_priority_ / projects_launched_ : 0.0);
  out.set("priority_dispersion", v.dispersion);
  out.set("conflict_productive", conflict_productive_);
  out.set("conflict_destructive", conflict_destructive_);
  out.set("diagnosis_quality", diagnosis_);
  out.set("institution_posture", v.posture);
  double expected = 0;
  for (int j = org_.n_assoc; j < org_.size(); ++j) {
    expected +=
        prm_.responsiveness_min + (prm_.responsiveness_max - prm_.responsiveness_min) * org_.posture[j];
  }
  expected /= std::max(1, org_.n_inst);
  out.set("responsiveness",
          responsiveness_den_ >= 1.0 ? responsiveness_num_ / responsiveness_den_ : expected);
  out.set("association_legitimacy", v.legitimacy);
  out.set("animator_present", week_.animator ? 1.0 : 0.0);
  out.set("facilitation_quality", week_.facilitation);
  out.set("outcome_index", std::span<const double>(outcome_.data(), outcome_.size()));
  out.set("avoided_costs_eur", avoided_costs_);
  out.set("intervention_cost_eur", intervention_cost_);
}

}  // namespace atc::models::territorial
