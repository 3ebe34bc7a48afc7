// Throughput and memory of the territorial model (`make bench`):
//   1. one site of 10,000 residents x 156 weeks, with the ATC interventions
//      (animator, shared governance, shared diagnosis) so every phase works,
//      on 2 threads and on one;
//   2. one site of 1,000,000 residents for a few weeks, on 2 threads.
// Agent-steps per second count steps only (construction is timed apart);
// the burn-in is switched off so that steps are what is timed. Each line also
// gives the CPU time of the steps (all threads): on a loaded, shared machine
// the 1-thread CPU rate is the step's cost, whatever the wall clock says.
//   bench_territorial [RESIDENTS WEEKS THREADS]   one configuration only
//   (for a profiler: `perf record bench_territorial 10000 156 1`)
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "bench_util.hpp"
#include "models/registry.hpp"

namespace {

using namespace atc;

sim::InterventionSpec intervention(const sim::ModelDescription& d, const std::string& kind) {
  sim::InterventionSpec iv;
  iv.kind = kind;
  iv.params = sim::ParamSet(&d.find_intervention(kind)->params);
  return iv;
}

struct Result {
  double construct = 0, steps = 0, steps_cpu = 0;
  std::uint64_t agents = 0;
};

Result run(double residents, std::int64_t weeks, bool parallel) {
  const auto& d = models::registry().get("territorial");
  sim::ParamSet params(&d.params);
  params.set(params.index_of("burn_in_weeks"), std::int64_t{0});
  sim::SiteSpec site;
  site.id = "bench";
  site.fields = sim::ParamSet(&d.site_fields);
  // residents aged 15+ = population x (1 - under15_share)
  site.fields.set(site.fields.index_of("population"), residents / (1.0 - site.fields.real("under15_share")));
  const std::vector<sim::InterventionSpec> ivs{
      intervention(d, "animator"), intervention(d, "shared_governance"), intervention(d, "shared_diagnosis")};
  const sim::Parallel par(parallel);
  const sim::ModelInit init{params, site, ivs, sim::RngKey{1, 0, 0}, weeks, 7, par};
  Result r;
  const double t0 = bench::now_seconds();
  auto model = d.create(init);
  const double t1 = bench::now_seconds();
  const double c1 = bench::cpu_seconds();
  for (std::int64_t s = 0; s < weeks; ++s) {
    model->step(s, par);
    sim::read_indicators(d, *model, par);  // every week is recorded
  }
  const double t2 = bench::now_seconds();
  r.steps_cpu = bench::cpu_seconds() - c1;
  r.construct = t1 - t0;
  r.steps = t2 - t1;
  r.agents = model->agent_count();
  return r;
}

void print(const char* label, const Result& r, std::int64_t weeks) {
  const double agent_steps = static_cast<double>(r.agents) * static_cast<double>(weeks);
  std::printf(
      "%-32s %9llu agents x %3lld weeks: build %6.2f s, steps %7.2f s (CPU %7.2f s), %6.2f M agent-steps/s "
      "(%6.2f M per CPU second)\n",
      label, static_cast<unsigned long long>(r.agents), static_cast<long long>(weeks), r.construct, r.steps,
      r.steps_cpu, agent_steps / r.steps / 1e6, agent_steps / r.steps_cpu / 1e6);
}

double rate(const Result& r, std::int64_t weeks) {
  return static_cast<double>(r.agents) * static_cast<double>(weeks) / r.steps;
}

}  // namespace

int main(int argc, char** argv) {
  using oneapi::tbb::global_control;
  if (argc == 4) {
    const double residents = std::atof(argv[1]);
    const std::int64_t weeks = std::atoll(argv[2]);
    global_control cap(global_control::max_allowed_parallelism, static_cast<std::size_t>(std::atoi(argv[3])));
    const std::string label = std::string(argv[3]) + " thread(s)";
    print(label.c_str(), run(residents, weeks, true), weeks);
    return 0;
  }
  const int threads = oneapi::tbb::info::default_concurrency();
  std::printf("territorial model benchmark (%d hardware thread(s))\n", threads);
  // Goals (issue 12): >= 2e7 resident-steps/s on 2 threads at 10^4 and 10^6
  // residents, >= 1.8x from 1 to 2 threads.
  constexpr double kGoalRate = 2e7;
  constexpr double kGoalScaling = 1.8;
  Result two;
  {
    global_control cap(global_control::max_allowed_parallelism, 2);
    two = run(10000, 156, true);
    print("10,000 residents, 2 threads", two, 156);
  }
  Result one;
  {
    global_control cap(global_control::max_allowed_parallelism, 1);
    one = run(10000, 156, true);
    print("10,000 residents, 1 thread", one, 156);
  }
  std::printf("peak memory so far: %.0f MiB\n", bench::peak_rss_mib());
  Result large;
  {
    global_control cap(global_control::max_allowed_parallelism, 2);
    large = run(1e6, 4, true);
    print("1,000,000 residents, 2 threads", large, 4);
  }
  std::printf("peak memory: %.0f MiB\n", bench::peak_rss_mib());
  if (threads < 2) std::printf("note: fewer than 2 hardware threads; the 2-thread figures use %d\n", threads);
  bench::figure("territorial, 10^4 residents x 156 weeks, 2 threads", rate(two, 156), "resident-steps/s",
                bench::Goal::kAtLeast, kGoalRate);
  bench::figure("territorial, 10^4 residents, 1 thread", rate(one, 156), "resident-steps/s");
  bench::figure("territorial, 10^4 residents, 1 thread, per CPU second (load-independent)",
                static_cast<double>(one.agents) * 156.0 / one.steps_cpu, "resident-steps/s");
  bench::figure("territorial, 10^4 residents, speed-up from 1 to 2 threads", rate(two, 156) / rate(one, 156),
                "x", bench::Goal::kAtLeast, kGoalScaling);
  bench::figure("territorial, 10^6 residents x 4 weeks, 2 threads", rate(large, 4), "resident-steps/s",
                bench::Goal::kAtLeast, kGoalRate);
  return 0;
}
