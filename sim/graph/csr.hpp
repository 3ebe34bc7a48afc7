#pragma once
// Undirected graphs in compressed sparse row form: the neighbours of node i
// are neighbours[offsets[i] .. offsets[i+1]), sorted, without duplicates or
// self-loops. The hot loops of models read these two arrays directly.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace atc::sim {

using NodeId = std::uint32_t;

struct CsrGraph {
  std::vector<std::uint64_t> offsets{0};  // size n + 1
  std::vector<NodeId> neighbours;

  [[nodiscard]] std::size_t node_count() const { return offsets.size() - 1; }
  [[nodiscard]] std::size_t edge_count() const { return neighbours.size() / 2; }
  [[nodiscard]] std::uint32_t degree(NodeId i) const {
    return static_cast<std::uint32_t>(offsets[i + 1] - offsets[i]);
  }
  [[nodiscard]] std::span<const NodeId> neighbours_of(NodeId i) const {
    return {neighbours.data() + offsets[i], neighbours.data() + offsets[i + 1]};
  }
  [[nodiscard]] bool has_edge(NodeId a, NodeId b) const;  // binary search
};

// Builds a CSR graph on n nodes from an undirected edge list; duplicates and
// self-loops are dropped.
CsrGraph build_csr(std::size_t n, std::vector<std::pair<NodeId, NodeId>> edges);

}  // namespace atc::sim
