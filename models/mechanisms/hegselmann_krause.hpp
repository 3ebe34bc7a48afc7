#pragma once
// Hegselmann & Krause (2002) bounded confidence, synchronous: every agent
// moves to the mean opinion of all agents (itself included) whose opinion is
// within epsilon of its own. On opinions kept sorted the confidence set of
// agent i is a contiguous window, found by binary search, and its mean comes
// from prefix sums: O(n log n) per step instead of O(n^2).
#include <algorithm>
#include <cstddef>
#include <span>

namespace atc::models::mechanisms {

// prefix[k] = sorted[0] + ... + sorted[k-1]; prefix.size() == sorted.size() + 1.
inline void prefix_sums(std::span<const double> sorted, std::span<double> prefix) {
  prefix[0] = 0.0;
  for (std::size_t k = 0; k < sorted.size(); ++k) prefix[k + 1] = prefix[k] + sorted[k];
}

// New opinion of the agent whose current opinion is x: mean of all sorted
// opinions y with |y - x| <= epsilon (x itself is one of them).
inline double hk_update(std::span<const double> sorted, std::span<const double> prefix, double x,
                        double epsilon) {
  const auto lo = std::lower_bound(sorted.begin(), sorted.end(), x - epsilon) - sorted.begin();
  const auto hi = std::upper_bound(sorted.begin(), sorted.end(), x + epsilon) - sorted.begin();
  if (hi <= lo) return x;  // only when x is not in `sorted` (never in the model)
  return (prefix[static_cast<std::size_t>(hi)] - prefix[static_cast<std::size_t>(lo)]) /
         static_cast<double>(hi - lo);
}

}  // namespace atc::models::mechanisms
