#pragma once
// The validated, immutable description of an experiment. Nothing is simulated
// until a whole ExperimentSpec has been built from the config without error.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/posterior.hpp"
#include "sim/config/sweep.hpp"
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

// A named comparison of two scenarios ([[contrast]]) and the question it
// answers, so that an analysis reports the comparisons the experiment asks
// about rather than everything against one baseline.
struct ContrastSpec {
  std::string name;
  std::string treatment;  // scenario names
  std::string baseline;
  std::string question;     // English
  std::string question_fr;  // "" when not given
  // When the contrast is measured by default (ISO date; "" = the end of the
  // experiment): scenarios that differ only late (an animator kept after
  // 2021) show their effect only then.
  std::string at;
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
  std::vector<ContrastSpec> contrasts;  // in config order
  OutputSpec output;
  std::string resolved_toml;  // the whole config with every default written out
  // What the user should know but that does not stop the run (e.g. rows of a
  // [sites] overrides table that match no site, with --allow-unmatched).
  std::vector<std::string> warnings;

  // A [sweep] adds a `point` dimension: every point is the base config with
  // the swept keys set to the design's values. Without a sweep there is one
  // point, the base config, and no point dimension in the output.
  std::optional<SweepSpec> sweep;
  std::vector<std::vector<ScenarioSpec>> point_scenarios;  // [point][scenario], empty without a sweep
  std::vector<std::vector<SiteSpec>> point_sites;          // [point][site], empty without a sweep

  // A [posterior] gives every replicate one parameter draw: replicate r runs
  // the scenarios and sites of draw posterior->draw_of(r). Not combined with
  // a sweep (yet).
  std::optional<PosteriorSpec> posterior;
  std::vector<std::vector<ScenarioSpec>> draw_scenarios;  // [draw][scenario], empty without a posterior
  std::vector<std::vector<SiteSpec>> draw_sites;          // [draw][site]

  [[nodiscard]] std::size_t point_count() const { return sweep ? sweep->design.points.size() : 1; }
  // What one run simulates: the scenario at a point for a replicate (its
  // posterior draw's parameters with a [posterior]).
  [[nodiscard]] const ScenarioSpec& scenario_for(std::size_t point, std::size_t scenario,
                                                 std::size_t replicate) const {
    return posterior ? draw_scenarios[posterior->draw_of(replicate)][scenario] : scenario_at(point, scenario);
  }
  [[nodiscard]] const SiteSpec& site_for(std::size_t point, std::size_t site, std::size_t replicate) const {
    return posterior ? draw_sites[posterior->draw_of(replicate)][site] : site_at(point, site);
  }
  [[nodiscard]] const ScenarioSpec& scenario_at(std::size_t point, std::size_t scenario) const {
    return sweep ? point_scenarios[point][scenario] : scenarios[scenario];
  }
  [[nodiscard]] const SiteSpec& site_at(std::size_t point, std::size_t site) const {
    return sweep ? point_sites[point][site] : sites[site];
  }
  // scenario_at and site_at give the names, ids and base values shared by
  // every replicate; runs use scenario_for and site_for.
  // The seed of point `point`'s random streams: its own with [sweep] seeds =
  // "per_point", else the experiment's.
  [[nodiscard]] std::uint64_t seed_at(std::size_t point) const {
    return sweep && !sweep->design.seed.empty() ? sweep->design.seed[point] : seed;
  }

  // Steps at which indicators are recorded: 0, every, 2*every, ..., and `steps`.
  [[nodiscard]] std::vector<std::int64_t> recorded_steps() const;
};

struct LoadOptions {
  std::vector<std::string> overrides;  // --set key.path=value, in order
  // What each override was typed as, for messages (e.g. "-o out.h5"); an
  // override without one is named "--set ASSIGNMENT".
  std::vector<std::string> override_origins;
  bool check_output_path = true;       // checked without creating anything
  bool allow_unmatched = false;        // --allow-unmatched: [sites] overrides rows matching no site warn
  std::vector<std::string> scenarios;  // --scenario NAME: run only these (empty: every scenario)
};

// Parses, merges includes, applies overrides, validates. Throws ConfigError
// with file:line:col and key path on the first problem.
ExperimentSpec load_experiment(const std::string& path, const ModelRegistry& registry,
                               const LoadOptions& options = {});

// The same for a config's text held in memory (the fuzzing harnesses):
// `path` names it in messages and is where its relative includes and CSV
// files are looked up; it need not exist. load_experiment reads the file and
// goes through the same code.
ExperimentSpec load_experiment_text(std::string_view text, const std::string& path,
                                    const ModelRegistry& registry, const LoadOptions& options = {});

}  // namespace atc::sim
