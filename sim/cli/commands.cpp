#include "sim/cli/commands.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <fmt/format.h>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include "atc/version.hpp"
#include "models/registry.hpp"
#include "sim/cli/signals.hpp"
#include "sim/config/experiment.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/text.hpp"
#include "sim/exec/interrupt.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/info.hpp"
#include "sim/io/writer.hpp"

namespace atc::cli {

namespace {

constexpr const char* kUsage = R"(atcsim - parallel agent-based simulator of territorial cooperation

usage:
  atcsim run CONFIG.toml [-o OUT.h5] [--threads N] [--set key=value]... [--replicates R]
                         [--resume] [--quiet]
  atcsim validate CONFIG.toml [--set key=value]...
  atcsim describe [MODEL] [--markdown]
  atcsim info OUT.h5
  atcsim --version | --help

commands:
  run        run an experiment and write its time series to HDF5
  validate   check a config (and overrides) without running anything
  describe   list models, or one model's parameters, indicators and interventions
  info       summarise a result file

`atcsim COMMAND --help` explains a command's options.
exit codes: 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted
)";

constexpr const char* kRunHelp = R"(usage: atcsim run CONFIG.toml [options]

Runs every scenario x replicate x site of the experiment in CONFIG.toml and
writes one HDF5 file (netCDF-4/CF). The file is written as OUT.h5.partial and
renamed to OUT.h5 only when every run is complete.

options:
  -o, --output PATH     output file (overrides output.path)
  --threads N           worker threads (default: all cores); results do not depend on N
  --set key.path=VALUE  override a config value, e.g. --set model.phi=0.2
                        (TOML syntax; scenario.NAME.model.x addresses a scenario)
  --replicates R        override experiment.replicates
  --resume              continue an interrupted run from OUT.h5.partial
  --quiet               no progress display
)";

constexpr const char* kValidateHelp = R"(usage: atcsim validate CONFIG.toml [--set key.path=VALUE]...

Checks the config and overrides exactly as `run` would, prints a summary of
the experiment and the fully resolved config, and runs nothing.
)";

constexpr const char* kDescribeHelp = R"(usage: atcsim describe [MODEL] [--markdown]

Without MODEL: lists the models. With MODEL: its parameters (default, range,
unit, source), site fields, interventions and indicators.
)";

constexpr const char* kInfoHelp = R"(usage: atcsim info OUT.h5

Summarises a result file: what was run, with which version and seed, its
dimensions, variables, completeness and parameters.
)";

class UsageError : public Error {
 public:
  using Error::Error;
};

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::vector<std::string> overrides;
  std::optional<std::string> output;
  std::optional<int> threads;
  std::optional<long> replicates;
  bool resume = false;
  bool quiet = false;
  bool help = false;
  bool markdown = false;
};

long parse_number(const std::string& option, const std::string& text, long min) {
  try {
    std::size_t used = 0;
    const long v = std::stol(text, &used);
    if (used != text.size() || v < min) throw std::invalid_argument("range");
    return v;
  } catch (const std::exception&) {
    throw UsageError(fmt::format("{}: expected an integer >= {}, got '{}'", option, min, text));
  }
}

Args parse(const std::vector<std::string>& argv) {
  Args a;
  std::size_t i = 1;
  if (i < argv.size()) a.command = argv[i++];
  auto value = [&](const std::string& option) -> std::string {
    if (i >= argv.size()) throw UsageError(fmt::format("{} needs a value", option));
    return argv[i++];
  };
  const std::vector<std::string> options{"--output", "--threads", "--set",  "--replicates",
                                         "--resume", "--quiet",   "--help", "--markdown"};
  while (i < argv.size()) {
    std::string arg = argv[i++];
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
      inline_value = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
    }
    auto get = [&](const std::string& option) { return inline_value ? *inline_value : value(option); };
    if (arg == "-o" || arg == "--output") {
      a.output = get("--output");
    } else if (arg == "--threads") {
      a.threads = static_cast<int>(parse_number("--threads", get("--threads"), 1));
    } else if (arg == "--set") {
      a.overrides.push_back(get("--set"));
    } else if (arg == "--replicates") {
      a.replicates = parse_number("--replicates", get("--replicates"), 1);
    } else if (arg == "--resume") {
      a.resume = true;
    } else if (arg == "--quiet" || arg == "-q") {
      a.quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      a.help = true;
    } else if (arg == "--markdown") {
      a.markdown = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      throw UsageError(fmt::format("unknown option '{}'{}", arg, did_you_mean(arg, options)));
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

sim::LoadOptions load_options(const Args& a) {
  sim::LoadOptions o;
  o.overrides = a.overrides;
  if (a.output) o.overrides.push_back("output.path=" + sim::toml_quote(*a.output));
  if (a.replicates) o.overrides.push_back(fmt::format("experiment.replicates={}", *a.replicates));
  return o;
}

std::string one_config(const Args& a, const char* help) {
  if (a.positional.size() != 1) {
    throw UsageError(fmt::format("expected one config file, got {}\n\n{}", a.positional.size(), help));
  }
  return a.positional[0];
}

std::string summary(const sim::ExperimentSpec& spec) {
  std::vector<std::string> scenarios;
  for (const auto& s : spec.scenarios) scenarios.push_back(s.name);
  const auto runs = spec.scenarios.size() * static_cast<std::size_t>(spec.replicates);
  return fmt::format(
      "experiment '{}': model {}, {} scenario(s) [{}] x {} replicate(s) = {} runs, {} site(s), {} steps of "
      "{} "
      "day(s) from {}, seed {}, output {}",
      spec.name, spec.model->name, spec.scenarios.size(), join(scenarios, ", "), spec.replicates, runs,
      spec.sites.size(), spec.steps, spec.step_days, spec.start_date.iso(), spec.seed, spec.output.path);
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (i) out += ' ';
    const bool plain = argv[i].find_first_of(" \"'\\$") == std::string::npos && !argv[i].empty();
    out += plain ? argv[i] : "'" + argv[i] + "'";
  }
  return out;
}

int cmd_run(const Args& a, const std::vector<std::string>& argv) {
  if (a.help) {
    std::fputs(kRunHelp, stdout);
    return 0;
  }
  const std::string config = one_config(a, kRunHelp);
  const auto spec = sim::load_experiment(config, models::registry(), load_options(a));
  const int threads = a.threads.value_or(oneapi::tbb::info::default_concurrency());
  oneapi::tbb::global_control control(oneapi::tbb::global_control::max_allowed_parallelism,
                                      static_cast<std::size_t>(threads));
  if (!a.quiet) std::fprintf(stderr, "%s\n", summary(spec).c_str());

  // From here a first SIGINT/SIGTERM lets the .partial be created or closed
  // whole (sim/cli/signals.hpp); before, it exits at once with nothing written.
  const GracefulStop graceful;
  if (sim::stop_requested().load()) throw Interrupted("interrupted");
  io::Hdf5Sink sink(spec, io::FileMetadata{command_line(argv)}, a.resume);
  if (a.resume && !a.quiet) {
    std::fprintf(stderr, "resuming: %zu run(s) already complete in %s\n", sink.completed_runs(),
                 sink.partial_path().c_str());
  }
  sim::ExecOptions exec;
  exec.progress = sim::Progress::detect_style(a.quiet);
  try {
    sim::throw_if_stop_requested();  // a signal while the .partial was being created
    const auto stats = sim::execute(spec, sink, exec);
    std::printf(
        "wrote %s (%llu runs in %.1f s, %s agent-steps/s, %d thread(s))\n", spec.output.path.c_str(),
        static_cast<unsigned long long>(stats.runs_executed), stats.seconds,
        sim::format_rate(stats.seconds > 0 ? static_cast<double>(stats.agent_steps) / stats.seconds : 0)
            .c_str(),
        threads);
  } catch (const Interrupted&) {
    std::fprintf(stderr,
                 "\natcsim: interrupted; %zu completed run(s) are kept in %s\n"
                 "continue with: atcsim run %s --resume\n",
                 sink.completed_runs(), sink.partial_path().c_str(), config.c_str());
    return 130;
  } catch (const Error& e) {
    std::fprintf(stderr, "\natcsim: error: %s\ncompleted runs are kept in %s (continue with --resume)\n",
                 e.what(), sink.partial_path().c_str());
    return 1;
  }
  return 0;
}

int cmd_validate(const Args& a) {
  if (a.help) {
    std::fputs(kValidateHelp, stdout);
    return 0;
  }
  const auto spec = sim::load_experiment(one_config(a, kValidateHelp), models::registry(), load_options(a));
  std::printf("%s: valid\n%s\n\n# resolved configuration\n%s", spec.config_path.c_str(),
              summary(spec).c_str(), spec.resolved_toml.c_str());
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
    std::fputs(kDescribeHelp, stdout);
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

int cmd_info(const Args& a) {
  if (a.help) {
    std::fputs(kInfoHelp, stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError(fmt::format("expected one result file\n\n{}", kInfoHelp));
  std::fputs(io::describe_file(a.positional[0]).c_str(), stdout);
  return 0;
}

}  // namespace

int main(const std::vector<std::string>& argv) {
  try {
    const Args a = parse(argv);
    if (a.command.empty() || a.command == "--help" || a.command == "-h" || a.command == "help") {
      std::fputs(kUsage, a.command.empty() ? stderr : stdout);
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
    const std::vector<std::string> commands{"run", "validate", "describe", "info"};
    throw UsageError(fmt::format("unknown command '{}'{}; commands: run, validate, describe, info", a.command,
                                 did_you_mean(a.command, commands)));
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
