// `atcsim report` and `atcsim export`: the analysis package's commands,
// reached from the simulator's CLI (sim/cli/analysis_commands.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/process.hpp"

using atc::test::atcsim;
using atc::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string small_result(const TempDir& dir) {
  dir.write("w.toml",
            "[experiment]\nname = \"w\"\nsteps = 12\nreplicates = 3\nseed = 5\n[model]\nname = "
            "\"canonical/watts\"\nn = 300\n[[scenario]]\nname = \"baseline\"\nmodel = { mean_degree = 2.0 }\n"
            "[[scenario]]\nname = \"denser\"\nmodel = { mean_degree = 4.0 }\n");
  auto out = dir.file("w.h5");
  const auto r = atcsim({"run", dir.file("w.toml"), "-o", out, "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return out;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("atcsim export and report run the analysis package", "[cli]") {
  TempDir dir;
  const auto result = small_result(dir);
  const auto csv = dir.file("runs.csv");
  const auto exported = atcsim({"export", result, "-o", csv, "--format", "behaviorspace"});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK_THAT(exported.out, Catch::Contains("atcsim export: wrote"));
  const auto table = read(csv);
  CHECK_THAT(table, Catch::StartsWith("run_number,scenario,replicate,site"));
  // one row per scenario x replicate x site, plus the header
  CHECK(std::count(table.begin(), table.end(), '\n') == 2 * 3 * 1 + 1);

  const auto html = dir.file("r.html");
  const auto report = atcsim({"report", result, "-o", html, "--n-boot", "100"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  CHECK_THAT(read(html), Catch::Contains("<!DOCTYPE html>") && Catch::Contains("atcsim report "));

  // The package's own usage, named as the user typed it; its errors exit 2 with one line.
  const auto help = atcsim({"export", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::StartsWith("usage: atcsim export"));
  const auto missing = atcsim({"export", dir.file("none.h5"), "-o", dir.file("x.csv")});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no such file"));
  CHECK_FALSE(fs::exists(dir.file("x.csv")));
}

TEST_CASE("atcsim report without the analysis package says where it looked", "[cli]") {
  TempDir dir;
  const auto r = atc::test::run_process({"/usr/bin/env", "ATCSIM_ANALYSIS=" + dir.path(),
                                         fs::absolute(ATCSIM_BINARY).string(), "report", "x.h5"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("atcsim report: error: the analysis package is not in " + dir.path()));
  const auto python = atc::test::run_process({"/usr/bin/env", "ATCSIM_PYTHON=" + dir.file("python"),
                                              fs::absolute(ATCSIM_BINARY).string(), "export", "x.h5"});
  CHECK(python.exit_code == 1);
  CHECK_THAT(python.err, Catch::Contains("cannot start " + dir.file("python")));
  const auto typo = atcsim({"reprot"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains("did you mean 'report'?"));
}
