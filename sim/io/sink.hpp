#pragma once
// Where results go. The engine writes to a sink (begin, write each site of a
// run, mark the run complete, finish); HDF5 is the real sink, an in-memory one
// serves tests and the reference runner.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/config/experiment.hpp"

namespace atc::io {

// The recorded series of one site of one run: for each recorded indicator (in
// OutputSpec::record order) a row-major (time, extra) array.
struct SiteSeries {
  std::vector<std::vector<double>> values;
};

// One run: a scenario at one sweep point (0 without a sweep) and replicate.
struct RunId {
  std::size_t scenario = 0;
  std::size_t point = 0;
  std::size_t replicate = 0;
};

// Sizes of everything a sink stores, derived once from the spec.
struct Layout {
  std::size_t scenarios = 0;
  std::size_t points = 1;
  bool has_point_dimension = false;  // only experiments with a [sweep]
  std::size_t replicates = 0;
  std::size_t sites = 0;
  std::vector<std::int64_t> steps;                    // recorded steps
  std::vector<const sim::IndicatorDecl*> indicators;  // recorded, in order
  std::vector<std::size_t> extent;                    // extra-dimension size per indicator (1 if none)

  static Layout of(const sim::ExperimentSpec& spec);
  [[nodiscard]] std::size_t run_count() const { return scenarios * points * replicates; }
  [[nodiscard]] std::size_t run_index(const RunId& id) const {
    return (id.scenario * points + id.point) * replicates + id.replicate;
  }
  [[nodiscard]] RunId run_id(std::size_t index) const {
    return {index / (points * replicates), (index / replicates) % points, index % replicates};
  }
  [[nodiscard]] std::size_t values_per_site(std::size_t indicator) const {
    return steps.size() * extent[indicator];
  }
};

class Sink {
 public:
  virtual ~Sink() = default;
  // True when the run is already complete (resumed runs).
  [[nodiscard]] virtual bool run_complete(const RunId& run) const = 0;
  // Thread-safe.
  virtual void write_site(const RunId& run, std::size_t site, const SiteSeries& series) = 0;
  // Thread-safe. Called once every site of the run has been written.
  virtual void complete_run(const RunId& run) = 0;
  // Called once when every run is complete; makes the result final.
  virtual void finish() = 0;
};

// Keeps everything in memory, indexed like the HDF5 variables.
class MemorySink : public Sink {
 public:
  explicit MemorySink(Layout layout);
  [[nodiscard]] bool run_complete(const RunId& run) const override;
  void write_site(const RunId& run, std::size_t site, const SiteSeries& series) override;
  void complete_run(const RunId& run) override;
  void finish() override { finished_ = true; }

  [[nodiscard]] const Layout& layout() const { return layout_; }
  [[nodiscard]] bool finished() const { return finished_; }
  // Series of one indicator for one run and site.
  [[nodiscard]] const std::vector<double>& series(std::size_t indicator, const RunId& run,
                                                  std::size_t site) const;
  [[nodiscard]] const std::vector<double>& series(std::size_t indicator, std::size_t scenario,
                                                  std::size_t replicate, std::size_t site) const {
    return series(indicator, RunId{scenario, 0, replicate}, site);
  }
  [[nodiscard]] std::size_t indicator_index(const std::string& name) const;

 private:
  Layout layout_;
  std::vector<SiteSeries> data_;  // (run, site) row-major
  std::vector<char> complete_;
  bool finished_ = false;
};

}  // namespace atc::io
