// Every scenario file shipped in scenarios/ is runnable documentation: it
// must validate, and the canonical ones must run (shortened).
#include <catch2/catch.hpp>

#include <filesystem>

#include "support/process.hpp"

namespace fs = std::filesystem;
using atc::test::atcsim;
using atc::test::TempDir;

namespace {
std::vector<fs::path> scenario_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(atc::test::source_path("scenarios"))) {
    // scenarios/sites/ holds site lists included by experiments, and
    // scenarios/calibration/ calibration configs and targets (checked by
    // `atcsim calibrate` and pytest), not experiments.
    const auto folder = e.path().parent_path().filename();
    if (e.path().extension() == ".toml" && folder != "sites" && folder != "calibration")
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}
}  // namespace

TEST_CASE("every shipped scenario file validates", "[cli][scenarios]") {
  const auto files = scenario_files();
  REQUIRE(files.size() >= 8);
  for (const auto& file : files) {
    DYNAMIC_SECTION(fs::relative(file, atc::test::source_path("")).string()) {
      TempDir dir;
      const auto r = atcsim({"validate", file.string(), "-o", dir.file("x.h5")});
      INFO(r.err);
      CHECK(r.exit_code == 0);
    }
  }
}

TEST_CASE("the canonical scenario files run", "[cli][scenarios]") {
  for (const auto& file : scenario_files()) {
    if (file.parent_path().filename() != "canonical") continue;
    DYNAMIC_SECTION(file.filename().string()) {
      TempDir dir;
      const auto r = atcsim({"run", file.string(), "-o", dir.file("x.h5"), "--replicates", "1", "--set",
                             "experiment.steps=3", "--quiet"});
      INFO(r.err);
      CHECK(r.exit_code == 0);
      CHECK(fs::exists(dir.file("x.h5")));
    }
  }
}
