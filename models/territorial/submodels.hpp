#pragma once
// Pure per-resident submodels of the territorial model (no state, no
// randomness of their own: the caller passes the uniform draw). They are
// unit-tested one by one in tests/models/territorial/submodels.cpp; the phases
// (phases_residents.cpp) apply them to every resident in parallel.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "models/mechanisms/trust.hpp"

namespace atc::models::territorial {

inline constexpr int kThemes = 6;
inline constexpr int kLevels = 5;  // 0 none, 1 informed, 2 occasional, 3 active, 4 core

enum Level : std::uint8_t { kNone = 0, kInformed = 1, kOccasional = 2, kActive = 3, kCore = 4 };

// ---- outreach ---------------------------------------------------------------

// P(contacted) = (1 - exp(-rate)) (1 - penalty * barrier) (0.5 + 0.5 Ta), where
// rate = sum_j lambda_j w_ij is the resident's expected number of contacts.
inline double contact_probability(double rate, bool barrier, double barrier_penalty,
                                  double trust_associations) {
  const double reach = 1.0 - std::exp(-std::max(0.0, rate));
  return reach * (barrier ? 1.0 - barrier_penalty : 1.0) * (0.5 + 0.5 * trust_associations);
}

// ---- participation ------------------------------------------------------------

// Member defaults below are illustrative (used by unit tests); the model's
// values always come from the declared parameters (description.cpp).
struct UtilityWeights {
  double social = 0.5;    // w_s: share of ties participating (Granovetter / Watts)
  double efficacy = 0.3;  // w_e: perceived collective efficacy E (Sampson)
  double trust = 0.2;     // w_t: trust in associations Ta
  double invited = 0.25;  // w_inv: invited this week
  double habit = 0.15;    // w_h: already participating (level >= 2)
  double cost = 0.3;      // w_c: time cost, scaled by (1 - a)(1 + F)
};

// u = w_s S + w_e E + w_t Ta + w_inv invited + w_h habit - w_c (1 - a)(1 + F).
// `habit` is 1 for a resident at level >= 2 who can take part this week.
inline double participation_utility(const UtilityWeights& w, double tie_share, double efficacy,
                                    double trust_assoc, bool invited, double habit, double availability,
                                    double fatigue) {
  return w.social * tie_share + w.efficacy * efficacy + w.trust * trust_assoc + (invited ? w.invited : 0.0) +
         w.habit * habit - w.cost * (1.0 - availability) * (1.0 + fatigue);
}

struct LadderRates {
  // weekly probability of moving up one rung at u >> theta, from levels 0, 1, 2, 3
  std::array<double, 4> up{0.1, 0.1, 0.05, 0.02};
  double down = 0.05;    // weekly probability of moving down at u << theta
  double noise = 0.1;    // tau: decision noise (0 = deterministic threshold rule)
  double margin = 0.05;  // m: hysteresis margin below theta before stepping down
  int core_weeks = 8;    // consecutive weeks at level 3 before core is reachable
};

// Probability that utility u clears threshold theta with decision noise tau.
// As tau -> 0 it becomes the deterministic threshold rule of Granovetter (1978)
// and Watts (2002): 1 when u >= theta, 0 otherwise.
inline double clears_threshold(double u, double theta, double tau) {
  if (tau <= 0.0) return u >= theta ? 1.0 : 0.0;
  return mechanisms::logistic((u - theta) / tau);
}

inline double up_probability(std::uint8_t level, double u, double theta, const LadderRates& r,
                             double opportunity) {
  return level >= kCore ? 0.0 : opportunity * r.up[level] * clears_threshold(u, theta, r.noise);
}
inline double down_probability(double u, double theta, const LadderRates& r) {
  return r.down * clears_threshold(theta - r.margin, u, r.noise);
}

// One weekly move on the participation ladder from one uniform draw:
// up one rung when draw < P(up), down one rung when draw >= 1 - P(down), else
// stay. Core (4) is reached only from active (3) after `core_weeks`
// consecutive weeks at 3. Moves are never more than one rung.
inline std::uint8_t next_level(std::uint8_t level, int weeks_active, double u, double theta, double draw,
                               double opportunity, const LadderRates& r) {
  const double p_up = level >= kCore || (level == kActive && weeks_active < r.core_weeks)
                          ? 0.0
                          : up_probability(level, u, theta, r, opportunity);
  const double p_down = level == kNone ? 0.0 : down_probability(u, theta, r);
  if (draw < p_up) return static_cast<std::uint8_t>(level + 1);
  if (draw >= 1.0 - p_down) return static_cast<std::uint8_t>(level - 1);
  return level;
}

struct FatigueRates {
  double gain = 0.03;   // per week of participation (level 3-4; half at level 2)
  double rest = 0.1;    // share recovered per week at level 0-1
  double relief = 0.5;  // share removed when a project one took part in succeeds
};

inline double fatigue_after_week(double f, std::uint8_t level, const FatigueRates& r) {
  if (level >= kActive) return f + r.gain * (1.0 - f);
  if (level == kOccasional) return f + 0.5 * r.gain * (1.0 - f);
  return f - r.rest * f;
}

// ---- deliberation ----------------------------------------------------------------

// d_eff = d0 + d_trust * mean attendee trust in associations + d_fac * q.
inline double confidence_bound(double d0, double d_trust, double d_fac, double mean_trust,
                               double facilitation) {
  return d0 + d_trust * mean_trust + d_fac * facilitation;
}

enum class Conflict : std::uint8_t { None, Productive, Destructive };

// Disagreement (dispersion above D_min) is productive when the attendees' mean
// trust reaches T*, destructive below it.
inline Conflict classify_conflict(double dispersion, double mean_trust, double dispersion_min,
                                  double trust_min) {
  if (dispersion <= dispersion_min) return Conflict::None;
  return mean_trust >= trust_min ? Conflict::Productive : Conflict::Destructive;
}

// ---- diffusion across sites (phase 9) ---------------------------------------

// What a site shows its network at an exchange.
struct Practice {
  int network = -1;           // index of the site's network, -1 = none (no exchange)
  double success = 0.5;       // (projects succeeded + 1) / (projects ended + 2) since week 0
  double facilitation = 0.0;  // the site's facilitation practice (its method's q, animator in post or not)
  double posture_gain = 0.0;  // mean institutional posture minus its initial mean
};

// How much a site's facilitation quality and institutional posture move.
struct PracticeShift {
  double facilitation = 0.0;
  double posture = 0.0;
};

// Payoff-biased imitation within a network: each site moves its facilitation
// quality and posture gain a share chi of the way towards the means over the
// sites of the same network that are strictly more successful. Sites of other
// networks, or without one, are never looked at; the most successful site of
// a network does not move. All shifts are computed from the same snapshot, so
// the result does not depend on the order of the sites.
inline std::vector<PracticeShift> diffusion_shifts(std::span<const Practice> sites, double chi) {
  std::vector<PracticeShift> out(sites.size());
  if (chi <= 0.0) return out;
  for (std::size_t s = 0; s < sites.size(); ++s) {
    const Practice& me = sites[s];
    if (me.network < 0) continue;
    double q = 0, g = 0, n = 0;
    for (const Practice& peer : sites) {
      if (peer.network != me.network || !(peer.success > me.success)) continue;
      q += peer.facilitation;
      g += peer.posture_gain;
      n += 1;
    }
    if (n == 0) continue;
    out[s].facilitation = chi * (q / n - me.facilitation);
    out[s].posture = chi * (g / n - me.posture_gain);
  }
  return out;
}

// Index of the largest of K values (the first on ties).
template <typename T>
inline int top_theme(const T* p) {
  int best = 0;
  for (int k = 1; k < kThemes; ++k) {
    if (p[k] > p[best]) best = k;
  }
  return best;
}

}  // namespace atc::models::territorial
