#pragma once
// Helpers for the canonical-model tests: build one model directly from
// parameter values, read its indicators, run whole experiments in memory.
#include <oneapi/tbb/global_control.h>

#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/sink.hpp"
#include "sim/model/model.hpp"
#include "support/process.hpp"

namespace atc::test {

using Params = std::vector<std::pair<std::string, sim::ParamValue>>;

// One model instance built like the runner does (site "all", replicate 0).
class Harness {
 public:
  Harness(const std::string& model, const Params& params, std::uint64_t seed = 1, bool parallel = false)
      : desc_(models::registry().get(model)), params_(&desc_.params), parallel_(parallel) {
    for (const auto& [name, value] : params) params_.set(params_.index_of(name), value);
    site_.fields = sim::ParamSet(&desc_.site_fields);
    const sim::ModelInit init{params_, site_, {}, sim::RngKey{seed, 0, 0}, 1000, 1, parallel_};
    model_ = desc_.create(init);
  }
  sim::Model& model() { return *model_; }
  // Current value of an indicator.
  double get(const std::string& indicator) {
    const auto values = sim::read_indicators(desc_, *model_, parallel_);
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (desc_.indicators[k].name == indicator) return values[k].at(0);
    }
    throw std::out_of_range("no indicator " + indicator);
  }
  void step() { model_->step(step_++, parallel_); }
  // Steps until absorbed (or max_steps); returns the number of steps taken.
  std::int64_t run_to_absorption(std::int64_t max_steps) {
    std::int64_t taken = 0;
    while (!model_->absorbed() && taken < max_steps) {
      step();
      ++taken;
    }
    return taken;
  }

 private:
  const sim::ModelDescription& desc_;
  sim::ParamSet params_;
  sim::SiteSpec site_;
  sim::Parallel parallel_;
  std::unique_ptr<sim::Model> model_;
  std::int64_t step_ = 0;
};

inline sim::ExperimentSpec load_text(const TempDir& dir, const std::string& text,
                                     const std::vector<std::string>& overrides = {}) {
  dir.write("config.toml", text + "\n[output]\npath = \"" + dir.file("out.h5") + "\"\n");
  sim::LoadOptions o;
  o.overrides = overrides;
  o.check_output_path = false;
  return sim::load_experiment(dir.file("config.toml"), models::registry(), o);
}

// The ConfigError message of loading `text` with `overrides`, or "no error".
inline std::string config_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  TempDir dir;
  try {
    load_text(dir, text, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

// Every recorded value of every run of an experiment, with at most `threads`
// worker threads and agent-level parallelism on or off.
inline std::vector<double> run_all(const std::string& text, int threads, bool parallel_agents = true) {
  TempDir dir;
  const auto spec = load_text(dir, text);
  oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(threads));
  io::MemorySink sink(io::Layout::of(spec));
  sim::ExecOptions options;
  options.parallel_agents = parallel_agents;
  sim::execute(spec, sink, options);
  std::vector<double> all;
  const auto& layout = sink.layout();
  for (std::size_t k = 0; k < layout.indicators.size(); ++k) {
    for (std::size_t s = 0; s < layout.scenarios; ++s) {
      for (std::size_t r = 0; r < layout.replicates; ++r) {
        const auto& v = sink.series(k, s, r, 0);
        all.insert(all.end(), v.begin(), v.end());
      }
    }
  }
  return all;
}

// Bitwise equality (NaN == NaN).
inline bool identical(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  }
  return true;
}

}  // namespace atc::test
