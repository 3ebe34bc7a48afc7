#include "sim/exec/runner.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <fmt/format.h>
#include <chrono>
#include <cmath>
#include <memory>

#include "sim/core/error.hpp"

namespace atc::sim {

std::atomic<bool>& stop_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {

// Reads the recorded indicators of a site's model into its series.
class Recorder {
 public:
  Recorder(const io::Layout& layout, io::SiteSeries& series) : layout_(layout), series_(series) {}

  // The model's indicators at recorded time `time_index`.
  void record(Model& model, std::size_t time_index, Parallel parallel) {
    model.prepare_observation(parallel);
    for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
      const std::size_t e = layout_.extent[k];
      layout_.indicators[k]->read(model, std::span<double>(series_.values[k]).subspan(time_index * e, e));
    }
  }
  // Absorbed models stop stepping: later records repeat the last one.
  void repeat_last(std::size_t from, std::size_t to) {
    for (std::size_t k = 0; k < series_.values.size(); ++k) {
      const std::size_t e = layout_.extent[k];
      for (std::size_t t = to; t < layout_.steps.size(); ++t) {
        std::copy_n(series_.values[k].begin() + static_cast<std::ptrdiff_t>(from * e), e,
                    series_.values[k].begin() + static_cast<std::ptrdiff_t>(t * e));
      }
    }
  }

 private:
  const io::Layout& layout_;
  io::SiteSeries& series_;
};

// A task is one site of one run, or every site of a run when the model
// couples its sites (they then advance in lockstep and exchange at step
// boundaries).
struct Task {
  io::RunId run;
  std::size_t first_site;
  std::size_t site_count;
};

// One site being simulated inside a task.
struct SiteRun {
  std::size_t index = 0;
  std::vector<InterventionSpec> interventions;
  std::unique_ptr<Model> model;
  io::SiteSeries series;
  std::unique_ptr<Recorder> recorder;
  std::uint64_t agents = 0;
  std::size_t last_record = 0;
  bool finished = false;  // absorbed: later records repeat the last
};

// The incomplete runs of an experiment, split into tasks.
struct Plan {
  std::vector<Task> tasks;
  std::uint64_t runs = 0;     // incomplete runs, executed now
  std::uint64_t skipped = 0;  // already complete (resume)
};

Plan plan(const ExperimentSpec& spec, const io::Layout& layout, const io::Sink& sink) {
  Plan out;
  for (std::size_t index = 0; index < layout.run_count(); ++index) {
    const io::RunId run = layout.run_id(index);
    if (sink.run_complete(run)) {
      ++out.skipped;
      continue;
    }
    ++out.runs;
    const auto& params = spec.scenario_for(run.point, run.scenario, run.replicate).params;
    const bool coupled =
        spec.model->couple && layout.sites > 1 && (!spec.model->coupled || spec.model->coupled(params));
    if (coupled) {
      out.tasks.push_back({run, 0, layout.sites});
    } else {
      for (std::size_t site = 0; site < layout.sites; ++site) out.tasks.push_back({run, site, 1});
    }
  }
  return out;
}

// Runs tasks (from any thread): builds the models of a task's sites, steps
// them, records the indicators and hands each site's series to the sink,
// completing a run when its last site is written.
class TaskRunner {
 public:
  TaskRunner(const ExperimentSpec& spec, const io::Layout& layout, const ExecOptions& options, io::Sink& sink,
             Progress& progress)
      : spec_(spec),
        layout_(layout),
        options_(options),
        sink_(sink),
        progress_(progress),
        remaining_(layout.run_count()) {
    for (auto& r : remaining_) r.store(layout.sites);
  }

  void run(const Task& task) {
    const ScenarioSpec& scenario = spec_.scenario_for(task.run.point, task.run.scenario, task.run.replicate);
    const Parallel parallel(options_.parallel_agents);
    std::vector<SiteRun> sites = start(task, scenario, parallel);
    const bool coupled = task.site_count > 1;
    std::vector<Model*> models;
    for (auto& sr : sites) models.push_back(sr.model.get());

    std::size_t next_record = 1;
    for (std::int64_t step = 0; step < spec_.steps; ++step) {
      if (stop_requested().load(std::memory_order_relaxed)) throw Interrupted("interrupted");
      if (coupled) {
        // Sites step independently (in parallel), then exchange in a fixed order.
        parallel_indices(sites.size(), [&](std::size_t k) { advance(sites[k], step, coupled, parallel); });
        spec_.model->couple(step, std::span<Model* const>(models), scenario.params);
      } else {
        advance(sites[0], step, coupled, parallel);
        if (sites[0].finished) break;
      }
      if (next_record < layout_.steps.size() && layout_.steps[next_record] == step + 1) {
        for (auto& sr : sites) {
          sr.recorder->record(*sr.model, next_record, parallel);
          sr.last_record = next_record;
        }
        ++next_record;
      }
    }
    for (auto& sr : sites) {
      sr.model.reset();
      sink_.write_site(task.run, sr.index, sr.series);
      if (remaining_[layout_.run_index(task.run)].fetch_sub(1) == 1) {
        sink_.complete_run(task.run);
        progress_.run_done();
      }
    }
  }

  [[nodiscard]] std::uint64_t agent_steps() const { return agent_steps_.load(); }

 private:
  // The sites of a task, built and observed at time 0. The sites of a coupled
  // task are built (and warmed up) in parallel: each is independent until the
  // first exchange.
  std::vector<SiteRun> start(const Task& task, const ScenarioSpec& scenario, const Parallel& parallel) const {
    std::vector<SiteRun> sites(task.site_count);
    parallel_indices(task.site_count, [&](std::size_t k) {
      SiteRun& sr = sites[k];
      sr.index = task.first_site + k;
      const SiteSpec& site = spec_.site_for(task.run.point, sr.index, task.run.replicate);
      for (const auto& iv : scenario.interventions) {
        if (iv.applies_to(site.id)) sr.interventions.push_back(iv);
      }
      const ModelInit init{
          scenario.params,
          site,
          sr.interventions,
          RngKey{spec_.seed_at(task.run.point), static_cast<std::uint32_t>(task.run.replicate),
                 static_cast<std::uint32_t>(sr.index)},
          spec_.steps,
          spec_.step_days,
          parallel};
      sr.model = spec_.model->create(init);
      sr.series.values.resize(layout_.indicators.size());
      for (std::size_t i = 0; i < layout_.indicators.size(); ++i) {
        sr.series.values[i].assign(layout_.values_per_site(i), std::nan(""));
      }
      sr.recorder = std::make_unique<Recorder>(layout_, sr.series);
      sr.recorder->record(*sr.model, 0, parallel);
      sr.agents = sr.model->agent_count();
    });
    return sites;
  }

  // One step of one site, unless it is finished; an uncoupled site that is
  // absorbed is recorded once more and finishes.
  void advance(SiteRun& sr, std::int64_t step, bool coupled, const Parallel& parallel) {
    if (sr.finished) return;
    if (!coupled && sr.model->absorbed()) {
      // The absorbed state may differ from the last record (output.every > 1):
      // record it once, then repeat it.
      const std::size_t next = sr.last_record + 1;
      if (next < layout_.steps.size()) {
        sr.recorder->record(*sr.model, next, parallel);
        sr.recorder->repeat_last(next, next + 1);
      }
      progress_.add(static_cast<std::uint64_t>(spec_.steps - step), 0);
      sr.finished = true;
      return;
    }
    sr.model->step(step, parallel);
    progress_.add(1, sr.agents);
    agent_steps_.fetch_add(sr.agents, std::memory_order_relaxed);
  }

  const ExperimentSpec& spec_;
  const io::Layout& layout_;
  const ExecOptions& options_;
  io::Sink& sink_;
  Progress& progress_;
  std::vector<std::atomic<std::size_t>> remaining_;  // sites still to write, per run
  std::atomic<std::uint64_t> agent_steps_{0};
};

}  // namespace

RunStats execute(const ExperimentSpec& spec, io::Sink& sink, const ExecOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const io::Layout layout = io::Layout::of(spec);
  const Plan work = plan(spec, layout, sink);
  RunStats stats;
  stats.runs_skipped = work.skipped;

  Progress progress(options.progress, work.tasks.size() * static_cast<std::uint64_t>(spec.steps), work.runs);
  TaskRunner runner(spec, layout, options, sink, progress);
  // One task per (scenario, replicate, site), each grain of one: runs are
  // coarse and uneven, and their results do not depend on where they run.
  parallel_indices(work.tasks.size(), [&](std::size_t i) { runner.run(work.tasks[i]); });
  if (stop_requested().load()) throw Interrupted("interrupted");
  progress.finish();
  sink.finish();

  stats.runs_executed = work.runs;
  stats.agent_steps = runner.agent_steps();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace atc::sim
