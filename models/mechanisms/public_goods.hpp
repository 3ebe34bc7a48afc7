#pragma once
// Conditional cooperation in a public-goods setting (the inter-organisational
// projects of the territorial model). Each partner of a joint project decides
// how much of its capacity to put in, conditionally on its trust in the other
// partners (conditional cooperators: Fischbacher, Gaechter & Fehr 2001,
// Economics Letters 71:397-404), on its own cooperative disposition (posture)
// and on visible demand (mobilised residents who care about the theme). A
// partner that gives much less than the others is a free-rider, and the
// others' trust in it falls (see trust.hpp).
#include <cmath>

#include "models/mechanisms/trust.hpp"

namespace atc::models::mechanisms {

struct ContributionWeights {
  double trust = 4.0;            // b_w: weight of mean trust in the partners
  double trust_reference = 0.4;  // w0: trust at which the trust term is neutral
  double posture = 2.0;          // b_p: weight of the partner's cooperative posture
  double mobilisation = 2.0;     // b_m: weight of resident mobilisation on the theme
  double intercept = -1.0;       // b_0
};

// x = C * s(b_w (Wbar - w0) + b_p pi + b_m m + b_0): never negative, never
// more than the capacity C put at the project's disposal.
inline double contribution(double capacity, double mean_trust_in_partners, double posture,
                           double mobilisation, const ContributionWeights& w) {
  if (capacity <= 0.0) return 0.0;
  const double z = w.trust * (mean_trust_in_partners - w.trust_reference) + w.posture * posture +
                   w.mobilisation * mobilisation + w.intercept;
  return capacity * logistic(z);
}

// A partner whose total contribution is below `share` times the partners' mean
// is a free-rider (share = 0.5 in the model's default).
inline bool is_free_rider(double own_total, double mean_total, double share) {
  return mean_total > 0.0 && own_total < share * mean_total;
}

}  // namespace atc::models::mechanisms
