#pragma once
// Square lattices on a torus with a Chebyshev (Moore) neighbourhood of any
// radius, for models that move agents between cells (Schelling). Cells are
// numbered y * width + x.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace atc::models::mechanisms {

// The (dx, dy) offsets of the Chebyshev ball of `radius`, centre excluded:
// (2r + 1)^2 - 1 cells.
inline std::vector<std::pair<int, int>> chebyshev_offsets(int radius) {
  std::vector<std::pair<int, int>> out;
  for (int dy = -radius; dy <= radius; ++dy) {
    for (int dx = -radius; dx <= radius; ++dx) {
      if (dx != 0 || dy != 0) out.emplace_back(dx, dy);
    }
  }
  return out;
}

// Coordinate c + d wrapped onto [0, size), for |d| <= size.
inline std::uint32_t wrap(std::uint32_t c, int d, std::uint32_t size) {
  auto v = static_cast<std::int64_t>(c) + d;
  if (v < 0) v += size;
  if (v >= static_cast<std::int64_t>(size)) v -= size;
  return static_cast<std::uint32_t>(v);
}

struct NeighbourCount {
  std::uint32_t same = 0;   // occupied neighbour cells of the same group
  std::uint32_t total = 0;  // occupied neighbour cells
};

// The Chebyshev ball of `radius` around a cell of a width x width torus, with
// the wrapped coordinates tabulated once: visiting it costs no modulo and no
// branch per cell. Requires 2 * radius + 1 <= width (no cell counted twice).
class TorusNeighbourhood {
 public:
  TorusNeighbourhood(std::uint32_t width, std::uint32_t radius) : width_(width), radius_(radius) {
    wrapped_.resize(width + 2 * radius);
    for (std::uint32_t i = 0; i < wrapped_.size(); ++i) {
      wrapped_[i] = wrap(i, -static_cast<int>(radius), width);
    }
  }
  [[nodiscard]] std::uint32_t width() const { return width_; }
  [[nodiscard]] std::uint32_t radius() const { return radius_; }
  [[nodiscard]] std::uint32_t size() const { return (2 * radius_ + 1) * (2 * radius_ + 1) - 1; }

  // Occupants around cell (x, y): grid[c] is the group of the occupant of
  // cell c = y * width + x, or `empty`.
  template <typename Cell>
  [[nodiscard]] NeighbourCount count(const std::vector<Cell>& grid, std::uint32_t x, std::uint32_t y,
                                     Cell group, Cell empty) const {
    NeighbourCount n;
    const std::uint32_t span = 2 * radius_ + 1;
    for (std::uint32_t j = 0; j < span; ++j) {
      const std::size_t row = static_cast<std::size_t>(wrapped_[y + j]) * width_;
      for (std::uint32_t i = 0; i < span; ++i) {
        if (i == radius_ && j == radius_) continue;  // the cell itself
        const Cell occupant = grid[row + wrapped_[x + i]];
        n.total += occupant != empty ? 1u : 0u;
        n.same += occupant == group ? 1u : 0u;
      }
    }
    return n;
  }

 private:
  std::uint32_t width_;
  std::uint32_t radius_;
  std::vector<std::uint32_t> wrapped_;  // wrapped_[c + radius] = c wrapped, c in [-radius, width + radius)
};

// Reference version over an explicit offset list (tests).
template <typename Cell>
inline NeighbourCount count_neighbours(const std::vector<Cell>& grid, std::uint32_t width,
                                       const std::vector<std::pair<int, int>>& offsets, std::uint32_t x,
                                       std::uint32_t y, Cell group, Cell empty) {
  NeighbourCount n;
  for (const auto& [dx, dy] : offsets) {
    const Cell occupant = grid[wrap(y, dy, width) * width + wrap(x, dx, width)];
    if (occupant == empty) continue;
    ++n.total;
    if (occupant == group) ++n.same;
  }
  return n;
}

// Schelling's happiness rule. With `min_same` >= 0: at least that many
// neighbours of the same group. Otherwise (fraction rule): a share of same-group
// neighbours of at least `wanted` (1e-9 slack so that 0.3 * 10 counts 3 as
// enough); an agent without neighbours is happy.
inline bool is_happy(NeighbourCount n, std::int64_t min_same, double wanted) {
  if (min_same >= 0) return static_cast<std::int64_t>(n.same) >= min_same;
  return static_cast<double>(n.same) >= wanted * static_cast<double>(n.total) - 1e-9;
}

}  // namespace atc::models::mechanisms
