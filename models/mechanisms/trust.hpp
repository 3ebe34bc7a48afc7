#pragma once
// Asymmetric trust updating (negativity bias; Slovic 1993, "Perceived risk,
// trust, and democracy", Risk Analysis 13(6):675-682: trust is built slowly
// and destroyed quickly, because negative events are more visible and carry
// more weight than positive ones).
//
// Trust x in (0, 1) is read as a subjective probability that the other party
// (an organisation, an institution, the residents' collective) will
// cooperate. Evidence moves its log-odds: a success adds `gain`, a failure
// subtracts `negativity * gain`. This is additive evidence accumulation in the
// spirit of the beta reputation system (Josang & Ismail 2002), with negative
// evidence weighted `negativity` (> 1) times more. Compared with the linear
// "move a share towards the bound" form it has two properties the model needs:
// (i) a failure always lowers trust more than an equal success raises it, at
// every trust level away from the floor, provided gain <= kMaxTrustGain and
// negativity >= 2 (the linear form reverses the asymmetry below
// x = 1/(1+negativity));
// (ii) the number of successes needed to climb from a to b is exactly
// `negativity` times the number of failures needed to fall from b to a.
// Shared by the territorial model (inter-organisation trust W, residents' trust
// and efficacy, association legitimacy).
#include <algorithm>
#include <cmath>

namespace atc::models::mechanisms {

// Trust is kept inside [kTrustFloor, 1 - kTrustFloor] so its log-odds stay finite.
inline constexpr double kTrustFloor = 1e-4;
// Largest log-odds gain for which the asymmetry (i) holds at every trust level
// when negativity >= 2 (checked in tests/models/territorial/submodels.cpp).
inline constexpr double kMaxTrustGain = 0.45;

inline double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

inline double logit(double p) {
  p = std::clamp(p, kTrustFloor, 1.0 - kTrustFloor);
  return std::log(p / (1.0 - p));
}

inline double clamp_trust(double x) {
  return std::clamp(x, kTrustFloor, 1.0 - kTrustFloor);
}

// Trust after one piece of evidence: outcome > 0 success, < 0 failure, 0 none.
// `weight` in [0, 1] scales the evidence (e.g. second-hand evidence through ties).
inline double trust_after(double trust, int outcome, double gain, double negativity, double weight = 1.0) {
  if (outcome == 0 || weight <= 0.0) return trust;
  const double step = outcome > 0 ? gain * weight : -negativity * gain * weight;
  return clamp_trust(logistic(logit(trust) + step));
}

// Number of successive successes (resp. failures) needed to move trust from
// `from` to at least (resp. at most) `to`: the time-to-gain / time-to-lose
// measure of the asymmetry.
inline int events_to_reach(double from, double to, double gain, double negativity) {
  if (gain <= 0.0) return -1;
  const double distance = std::abs(logit(to) - logit(from));
  const double per_event = to >= from ? gain : negativity * gain;
  return static_cast<int>(std::ceil(distance / per_event - 1e-12));
}

// Institutional posture (0 top-down, 1 cooperative) after one piece of
// cooperative experience: a joint project the institution contributed to
// succeeded (outcome > 0: moves a share `gain` of the way towards 1) or failed
// (outcome < 0: loses a share `loss` of its posture). One rule, whoever chose
// the project; relaxation towards the initial posture is applied separately.
inline double posture_after(double posture, int outcome, double gain, double loss) {
  if (outcome > 0) return std::clamp(posture + gain * (1.0 - posture), 0.0, 1.0);
  if (outcome < 0) return std::clamp(posture - loss * posture, 0.0, 1.0);
  return posture;
}

}  // namespace atc::models::mechanisms
