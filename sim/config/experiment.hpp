#pragma once
// The validated, immutable description of an experiment. Nothing is simulated
// until a whole ExperimentSpec has been built from the config without error.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/date.hpp"
#include "sim/model/model.hpp"
#include "sim/model/registry.hpp"

namespace atc::sim {

struct ScenarioSpec {
  std::string name;
  std::string description;
  ParamSet params;  // base parameters with this scenario's overrides applied
  std::vector<InterventionSpec> interventions;
};

struct OutputSpec {
  std::string path;
  std::vector<std::string> record;  // indicator names, in declaration order
  std::int64_t every = 1;           // record every N steps (plus step 0 and the last)
};

struct ExperimentSpec {
  std::string name;
  std::string config_path;
  std::int64_t steps = 0;
  std::int64_t replicates = 1;
  std::uint64_t seed = 1;
  Date start_date;
  int step_days = 1;
  const ModelDescription* model = nullptr;
  ParamSet params;  // base parameters
  std::vector<ScenarioSpec> scenarios;
  std::vector<SiteSpec> sites;
  OutputSpec output;
  std::string resolved_toml;  // the whole config with every default written out

  // Steps at which indicators are recorded: 0, every, 2*every, ..., and `steps`.
  [[nodiscard]] std::vector<std::int64_t> recorded_steps() const;
};

struct LoadOptions {
  std::vector<std::string> overrides;  // --set key.path=value, in order
  bool check_output_path = true;
};

// Parses, merges includes, applies overrides, validates. Throws ConfigError
// with file:line:col and key path on the first problem.
ExperimentSpec load_experiment(const std::string& path, const ModelRegistry& registry,
                               const LoadOptions& options = {});

}  // namespace atc::sim
