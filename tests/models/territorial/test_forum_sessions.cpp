// Forums held as sessions (docs/ODD.md 7.5): a forum whose attendees, counted
// at full scale, exceed `forum_session_capacity` is split into equal sessions
// that deliberate on their own. Checked week by week: the number of sessions
// against its definition (a count in agents instead of people fails it at
// population_scale 0.5), and the split itself from the model's lists: every
// attendee in one session, sessions of consecutive residents and of equal
// size, every pair inside a session (pairs matched across the forum, random
// or unequal sessions, or a session boundary off by one fail it). A capacity
// no forum reaches changes nothing; sessions are deterministic whatever the
// number of threads; at a small population_scale a session keeps a pair; a
// capacity below 2 or not whole is a config error; and
// splitting leaves the conflict per forum and the ATC effects where one
// session puts them, with a tolerance an S-fold error (the sessions' conflict
// summed instead of averaged) does not meet.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;

namespace {

std::vector<atc::sim::InterventionSpec> atc_methods() {
  return {intervention("animator", 0), intervention("shared_governance", 0),
          intervention("shared_diagnosis", 0)};
}

// Steps both sites `weeks` times and requires every indicator of one to be
// bit-identical to the other's each week; returns the largest value of
// `tracked` seen.
double step_identically(Site& a, Site& b, int weeks, const std::string& tracked) {
  double largest = 0;
  for (int week = 0; week < weeks; ++week) {
    a.step();
    b.step();
    const Capture ca(a.model());
    const Capture cb(b.model());
    largest = std::max(largest, ca.values.at(tracked)[0]);
    for (const auto& [name, values] : ca.values) {
      INFO(name << " in week " << week);
      REQUIRE(values == cb.values.at(name));
    }
  }
  return largest;
}

}  // namespace

TEST_CASE("a forum larger than a session's capacity is held as equal sessions, counted at full scale",
          "[territorial][forum]") {
  const std::uint64_t capacity = 100;
  Site site({{"burn_in_weeks", std::int64_t{8}}, {"population_scale", 0.5}}, {{"population", 30000.0}},
            atc_methods(), 3);
  const auto& r = site.model().residents();
  int forums = 0, split = 0;
  double held = 0;
  for (int week = 0; week < 60; ++week) {
    site.step();
    const Capture c(site.model());
    const double attendance = c.values.at("forum_attendance")[0];
    const double sessions = c.values.at("forum_sessions")[0];
    const double per_session = c.values.at("forum_session_attendance")[0];
    const bool forum_this_week = c.values.at("forums_held")[0] > held;
    held = c.values.at("forums_held")[0];
    INFO("week " << week << ": " << attendance << " people in " << sessions << " session(s)");
    if (attendance == 0.0) {
      REQUIRE(sessions == 0.0);
      REQUIRE(per_session == 0.0);
      continue;
    }
    ++forums;
    const auto people = static_cast<std::uint64_t>(std::llround(attendance));
    REQUIRE(sessions == static_cast<double>(std::max<std::uint64_t>(1, (people + capacity - 1) / capacity)));
    REQUIRE(per_session == Approx(attendance / sessions));
    REQUIRE(per_session <= static_cast<double>(capacity));
    if (sessions > 1) REQUIRE(per_session > static_cast<double>(capacity) / 2);
    if (!forum_this_week || sessions < 2) continue;
    ++split;
    // The split, from the model's lists.
    const auto& attendees = site.model().forum_attendee_list();
    const auto& begin = site.model().forum_session_begin();
    REQUIRE(begin.size() == static_cast<std::size_t>(sessions) + 1);
    REQUIRE(begin.front() == 0);
    REQUIRE(begin.back() == attendees.size());
    REQUIRE(static_cast<double>(attendees.size()) == Approx(attendance * 0.5));
    std::size_t attending = 0;
    for (std::size_t i = 0; i < r.n; ++i) attending += r.attending[i];
    REQUIRE(attending == attendees.size());
    std::size_t shortest = attendees.size(), longest = 0, pairs = 0;
    std::uint32_t previous_last = 0;
    for (std::size_t s = 0; s + 1 < begin.size(); ++s) {
      REQUIRE(begin[s] < begin[s + 1]);
      shortest = std::min(shortest, begin[s + 1] - begin[s]);
      longest = std::max(longest, begin[s + 1] - begin[s]);
      pairs += (begin[s + 1] - begin[s]) / 2;
      const auto [lowest, highest] =
          std::minmax_element(attendees.begin() + static_cast<std::ptrdiff_t>(begin[s]),
                              attendees.begin() + static_cast<std::ptrdiff_t>(begin[s + 1]));
      if (s > 0) REQUIRE(*lowest > previous_last);  // sessions of consecutive residents
      previous_last = *highest;
      for (std::size_t k = begin[s]; k < begin[s + 1]; ++k) REQUIRE(r.attending[attendees[k]] == 1);
    }
    REQUIRE(longest - shortest <= 1);
    const auto& pair_first = site.model().forum_pair_first();
    REQUIRE(pair_first.size() == pairs);
    const auto session_of = [&](std::size_t k) {
      return static_cast<std::size_t>(std::upper_bound(begin.begin(), begin.end(), k) - begin.begin()) - 1;
    };
    std::vector<char> paired(attendees.size(), 0);
    for (const std::uint32_t k : pair_first) {
      REQUIRE(k + 1 < attendees.size());
      REQUIRE(session_of(k) == session_of(k + 1));  // both in one session
      REQUIRE(paired[k] + paired[k + 1] == 0);      // disjoint pairs
      paired[k] = paired[k + 1] = 1;
    }
  }
  CHECK(forums > 10);
  CHECK(split > 10);  // the site's forums exceed the capacity
}

TEST_CASE("at a small population_scale a forum session keeps a pair", "[territorial][forum]") {
  // At scale 0.01 a session of 100 people would be one agent: nobody could
  // deliberate. Sessions keep at least 2 agents, so forums still have pairs
  // and conflict.
  Site site({{"burn_in_weeks", std::int64_t{8}}, {"population_scale", 0.01}}, {{"population", 60000.0}},
            atc_methods(), 9);
  double conflict = 0;
  int split = 0;
  for (int week = 0; week < 60; ++week) {
    site.step();
    const Capture c(site.model());
    const double sessions = c.values.at("forum_sessions")[0];
    if (sessions == 0.0) continue;
    const auto agents = static_cast<std::size_t>(std::llround(c.values.at("forum_attendance")[0] * 0.01));
    const std::size_t most_sessions = std::max<std::size_t>(1, agents / 2);  // whole pairs
    REQUIRE(sessions <= static_cast<double>(most_sessions));
    if (sessions > 1) ++split;
    conflict = std::max(conflict, c.values.at("conflict_intensity")[0]);
    const auto& begin = site.model().forum_session_begin();
    for (std::size_t s = 0; s + 1 < begin.size(); ++s) REQUIRE(begin[s + 1] - begin[s] >= 2);
  }
  CHECK(split > 5);
  CHECK(conflict > 0.0);
}

TEST_CASE("forums held as sessions give bit-identical results in parallel and serially",
          "[territorial][forum][determinism]") {
  const Values params{{"burn_in_weeks", std::int64_t{4}}, {"population_scale", 0.5}};
  Site parallel(params, {{"population", 30000.0}}, atc_methods(), 7, 0, true);
  Site serial(params, {{"population", 30000.0}}, atc_methods(), 7, 0, false);
  CHECK(step_identically(parallel, serial, 30, "forum_sessions") >= 3);
}

TEST_CASE("a session capacity no forum reaches changes nothing (placebo)", "[territorial][forum]") {
  const Values shared{{"burn_in_weeks", std::int64_t{8}}};
  Values unlimited = shared;
  unlimited.emplace_back("forum_session_capacity", std::int64_t{1000000000});
  Site site(shared, {{"population", 3000.0}}, atc_methods(), 5);
  Site one_session(unlimited, {{"population", 3000.0}}, atc_methods(), 5);
  const double largest = step_identically(site, one_session, 80, "forum_attendance");
  REQUIRE(largest > 20.0);
  REQUIRE(largest <= 100.0);  // the default capacity is never reached at this size
}

TEST_CASE("sessions keep the conflict per forum and the ATC effects of one session", "[territorial][forum]") {
  const auto experiment = [](const std::string& capacity) {
    return R"(site = [{id = "large", population = 24000.0}]
scenario = [
  {name = "baseline"},
  {name = "atc", intervention = [{kind = "animator"}, {kind = "shared_governance"}, {kind = "shared_diagnosis"}]},
]
[experiment]
replicates = 12
steps = 104
seed = 41
[model]
name = "territorial"
population_scale = 0.3
burn_in_weeks = 52
forum_session_capacity = )" +
           capacity + "\n";
  };
  const Runs split(experiment("100"), 0);
  const Runs whole(experiment("1000000000"), 0);
  const auto over_replicates = [](const Runs& runs, auto&& value) {
    std::vector<double> d;
    for (std::size_t r = 0; r < runs.replicates(); ++r) d.push_back(value(r));
    return paired(d);
  };
  // Mean of f(week) over the forums of `atc` held in weeks 52-104 (a week
  // whose count of forums rose, with attendees).
  const auto forum_weeks = [](const Runs& runs, std::size_t r, auto&& f) {
    double sum = 0, n = 0;
    for (std::size_t t = 52; t <= 104; ++t) {
      if (runs.at("forums_held", "atc", r, t) == runs.at("forums_held", "atc", r, t - 1)) continue;
      if (runs.at("forum_attendance", "atc", r, t) == 0.0) continue;
      sum += f(t);
      n += 1;
    }
    return sum / n;
  };
  const auto agree = [](const Paired& a, const Paired& b) {
    return std::abs(a.mean - b.mean) <= 3 * std::sqrt(a.se * a.se + b.se * b.se) + 0.1 * std::abs(b.mean);
  };
  const Paired sessions = over_replicates(split, [&](std::size_t r) {
    return forum_weeks(split, r, [&](std::size_t t) { return split.at("forum_sessions", "atc", r, t); });
  });
  INFO("sessions a forum: " << sessions.mean);
  REQUIRE(sessions.mean > 2.0);  // the capacity binds: about 300 people a forum

  // The conflict of the last forum, split and whole, and the wrong variant:
  // the sessions' conflict added up.
  const auto conflict = [&](const Runs& runs, bool summed) {
    return over_replicates(runs, [&](std::size_t r) {
      return forum_weeks(runs, r, [&](std::size_t t) {
        return runs.at("conflict_intensity", "atc", r, t) *
               (summed ? runs.at("forum_sessions", "atc", r, t) : 1.0);
      });
    });
  };
  const Paired c_whole = conflict(whole, false);
  const Paired c_split = conflict(split, false);
  const Paired c_summed = conflict(split, true);
  INFO("conflict per forum: one session " << c_whole.mean << " +- " << c_whole.se << ", sessions "
                                          << c_split.mean << " +- " << c_split.se << ", summed "
                                          << c_summed.mean);
  CHECK(c_whole.mean > 0.02);
  CHECK(agree(c_split, c_whole));
  CHECK_FALSE(agree(c_summed, c_whole));

  // The ATC effect (paired with the baseline, weeks 52-104) on outcomes that
  // forums feed, split and whole.
  for (const std::string ind : {"participation_share", "trust_associations", "diagnosis_quality",
                                "conflict_productive", "collective_efficacy"}) {
    const auto effect = [&](const Runs& runs) {
      return over_replicates(runs, [&](std::size_t r) {
        return runs.window(ind, "atc", r, 52, 104) - runs.window(ind, "baseline", r, 52, 104);
      });
    };
    const Paired e_split = effect(split);
    const Paired e_whole = effect(whole);
    INFO(ind << ": sessions " << e_split.mean << " +- " << e_split.se << ", one session " << e_whole.mean
             << " +- " << e_whole.se);
    CHECK(agree(e_split, e_whole));
  }
}

TEST_CASE("a forum's number of sessions: whole people, at least one, a pair at least in each",
          "[territorial][forum]") {
  using atc::models::territorial::forum_session_count;
  CHECK(forum_session_count(57 / 0.57, 57, 100) == 1);  // 100.00000000000001 people: one session
  CHECK(forum_session_count(100.0, 100, 100) == 1);
  CHECK(forum_session_count(101.0, 101, 100) == 2);
  CHECK(forum_session_count(350 / 0.7, 350, 100) == 5);
  CHECK(forum_session_count(1.0, 1, 100) == 1);
  // At scale 0.01: 300 people are 3 agents, one pair at most.
  CHECK(forum_session_count(300.0, 3, 100) == 1);
  CHECK(forum_session_count(600.0, 6, 100) == 3);
}

TEST_CASE("a session capacity below 2 people or not whole is a config error naming file, line and key",
          "[territorial][forum][cli]") {
  atc::test::TempDir dir;
  for (const std::string value : {"1", "2.5", "-100"}) {
    INFO("forum_session_capacity = " << value);
    dir.write("c.toml",
              "[experiment]\nsteps = 2\nreplicates = 1\n[model]\nname = \"territorial\"\n"
              "forum_session_capacity = " +
                  value + "\n[[site]]\nid = \"a\"\npopulation = 1000.0\n");
    const auto r = atc::test::run_process({ATCSIM_BINARY, "run", dir.file("c.toml"), "-o", dir.file("o.h5")});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("c.toml:6:26: model.forum_session_capacity: expected an integer >= 2"));
    CHECK_FALSE(std::filesystem::exists(dir.file("o.h5")));
  }
}
