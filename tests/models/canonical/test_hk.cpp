#include <catch2/catch.hpp>

#include <vector>

#include "harness.hpp"
#include "models/mechanisms/hegselmann_krause.hpp"

using atc::test::config_error;
using atc::test::Harness;
namespace mech = atc::models::mechanisms;

TEST_CASE("canonical/hk: each agent takes the mean of all opinions within epsilon, itself included",
          "[canonical][hk]") {
  const std::vector<double> sorted{0.0, 0.25, 0.5, 1.0};
  std::vector<double> prefix(sorted.size() + 1);
  mech::prefix_sums(sorted, prefix);
  const double eps = 0.25;  // inclusive: |y - x| <= epsilon
  CHECK(mech::hk_update(sorted, prefix, 0.0, eps) == 0.125);
  CHECK(mech::hk_update(sorted, prefix, 0.25, eps) == 0.25);
  CHECK(mech::hk_update(sorted, prefix, 0.5, eps) == 0.375);
  CHECK(mech::hk_update(sorted, prefix, 1.0, eps) == 1.0);  // alone: stays
}

TEST_CASE("canonical/hk: epsilon = 1 reaches consensus in one synchronous step", "[canonical][hk]") {
  Harness h("canonical/hk", {{"n", std::int64_t{300}}, {"epsilon", 1.0}}, 5);
  CHECK(h.get("consensus") == 0);
  h.step();
  CHECK(h.get("consensus") == 1);
  CHECK(h.get("n_clusters") == 1);
  CHECK(h.get("opinion_sd") < 1e-12);
  h.step();
  CHECK(h.model().absorbed());
}

TEST_CASE("canonical/hk: a tiny epsilon freezes everybody at once", "[canonical][hk]") {
  Harness h("canonical/hk", {{"n", std::int64_t{20}}, {"epsilon", 1e-9}}, 5);
  h.step();
  CHECK(h.model().absorbed());
  CHECK(h.get("n_clusters") == 20);
}

TEST_CASE("canonical/hk: epsilon 0.25 consensus, 0.1 fragmentation (n = 625)", "[canonical][hk]") {
  Harness wide("canonical/hk", {{"epsilon", 0.25}}, 2);
  wide.run_to_absorption(500);
  CHECK(wide.get("consensus") == 1);
  Harness narrow("canonical/hk", {{"epsilon", 0.1}}, 2);
  narrow.run_to_absorption(500);
  CHECK(narrow.get("consensus") == 0);
  CHECK(narrow.get("n_clusters") >= 3);
}

TEST_CASE("canonical/hk: invalid parameters are config errors naming the key", "[canonical][hk][config]") {
  const std::string base = "[model]\nname = \"canonical/hk\"\n";
  CHECK_THAT(config_error(base + "epsilon = 0\n"), Catch::Contains("model.epsilon"));
  CHECK_THAT(config_error(base + "epsilon = 1.5\n"), Catch::Contains("model.epsilon"));
  CHECK_THAT(config_error(base + "n = 0\n"), Catch::Contains("model.n"));
}
