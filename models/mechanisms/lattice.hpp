#pragma once
// Square lattices, on a torus or bounded, with a Chebyshev (Moore)
// neighbourhood of any radius, for models that move agents between cells
// (Schelling). Cells are numbered y * width + x.
#include <algorithm>
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

// The Chebyshev ball of `radius` around a cell of a width x width lattice,
// centre excluded. On a torus the coordinates wrap around and every ball has
// (2 radius + 1)^2 - 1 cells (this requires 2 radius + 1 <= width, so that no
// cell is counted twice); on a bounded lattice the ball is clipped at the
// edges. The coordinates are tabulated once: visiting a ball costs no modulo
// per cell.
class ChebyshevNeighbourhood {
 public:
  ChebyshevNeighbourhood(std::uint32_t width, std::uint32_t radius, bool torus)
      : width_(width), radius_(radius), torus_(torus), coordinate_(width + 2 * radius) {
    // coordinate_[t] is the coordinate t - radius: wrapped on a torus; on a
    // bounded lattice only t in [radius, width + radius) is ever read.
    for (std::uint32_t t = 0; t < coordinate_.size(); ++t) {
      coordinate_[t] = torus ? wrap(t, -static_cast<int>(radius), width) : (t >= radius ? t - radius : 0);
    }
  }
  [[nodiscard]] std::uint32_t width() const { return width_; }
  [[nodiscard]] std::uint32_t radius() const { return radius_; }
  [[nodiscard]] bool torus() const { return torus_; }
  // Cells of a ball away from the edges (of every ball on a torus).
  [[nodiscard]] std::uint32_t size() const { return (2 * radius_ + 1) * (2 * radius_ + 1) - 1; }

  // Calls visit(c) for every cell c of the ball around cell (x, y), the
  // centre included, row by row. A row that does not wrap around is visited
  // as consecutive cells (no table look-up per cell).
  template <typename Visit>
  void for_each_with_centre(std::uint32_t x, std::uint32_t y, Visit&& visit) const {
    const std::uint32_t x_first = first(x);
    const std::uint32_t x_last = last(x);
    const std::uint32_t row_start = coordinate_[x_first];
    const std::uint32_t span = x_last - x_first + 1;
    const bool contiguous = coordinate_[x_last] == row_start + span - 1;
    for (std::uint32_t t = first(y); t <= last(y); ++t) {
      const std::size_t row = static_cast<std::size_t>(coordinate_[t]) * width_;
      if (contiguous) {
        const std::size_t start = row + row_start;
        for (std::uint32_t i = 0; i < span; ++i) visit(start + i);
      } else {
        for (std::uint32_t s = x_first; s <= x_last; ++s) visit(row + coordinate_[s]);
      }
    }
  }

  // Calls visit(v) for every coordinate v within `radius` of coordinate c
  // along one axis, c included (wrapped on a torus, clipped otherwise).
  template <typename Visit>
  void for_each_along_axis(std::uint32_t c, Visit&& visit) const {
    for (std::uint32_t t = first(c); t <= last(c); ++t) visit(coordinate_[t]);
  }

  // Calls visit(c) for every neighbour cell c of cell (x, y), row by row.
  template <typename Visit>
  void for_each(std::uint32_t x, std::uint32_t y, Visit&& visit) const {
    const std::size_t centre = static_cast<std::size_t>(y) * width_ + x;
    for_each_with_centre(x, y, [&](std::size_t c) {
      if (c != centre) visit(c);
    });
  }

  // Occupants around cell (x, y): grid[c] is the group of the occupant of
  // cell c, or `empty`.
  template <typename Cell>
  [[nodiscard]] NeighbourCount count(const std::vector<Cell>& grid, std::uint32_t x, std::uint32_t y,
                                     Cell group, Cell empty) const {
    NeighbourCount n;
    for_each(x, y, [&](std::size_t c) {
      const Cell occupant = grid[c];
      n.total += occupant != empty ? 1u : 0u;
      n.same += occupant == group ? 1u : 0u;
    });
    return n;
  }

 private:
  // The ball around coordinate c spans table indices [first(c), last(c)]
  // (table index t is coordinate t - radius), clipped to the lattice when
  // it is bounded.
  [[nodiscard]] std::uint32_t first(std::uint32_t c) const { return torus_ ? c : std::max(c, radius_); }
  [[nodiscard]] std::uint32_t last(std::uint32_t c) const {
    return torus_ ? c + 2 * radius_ : std::min(c + 2 * radius_, width_ - 1 + radius_);
  }

  std::uint32_t width_;
  std::uint32_t radius_;
  bool torus_;
  std::vector<std::uint32_t> coordinate_;
};

// The occupied neighbour cells of every cell of a lattice, by group (two
// groups, 0 and 1), kept up to date as occupants arrive and leave: an agent
// reads its neighbourhood with one load instead of scanning its ball, and a
// move costs two ball updates. The counts of a cell do not include its own
// occupant.
class TwoGroupNeighbourCounts {
 public:
  explicit TwoGroupNeighbourCounts(const ChebyshevNeighbourhood& hood)
      : hood_(hood), packed_(static_cast<std::size_t>(hood.width()) * hood.width(), 0) {}

  [[nodiscard]] const ChebyshevNeighbourhood& neighbourhood() const { return hood_; }

  // An occupant of `group` (0 or 1) arrives at / leaves cell c.
  // (The whole ball is updated, then the centre restored: no test per cell.)
  void arrive(std::uint32_t c, std::uint8_t group) {
    const std::uint64_t d = delta(group);
    hood_.for_each_with_centre(c % hood_.width(), c / hood_.width(), [&](std::size_t n) { packed_[n] += d; });
    packed_[c] -= d;
  }
  void leave(std::uint32_t c, std::uint8_t group) {
    const std::uint64_t d = delta(group);
    hood_.for_each_with_centre(c % hood_.width(), c / hood_.width(), [&](std::size_t n) { packed_[n] -= d; });
    packed_[c] += d;
  }

  // Counts for a whole grid at once: grid[c] is the group (0 or 1) of the
  // occupant of cell c, or `empty`. The ball being a square, its sums are
  // sums along the rows, then along the columns: 2 (2 radius + 1) adds per
  // cell instead of (2 radius + 1)^2 per occupant.
  template <typename Cell>
  void assign(const std::vector<Cell>& grid, Cell empty) {
    const std::uint32_t width = hood_.width();
    auto value = [&](std::size_t c) { return grid[c] == empty ? std::uint64_t{0} : delta(grid[c]); };
    std::vector<std::uint64_t> along_rows(packed_.size(), 0);
    for (std::uint32_t y = 0; y < width; ++y) {
      const std::size_t row = static_cast<std::size_t>(y) * width;
      for (std::uint32_t x = 0; x < width; ++x) {
        std::uint64_t sum = 0;
        hood_.for_each_along_axis(x, [&](std::uint32_t v) { sum += value(row + v); });
        along_rows[row + x] = sum;
      }
    }
    for (std::uint32_t y = 0; y < width; ++y) {
      const std::size_t row = static_cast<std::size_t>(y) * width;
      for (std::uint32_t x = 0; x < width; ++x) {
        std::uint64_t sum = 0;
        hood_.for_each_along_axis(
            y, [&](std::uint32_t v) { sum += along_rows[static_cast<std::size_t>(v) * width + x]; });
        packed_[row + x] = sum - value(row + x);  // the centre is not its own neighbour
      }
    }
  }

  // Neighbours of cell c: those of `group` and all of them.
  [[nodiscard]] NeighbourCount around(std::uint32_t c, std::uint8_t group) const {
    const std::uint64_t p = packed_[c];
    const auto zero = static_cast<std::uint32_t>(p);
    const auto one = static_cast<std::uint32_t>(p >> 32);
    return {group == 0 ? zero : one, zero + one};
  }

 private:
  // Group 0 counts in the low 32 bits, group 1 in the high 32 bits (a ball
  // has fewer than 2^32 cells): arriving or leaving is one add per cell.
  static std::uint64_t delta(std::uint8_t group) { return group == 0 ? 1u : std::uint64_t{1} << 32; }

  ChebyshevNeighbourhood hood_;
  std::vector<std::uint64_t> packed_;
};

// Reference version over an explicit offset list (tests): on a torus when
// `torus`, else neighbours outside the lattice are skipped.
template <typename Cell>
inline NeighbourCount count_neighbours(const std::vector<Cell>& grid, std::uint32_t width,
                                       const std::vector<std::pair<int, int>>& offsets, std::uint32_t x,
                                       std::uint32_t y, Cell group, Cell empty, bool torus = true) {
  NeighbourCount n;
  for (const auto& [dx, dy] : offsets) {
    const std::int64_t nx = static_cast<std::int64_t>(x) + dx;
    const std::int64_t ny = static_cast<std::int64_t>(y) + dy;
    if (!torus && (nx < 0 || ny < 0 || nx >= width || ny >= width)) continue;
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
