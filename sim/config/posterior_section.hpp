#pragma once
// The [posterior] section: path, seed, draws, parameters. Validated against
// the base experiment's model (keys declared and numeric, values in range,
// weights valid); the draws are made here, before anything runs.
#include <toml++/toml.h>

#include <string>

#include "sim/config/experiment.hpp"
#include "sim/config/overrides.hpp"
#include "sim/config/posterior.hpp"

namespace atc::sim {

// Throws ConfigError with file:line:col and key on the first problem (a key
// of a scenario that --scenario left out, `selection`, is one).
PosteriorSpec parse_posterior(const toml::table& table, const ExperimentSpec& base, const std::string& file,
                              const ScenarioSelection& selection = {});

// The --set assignments of draw `draw`.
std::vector<std::string> draw_assignments(const PosteriorSpec& posterior, std::size_t draw);

// [posterior] as the resolved config writes it (the file's checksum included,
// so that resuming with a changed file is refused).
toml::table resolved_posterior(const PosteriorSpec& posterior);

}  // namespace atc::sim
