// canonical/schelling with the ABMFrameworksComparison setups
// (https://github.com/JuliaDynamics/ABMFrameworksComparison):
//   small: 40 x 40 torus, 1000 agents, radius 1, min_happy 3, 20 steps
//   large: 100 x 100 torus, 8000 agents, radius 2, min_happy 8, 20 steps
// Time per run includes building the model (random placement), as in the
// comparison; median of repeated runs with different seeds. The model is
// sequential (random activation order), so it runs on one thread.
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.hpp"

int main() {
  using namespace atc;
  struct Setup {
    const char* name;
    std::int64_t width;
    std::int64_t agents;
    std::int64_t radius;
    std::int64_t min_happy;
    int repeats;
  };
  const std::vector<Setup> setups{{"small", 40, 1000, 1, 3, 50}, {"large", 100, 8000, 2, 8, 20}};
  constexpr std::int64_t kSteps = 20;
  std::printf("canonical/schelling, ABMFrameworksComparison setups, %lld steps; median over repeated runs\n",
              static_cast<long long>(kSteps));
  std::printf("%-6s %6s %7s %7s %10s %8s %15s %13s %16s\n", "setup", "width", "agents", "radius", "min_happy",
              "runs", "run time (ms)", "build (ms)", "agent-steps/s");
  for (const auto& s : setups) {
    std::vector<double> totals;
    std::vector<double> builds;
    for (int rep = 0; rep < s.repeats; ++rep) {
      const auto t = bench::time_model(
          "canonical/schelling",
          {{"width", s.width}, {"agents", s.agents}, {"radius", s.radius}, {"min_happy", s.min_happy}},
          kSteps, false, static_cast<std::uint64_t>(rep) + 1);
      totals.push_back(t.construct_seconds + t.step_seconds);
      builds.push_back(t.construct_seconds);
    }
    const double run = bench::median(totals);
    std::printf("%-6s %6lld %7lld %7lld %10lld %8d %15.3f %13.3f %16.3e\n", s.name,
                static_cast<long long>(s.width), static_cast<long long>(s.agents),
                static_cast<long long>(s.radius), static_cast<long long>(s.min_happy), s.repeats, run * 1e3,
                bench::median(builds) * 1e3,
                static_cast<double>(s.agents) * static_cast<double>(kSteps) / run);
  }
  std::printf("peak RSS %.1f MiB\n", bench::peak_rss_mib());
  return 0;
}
