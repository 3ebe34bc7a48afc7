#pragma once
// Spatial evolutionary games (Nowak & May 1992): every cell of a lattice plays
// a Prisoner's Dilemma with each neighbour (and optionally with itself), then
// adopts the strategy of the highest-scoring cell among itself and its
// neighbours. Strategies: 1 = cooperate, 0 = defect. Pure functions over a CSR
// graph, so any neighbourhood or network works.
#include <cstdint>
#include <span>

#include "sim/graph/csr.hpp"

namespace atc::models::mechanisms {

// Nowak-May's "weak" Prisoner's Dilemma: R = 1 (C meets C), T = b (D meets C),
// S = P = 0. Payoff of a player with strategy `me` against `other`.
inline double weak_pd_payoff(std::uint8_t me, std::uint8_t other, double b) {
  if (other == 0) return 0.0;  // S = P = 0
  return me != 0 ? 1.0 : b;    // R = 1, T = b
}

// Total payoff of cell i against its neighbours, plus against itself when
// `self_interaction` (a cooperator then scores R = 1 more; a defector P = 0).
inline double pd_score(const sim::CsrGraph& g, std::span<const std::uint8_t> coop, sim::NodeId i, double b,
                       bool self_interaction) {
  std::uint32_t cooperators = 0;
  for (sim::NodeId j : g.neighbours_of(i)) cooperators += coop[j];
  const std::uint8_t me = coop[i];
  if (self_interaction && me != 0) ++cooperators;
  return static_cast<double>(cooperators) * weak_pd_payoff(me, 1, b);
}

// Strategy cell i adopts: that of the highest score among i and its
// neighbours. Ties keep i's own strategy when i is among the best, otherwise
// the first best neighbour in id order wins (ties between a cooperator and a
// defector need b rational with a small denominator).
inline std::uint8_t imitate_best(const sim::CsrGraph& g, std::span<const std::uint8_t> coop,
                                 std::span<const double> score, sim::NodeId i) {
  double best = score[i];
  std::uint8_t strategy = coop[i];
  for (sim::NodeId j : g.neighbours_of(i)) {
    if (score[j] > best) {
      best = score[j];
      strategy = coop[j];
    }
  }
  return strategy;
}

}  // namespace atc::models::mechanisms
