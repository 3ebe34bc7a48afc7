// canonical/schelling with the ABMFrameworksComparison setups
// (https://github.com/JuliaDynamics/ABMFrameworksComparison, bounded grid as
// published; docs/models/schelling.md):
//   small: 40 x 40, 1000 agents, radius 1, min_happy 3, 20 steps
//   large: 100 x 100, 8000 agents, radius 2, min_happy 8, 20 steps
// 1. In process: time per run including building the model (random
//    placement), as in the comparison; median of repeated runs with different
//    seeds. The model is sequential (random activation order): one thread.
// 2. Through the CLI (the goal of issue 12): `atcsim run
//    bench/schelling_large.toml --threads 1`, 20 runs of "large" in one
//    process, timed as a whole (start-up, construction, steps, indicators
//    recorded every step, HDF5 file); median of several processes. The
//    child's CPU time is printed too: it is what a loaded machine perturbs least.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace {

constexpr double kMesaSeconds = 17.1;  // Mesa 3.3.1, 20 runs of "large", this machine (issue 12)
constexpr double kGoalSeconds = 0.17;  // 100 x Mesa

}  // namespace

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
  std::printf(
      "canonical/schelling, ABMFrameworksComparison setups (bounded grid), %lld steps; median over "
      "repeated runs\n",
      static_cast<long long>(kSteps));
  std::printf("%-6s %6s %7s %7s %10s %8s %15s %13s %16s\n", "setup", "width", "agents", "radius", "min_happy",
              "runs", "run time (ms)", "build (ms)", "agent-steps/s");
  for (const auto& s : setups) {
    std::vector<double> totals;
    std::vector<double> builds;
    for (int rep = 0; rep < s.repeats; ++rep) {
      const auto t = bench::time_model("canonical/schelling",
                                       {{"torus", false},
                                        {"width", s.width},
                                        {"agents", s.agents},
                                        {"radius", s.radius},
                                        {"min_happy", s.min_happy}},
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

  // The whole process, through the CLI.
  namespace fs = std::filesystem;
  const fs::path out = fs::temp_directory_path() / ("atcsim_bench_schelling_" + std::to_string(getpid()));
  fs::create_directories(out);
  const std::string output = (out / "large.h5").string();
  const std::vector<std::string> args{
      ATCSIM_BINARY, "run", std::string(ATCSIM_SOURCE_DIR) + "/bench/schelling_large.toml",
      "--threads",   "1",   "--quiet",
      "-o",          output};
  constexpr int kProcesses = 11;
  std::vector<double> walls;
  std::vector<double> cpus;
  try {
    bench::time_process(args);  // warm-up: binary and libraries in the page cache
    for (int k = 0; k < kProcesses; ++k) {
      fs::remove(output);
      const auto t = bench::time_process(args);
      walls.push_back(t.wall_seconds);
      cpus.push_back(t.cpu_seconds);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_canonical_schelling: %s\n", e.what());
    fs::remove_all(out);
    return 1;
  }
  fs::remove_all(out);
  const double wall = bench::median(walls);
  std::printf(
      "atcsim run bench/schelling_large.toml --threads 1 (20 runs of large), %d processes: wall "
      "median %.3f s (min %.3f), CPU median %.3f s\n",
      kProcesses, wall, *std::min_element(walls.begin(), walls.end()), bench::median(cpus));
  bench::figure("Schelling large, 20 runs via the CLI, 1 thread, wall (median)", wall, "s",
                bench::Goal::kAtMost, kGoalSeconds);
  bench::figure("Schelling large, 20 runs via the CLI, 1 thread, wall (fastest of 11)",
                *std::min_element(walls.begin(), walls.end()), "s");
  bench::figure("Schelling large, 20 runs via the CLI, 1 thread, CPU (median)", bench::median(cpus), "s",
                bench::Goal::kAtMost, kGoalSeconds);
  bench::figure("Schelling large via the CLI: speed-up over Mesa 3.3.1 (17.1 s), wall", kMesaSeconds / wall,
                "x");
  return 0;
}
