// Pattern-oriented tests of the whole territorial model (Grimm et al. 2005):
// the qualitative patterns of MODEL.md's validation section, on one shared
// in-memory experiment (a 3,000-resident site, 8 paired replicates, 156
// weeks after a 104-week burn-in). Replicate r of every scenario shares its
// population, network and draws (common random numbers), so effects are
// measured as paired differences. Set ATCSIM_REPORT=1 to print the measured
// statistics.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;

namespace {

const char* kExperiment = R"(
[experiment]
replicates = 8
steps = 156
seed = 2024
[model]
name = "territorial"
[[site]]
id = "s"
population = 3000

[[scenario]]
name = "baseline"

[[scenario]]
name = "animator"
[[scenario.intervention]]
kind = "animator"

[[scenario]]
name = "governance"
[[scenario.intervention]]
kind = "animator"
[[scenario.intervention]]
kind = "shared_governance"
[[scenario.intervention]]
kind = "shared_diagnosis"

[[scenario]]
name = "lockdown"
[[scenario.intervention]]
kind = "animator"
[[scenario.intervention]]
kind = "lockdown"
start_week = 52
end_week = 60

[[scenario]]
name = "build_break"
[[scenario.intervention]]
kind = "animator"
end_week = 78
[[scenario.intervention]]
kind = "shared_governance"
end_week = 78
[[scenario.intervention]]
kind = "shared_diagnosis"
[[scenario.intervention]]
kind = "funding_cut"
start_week = 78
capacity_cut = 1.0
[[scenario.intervention]]
kind = "lockdown"
start_week = 78

[[scenario]]
name = "governance_no_success"
model = { project_effort = 1e6 }
[[scenario.intervention]]
kind = "animator"
[[scenario.intervention]]
kind = "shared_governance"
[[scenario.intervention]]
kind = "shared_diagnosis"

[[scenario]]
name = "low_trust"
model = { trust_institutions_initial = 0.12, trust_associations_initial = 0.2 }
[[scenario.intervention]]
kind = "animator"
)";

const Runs& runs() {
  static const Runs instance(kExperiment, 0);
  return instance;
}

void report(const char* what, double value) {
  if (std::getenv("ATCSIM_REPORT") != nullptr) std::printf("  %-62s %10.5f\n", what, value);
}

// Paired differences (a - b) over replicates of a window mean [from, to].
Paired diff(const std::string& ind, const std::string& a, const std::string& b, std::size_t from,
            std::size_t to) {
  const Runs& r = runs();
  std::vector<double> d;
  for (std::size_t k = 0; k < r.replicates(); ++k)
    d.push_back(r.window(ind, a, k, from, to) - r.window(ind, b, k, from, to));
  return paired(d);
}

// Change within one scenario between two windows, per replicate.
Paired change(const std::string& ind, const std::string& s, std::size_t from0, std::size_t to0,
              std::size_t from1, std::size_t to1) {
  const Runs& r = runs();
  std::vector<double> d;
  for (std::size_t k = 0; k < r.replicates(); ++k)
    d.push_back(r.window(ind, s, k, from1, to1) - r.window(ind, s, k, from0, to0));
  return paired(d);
}

double mean_window(const std::string& ind, const std::string& s, std::size_t from, std::size_t to) {
  double sum = 0;
  for (std::size_t k = 0; k < runs().replicates(); ++k) sum += runs().window(ind, s, k, from, to);
  return sum / static_cast<double>(runs().replicates());
}

}  // namespace

// One test case whose sections are the patterns: under ctest (one process per
// test case) the shared experiment then runs once, not once per pattern.
TEST_CASE("territorial patterns on paired replicates", "[territorial][pattern]") {
  SECTION("pattern 1: no intervention, no trend after the burn-in") {
    const auto anim = diff("participation_share", "animator", "baseline", 130, 156);
    struct Tolerance {
      const char* indicator;
      double tolerance;
    };
    for (const auto& [ind, tol] :
         {Tolerance{"participation_share", 0.005}, Tolerance{"core_share", 0.002},
          Tolerance{"trust_institutions", 0.008}, Tolerance{"trust_associations", 0.008},
          Tolerance{"collective_efficacy", 0.008}, Tolerance{"org_trust_mean", 0.015},
          Tolerance{"institution_posture", 0.005}}) {
      const auto c = change(ind, "baseline", 0, 26, 130, 156);
      report((std::string("baseline drift (weeks 130-156 minus 0-26) of ") + ind).c_str(), c.mean);
      INFO(ind << ": drift " << c.mean << " +- " << c.se);
      CHECK(std::abs(c.mean) < tol);
    }
    // The drift is small against what an animator does.
    const auto drift = change("participation_share", "baseline", 0, 26, 130, 156);
    report("animator effect on participation_share (weeks 130-156)", anim.mean);
    CHECK(std::abs(drift.mean) < 0.25 * anim.mean);
  }

  SECTION("pattern 2: an animator raises participation and trust, after a delay of months") {
    for (const char* ind :
         {"participation_share", "core_share", "collective_efficacy", "trust_associations"}) {
      const auto early = diff(ind, "animator", "baseline", 1, 8);
      const auto late = diff(ind, "animator", "baseline", 104, 156);
      report((std::string("animator - baseline, weeks 1-8, ") + ind).c_str(), early.mean);
      report((std::string("animator - baseline, weeks 104-156, ") + ind).c_str(), late.mean);
      INFO(ind << ": early " << early.mean << ", late " << late.mean << " +- " << late.se);
      CHECK(late.mean > 3 * late.se);
      CHECK(late.positive >= 0.99);
      CHECK(std::abs(early.mean) < 0.2 * late.mean);
    }
    const auto p = diff("participation_share", "animator", "baseline", 104, 156);
    CHECK(p.mean > 0.01);  // at least one point of participation after two years
  }

  SECTION("pattern 3: a lockdown cuts participation, which recovers only partly") {
    const Runs& r = runs();
    std::vector<double> fall, gap_end, gap_later, recovery;
    for (std::size_t k = 0; k < r.replicates(); ++k) {
      fall.push_back(r.at("participation_share", "lockdown", k, 60) -
                     r.at("participation_share", "lockdown", k, 52));
      gap_end.push_back(r.at("participation_share", "animator", k, 60) -
                        r.at("participation_share", "lockdown", k, 60));
      gap_later.push_back(r.window("participation_share", "animator", k, 84, 88) -
                          r.window("participation_share", "lockdown", k, 84, 88));
      recovery.push_back(r.window("participation_share", "lockdown", k, 84, 88) -
                         r.at("participation_share", "lockdown", k, 60));
    }
    const auto f = paired(fall), e = paired(gap_end), l = paired(gap_later), rec = paired(recovery);
    report("participation change during the 8-week lockdown", f.mean);
    report("gap to no-lockdown at its end (week 60)", e.mean);
    report("gap to no-lockdown 26 weeks later (weeks 84-88)", l.mean);
    report("recovery since the end of the lockdown", rec.mean);
    CHECK(f.mean < 0);
    CHECK(f.positive == 0);  // participation fell in every replicate
    CHECK(e.mean > 3 * e.se);
    CHECK(rec.mean > 0);           // it recovers...
    CHECK(l.mean > 0.3 * e.mean);  // ...only partly: most of the gap is still there
    CHECK(l.mean < e.mean * 1.5);
  }

  SECTION("pattern 4: participants are a small, unequal minority") {
    const double base_part = mean_window("participation_share", "baseline", 104, 156);
    const double base_core = mean_window("core_share", "baseline", 104, 156);
    const double anim_part = mean_window("participation_share", "animator", 104, 156);
    const double anim_core = mean_window("core_share", "animator", 104, 156);
    const double youth = mean_window("youth_representation_ratio", "baseline", 104, 156);
    const double low = mean_window("low_income_representation_ratio", "baseline", 104, 156);
    const double youth_anim = mean_window("youth_representation_ratio", "animator", 104, 156);
    report("baseline participation_share", base_part);
    report("baseline core_share", base_core);
    report("animator participation_share", anim_part);
    report("animator core_share", anim_core);
    report("baseline youth_representation_ratio", youth);
    report("animator youth_representation_ratio", youth_anim);
    report("baseline low_income_representation_ratio", low);
    CHECK(base_part > 0.01);
    CHECK(base_part < 0.08);
    CHECK(base_core > 0.002);
    CHECK(base_core < 0.015);
    CHECK(anim_part < 0.15);
    CHECK(anim_core < 0.05);
    CHECK(base_core < 0.5 * base_part);
    CHECK(youth < 0.9);
    CHECK(youth_anim < 1.0);
    CHECK(low < 0.95);
  }

  SECTION("pattern 5: trust between organisations builds slowly and falls fast") {
    // 78 weeks of cooperation (animator, shared governance, shared diagnosis),
    // then a break that turns cooperation into failure (animator and governance
    // gone, all association funding cut, a lasting crisis keeping organisations
    // at 35 % activity). Time to gain the trust W built in those 78 weeks vs
    // time to lose all of it.
    // Mean over replicates of W, smoothed over 5 weeks.
    const Runs& r = runs();
    std::vector<double> w(157, 0.0);
    for (std::size_t t = 0; t <= 156; ++t) w[t] = r.mean_at("org_trust_mean", "build_break", t);
    auto smooth = [&](std::size_t t) {
      const std::size_t a = t < 2 ? 0 : t - 2, b = std::min<std::size_t>(156, t + 2);
      double s = 0;
      for (std::size_t u = a; u <= b; ++u) s += w[u];
      return s / static_cast<double>(b - a + 1);
    };
    const double w0 = smooth(0), w78 = smooth(78);
    std::size_t t_down = 0;
    for (std::size_t t = 79; t <= 156 && t_down == 0; ++t) {
      if (smooth(t) <= w0) t_down = t - 78;
    }
    // Residents' trust in associations over the same run.
    const double ta0 = r.mean_at("trust_associations", "build_break", 0);
    const double ta78 = r.mean_at("trust_associations", "build_break", 78);
    const double ta156 = r.mean_at("trust_associations", "build_break", 156);
    report("org_trust_mean gained over 78 weeks of cooperation", w78 - w0);
    report("weeks to lose all of it after the break", static_cast<double>(t_down));
    report("org_trust_mean at week 156 minus week 0", smooth(156) - w0);
    report("trust_associations gained over the 78 weeks", ta78 - ta0);
    report("trust_associations lost in the 78 weeks after the break", ta78 - ta156);
    report("projects succeeded before the break", r.mean_at("projects_succeeded", "build_break", 78));
    report("projects failed after the break", r.mean_at("projects_failed", "build_break", 156) -
                                                  r.mean_at("projects_failed", "build_break", 78));
    REQUIRE(w78 - w0 > 0.01);  // cooperation built trust...
    REQUIRE(t_down > 0);       // ...and the break destroyed it
    CHECK(2 * t_down < 78);    // at least twice as fast as it was built
  }

  SECTION("pattern 6: institutional posture moves slowly, and only with successful cooperation") {
    const auto gov156 = change("institution_posture", "governance", 0, 0, 156, 156);
    const auto gov13 = change("institution_posture", "governance", 0, 0, 13, 13);
    const auto base = change("institution_posture", "baseline", 0, 0, 150, 156);
    const auto anim = change("institution_posture", "animator", 0, 0, 150, 156);
    const auto none = change("institution_posture", "governance_no_success", 0, 0, 150, 156);
    report("posture change, shared governance, 13 weeks", gov13.mean);
    report("posture change, shared governance, 156 weeks", gov156.mean);
    report("posture change, baseline", base.mean);
    report("posture change, animator alone (top-down projects)", anim.mean);
    report("posture change, governance whose projects never succeed", none.mean);
    CHECK(gov156.mean > 0.03);
    CHECK(gov156.positive >= 0.99);
    CHECK(gov13.mean < 0.2 * gov156.mean);  // slowly
    CHECK(std::abs(base.mean) < 0.005);
    CHECK(std::abs(anim.mean) < 0.005);
    const Runs& r = runs();
    for (std::size_t k = 0; k < r.replicates(); ++k) {
      CHECK(r.at("projects_succeeded", "governance_no_success", k, 156) == 0.0);
      double highest = 0;
      for (std::size_t t = 0; t <= 156; ++t) {
        highest = std::max(highest, r.at("institution_posture", "governance_no_success", k, t) -
                                        r.at("institution_posture", "governance_no_success", k, 0));
      }
      CHECK(highest < 1e-3);  // never rises without a successful co-constructed project
    }
  }

  SECTION("pattern 7: shared governance raises resident voice and projects on residents' priorities") {
    const double voice_gov = mean_window("resident_voice_share", "governance", 26, 156);
    const double voice_anim = mean_window("resident_voice_share", "animator", 26, 156);
    const auto priority = diff("projects_on_resident_priority_share", "governance", "animator", 156, 156);
    report("resident_voice_share with shared governance", voice_gov);
    report("resident_voice_share with the animator alone", voice_anim);
    report("projects_on_resident_priority_share, governance - animator", priority.mean);
    report("projects_on_resident_priority_share, animator alone",
           mean_window("projects_on_resident_priority_share", "animator", 156, 156));
    CHECK(voice_anim == 0.0);
    CHECK(voice_gov > 0.25);
    CHECK(priority.mean > 0.1);
    CHECK(priority.positive >= 0.85);
  }

  SECTION("pattern 8: productive conflict needs trust") {
    const double prod = mean_window("conflict_productive", "animator", 156, 156);
    const double dest = mean_window("conflict_destructive", "animator", 156, 156);
    const double prod_low = mean_window("conflict_productive", "low_trust", 156, 156);
    const double dest_low = mean_window("conflict_destructive", "low_trust", 156, 156);
    const double disp = mean_window("priority_dispersion", "animator", 0, 0);
    const double disp_low = mean_window("priority_dispersion", "low_trust", 0, 0);
    report("forums with productive conflict, default trust", prod);
    report("forums with destructive conflict, default trust", dest);
    report("forums with productive conflict, low initial trust", prod_low);
    report("forums with destructive conflict, low initial trust", dest_low);
    report("participants' priority dispersion at week 0, default trust", disp);
    report("participants' priority dispersion at week 0, low trust", disp_low);
    CHECK(prod > 10);
    CHECK(prod > 3 * dest);
    CHECK(dest_low > 10);
    CHECK(dest_low > 3 * prod_low);
    CHECK(std::abs(disp_low - disp) < 0.15 * disp);  // the same disagreement...
  }
}
