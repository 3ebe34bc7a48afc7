// Model::with_interventions for the territorial model: a site built without
// interventions (and warmed up) then given interventions on a copy is, week
// by week and bit for bit, the site built with them. The engine relies on it
// to build a site once for the scenarios of a replicate that differ only in
// their interventions (sim/exec/runner.cpp).
#include <catch2/catch.hpp>

#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;
using atc::sim::InterventionSpec;
using atc::sim::Model;

namespace {

// Interventions that act from the first weeks on: any of them left out of a
// copy, or scheduled for another network, changes the trajectory.
std::vector<InterventionSpec> package() {
  return {intervention("animator", 0, INT64_MAX, {{"ramp_up_weeks", std::int64_t{2}}}),
          intervention("shared_governance", 1),
          intervention("shared_diagnosis", 0),
          intervention("institution_training", 3),
          intervention("funding", 2, 12),
          intervention("lockdown", 8, 11),
          intervention("urban_renewal", 5, 15, {{"relocated_share", 0.2}})};
}

// A small site with a warm-up long enough to move the state away from its
// initial draw; its network has its own presets for the animator and the
// governance body (docs/networks.md).
Site site(std::vector<InterventionSpec> interventions) {
  return Site({{"burn_in_weeks", std::int64_t{20}}, {"residential_turnover", 0.3}}, {{"population", 1500.0}},
              std::move(interventions), 11, 1, true, "CNLRQ");
}

constexpr int kWeeks = 30;

// Every indicator at week 0 and after each of `kWeeks` weeks, concatenated.
std::vector<double> trajectory(Model& model) {
  std::vector<double> out;
  auto observe = [&] {
    for (const auto& values : atc::sim::read_indicators(description(), model, atc::sim::Parallel(false)))
      out.insert(out.end(), values.begin(), values.end());
  };
  observe();
  for (std::int64_t week = 0; week < kWeeks; ++week) {
    model.step(week, atc::sim::Parallel(true));
    observe();
  }
  return out;
}

}  // namespace

TEST_CASE("a warmed-up site given interventions on a copy is the site built with them", "[territorial]") {
  const auto ivs = package();
  const std::vector<double> with = trajectory(*site(ivs).base());
  const std::vector<double> without = trajectory(*site({}).base());
  REQUIRE_FALSE(identical(with, without));  // the interventions matter within the weeks compared

  const Site built = site({});
  Model& base = *built.base();
  const std::unique_ptr<Model> first = base.with_interventions(ivs);
  REQUIRE(first != nullptr);
  CHECK(identical(trajectory(*first), with));
  // The copy that ran shared nothing with the site: a second copy, made
  // after it, and one without interventions start from the same state.
  CHECK(identical(trajectory(*base.with_interventions(ivs)), with));
  CHECK(identical(trajectory(*base.with_interventions({})), without));
  // Copies replace the site's interventions, they do not add to them.
  CHECK(identical(trajectory(*site(ivs).base()->with_interventions({})), without));
  // The site itself is still the site built without interventions.
  CHECK(identical(trajectory(base), without));
}
