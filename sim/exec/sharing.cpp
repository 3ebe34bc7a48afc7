#include "sim/exec/sharing.hpp"

namespace atc::sim {

namespace {

// share_classes over the parameters `params_of(s)` of each scenario s.
template <typename ParamsOf>
std::vector<std::size_t> classes_of(const ExperimentSpec& spec, ParamsOf params_of) {
  const std::size_t count = spec.scenarios.size();
  std::vector<std::size_t> first(count);
  std::vector<bool> apart(count);  // built for itself alone
  for (std::size_t s = 0; s < count; ++s) {
    first[s] = s;
    apart[s] = spec.model->interventions.empty() || is_coupled(spec, params_of(s));
    if (apart[s]) continue;
    // Against the first of each class only: a class is built from its
    // first's parameters.
    for (std::size_t t = 0; t < s; ++t) {
      if (first[t] == t && !apart[t] && params_of(t).identical(params_of(s))) {
        first[s] = t;
        break;
      }
    }
  }
  return first;
}

}  // namespace

bool is_coupled(const ExperimentSpec& spec, const ParamSet& params) {
  return spec.model->couple && spec.sites.size() > 1 && (!spec.model->coupled || spec.model->coupled(params));
}

std::vector<std::size_t> share_classes(const ExperimentSpec& spec, std::size_t point, std::size_t replicate) {
  return classes_of(
      spec, [&](std::size_t s) -> const ParamSet& { return spec.scenario_for(point, s, replicate).params; });
}

std::vector<std::size_t> share_classes(const ExperimentSpec& spec, std::size_t point) {
  return classes_of(spec,
                    [&](std::size_t s) -> const ParamSet& { return spec.scenario_at(point, s).params; });
}

}  // namespace atc::sim
