#pragma once
// The [sweep] section: which numeric keys vary, over which values or ranges,
// by which design (grid, lhs, sobol, morris). Designs are built in sweep.cpp.
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

}  // namespace atc::sim
