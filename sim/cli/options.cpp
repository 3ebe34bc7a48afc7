#include "sim/cli/options.hpp"

#include <oneapi/tbb/info.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "sim/config/toml_reader.hpp"
#include "sim/core/text.hpp"

namespace atc::cli {

namespace {

constexpr long kMaxThreads = 65536;

long parse_count(const std::string& option, const std::string& text, long min, long max) {
  try {
    std::size_t used = 0;
    const long v = std::stol(text, &used);
    if (used != text.size() || v < min || v > max) throw std::invalid_argument("range");
    return v;
  } catch (const std::exception&) {
    if (max == std::numeric_limits<long>::max()) {
      throw UsageError(fmt::format("{}: expected an integer >= {}, got '{}'", option, min, text));
    }
    throw UsageError(fmt::format("{}: expected an integer from {} to {}, got '{}'", option, min, max, text));
  }
}

// One command-line option. `value` names its argument ("" for a flag);
// `commands` are those that take it (empty: every command).
struct Option {
  std::string name;
  std::string short_name;
  std::string value;
  bool repeatable = false;
  std::vector<std::string> commands;
  std::string help;  // '\n' starts a continuation line
  void (*apply)(Args& args, const std::string& name, const std::string& value) = nullptr;

  [[nodiscard]] bool applies_to(const std::string& command) const {
    return commands.empty() || std::find(commands.begin(), commands.end(), command) != commands.end();
  }
  [[nodiscard]] bool named(const std::string& arg) const {
    return arg == name || (!short_name.empty() && arg == short_name);
  }
};

const std::vector<Option>& option_table() {
  static const std::vector<Option> kOptions{
      {"--output",
       "-o",
       "PATH",
       false,
       {"run", "validate"},
       "output file (overrides output.path)",
       [](Args& a, const std::string&, const std::string& v) { a.output = v; }},
      {"--threads",
       "",
       "N",
       false,
       {"run"},
       "worker threads per process (default: all cores); results do not depend on N",
       [](Args& a, const std::string& n, const std::string& v) {
         a.threads = static_cast<int>(parse_count(n, v, 1, kMaxThreads));
       }},
      {"--set",
       "",
       "key.path=VALUE",
       true,
       {"run", "validate"},
       "override a config value, e.g. --set model.phi=0.2\n"
       "(TOML syntax; scenario.NAME.model.x addresses a scenario)",
       [](Args& a, const std::string&, const std::string& v) { a.overrides.push_back(v); }},
      {"--scenario",
       "",
       "NAME",
       true,
       {"run", "validate"},
       "run only scenario NAME (repeat for more); the other scenarios, and the\n"
       "contrasts that need them, are left out of the run and its output",
       [](Args& a, const std::string&, const std::string& v) { a.scenarios.push_back(v); }},
      {"--replicates",
       "",
       "R",
       false,
       {"run", "validate"},
       "override experiment.replicates",
       [](Args& a, const std::string& n, const std::string& v) {
         a.replicates = parse_count(n, v, 1, std::numeric_limits<long>::max());
       }},
      {"--allow-unmatched",
       "",
       "",
       false,
       {"run", "validate"},
       "rows of a [sites] overrides table that match no site's code are a warning,\n"
       "not an error",
       [](Args& a, const std::string&, const std::string&) { a.allow_unmatched = true; }},
      {"--posterior",
       "",
       "FILE",
       false,
       {"run", "validate"},
       "run from a calibration's posterior: each replicate draws one parameter\n"
       "set from FILE (sets posterior.path; see docs/calibration.md)",
       [](Args& a, const std::string&, const std::string& v) { a.posterior = v; }},
      {"--resume",
       "",
       "",
       false,
       {"run"},
       "continue an interrupted run from its journal, OUT.h5.journal",
       [](Args& a, const std::string&, const std::string&) { a.resume = true; }},
      {"--quiet",
       "-q",
       "",
       false,
       {"run"},
       "no progress display",
       [](Args& a, const std::string&, const std::string&) { a.quiet = true; }},
      {"--resolved",
       "",
       "",
       false,
       {"validate"},
       "print the whole resolved config (every default written out) instead of\n"
       "the summary",
       [](Args& a, const std::string&, const std::string&) { a.resolved = true; }},
      {"--markdown",
       "",
       "",
       false,
       {"describe"},
       "Markdown tables (as in docs/ODD.md)",
       [](Args& a, const std::string&, const std::string&) { a.markdown = true; }},
      {"--help",
       "-h",
       "",
       false,
       {},
       "this help",
       [](Args& a, const std::string&, const std::string&) { a.help = true; }},
  };
  return kOptions;
}

const Option* find_option(const std::string& arg) {
  for (const auto& o : option_table()) {
    if (o.named(arg)) return &o;
  }
  return nullptr;
}

std::string with_value(const Option& o, const std::string& name) {
  return o.value.empty() ? name : name + " " + o.value;
}

}  // namespace

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> kCommands{"run", "validate", "describe", "info"};
  return kCommands;
}

Args parse(const std::vector<std::string>& argv) {
  Args a;
  std::size_t i = 1;
  if (i < argv.size()) a.command = argv[i++];
  const auto& commands = command_names();
  const bool known_command = std::find(commands.begin(), commands.end(), a.command) != commands.end();
  while (i < argv.size()) {
    std::string arg = argv[i++];
    if (arg.size() < 2 || arg[0] != '-') {
      a.positional.push_back(arg);
      continue;
    }
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
      inline_value = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
    }
    const Option* option = find_option(arg);
    if (option == nullptr) {
      std::vector<std::string> names;
      for (const auto& o : option_table()) names.push_back(o.name);
      throw UsageError(fmt::format("unknown option '{}'{}", arg, did_you_mean(arg, names)));
    }
    // An unknown command is reported by the caller, with its own suggestions.
    if (known_command && !option->applies_to(a.command)) {
      throw UsageError(fmt::format("{}: not an option of '{}'", option->name, a.command));
    }
    std::string value;
    if (!option->value.empty()) {
      if (inline_value) {
        value = *inline_value;
      } else if (i < argv.size()) {
        value = argv[i++];
      } else {
        throw UsageError(fmt::format("{} needs a value", option->name));
      }
    } else if (inline_value) {
      throw UsageError(fmt::format("{} takes no value", option->name));
    }
    option->apply(a, option->name, value);
  }
  return a;
}

std::string synopsis(const std::string& command) {
  std::string out;
  for (const auto& o : option_table()) {
    if (o.name == "--help" || !o.applies_to(command)) continue;
    out += fmt::format(" [{}]{}", with_value(o, o.short_name.empty() ? o.name : o.short_name),
                       o.repeatable ? "..." : "");
  }
  return out;
}

std::string options_help(const std::string& command) {
  std::string out = "options:\n";
  for (const auto& o : option_table()) {
    if (!o.applies_to(command)) continue;
    const std::string names = with_value(o, o.short_name.empty() ? o.name : o.short_name + ", " + o.name);
    std::string help = o.help;
    for (std::size_t p = help.find('\n'); p != std::string::npos; p = help.find('\n', p + 1)) {
      help.insert(p + 1, std::string(24, ' '));
    }
    out += fmt::format("  {:<20}  {}\n", names, help);
  }
  return out;
}

sim::LoadOptions load_options(const Args& a) {
  sim::LoadOptions o;
  o.overrides = a.overrides;
  o.override_origins.assign(a.overrides.size(), "");
  if (a.output) {
    o.overrides.push_back("output.path=" + sim::toml_quote(*a.output));
    o.override_origins.push_back("-o " + *a.output);
  }
  if (a.replicates) {
    o.overrides.push_back(fmt::format("experiment.replicates={}", *a.replicates));
    o.override_origins.push_back(fmt::format("--replicates {}", *a.replicates));
  }
  // Relative to the current directory, as -o is (a config's posterior.path is relative to the config).
  if (a.posterior) {
    o.overrides.push_back(
        "posterior.path=" +
        sim::toml_quote(std::filesystem::absolute(*a.posterior).lexically_normal().string()));
    o.override_origins.push_back("--posterior " + *a.posterior);
  }
  o.allow_unmatched = a.allow_unmatched;
  o.scenarios = a.scenarios;
  return o;
}

void print_warnings(const sim::ExperimentSpec& spec, const std::string& program) {
  for (const auto& w : spec.warnings) std::fprintf(stderr, "%s: warning: %s\n", program.c_str(), w.c_str());
}

std::string one_config(const Args& a, const std::string& help) {
  if (a.positional.size() != 1) {
    throw UsageError(fmt::format("expected one config file, got {}\n\n{}", a.positional.size(), help));
  }
  return a.positional[0];
}

int thread_count(const Args& a) {
  return a.threads.value_or(oneapi::tbb::info::default_concurrency());
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

}  // namespace atc::cli
