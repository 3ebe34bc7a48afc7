// canonical/watts throughput: agent-steps per second at 10^4, 10^5 and 10^6
// nodes (z = 4, phi = 0.18), one thread and all threads, and peak memory.
// The step kernel is timed on a full sweep of the graph every step (the model
// keeps stepping after the cascade stops, as a worst case).
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <cstdio>

#include "bench_util.hpp"

int main() {
  using namespace atc;
  const int all = oneapi::tbb::info::default_concurrency();
  std::printf("canonical/watts, z = 4, phi = 0.18, 50 steps; median of 3 repetitions\n");
  std::printf("%10s %8s %14s %16s %14s\n", "nodes", "threads", "build (s)", "agent-steps/s", "peak RSS MiB");
  for (const std::int64_t n : {10'000LL, 100'000LL, 1'000'000LL}) {
    for (const int threads : {1, all}) {
      oneapi::tbb::global_control control(oneapi::tbb::global_control::max_allowed_parallelism,
                                          static_cast<std::size_t>(threads));
      std::vector<double> rates, builds;
      for (int rep = 0; rep < 3; ++rep) {
        const auto t = bench::time_model("canonical/watts", {{"n", n}, {"mean_degree", 4.0}}, 50, true,
                                         static_cast<std::uint64_t>(rep) + 1);
        rates.push_back(static_cast<double>(t.agents) * static_cast<double>(t.steps) / t.step_seconds);
        builds.push_back(t.construct_seconds);
      }
      std::printf("%10lld %8d %14.3f %16.3e %14.1f\n", static_cast<long long>(n), threads,
                  bench::median(builds), bench::median(rates), bench::peak_rss_mib());
    }
  }
  return 0;
}
