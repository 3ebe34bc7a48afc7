#include "tests/fuzz/targets.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <typeinfo>
#include <vector>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"

#ifndef ATCSIM_SOURCE_DIR
#error "ATCSIM_SOURCE_DIR must name the source tree (scenarios/ is linked into the scratch directory)"
#endif

namespace atc::fuzz {

namespace fs = std::filesystem;

namespace {

// A fixed config for the --set and CSV targets: a dotted scenario name
// (`z0.5`, as shipped scenarios have), an intervention, sites with QPV codes,
// an output section. Small, so that one execution stays well under 1 ms.
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

  // Writes `data` to the file `name` in the scratch directory; returns its path.
  std::string write(const char* name, std::string_view data) const {
    const fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) {
      std::fprintf(stderr, "atcsim fuzz: cannot write %s\n", path.c_str());
      std::abort();
    }
    return path.string();
  }

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

// Loads the config; a ConfigError with a one-line message is the only
// acceptable failure (exit 2 with one line, as the CLI promises).
void load(const std::string& path, const std::vector<std::string>& overrides) {
  sim::LoadOptions options;
  options.overrides = overrides;
  options.check_output_path = false;  // never create directories while fuzzing
  try {
    (void)sim::load_experiment(path, models::registry(), options);
  } catch (const ConfigError& e) {
    const std::string_view message(e.what());
    if (message.empty()) finding("empty ConfigError message", "");
    if (message.find_first_of("\n\r") != std::string_view::npos) finding("multi-line message", message);
    if (std::string(e.what()).size() != std::char_traits<char>::length(e.what()))
      finding("message with a NUL byte", message);
  } catch (const std::exception& e) {
    std::string what = typeid(e).name();
    what += ": ";
    what += e.what();
    finding("exception other than ConfigError", what);
  } catch (...) {
    finding("non-standard exception", "");
  }
}

}  // namespace

void config_file(std::string_view data) {
  load(scratch().write("fuzz.toml", data), {});
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
  static const std::string territorial = scratch().write("base.toml", kBaseConfig);
  static const std::string small = scratch().write("small.toml", kSmallConfig);
  constexpr std::string_view kMarker = "territorial\n";
  const bool rich = data.substr(0, kMarker.size()) == kMarker;
  if (rich) data.remove_prefix(kMarker.size());
  const std::string& config = rich ? territorial : small;
  std::vector<std::string> overrides;
  std::size_t begin = 0;
  while (begin <= data.size() && overrides.size() < 16) {
    const std::size_t end = std::min(data.find('\n', begin), data.size());
    overrides.emplace_back(data.substr(begin, end - begin));
    begin = end + 1;
  }
  load(config, overrides);
}

// The sites of kBaseConfig without its scenarios (a third of the work of a
// load, none of it about CSV files).
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

[sites]
overrides = "sites.csv"
)";

void site_overrides_csv(std::string_view data) {
  static const std::string config = scratch().write("sites.toml", kSitesConfig);
  scratch().write("sites.csv", data);
  load(config, {});
}

Target target_named(std::string_view name) {
  if (name == "config") return &config_file;
  if (name == "set") return &set_overrides;
  if (name == "csv") return &site_overrides_csv;
  return nullptr;
}

}  // namespace atc::fuzz
