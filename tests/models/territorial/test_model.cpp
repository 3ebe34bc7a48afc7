// Model-level tests of the territorial model: invariants of the state week by
// week under every kind of intervention and shock, the indicators (declared,
// finite, bounded, explicit values for empty denominators), validation,
// population scaling, common random numbers and determinism across threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/error.hpp"
#include "sim/graph/metrics.hpp"
#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;
using atc::models::territorial::kCore;
using atc::models::territorial::kThemes;
using atc::models::territorial::kTieSlots;

namespace {

// A small site under every intervention kind, each active for some weeks.
std::vector<atc::sim::InterventionSpec> everything() {
  return {intervention("animator", 0, INT64_MAX,
                       {{"ramp_up_weeks", std::int64_t{4}},
                        {"turnover_per_year", 2.0},
                        {"vacancy_weeks", std::int64_t{3}}}),
          intervention("shared_governance", 2),
          intervention("shared_diagnosis", 1),
          intervention("institution_training", 5),
          intervention("funding", 6, 20),
          intervention("lockdown", 10, 16),
          intervention("funding_cut", 22, 30, {{"capacity_cut", 0.8}}),
          intervention("animator_departure", 25, 28),
          intervention("urban_renewal", 12, 20, {{"relocated_share", 0.2}})};
}

const Values kSmall{{"burn_in_weeks", std::int64_t{8}}, {"residential_turnover", 0.3}};
const Values kSmallSite{{"population", 1500.0}};

}  // namespace

TEST_CASE("state invariants hold week by week under every intervention", "[territorial]") {
  Site site(kSmall, kSmallSite, everything(), 3);
  auto& m = site.model();
  const auto& r = m.residents();
  const std::size_t n = r.n;
  auto before = r.level;
  auto block_before = r.block;
  std::size_t relocated = 0;
  for (int week = 0; week < 36; ++week) {
    site.step();
    const auto& g = m.ties();
    for (std::size_t i = 0; i < n; ++i) {
      const auto lv = r.level[i];
      REQUIRE(lv <= kCore);
      if (r.moved[i] == 0) {
        // Outreach lifts 0 -> 1 and participation moves one rung: at most two
        // rungs a week, and core is entered only from active.
        INFO("resident " << i << ": " << int(before[i]) << " -> " << int(lv));
        REQUIRE(std::abs(int(lv) - int(before[i])) <= 2);
        if (lv == kCore) REQUIRE(before[i] >= kCore - 1);
      } else {
        REQUIRE(r.moved[i] <= 2);
      }
      if (r.block[i] != block_before[i]) ++relocated;
      for (float x : {r.ti(i), r.ta(i), r.eff[i], r.fatigue[i]}) {
        REQUIRE(x >= 0.0f);
        REQUIRE(x <= 1.0f);
      }
      double sum = 0;
      for (int k = 0; k < kThemes; ++k) {
        REQUIRE(r.p(i)[k] >= 0.0f);
        sum += r.p(i)[k];
      }
      REQUIRE(sum == Approx(1.0).epsilon(1e-4));
      REQUIRE(r.tie_count[i] <= kTieSlots);
      // Ties: no self-tie, no duplicate, symmetric.
      const auto nb = g.neighbours_of(static_cast<atc::sim::NodeId>(i));
      for (std::size_t k = 0; k < nb.size(); ++k) {
        REQUIRE(nb[k] != i);
        if (k > 0) REQUIRE(nb[k] > nb[k - 1]);
        REQUIRE(g.has_edge(nb[k], static_cast<atc::sim::NodeId>(i)));
      }
    }
    const auto& o = m.organisations();
    for (int j = 0; j < o.size(); ++j) {
      REQUIRE(o.trust(j, j) == 1.0);
      for (int l = 0; l < o.size(); ++l) {
        REQUIRE(o.trust(j, l) >= 0.0);
        REQUIRE(o.trust(j, l) <= 1.0);
      }
      REQUIRE(o.posture[j] >= 0.0);
      REQUIRE(o.posture[j] <= 1.0);
    }
    before = r.level;
    block_before = r.block;
  }
  // Urban renewal (20 % over 8 weeks) relocated residents; turnover replaced some.
  CHECK(relocated > n / 10);
}

TEST_CASE("every declared indicator is written, finite, and shares stay in [0, 1]", "[territorial]") {
  Site site(kSmall, kSmallSite, everything(), 5);
  const auto& desc = description();
  for (int week = 0; week <= 36; ++week) {
    Capture c(site.model());
    REQUIRE(c.values.size() == desc.indicators.size());
    for (const auto& ind : desc.indicators) {
      INFO(ind.name << " at week " << week);
      REQUIRE(c.values.count(ind.name) == 1);
      const auto& v = c.values.at(ind.name);
      REQUIRE(v.size() == desc.extent(ind));
      for (double x : v) REQUIRE(std::isfinite(x));
      if (ind.units == "1" && ind.name.find("ratio") == std::string::npos &&
          ind.name.find("projects_") != 0 && ind.name.find("forum") != 0 && ind.name.find("conflict") != 0 &&
          ind.name != "informal_ties" && ind.name != "formed_ties") {
        for (double x : v) {
          REQUIRE(x >= 0.0);
          REQUIRE(x <= 1.0);
        }
      }
    }
    const auto& v = c.values;
    REQUIRE(v.at("core_share")[0] <= v.at("active_share")[0]);
    REQUIRE(v.at("active_share")[0] <= v.at("participation_share")[0]);
    REQUIRE(v.at("participation_share")[0] <= v.at("informed_share")[0]);
    REQUIRE(v.at("projects_on_resident_priority_share")[0] <= 1.0);
    site.step();
  }
}

TEST_CASE("ratios with empty denominators take their documented values", "[territorial]") {
  // Nobody ever participates: no initial participants and no way up the ladder.
  Site site({{"burn_in_weeks", std::int64_t{0}},
             {"initial_level_shares", std::vector<double>{0, 0, 0, 0}},
             {"ladder_up_rate", std::vector<double>{0, 0, 0, 0}}},
            kSmallSite);
  for (int week = 0; week < 3; ++week) site.step();
  Capture c(site.model());
  CHECK(c.values.at("participation_share")[0] == 0.0);
  CHECK(c.values.at("youth_representation_ratio")[0] == 0.0);
  CHECK(c.values.at("low_income_representation_ratio")[0] == 0.0);
  CHECK(c.values.at("priority_dispersion")[0] == 0.0);
  CHECK(c.values.at("largest_participant_component")[0] == 0.0);
  CHECK(c.values.at("projects_on_resident_priority_share")[0] == 0.0);
  CHECK(c.values.at("resident_voice_share")[0] == 0.0);
  // A site without youth: representation ratio 1 (nobody to represent).
  Site no_youth({{"burn_in_weeks", std::int64_t{4}}},
                {{"population", 1500.0}, {"under25_share", 0.24}, {"under15_share", 0.24}});
  Capture d(no_youth.model());
  CHECK(d.values.at("youth_representation_ratio")[0] == 1.0);
}

TEST_CASE("population and population_scale set the number of agents", "[territorial]") {
  Site full({{"burn_in_weeks", std::int64_t{0}}}, {{"population", 4000.0}, {"under15_share", 0.25}});
  Site half({{"burn_in_weeks", std::int64_t{0}}, {"population_scale", 0.5}},
            {{"population", 4000.0}, {"under15_share", 0.25}});
  CHECK(full.model().agent_count() == 3000);
  CHECK(half.model().agent_count() == 1500);
  // Associations follow the full population, not the sample (1.5 per 1,000, at least 3).
  CHECK(full.model().organisations().n_assoc == 6);
  CHECK(half.model().organisations().n_assoc == 6);
  CHECK(full.model().organisations().n_inst == 7);
}

TEST_CASE("the initial population follows the site profile", "[territorial]") {
  Site site({{"burn_in_weeks", std::int64_t{0}}}, {{"population", 20000.0}});
  const auto& r = site.model().residents();
  const double n = static_cast<double>(r.n);
  double youth = 0, senior = 0, low = 0, barrier = 0, member = 0, ties = 0;
  for (std::size_t i = 0; i < r.n; ++i) {
    youth += r.age[i] == 0;
    senior += r.age[i] == 2;
    low += r.low_income[i];
    barrier += r.barrier[i];
    member += r.member_of[i] != atc::models::territorial::kNoOrg;
    ties += r.tie_count[i];
  }
  CHECK(youth / n == Approx((0.39 - 0.24) / 0.76).margin(0.015));
  CHECK(senior / n == Approx(0.12 / 0.76).margin(0.015));
  CHECK(low / n == Approx(0.42).margin(0.015));
  // Digital barrier for anyone, language barrier for some foreign nationals:
  // 0.17 + 0.23 x (1 - 0.17) x 0.3.
  CHECK(barrier / n == Approx(0.17 + 0.23 * 0.83 * 0.3).margin(0.015));
  CHECK(member / n == Approx(0.218).margin(0.015));
  CHECK(ties / n == Approx(8.0).margin(0.5));  // 6 block ties + ~2 weak ties
  // Block lattices make a clustered network (a random one of this density would have ~0.001).
  double clustering = 0;
  for (atc::sim::NodeId i = 0; i < 2000; ++i)
    clustering += atc::sim::local_clustering(site.model().ties(), i);
  CHECK(clustering / 2000 > 0.15);
}

TEST_CASE("list lengths come from the bound members, cross-parameter checks catch the rest",
          "[territorial]") {
  atc::sim::ParamSet p(&description().params);
  CHECK(description().check(p).empty());
  // The length of a list parameter is its member's std::array size, checked
  // with the value like a range.
  const auto& prio = description().params[p.index_of("resident_priorities")];
  CHECK(prio.length == static_cast<std::size_t>(kThemes));
  CHECK_FALSE(prio.check(std::vector<double>{1, 2, 3}).empty());
  CHECK(prio.check(std::vector<double>{1, 2, 3, 4, 5, 6}).empty());
  CHECK_THAT(prio.expectation(), Catch::Contains("a list of 6 real numbers"));
  // At most one project per theme is active: more than kThemes is an error, not a silent cap.
  const auto& max_projects = description().params[p.index_of("max_projects")];
  CHECK(max_projects.check(std::int64_t{kThemes}).empty());
  CHECK_FALSE(max_projects.check(std::int64_t{kThemes + 1}).empty());
  p.set(p.index_of("resident_priorities"), std::vector<double>{0, 0, 0, 0, 0, 0});
  p.set(p.index_of("block_ties"), std::int64_t{5});
  const auto problems = description().check(p);
  std::set<std::string> keys;
  for (const auto& pr : problems) keys.insert(pr.key);
  CHECK(keys.count("resident_priorities") == 1);
  CHECK(keys.count("block_ties") == 1);
}

TEST_CASE("scenarios share draws until an intervention starts (common random numbers)", "[territorial]") {
  const std::string toml = R"(
[experiment]
replicates = 2
steps = 30
seed = 9
[model]
name = "territorial"
burn_in_weeks = 8
[[site]]
id = "s"
population = 1500
[[scenario]]
name = "baseline"
[[scenario]]
name = "late_animator"
[[scenario.intervention]]
kind = "animator"
start_week = 20
)";
  const Runs runs(toml, 0);
  const auto& desc = description();
  for (std::size_t r = 0; r < 2; ++r) {
    for (const auto& ind : desc.indicators) {
      if (ind.extra_dimension.empty() && ind.name.find("cost") == std::string::npos) {
        const auto& a = runs.series(ind.name, "baseline", r);
        const auto& b = runs.series(ind.name, "late_animator", r);
        INFO(ind.name);
        CHECK(std::equal(a.begin(), a.begin() + 21, b.begin()));
      }
    }
    // ... and differ afterwards.
    CHECK(runs.at("informed_share", "late_animator", r, 30) != runs.at("informed_share", "baseline", r, 30));
  }
}

TEST_CASE("results are bit-identical with 1 and 2 threads", "[territorial]") {
  const std::string toml = R"(
[experiment]
replicates = 2
steps = 40
seed = 17
[model]
name = "territorial"
burn_in_weeks = 10
residential_turnover = 0.2
[[site]]
id = "a"
population = 5000
[[site]]
id = "b"
population = 1200
network = "CNLRQ"
[[scenario]]
name = "baseline"
[[scenario]]
name = "everything"
[[scenario.intervention]]
kind = "animator"
ramp_up_weeks = 4
turnover_per_year = 2.0
vacancy_weeks = 2
theme_emphasis = "employment"
[[scenario.intervention]]
kind = "shared_governance"
start_week = 2
[[scenario.intervention]]
kind = "shared_diagnosis"
start_week = 1
[[scenario.intervention]]
kind = "institution_training"
start_week = 5
[[scenario.intervention]]
kind = "funding"
start_week = 6
end_week = 20
[[scenario.intervention]]
kind = "lockdown"
start_week = 10
end_week = 16
[[scenario.intervention]]
kind = "funding_cut"
start_week = 22
end_week = 30
[[scenario.intervention]]
kind = "animator_departure"
start_week = 25
end_week = 28
[[scenario.intervention]]
kind = "urban_renewal"
start_week = 12
end_week = 20
relocated_share = 0.2
)";
  // 5,000 residents -> blocks of 2,048 agents: the 2-thread run really splits phases.
  const Runs one(toml, 1);
  const Runs two(toml, 2);
  CHECK(identical(one.all(), two.all()));
}

TEST_CASE("the governance body's indicators follow its meetings and its own projects", "[territorial]") {
  // Without a body: all three are 0, whatever else happens.
  Site none(kSmall, kSmallSite, {}, 5);
  for (int week = 0; week < 40; ++week) none.step();
  Capture n(none.model());
  CHECK(n.values.at("body_attendance_per_1000")[0] == 0.0);
  CHECK(n.values.at("body_quorum_share")[0] == 0.0);
  CHECK(n.values.at("body_projects_succeeded")[0] == 0.0);
  CHECK(n.values.at("projects_launched")[0] > 0.0);  // institutions decide alone meanwhile

  // A body meeting every 4 weeks from week 30: attendance is its meeting's, the
  // quorum share the capped ratio, and its successes a subset of all successes.
  Site body(kSmall, kSmallSite,
            {intervention("shared_governance", 30, INT64_MAX, {{"preset", std::string("none")}})}, 5);
  double succeeded_by_body = 0, succeeded = 0;
  for (int week = 0; week < 120; ++week) {
    body.step();
    Capture c(body.model());
    const double attendance = c.values.at("body_attendance_per_1000")[0];
    const double quorum_share = c.values.at("body_quorum_share")[0];
    const double forum = c.values.at("forum_attendance")[0];
    REQUIRE(quorum_share >= 0.0);
    REQUIRE(quorum_share <= 1.0);
    if (week < 30) REQUIRE(attendance == 0.0);
    if (week >= 30 && (week - 30) % 4 == 0) {  // a meeting week: the body's attendance is this forum's
      REQUIRE(attendance == Approx(forum * 1000.0 / 1500.0));
      // quorum_per_1000 = 2 for 1,500 residents: a quorum of 3
      REQUIRE(quorum_share == Approx(std::min(1.0, forum / 3.0)));
    }
    succeeded_by_body = c.values.at("body_projects_succeeded")[0];
    succeeded = c.values.at("projects_succeeded")[0];
    REQUIRE(succeeded_by_body <= succeeded);
  }
  CHECK(succeeded_by_body > 0.0);
  // projects institutions launched alone before the body are not its own
  CHECK(succeeded_by_body < succeeded);
}

namespace {

// A small site whose tie rows are rewritten all along: turnover 0.5 a year,
// urban renewal in weeks 10-30 (relocations change blocks), an animator's
// forums forming and renewing ties. Returned as a prvalue: constructed in
// place (the model refers to the Site's members).
Site site_rewriting_rows() {
  return Site({{"residential_turnover", 0.5}, {"burn_in_weeks", std::int64_t{4}}}, {{"population", 2000.0}},
              {intervention("animator", 0), intervention("urban_renewal", 10, 30)}, 5);
}
}  // namespace

// network_clustering reuses a sampled resident's local clustering while its
// tie row and its neighbours' rows stay as they were (indicators.cpp): it
// must equal the clustering computed afresh from the ties, whichever weeks
// are observed (here every week, then every third week), with moves, urban
// renewal and forums rewriting rows all along.
TEST_CASE("the sampled clustering equals the clustering computed afresh whether observed weekly or not",
          "[territorial]") {
  Site site = site_rewriting_rows();
  const auto fresh = [&] {
    const auto& ties = site.model().ties();
    const auto& sample = site.model().clustering_sample();
    double sum = 0;
    for (const std::uint32_t i : sample) sum += atc::sim::local_clustering(ties, i);
    return sum / static_cast<double>(sample.size());
  };
  REQUIRE(site.model().clustering_sample().size() == 300);  // clustering_sample's default
  int observations = 0;
  for (int week = 0; week < 60; ++week) {
    if (week < 30 || week % 3 == 0) {
      const double observed = Capture(*site.base()).values.at("network_clustering").at(0);
      CHECK(observed == fresh());  // bit for bit: the same sum in the same order
      ++observations;
    }
    site.step();
  }
  CHECK(observations == 40);
}

// The bridging share is kept as ties are made and dropped (add_tie,
// clean_slots) instead of being counted from every tie's block: it must
// equal the count from the snapshot's rows and the residents' blocks after
// every week, with turnover, urban renewal (relocations change blocks) and
// forums forming and renewing ties all along.
TEST_CASE("the bridging share equals the share counted afresh from the ties and blocks", "[territorial]") {
  Site site = site_rewriting_rows();
  const auto fresh = [&] {
    const auto& ties = site.model().ties();
    const auto& r = site.model().residents();
    std::uint64_t all = 0, bridging = 0;
    for (std::uint32_t i = 0; i < r.n; ++i) {
      for (const std::uint32_t t : ties.neighbours_of(i)) {
        ++all;
        bridging += r.block[t] != r.block[i] ? 1 : 0;
      }
    }
    return static_cast<double>(bridging) / static_cast<double>(all);
  };
  double lowest = 1, highest = 0;
  for (int week = 0; week < 50; ++week) {
    const double observed = Capture(*site.base()).values.at("bridging_tie_share").at(0);
    CHECK(observed == fresh());  // the same integers divided
    lowest = std::min(lowest, observed);
    highest = std::max(highest, observed);
    site.step();
  }
  CHECK(lowest > 0.0);
  CHECK(highest > lowest);  // the share moves: the counts are really kept up to date
}

// The organisations' trust indicators are sums over every pair kept from the
// initial matrix's sums and the moved entries' changes (indicators.cpp), not
// a sweep over the n^2 entries: they must equal the mean and spread over
// every pair computed afresh, week after week, while project outcomes move
// entries and relaxation pulls them back. The order of the additions differs,
// so the two agree to rounding, not bit for bit.
TEST_CASE("the organisations' trust indicators equal the sums over every pair computed afresh",
          "[territorial]") {
  Site site({{"burn_in_weeks", std::int64_t{0}}}, {{"population", 3000.0}},
            {intervention("animator", 0), intervention("shared_governance", 0)}, 9);
  const auto fresh = [&] {
    const auto& org = site.model().organisations();
    double sum = 0, sum2 = 0, count = 0;
    for (int j = 0; j < org.size(); ++j) {
      for (int l = 0; l < org.size(); ++l) {
        if (j == l) continue;
        sum += org.trust(j, l);
        sum2 += org.trust(j, l) * org.trust(j, l);
        count += 1;
      }
    }
    const double mean = sum / count;
    return std::array<double, 2>{mean, std::sqrt(sum2 / count - mean * mean)};
  };
  REQUIRE(site.model().organisations().size() > 5);
  double lowest = 1, highest = 0;
  for (int week = 0; week < 120; ++week) {
    const auto values = Capture(*site.base()).values;
    const double mean = values.at("org_trust_mean").at(0);
    const double sd = values.at("org_trust_sd").at(0);
    const std::array<double, 2> expected = fresh();
    CHECK(mean == Approx(expected[0]).epsilon(1e-12));
    CHECK(sd == Approx(expected[1]).epsilon(1e-9));
    lowest = std::min(lowest, mean);
    highest = std::max(highest, mean);
    site.step();
  }
  CHECK_FALSE(site.model().organisations().moved.empty());
  CHECK(highest - lowest > 1e-3);  // outcomes really moved the matrix
}

// The dispersion of participants' priorities reads the participants listed
// by the census (take_census) instead of passing over every resident again:
// it must equal the dispersion computed afresh from every resident's level
// and priorities, summed as every reduction is (the engine's blocks, each in
// resident order, then in block order), bit for bit: from week 0 of a site
// without burn-in, over several blocks (the last one partial), while forums,
// turnover and the ladder change who participates. (Lists counted at level
// >= kActive fail 40 of its 43 checks; lists whose lengths are not set, 42.)
TEST_CASE("the participants' priority dispersion equals the dispersion computed afresh", "[territorial]") {
  using atc::models::territorial::kOccasional;
  Site site({{"burn_in_weeks", std::int64_t{0}}, {"residential_turnover", 0.5}}, {{"population", 6000.0}},
            {intervention("animator", 0), intervention("shared_governance", 0)}, 11);
  const std::size_t block = atc::sim::Parallel::kDefaultBlock;
  const auto fresh = [&] {
    const auto& r = site.model().residents();
    std::array<double, kThemes> prio{};
    double parts = 0;
    for (std::size_t b = 0; b < r.n; b += block) {
      std::array<double, kThemes> in_block{};
      for (std::size_t i = b; i < std::min(r.n, b + block); ++i) {
        if (r.level[i] < kOccasional) continue;
        parts += 1;
        for (int k = 0; k < kThemes; ++k) in_block[k] += r.p(i)[k];
      }
      for (int k = 0; k < kThemes; ++k) prio[k] += in_block[k];
    }
    std::array<double, kThemes> centroid{};
    for (int k = 0; k < kThemes; ++k) centroid[k] = prio[k] / parts;
    double squared = 0;
    for (std::size_t b = 0; b < r.n; b += block) {
      double in_block = 0;
      for (std::size_t i = b; i < std::min(r.n, b + block); ++i) {
        if (r.level[i] < kOccasional) continue;
        for (int k = 0; k < kThemes; ++k) in_block += (r.p(i)[k] - centroid[k]) * (r.p(i)[k] - centroid[k]);
      }
      squared += in_block;
    }
    return atc::models::territorial::pairwise_dispersion(squared / parts, static_cast<std::size_t>(parts));
  };
  REQUIRE(site.model().residents().n > 2 * block);
  double lowest = 1e9, highest = 0;
  for (int week = 0; week < 40; ++week) {
    const double observed = Capture(*site.base()).values.at("priority_dispersion").at(0);
    CHECK(observed == fresh());  // the same sums in the same order
    lowest = std::min(lowest, observed);
    highest = std::max(highest, observed);
    site.step();
  }
  CHECK(lowest > 0.0);
  CHECK(highest > lowest);
}
