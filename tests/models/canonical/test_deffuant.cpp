#include <catch2/catch.hpp>

#include <vector>

#include "harness.hpp"
#include "models/mechanisms/bounded_confidence.hpp"
#include "models/mechanisms/opinion_clusters.hpp"

using atc::test::config_error;
using atc::test::Harness;
namespace mech = atc::models::mechanisms;

TEST_CASE("canonical/deffuant: the pair rule moves both by mu of the difference, only within d",
          "[canonical][deffuant]") {
  double a = 0.25;
  double b = 0.5;
  CHECK(mech::deffuant_pair_update(std::span<double>(&a, 1), std::span<double>(&b, 1), 0.3, 0.25));
  CHECK(a == 0.3125);
  CHECK(b == 0.4375);
  double c = 0.0;
  double e = 0.5;
  CHECK_FALSE(
      mech::deffuant_pair_update(std::span<double>(&c, 1), std::span<double>(&e, 1), 0.5, 0.5));  // not < d
  CHECK(c == 0.0);
  CHECK(e == 0.5);
}

TEST_CASE("canonical/deffuant: clusters are cut at gaps and counted by size", "[canonical][deffuant]") {
  const std::vector<double> sorted{0.0, 0.0005, 0.001, 0.5, 0.5, 0.9};
  const auto c = mech::opinion_clusters(sorted, 0.001, 2);
  CHECK(c.count == 3);
  CHECK(c.major == 2);  // {0, 0.0005, 0.001} and {0.5, 0.5}; 0.9 alone is minor
  CHECK(c.largest == 3);
  CHECK(c.max_span == 0.001);
  CHECK(c.min_separation == Approx(0.4));
  CHECK(mech::population_sd(std::vector<double>{1.0, 3.0}) == 1.0);
}

TEST_CASE("canonical/deffuant: d = 1 ends in consensus and absorbs", "[canonical][deffuant]") {
  Harness h("canonical/deffuant", {{"n", std::int64_t{200}}, {"d", 1.0}}, 3);
  CHECK(h.get("opinion_sd") == Approx(0.2887).margin(0.03));  // uniform: 1/sqrt(12)
  const auto steps = h.run_to_absorption(10000);
  CHECK(h.model().absorbed());
  CHECK(steps < 10000);
  CHECK(h.get("n_clusters") == 1);
  CHECK(h.get("n_clusters_all") == 1);
  CHECK(h.get("opinion_sd") < 0.001);
}

TEST_CASE("canonical/deffuant: d = 0.2 splits into two major clusters", "[canonical][deffuant]") {
  Harness h("canonical/deffuant", {{"d", 0.2}}, 11);
  h.run_to_absorption(2000);
  CHECK(h.get("n_clusters") == 2);
}

TEST_CASE("canonical/deffuant: invalid parameters are config errors naming the key",
          "[canonical][deffuant][config]") {
  const std::string base = "[model]\nname = \"canonical/deffuant\"\n";
  CHECK_THAT(config_error(base + "d = 0\n"), Catch::Contains("model.d") && Catch::Contains("(0, 1]"));
  CHECK_THAT(config_error(base + "d = 1.5\n"), Catch::Contains("model.d"));
  CHECK_THAT(config_error(base, {"model.d=-0.1"}), Catch::Contains("model.d"));
  CHECK_THAT(config_error(base + "mu = 0.7\n"), Catch::Contains("model.mu"));
  CHECK_THAT(config_error(base + "n = -10\n"), Catch::Contains("model.n"));
  CHECK_THAT(config_error(base + "cluster_min_share = 2\n"), Catch::Contains("model.cluster_min_share"));
  CHECK(config_error(base + "d = 1\n") == "no error");
}
