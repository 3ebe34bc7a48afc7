#include "sim/exec/memory.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <queue>
#include <sstream>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/exec/sharing.hpp"

namespace atc::sim {

namespace {

// Bytes of the series one site records: every indicator value at every
// recorded step, as doubles.
double series_bytes(const ExperimentSpec& spec) {
  double values = 0;
  for (const auto& name : spec.output.record) {
    if (const auto* ind = spec.model->find_indicator(name))
      values += static_cast<double>(spec.model->extent(*ind));
  }
  return values * static_cast<double>(spec.recorded_steps().size()) * sizeof(double);
}

// The first number in `path`, or nullopt ("max" or no file).
std::optional<double> read_number(const std::string& path) {
  std::ifstream in(path);
  double v = 0;
  if (in >> v) return v;
  return std::nullopt;
}

}  // namespace

MemoryNeed estimate_memory(const ExperimentSpec& spec, int threads) {
  MemoryNeed need;
  if (!spec.model->estimate_memory) return need;
  need.estimated = true;
  const double series = series_bytes(spec);
  const auto slots = static_cast<std::size_t>(std::max(threads, 1));
  // The `slots` largest tasks (a min-heap of their sizes).
  std::priority_queue<double, std::vector<double>, std::greater<>> largest;
  std::size_t tasks = 0;
  auto add_task = [&](double bytes, std::size_t copies, const std::string& site, const std::string& reduce) {
    tasks += copies;
    if (bytes > need.largest_task_bytes) {
      need.largest_task_bytes = bytes;
      need.largest_site = site;
      need.reduce = reduce;
    }
    for (std::size_t c = 0; c < std::min(copies, slots); ++c) {
      if (largest.size() < slots) {
        largest.push(bytes);
      } else if (bytes > largest.top()) {
        largest.pop();
        largest.push(bytes);
      } else {
        break;
      }
    }
  };
  const auto replicates = static_cast<std::size_t>(spec.replicates);
  for (std::size_t point = 0; point < spec.point_count(); ++point) {
    // Scenarios that share a build (share_classes) run as one task per site
    // (sim/exec/runner.cpp), which holds the site built once and the copy
    // being run: two models. Counted with the first of their class.
    const std::vector<std::size_t> share = share_classes(spec, point);
    std::vector<std::size_t> sharing(spec.scenarios.size(), 0);
    for (const std::size_t first : share) ++sharing[first];
    for (std::size_t s = 0; s < spec.scenarios.size(); ++s) {
      if (share[s] != s) continue;
      const ScenarioSpec& scenario = spec.scenario_at(point, s);
      const bool coupled = is_coupled(spec, scenario.params);
      const double models = sharing[s] > 1 ? 2.0 : 1.0;
      double run_bytes = 0;
      MemoryEstimate biggest;
      std::string biggest_site;
      for (std::size_t k = 0; k < spec.sites.size(); ++k) {
        const SiteSpec& site = spec.site_at(point, k);
        const MemoryEstimate e = spec.model->estimate_memory(scenario.params, site);
        const double bytes = e.bytes * models + series;
        if (!coupled) {
          add_task(bytes, replicates, site.id, e.reduce);
          continue;
        }
        run_bytes += bytes;
        if (e.bytes >= biggest.bytes) {
          biggest = e;
          biggest_site = site.id;
        }
      }
      if (coupled)
        add_task(run_bytes, replicates, "all sites (coupled), largest " + biggest_site, biggest.reduce);
    }
  }
  need.concurrent = std::min(tasks, slots);
  for (; !largest.empty(); largest.pop()) need.peak_bytes += largest.top();
  return need;
}

std::optional<MemoryAvailable> available_memory() {
  std::optional<MemoryAvailable> best;
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    double kb = 0;
    if (fields >> kb) best = MemoryAvailable{kb * 1024.0, "MemAvailable in /proc/meminfo"};
  }
  auto consider = [&](std::optional<double> limit, std::optional<double> used, const char* source) {
    if (!limit || *limit <= 0 || *limit > 1e18) return;  // "max", or v1's "unlimited" (a huge number)
    const double left = std::max(0.0, *limit - used.value_or(0));
    if (!best || left < best->bytes) best = MemoryAvailable{left, source};
  };
  consider(read_number("/sys/fs/cgroup/memory.max"), read_number("/sys/fs/cgroup/memory.current"),
           "the cgroup's memory.max");
  consider(read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
           read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes"), "the cgroup's memory.limit_in_bytes");
  return best;
}

std::string format_bytes(double bytes) {
  static const char* const kUnits[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
  std::size_t u = 0;
  while (bytes >= 1000 && u + 1 < std::size(kUnits)) {
    bytes /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} bytes", bytes) : fmt::format("{:.3g} {}", bytes, kUnits[u]);
}

void check_memory(const ExperimentSpec& spec, const MemoryNeed& need,
                  const std::optional<MemoryAvailable>& available, int threads) {
  if (!need.estimated || !available || need.peak_bytes <= available->bytes) return;
  const std::string threads_hint =
      need.concurrent > 1 && need.largest_task_bytes <= available->bytes
          ? fmt::format(", or use fewer threads (--threads {})",
                        std::max<std::size_t>(
                            1, static_cast<std::size_t>(available->bytes / need.largest_task_bytes)))
          : "";
  throw ConfigError(
      fmt::format("{}: not enough memory: the run needs about {} ({} site run(s) at once with {} thread(s); "
                  "the largest, site "
                  "'{}', about {}), and {} are available ({}); reduce {}{}",
                  spec.config_path, format_bytes(need.peak_bytes), need.concurrent, threads,
                  need.largest_site, format_bytes(need.largest_task_bytes), format_bytes(available->bytes),
                  available->source, need.reduce.empty() ? "the model's size" : need.reduce, threads_hint));
}

}  // namespace atc::sim
