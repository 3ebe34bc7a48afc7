#pragma once
// Pure per-resident submodels of the territorial model (no state, no
// randomness of their own: the caller passes the uniform draw). They are
// unit-tested one by one in tests/models/territorial/test_submodels.cpp; the phases
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

// Probability of an event in one week for a constant yearly rate (events
// per year, Poisson).
inline double weekly(double per_year) {
  return 1.0 - std::exp(-per_year / 52.0);
}

// ---- outreach ---------------------------------------------------------------

// P(contacted) = (1 - exp(-rate)) (1 - penalty * barrier) ((1 - w) + w Ta), where
// rate = sum_j lambda_j w_ij is the resident's expected number of contacts and
// w the weight of trust in associations (0.5 in MODEL.md).
inline double contact_probability(double rate, bool barrier, double barrier_penalty,
                                  double trust_associations, double trust_weight) {
  const double reach = 1.0 - std::exp(-std::max(0.0, rate));
  return reach * (barrier ? 1.0 - barrier_penalty : 1.0) *
         ((1.0 - trust_weight) + trust_weight * trust_associations);
}

// An upper bound of contact_probability without its exponential: 1 - exp(-x)
// <= x, plus a margin for the rounding of exp and of the subtraction (at most
// 2^-52 in all), and the same products after it (rounding is monotone). A
// draw at or above the bound is not a contact, whatever the exact value.
inline double contact_probability_bound(double rate, bool barrier, double barrier_penalty,
                                        double trust_associations, double trust_weight) {
  const double reach = std::min(1.0, std::max(0.0, rate) + 0x1.0p-50);
  return reach * (barrier ? 1.0 - barrier_penalty : 1.0) *
         ((1.0 - trust_weight) + trust_weight * trust_associations);
}

// ---- participation ------------------------------------------------------------

// The coefficient structs below have no defaults of their own: their values
// come from the declared parameters (utility_weights(), ladder_rates(),
// fatigue_rates(), conflict_shape() in params.hpp), which unit tests use too.
struct UtilityWeights {
  double social{};    // w_s: share of ties participating (Granovetter / Watts)
  double efficacy{};  // w_e: perceived collective efficacy E (Sampson)
  double trust{};     // w_t: trust in associations Ta
  double invited{};   // w_inv: invited this week
  double habit{};     // w_h: already participating (level >= 2)
  double cost{};      // w_c: time cost, scaled by (1 - a)(1 + F)
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
  std::array<double, 4> up{};
  double down{};     // weekly probability of moving down at u << theta
  double noise{};    // tau: decision noise (0 = deterministic threshold rule)
  double margin{};   // m: hysteresis margin below theta before stepping down
  int core_weeks{};  // consecutive weeks at level 3 before core is reachable
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
//
// The logistic is evaluated only when the draw can fall in a move's range:
// P(up) = opportunity x up x s(.) <= opportunity x up and P(down) = down x
// s(.) <= down, since s(.) <= 1 and rounding is monotone, so a draw outside
// the bound decides without it (most residents, most weeks; same result).
// The utility is needed only then too: `utility()` computes it, at most once.
template <typename Utility>
inline std::uint8_t next_level_from(std::uint8_t level, int weeks_active, Utility&& utility, double theta,
                                    double draw, double opportunity, const LadderRates& r) {
  const bool can_rise = !(level >= kCore || (level == kActive && weeks_active < r.core_weeks));
  const bool may_rise = can_rise && draw < opportunity * r.up[level];
  const bool may_fall = level != kNone && draw >= 1.0 - r.down;
  if (!may_rise && !may_fall) return level;
  const double u = utility();
  if (may_rise && draw < up_probability(level, u, theta, r, opportunity)) {
    return static_cast<std::uint8_t>(level + 1);
  }
  if (may_fall && draw >= 1.0 - down_probability(u, theta, r)) {
    return static_cast<std::uint8_t>(level - 1);
  }
  return level;
}

struct FatigueRates {
  double gain{};        // per week of participation at level 3-4
  double rest{};        // share recovered per week at level 0-1
  double relief{};      // share removed when a project one took part in succeeds
  double occasional{};  // gain at level 2, relative to levels 3-4
};

inline double fatigue_after_week(double f, std::uint8_t level, const FatigueRates& r) {
  if (level >= kActive) return f + r.gain * (1.0 - f);
  if (level == kOccasional) return f + r.occasional * r.gain * (1.0 - f);
  return f - r.rest * f;
}

// ---- deliberation ----------------------------------------------------------------

// d_eff = d0 + d_trust * mean attendee trust in associations + d_fac * q.
inline double confidence_bound(double d0, double d_trust, double d_fac, double mean_trust,
                               double facilitation) {
  return d0 + d_trust * mean_trust + d_fac * facilitation;
}

// The fewest agents a forum session holds: a pair, the fewest who can
// deliberate (a structural bound, not a behavioural parameter).
inline constexpr std::size_t kMinSessionAgents = 2;

// Sessions of a forum of `agents` attendees who stand for `people` people at
// full scale: ceil(people / capacity), people counted whole (so that a forum
// of exactly the capacity is one session whatever the scale's rounding), at
// least 1, and at most one per kMinSessionAgents agents (at a
// population_scale below kMinSessionAgents / capacity, sessions of the
// capacity would hold fewer, and nobody could deliberate).
inline std::size_t forum_session_count(double people, std::size_t agents, int capacity) {
  const auto whole = static_cast<std::uint64_t>(std::llround(people));
  const auto per_session = static_cast<std::uint64_t>(capacity);
  const std::uint64_t wanted = (whole + per_session - 1) / per_session;
  const std::size_t most = std::max<std::size_t>(1, agents / kMinSessionAgents);
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(wanted, 1, most));
}

// Adds the squared distance from priorities p to a centroid to s, theme by
// theme (the order of the additions fixes the sum's bits).
inline void add_squared_distance(const float* p, const std::array<double, kThemes>& centroid, double& s) {
  for (int t = 0; t < kThemes; ++t) s += (p[t] - centroid[t]) * (p[t] - centroid[t]);
}

// Dispersion of attendees' priorities: the root of the mean squared distance
// between two different attendees, sqrt(2 m / (m - 1) x mean squared distance
// to the centroid). The mean squared pairwise distance is estimated without
// bias at any number m >= 2 of attendees, so a small forum is not calmer than
// a large one with the same spread of views.
inline double pairwise_dispersion(double mean_squared_to_centroid, std::size_t m) {
  if (m < 2) return 0.0;
  const double md = static_cast<double>(m);
  return std::sqrt(std::max(0.0, 2.0 * md / (md - 1.0) * mean_squared_to_centroid));
}

// A forum's conflict, graded: intensity c = s((D - D0) / sD) from the
// dispersion of views, and the share of it that is productive,
// p = s((T - T*) / sT) from attendees' mean trust (the trust in which
// disagreement is heard). Productive conflict is c p, destructive c (1 - p).
struct ConflictShape {
  double dispersion_midpoint{};  // D0
  double dispersion_scale{};     // sD
  double trust_midpoint{};       // T*
  double trust_scale{};          // sT
};

struct ForumConflict {
  double intensity = 0;
  double productive = 0;   // c p
  double destructive = 0;  // c (1 - p)
};

inline ForumConflict forum_conflict(double dispersion, double trust, const ConflictShape& k) {
  ForumConflict f;
  f.intensity = mechanisms::logistic((dispersion - k.dispersion_midpoint) / k.dispersion_scale);
  const double p = mechanisms::logistic((trust - k.trust_midpoint) / k.trust_scale);
  f.productive = f.intensity * p;
  f.destructive = f.intensity * (1.0 - p);
  return f;
}

// ---- diffusion across sites (phase 9) ---------------------------------------

inline constexpr int kPractices = 2;  // structured facilitation, co-decision governance

// What a site shows the other sites of its network at a meeting.
struct SiteRecord {
  int network = -1;                 // index of the site's network; -1: none
  bool attends = false;             // its animator is in post
  std::array<double, 4> profile{};  // coordinates for similarity (see similarity())
  double success = 0;               // people in a better state through projects, per 1,000 residents
  std::array<bool, kPractices> in_use{};
};

// Similarity weight exp(-d^2 / 2h^2) of two sites' profiles.
inline double similarity(const SiteRecord& a, const SiteRecord& b, double bandwidth) {
  double d2 = 0;
  for (std::size_t k = 0; k < a.profile.size(); ++k)
    d2 += (a.profile[k] - b.profile[k]) * (a.profile[k] - b.profile[k]);
  return std::exp(-d2 / (2.0 * bandwidth * bandwidth));
}

// Evidence for practice k seen from site s: the difference between the
// similarity-weighted mean success of the other attending sites of its network
// that use it and of those that do not, divided by its standard error (the
// pooled within-group spread, with the groups' effective sizes). 0 when
// either group is empty or there are too few peers to judge (fewer than
// min_peers).
inline double practice_evidence(std::span<const SiteRecord> sites, std::size_t s, int k, double bandwidth,
                                std::size_t min_peers) {
  const SiteRecord& me = sites[s];
  const auto kk = static_cast<std::size_t>(k);
  double w[2] = {0, 0}, w2[2] = {0, 0}, sum[2] = {0, 0};
  std::size_t peers = 0;
  auto eligible = [&](std::size_t o) { return o != s && sites[o].attends && sites[o].network == me.network; };
  for (std::size_t o = 0; o < sites.size(); ++o) {
    if (!eligible(o)) continue;
    const double wo = similarity(me, sites[o], bandwidth);
    const int g = sites[o].in_use[kk] ? 1 : 0;
    w[g] += wo;
    w2[g] += wo * wo;
    sum[g] += wo * sites[o].success;
    ++peers;
  }
  if (w[0] <= 0 || w[1] <= 0 || peers < min_peers) return 0.0;
  const double mean[2] = {sum[0] / w[0], sum[1] / w[1]};
  double ss = 0;
  for (std::size_t o = 0; o < sites.size(); ++o) {
    if (!eligible(o)) continue;
    const double d = sites[o].success - mean[sites[o].in_use[kk] ? 1 : 0];
    ss += similarity(me, sites[o], bandwidth) * d * d;
  }
  const double n_eff[2] = {w[0] * w[0] / w2[0], w[1] * w[1] / w2[1]};
  const double dof = n_eff[0] + n_eff[1] - 2.0;
  if (dof <= 0) return 0.0;
  const double variance = ss / (w[0] + w[1]) * (n_eff[0] + n_eff[1]) / dof;
  const double se = std::sqrt(std::max(variance, 1e-12) * (1.0 / n_eff[0] + 1.0 / n_eff[1]));
  return (mean[1] - mean[0]) / se;
}

// A site adopts a practice it lacks when the evidence for it exceeds the
// threshold, and drops one it uses when the evidence against it does, with
// probability 1 - exp(-excess / scale). Evidence within the threshold (the
// noise between a few sites) never moves a site, so a useless practice is
// rarely adopted or dropped: it does not spread.
inline double switch_probability(double evidence, bool in_use, double threshold, double scale) {
  const double excess = (in_use ? -evidence : evidence) - threshold;
  return excess > 0 ? 1.0 - std::exp(-excess / scale) : 0.0;
}

// Index of the largest of K values (the first on ties).
// Branch-free (conditional moves): which theme is on top is unpredictable,
// and this runs for every resident every week.
template <typename T>
inline int top_theme(const T* p) {
  int best = 0;
  T top = p[0];
  for (int k = 1; k < kThemes; ++k) {
    const bool above = p[k] > top;
    top = above ? p[k] : top;
    best = above ? k : best;
  }
  return best;
}

}  // namespace atc::models::territorial
