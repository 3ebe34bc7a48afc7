#pragma once
// The plausibility envelope of an experiment's outputs: a sink decorator that
// compares, site by site, the statistics of indicators that declare plausible
// ranges (IndicatorDecl::plausible) with those ranges, and lists the ones whose
// replicate mean falls outside. It sees every written run, so it works the
// same on one process and on MPI rank 0.
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "sim/config/experiment.hpp"
#include "sim/io/sink.hpp"

namespace atc::sim {

struct EnvelopeFinding {
  std::string scenario;
  std::string site;
  std::string indicator;
  PlausibleRange range;
  double value = 0;  // replicate mean of the site's statistic
  std::size_t replicates = 0;
  [[nodiscard]] std::string message() const;
};

class EnvelopeCheck final : public io::Sink {
 public:
  EnvelopeCheck(const ExperimentSpec& spec, const io::Layout& layout, io::Sink& inner);

  [[nodiscard]] bool run_complete(const io::RunId& run) const override { return inner_.run_complete(run); }
  void write_site(const io::RunId& run, std::size_t site, const io::SiteSeries& series) override;
  void complete_run(const io::RunId& run) override { inner_.complete_run(run); }
  void finish() override { inner_.finish(); }

  // Sites and indicators whose statistic left its range, in (scenario, site,
  // indicator) order; only runs written through this sink are counted.
  [[nodiscard]] std::vector<EnvelopeFinding> findings() const;
  // Number of (site, indicator, range) statistics compared.
  [[nodiscard]] std::size_t checked() const;
  // Prints the findings as warnings, one line each (at most 20, then a count).
  void report(std::FILE* out) const;

 private:
  struct Sum {
    double total = 0;
    std::size_t count = 0;
  };
  // (scenario, point, site, layout indicator, range index)
  using Key = std::tuple<std::size_t, std::size_t, std::size_t, std::size_t, std::size_t>;
  const ExperimentSpec& spec_;
  const io::Layout& layout_;
  io::Sink& inner_;
  mutable std::mutex mutex_;
  std::map<Key, Sum> sums_;
};

// The statistic of one run's series for a range (NaN when it cannot be computed).
double envelope_statistic(const PlausibleRange& range, std::span<const double> series, std::size_t extent,
                          const std::vector<std::int64_t>& steps, int step_days, double population);

}  // namespace atc::sim
