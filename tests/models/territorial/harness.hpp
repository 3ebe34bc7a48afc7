#pragma once
// Helpers for the territorial model's tests: build one site directly (with
// access to its state), or run whole experiments in memory through the
// engine (load_experiment + execute + MemorySink), with a thread limit.
#include <oneapi/tbb/global_control.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "models/registry.hpp"
#include "models/territorial/model.hpp"
#include "sim/config/experiment.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/sink.hpp"
#include "support/process.hpp"

namespace atc::test::territorial {

using Values = std::vector<std::pair<std::string, sim::ParamValue>>;

inline const sim::ModelDescription& description() {
  return models::registry().get("territorial");
}

// An intervention as the config loader would build it.
inline sim::InterventionSpec intervention(const std::string& kind, std::int64_t start,
                                          std::int64_t end = INT64_MAX, const Values& values = {}) {
  const auto* decl = description().find_intervention(kind);
  sim::InterventionSpec iv;
  iv.kind = kind;
  iv.start_step = start;
  iv.end_step = end;
  iv.params = sim::ParamSet(&decl->params);
  for (const auto& [name, value] : values) iv.params.set(iv.params.index_of(name), value);
  return iv;
}

// One site of one run, built directly; steps and state are accessible.
class Site {
 public:
  explicit Site(const Values& params = {}, const Values& fields = {},
                std::vector<sim::InterventionSpec> ivs = {}, std::uint64_t seed = 1,
                std::uint32_t replicate = 0, bool parallel = true, std::string network = "")
      : params_(&description().params), ivs_(std::move(ivs)), parallel_(parallel) {
    for (const auto& [name, value] : params) params_.set(params_.index_of(name), value);
    site_.id = "test";
    site_.network = std::move(network);
    site_.fields = sim::ParamSet(&description().site_fields);
    for (const auto& [name, value] : fields) site_.fields.set(site_.fields.index_of(name), value);
    const sim::ModelInit init{params_, site_, ivs_, sim::RngKey{seed, replicate, 0}, 156, 7, parallel_};
    model_ = description().create(init);
    terr_ = dynamic_cast<models::territorial::TerritorialModel*>(model_.get());
  }
  models::territorial::TerritorialModel& model() { return *terr_; }
  [[nodiscard]] sim::Model* base() const { return model_.get(); }
  void step() { model_->step(step_++, parallel_); }
  [[nodiscard]] std::int64_t week() const { return step_; }

 private:
  sim::ParamSet params_;
  sim::SiteSpec site_;
  std::vector<sim::InterventionSpec> ivs_;
  sim::Parallel parallel_;
  std::unique_ptr<sim::Model> model_;
  models::territorial::TerritorialModel* terr_ = nullptr;
  std::int64_t step_ = 0;
};

// Every declared indicator of a site's model, by name, with all values of
// indicators that have an extra dimension.
struct Capture {
  explicit Capture(sim::Model& model) {
    const auto& desc = description();
    const auto read = sim::read_indicators(desc, model, sim::Parallel(false));
    for (std::size_t k = 0; k < read.size(); ++k) values[desc.indicators[k].name] = read[k];
  }
  std::map<std::string, std::vector<double>> values;
};

// The experiment's `seed` and `replicates` replaced by ATCSIM_TEST_SEED and
// ATCSIM_TEST_REPLICATES when they are set: to check by hand that a
// statistical verdict does not hang on one seed (docs/ODD.md, patterns).
inline std::string with_test_overrides(std::string toml) {
  for (const auto& [env, key] :
       {std::pair{"ATCSIM_TEST_SEED", "seed"}, std::pair{"ATCSIM_TEST_REPLICATES", "replicates"}}) {
    const char* value = std::getenv(env);
    if (value == nullptr) continue;
    const std::string line = std::string("\n") + key + " = ";
    const std::size_t at = toml.find(line);
    if (at == std::string::npos) continue;
    const std::size_t end = toml.find('\n', at + 1);
    toml.replace(at, end - at, line + value);
  }
  return toml;
}

// The results of an experiment run in memory.
class Runs {
 public:
  Runs(const std::string& toml, int threads) {
    TempDir dir;
    dir.write("config.toml",
              with_test_overrides(toml) + "\n[output]\npath = \"" + dir.file("out.h5") + "\"\n");
    sim::LoadOptions options;
    options.check_output_path = false;
    spec_ = std::make_unique<sim::ExperimentSpec>(
        sim::load_experiment(dir.file("config.toml"), models::registry(), options));
    std::unique_ptr<oneapi::tbb::global_control> limit;
    if (threads > 0) {
      limit = std::make_unique<oneapi::tbb::global_control>(
          oneapi::tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    }
    sink_ = std::make_unique<io::MemorySink>(io::Layout::of(*spec_));
    sim::execute(*spec_, *sink_);
  }
  [[nodiscard]] std::size_t replicates() const { return sink_->layout().replicates; }
  [[nodiscard]] std::size_t scenario(const std::string& name) const {
    for (std::size_t s = 0; s < spec_->scenarios.size(); ++s) {
      if (spec_->scenarios[s].name == name) return s;
    }
    throw std::runtime_error("no scenario " + name);
  }
  // Series of one indicator (time-major, extra dimension innermost).
  [[nodiscard]] const std::vector<double>& series(const std::string& indicator, const std::string& scen,
                                                  std::size_t replicate, std::size_t site = 0) const {
    return sink_->series(sink_->indicator_index(indicator), scenario(scen), replicate, site);
  }
  // Every indicator of one site of one run, concatenated (bitwise comparisons).
  [[nodiscard]] std::vector<double> site_all(const std::string& scen, std::size_t replicate,
                                             std::size_t site) const {
    std::vector<double> out;
    for (std::size_t k = 0; k < sink_->layout().indicators.size(); ++k) {
      const auto& v = sink_->series(k, scenario(scen), replicate, site);
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  }
  [[nodiscard]] const sim::ExperimentSpec& spec() const { return *spec_; }
  [[nodiscard]] double at(const std::string& indicator, const std::string& scen, std::size_t replicate,
                          std::size_t week) const {
    return series(indicator, scen, replicate).at(week);
  }
  // Mean over weeks [from, to] of one replicate.
  [[nodiscard]] double window(const std::string& indicator, const std::string& scen, std::size_t replicate,
                              std::size_t from, std::size_t to) const {
    const auto& v = series(indicator, scen, replicate);
    double s = 0;
    for (std::size_t t = from; t <= to; ++t) s += v.at(t);
    return s / static_cast<double>(to - from + 1);
  }
  // Mean over replicates of the value at `week`.
  [[nodiscard]] double mean_at(const std::string& indicator, const std::string& scen,
                               std::size_t week) const {
    double s = 0;
    for (std::size_t r = 0; r < replicates(); ++r) s += at(indicator, scen, r, week);
    return s / static_cast<double>(replicates());
  }
  // All values of every run, for bitwise comparisons.
  [[nodiscard]] std::vector<double> all() const {
    std::vector<double> out;
    const auto& layout = sink_->layout();
    for (std::size_t k = 0; k < layout.indicators.size(); ++k) {
      for (std::size_t s = 0; s < layout.scenarios; ++s) {
        for (std::size_t r = 0; r < layout.replicates; ++r) {
          const auto& v = sink_->series(k, s, r, 0);
          out.insert(out.end(), v.begin(), v.end());
        }
      }
    }
    return out;
  }

 private:
  std::unique_ptr<sim::ExperimentSpec> spec_;
  std::unique_ptr<io::MemorySink> sink_;
};

// Paired statistics over replicates: mean, standard error, share positive.
struct Paired {
  double mean = 0, se = 0, positive = 0;
};
inline Paired paired(const std::vector<double>& d) {
  Paired p;
  const double n = static_cast<double>(d.size());
  p.mean = std::accumulate(d.begin(), d.end(), 0.0) / n;
  double ss = 0;
  for (double x : d) {
    ss += (x - p.mean) * (x - p.mean);
    p.positive += x > 0 ? 1.0 / n : 0.0;
  }
  p.se = n > 1 ? std::sqrt(ss / (n - 1) / n) : 0.0;
  return p;
}

inline bool identical(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace atc::test::territorial
