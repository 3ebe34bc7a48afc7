#include "sim/config/sweep.hpp"

#include <boost/random/sobol.hpp>

#include <cmath>
#include <numeric>

#include "sim/core/error.hpp"
#include "sim/rng/random.hpp"

namespace atc::sim {

std::string method_name(SweepMethod m) {
  switch (m) {
    case SweepMethod::Grid:
      return "grid";
    case SweepMethod::Lhs:
      return "lhs";
    case SweepMethod::Sobol:
      return "sobol";
    case SweepMethod::Morris:
      return "morris";
    case SweepMethod::Points:
      return "points";
  }
  return "?";
}

SweepDesign grid_design(const std::vector<std::size_t>& levels) {
  SweepDesign d;
  std::size_t total = 1;
  for (auto l : levels) total *= l;
  std::vector<std::size_t> index(levels.size(), 0);
  for (std::size_t p = 0; p < total; ++p) {
    // The last parameter varies fastest (like nested loops in config order).
    std::size_t rest = p;
    std::vector<double> row(levels.size());
    for (std::size_t j = levels.size(); j-- > 0;) {
      index[j] = rest % levels[j];
      rest /= levels[j];
      row[j] = static_cast<double>(index[j]);  // level index; mapped by build_design
    }
    d.points.push_back(std::move(row));
    d.role.emplace_back("sample");
    d.group.push_back(static_cast<std::int64_t>(p));
    d.factor.push_back(-1);
  }
  return d;
}

SweepDesign lhs_design(std::size_t points, std::size_t k, std::uint64_t seed) {
  // McKay et al. (1979): one point in each of the `points` strata of every
  // coordinate, strata paired by independent random permutations.
  SweepDesign d;
  d.points.assign(points, std::vector<double>(k));
  for (std::size_t j = 0; j < k; ++j) {
    RandomStream rng(RngKey{seed, 0, 0}, 0, j, Purpose("sweep/lhs"));
    std::vector<std::size_t> perm(points);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    rng.shuffle(std::span<std::size_t>(perm));
    for (std::size_t i = 0; i < points; ++i) {
      d.points[i][j] = (static_cast<double>(perm[i]) + rng.uniform()) / static_cast<double>(points);
    }
  }
  for (std::size_t i = 0; i < points; ++i) {
    d.role.emplace_back("sample");
    d.group.push_back(static_cast<std::int64_t>(i));
    d.factor.push_back(-1);
  }
  return d;
}

SweepDesign saltelli_design(std::size_t base_points, std::size_t k) {
  // Saltelli et al. (2010): A and B are the two halves of a 2k-dimensional
  // Sobol sequence; AB_j is A with column j taken from B. Rows per base point
  // i: A_i, B_i, AB_i^1 .. AB_i^k, so N(k + 2) points in all.
  SweepDesign d;
  boost::random::sobol qrng(2 * k);
  const double scale = std::ldexp(1.0, -64);
  for (std::size_t i = 0; i < base_points; ++i) {
    std::vector<double> a(k), b(k);
    for (std::size_t j = 0; j < k; ++j) a[j] = static_cast<double>(qrng()) * scale;
    for (std::size_t j = 0; j < k; ++j) b[j] = static_cast<double>(qrng()) * scale;
    auto add = [&](std::vector<double> row, const char* role, std::int64_t factor) {
      d.points.push_back(std::move(row));
      d.role.emplace_back(role);
      d.group.push_back(static_cast<std::int64_t>(i));
      d.factor.push_back(factor);
    };
    add(a, "A", -1);
    add(b, "B", -1);
    for (std::size_t j = 0; j < k; ++j) {
      std::vector<double> ab = a;
      ab[j] = b[j];
      add(std::move(ab), "AB", static_cast<std::int64_t>(j));
    }
  }
  return d;
}

SweepDesign morris_design(std::size_t trajectories, std::size_t k, std::size_t levels, std::uint64_t seed) {
  // Morris (1991) with the step Delta = p / (2 (p - 1)) of Saltelli et al.
  // (2008, ch. 3): each trajectory starts at a random grid point and moves
  // every factor once, in random order and random direction, by Delta.
  if (levels < 2) throw ConfigError("morris needs at least 2 levels");
  const double step = 1.0 / static_cast<double>(levels - 1);
  const std::size_t half = levels / 2;  // levels usable as a low start
  const double delta = static_cast<double>(half) * step;
  SweepDesign d;
  for (std::size_t t = 0; t < trajectories; ++t) {
    RandomStream rng(RngKey{seed, 0, 0}, t, 0, Purpose("sweep/morris"));
    std::vector<double> x(k);
    std::vector<double> direction(k);
    for (std::size_t j = 0; j < k; ++j) {
      direction[j] = rng.bernoulli(0.5) ? 1.0 : -1.0;
      const double low = static_cast<double>(rng.below(levels - half)) * step;
      x[j] = direction[j] > 0 ? low : low + delta;
    }
    std::vector<std::size_t> order(k);
    std::iota(order.begin(), order.end(), std::size_t{0});
    rng.shuffle(std::span<std::size_t>(order));
    d.points.push_back(x);
    d.role.emplace_back("trajectory");
    d.group.push_back(static_cast<std::int64_t>(t));
    d.factor.push_back(-1);
    for (std::size_t j : order) {
      x[j] = std::clamp(x[j] + direction[j] * delta, 0.0, 1.0);
      d.points.push_back(x);
      d.role.emplace_back("trajectory");
      d.group.push_back(static_cast<std::int64_t>(t));
      d.factor.push_back(static_cast<std::int64_t>(j));
    }
  }
  return d;
}

std::uint64_t derived_point_seed(std::uint64_t experiment_seed, std::size_t point) {
  RandomStream rng(RngKey{experiment_seed, 0, 0}, point, 0, Purpose("sweep/point_seed"));
  return rng.bits() >> 1;
}

double scale(const SweepParameter& p, double u) {
  double v = p.log_scale ? std::exp(std::log(p.min) + u * (std::log(p.max) - std::log(p.min)))
                         : p.min + u * (p.max - p.min);
  if (p.integer) v = std::round(v);
  return std::clamp(v, std::min(p.min, p.max), std::max(p.min, p.max));
}

void build_design(SweepSpec& spec) {
  const std::size_t k = spec.parameters.size();
  switch (spec.method) {
    case SweepMethod::Points:
      return;  // the design is the given points (sweep_section.cpp)
    case SweepMethod::Grid: {
      std::vector<std::size_t> levels;
      for (const auto& p : spec.parameters) levels.push_back(p.values.size());
      spec.design = grid_design(levels);
      for (auto& row : spec.design.points) {
        for (std::size_t j = 0; j < k; ++j)
          row[j] = spec.parameters[j].values[static_cast<std::size_t>(row[j])];
      }
      return;
    }
    case SweepMethod::Lhs:
      spec.design = lhs_design(static_cast<std::size_t>(spec.points), k, spec.seed);
      break;
    case SweepMethod::Sobol:
      spec.design = saltelli_design(static_cast<std::size_t>(spec.base_points), k);
      break;
    case SweepMethod::Morris:
      spec.design = morris_design(static_cast<std::size_t>(spec.trajectories), k,
                                  static_cast<std::size_t>(spec.levels), spec.seed);
      break;
  }
  for (auto& row : spec.design.points) {
    for (std::size_t j = 0; j < k; ++j) row[j] = scale(spec.parameters[j], row[j]);
  }
}

}  // namespace atc::sim
