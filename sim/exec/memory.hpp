#pragma once
// An up-front memory check: the peak memory of a run, from each model's own
// estimate per site (ModelDescription::estimate_memory) and how many sites
// run at once, compared with what the machine can give (MemAvailable in
// /proc/meminfo, or a cgroup's memory.max if lower), so that a run that
// cannot fit is refused at once instead of being killed by the kernel after
// minutes of allocation.
#include <optional>
#include <string>

#include "sim/config/experiment.hpp"

namespace atc::sim {

struct MemoryNeed {
  bool estimated = false;  // false: the model declares no estimate
  double peak_bytes = 0;   // the largest `concurrent` tasks at once
  double largest_task_bytes = 0;
  std::size_t concurrent = 0;  // tasks in flight: min(threads, tasks)
  std::string largest_site;    // site id of the largest task ("several" for a coupled run)
  std::string reduce;          // what the model says to reduce, from the largest task
};

// The peak memory of running `spec` with `threads` worker threads: every
// (point, scenario, replicate) run is one task per site (or one task for all
// sites of a coupled run), except that the uncoupled scenarios of a point
// with identical parameters (of a model with interventions) share one task
// per (replicate, site) (sim/exec/sharing.hpp), which holds two models (the
// site built once and the copy being run); at most
// `threads` tasks are in flight, and the largest ones are assumed to meet.
// Each site also holds its recorded series.
MemoryNeed estimate_memory(const ExperimentSpec& spec, int threads);

struct MemoryAvailable {
  double bytes = 0;
  std::string source;  // e.g. "MemAvailable in /proc/meminfo"
};

// What this process may still allocate: the lower of MemAvailable and the
// cgroup v2 (memory.max - memory.current) or v1 limit; nullopt if unknown.
std::optional<MemoryAvailable> available_memory();

// "1.5 GB", "320 MB", "12 kB" (powers of 1,000, as free(1) -h does not).
std::string format_bytes(double bytes);

// Throws ConfigError (exit 2) when `need` exceeds `available`, naming the
// estimate, the largest site, what to reduce and --threads.
void check_memory(const ExperimentSpec& spec, const MemoryNeed& need,
                  const std::optional<MemoryAvailable>& available, int threads);

}  // namespace atc::sim
