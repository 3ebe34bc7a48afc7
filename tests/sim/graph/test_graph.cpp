#include <catch2/catch.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/clustering_coefficient.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/exterior_property.hpp>

#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/graph/csr.hpp"
#include "sim/graph/generators.hpp"
#include "sim/graph/metrics.hpp"
#include "sim/graph/slot_graph.hpp"

using namespace atc::sim;

namespace {
using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

BoostGraph to_boost(const CsrGraph& g) {
  BoostGraph b(g.node_count());
  for (NodeId i = 0; i < g.node_count(); ++i) {
    for (NodeId j : g.neighbours_of(i)) {
      if (j > i) boost::add_edge(i, j, b);
    }
  }
  return b;
}

double boost_mean_clustering(const BoostGraph& b) {
  using ClusteringProperty = boost::exterior_vertex_property<BoostGraph, double>;
  typename ClusteringProperty::container_type coefs(boost::num_vertices(b));
  typename ClusteringProperty::map_type cm(coefs, b);
  return boost::all_clustering_coefficients(b, cm);
}

bool symmetric_and_simple(const CsrGraph& g) {
  for (NodeId i = 0; i < g.node_count(); ++i) {
    const auto nb = g.neighbours_of(i);
    for (std::size_t k = 0; k < nb.size(); ++k) {
      if (nb[k] == i) return false;                   // self-loop
      if (k > 0 && nb[k] <= nb[k - 1]) return false;  // unsorted or duplicate
      if (!g.has_edge(nb[k], i)) return false;        // asymmetric
    }
  }
  return true;
}

RandomStream stream(std::uint64_t agent = 0) {
  return RandomStream(RngKey{7, 0, 0}, 0, agent, Purpose("graph-test"));
}
}  // namespace

TEST_CASE("build_csr drops self-loops and duplicates and is symmetric", "[graph]") {
  const auto g = build_csr(4, {{0, 1}, {1, 0}, {1, 2}, {2, 2}, {0, 1}, {3, 1}});
  CHECK(g.edge_count() == 3);
  CHECK(g.degree(1) == 3);
  CHECK(g.degree(2) == 1);
  CHECK(symmetric_and_simple(g));
}

TEST_CASE("2-D lattices have the analytic degrees and clustering", "[graph]") {
  const auto vn = lattice_2d(10, 10, Neighbourhood::VonNeumann, true);
  const auto moore = lattice_2d(10, 10, Neighbourhood::Moore, true);
  for (NodeId i = 0; i < 100; ++i) {
    REQUIRE(vn.degree(i) == 4);
    REQUIRE(moore.degree(i) == 8);
  }
  CHECK(average_clustering(vn) == 0.0);
  // Moore: the 8 neighbours of a cell share 12 links -> C = 12 / 28 = 3/7.
  CHECK(average_clustering(moore) == Approx(3.0 / 7.0));
  CHECK(average_clustering(moore) == Approx(boost_mean_clustering(to_boost(moore))));

  const auto open = lattice_2d(3, 3, Neighbourhood::VonNeumann, false);
  CHECK(open.edge_count() == 12);
  CHECK(open.degree(0) == 2);  // corner
  CHECK(open.degree(1) == 3);  // edge
  CHECK(open.degree(4) == 4);  // centre
  CHECK(symmetric_and_simple(open));
  CHECK(lattice_2d(5, 4, Neighbourhood::Moore, false).edge_count() == 2 * 5 * 4 - 5 - 4 + 2 * 4 * 3);
}

TEST_CASE("Erdos-Renyi graphs have mean degree z, clustering p and the giant component of theory",
          "[graph][statistics]") {
  auto rng = stream();
  const std::size_t n = 20'000;
  const double z = 2.0;
  const auto g = erdos_renyi_mean_degree(n, z, rng);
  CHECK(symmetric_and_simple(g));
  // Edge count ~ Binomial(n(n-1)/2, p): sd ~ sqrt(z n / 2) = 141 edges.
  CHECK(static_cast<double>(g.edge_count()) == Approx(z * n / 2).margin(5 * 141));
  // Giant component S solves S = 1 - exp(-z S): S = 0.7968 for z = 2.
  const auto comps = connected_components(g);
  CHECK(static_cast<double>(comps.largest()) / n == Approx(0.7968).margin(0.02));

  // Against Boost.Graph: same component count and the same clustering.
  const auto b = to_boost(g);
  std::vector<int> component(boost::num_vertices(b));
  const int boost_count = boost::connected_components(b, component.data());
  CHECK(static_cast<int>(comps.count) == boost_count);
  CHECK(average_clustering(g) == Approx(boost_mean_clustering(b)).epsilon(1e-12));

  auto rng2 = stream(1);
  const auto dense = erdos_renyi(2'000, 0.05, rng2);
  CHECK(transitivity(dense) == Approx(0.05).margin(0.005));
}

TEST_CASE("Watts-Strogatz keeps the edge count and has the ring clustering at beta = 0", "[graph]") {
  auto rng = stream();
  const auto ring = watts_strogatz(1'000, 6, 0.0, rng);
  CHECK(ring.edge_count() == 3'000);
  // C(beta = 0) = 3(k - 2) / (4(k - 1)) = 0.6 for k = 6.
  CHECK(average_clustering(ring) == Approx(0.6));
  const auto rewired = watts_strogatz(1'000, 6, 0.2, rng);
  CHECK(rewired.edge_count() == 3'000);
  CHECK(symmetric_and_simple(rewired));
  // Rewiring destroys triangles: C ~ C(0) (1 - beta)^3 = 0.307.
  CHECK(average_clustering(rewired) == Approx(0.6 * std::pow(0.8, 3)).margin(0.03));
  CHECK(average_clustering(rewired) == Approx(boost_mean_clustering(to_boost(rewired))).epsilon(1e-12));
}

TEST_CASE("stochastic block model densities match p_in and p_out", "[graph][statistics]") {
  auto rng = stream();
  const std::vector<std::size_t> blocks{300, 300, 400};
  const auto g = stochastic_block(blocks, 0.05, 0.002, rng);
  CHECK(symmetric_and_simple(g));
  auto block_of = [](NodeId i) { return i < 300 ? 0 : (i < 600 ? 1 : 2); };
  double within = 0, between = 0;
  for (NodeId i = 0; i < g.node_count(); ++i) {
    for (NodeId j : g.neighbours_of(i)) {
      if (j > i) (block_of(i) == block_of(j) ? within : between) += 1;
    }
  }
  const double pairs_within = 300.0 * 299 / 2 * 2 + 400.0 * 399 / 2;
  const double pairs_between = 300.0 * 300 + 300.0 * 400 * 2;
  CHECK(within / pairs_within == Approx(0.05).margin(0.003));
  CHECK(between / pairs_between == Approx(0.002).margin(0.0003));
}

TEST_CASE("generators are deterministic functions of their stream", "[graph]") {
  auto a = stream(3);
  auto b = stream(3);
  const auto g1 = erdos_renyi_mean_degree(5'000, 3.0, a);
  const auto g2 = erdos_renyi_mean_degree(5'000, 3.0, b);
  CHECK(g1.offsets == g2.offsets);
  CHECK(g1.neighbours == g2.neighbours);
}

TEST_CASE("local clustering is the same on any thread, one graph after another", "[graph]") {
  // Triangles are counted against per-thread marks of the node's neighbours,
  // which must be all clear after each count, whatever graph came before.
  auto rng = stream(2);
  const auto dense = erdos_renyi(400, 0.1, rng);
  const auto small = watts_strogatz(50, 4, 0.0, rng);  // ring: 0.5 at every node (k = 4)
  const auto b = to_boost(dense);
  using ClusteringProperty = boost::exterior_vertex_property<BoostGraph, double>;
  typename ClusteringProperty::container_type expected(boost::num_vertices(b));
  typename ClusteringProperty::map_type cm(expected, b);
  boost::all_clustering_coefficients(b, cm);
  // Catch2 assertions are not thread-safe: the values are checked afterwards.
  std::vector<double> on_threads(dense.node_count()), ring(dense.node_count());
  oneapi::tbb::parallel_for(std::size_t{0}, dense.node_count(), [&](std::size_t i) {
    on_threads[i] = local_clustering(dense, static_cast<NodeId>(i));
    ring[i] = local_clustering(small, static_cast<NodeId>(i % small.node_count()));
  });
  for (std::size_t i = 0; i < dense.node_count(); ++i) {
    INFO("node " << i);
    CHECK(on_threads[i] == Approx(expected[i]).epsilon(1e-12));
    CHECK(ring[i] == Approx(0.5));
  }
}

TEST_CASE("a slot graph holds the same rows as the CSR graph it is filled from", "[graph]") {
  // Rows of fixed capacity, rewritten in place: the neighbours, degrees, edge
  // tests and local clustering are those of the CSR form (Boost's clustering).
  auto rng = stream(4);
  const auto g = erdos_renyi_mean_degree(300, 6.0, rng);
  std::size_t widest = 0;
  for (NodeId i = 0; i < g.node_count(); ++i) widest = std::max<std::size_t>(widest, g.degree(i));
  SlotGraph s;
  s.assign(g.node_count(), widest + 3);
  REQUIRE(s.node_count() == g.node_count());
  for (NodeId i = 0; i < g.node_count(); ++i) CHECK(s.neighbours_of(i).empty());
  // Filled in reverse node order: each row is written without touching the others.
  for (NodeId i = static_cast<NodeId>(g.node_count()); i-- > 0;) {
    const auto nb = g.neighbours_of(i);
    std::copy(nb.begin(), nb.end(), s.row(i));
    s.degrees[i] = static_cast<std::uint8_t>(nb.size());
  }
  const auto b = to_boost(g);
  using ClusteringProperty = boost::exterior_vertex_property<BoostGraph, double>;
  typename ClusteringProperty::container_type expected(boost::num_vertices(b));
  typename ClusteringProperty::map_type cm(expected, b);
  boost::all_clustering_coefficients(b, cm);
  for (NodeId i = 0; i < g.node_count(); ++i) {
    INFO("node " << i);
    const auto a = g.neighbours_of(i);
    const auto c = s.neighbours_of(i);
    REQUIRE(std::vector<NodeId>(a.begin(), a.end()) == std::vector<NodeId>(c.begin(), c.end()));
    CHECK(s.degree(i) == g.degree(i));
    CHECK(local_clustering(s, i) == local_clustering(g, i));
    CHECK(local_clustering(s, i) == Approx(expected[i]).epsilon(1e-12));
    for (NodeId j = 0; j < g.node_count(); j += 7) CHECK(s.has_edge(i, j) == g.has_edge(i, j));
  }
  // A row rewritten with a smaller degree: its neighbours are only the new ones.
  s.degrees[0] = 1;
  CHECK(s.neighbours_of(0).size() == 1);
  CHECK(s.neighbours_of(1).size() == g.degree(1));
}
