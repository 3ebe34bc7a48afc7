// Numbers at the edge of what a config can hold: rejected with a located
// one-line error, never a crash, an overflow or a design that cannot be built.
// Each case was found while fuzzing the loader (tests/fuzz/regressions/config/).
#include <catch2/catch.hpp>

#include <string>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"
#include "support/process.hpp"

using atc::ConfigError;
using atc::test::TempDir;

namespace {

std::string error_of_text(const std::string& text) {
  TempDir dir;
  dir.write("c.toml", text);
  atc::sim::LoadOptions options;
  options.check_output_path = false;
  try {
    (void)atc::sim::load_experiment(dir.file("c.toml"), atc::models::registry(), options);
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    return what.substr(what.find("c.toml"));
  }
  return "accepted";
}

}  // namespace

TEST_CASE("a step of more days than fit an int is refused, not divided by zero", "[config][limits]") {
  // 4294967296 days narrowed to a step of 0 days; end_date then divided by it (SIGFPE).
  CHECK(error_of_text("[experiment]\nstep_days = 4294967296\nend_date = 2020-01-01\n"
                      "[model]\nname = \"canonical/watts\"\n") ==
        "c.toml:2:13: experiment.step_days: expected at most 36525 days (100 years)");
  CHECK(error_of_text("[experiment]\nstep_days = 36525\n[model]\nname = \"canonical/watts\"\n") ==
        "accepted");
}

TEST_CASE("a start week beyond any step means never, without overflowing", "[config][limits]") {
  const std::string text =
      "[model]\nname = \"territorial\"\n[[scenario]]\nname = \"a\"\n[[scenario.intervention]]\n"
      "kind = \"animator\"\nstart_week = 9223372036854775807\n";
  CHECK_THAT(error_of_text(text),
             Catch::Contains("c.toml:7:14: scenario \"a\".intervention \"animator\".start_week: "
                             "'animator' would start on a date after year 100000") &&
                 Catch::Contains("it would never be active"));
  CHECK(error_of_text(text + "end_week = 9223372036854775807\n") != "accepted");
}

TEST_CASE("a grid whose step count is infinite or too large is refused", "[config][limits]") {
  const std::string head =
      "[model]\nname = \"canonical/watts\"\n[sweep]\nmethod = \"grid\"\n[sweep.parameters]\n";
  CHECK_THAT(error_of_text(head + "\"model.phi\" = { from = 0.0, to = 1e308, step = 1e-308 }\n"),
             Catch::EndsWith("sweep.parameters.model.phi.step: more than 100000 grid values"));
  CHECK_THAT(error_of_text(head + "\"model.phi\" = { from = 0.0, to = 1.0, step = 1e-6 }\n"),
             Catch::EndsWith("more than 100000 grid values"));
}

TEST_CASE("a design size that wraps a 64-bit product is refused", "[config][limits]") {
  // 2^62 Sobol base points x (2 + 2) = 2^64 wrapped to 0 points, under the limit:
  // building the design then never finished.
  CHECK_THAT(error_of_text("[model]\nname = \"canonical/watts\"\n[sweep]\nmethod = \"sobol\"\n"
                           "base_points = 4611686018427387904\n[sweep.parameters]\n"
                           "\"model.phi\" = { min = 0.1, max = 0.2 }\n"
                           "\"model.mean_degree\" = { min = 1.0, max = 2.0 }\n"),
             Catch::Contains("the design has 18446744073709551616 points; at most 1000000 are supported"));
}

TEST_CASE("an include or CSV name too long for the file system is a located error", "[config][limits]") {
  // std::filesystem threw "File name too long", reported as an internal error (exit 1).
  const std::string long_name(1000, 'a');
  CHECK(
      error_of_text("include = \"" + long_name + ".toml\"\n[model]\nname = \"canonical/watts\"\n") ==
      "c.toml:1:11: include: file '" + std::string(80, 'a') +
          "... (1005 bytes in all)' has a name too long for the file system (1005 characters in one name; at "
          "most 255)");
  CHECK_THAT(
      error_of_text("[model]\nname = \"territorial\"\n[[site]]\nid = \"a\"\ncode = \"QP1\"\n"
                    "[sites]\noverrides = \"" +
                    long_name + ".csv\"\n"),
      Catch::Contains("sites.overrides: file '") &&
          Catch::EndsWith("has a name too long for the file system (1004 characters in one name; at most "
                          "255)"));
}
