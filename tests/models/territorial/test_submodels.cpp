// Unit tests of the territorial model's submodels, one by one: trust update
// (asymmetry), posture, contributions (public goods), outreach, the
// participation ladder, fatigue, deliberation and conflict.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "models/mechanisms/bounded_confidence.hpp"
#include "models/mechanisms/public_goods.hpp"
#include "models/mechanisms/threshold.hpp"
#include "models/mechanisms/trust.hpp"
#include "models/territorial/params.hpp"
#include "models/territorial/submodels.hpp"
#include "sim/rng/random.hpp"

namespace mech = atc::models::mechanisms;
using namespace atc::models::territorial;

namespace {
// The ladder's move for a utility already known.
std::uint8_t next_level(std::uint8_t level, int weeks_active, double u, double theta, double draw,
                        double opportunity, const LadderRates& r) {
  return next_level_from(
      level, weeks_active, [u] { return u; }, theta, draw, opportunity, r);
}
}  // namespace

TEST_CASE("trust: a failure lowers trust more than an equal success raises it, at every level",
          "[territorial][submodel]") {
  for (double gain : {0.05, 0.1, 0.2, mech::kMaxTrustGain}) {
    for (double negativity : {2.0, 3.0, 5.0}) {
      for (double x = 0.01; x < 0.995; x += 0.01) {
        const double up = mech::trust_after(x, +1, gain, negativity) - x;
        const double down = x - mech::trust_after(x, -1, gain, negativity);
        INFO("x = " << x << ", gain = " << gain << ", negativity = " << negativity);
        CHECK(up > 0);
        CHECK(down > up);
      }
    }
  }
}

TEST_CASE("trust: climbing takes negativity times more events than falling back", "[territorial][submodel]") {
  const double gain = 0.1;
  const double negativity = 3.0;
  const int up = mech::events_to_reach(0.3, 0.5, gain, negativity);
  const int down = mech::events_to_reach(0.5, 0.3, gain, negativity);
  CHECK(up == 9);    // |logit(0.5) - logit(0.3)| = 0.847 -> 9 successes of 0.1
  CHECK(down == 3);  // 3 failures of 0.3
  // Simulated: successive events reach the target in those numbers.
  double x = 0.3;
  for (int k = 0; k < up; ++k) x = mech::trust_after(x, +1, gain, negativity);
  CHECK(x >= 0.5);
  for (int k = 0; k < down; ++k) x = mech::trust_after(x, -1, gain, negativity);
  CHECK(x <= 0.3 + 1e-12);
}

TEST_CASE("trust stays strictly inside (0, 1) and evidence weight scales the step",
          "[territorial][submodel]") {
  double x = 0.5;
  for (int k = 0; k < 10000; ++k) x = mech::trust_after(x, +1, 0.45, 3.0);
  CHECK(x < 1.0);
  for (int k = 0; k < 10000; ++k) x = mech::trust_after(x, -1, 0.45, 3.0);
  CHECK(x > 0.0);
  CHECK(mech::trust_after(0.4, 0, 0.2, 3.0) == 0.4);
  const double full = mech::trust_after(0.4, +1, 0.2, 3.0) - 0.4;
  const double partial = mech::trust_after(0.4, +1, 0.2, 3.0, 0.3) - 0.4;
  CHECK(partial > 0);
  CHECK(partial < full);
}

TEST_CASE("posture: one rule for cooperative experience, slow up, slower down", "[territorial][submodel]") {
  const double pi = 0.25;
  CHECK(mech::posture_after(pi, +1, 0.03, 0.005) > pi);
  CHECK(mech::posture_after(pi, 0, 0.03, 0.005) == pi);
  CHECK(mech::posture_after(pi, +1, 0.0, 0.005) == pi);  // no learning: no change
  const double after_failure = mech::posture_after(pi, -1, 0.03, 0.005);
  CHECK(after_failure < pi);
  CHECK(pi - after_failure < mech::posture_after(pi, +1, 0.03, 0.005) - pi);  // falls only slightly
  // Slow: 10 successes move posture by less than 0.25; never above 1.
  double p = pi;
  for (int k = 0; k < 10; ++k) p = mech::posture_after(p, +1, 0.03, 0.005);
  CHECK(p - pi < 0.25);
  for (int k = 0; k < 10000; ++k) p = mech::posture_after(p, +1, 0.03, 0.005);
  CHECK(p <= 1.0);
}

TEST_CASE("contributions are never negative and never exceed capacity", "[territorial][submodel]") {
  const mech::ContributionWeights w;
  atc::sim::RandomStream rng({7, 0, 0}, 0, 0, atc::sim::Purpose("test"));
  for (int k = 0; k < 10000; ++k) {
    const double capacity = rng.uniform(0, 5);
    const double x = mech::contribution(capacity, rng.uniform(), rng.uniform(), rng.uniform(), w);
    CHECK(x >= 0.0);
    CHECK(x <= capacity);
  }
  CHECK(mech::contribution(0.0, 0.9, 0.9, 0.9, w) == 0.0);
  // Conditional cooperation: more trust, more posture, more mobilisation -> more.
  CHECK(mech::contribution(1, 0.6, 0.3, 0.2, w) > mech::contribution(1, 0.3, 0.3, 0.2, w));
  CHECK(mech::contribution(1, 0.4, 0.8, 0.2, w) > mech::contribution(1, 0.4, 0.2, 0.2, w));
  CHECK(mech::contribution(1, 0.4, 0.3, 0.5, w) > mech::contribution(1, 0.4, 0.3, 0.1, w));
  CHECK(mech::is_free_rider(0.4, 1.0, 0.5));
  CHECK_FALSE(mech::is_free_rider(0.6, 1.0, 0.5));
  CHECK_FALSE(mech::is_free_rider(0.0, 0.0, 0.5));  // nobody contributed: no free-rider
}

TEST_CASE("outreach: contact probability is a probability, lower with a barrier or distrust",
          "[territorial][submodel]") {
  CHECK(contact_probability(0.0, false, 0.5, 1.0, 0.5) == 0.0);
  for (double rate : {0.01, 0.1, 1.0, 10.0, 1e6}) {
    for (double ta : {0.0, 0.5, 1.0}) {
      const double p = contact_probability(rate, false, 0.5, ta, 0.5);
      CHECK(p >= 0.0);
      CHECK(p <= 1.0);
      CHECK(contact_probability(rate, true, 0.5, ta, 0.5) < p);
    }
    CHECK(contact_probability(rate, false, 0.5, 0.2, 0.5) < contact_probability(rate, false, 0.5, 0.8, 0.5));
    // Weight 0: trust has no effect on outreach.
    CHECK(contact_probability(rate, false, 0.5, 0.2, 0.0) == contact_probability(rate, false, 0.5, 0.8, 0.0));
  }
  // Expected contacts are conserved in the small-rate limit: P ~ rate (x trust factor 1 at Ta = 1).
  CHECK(contact_probability(1e-4, false, 0.5, 1.0, 0.5) == Approx(1e-4).epsilon(1e-3));
}

TEST_CASE("ladder: only the allowed transitions happen", "[territorial][submodel]") {
  const LadderRates r = ladder_rates(default_params());
  atc::sim::RandomStream rng({3, 0, 0}, 0, 0, atc::sim::Purpose("test"));
  for (int k = 0; k < 200000; ++k) {
    const auto level = static_cast<std::uint8_t>(rng.below(5));
    const int weeks = static_cast<int>(rng.below(20));
    const double u = rng.uniform(-1, 2);
    const double theta = rng.uniform();
    const double opp = rng.uniform();
    const std::uint8_t next = next_level(level, weeks, u, theta, rng.uniform(), opp, r);
    INFO("level " << int(level) << " -> " << int(next));
    CHECK(std::abs(int(next) - int(level)) <= 1);
    CHECK(next <= kCore);
    if (next == kCore && level != kCore) CHECK((level == kActive && weeks >= r.core_weeks));
  }
  // No opportunity (lockdown with a barrier): never up.
  for (int k = 0; k < 1000; ++k) {
    const auto level = static_cast<std::uint8_t>(rng.below(4));
    CHECK(next_level(level, 100, 5.0, 0.0, rng.uniform(), 0.0, r) <= level);
  }
}

TEST_CASE("outreach: the bound without the exponential is never below the contact probability",
          "[territorial][submodel]") {
  // The phase draws against the bound first; a bound below the probability
  // would change who is contacted.
  atc::sim::RandomStream rng({5, 0, 0}, 0, 0, atc::sim::Purpose("test"));
  for (int k = 0; k < 200000; ++k) {
    const double rate = k % 4 == 0 ? rng.uniform() * 1e-12 : std::exp(rng.uniform(-30.0, 3.0));
    const bool barrier = k % 3 == 0;
    const double ta = rng.uniform();
    const double weight = rng.uniform();
    const double penalty = rng.uniform();
    INFO("rate " << rate);
    CHECK(contact_probability_bound(rate, barrier, penalty, ta, weight) >=
          contact_probability(rate, barrier, penalty, ta, weight));
  }
  // ... and close to it where it is used (small rates).
  CHECK(contact_probability_bound(1e-3, false, 0.5, 1.0, 0.5) == Approx(1e-3).epsilon(1e-3));
}

TEST_CASE("ladder: next_level is the rule on both probabilities, evaluated or not, utility when needed",
          "[territorial][submodel]") {
  // next_level skips the logistic when the draw is outside its bound; the
  // move must be the one the full rule gives.
  const LadderRates r = ladder_rates(default_params());
  atc::sim::RandomStream rng({4, 0, 0}, 0, 0, atc::sim::Purpose("test"));
  for (int k = 0; k < 200000; ++k) {
    const auto level = static_cast<std::uint8_t>(rng.below(5));
    const int weeks = static_cast<int>(rng.below(20));
    const double u = rng.uniform(-1, 2);
    const double theta = rng.uniform();
    const double opp = rng.uniform();
    // Draws on and near the bounds 1 - down and opportunity x up, and anywhere.
    const double up_bound = opp * r.up[std::min<int>(level, 3)];
    const double near = k % 2 == 0 ? 0.0 : rng.uniform(-1e-3, 1e-3);
    const double draw = k % 3 == 0   ? 1.0 - r.down + near
                        : k % 3 == 1 ? std::clamp(up_bound + near, 0.0, 0.999)
                                     : rng.uniform();
    const double p_up = level >= kCore || (level == kActive && weeks < r.core_weeks)
                            ? 0.0
                            : up_probability(level, u, theta, r, opp);
    const double p_down = level == kNone ? 0.0 : down_probability(u, theta, r);
    const std::uint8_t expected = draw < p_up            ? static_cast<std::uint8_t>(level + 1)
                                  : draw >= 1.0 - p_down ? static_cast<std::uint8_t>(level - 1)
                                                         : level;
    CHECK(next_level(level, weeks, u, theta, draw, opp, r) == expected);
    // The utility is computed once when the draw can fall in a move's range,
    // and not at all otherwise (most residents, most weeks).
    int calls = 0;
    const auto utility = [&] {
      ++calls;
      return u;
    };
    CHECK(next_level_from(level, weeks, utility, theta, draw, opp, r) == expected);
    const bool can_rise = !(level >= kCore || (level == kActive && weeks < r.core_weeks));
    const bool in_range = (can_rise && draw < up_bound) || (level != kNone && draw >= 1.0 - r.down);
    CHECK(calls == (in_range ? 1 : 0));
  }
}

TEST_CASE("ladder: u above theta climbs, u far below steps down, level 0 never goes down",
          "[territorial][submodel]") {
  const LadderRates r = ladder_rates(default_params());
  CHECK(up_probability(1, 0.9, 0.3, r, 1.0) > 0.9 * r.up[1]);
  CHECK(up_probability(1, 0.0, 0.6, r, 1.0) < 0.01);
  CHECK(down_probability(0.0, 0.6, r) > 0.9 * r.down);
  CHECK(down_probability(0.9, 0.3, r) < 0.001);
  CHECK(up_probability(kCore, 5.0, 0.0, r, 1.0) == 0.0);
  CHECK(next_level(kNone, 0, -5.0, 0.9, 0.999999, 1.0, r) == kNone);
  // Higher rungs are climbed more slowly.
  CHECK(up_probability(0, 0.5, 0.4, r, 1.0) > up_probability(3, 0.5, 0.4, r, 1.0));
}

TEST_CASE("participation with tau = 0 and only the social term is the Granovetter-Watts threshold rule",
          "[territorial][submodel]") {
  // The territorial ladder generalises the canonical threshold mechanism: with
  // no noise and u = share of participating ties, clearing theta is exactly
  // mechanisms::crosses_threshold (models/mechanisms/threshold.hpp).
  UtilityWeights w;
  w.social = 1;
  w.efficacy = w.trust = w.invited = w.habit = w.cost = 0;
  for (std::uint32_t degree = 1; degree <= 12; ++degree) {
    for (std::uint32_t active = 0; active <= degree; ++active) {
      for (double theta : {0.0, 0.1, 0.18, 0.25, 1.0 / 3.0, 0.5, 0.75, 1.0}) {
        const double share = static_cast<double>(active) / degree;
        const double u = participation_utility(w, share, 0.7, 0.7, true, 1.0, 0.2, 0.5);
        CHECK((clears_threshold(u, theta, 0.0) == 1.0) == mech::crosses_threshold(active, degree, theta));
      }
    }
  }
}

TEST_CASE("participation utility follows its form", "[territorial][submodel]") {
  const UtilityWeights w = utility_weights(default_params());
  const double base = participation_utility(w, 0.2, 0.3, 0.5, false, 0.0, 0.4, 0.0);
  CHECK(base == Approx(w.social * 0.2 + w.efficacy * 0.3 + w.trust * 0.5 - w.cost * 0.6));
  CHECK(participation_utility(w, 0.2, 0.3, 0.5, true, 0.0, 0.4, 0.0) == Approx(base + w.invited));
  CHECK(participation_utility(w, 0.2, 0.3, 0.5, false, 1.0, 0.4, 0.0) == Approx(base + w.habit));
  // Fatigue raises the cost, availability lowers it.
  CHECK(participation_utility(w, 0.2, 0.3, 0.5, false, 0.0, 0.4, 1.0) < base);
  CHECK(participation_utility(w, 0.2, 0.3, 0.5, false, 0.0, 0.9, 0.0) > base);
}

TEST_CASE("fatigue stays in [0, 1], grows with participation and falls with rest",
          "[territorial][submodel]") {
  const FatigueRates r = fatigue_rates(default_params());
  double f = 0;
  for (int k = 0; k < 1000; ++k) {
    f = fatigue_after_week(f, kCore, r);
    CHECK(f <= 1.0);
  }
  CHECK(f > 0.99);
  const double after_rest = fatigue_after_week(f, kInformed, r);
  CHECK(after_rest < f);
  CHECK(fatigue_after_week(0.5, kOccasional, r) - 0.5 < fatigue_after_week(0.5, kActive, r) - 0.5);
  for (int k = 0; k < 1000; ++k) f = fatigue_after_week(f, kNone, r);
  CHECK(f >= 0.0);
  CHECK(f < 1e-6);
}

TEST_CASE("deliberation: the Deffuant pair update keeps priorities on the simplex",
          "[territorial][submodel]") {
  atc::sim::RandomStream rng({5, 0, 0}, 0, 0, atc::sim::Purpose("test"));
  for (int k = 0; k < 2000; ++k) {
    std::array<float, kThemes> a{}, b{};
    float sa = 0, sb = 0;
    for (int t = 0; t < kThemes; ++t) {
      a[t] = static_cast<float>(rng.uniform());
      b[t] = static_cast<float>(rng.uniform());
      sa += a[t];
      sb += b[t];
    }
    for (int t = 0; t < kThemes; ++t) {
      a[t] /= sa;
      b[t] /= sb;
    }
    const double before = mech::opinion_distance(std::span<const float>(a), std::span<const float>(b));
    const bool moved = mech::deffuant_pair_update(std::span<float>(a), std::span<float>(b), 0.5, 0.1);
    CHECK(moved == (before < 0.5));
    double suma = 0, sumb = 0;
    for (int t = 0; t < kThemes; ++t) {
      CHECK(a[t] >= 0.0f);
      CHECK(b[t] >= 0.0f);
      suma += a[t];
      sumb += b[t];
    }
    CHECK(suma == Approx(1.0).epsilon(1e-5));
    CHECK(sumb == Approx(1.0).epsilon(1e-5));
    if (moved) CHECK(mech::opinion_distance(std::span<const float>(a), std::span<const float>(b)) < before);
  }
}

TEST_CASE("deliberation: the confidence bound widens with trust and facilitation",
          "[territorial][submodel]") {
  CHECK(confidence_bound(0.2, 0.3, 0.3, 0.5, 0.6) > confidence_bound(0.2, 0.3, 0.3, 0.2, 0.6));
  CHECK(confidence_bound(0.2, 0.3, 0.3, 0.5, 0.6) > confidence_bound(0.2, 0.3, 0.3, 0.5, 0.2));
  CHECK(confidence_bound(0.2, 0.3, 0.3, 0.0, 0.0) == 0.2);
}

TEST_CASE("conflict is graded: its intensity rises with dispersion, its productive part with trust",
          "[territorial][submodel]") {
  const ConflictShape k{0.3, 0.05, 0.35, 0.05};
  const auto calm = forum_conflict(0.1, 0.5, k);
  const auto heated = forum_conflict(0.45, 0.5, k);
  CHECK(calm.intensity < 0.02);
  CHECK(heated.intensity > 0.9);
  CHECK(heated.productive + heated.destructive == Approx(heated.intensity));
  // Same dispersion, more trust: the same conflict, more of it productive.
  const auto trusting = forum_conflict(0.3, 0.5, k);
  const auto wary = forum_conflict(0.3, 0.2, k);
  CHECK(trusting.intensity == wary.intensity);
  CHECK(trusting.productive > 0.9 * trusting.intensity);
  CHECK(wary.destructive > 0.9 * wary.intensity);
  // Continuous: a small change of dispersion makes a small change of conflict.
  CHECK(std::abs(forum_conflict(0.301, 0.35, k).intensity - forum_conflict(0.3, 0.35, k).intensity) < 0.01);
}

TEST_CASE("dispersion is unbiased in the number of attendees", "[territorial][submodel]") {
  // Two views at distance 1: the mean squared distance to the centroid is 1/4
  // with 2 attendees; the mean squared distance between two different
  // attendees is 1, so the dispersion is 1 whatever the forum's size.
  CHECK(pairwise_dispersion(0.25, 2) == Approx(1.0));
  // n attendees split evenly between the two views: mean squared distance to
  // the centroid 1/4; pairs of different attendees at distance 1 are a share
  // n / (2 (n - 1)) of all pairs.
  for (std::size_t n : {4, 10, 100, 10000}) {
    const double nd = static_cast<double>(n);
    CHECK(pairwise_dispersion(0.25, n) == Approx(std::sqrt(nd / (2.0 * (nd - 1.0)))));
  }
  CHECK(pairwise_dispersion(0.3, 1) == 0.0);
}

TEST_CASE("top theme is the first largest priority", "[territorial][submodel]") {
  const std::array<float, kThemes> p{0.1f, 0.3f, 0.3f, 0.1f, 0.1f, 0.1f};
  CHECK(top_theme(p.data()) == 1);
}
