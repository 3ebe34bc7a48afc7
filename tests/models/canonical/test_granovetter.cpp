#include <catch2/catch.hpp>

#include <numeric>
#include <vector>

#include "harness.hpp"

using atc::test::config_error;
using atc::test::Harness;

namespace {
std::vector<double> zero_to_99() {
  std::vector<double> t(100);
  std::iota(t.begin(), t.end(), 0.0);
  return t;
}
}  // namespace

TEST_CASE("canonical/granovetter: thresholds 0..99 - everybody acts, one more per step",
          "[canonical][granovetter]") {
  Harness h("canonical/granovetter", {{"thresholds", zero_to_99()}});
  CHECK(h.get("active_count") == 0);
  h.step();
  CHECK(h.get("active_count") == 1);  // the instigator (threshold 0)
  h.step();
  CHECK(h.get("active_count") == 2);  // threshold 1 sees one
  h.run_to_absorption(1000);
  CHECK(h.get("active_count") == 100);
  CHECK(h.get("active_fraction") == 1.0);
  CHECK(h.model().absorbed());
}

TEST_CASE("canonical/granovetter: moving the threshold-1 person to 2 stops the riot at one",
          "[canonical][granovetter]") {
  auto t = zero_to_99();
  t[1] = 2;
  Harness h("canonical/granovetter", {{"thresholds", t}});
  const auto steps = h.run_to_absorption(1000);
  CHECK(steps == 2);  // the instigator acts, then nobody
  CHECK(h.get("active_count") == 1);
  CHECK(h.get("active_fraction") == 0.01);
}

TEST_CASE("canonical/granovetter: normal thresholds follow the continuum fixed point",
          "[canonical][granovetter]") {
  // mean 0.25, sd 0.10: r = Phi((r - 0.25) / 0.1) has its smallest fixed point at 0.0077.
  Harness low("canonical/granovetter", {{"n", std::int64_t{20000}}, {"mean", 0.25}, {"sd", 0.10}}, 7);
  low.run_to_absorption(5000);
  CHECK(low.get("active_fraction") == Approx(0.0077).margin(0.003));
  Harness high("canonical/granovetter", {{"n", std::int64_t{20000}}, {"mean", 0.25}, {"sd", 0.14}}, 7);
  high.run_to_absorption(5000);
  CHECK(high.get("active_fraction") > 0.999);
}

TEST_CASE("canonical/granovetter: invalid parameters are config errors naming the key",
          "[canonical][granovetter][config]") {
  const std::string base = "[model]\nname = \"canonical/granovetter\"\n";
  CHECK_THAT(config_error(base + "n = -5\n"), Catch::Contains("model.n") && Catch::Contains("[1,"));
  CHECK_THAT(config_error(base + "sd = -0.1\n"), Catch::Contains("model.sd"));
  CHECK_THAT(config_error(base + "thresholds = [0, 1, 2]\ndistribution = \"normal\"\n"),
             Catch::Contains("model.distribution"));
  CHECK_THAT(config_error(base + "thresholds = [0, 1, 2]\nn = 4\n"), Catch::Contains("model.n"));
  CHECK_THAT(config_error(base + "thresholds = [0, 1, 2]\nsd = 0.1\n"), Catch::Contains("model.sd"));
  CHECK_THAT(config_error(base + "distribution = \"list\"\n"), Catch::Contains("model.thresholds"));
  CHECK_THAT(config_error(base + "thresholds = [0, -1]\n"), Catch::Contains("model.thresholds"));
  CHECK(config_error(base + "thresholds = [0, 1, 2]\nn = 3\ndistribution = \"list\"\n") == "no error");
}
