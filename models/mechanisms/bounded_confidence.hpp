#pragma once
// Bounded-confidence opinion dynamics, shared by the canonical Deffuant and
// Hegselmann-Krause models and the territorial model's deliberation phase.
#include <cmath>
#include <cstddef>
#include <span>

namespace atc::models::mechanisms {

// Euclidean distance between two opinion vectors of the same length.
inline double opinion_distance(std::span<const double> a, std::span<const double> b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
  return std::sqrt(s);
}
inline double opinion_distance(std::span<const float> a, std::span<const float> b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += (double(a[k]) - b[k]) * (double(a[k]) - b[k]);
  return std::sqrt(s);
}

// Deffuant et al. (2000) pairwise rule: when the two opinions are closer than
// the confidence bound d, each moves towards the other by a share mu of their
// difference. Returns true when they interacted. Works in K dimensions.
template <typename T>
inline bool deffuant_pair_update(std::span<T> a, std::span<T> b, double d, double mu) {
  if (opinion_distance(std::span<const T>(a), std::span<const T>(b)) >= d) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const double diff = static_cast<double>(b[k]) - static_cast<double>(a[k]);
    a[k] = static_cast<T>(a[k] + mu * diff);
    b[k] = static_cast<T>(b[k] - mu * diff);
  }
  return true;
}

}  // namespace atc::models::mechanisms
