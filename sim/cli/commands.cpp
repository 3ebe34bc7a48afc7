#include "sim/cli/commands.hpp"

#include "sim/cli/analysis_commands.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <fmt/format.h>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include "atc/version.hpp"
#include "models/registry.hpp"
#include "sim/cli/options.hpp"
#include "sim/cli/resume_hint.hpp"
#include "sim/cli/signals.hpp"
#include "sim/config/experiment.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/date.hpp"
#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "sim/core/text.hpp"
#include "sim/exec/envelope.hpp"
#include "sim/exec/interrupt.hpp"
#include "sim/exec/isolated.hpp"
#include "sim/exec/memory.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/info.hpp"
#include "sim/io/writer.hpp"

namespace atc::cli {

namespace {

std::string usage() {
  return fmt::format(R"(atcsim - parallel agent-based simulator of territorial cooperation

usage:
  atcsim run CONFIG.toml{}
  atcsim validate CONFIG.toml{}
  atcsim describe [MODEL]{}
  atcsim info OUT.h5
  atcsim report OUT.h5 [-o REPORT.html] [--at DATE] [--lang fr|en] ...
  atcsim export OUT.h5 -o FILE.csv[.gz] [--format csv|behaviorspace]
  atcsim calibrate CALIBRATION.toml [-o POSTERIOR.nc] [--resume]
  atcsim --version | --help

commands:
  run        run an experiment and write its time series to HDF5
  validate   check a config (and overrides) without running anything
  describe   list models, or one model's parameters, indicators and interventions
  info       summarise a result file
  report     the evaluator's HTML report of a result file (analysis package)
  export     a result file as CSV tables for spreadsheets, R or BehaviorSpace users
  calibrate  fit parameters to published figures (docs/calibration.md)
             (report, export, calibrate: the Python analysis package; `atcsim report --help`)

`atcsim COMMAND --help` explains a command's options.
exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted
)",
                     synopsis("run"), synopsis("validate"), synopsis("describe"));
}

std::string run_help() {
  return R"(usage: atcsim run CONFIG.toml [options]

Runs every scenario x replicate x site of the experiment in CONFIG.toml and
writes one HDF5 file (netCDF-4/CF). Each completed run is first kept in the
journal OUT.h5.journal (what --resume continues from); when every run is
complete the file is written as OUT.h5.partial and renamed to OUT.h5.

)" + options_help("run");
}

std::string validate_help() {
  return R"(usage: atcsim validate CONFIG.toml [options]

Checks the config and overrides exactly as `run` would, prints a short
summary of the experiment (model, sites, dates, runs, scenarios with their
interventions, contrasts, output) and runs nothing. With --resolved it prints
the fully resolved config instead: every default written out; running it
reproduces the experiment.

)" + options_help("validate");
}

std::string describe_help() {
  return R"(usage: atcsim describe [MODEL] [options]

Without MODEL: lists the models. With MODEL: its parameters (default, range,
unit, source), site fields, interventions and indicators.

)" + options_help("describe");
}

std::string info_help() {
  return R"(usage: atcsim info OUT.h5

Summarises a result file: what was run, with which version and seed, its
dimensions, variables, completeness and parameters. A file it cannot describe
(missing, not a regular file, empty, not HDF5, truncated, damaged, not an
atcsim result file, or of another output schema) is one line naming the file
and what is wrong, exit code 2.

)" + options_help("info");
}

// "R replicate(s)[ x P sweep points] = N runs" (after the scenarios have been named).
std::string runs_phrase(const sim::ExperimentSpec& spec) {
  return fmt::format("{} replicate(s){} = {} runs", spec.replicates,
                     spec.sweep ? fmt::format(" x {} sweep points", spec.point_count()) : "",
                     spec.scenarios.size() * static_cast<std::size_t>(spec.replicates) * spec.point_count());
}

std::string summary(const sim::ExperimentSpec& spec) {
  std::vector<std::string> scenarios;
  for (const auto& s : spec.scenarios) scenarios.push_back(s.name);
  return fmt::format(
      "experiment '{}': model {}, {} scenario(s) [{}] x {}, {} site(s), {} steps of {} day(s) from {}, seed "
      "{}, output {}",
      spec.name, spec.model->name, spec.scenarios.size(), join(scenarios, ", "), runs_phrase(spec),
      spec.sites.size(), spec.steps, spec.step_days, spec.start_date.iso(), spec.seed, spec.output.path);
}

// The date a step starts on.
std::string step_date(const sim::ExperimentSpec& spec, std::int64_t step) {
  return Date::from_days_since_epoch(spec.start_date.days_since_epoch() + step * spec.step_days).iso();
}

// A scenario's interventions on one line, e.g.
// "animator 2019-09-02 to 2021-12-27, lockdown 2020-03-16 to 2020-05-11 (sites: a, b)".
std::string timeline(const sim::ExperimentSpec& spec, const sim::ScenarioSpec& scenario) {
  if (scenario.interventions.empty()) return "no intervention";
  std::vector<std::string> parts;
  for (const auto& iv : scenario.interventions) {
    std::string part = iv.kind + " " + step_date(spec, iv.start_step);
    part += iv.end_step >= spec.steps ? " on" : " to " + step_date(spec, iv.end_step);
    if (!iv.sites.empty()) part += " (sites: " + join(iv.sites, ", ") + ")";
    parts.push_back(part);
  }
  return join(parts, ", ");
}

// The memory estimate with every core, and whether `run` would refuse it.
std::string memory_line(const sim::ExperimentSpec& spec) {
  const int threads = oneapi::tbb::info::default_concurrency();
  const sim::MemoryNeed need = sim::estimate_memory(spec, threads);
  if (!need.estimated) return "";
  const auto available = sim::available_memory();
  std::string verdict;
  if (available) {
    verdict = fmt::format("; {} available{}", sim::format_bytes(available->bytes),
                          need.peak_bytes > available->bytes ? ": `run` would refuse it" : "");
  }
  return fmt::format("memory:     about {} at peak with {} thread(s) (largest site {}: {}){}\n",
                     sim::format_bytes(need.peak_bytes), threads, need.largest_site,
                     sim::format_bytes(need.largest_task_bytes), verdict);
}

// What `atcsim validate` prints: the experiment in a screenful.
std::string validate_summary(const sim::ExperimentSpec& spec) {
  std::string out;
  out += fmt::format("experiment: {} (model {}, seed {})\n", spec.name, spec.model->name, spec.seed);
  std::map<std::string, int> per_network;
  std::vector<std::string> doubtful;
  for (const auto& site : spec.sites) {
    if (!site.network.empty()) ++per_network[site.network];
    if (site.identity != spec.model->site_schema.default_identity) {
      doubtful.push_back(fmt::format("{} ({})", site.id, site.identity));
    }
  }
  std::vector<std::string> networks;
  for (const auto& [network, n] : per_network) networks.push_back(fmt::format("{} {}", network, n));
  out += fmt::format("sites:      {}{}\n", spec.sites.size(),
                     networks.empty() ? "" : " (" + join(networks, ", ") + ")");
  if (!doubtful.empty()) out += fmt::format("            identity not confirmed: {}\n", join(doubtful, ", "));
  out += fmt::format("time:       {} steps of {} day(s), {} to {}\n", spec.steps, spec.step_days,
                     spec.start_date.iso(), step_date(spec, spec.steps));
  out += fmt::format("runs:       {} scenario(s) x {}\n", spec.scenarios.size(), runs_phrase(spec));
  std::size_t width = 0;
  for (const auto& sc : spec.scenarios) width = std::max(width, sc.name.size());
  out += "scenarios:  (intervention dates: first day active to first day no longer active)\n";
  for (const auto& sc : spec.scenarios)
    out += fmt::format("  {:<{}}  {}\n", sc.name, width, timeline(spec, sc));
  if (!spec.contrasts.empty()) {
    out += "contrasts:\n";
    std::size_t name_width = 0;
    for (const auto& c : spec.contrasts) name_width = std::max(name_width, c.name.size());
    for (const auto& c : spec.contrasts) {
      out += fmt::format("  {:<{}}  {} vs {}: {}{}\n", c.name, name_width, c.treatment, c.baseline,
                         c.question, c.at.empty() ? "" : fmt::format(" (measured on {})", c.at));
    }
  }
  out += fmt::format("output:     {}\n", spec.output.path);
  out += memory_line(spec);
  return out;
}

// After a run stopped early: OUT.h5.partial, a readable view of the completed
// runs (for `atcsim info` and the analysis package). Best effort: the journal
// keeps the runs whatever happens here (a full disk, a second Ctrl-C).
void write_view(io::Hdf5Sink& file) {
  try {
    file.write_partial_view();
  } catch (const Error&) {
    // Nothing to add: the error that stopped the run was reported.
  }
}

int cmd_run(const Args& a, const std::vector<std::string>& argv) {
  if (a.help) {
    std::fputs(run_help().c_str(), stdout);
    return 0;
  }
  const std::string config = one_config(a, run_help());
  const auto spec = sim::load_experiment(config, models::registry(), load_options(a));
  print_warnings(spec, "atcsim");
  const int threads = thread_count(a);
  sim::check_memory(spec, sim::estimate_memory(spec, threads), sim::available_memory(), threads);
  oneapi::tbb::global_control control(oneapi::tbb::global_control::max_allowed_parallelism,
                                      static_cast<std::size_t>(threads));
  if (!a.quiet) std::fprintf(stderr, "%s\n", summary(spec).c_str());

  // From here a first SIGINT/SIGTERM lets the journal be created or a run be
  // recorded whole (sim/cli/signals.hpp); before, it exits at once with
  // nothing written.
  const GracefulStop graceful;
  if (sim::stop_requested().load()) throw Interrupted("interrupted");
  if (!a.resume) create_parent_directories(spec.output.path);  // checked by the loader, created only now
  io::Hdf5Sink file(spec, io::FileMetadata{command_line(argv)}, a.resume);
  if (!file.notice().empty()) std::fprintf(stderr, "atcsim: %s\n", file.notice().c_str());
  // An earlier run's output stays in place until this run completes (it is
  // then replaced in one rename): an interruption leaves it beside this
  // run's journal, where it could be taken for this run's result.
  std::error_code exists_error;
  const bool earlier_output = std::filesystem::exists(spec.output.path, exists_error);
  if (earlier_output) {
    std::fprintf(stderr,
                 "atcsim: %s exists (an earlier run's output): it is replaced when this run completes\n",
                 spec.output.path.c_str());
  }
  const auto say_earlier_output_stays = [&] {
    if (earlier_output) {
      std::fprintf(stderr, "atcsim: %s is still the earlier run's output, not this run's\n",
                   spec.output.path.c_str());
    }
  };
  const io::Layout layout = io::Layout::of(spec);
  sim::EnvelopeCheck sink(spec, layout, file);
  if (a.resume && !a.quiet) {
    std::fprintf(stderr, "resuming: %zu run(s) already complete in %s\n", file.completed_runs(),
                 file.journal_path().c_str());
  }
  sim::ExecOptions exec;
  exec.progress = sim::Progress::detect_style(a.quiet);
  try {
    sim::throw_if_stop_requested();  // a signal while the journal was being created
    const auto stats = sim::execute(spec, sink, exec);
    ignore_stop_signals();  // execute() renamed the complete file into place
    std::printf(
        "wrote %s (%llu runs in %.1f s, %s agent-steps/s, %d thread(s))\n", spec.output.path.c_str(),
        static_cast<unsigned long long>(stats.runs_executed), stats.seconds,
        sim::format_rate(stats.seconds > 0 ? static_cast<double>(stats.agent_steps) / stats.seconds : 0)
            .c_str(),
        threads);
    sink.report(stderr);
  } catch (const Interrupted&) {
    write_view(file);
    std::fprintf(stderr,
                 "\natcsim: interrupted; %zu completed run(s) are kept in %s\n"
                 "continue with: %s\n",
                 file.completed_runs(), file.journal_path().c_str(), resume_command(argv).c_str());
    say_earlier_output_stays();
    return 130;
  } catch (const Error& e) {
    write_view(file);
    std::fprintf(stderr, "\natcsim: error: %s\ncompleted runs are kept in %s (continue with: %s)\n", e.what(),
                 file.journal_path().c_str(), resume_command(argv).c_str());
    say_earlier_output_stays();
    return 1;
  }
  return 0;
}

int cmd_validate(const Args& a) {
  if (a.help) {
    std::fputs(validate_help().c_str(), stdout);
    return 0;
  }
  const auto spec = sim::load_experiment(one_config(a, validate_help()), models::registry(), load_options(a));
  print_warnings(spec, "atcsim");
  if (a.resolved) {
    std::printf("# %s: valid; the resolved configuration:\n%s", spec.config_path.c_str(),
                spec.resolved_toml.c_str());
    return 0;
  }
  std::printf("%s: valid\n%s(`atcsim validate %s --resolved` prints the whole resolved config)\n",
              spec.config_path.c_str(), validate_summary(spec).c_str(), spec.config_path.c_str());
  return 0;
}

std::string range_text(const sim::ParamDecl& p) {
  if (!p.choices.empty()) return join(p.choices, " | ");
  std::string lo = p.min ? fmt::format("{}{}", p.min_exclusive ? "(" : "[", *p.min) : "(-inf";
  std::string hi = p.max ? fmt::format("{}{}", *p.max, p.max_exclusive ? ")" : "]") : "inf)";
  if (p.type == sim::ParamType::Boolean || p.type == sim::ParamType::String) return "";
  return lo + ", " + hi;
}

// A default the model picks at run time (a preset) is shown with its fallback.
std::string default_text(const sim::ParamDecl& p) {
  const std::string value = sim::format_value(p.default_value);
  return p.model_default ? fmt::format("preset, else {}", value) : value;
}

// Markdown table cells cannot contain a bare '|'.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

void print_params(const std::vector<sim::ParamDecl>& params, bool markdown) {
  if (markdown) {
    std::printf("| name | default | range | unit | source | meaning |\n|---|---|---|---|---|---|\n");
    for (const auto& p : params) {
      std::printf("| `%s` | %s | %s | %s | %s | %s |\n", p.name.c_str(), cell(default_text(p)).c_str(),
                  cell(range_text(p)).c_str(), cell(p.unit).c_str(), cell(p.source).c_str(),
                  cell(p.doc).c_str());
    }
    return;
  }
  for (const auto& p : params) {
    std::printf("  %-26s = %-12s %-16s %-10s %s\n", p.name.c_str(), default_text(p).c_str(),
                range_text(p).c_str(), p.unit == "1" ? "" : p.unit.c_str(), p.doc.c_str());
    if (p.source != "assumption") std::printf("  %-26s   source: %s\n", "", p.source.c_str());
    if (!p.aliases.empty()) {
      std::printf("  %-26s   CSV columns ([sites] overrides; %% = percent): %s\n", "",
                  join(p.aliases, ", ").c_str());
    }
  }
}

int cmd_describe(const Args& a) {
  if (a.help) {
    std::fputs(describe_help().c_str(), stdout);
    return 0;
  }
  const auto& reg = models::registry();
  if (a.positional.empty()) {
    std::printf("models:\n");
    for (const auto& name : reg.names())
      std::printf("  %-24s %s\n", name.c_str(), reg.get(name).summary.c_str());
    std::printf("\n`atcsim describe MODEL` lists a model's parameters and indicators.\n");
    return 0;
  }
  if (a.positional.size() > 1) throw UsageError("describe takes at most one model name");
  const auto& m = reg.get(a.positional[0]);
  const bool md = a.markdown;
  std::printf(md ? "## `%s`\n\n%s\n\n" : "%s: %s\n", m.name.c_str(), m.summary.c_str());
  if (!m.citation.empty()) std::printf(md ? "Source: %s\n\n" : "source: %s\n", m.citation.c_str());
  std::printf(md ? "Default: %lld steps of %d day(s).\n\n" : "default: %lld steps of %d day(s)\n",
              static_cast<long long>(m.default_steps), m.default_step_days);
  std::printf(md ? "### Parameters (`[model]`)\n\n" : "\nparameters ([model]):\n");
  print_params(m.params, md);
  if (!m.site_fields.empty()) {
    std::printf(md ? "\n### Site fields (`[[site]]`)\n\n" : "\nsite fields ([[site]]):\n");
    print_params(m.site_fields, md);
    if (!md) {
      const auto& schema = m.site_schema;
      std::printf(
          "  [sites] overrides: rows match a site's %s code in column %s; values taken are marked %s\n",
          schema.code_system.c_str(), join(schema.code_columns, " | ").c_str(),
          schema.override_provenance.c_str());
    }
  }
  for (const auto& iv : m.interventions) {
    std::printf(md ? "\n### Intervention `%s`\n\n%s\n\n" : "\nintervention '%s': %s\n", iv.kind.c_str(),
                iv.doc.c_str());
    print_params(iv.params, md);
  }
  std::printf(md ? "\n### Indicators\n\n| name | units | meaning |\n|---|---|---|\n" : "\nindicators:\n");
  for (const auto& ind : m.indicators) {
    const std::string dim = ind.extra_dimension.empty() ? "" : " (per " + ind.extra_dimension + ")";
    if (md) {
      std::printf("| `%s`%s | %s | %s |\n", ind.name.c_str(), dim.c_str(), cell(ind.units).c_str(),
                  cell(ind.description).c_str());
    } else {
      std::printf("  %-30s [%s]%s %s\n", ind.name.c_str(), ind.units.c_str(), dim.c_str(),
                  ind.description.c_str());
    }
  }
  return 0;
}

// CPU seconds `atcsim info` may spend reading a file (a valid one takes well
// under one); past them the file is taken to make the HDF5 library loop.
constexpr int kInfoCpuSeconds = 30;

int cmd_info(const Args& a) {
  if (a.help) {
    std::fputs(info_help().c_str(), stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError(fmt::format("expected one result file\n\n{}", info_help()));
  const std::string& path = a.positional[0];
  // Read in a child process: a damaged file can make the HDF5 library abort
  // or loop, which no catch survives (the analysis package does the same).
  const sim::IsolatedOutcome read = sim::run_isolated(
      [&](std::string& text) {
        try {
          text = io::describe_file(path);
          return 0;
        } catch (const ConfigError& e) {
          text = e.what();
          return 2;
        }
      },
      kInfoCpuSeconds);
  if (!read.finished && read.signal == SIGXCPU) {
    throw ConfigError(
        fmt::format("{}: damaged HDF5 file: reading it did not finish within {} s of CPU time (the "
                    "HDF5 library loops)",
                    path, kInfoCpuSeconds));
  }
  if (!read.finished) {
    throw ConfigError(fmt::format("{}: damaged HDF5 file: the HDF5 library crashed reading it ({})", path,
                                  sim::signal_name(read.signal)));
  }
  if (read.exit_code == 2) throw ConfigError(read.text);
  if (read.exit_code != 0) throw Error(read.text);
  std::fputs(read.text.c_str(), stdout);
  return 0;
}

}  // namespace

int main(const std::vector<std::string>& argv) {
  const auto& analysis = analysis_command_names();
  if (argv.size() > 1 && std::find(analysis.begin(), analysis.end(), argv[1]) != analysis.end()) {
    return run_analysis_command(argv);  // the package parses its own options
  }
  try {
    const Args a = parse(argv);
    if (a.command.empty() || a.command == "--help" || a.command == "-h" || a.command == "help") {
      std::fputs(usage().c_str(), a.command.empty() ? stderr : stdout);
      return a.command.empty() ? 2 : 0;
    }
    if (a.command == "--version") {
      std::printf("atcsim %s (commit %s)\n", kVersion, kGitCommit);
      return 0;
    }
    if (a.command == "run") return cmd_run(a, argv);
    if (a.command == "validate") return cmd_validate(a);
    if (a.command == "describe") return cmd_describe(a);
    if (a.command == "info") return cmd_info(a);
    auto commands = command_names();
    commands.insert(commands.end(), analysis.begin(), analysis.end());
    throw UsageError(fmt::format("unknown command '{}'{}; commands: {}", a.command,
                                 did_you_mean(a.command, commands), join(commands, ", ")));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "atcsim: %s\n", e.what());
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "atcsim: error: %s\n", e.what());
    return 2;
  } catch (const Interrupted&) {
    std::fprintf(stderr, "atcsim: interrupted\n");
    return 130;
  } catch (const Error& e) {
    std::fprintf(stderr, "atcsim: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr,
                 "atcsim: error: out of memory (try fewer threads, a smaller population_scale, or fewer "
                 "replicates)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atcsim: internal error: %s\n", e.what());
    return 1;
  }
}

}  // namespace atc::cli
