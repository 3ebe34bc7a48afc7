// The week's tie formation (form_ties, serial) runs beside phase 2's contact
// rates (phase_outreach) in advance(), on the claim that neither reads what
// the other writes: form_ties writes the tie slots, which the rates never
// read (they read last week's snapshot). ThreadSanitizer sees only the
// schedules that happened; this test checks the claim itself, by running the
// two in both orders on copies of one site and comparing them bit for bit.
#include <catch2/catch.hpp>

#include <memory>
#include <numeric>

#include "tests/models/territorial/harness.hpp"

namespace atc::models::territorial {

// Friend of TerritorialModel: the first phases of a week, one by one, in the
// order advance() runs them.
struct TerritorialModelTestAccess {
  static Week& begin_week(TerritorialModel& m, std::int64_t step, sim::Parallel par) {
    Week& w = m.week_;
    w = Week{};
    w.step = step;
    w.key = static_cast<std::uint64_t>(step);
    m.phase_schedule(w);
    m.apply_moves(w, par);
    return w;
  }
  static void form_ties(TerritorialModel& m, const Week& w) { m.form_ties(w); }
  static OutreachRates phase_outreach(TerritorialModel& m, const Week& w, sim::Parallel par) {
    return m.phase_outreach(w, par);
  }
};

}  // namespace atc::models::territorial

using namespace atc::test::territorial;
using atc::models::territorial::OutreachRates;
using atc::models::territorial::Residents;
using atc::models::territorial::TerritorialModel;
using Access = atc::models::territorial::TerritorialModelTestAccess;

namespace {

bool same_rates(const OutreachRates& a, const OutreachRates& b) {
  return a.all == b.all && a.animator == b.animator && a.member_extra == b.member_extra;
}

// Every dynamic field of the residents, bit for bit.
bool same_residents(const Residents& a, const Residents& b) {
  return a.n == b.n && a.block == b.block && a.member_of == b.member_of && a.level == b.level &&
         a.ever == b.ever && a.invited == b.invited && a.attending == b.attending && a.moved == b.moved &&
         a.participating == b.participating && a.weeks_active == b.weeks_active && a.trust == b.trust &&
         a.eff == b.eff && a.fatigue == b.fatigue && a.prio == b.prio && a.project_of == b.project_of &&
         a.tie_count == b.tie_count && a.tie_to == b.tie_to && a.tie_kind == b.tie_kind &&
         a.tie_life == b.tie_life && a.formed == b.formed && a.slots_changed == b.slots_changed;
}

std::size_t total_ties(const Residents& r) {
  return std::accumulate(r.tie_count.begin(), r.tie_count.end(), std::size_t{0});
}

}  // namespace

TEST_CASE("tie formation and phase 2's contact rates give the same week in either order", "[territorial]") {
  // Turnover, urban renewal and the animator: movers and their neighbours
  // form ties, and phase 2 recomputes the affiliations of the moved.
  const Values params{{"burn_in_weeks", std::int64_t{8}}, {"residential_turnover", 0.3}};
  Site site(params, {{"population", 3000.0}},
            {intervention("animator", 0), intervention("urban_renewal", 3, 12, {{"relocated_share", 0.2}})},
            11, 0, false);
  const atc::sim::Parallel serial(false);
  for (int week = 0; week < 5; ++week) site.step();
  const TerritorialModel& start = site.model();
  for (std::int64_t step = 5; step < 8; ++step) {
    INFO("week " << step);
    auto ties_first = std::make_unique<TerritorialModel>(start);
    auto rates_first = std::make_unique<TerritorialModel>(start);

    const auto& w1 = Access::begin_week(*ties_first, step, serial);
    const std::size_t before = total_ties(ties_first->residents());
    Access::form_ties(*ties_first, w1);
    // The test's power: form_ties did change the slots this week, so rates
    // that read them would differ between the two orders.
    REQUIRE(total_ties(ties_first->residents()) > before);
    const OutreachRates a = Access::phase_outreach(*ties_first, w1, serial);

    const auto& w2 = Access::begin_week(*rates_first, step, serial);
    const OutreachRates b = Access::phase_outreach(*rates_first, w2, serial);
    Access::form_ties(*rates_first, w2);

    CHECK(same_rates(a, b));
    CHECK(same_residents(ties_first->residents(), rates_first->residents()));
    // Whatever else either wrote (affiliation sets, contributions) shows in
    // the weeks that follow: a few more weeks, then every indicator.
    for (std::int64_t next = step + 1; next < step + 4; ++next) {
      ties_first->step(next, serial);
      rates_first->step(next, serial);
    }
    CHECK(same_residents(ties_first->residents(), rates_first->residents()));
    CHECK(Capture(*ties_first).values == Capture(*rates_first).values);
    site.step();
  }
}
