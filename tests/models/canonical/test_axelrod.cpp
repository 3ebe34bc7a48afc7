#include <catch2/catch.hpp>

#include <vector>

#include "harness.hpp"
#include "models/mechanisms/culture.hpp"

using atc::test::config_error;
using atc::test::Harness;
namespace mech = atc::models::mechanisms;
using mech::Trait;

TEST_CASE("canonical/axelrod: overlap, differing features and active bonds", "[canonical][axelrod]") {
  const std::vector<Trait> a{1, 2, 3, 4, 5};
  const std::vector<Trait> b{1, 0, 3, 0, 0};
  CHECK(mech::cultural_overlap(a, b) == 2);
  CHECK(mech::nth_difference(a, b, 0) == 1);
  CHECK(mech::nth_difference(a, b, 1) == 3);
  CHECK(mech::nth_difference(a, b, 2) == 4);
  CHECK(mech::active_bond(2, 5));
  CHECK_FALSE(mech::active_bond(0, 5));  // totally different: never interact
  CHECK_FALSE(mech::active_bond(5, 5));  // identical: nothing to copy
}

TEST_CASE("canonical/axelrod: one trait - all identical, absorbed from the start", "[canonical][axelrod]") {
  Harness h("canonical/axelrod", {{"size", std::int64_t{6}}, {"traits", std::int64_t{1}}});
  CHECK(h.model().absorbed());
  CHECK(h.get("active_bonds") == 0);
  CHECK(h.get("n_regions") == 1);
  CHECK(h.get("largest_region_share") == 1.0);
}

TEST_CASE("canonical/axelrod: one feature - neighbours identical or totally different, absorbed",
          "[canonical][axelrod]") {
  Harness h("canonical/axelrod",
            {{"size", std::int64_t{6}}, {"features", std::int64_t{1}}, {"traits", std::int64_t{1000}}}, 2);
  CHECK(h.model().absorbed());
  CHECK(h.get("active_bonds") == 0);
  CHECK(h.get("n_regions") >= 30);  // 36 sites, 1000 traits: almost all distinct
}

TEST_CASE("canonical/axelrod: runs to absorption, no active bond left", "[canonical][axelrod]") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Harness h("canonical/axelrod",
              {{"size", std::int64_t{8}}, {"features", std::int64_t{3}}, {"traits", std::int64_t{3}}}, seed);
    CHECK_FALSE(h.model().absorbed());
    CHECK(h.get("active_bonds") > 0);
    h.run_to_absorption(100000);
    REQUIRE(h.model().absorbed());
    CHECK(h.get("active_bonds") == 0);
    CHECK(h.get("n_regions") >= 1);
  }
}

TEST_CASE("canonical/axelrod: few traits give one region, many traits many (Axelrod's trend)",
          "[canonical][axelrod]") {
  double few = 0;
  double many = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Harness a("canonical/axelrod", {{"traits", std::int64_t{5}}}, seed);
    a.run_to_absorption(100000);
    few += a.get("n_regions") / 10;
    Harness b("canonical/axelrod", {{"traits", std::int64_t{15}}}, seed);
    b.run_to_absorption(100000);
    many += b.get("n_regions") / 10;
  }
  CHECK(few < 2);
  CHECK(many > 10);
}

TEST_CASE("canonical/axelrod: invalid parameters are config errors naming the key",
          "[canonical][axelrod][config]") {
  const std::string base = "[model]\nname = \"canonical/axelrod\"\n";
  CHECK_THAT(config_error(base + "size = 1\n"), Catch::Contains("model.size"));
  CHECK_THAT(config_error(base + "features = 0\n"), Catch::Contains("model.features"));
  CHECK_THAT(config_error(base + "traits = 0\n"), Catch::Contains("model.traits"));
  CHECK_THAT(config_error(base + "features = 300\n"), Catch::Contains("model.features"));
}
