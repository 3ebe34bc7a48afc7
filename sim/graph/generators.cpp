#include "sim/graph/generators.hpp"

#include <algorithm>

#include "sim/core/error.hpp"
#include "sim/exec/interrupt.hpp"

namespace atc::sim {

namespace {
using EdgeList = std::vector<std::pair<NodeId, NodeId>>;

// Appends G(n, p) edges among nodes [first, first + n) (Batagelj & Brandes).
void gnp_within(NodeId first, std::size_t n, double p, RandomStream& rng, EdgeList& edges) {
  if (p <= 0.0 || n < 2) return;
  std::int64_t v = 1;
  std::int64_t w = -1;
  const auto nn = static_cast<std::int64_t>(n);
  while (v < nn) {
    throw_if_stop_requested();  // large networks take seconds to draw: honour Ctrl-C
    w += 1 + static_cast<std::int64_t>(std::min<std::uint64_t>(rng.geometric(p), INT64_MAX / 2));
    while (w >= v && v < nn) {
      w -= v;
      ++v;
    }
    if (v < nn) edges.emplace_back(first + static_cast<NodeId>(v), first + static_cast<NodeId>(w));
  }
}

// Appends bipartite G(n1, n2, p) edges between [a, a + n1) and [b, b + n2).
void gnp_between(NodeId a, std::size_t n1, NodeId b, std::size_t n2, double p, RandomStream& rng,
                 EdgeList& edges) {
  if (p <= 0.0 || n1 == 0 || n2 == 0) return;
  const std::uint64_t total = static_cast<std::uint64_t>(n1) * n2;
  std::uint64_t k = 0;
  for (;;) {
    throw_if_stop_requested();
    const std::uint64_t skip = rng.geometric(p);
    if (skip >= total - k) break;
    k += skip;
    edges.emplace_back(a + static_cast<NodeId>(k / n2), b + static_cast<NodeId>(k % n2));
    if (++k >= total) break;
  }
}

void check_size(std::size_t n) {
  if (n >= UINT32_MAX) throw ModelError("network too large for 32-bit node ids");
}
}  // namespace

CsrGraph erdos_renyi(std::size_t n, double p, RandomStream& rng) {
  check_size(n);
  EdgeList edges;
  edges.reserve(static_cast<std::size_t>(p * static_cast<double>(n) * static_cast<double>(n) / 2 * 1.05) +
                16);
  gnp_within(0, n, std::clamp(p, 0.0, 1.0), rng, edges);
  return build_csr(n, std::move(edges));
}

CsrGraph erdos_renyi_mean_degree(std::size_t n, double mean_degree, RandomStream& rng) {
  const double p = n > 1 ? mean_degree / static_cast<double>(n - 1) : 0.0;
  return erdos_renyi(n, p, rng);
}

CsrGraph watts_strogatz(std::size_t n, std::size_t k, double beta, RandomStream& rng) {
  check_size(n);
  if (k % 2 != 0 || k >= n) throw ModelError("watts_strogatz needs an even k < n");
  // Adjacency during construction only (rewiring must avoid duplicates):
  // sorted vectors, as sets but without a node per entry (degrees are small).
  std::vector<std::vector<NodeId>> adj(n);
  const auto has = [&](NodeId a, NodeId b) { return std::binary_search(adj[a].begin(), adj[a].end(), b); };
  const auto insert = [&](NodeId a, NodeId b) {
    const auto it = std::lower_bound(adj[a].begin(), adj[a].end(), b);
    if (it == adj[a].end() || *it != b) adj[a].insert(it, b);
  };
  const auto erase = [&](NodeId a, NodeId b) {
    const auto it = std::lower_bound(adj[a].begin(), adj[a].end(), b);
    if (it != adj[a].end() && *it == b) adj[a].erase(it);
  };
  for (std::size_t i = 0; i < n; ++i) {
    throw_if_stop_requested();  // large networks take seconds to draw: honour Ctrl-C
    adj[i].reserve(k + 2);
    for (std::size_t j = 1; j <= k / 2; ++j) {
      const auto a = static_cast<NodeId>(i);
      const auto b = static_cast<NodeId>((i + j) % n);
      insert(a, b);
      insert(b, a);
    }
  }
  // Rewire each lattice edge (i, i+j) in the original order, as in the paper.
  for (std::size_t j = 1; j <= k / 2; ++j) {
    for (std::size_t i = 0; i < n; ++i) {
      throw_if_stop_requested();
      const auto a = static_cast<NodeId>(i);
      const auto b = static_cast<NodeId>((i + j) % n);
      if (!rng.bernoulli(beta) || !has(a, b)) continue;
      if (adj[a].size() >= n - 1) continue;
      NodeId c = 0;
      do {
        c = static_cast<NodeId>(rng.below(n));
      } while (c == a || has(a, c));
      erase(a, b);
      erase(b, a);
      insert(a, c);
      insert(c, a);
    }
  }
  EdgeList edges;
  for (std::size_t i = 0; i < n; ++i) {
    for (NodeId b : adj[i]) {
      if (b > i) edges.emplace_back(static_cast<NodeId>(i), b);
    }
  }
  return build_csr(n, std::move(edges));
}

CsrGraph stochastic_block(const std::vector<std::size_t>& block_sizes, double p_in, double p_out,
                          RandomStream& rng) {
  std::size_t n = 0;
  std::vector<NodeId> first;
  for (std::size_t s : block_sizes) {
    first.push_back(static_cast<NodeId>(n));
    n += s;
  }
  check_size(n);
  EdgeList edges;
  for (std::size_t a = 0; a < block_sizes.size(); ++a) {
    gnp_within(first[a], block_sizes[a], p_in, rng, edges);
    for (std::size_t b = a + 1; b < block_sizes.size(); ++b) {
      gnp_between(first[a], block_sizes[a], first[b], block_sizes[b], p_out, rng, edges);
    }
  }
  return build_csr(n, std::move(edges));
}

CsrGraph lattice_2d(std::size_t width, std::size_t height, Neighbourhood neighbourhood, bool periodic) {
  check_size(width * height);
  EdgeList edges;
  const auto w = static_cast<std::int64_t>(width);
  const auto h = static_cast<std::int64_t>(height);
  // Half of the neighbourhood: each undirected edge is emitted from one end.
  std::vector<std::pair<int, int>> offsets{{1, 0}, {0, 1}};
  if (neighbourhood == Neighbourhood::Moore) {
    offsets.emplace_back(1, 1);
    offsets.emplace_back(1, -1);
  }
  for (std::int64_t y = 0; y < h; ++y) {
    throw_if_stop_requested();
    for (std::int64_t x = 0; x < w; ++x) {
      for (const auto& [dx, dy] : offsets) {
        std::int64_t nx = x + dx;
        std::int64_t ny = y + dy;
        if (periodic) {
          nx = (nx + w) % w;
          ny = (ny + h) % h;
        } else if (nx < 0 || nx >= w || ny < 0 || ny >= h) {
          continue;
        }
        edges.emplace_back(static_cast<NodeId>(y * w + x), static_cast<NodeId>(ny * w + nx));
      }
    }
  }
  return build_csr(width * height, std::move(edges));
}

}  // namespace atc::sim
