#pragma once
// Command-line overrides of config values (--set key.path=VALUE).
#include <toml++/toml.h>

#include <span>
#include <string>
#include <vector>

namespace atc::sim {

// Sets `key.path` in `root` to VALUE. VALUE is TOML ("0.2", "true",
// "[1, 2]", "\"text\""); a bare word that is not valid TOML is taken as a
// string. scenario.NAME.x, site.ID.x and scenario.NAME.intervention.KIND.x
// address the element of an array of tables whose name, id or kind matches.
// Throws ConfigError naming the assignment, or `origin` when given (e.g.
// "-o out.h5" for an override the command line made from -o).
void apply_override(toml::table& root, const std::string& assignment, const std::string& origin = "");

// Refuses a --set that would silently change nothing: model.X when every
// [[scenario]] of `root` sets model.X itself. Throws ConfigError.
void check_override_takes_effect(const toml::table& root, const std::string& assignment);

// The scenarios of a config and those --scenario left out of it.
struct ScenarioSelection {
  std::vector<std::string> defined;   // every [[scenario]]'s name, in the config's order
  std::vector<std::string> left_out;  // those not selected (none without --scenario)

  // The scenario left out that `key` (scenario.NAME.x) addresses, matched as
  // apply_override matches it (the shortest defined name: a name with dots
  // may be written unquoted); "" when it addresses none left out.
  [[nodiscard]] std::string left_out_scenario_of(const std::string& key) const;
};

// Keeps in `root` only the [[scenario]] tables named in `names` (--scenario
// NAME; in the config's order), and the [[contrast]] tables that compare two
// of those: a contrast naming a scenario left out could not be computed.
// The other scenarios are not read at all. Throws ConfigError naming the
// option and the config file `path` when a name is not one of its scenarios,
// or at its key when a [sweep] varies a parameter of a scenario left out.
ScenarioSelection select_scenarios(toml::table& root, std::span<const std::string> names,
                                   const std::string& path);

}  // namespace atc::sim
