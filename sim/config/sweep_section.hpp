#pragma once
// The [sweep] section: which numeric keys vary, over which values or ranges,
// by which design (grid, lhs, sobol, morris, points). Designs are built in sweep.cpp.
#include <toml++/toml.h>

#include <string>
#include <vector>

#include "sim/config/experiment.hpp"
#include "sim/config/sweep.hpp"

namespace atc::sim {

// Validates [sweep] against the base experiment's model and builds its design.
// Throws ConfigError with file:line:col and key on the first problem.
SweepSpec parse_sweep(const toml::table& table, const ExperimentSpec& base, const std::string& file);

// The --set assignments that turn the base config into design point `point`.
std::vector<std::string> point_assignments(const SweepSpec& sweep, std::size_t point);

// [sweep] as the resolved config writes it (every default spelt out).
toml::table resolved_sweep(const SweepSpec& sweep);

// The declaration a sweepable dotted key addresses (model.X,
// scenario.NAME.model.X, scenario.NAME.intervention.KIND.X, site.ID.X), or
// nullptr. Shared with [posterior].
const ParamDecl* find_sweep_decl(const ExperimentSpec& spec, const std::vector<std::string>& seg);

// The output coordinate name of a dotted key ("model.mu" -> "model_mu").
std::string sweep_coordinate_name(const std::string& key);

// "" when `v` is a valid value of the numeric parameter `decl` (finite,
// integral for integers, in range), else what is wrong.
std::string check_numeric_value(const ParamDecl& decl, double v);

}  // namespace atc::sim
