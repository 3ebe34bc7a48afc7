#include "sim/exec/runner.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/exec/sharing.hpp"

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

// A task is one site of one or more runs, or every site of one run when the
// model couples its sites (they then advance in lockstep and exchange at step
// boundaries). The runs of an uncoupled task are the incomplete runs of one
// (point, replicate) whose scenarios have identical parameters: they differ
// only in their interventions, so the site is built (and warmed up) once for
// them all when the model can schedule other interventions on a copy
// (Model::with_interventions). Which runs are coupled and which share a
// build: sim/exec/sharing.hpp.
struct Task {
  std::vector<io::RunId> runs;  // one for a coupled task
  std::size_t first_site = 0;
  std::size_t site_count = 1;
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
  std::uint64_t runs = 0;       // incomplete runs, executed now
  std::uint64_t skipped = 0;    // already complete (resume)
  std::uint64_t site_runs = 0;  // (run, site) pairs to simulate
};

Plan plan(const ExperimentSpec& spec, const io::Layout& layout, const io::Sink& sink) {
  Plan out;
  // Per (point, replicate) and class of runs that share a build (indexed by
  // its first scenario, share_classes): its incomplete uncoupled runs, in run
  // order, so the plan does not depend on anything else.
  const std::size_t point_replicates = layout.points * layout.replicates;
  std::vector<std::vector<io::RunId>> classes(point_replicates * layout.scenarios);
  std::vector<std::vector<std::size_t>> shares(point_replicates);
  for (std::size_t index = 0; index < layout.run_count(); ++index) {
    const io::RunId run = layout.run_id(index);
    if (sink.run_complete(run)) {
      ++out.skipped;
      continue;
    }
    ++out.runs;
    out.site_runs += layout.sites;
    if (is_coupled(spec, spec.scenario_for(run.point, run.scenario, run.replicate).params)) {
      out.tasks.push_back({{run}, 0, layout.sites});
      continue;
    }
    const std::size_t of_replicate = run.point * layout.replicates + run.replicate;
    auto& share = shares[of_replicate];
    if (share.empty()) share = share_classes(spec, run.point, run.replicate);
    classes[of_replicate * layout.scenarios + share[run.scenario]].push_back(run);
  }
  // The sites of a (point, replicate) one after the other: its runs complete
  // together, one (point, replicate) after another.
  for (const auto& runs : classes) {
    if (runs.empty()) continue;
    for (std::size_t site = 0; site < layout.sites; ++site) out.tasks.push_back({runs, site, 1});
  }
  return out;
}

// The interventions of `scenario` that apply to `site`.
std::vector<InterventionSpec> interventions_at(const ScenarioSpec& scenario, const SiteSpec& site) {
  std::vector<InterventionSpec> out;
  for (const auto& iv : scenario.interventions) {
    if (iv.applies_to(site.id)) out.push_back(iv);
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
    const Parallel parallel(options_.parallel_agents);
    if (task.site_count > 1) {
      const io::RunId& run = task.runs.front();
      std::vector<SiteRun> sites = start(run, task.site_count, parallel);
      simulate(run, sites, parallel);
    } else {
      run_site(task, parallel);
    }
  }

  [[nodiscard]] std::uint64_t agent_steps() const { return agent_steps_.load(); }

 private:
  [[nodiscard]] const ScenarioSpec& scenario_of(const io::RunId& run) const {
    return spec_.scenario_for(run.point, run.scenario, run.replicate);
  }

  // Site `index` of `run`'s model, built with `interventions` (and warmed up).
  [[nodiscard]] std::unique_ptr<Model> build(const io::RunId& run, std::size_t index,
                                             std::span<const InterventionSpec> interventions,
                                             const Parallel& parallel) const {
    const ModelInit init{scenario_of(run).params,
                         spec_.site_for(run.point, index, run.replicate),
                         interventions,
                         RngKey{spec_.seed_at(run.point), static_cast<std::uint32_t>(run.replicate),
                                static_cast<std::uint32_t>(index)},
                         spec_.steps,
                         spec_.step_days,
                         parallel};
    return spec_.model->create(init);
  }

  // A site whose model is built: its series, and the record at time 0.
  void observe_start(SiteRun& sr, const Parallel& parallel) const {
    sr.series.values.resize(layout_.indicators.size());
    for (std::size_t i = 0; i < layout_.indicators.size(); ++i) {
      sr.series.values[i].assign(layout_.values_per_site(i), std::nan(""));
    }
    sr.recorder = std::make_unique<Recorder>(layout_, sr.series);
    sr.recorder->record(*sr.model, 0, parallel);
    sr.agents = sr.model->agent_count();
  }

  // The sites of a coupled run, built and observed at time 0, in parallel:
  // each is independent until the first exchange.
  std::vector<SiteRun> start(const io::RunId& run, std::size_t site_count, const Parallel& parallel) const {
    std::vector<SiteRun> sites(site_count);
    parallel_indices(site_count, [&](std::size_t k) {
      SiteRun& sr = sites[k];
      sr.index = k;
      sr.interventions = interventions_at(scenario_of(run), spec_.site_for(run.point, k, run.replicate));
      sr.model = build(run, k, sr.interventions, parallel);
      observe_start(sr, parallel);
    });
    return sites;
  }

  // One site of the runs of an uncoupled task, one run after the other. With
  // several runs the site is built once without interventions, and each run
  // takes a copy with its own (Model::with_interventions); the runs without
  // any come last, and the last one takes the built model itself. A model
  // that makes no copy is built again for each run that has interventions.
  void run_site(const Task& task, const Parallel& parallel) {
    const std::size_t index = task.first_site;
    std::vector<std::vector<InterventionSpec>> interventions;
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < task.runs.size(); ++k) {
      const io::RunId& run = task.runs[k];
      interventions.push_back(
          interventions_at(scenario_of(run), spec_.site_for(run.point, index, run.replicate)));
      order.push_back(k);
    }
    std::stable_partition(order.begin(), order.end(),
                          [&](std::size_t k) { return !interventions[k].empty(); });
    std::unique_ptr<Model> base;
    if (task.runs.size() > 1) base = build(task.runs.front(), index, {}, parallel);
    bool copies = base != nullptr;
    for (std::size_t position = 0; position < order.size(); ++position) {
      const std::size_t k = order[position];
      const bool last = position + 1 == order.size();
      std::vector<SiteRun> sites(1);
      SiteRun& sr = sites[0];
      sr.index = index;
      sr.interventions = std::move(interventions[k]);
      if (copies && !(last && sr.interventions.empty())) {
        sr.model = base->with_interventions(sr.interventions);
        copies = sr.model != nullptr;
      }
      if (!sr.model && base && sr.interventions.empty()) sr.model = std::exchange(base, nullptr);
      if (!sr.model) sr.model = build(task.runs[k], index, sr.interventions, parallel);
      if (last) base.reset();
      observe_start(sr, parallel);
      simulate(task.runs[k], sites, parallel);
    }
  }

  // Steps the sites of `run` (one, or all of a coupled run) from time 0,
  // records them, and hands their series to the sink.
  void simulate(const io::RunId& run, std::vector<SiteRun>& sites, const Parallel& parallel) {
    const ScenarioSpec& scenario = scenario_of(run);
    const bool coupled = sites.size() > 1;
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
      sink_.write_site(run, sr.index, sr.series);
      if (remaining_[layout_.run_index(run)].fetch_sub(1) == 1) {
        sink_.complete_run(run);
        progress_.run_done();
      }
    }
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

  Progress progress(options.progress, work.site_runs * static_cast<std::uint64_t>(spec.steps), work.runs);
  TaskRunner runner(spec, layout, options, sink, progress);
  // One task per site of a class of runs (or per coupled run), each grain of
  // one: tasks are coarse and uneven, and their results do not depend on
  // where they run.
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
