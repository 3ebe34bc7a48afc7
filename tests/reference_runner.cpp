// Generic replay of published results: one TOML file per canonical model in
// tests/reference/ says which parameters to run, how many replicates, which
// statistic of which indicator to compute and the range it must fall in.
// Adding a model's reference means adding a data file, not code.
//
//   reference_runner tests/reference/deffuant.toml [--threads N] [--quiet]
//
// Exit status: 0 every check passes, 1 a check fails, 2 the reference file (or
// the config generated from it) is invalid.
//
// Reference file format
// ---------------------
//   model = "canonical/NAME"          registered model
//   citation = "..."                  the paper
//   result = "..."                    what the paper reports
//   why_tolerance = "..."             why the bounds are what they are
//   [base]                            model parameters for every check, plus the
//                                     experiment keys steps, replicates, seed, every
//   [[check]]
//   set = { param = value, ... }      model parameters of this check (optional)
//   indicator = "NAME"                a declared indicator of the model
//   statistic = "final_mean"          see below
//   min = 1.5                         inclusive bounds (at least one of them)
//   max = 2.5
//   threshold = 0.1                   for fraction_at_least / fraction_at_most
//   from_step = 400                   for window_mean (recorded steps in
//   to_step = 500                     [from_step, to_step], inclusive)
//   role = "reproduce"                or "contrast": a deliberately wrong variant
//                                     that must land outside the published range
//   note = "..."                      shown with the result
//   steps / replicates / seed / every optional per-check experiment overrides
//
// Statistics, computed over the replicates of the check:
//   final_mean          mean of the final value            (+- its standard error)
//   final_min/final_max smallest/largest final value
//   fraction_at_least   share of replicates whose final value >= threshold (+- binomial SE)
//   fraction_at_most    share of replicates whose final value <= threshold
//   window_mean         mean over replicates of the mean over the recorded steps in the window
//
// Checks that share (steps, replicates, seed, every) run as the scenarios of
// one experiment, built by sim::load_experiment from a generated config (so
// the same validation as `atcsim run` applies) and executed by sim::execute
// into an in-memory sink: replicates and scenarios run in parallel.
#include <oneapi/tbb/global_control.h>
#include <unistd.h>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"
#include "sim/core/text.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/sink.hpp"

namespace {

namespace fs = std::filesystem;
using atc::ConfigError;

const std::vector<std::string> kExperimentKeys{"steps", "replicates", "seed", "every"};
const std::vector<std::string> kStatistics{"final_mean",        "final_min",        "final_max",
                                           "fraction_at_least", "fraction_at_most", "window_mean"};

struct RunKeys {
  std::int64_t steps = 0;
  std::int64_t replicates = 1;
  std::int64_t seed = 1;
  std::int64_t every = 1;
  auto operator<=>(const RunKeys&) const = default;
};

struct Check {
  std::size_t number = 0;  // 1-based, as in the file
  toml::table set;
  std::string set_text;  // canonical text of `set`, to share runs
  std::string indicator;
  std::string statistic;
  std::optional<double> min;
  std::optional<double> max;
  std::optional<double> threshold;
  std::optional<std::int64_t> from_step;
  std::optional<std::int64_t> to_step;
  std::string role = "reproduce";
  std::string note;
  RunKeys run;
  // Results.
  double value = NAN;
  double se = NAN;
  bool pass = false;
};

struct Reference {
  std::string path;
  std::string model;
  std::string citation;
  std::string result;
  std::string why_tolerance;
  toml::table base_params;
  RunKeys base_run;
  std::vector<Check> checks;
};

[[noreturn]] void bad(const std::string& where, const std::string& message) {
  throw ConfigError(fmt::format("{}: {}", where, message));
}

void check_keys(const toml::table& t, const std::vector<std::string>& allowed, const std::string& where) {
  for (const auto& [key, node] : t) {
    const std::string k(key.str());
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      bad(where, fmt::format("unknown key '{}'{}; valid keys: {}", k, atc::did_you_mean(k, allowed),
                             atc::join(allowed, ", ")));
    }
  }
}

std::string required_string(const toml::table& t, const std::string& key, const std::string& where) {
  const auto v = t[key].value<std::string>();
  if (!v || v->empty()) bad(where, fmt::format("'{}' must be a non-empty string", key));
  return *v;
}

std::optional<double> number(const toml::table& t, const std::string& key, const std::string& where) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  if (node->is_integer()) return static_cast<double>(*node->value<std::int64_t>());
  if (node->is_floating_point()) return *node->value<double>();
  bad(where, fmt::format("'{}' must be a number", key));
}

std::optional<std::int64_t> integer(const toml::table& t, const std::string& key, const std::string& where) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) bad(where, fmt::format("'{}' must be an integer", key));
  return *node->value<std::int64_t>();
}

RunKeys run_keys(const toml::table& t, RunKeys defaults, const std::string& where) {
  RunKeys r = defaults;
  if (auto v = integer(t, "steps", where)) r.steps = *v;
  if (auto v = integer(t, "replicates", where)) r.replicates = *v;
  if (auto v = integer(t, "seed", where)) r.seed = *v;
  if (auto v = integer(t, "every", where)) r.every = *v;
  if (r.steps < 1 || r.replicates < 1 || r.every < 1 || r.seed < 0) {
    bad(where, "steps, replicates and every must be >= 1 and seed >= 0");
  }
  return r;
}

std::string text_of(const toml::table& t) {
  std::ostringstream out;
  out << toml::toml_formatter(t, toml::format_flags::none);
  return out.str();
}

Reference read_reference(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    bad(fmt::format("{}:{}:{}", path, e.source().begin.line, e.source().begin.column),
        fmt::format("syntax error: {}", e.description()));
  }
  Reference ref;
  ref.path = path;
  check_keys(root, {"model", "citation", "result", "why_tolerance", "base", "check"}, path);
  ref.model = required_string(root, "model", path);
  ref.citation = required_string(root, "citation", path);
  ref.result = required_string(root, "result", path);
  ref.why_tolerance = required_string(root, "why_tolerance", path);
  const auto* model = atc::models::registry().find(ref.model);
  if (model == nullptr) bad(path, fmt::format("unknown model '{}'", ref.model));

  const toml::table* base = root["base"].as_table();
  if (base == nullptr) bad(path, "missing table [base]");
  ref.base_run = run_keys(*base, RunKeys{model->default_steps, 1, 1, 1}, path + ": [base]");
  for (const auto& [key, node] : *base) {
    const std::string k(key.str());
    if (std::find(kExperimentKeys.begin(), kExperimentKeys.end(), k) == kExperimentKeys.end()) {
      ref.base_params.insert(k, node);
    }
  }

  const toml::array* checks = root["check"].as_array();
  if (checks == nullptr || checks->empty() || !checks->is_array_of_tables()) {
    bad(path, "expected at least one [[check]]");
  }
  for (std::size_t k = 0; k < checks->size(); ++k) {
    const auto& t = *checks->get(k)->as_table();
    const std::string where = fmt::format("{}: check {}", path, k + 1);
    check_keys(t,
               {"set", "indicator", "statistic", "min", "max", "threshold", "from_step", "to_step", "role",
                "note", "steps", "replicates", "seed", "every"},
               where);
    Check c;
    c.number = k + 1;
    if (const toml::node* set = t.get("set")) {
      if (!set->is_table()) bad(where, "'set' must be a table, e.g. set = { d = 0.2 }");
      c.set = *set->as_table();
    }
    c.set_text = text_of(c.set);
    c.indicator = required_string(t, "indicator", where);
    if (model->find_indicator(c.indicator) == nullptr) {
      std::vector<std::string> names;
      for (const auto& i : model->indicators) names.push_back(i.name);
      bad(where, fmt::format("unknown indicator '{}'{}; model '{}' records: {}", c.indicator,
                             atc::did_you_mean(c.indicator, names), ref.model, atc::join(names, ", ")));
    }
    c.statistic = required_string(t, "statistic", where);
    if (std::find(kStatistics.begin(), kStatistics.end(), c.statistic) == kStatistics.end()) {
      bad(where, fmt::format("unknown statistic '{}'{}; statistics: {}", c.statistic,
                             atc::did_you_mean(c.statistic, kStatistics), atc::join(kStatistics, ", ")));
    }
    c.min = number(t, "min", where);
    c.max = number(t, "max", where);
    if (!c.min && !c.max) bad(where, "give 'min', 'max' or both");
    if (c.min && c.max && *c.min > *c.max) bad(where, "'min' is larger than 'max'");
    c.threshold = number(t, "threshold", where);
    if ((c.statistic == "fraction_at_least" || c.statistic == "fraction_at_most") !=
        c.threshold.has_value()) {
      bad(where, "'threshold' is required by fraction_at_least/fraction_at_most and only by them");
    }
    c.from_step = integer(t, "from_step", where);
    c.to_step = integer(t, "to_step", where);
    if ((c.statistic == "window_mean") != (c.from_step.has_value() && c.to_step.has_value())) {
      bad(where, "'from_step' and 'to_step' are required by window_mean and only by it");
    }
    if (c.from_step && *c.from_step > *c.to_step) bad(where, "'from_step' is after 'to_step'");
    if (auto role = t["role"].value<std::string>()) c.role = *role;
    if (c.role != "reproduce" && c.role != "contrast")
      bad(where, "'role' must be \"reproduce\" or \"contrast\"");
    c.note = t["note"].value_or(std::string{});
    c.run = run_keys(t, ref.base_run, where);
    if (c.to_step && *c.to_step > c.run.steps) bad(where, "'to_step' is after the last step");
    ref.checks.push_back(std::move(c));
  }
  return ref;
}

// One experiment: every check with these run keys, one scenario per distinct `set`.
struct Group {
  RunKeys run;
  std::vector<std::string> sets;  // distinct set_text, scenario k = sets[k]
  std::vector<const toml::table*> set_tables;
  std::vector<Check*> checks;
};

std::string generated_config(const Reference& ref, const Group& g, std::size_t index) {
  toml::table root;
  toml::table experiment;
  experiment.insert("name", fmt::format("reference_{}", index));
  experiment.insert("steps", g.run.steps);
  experiment.insert("replicates", g.run.replicates);
  experiment.insert("seed", g.run.seed);
  root.insert("experiment", std::move(experiment));
  toml::table model = ref.base_params;
  model.insert_or_assign("name", ref.model);
  root.insert("model", std::move(model));
  toml::array scenarios;
  for (std::size_t k = 0; k < g.sets.size(); ++k) {
    toml::table s;
    s.insert("name", fmt::format("s{}", k));
    if (!g.set_tables[k]->empty()) s.insert("model", *g.set_tables[k]);
    scenarios.push_back(std::move(s));
  }
  root.insert("scenario", std::move(scenarios));
  toml::table output;
  output.insert("path", "reference-unused.h5");
  output.insert("every", g.run.every);
  toml::array record;
  std::vector<std::string> names;
  for (const Check* c : g.checks) {
    if (std::find(names.begin(), names.end(), c->indicator) == names.end()) names.push_back(c->indicator);
  }
  for (const auto& n : names) record.push_back(n);
  output.insert("record", std::move(record));
  root.insert("output", std::move(output));
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double standard_error(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean_of(v);
  double ss = 0.0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}

void evaluate(Check& c, const atc::io::MemorySink& sink, std::size_t scenario) {
  const auto& layout = sink.layout();
  const std::size_t ind = sink.indicator_index(c.indicator);
  std::vector<double> per_replicate;
  for (std::size_t r = 0; r < layout.replicates; ++r) {
    const auto& series = sink.series(ind, scenario, r, 0);
    if (c.statistic == "window_mean") {
      double s = 0.0;
      std::size_t count = 0;
      for (std::size_t t = 0; t < layout.steps.size(); ++t) {
        if (layout.steps[t] >= *c.from_step && layout.steps[t] <= *c.to_step) {
          s += series[t];
          ++count;
        }
      }
      if (count == 0) throw ConfigError(fmt::format("check {}: no recorded step in the window", c.number));
      per_replicate.push_back(s / static_cast<double>(count));
    } else {
      per_replicate.push_back(series.back());
    }
  }
  const auto R = static_cast<double>(per_replicate.size());
  if (c.statistic == "final_mean" || c.statistic == "window_mean") {
    c.value = mean_of(per_replicate);
    c.se = standard_error(per_replicate);
  } else if (c.statistic == "final_min") {
    c.value = *std::min_element(per_replicate.begin(), per_replicate.end());
  } else if (c.statistic == "final_max") {
    c.value = *std::max_element(per_replicate.begin(), per_replicate.end());
  } else {
    const bool at_least = c.statistic == "fraction_at_least";
    const auto hits = std::count_if(per_replicate.begin(), per_replicate.end(), [&](double x) {
      return at_least ? x >= *c.threshold : x <= *c.threshold;
    });
    c.value = static_cast<double>(hits) / R;
    c.se = std::sqrt(c.value * (1.0 - c.value) / R);
  }
  c.pass = std::isfinite(c.value) && (!c.min || c.value >= *c.min) && (!c.max || c.value <= *c.max);
}

std::string short_value(const toml::node& node) {
  if (const auto* arr = node.as_array()) {
    if (arr->size() > 6) return fmt::format("[{} values]", arr->size());
    std::vector<std::string> items;
    for (const auto& item : *arr) items.push_back(short_value(item));
    return fmt::format("[{}]", atc::join(items, ","));  // not "[" + ...: GCC 12 -Wrestrict false positive
  }
  if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
  if (node.is_string()) return *node.value<std::string>();
  std::ostringstream out;
  node.visit([&](const auto& v) { out << v; });
  return out.str();
}

std::string describe_set(const toml::table& set) {
  if (set.empty()) return "(base)";
  std::vector<std::string> parts;
  for (const auto& [key, node] : set) parts.push_back(fmt::format("{}={}", key.str(), short_value(node)));
  return atc::join(parts, " ");
}

std::string fmt_number(double v) {
  if (!std::isfinite(v)) return "-";
  return fmt::format("{:.4g}", v);
}

std::string describe_statistic(const Check& c) {
  if (c.threshold) return fmt::format("{}({})", c.statistic, fmt_number(*c.threshold));
  if (c.from_step) return fmt::format("{}[{},{}]", c.statistic, *c.from_step, *c.to_step);
  return c.statistic;
}

int run(const std::string& path, bool quiet) {
  const auto t0 = std::chrono::steady_clock::now();
  Reference ref = read_reference(path);

  std::map<RunKeys, Group> groups;
  for (auto& c : ref.checks) {
    Group& g = groups[c.run];
    g.run = c.run;
    if (std::find(g.sets.begin(), g.sets.end(), c.set_text) == g.sets.end()) {
      g.sets.push_back(c.set_text);
      g.set_tables.push_back(&c.set);
    }
    g.checks.push_back(&c);
  }

  std::printf("reference  %s  (%s)\n", ref.model.c_str(), fs::path(path).filename().c_str());
  std::printf("citation   %s\n", ref.citation.c_str());
  std::printf("result     %s\n", ref.result.c_str());
  std::printf("tolerance  %s\n\n", ref.why_tolerance.c_str());

  std::size_t index = 0;
  for (auto& [keys, g] : groups) {
    const std::string text = generated_config(ref, g, index);
    const fs::path tmp = fs::temp_directory_path() / fmt::format("atcsim-reference-{}-{}-{}.toml", ::getpid(),
                                                                 fs::path(path).stem().string(), index);
    {
      std::ofstream out(tmp);
      out << text;
    }
    atc::sim::ExperimentSpec spec;
    try {
      atc::sim::LoadOptions options;
      options.check_output_path = false;
      spec = atc::sim::load_experiment(tmp.string(), atc::models::registry(), options);
    } catch (const ConfigError& e) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw ConfigError(fmt::format("{}: the generated config is invalid:\n{}\n--- generated config ---\n{}",
                                    path, e.what(), text));
    }
    std::error_code ec;
    fs::remove(tmp, ec);
    atc::io::MemorySink sink(atc::io::Layout::of(spec));
    const auto g0 = std::chrono::steady_clock::now();
    const auto stats = atc::sim::execute(spec, sink);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
    if (!quiet) {
      std::printf(
          "  ran %zu setting(s) x %lld replicate(s) x %lld steps (seed %lld): %.2f s, %.3g agent-steps\n",
          g.sets.size(), static_cast<long long>(keys.replicates), static_cast<long long>(keys.steps),
          static_cast<long long>(keys.seed), seconds, static_cast<double>(stats.agent_steps));
    }
    for (Check* c : g.checks) {
      const auto k =
          static_cast<std::size_t>(std::find(g.sets.begin(), g.sets.end(), c->set_text) - g.sets.begin());
      evaluate(*c, sink, k);
    }
    ++index;
  }

  std::size_t set_width = 3;
  std::size_t indicator_width = 9;
  std::size_t statistic_width = 9;
  for (const auto& c : ref.checks) {
    set_width = std::max(set_width, describe_set(c.set).size());
    indicator_width = std::max(indicator_width, c.indicator.size());
    statistic_width = std::max(statistic_width, describe_statistic(c).size());
  }
  const auto row = [&](const std::string& number, const std::string& role, const std::string& set,
                       const std::string& indicator, const std::string& statistic,
                       const std::string& expected, const std::string& measured, const std::string& se,
                       const std::string& status) {
    std::printf(" %-3s %-9s %-*s  %-*s  %-*s  %-18s %-11s %-10s %s\n", number.c_str(), role.c_str(),
                static_cast<int>(set_width), set.c_str(), static_cast<int>(indicator_width),
                indicator.c_str(), static_cast<int>(statistic_width), statistic.c_str(), expected.c_str(),
                measured.c_str(), se.c_str(), status.c_str());
  };
  std::printf("\n");
  row("#", "role", "set", "indicator", "statistic", "expected", "measured", "+-SE", "");
  bool all = true;
  for (const auto& c : ref.checks) {
    const std::string expected =
        fmt::format("[{}, {}]", c.min ? fmt_number(*c.min) : "-inf", c.max ? fmt_number(*c.max) : "inf");
    row(std::to_string(c.number), c.role, describe_set(c.set), c.indicator, describe_statistic(c), expected,
        fmt_number(c.value), fmt_number(c.se), c.pass ? "PASS" : "FAIL");
    if (!quiet && !c.note.empty()) std::printf("     %s\n", c.note.c_str());
    all = all && c.pass;
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\n%s: %zu check(s), %s in %.1f s\n", ref.model.c_str(), ref.checks.size(),
              all ? "all passed" : "FAILED", total);
  return all ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string path;
  std::optional<int> threads;
  bool quiet = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--threads" && i + 1 < args.size()) {
      threads = std::atoi(args[++i].c_str());
    } else if (args[i] == "--quiet") {
      quiet = true;
    } else if (args[i] == "--help" || args[i] == "-h") {
      std::puts(
          "usage: reference_runner REFERENCE.toml [--threads N] [--quiet]\n"
          "Replays a published result (tests/reference/*.toml); exit 0 pass, 1 fail, 2 invalid file.");
      return 0;
    } else if (path.empty()) {
      path = args[i];
    } else {
      std::fprintf(stderr, "reference_runner: unexpected argument '%s'\n", args[i].c_str());
      return 2;
    }
  }
  if (path.empty()) {
    std::fputs("usage: reference_runner REFERENCE.toml [--threads N] [--quiet]\n", stderr);
    return 2;
  }
  std::unique_ptr<oneapi::tbb::global_control> limit;
  if (threads && *threads > 0) {
    limit = std::make_unique<oneapi::tbb::global_control>(
        oneapi::tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(*threads));
  }
  try {
    return run(path, quiet);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "reference_runner: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reference_runner: error: %s\n", e.what());
    return 1;
  }
}
