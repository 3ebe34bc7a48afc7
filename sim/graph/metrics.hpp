#pragma once
// Network metrics used in indicators and tests.
#include <vector>

#include "sim/graph/csr.hpp"
#include "sim/graph/slot_graph.hpp"

namespace atc::sim {

double mean_degree(const CsrGraph& g);

// Local clustering coefficient of node i (0 for degree < 2).
double local_clustering(const CsrGraph& g, NodeId i);
double local_clustering(const SlotGraph& g, NodeId i);

// Mean of the local coefficients over all nodes (Watts-Strogatz definition,
// nodes of degree < 2 count as 0, as in networkx).
double average_clustering(const CsrGraph& g);

// 3 x triangles / connected triples.
double transitivity(const CsrGraph& g);

struct Components {
  std::vector<std::uint32_t> label;  // component of each node, 0..count-1
  std::uint32_t count = 0;
  std::vector<std::uint64_t> sizes;
  [[nodiscard]] std::uint64_t largest() const;
};

Components connected_components(const CsrGraph& g);

}  // namespace atc::sim
