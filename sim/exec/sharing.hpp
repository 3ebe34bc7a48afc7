#pragma once
// Which runs share a built site. The runner (sim/exec/runner.cpp), the memory
// estimate (sim/exec/memory.cpp) and the national benchmark's run estimate
// must agree on it, so the rules live here once:
// - a coupled run is one task for all its sites and shares nothing;
// - the uncoupled scenarios of one (point, replicate) with identical
//   parameters differ only in their interventions, so they share one build
//   (and warm-up) per site, each run stepping a copy with its own
//   interventions (Model::with_interventions);
// - a model that declares no interventions has no scenarios that differ by
//   them alone: each of its runs is built on its own.
#include <cstddef>
#include <vector>

#include "sim/config/experiment.hpp"

namespace atc::sim {

// Whether a run with parameters `params` is coupled: its sites advance in
// lockstep as one task, exchanging at step boundaries. Only a model that
// couples (ModelDescription::couple, if `coupled` says yes for `params`) and
// only with more than one site: a single site has no one to exchange with.
[[nodiscard]] bool is_coupled(const ExperimentSpec& spec, const ParamSet& params);

// For each scenario of one (point, replicate), in scenario order, the scenario
// whose build it shares: the first scenario with identical parameters
// (ParamSet::identical), itself when it is the first, coupled, or the model
// declares no interventions. Runs use their replicate's parameters
// (ExperimentSpec::scenario_for: a posterior's draw).
[[nodiscard]] std::vector<std::size_t> share_classes(const ExperimentSpec& spec, std::size_t point,
                                                     std::size_t replicate);

// The same from the scenarios' values shared by every replicate of `point`
// (ExperimentSpec::scenario_at), for estimates made before any draw.
[[nodiscard]] std::vector<std::size_t> share_classes(const ExperimentSpec& spec, std::size_t point);

}  // namespace atc::sim
