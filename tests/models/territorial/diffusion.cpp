// Phase 9, diffusion across sites: the imitation rule on its own, then whole
// experiments of three sites (two of one network, one of another) run by the
// engine with coupling off and on.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;
using atc::models::territorial::kPractices;
using atc::models::territorial::practice_advantage;
using atc::models::territorial::SiteRecord;
using atc::models::territorial::similarity;
using atc::models::territorial::switch_probability;

namespace {
SiteRecord site(int network, bool attends, double success, bool in_use, double size = 3.6) {
  SiteRecord r;
  r.network = network;
  r.attends = attends;
  r.profile = {size, 0, 0, 0};
  r.success = success;
  r.in_use = {in_use, false};
  return r;
}
}  // namespace

TEST_CASE("diffusion: the advantage of a practice compares attending peers of the same network",
          "[territorial][diffusion]") {
  const std::vector<SiteRecord> sites{
      site(0, true, 2.0, false),  // the deciding site
      site(0, true, 5.0, true),   // peer with the practice
      site(0, true, 3.0, false),  // peer without
      site(0, false, 9.0, true),  // absent: ignored
      site(1, true, 9.0, true),   // other network: ignored
  };
  CHECK(practice_advantage(sites, 0, 0, 1.0) == Approx(2.0));
  // Practice 1: nobody uses it, nothing to compare.
  CHECK(practice_advantage(sites, 0, 1, 1.0) == 0.0);
  SECTION("the order of the sites does not matter") {
    const std::vector<SiteRecord> shuffled{sites[4], sites[2], sites[0], sites[3], sites[1]};
    CHECK(practice_advantage(shuffled, 2, 0, 1.0) == Approx(2.0));
  }
  SECTION("peers are weighted by similarity") {
    auto far = sites;
    far[1].profile[0] = 5.0;  // the successful adopter is ~25 times larger
    CHECK(practice_advantage(far, 0, 0, 0.5) == Approx(2.0));  // alone in its group: weights cancel
    far.push_back(site(0, true, 1.0, true));  // a similar adopter that does worse
    CHECK(practice_advantage(far, 0, 0, 0.5) < 0.0);
    CHECK(similarity(far[0], far[1], 0.5) < 0.05);
  }
}

TEST_CASE("diffusion: an advantage within the threshold never moves a site", "[territorial][diffusion]") {
  CHECK(switch_probability(0.99, false, 1.0, 0.25) == 0.0);
  CHECK(switch_probability(-5.0, false, 1.0, 0.25) == 0.0);
  CHECK(switch_probability(1.5, false, 1.0, 0.25) == Approx(1.0 - std::exp(-2.0)));
  CHECK(switch_probability(1.5, true, 1.0, 0.25) == 0.0);  // already in use: only drops on a disadvantage
  CHECK(switch_probability(-1.5, true, 1.0, 0.25) == Approx(1.0 - std::exp(-2.0)));
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
diffusion = true
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
