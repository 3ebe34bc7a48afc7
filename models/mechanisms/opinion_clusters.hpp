#pragma once
// Clusters of one-dimensional opinions (Deffuant et al. 2000; Hegselmann &
// Krause 2002): sort the opinions and cut wherever two consecutive values are
// more than `gap` apart. Used for indicators and for detecting absorption.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>

namespace atc::models::mechanisms {

struct OpinionClusters {
  std::size_t count = 0;    // all clusters, whatever their size
  std::size_t major = 0;    // clusters with at least `min_size` members
  std::size_t largest = 0;  // members of the largest cluster
  double max_span = 0.0;    // widest cluster: max - min of its members
  double min_separation = std::numeric_limits<double>::infinity();  // smallest gap between clusters
};

// `sorted` must be in non-decreasing order.
inline OpinionClusters opinion_clusters(std::span<const double> sorted, double gap, std::size_t min_size) {
  OpinionClusters out;
  if (sorted.empty()) return out;
  std::size_t start = 0;
  auto close = [&](std::size_t end) {  // cluster [start, end)
    const std::size_t size = end - start;
    ++out.count;
    if (size >= min_size) ++out.major;
    out.largest = std::max(out.largest, size);
    out.max_span = std::max(out.max_span, sorted[end - 1] - sorted[start]);
  };
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const double g = sorted[i] - sorted[i - 1];
    if (g > gap) {
      close(i);
      out.min_separation = std::min(out.min_separation, g);
      start = i;
    }
  }
  close(sorted.size());
  return out;
}

// Population standard deviation (divides by n), two-pass.
inline double population_sd(std::span<const double> values) {
  if (values.empty()) return 0.0;
  double mean = 0.0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double ss = 0.0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(values.size()));
}

}  // namespace atc::models::mechanisms
