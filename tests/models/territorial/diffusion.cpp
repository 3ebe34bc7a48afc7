// Phase 9, diffusion across sites: the imitation rule on its own, then whole
// experiments of three sites (two of one network, one of another) run by the
// engine with coupling off and on.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;
using atc::models::territorial::diffusion_shifts;
using atc::models::territorial::Practice;
using atc::models::territorial::PracticeShift;

TEST_CASE("diffusion: a site moves towards the more successful sites of its own network only",
          "[territorial][diffusion]") {
  const std::vector<Practice> sites{
      {0, 0.8, 0.9, 0.10},   // a: the network's most successful site
      {0, 0.3, 0.2, -0.02},  // b: same network, less successful
      {0, 0.5, 0.6, 0.05},   // e: same network, in between
      {1, 0.1, 0.2, 0.0},    // c: another network, alone in it
      {-1, 0.1, 0.2, 0.0},   // d: no network
  };
  const auto s = diffusion_shifts(sites, 0.5);
  // a has no more successful peer; c's only peer is itself; d has no network.
  CHECK(s[0].facilitation == 0.0);
  CHECK(s[0].posture == 0.0);
  CHECK(s[3].facilitation == 0.0);
  CHECK(s[4].facilitation == 0.0);
  // b moves halfway to the mean of a and e; e halfway to a.
  CHECK(s[1].facilitation == Approx(0.5 * (0.75 - 0.2)));
  CHECK(s[1].posture == Approx(0.5 * (0.075 + 0.02)));
  CHECK(s[2].facilitation == Approx(0.5 * (0.9 - 0.6)));
  CHECK(s[2].posture == Approx(0.5 * (0.10 - 0.05)));

  SECTION("a successful site of another network changes nothing") {
    auto other = sites;
    other[3] = {1, 0.99, 1.0, 0.5};
    const auto t = diffusion_shifts(other, 0.5);
    for (std::size_t k = 0; k < 3; ++k) CHECK(t[k].facilitation == s[k].facilitation);
  }
  SECTION("the order of the sites does not matter") {
    std::vector<Practice> reversed(sites.rbegin(), sites.rend());
    const auto t = diffusion_shifts(reversed, 0.5);
    for (std::size_t k = 0; k < sites.size(); ++k) {
      CHECK(t[sites.size() - 1 - k].facilitation == s[k].facilitation);
      CHECK(t[sites.size() - 1 - k].posture == s[k].posture);
    }
  }
  SECTION("chi = 0 and equal success move nothing") {
    for (const auto& x : diffusion_shifts(sites, 0.0)) CHECK((x.facilitation == 0.0 && x.posture == 0.0));
    auto equal = sites;
    for (auto& p : equal) p.success = 0.5;
    for (const auto& x : diffusion_shifts(equal, 0.5)) CHECK((x.facilitation == 0.0 && x.posture == 0.0));
  }
}

namespace {

// Site a (FCSF) runs the ATC method with a very good animator; sites b (FCSF)
// and c (CNLRQ) are shut down all along (no activity: their projects fail).
// Scenario "alone" removes a's method: with coupling off, b and c must not
// notice. "coupled" exchanges every 4 weeks with chi = 0.5.
std::string config() {
  const std::string a_method = R"(
[[scenario.intervention]]
kind = "animator"
sites = ["a"]
facilitation_quality = 0.95
turnover_per_year = 0.0
[[scenario.intervention]]
kind = "shared_governance"
sites = ["a"]
[[scenario.intervention]]
kind = "shared_diagnosis"
sites = ["a"]
)";
  const std::string shutdown = R"(
[[scenario.intervention]]
kind = "lockdown"
sites = ["b", "c"]
activity = 0.0
digital_effect = 0.0
)";
  return std::string(R"([experiment]
steps = 60
replicates = 2
seed = 11
step_days = 7

[model]
name = "territorial"
burn_in_weeks = 20

[[site]]
id = "a"
network = "FCSF"
population = 2000.0
[[site]]
id = "b"
network = "FCSF"
population = 2000.0
[[site]]
id = "c"
network = "CNLRQ"
population = 2000.0

[[scenario]]
name = "independent"
)") + a_method +
         shutdown + R"(
[[scenario]]
name = "alone"
)" + shutdown +
         R"(
[[scenario]]
name = "coupled"
[scenario.model]
diffusion_share = 0.5
diffusion_period_weeks = 4
)" + a_method +
         shutdown;
}

}  // namespace

TEST_CASE("diffusion: off, sites are independent; on, a site's gains raise its network peers only",
          "[territorial][diffusion]") {
  const Runs runs(config(), 2);
  constexpr std::size_t a = 0, b = 1, c = 2;  // site order of the config
  for (std::size_t r = 0; r < runs.replicates(); ++r) {
    // Coupling off: what happens at a does not reach b or c.
    CHECK(identical(runs.site_all("independent", r, b), runs.site_all("alone", r, b)));
    CHECK(identical(runs.site_all("independent", r, c), runs.site_all("alone", r, c)));
    CHECK(runs.series("facilitation_quality", "independent", r, b).back() == Approx(0.2));
    CHECK(runs.series("facilitation_quality", "independent", r, a).back() == Approx(0.95));
    // Coupling on: c (another network) is untouched, bit for bit.
    CHECK(identical(runs.site_all("coupled", r, c), runs.site_all("independent", r, c)));
    // b learned a's facilitation practice and a's institutions' posture gain.
    const double q = runs.series("facilitation_quality", "coupled", r, b).back();
    CHECK(q > 0.5);
    CHECK(q <= 0.95);
    const double posture_coupled = runs.series("institution_posture", "coupled", r, b).back();
    const double posture_alone = runs.series("institution_posture", "independent", r, b).back();
    CHECK(posture_coupled > posture_alone);
    // Nothing moves before the first exchange (after week 4).
    for (std::size_t week = 0; week <= 4; ++week) {
      CHECK(runs.series("facilitation_quality", "coupled", r, b).at(week) ==
            runs.series("facilitation_quality", "independent", r, b).at(week));
    }
  }
}

TEST_CASE("diffusion: coupled runs are bit-identical with 1 and 2 threads",
          "[territorial][diffusion][determinism]") {
  const Runs one(config(), 1);
  const Runs two(config(), 2);
  CHECK(identical(one.all(), two.all()));
  for (std::size_t site = 0; site < 3; ++site) {
    CHECK(identical(one.site_all("coupled", 1, site), two.site_all("coupled", 1, site)));
  }
}
