#pragma once
// Threshold activation (Granovetter 1978; Watts 2002): an inactive agent
// becomes active when the fraction of its neighbours who are active reaches
// its threshold. Pure functions over CSR arrays; shared by the canonical
// models and the territorial model's participation phase.
#include <cstdint>
#include <span>

#include "sim/graph/csr.hpp"

namespace atc::models::mechanisms {

// Fraction of i's neighbours whose state is nonzero (0 for an isolated node).
template <typename State>
inline double active_neighbour_share(const sim::CsrGraph& g, sim::NodeId i, std::span<const State> active) {
  const auto nb = g.neighbours_of(i);
  if (nb.empty()) return 0.0;
  std::uint32_t count = 0;
  for (sim::NodeId j : nb) count += active[j] != 0 ? 1u : 0u;
  return static_cast<double>(count) / static_cast<double>(nb.size());
}

// The fractional threshold rule: isolated nodes never activate.
inline bool crosses_threshold(std::uint32_t active_neighbours, std::uint32_t degree, double threshold) {
  return degree > 0 && static_cast<double>(active_neighbours) >= threshold * static_cast<double>(degree);
}

}  // namespace atc::models::mechanisms
