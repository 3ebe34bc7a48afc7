#pragma once
// The sections of one config table, validated into an ExperimentSpec:
// [experiment], [model], [[scenario]] (with their interventions), [[site]],
// [sites] and [output]. [sweep] is left to the caller (sweep_section.hpp).
#include <toml++/toml.h>

#include <string>

#include "sim/config/experiment.hpp"

namespace atc::sim {

// Validates one complete config table. The resolved config (every default
// written out) goes to `resolved`; spec.resolved_toml is left for the caller
// to render once.
ExperimentSpec load_table(const toml::table& root, const std::string& path, const ModelRegistry& registry,
                          const LoadOptions& options, toml::table& resolved);

}  // namespace atc::sim
