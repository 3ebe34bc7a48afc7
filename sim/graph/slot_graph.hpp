#pragma once
// Undirected graphs whose node i keeps its neighbours in a row of fixed
// capacity: neighbours[i * capacity .. i * capacity + degree(i)), sorted,
// without duplicates or self-loops. A row is rewritten in place without
// moving the others, where a CSR graph (csr.hpp) moves every row after one
// whose degree changed: for graphs rewritten a few rows at a time, at the
// price of capacity - degree unused entries per row.
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/large_array.hpp"
#include "sim/graph/csr.hpp"

namespace atc::sim {

struct SlotGraph {
  std::size_t capacity = 0;          // entries per row, at most 255
  LargeArray<NodeId> neighbours;     // node_count() x capacity
  LargeArray<std::uint8_t> degrees;  // entries in use in each row

  // n empty rows of `row_capacity` entries.
  void assign(std::size_t n, std::size_t row_capacity) {
    capacity = row_capacity;
    neighbours.assign(n * row_capacity, 0);
    degrees.assign(n, 0);
  }
  [[nodiscard]] std::size_t node_count() const { return degrees.size(); }
  [[nodiscard]] std::uint32_t degree(NodeId i) const { return degrees[i]; }
  [[nodiscard]] std::span<const NodeId> neighbours_of(NodeId i) const {
    return {neighbours.data() + std::size_t{i} * capacity, degrees[i]};
  }
  // Row i's entries, for rewriting them: the writer keeps them sorted and
  // sets degrees[i].
  [[nodiscard]] NodeId* row(NodeId i) { return neighbours.data() + std::size_t{i} * capacity; }
  [[nodiscard]] bool has_edge(NodeId a, NodeId b) const {
    const auto nb = neighbours_of(a);
    return std::binary_search(nb.begin(), nb.end(), b);
  }
};

}  // namespace atc::sim
