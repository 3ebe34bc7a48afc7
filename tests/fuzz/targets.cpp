#include "tests/fuzz/targets.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <typeinfo>
#include <vector>

#include "models/registry.hpp"
#include "sim/config/csv.hpp"
#include "sim/config/experiment.hpp"
#include "sim/config/site_overrides.hpp"
#include "sim/core/error.hpp"

#ifndef ATCSIM_SOURCE_DIR
#error "ATCSIM_SOURCE_DIR must name the source tree (scenarios/ is linked into the scratch directory)"
#endif

namespace atc::fuzz {

namespace fs = std::filesystem;

namespace {

// A fixed config for the --set target: a dotted scenario name (`z0.5`, as
// shipped scenarios have), an intervention, sites with QPV codes, an output
// section. Small, so that one execution stays well under 1 ms.
constexpr const char* kBaseConfig = R"([experiment]
name = "fuzz"
replicates = 2
seed = 7
start_date = 2019-09-02
step_days = 7
steps = 20

[model]
name = "territorial"
population_scale = 0.1

[[site]]
id = "alpha"
code = "QP013001"
network = "FCSF"
population = 3000.0

[[site]]
id = "beta"
code = "QP059002"
population = 5000.0
poverty_rate = 0.5

[[site]]
id = "gamma"

[[scenario]]
name = "baseline"

[[scenario]]
name = "z0.5"
[scenario.model]
threshold_mean = 0.5

[[scenario]]
name = "animator"
[[scenario.intervention]]
kind = "animator"
start_week = 2
sites = ["alpha"]

[output]
path = "out/fuzz.h5"
every = 2
)";

// A scratch directory per process, removed at exit. Every entry of scenarios/
// is symlinked into it, so `include = "sites/atc15.toml"` resolves as it does
// beside the shipped scenarios.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "atcsim-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("atcsim fuzz: mkdtemp");
      std::abort();
    }
    dir_ = pattern;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(ATCSIM_SOURCE_DIR) / "scenarios", ec)) {
      fs::create_symlink(entry.path(), dir_ / entry.path().filename(), ec);
    }
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir_, ec);  // removes the symlinks, never what they point to
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  [[nodiscard]] std::string path() const { return dir_.string(); }

 private:
  fs::path dir_;
};

const Scratch& scratch() {
  static const Scratch s;
  return s;
}

[[noreturn]] void finding(const char* what, std::string_view detail) {
  std::fprintf(stderr, "atcsim fuzz: FINDING: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::fflush(stderr);
  std::abort();
}

// A message for the user must be one printable line: no newline or other
// control character (ConfigError escapes those that come from the input; a
// NUL byte would cut the message short, which what() cannot show).
void check_one_line(std::string_view message) {
  if (message.empty()) finding("empty message", "");
  const auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\x7f'; };
  if (message.find_first_of("\n\r") != std::string_view::npos) finding("multi-line message", message);
  if (std::any_of(message.begin(), message.end(), control))
    finding("control character in a message", message);
}

// Runs `load`; a ConfigError with a one-line message is the only acceptable
// failure (exit 2 with one line, as the CLI promises).
template <typename Load>
void expect_one_line_errors(Load&& load) {
  try {
    load();
  } catch (const ConfigError& e) {
    check_one_line(e.what());
  } catch (const std::exception& e) {
    std::string what = typeid(e).name();
    what += ": ";
    what += e.what();
    finding("exception other than ConfigError", what);
  } catch (...) {
    finding("non-standard exception", "");
  }
}

// Loads the config text `text` as if it were the file `name` of the scratch
// directory (load_experiment reads a file and does the same): no file is
// written per execution, and the shipped scenarios' relative includes resolve.
void load_text(std::string_view text, const char* name, const std::vector<std::string>& overrides) {
  static const std::string directory = scratch().path();
  sim::LoadOptions options;
  options.overrides = overrides;
  options.check_output_path = false;  // never create directories while fuzzing
  expect_one_line_errors(
      [&] { (void)sim::load_experiment_text(text, directory + "/" + name, models::registry(), options); });
}

}  // namespace

void config_file(std::string_view data) {
  load_text(data, "fuzz.toml", {});
}

// The same shape on a model with four parameters and no interventions: a
// load costs a tenth of the territorial one, so most inputs use it.
constexpr const char* kSmallConfig = R"([experiment]
name = "fuzz_small"
replicates = 2
steps = 20

[model]
name = "canonical/watts"
n = 100

[[site]]
id = "alpha"
code = "QP013001"

[[site]]
id = "beta"

[[scenario]]
name = "baseline"

[[scenario]]
name = "z0.5"
model = { mean_degree = 2.0 }

[output]
every = 2
)";

void set_overrides(std::string_view data) {
  // An input whose first line is "territorial" is applied to kBaseConfig.
  constexpr std::string_view kMarker = "territorial\n";
  const bool rich = data.substr(0, kMarker.size()) == kMarker;
  if (rich) data.remove_prefix(kMarker.size());
  std::vector<std::string> overrides;
  std::size_t begin = 0;
  while (begin <= data.size() && overrides.size() < 16) {
    const std::size_t end = std::min(data.find('\n', begin), data.size());
    overrides.emplace_back(data.substr(begin, end - begin));
    begin = end + 1;
  }
  if (rich) {
    load_text(kBaseConfig, "base.toml", overrides);
  } else {
    load_text(kSmallConfig, "small.toml", overrides);
  }
}

// The sites of kBaseConfig without its scenarios, loaded once; each input is
// the CSV table of a `[sites] overrides = "sites.csv"` applied to them.
constexpr const char* kSitesConfig = R"([experiment]
name = "fuzz_sites"
steps = 20

[model]
name = "territorial"

[[site]]
id = "alpha"
code = "QP013001"
population = 3000.0

[[site]]
id = "beta"
code = "QP059002"
poverty_rate = 0.5

[[site]]
id = "gamma"
)";

// What a load does with `[sites] overrides = "sites.csv"` (sections.cpp:
// read_csv, which reads the file and calls parse_csv, then
// apply_site_overrides), on the text of the CSV: rows that match no site are
// an error, then, as with --allow-unmatched, a one-line warning each.
void site_overrides_csv(std::string_view data) {
  static const sim::ExperimentSpec base = [] {
    sim::LoadOptions options;
    options.check_output_path = false;
    return sim::load_experiment_text(kSitesConfig, scratch().path() + "/sites.toml", models::registry(),
                                     options);
  }();
  static const std::string csv_path = scratch().path() + "/sites.csv";
  expect_one_line_errors([&] {
    const sim::CsvTable csv = sim::parse_csv(data, csv_path);
    std::vector<sim::SiteSpec> sites = base.sites;
    std::vector<std::string> warnings;
    try {
      sim::apply_site_overrides(csv, *base.model, sites, warnings);
    } catch (const ConfigError& e) {
      check_one_line(e.what());
      sites = base.sites;
      warnings.clear();
      sim::apply_site_overrides(csv, *base.model, sites, warnings, true);
    }
    for (const auto& w : warnings) check_one_line(w);
  });
}

Target target_named(std::string_view name) {
  if (name == "config") return &config_file;
  if (name == "set") return &set_overrides;
  if (name == "csv") return &site_overrides_csv;
  return nullptr;
}

}  // namespace atc::fuzz
