#pragma once
// Executes an experiment: every (scenario, replicate, site) is an independent
// task (all sites of a run together when the model couples them), except that
// the scenarios of a replicate with identical parameters share a task per
// site, which builds (and warms up) the site once and runs each scenario on a
// copy with its interventions (Model::with_interventions). Tasks run in
// parallel with oneTBB and write their results to a sink as they finish, so
// memory holds only the runs in flight.
#include <atomic>
#include <cstdint>

#include "sim/config/experiment.hpp"
#include "sim/exec/progress.hpp"
#include "sim/io/sink.hpp"

namespace atc::sim {

// Set from a signal handler to stop at the next step boundary.
std::atomic<bool>& stop_requested();

struct RunStats {
  std::uint64_t runs_executed = 0;  // (scenario, replicate) pairs run now
  std::uint64_t runs_skipped = 0;   // already complete (resume)
  std::uint64_t agent_steps = 0;
  double seconds = 0.0;
};

struct ExecOptions {
  Progress::Style progress = Progress::Style::Quiet;
  bool parallel_agents = true;  // parallelism inside a site, over agents
};

// Runs every incomplete run of `spec` into `sink`; calls sink.finish() at the
// end. Throws Interrupted if stop_requested() is set.
RunStats execute(const ExperimentSpec& spec, io::Sink& sink, const ExecOptions& options = {});

}  // namespace atc::sim
