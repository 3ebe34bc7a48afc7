// Phase 9: diffusion of what worked across the sites of a national network.
// The engine calls diffuse() after a week when the scenario couples its sites
// (diffusion_share > 0); every site has then finished the same week.
#include <algorithm>
#include <span>
#include <vector>

#include "models/territorial/model.hpp"

namespace atc::models::territorial {

Practice TerritorialModel::practice() const {
  Practice p;
  const auto& names = network_names();
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (site_.network == names[k]) p.network = static_cast<int>(k);
  }
  p.success = (projects_succeeded_ + 1.0) / (projects_succeeded_ + projects_failed_ + 2.0);
  p.facilitation = week_.practice;
  double gain = 0;
  for (int j = org_.n_assoc; j < org_.size(); ++j) gain += org_.posture[j] - org_.posture0[j];
  p.posture_gain = org_.n_inst > 0 ? gain / org_.n_inst : 0.0;
  return p;
}

// The facilitation practice is a lasting gain of the site's organisations
// (added to whichever facilitation quality its forums have); the posture
// shift moves every institution alike and relaxes like any posture change.
void TerritorialModel::adopt(const PracticeShift& shift) {
  facilitation_gain_ += shift.facilitation;
  if (shift.posture == 0.0) return;
  for (int j = org_.n_assoc; j < org_.size(); ++j) {
    org_.posture[j] = std::clamp(org_.posture[j] + shift.posture, 0.0, 1.0);
  }
}

void diffuse(std::span<TerritorialModel* const> sites, double chi) {
  std::vector<Practice> practices;
  practices.reserve(sites.size());
  for (const auto* s : sites) practices.push_back(s->practice());
  const auto shifts = diffusion_shifts(practices, chi);
  for (std::size_t k = 0; k < sites.size(); ++k) sites[k]->adopt(shifts[k]);
}

}  // namespace atc::models::territorial
