#include "sim/config/experiment.hpp"

#include <fmt/format.h>
#include <filesystem>

#include "sim/config/includes.hpp"
#include "sim/config/overrides.hpp"
#include "sim/config/posterior_section.hpp"
#include "sim/config/sections.hpp"
#include "sim/config/sweep_section.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "sim/core/text.hpp"

// Loading an experiment: includes (includes.cpp), --set overrides
// (overrides.cpp), the sections of one config table (sections.cpp, with
// CSV site overrides in site_overrides.cpp) and [sweep] (sweep_section.cpp),
// whose every point is validated here as a config of its own.
namespace atc::sim {

namespace fs = std::filesystem;

std::vector<std::int64_t> ExperimentSpec::recorded_steps() const {
  std::vector<std::int64_t> out;
  for (std::int64_t s = 0; s <= steps; s += output.every) out.push_back(s);
  if (out.back() != steps) out.push_back(steps);
  return out;
}

namespace {

// [posterior]: the draws, each validated now as a config of its own (the base
// config with the drawn values set, as --set would), before anything runs.
void load_posterior(const toml::table& root, const toml::node& node, const std::string& path,
                    const ModelRegistry& registry, const LoadOptions& options,
                    const ScenarioSelection& selection, ExperimentSpec& spec, toml::table& resolved) {
  if (!node.is_table()) config_fail(location_of(node, path), "posterior", "expected a table ([posterior])");
  PosteriorSpec posterior = parse_posterior(*node.as_table(), spec, path, selection);
  toml::table base = root;
  base.erase("posterior");
  LoadOptions draw_options = options;  // as a sweep's points are loaded
  draw_options.check_output_path = false;
  for (std::size_t d = 0; d < static_cast<std::size_t>(posterior.draws); ++d) {
    toml::table drawn = base;
    const std::vector<std::string> assignments = draw_assignments(posterior, d);
    try {
      for (const auto& a : assignments) apply_override(drawn, a);
      toml::table unused;
      ExperimentSpec s = load_table(drawn, path, registry, draw_options, unused);
      spec.draw_scenarios.push_back(std::move(s.scenarios));
      spec.draw_sites.push_back(std::move(s.sites));
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: posterior: draw {} (sample {}: {}) is invalid: {}",
                                    location_of(node, path).str(), d, posterior.sample_of_draw[d],
                                    join(assignments, ", "), e.what()));
    }
  }
  resolved.insert_or_assign("posterior", resolved_posterior(posterior));
  spec.posterior = std::move(posterior);
}

// The rest of a load, once the config and its includes are one table.
ExperimentSpec load_root(toml::table root, const std::string& path, const ModelRegistry& registry,
                         const LoadOptions& options) {
  for (std::size_t i = 0; i < options.overrides.size(); ++i) {
    check_override_takes_effect(root, options.overrides[i]);
    apply_override(root, options.overrides[i],
                   i < options.override_origins.size() ? options.override_origins[i] : std::string());
  }
  const ScenarioSelection selection = select_scenarios(root, options.scenarios, path);

  toml::table resolved;
  ExperimentSpec spec = load_table(root, path, registry, options, resolved);
  const toml::node* sweep_node = root.get("sweep");
  if (const toml::node* posterior_node = root.get("posterior")) {
    if (sweep_node != nullptr) {
      config_fail(location_of(*posterior_node, path), "posterior",
                  "cannot be combined with [sweep] (run the sweep's points, or the posterior, not both)");
    }
    load_posterior(root, *posterior_node, path, registry, options, selection, spec, resolved);
  }
  if (sweep_node == nullptr) {
    spec.resolved_toml = to_toml(resolved);
    return spec;
  }
  if (!sweep_node->is_table()) {
    config_fail(location_of(*sweep_node, path), "sweep", "expected a table ([sweep])");
  }
  SweepSpec sweep = parse_sweep(*sweep_node->as_table(), spec, path);

  // Every point is validated now, before anything runs. A point keeps only
  // its scenarios and sites (memory: points x parameters, never outputs).
  LoadOptions point_options = options;
  point_options.check_output_path = false;
  toml::table base = root;
  base.erase("sweep");
  const std::size_t points = sweep.design.points.size();
  spec.point_scenarios.reserve(points);
  spec.point_sites.reserve(points);
  for (std::size_t i = 0; i < points; ++i) {
    toml::table point = base;
    const std::vector<std::string> assignments = point_assignments(sweep, i);
    try {
      for (const auto& a : assignments) apply_override(point, a);
      toml::table unused;
      ExperimentSpec s = load_table(point, path, registry, point_options, unused);
      spec.point_scenarios.push_back(std::move(s.scenarios));
      spec.point_sites.push_back(std::move(s.sites));
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: sweep: point {} ({}) is invalid: {}",
                                    location_of(*sweep_node, path).str(), i, join(assignments, ", "),
                                    e.what()));
    }
  }
  resolved.insert_or_assign("sweep", resolved_sweep(sweep));
  spec.resolved_toml = to_toml(resolved);
  spec.sweep = std::move(sweep);
  return spec;
}

}  // namespace

ExperimentSpec load_experiment(const std::string& path, const ModelRegistry& registry,
                               const LoadOptions& options) {
  if (const std::string why = unreadable_file_reason(path); !why.empty()) {
    throw ConfigError(fmt::format("{}: config file {}", one_line(path, 200), why));
  }
  return load_root(load_with_includes(path), path, registry, options);
}

ExperimentSpec load_experiment_text(std::string_view text, const std::string& path,
                                    const ModelRegistry& registry, const LoadOptions& options) {
  return load_root(load_text_with_includes(text, path), path, registry, options);
}

}  // namespace atc::sim
