#pragma once
// Helpers shared by the benchmark programs: wall time, peak memory, and
// running a model in memory without any output file.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "models/registry.hpp"
#include "sim/exec/parallel.hpp"
#include "sim/model/model.hpp"

namespace atc::bench {

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Peak resident memory of this process so far, in MiB.
inline double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Timing {
  double construct_seconds = 0;
  double step_seconds = 0;
  std::uint64_t agents = 0;
  std::int64_t steps = 0;
};

// Builds one site of one run of `model` with `params` and steps it `steps` times.
inline Timing time_model(const std::string& model,
                         const std::vector<std::pair<std::string, sim::ParamValue>>& params,
                         std::int64_t steps, bool parallel = true, std::uint64_t seed = 1) {
  const auto& desc = models::registry().get(model);
  sim::ParamSet ps(&desc.params);
  for (const auto& [name, value] : params) ps.set(ps.index_of(name), value);
  sim::SiteSpec site;
  site.fields = sim::ParamSet(&desc.site_fields);
  const sim::Parallel par(parallel);
  const sim::ModelInit init{ps, site, {}, sim::RngKey{seed, 0, 0}, steps, desc.default_step_days, par};
  Timing t;
  const double t0 = now_seconds();
  auto m = desc.create(init);
  const double t1 = now_seconds();
  for (std::int64_t s = 0; s < steps; ++s) {
    m->step(s, par);
    sim::read_indicators(desc, *m, par);  // every step is recorded
  }
  const double t2 = now_seconds();
  t.construct_seconds = t1 - t0;
  t.step_seconds = t2 - t1;
  t.agents = m->agent_count();
  t.steps = steps;
  return t;
}

}  // namespace atc::bench
