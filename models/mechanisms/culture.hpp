#pragma once
// Axelrod (1997) cultural dissemination: a culture is a vector of F features,
// each taking one of q traits. Two neighbours interact with probability equal
// to their overlap (share of identical features); the active one then copies
// one of the features on which they differ.
#include <cstddef>
#include <cstdint>
#include <span>

namespace atc::models::mechanisms {

using Trait = std::uint16_t;

// Number of features on which two cultures agree.
inline std::uint32_t cultural_overlap(std::span<const Trait> a, std::span<const Trait> b) {
  std::uint32_t same = 0;
  for (std::size_t f = 0; f < a.size(); ++f) same += a[f] == b[f] ? 1u : 0u;
  return same;
}

// Index of the k-th (0-based) feature on which a and b differ; k must be less
// than the number of differing features.
inline std::size_t nth_difference(std::span<const Trait> a, std::span<const Trait> b, std::uint64_t k) {
  for (std::size_t f = 0; f < a.size(); ++f) {
    if (a[f] != b[f]) {
      if (k == 0) return f;
      --k;
    }
  }
  return a.size();  // unreachable for valid k
}

// A bond is active (can still change something) when the cultures share some
// but not all features.
inline bool active_bond(std::uint32_t overlap, std::uint32_t features) {
  return overlap > 0 && overlap < features;
}

}  // namespace atc::models::mechanisms
