// Phase 9, diffusion across sites: the imitation rule on its own, then whole
// experiments of three sites (two of one network, one of another) run by the
// engine with coupling off and on.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;
using atc::models::territorial::kPractices;
using atc::models::territorial::practice_evidence;
using atc::models::territorial::similarity;
using atc::models::territorial::SiteRecord;
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

TEST_CASE("diffusion: the evidence for a practice compares attending peers of the same network",
          "[territorial][diffusion]") {
  const std::vector<SiteRecord> sites{
      site(0, true, 2.0, false),                             // the deciding site: not a peer of itself
      site(0, true, 5.0, true),                              // peers with the practice
      site(0, true, 6.0, true),  site(0, true, 3.0, false),  // peers without
      site(0, true, 2.0, false), site(0, false, 9.0, true),  // absent: ignored
      site(1, true, 9.0, true),                              // other network: ignored
  };
  // Means 5.5 and 2.5; pooled within-group variance (0.25 + 0.25 + 0.25 + 0.25) / 4 x 4 / 2 = 0.5;
  // standard error sqrt(0.5 (1/2 + 1/2)) = 0.707: evidence 3 / 0.707.
  CHECK(practice_evidence(sites, 0, 0, 10.0, 3) == Approx(3.0 / std::sqrt(0.5)).epsilon(1e-9));
  // Practice 1: nobody uses it, nothing to compare.
  CHECK(practice_evidence(sites, 0, 1, 10.0, 3) == 0.0);
  SECTION("the order of the sites does not matter") {
    const std::vector<SiteRecord> shuffled{sites[6], sites[4], sites[0], sites[5],
                                           sites[1], sites[3], sites[2]};
    CHECK(practice_evidence(shuffled, 2, 0, 10.0, 3) == Approx(practice_evidence(sites, 0, 0, 10.0, 3)));
  }
  SECTION("too few peers to judge") {
    const std::vector<SiteRecord> two{sites[0], sites[1], sites[3]};
    CHECK(practice_evidence(two, 0, 0, 10.0, 3) == 0.0);
    // The fewest peers is a parameter (adoption_min_peers): the four peers above suffice for 4, not 5.
    CHECK(practice_evidence(sites, 0, 0, 10.0, 4) == Approx(3.0 / std::sqrt(0.5)).epsilon(1e-9));
    CHECK(practice_evidence(sites, 0, 0, 10.0, 5) == 0.0);
  }
  SECTION("peers are weighted by similarity") {
    auto far = sites;
    far[1].profile[0] = far[2].profile[0] = 6.0;  // the adopters are 250 times larger
    far.push_back(site(0, true, 2.0, true));      // a similar adopter that does as badly as non-adopters
    CHECK(practice_evidence(far, 0, 0, 0.5, 3) < 1.0);
    CHECK(similarity(far[0], far[1], 0.5) < 1e-3);
  }
}

TEST_CASE("diffusion: evidence within the threshold never moves a site", "[territorial][diffusion]") {
  CHECK(switch_probability(0.99, false, 1.0, 0.5) == 0.0);
  CHECK(switch_probability(-5.0, false, 1.0, 0.5) == 0.0);
  CHECK(switch_probability(2.0, false, 1.0, 0.5) == Approx(1.0 - std::exp(-2.0)));
  CHECK(switch_probability(2.0, true, 1.0, 0.5) == 0.0);  // in use: only evidence against it drops it
  CHECK(switch_probability(-2.0, true, 1.0, 0.5) == Approx(1.0 - std::exp(-2.0)));
}

namespace {

// Site a (FCSF) runs the ATC method with a very good animator; sites b (FCSF)
// and c (CNLRQ) are shut down all along (no activity: their projects fail).
// Scenario "alone" removes a's method: with coupling off, b and c must not
// notice. "coupled" holds network meetings every 4 weeks.
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

TEST_CASE("diffusion: off, sites are independent, on, only attending sites of the same network can change",
          "[territorial][diffusion]") {
  const Runs runs(config(), 2);
  constexpr std::size_t b = 1, c = 2;  // site order of the config
  for (std::size_t r = 0; r < runs.replicates(); ++r) {
    // Coupling off: what happens at a does not reach b or c.
    CHECK(identical(runs.site_all("independent", r, b), runs.site_all("alone", r, b)));
    CHECK(identical(runs.site_all("independent", r, c), runs.site_all("alone", r, c)));
    // Coupling on: c (another network) and b (no animator: it does not attend
    // the meetings) are untouched, bit for bit.
    CHECK(identical(runs.site_all("coupled", r, c), runs.site_all("independent", r, c)));
    CHECK(identical(runs.site_all("coupled", r, b), runs.site_all("independent", r, b)));
  }
}

namespace {

// Ten sites of one network, all with an animator and a governance body, half
// of them starting with each practice; the co-decision practice raises
// residents' voice (a detectable effect), or does nothing. A replicate's
// sites tend to switch together (one network), so its change has an sd of
// about 0.4 for a spread of 0.13-0.25 of the sites in three years: 48
// replicates (s.e. about 0.06), at population_scale 0.2 to pay for them.
std::string network_config() {
  std::string sites;
  for (int k = 0; k < 10; ++k) {
    sites += "[[site]]\nid = \"s" + std::to_string(k) +
             "\"\nnetwork = \"FCSF\"\npopulation = " + std::to_string(2000 + 300 * k) + ".0\n";
  }
  const std::string method = R"(
[[scenario.intervention]]
kind = "animator"
turnover_per_year = 0.0
[[scenario.intervention]]
kind = "shared_governance"
)";
  return R"([experiment]
steps = 156
replicates = 48
seed = 11
step_days = 7
[model]
name = "territorial"
burn_in_weeks = 52
population_scale = 0.2
diffusion = true
practice_initial_share = [0.5, 0.5]
)" + sites +
         R"(
[[scenario]]
name = "useful"
model = { practice_effect = [0.0, 0.5] }
)" + method +
         R"(
[[scenario]]
name = "useless"
model = { practice_effect = [0.0, 0.0] }
)" + method;
}

}  // namespace

TEST_CASE("diffusion: a practice that works spreads, a useless one does not", "[territorial][diffusion]") {
  const Runs runs(network_config(), 0);
  // Change of the share of sites using the co-decision practice over the run, per replicate.
  auto changes = [&](const std::string& scenario) {
    std::vector<double> d;
    for (std::size_t r = 0; r < runs.replicates(); ++r) {
      double change = 0;
      for (std::size_t s = 0; s < 10; ++s) {
        const auto& x = runs.series("practice_in_use", scenario, r, s);  // (time, practice)
        change += (x[x.size() - 1] - x[1]) / 10.0;
      }
      d.push_back(change);
    }
    return d;
  };
  const std::vector<double> with_effect = changes("useful");
  const std::vector<double> without = changes("useless");
  std::vector<double> difference(with_effect.size());
  for (std::size_t r = 0; r < difference.size(); ++r) difference[r] = with_effect[r] - without[r];
  const auto useful = paired(with_effect);
  const auto useless = paired(without);
  const auto contrast = paired(difference);
  INFO("useful: " << useful.mean << " +- " << useful.se << "; useless: " << useless.mean << " +- "
                  << useless.se << "; paired difference " << contrast.mean << " +- " << contrast.se);
  // Paired by common random numbers: the same sites, starting practices and draws.
  CHECK(contrast.mean > 2 * contrast.se);
  CHECK(useful.mean > 2 * useful.se);
  CHECK(useful.mean > 0.1);
  // The placebo's drift is noise: within 3 s.e. (at seeds 11-14: -0.06 to +0.14, s.e. 0.05-0.07).
  CHECK(std::abs(useless.mean) < 3 * useless.se);
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
