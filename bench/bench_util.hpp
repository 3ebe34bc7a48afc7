#pragma once
// Helpers shared by the benchmark programs: wall time, peak memory, running
// a model in memory without any output file, timing a whole process, and
// printing a figure against its goal.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
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

// CPU time (user + system) of this process so far, all threads, in seconds.
// On a shared machine this is what a computation costs, whatever the load;
// a parallel section's CPU time also counts its threads' overhead.
inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// How a figure compares with its goal.
enum class Goal { kAtMost, kAtLeast, kNone };

// Prints one figure, on one line that scripts/bench_results.py collects into
// bench/results.md:
//   figure | NAME | VALUE UNIT | goal <= GOAL UNIT | ratio R (met)
// The ratio is goal / value for an upper bound and value / goal for a lower
// bound, so that >= 1 always means the goal is met.
inline void figure(std::string_view name, double value, std::string_view unit, Goal kind = Goal::kNone,
                   double goal = 0.0) {
  const auto n = static_cast<int>(name.size());
  const auto u = static_cast<int>(unit.size());
  if (kind == Goal::kNone) {
    std::printf("figure | %.*s | %.4g %.*s | - | -\n", n, name.data(), value, u, unit.data());
  } else {
    const double ratio = kind == Goal::kAtMost ? goal / value : value / goal;
    std::printf("figure | %.*s | %.4g %.*s | goal %s %.4g %.*s | ratio %.2f (%s)\n", n, name.data(), value, u,
                unit.data(), kind == Goal::kAtMost ? "<=" : ">=", goal, u, unit.data(), ratio,
                ratio >= 1.0 ? "met" : "not met");
  }
  std::fflush(stdout);
}

struct ProcessTiming {
  double wall_seconds = 0;
  double cpu_seconds = 0;   // user + system time of the child
  double peak_rss_mib = 0;  // the child's peak resident memory
};

// Runs `args` (args[0] is the program; its stdout discarded, its stderr
// inherited) and waits: wall time from spawn to exit, the child's CPU
// time and its peak memory. Throws if it cannot be started or does not exit with 0.
// With `stderr_path`, the child's stderr goes to that file instead.
inline ProcessTiming time_process(const std::vector<std::string>& args, const std::string& stderr_path = "") {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (!stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  std::fflush(nullptr);
  const double t0 = now_seconds();
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + args[0]);
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) throw std::runtime_error("wait4 failed for " + args[0]);
  const double t1 = now_seconds();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(args[0] + " failed");
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return {t1 - t0, seconds(usage.ru_utime) + seconds(usage.ru_stime),
          static_cast<double>(usage.ru_maxrss) / 1024.0};
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
