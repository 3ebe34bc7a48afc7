#include "sim/graph/csr.hpp"

#include <algorithm>

namespace atc::sim {

bool CsrGraph::has_edge(NodeId a, NodeId b) const {
  const auto nb = neighbours_of(a);
  return std::binary_search(nb.begin(), nb.end(), b);
}

CsrGraph build_csr(std::size_t n, std::vector<std::pair<NodeId, NodeId>> edges) {
  // Both directions, then a counting sort by source node.
  CsrGraph g;
  g.offsets.assign(n + 1, 0);
  for (const auto& [a, b] : edges) {
    if (a == b) continue;
    ++g.offsets[a + 1];
    ++g.offsets[b + 1];
  }
  for (std::size_t i = 0; i < n; ++i) g.offsets[i + 1] += g.offsets[i];
  g.neighbours.resize(g.offsets[n]);
  std::vector<std::uint64_t> cursor(g.offsets.begin(), g.offsets.end() - 1);
  for (const auto& [a, b] : edges) {
    if (a == b) continue;
    g.neighbours[cursor[a]++] = b;
    g.neighbours[cursor[b]++] = a;
  }
  edges.clear();
  edges.shrink_to_fit();
  // Sort each row and drop duplicate edges, compacting in place.
  std::uint64_t write = 0;
  std::uint64_t row_start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t begin = row_start;
    const std::uint64_t end = g.offsets[i + 1];
    std::sort(g.neighbours.begin() + static_cast<std::ptrdiff_t>(begin),
              g.neighbours.begin() + static_cast<std::ptrdiff_t>(end));
    const std::uint64_t new_begin = write;
    for (std::uint64_t k = begin; k < end; ++k) {
      if (k > begin && g.neighbours[k] == g.neighbours[k - 1]) continue;
      g.neighbours[write++] = g.neighbours[k];
    }
    row_start = end;
    g.offsets[i] = new_begin;
  }
  g.offsets[n] = write;
  g.neighbours.resize(write);
  g.neighbours.shrink_to_fit();
  return g;
}

}  // namespace atc::sim
