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

}  // namespace

RunStats execute(const ExperimentSpec& spec, io::Sink& sink, const ExecOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const io::Layout layout = io::Layout::of(spec);
  RunStats stats;

  std::vector<Task> tasks;
  std::vector<std::size_t> runs;  // indices of the incomplete runs
  for (std::size_t index = 0; index < layout.run_count(); ++index) {
    const io::RunId run = layout.run_id(index);
    if (sink.run_complete(run)) {
      ++stats.runs_skipped;
      continue;
    }
    runs.push_back(index);
    const auto& params = spec.scenario_at(run.point, run.scenario).params;
    const bool coupled =
        spec.model->couple && layout.sites > 1 && (!spec.model->coupled || spec.model->coupled(params));
    if (coupled) {
      tasks.push_back({run, 0, layout.sites});
    } else {
      for (std::size_t site = 0; site < layout.sites; ++site) tasks.push_back({run, site, 1});
    }
  }
  std::vector<std::atomic<std::size_t>> remaining(layout.run_count());
  for (auto& r : remaining) r.store(layout.sites);

  Progress progress(options.progress, tasks.size() * static_cast<std::uint64_t>(spec.steps), runs.size());
  std::atomic<std::uint64_t> agent_steps{0};

  auto run_task = [&](const Task& task) {
    const ScenarioSpec& scenario = spec.scenario_at(task.run.point, task.run.scenario);
    const Parallel parallel(options.parallel_agents);
    std::vector<SiteRun> sites(task.site_count);
    // The sites of a coupled task are built (and warmed up) in parallel: each
    // is independent until the first exchange.
    parallel_indices(task.site_count, [&](std::size_t k) {
      SiteRun& sr = sites[k];
      sr.index = task.first_site + k;
      const SiteSpec& site = spec.site_at(task.run.point, sr.index);
      for (const auto& iv : scenario.interventions) {
        if (iv.applies_to(site.id)) sr.interventions.push_back(iv);
      }
      const ModelInit init{scenario.params,
                           site,
                           sr.interventions,
                           RngKey{spec.seed, static_cast<std::uint32_t>(task.run.replicate),
                                  static_cast<std::uint32_t>(sr.index)},
                           spec.steps,
                           spec.step_days,
                           parallel};
      sr.model = spec.model->create(init);
      sr.series.values.resize(layout.indicators.size());
      for (std::size_t i = 0; i < layout.indicators.size(); ++i) {
        sr.series.values[i].assign(layout.values_per_site(i), std::nan(""));
      }
      sr.recorder = std::make_unique<Recorder>(layout, sr.series);
      sr.recorder->record(*sr.model, 0, parallel);
      sr.agents = sr.model->agent_count();
    });
    const bool coupled = task.site_count > 1;
    std::vector<Model*> models;
    for (auto& sr : sites) models.push_back(sr.model.get());

    auto advance = [&](SiteRun& sr, std::int64_t step) {
      if (sr.finished) return;
      if (!coupled && sr.model->absorbed()) {
        // The absorbed state may differ from the last record (output.every > 1):
        // record it once, then repeat it.
        const std::size_t next = sr.last_record + 1;
        if (next < layout.steps.size()) {
          sr.recorder->record(*sr.model, next, parallel);
          sr.recorder->repeat_last(next, next + 1);
        }
        progress.add(static_cast<std::uint64_t>(spec.steps - step), 0);
        sr.finished = true;
        return;
      }
      sr.model->step(step, parallel);
      progress.add(1, sr.agents);
      agent_steps.fetch_add(sr.agents, std::memory_order_relaxed);
    };
    std::size_t next_record = 1;
    for (std::int64_t step = 0; step < spec.steps; ++step) {
      if (stop_requested().load(std::memory_order_relaxed)) throw Interrupted("interrupted");
      if (coupled) {
        // Sites step independently (in parallel), then exchange in a fixed order.
        parallel_indices(sites.size(), [&](std::size_t k) { advance(sites[k], step); });
        spec.model->couple(step, std::span<Model* const>(models), scenario.params);
      } else {
        advance(sites[0], step);
        if (sites[0].finished) break;
      }
      if (next_record < layout.steps.size() && layout.steps[next_record] == step + 1) {
        for (auto& sr : sites) {
          sr.recorder->record(*sr.model, next_record, parallel);
          sr.last_record = next_record;
        }
        ++next_record;
      }
    }
    for (auto& sr : sites) {
      sr.model.reset();
      sink.write_site(task.run, sr.index, sr.series);
      if (remaining[layout.run_index(task.run)].fetch_sub(1) == 1) {
        sink.complete_run(task.run);
        progress.run_done();
      }
    }
  };

  // One task per (scenario, replicate, site), each grain of one: runs are
  // coarse and uneven, and their results do not depend on where they run.
  parallel_indices(tasks.size(), [&](std::size_t i) { run_task(tasks[i]); });
  if (stop_requested().load()) throw Interrupted("interrupted");
  progress.finish();
  sink.finish();

  stats.runs_executed = runs.size();
  stats.agent_steps = agent_steps.load();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace atc::sim
