// Calibrated defaults: a reviewed file of posterior medians becomes the defaults,
// and `atcsim describe` says where they come from; bad files are located errors.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/model/calibrated_defaults.hpp"

using namespace atc::sim;

namespace {

std::vector<ParamDecl> decls() {
  return {ParamDecl::real("threshold_mean", 0.25).range(0.0, 1.0).describe("mean threshold"),
          ParamDecl::integer("contacts", 4).at_least(1), ParamDecl::boolean("diffusion", false)};
}

const std::string kHeader =
    "format = \"atcsim-calibrated-defaults/1\"\ntargets = \"scenarios/calibration/targets.toml\"\n"
    "date = 2026-12-01\n[parameters]\n";

std::string error_of(const std::string& text) {
  auto params = decls();
  try {
    apply_calibrated_defaults(params, text, "calibrated.toml");
  } catch (const atc::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("calibrated defaults replace defaults and say where they come from", "[calibrated]") {
  auto params = decls();
  apply_calibrated_defaults(params, "", "calibrated.toml");  // no file: nothing changes
  CHECK(std::get<double>(params[0].default_value) == 0.25);
  CHECK(params[0].source == "assumption");

  apply_calibrated_defaults(params, kHeader + "threshold_mean = { median = 0.31, low = 0.24, high = 0.4 }\n",
                            "calibrated.toml");
  CHECK(std::get<double>(params[0].default_value) == 0.31);
  CHECK(params[0].source.rfind("calibrated (scenarios/calibration/targets.toml, 2026-12-01)", 0) == 0);
  CHECK_THAT(params[0].source, Catch::Contains("before: assumption"));
  CHECK(std::get<std::int64_t>(params[1].default_value) == 4);  // not listed: unchanged
}

TEST_CASE("bad calibrated defaults files are located errors", "[calibrated]") {
  CHECK_THAT(
      error_of(kHeader + "threshold_meen = { median = 0.3, low = 0.2, high = 0.4 }\n"),
      Catch::Contains("calibrated.toml:5:18: parameters.threshold_meen: not a parameter of the model") &&
          Catch::Contains("did you mean 'threshold_mean'"));
  CHECK_THAT(error_of(kHeader + "threshold_mean = { median = 1.3, low = 0.2, high = 1.4 }\n"),
             Catch::Contains("parameters.threshold_mean.median: value 1.3 is outside the parameter's range"));
  CHECK_THAT(error_of(kHeader + "contacts = { median = 2.5, low = 1, high = 4 }\n"),
             Catch::Contains("parameters.contacts.median: value 2.5"));
  CHECK_THAT(error_of(kHeader + "diffusion = { median = 1, low = 0, high = 1 }\n"),
             Catch::Contains("parameters.diffusion: not a numeric parameter"));
  CHECK_THAT(error_of("format = \"x\"\n"), Catch::Contains("calibrated.toml:1:10: format: expected"));
  CHECK_THAT(
      error_of(kHeader + "threshold_mean = { median = 0.3 }\n"),
      Catch::Contains(
          "calibrated.toml:5:18: parameters.threshold_mean.low: missing required key (expected a number)"));
}
