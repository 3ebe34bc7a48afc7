#include "sim/graph/metrics.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace atc::sim {

double mean_degree(const CsrGraph& g) {
  const auto n = g.node_count();
  return n == 0 ? 0.0 : static_cast<double>(g.neighbours.size()) / static_cast<double>(n);
}

namespace {
// One byte per node, kept by each thread and all zero between calls: the
// neighbours of the node whose triangles are being counted are marked, then
// unmarked. It grows to the largest graph seen, so counting allocates nothing
// afterwards. Nothing between marking and unmarking spawns or waits for a
// task, so no other count can start on the same thread meanwhile.
std::vector<std::uint8_t>& neighbour_marks(std::size_t n) {
  thread_local std::vector<std::uint8_t> marks;
  if (marks.size() < n) marks.resize(n, 0);
  return marks;
}

// Triangles through i: links among i's neighbours. Each neighbour's list is
// checked against the marks (independent loads, no merge of sorted lists
// whose comparisons the processor cannot predict); every link is seen from
// both of its ends.
template <class Graph>
std::uint64_t triangles_at(const Graph& g, NodeId i) {
  const auto nb = g.neighbours_of(i);
  if (nb.size() < 2) return 0;
  std::vector<std::uint8_t>& mark = neighbour_marks(g.node_count());
  for (NodeId j : nb) mark[j] = 1;
  std::uint64_t links = 0;
  for (NodeId j : nb) {
    for (NodeId t : g.neighbours_of(j)) links += mark[t];
  }
  for (NodeId j : nb) mark[j] = 0;
  return links / 2;
}

template <class Graph>
double clustering_at(const Graph& g, NodeId i) {
  const double k = g.degree(i);
  if (k < 2) return 0.0;
  return static_cast<double>(triangles_at(g, i)) / (k * (k - 1) / 2.0);
}
}  // namespace

double local_clustering(const CsrGraph& g, NodeId i) {
  return clustering_at(g, i);
}
double local_clustering(const SlotGraph& g, NodeId i) {
  return clustering_at(g, i);
}

double average_clustering(const CsrGraph& g) {
  const auto n = g.node_count();
  if (n == 0) return 0.0;
  double sum = 0.0;
  for (NodeId i = 0; i < n; ++i) sum += local_clustering(g, i);
  return sum / static_cast<double>(n);
}

double transitivity(const CsrGraph& g) {
  double closed = 0.0;
  double triples = 0.0;
  for (NodeId i = 0; i < g.node_count(); ++i) {
    const double k = g.degree(i);
    closed += static_cast<double>(triangles_at(g, i));
    triples += k * (k - 1) / 2.0;
  }
  return triples == 0.0 ? 0.0 : closed / triples;
}

std::uint64_t Components::largest() const {
  return sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
}

Components connected_components(const CsrGraph& g) {
  Components c;
  const auto n = g.node_count();
  c.label.assign(n, UINT32_MAX);
  std::vector<NodeId> stack;
  for (NodeId start = 0; start < n; ++start) {
    if (c.label[start] != UINT32_MAX) continue;
    std::uint64_t size = 0;
    stack.push_back(start);
    c.label[start] = c.count;
    while (!stack.empty()) {
      const NodeId v = stack.back();
      stack.pop_back();
      ++size;
      for (NodeId w : g.neighbours_of(v)) {
        if (c.label[w] == UINT32_MAX) {
          c.label[w] = c.count;
          stack.push_back(w);
        }
      }
    }
    c.sizes.push_back(size);
    ++c.count;
  }
  return c;
}

}  // namespace atc::sim
