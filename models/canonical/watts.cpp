// Watts (2002), "A simple model of global cascades on random networks",
// PNAS 99(9):5766-5771. Nodes of an Erdos-Renyi graph of mean degree z are off
// (0) or on (1); a node turns on when the fraction of its neighbours that are
// on reaches its threshold phi, and never turns off. One (or a few) random
// seed nodes start on. Updates are synchronous; since activation is monotone
// the final cascade does not depend on the update order.
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "models/canonical/base.hpp"
#include "models/canonical/canonical.hpp"
#include "models/mechanisms/threshold.hpp"
#include "sim/graph/generators.hpp"

namespace atc::models::canonical {

namespace {

using sim::Purpose;

struct WattsParams {
  sim::Param<std::int64_t> n{sim::ParamDecl::integer("n", 10000)
                                 .at_least(2)
                                 .at_most(2e9)
                                 .units("1")
                                 .describe("number of nodes")
                                 .cite("Watts 2002 (n = 10^4)")};
  sim::Param<double> mean_degree{sim::ParamDecl::real("mean_degree", 4.0)
                                     .at_least(0)
                                     .units("1")
                                     .describe("mean degree z of the G(n, p) network, p = z/(n-1)")
                                     .cite("Watts 2002")};
  sim::Param<double> phi{sim::ParamDecl::real("phi", 0.18)
                             .range(0, 1)
                             .units("1")
                             .describe("activation threshold: fraction of active neighbours needed")
                             .cite("Watts 2002 (phi = 0.18 in Fig. 1)")};
  sim::Param<std::int64_t> initial_active{sim::ParamDecl::integer("initial_active", 1)
                                              .at_least(1)
                                              .units("1")
                                              .describe("number of randomly chosen seed nodes")
                                              .cite("Watts 2002 (a single seed)")};
};

class Watts final : public Canonical<WattsParams> {
 public:
  explicit Watts(const sim::ModelInit& init) : Canonical(init) {
    const auto n = static_cast<std::size_t>(*prm_.n);
    sim::RandomStream graph_rng(init.rng, 0, 0, Purpose("watts/graph"));
    graph_ = sim::erdos_renyi_mean_degree(n, prm_.mean_degree, graph_rng);
    active_.assign(n, 0);
    next_.assign(n, 0);
    // Seeds: a uniformly random set of initial_active distinct nodes.
    sim::RandomStream seed_rng(init.rng, 0, 0, Purpose("watts/seeds"));
    std::vector<sim::NodeId> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<sim::NodeId>(i);
    const auto seeds = static_cast<std::size_t>(*prm_.initial_active);
    for (std::size_t k = 0; k < seeds; ++k) {  // partial Fisher-Yates
      std::swap(order[k], order[k + seed_rng.below(n - k)]);
      active_[order[k]] = 1;
    }
    active_count_ = seeds;
  }

  void step(std::int64_t, sim::Parallel parallel) override {
    const std::span<const std::uint8_t> now(active_);
    const double phi = prm_.phi;
    const std::uint64_t newly =
        parallel.reduce<std::uint64_t>(active_.size(), [&](std::size_t b, std::size_t e) {
          std::uint64_t turned_on = 0;
          for (std::size_t i = b; i < e; ++i) {
            std::uint8_t state = now[i];
            if (state == 0) {
              const auto id = static_cast<sim::NodeId>(i);
              std::uint32_t on = 0;
              for (sim::NodeId j : graph_.neighbours_of(id)) on += now[j];
              if (mechanisms::crosses_threshold(on, graph_.degree(id), phi)) {
                state = 1;
                ++turned_on;
              }
            }
            next_[i] = state;
          }
          return turned_on;
        });
    active_.swap(next_);
    active_count_ += newly;
    last_new_ = newly;
    stepped_ = true;
  }

  static std::vector<sim::IndicatorDecl> indicators() {
    return {
        sim::indicator<Watts>("active_fraction", "1", "fraction of active nodes",
                              "Share of nodes that are active (cumulative cascade size / n)",
                              [](const Watts& m) {
                                return static_cast<double>(m.active_count_) /
                                       static_cast<double>(m.active_.size());
                              }),
        sim::indicator<Watts>("active_count", "1", "number of active nodes", "Nodes active after this step",
                              [](const Watts& m) { return m.active_count_; }),
        sim::indicator<Watts>("new_active", "1", "nodes activated in this step",
                              "Nodes that turned active during the step",
                              [](const Watts& m) { return m.last_new_; }),
    };
  }

  // Peak while the network is built (sim/graph): the edge list reserved
  // (1.05 x m pairs of 4-byte ids, m = z n / 2 edges), the CSR offsets and
  // the counting-sort cursor (8 bytes per node each) and the neighbour array
  // (2 m ids): (8.2 z + 16) n bytes. The states and the seed order come after
  // the edge list is freed and fit within that peak.
  static sim::MemoryEstimate memory(const WattsParams& p) {
    const double n = static_cast<double>(*p.n);
    return {(8.2 * p.mean_degree + 16.0) * n, "model.n (or model.mean_degree)"};
  }

  [[nodiscard]] std::uint64_t agent_count() const override { return active_.size(); }
  // Monotone dynamics: once a step turns nobody on, nothing will ever change.
  [[nodiscard]] bool absorbed() const override { return stepped_ && last_new_ == 0; }

 private:
  sim::CsrGraph graph_;
  std::vector<std::uint8_t> active_;
  std::vector<std::uint8_t> next_;
  std::uint64_t active_count_ = 0;
  std::uint64_t last_new_ = 0;
  bool stepped_ = false;
};

}  // namespace

sim::ModelDescription watts() {
  return describe<Watts>(
      {"canonical/watts", "Watts (2002) threshold cascades on an Erdos-Renyi random network",
       "Watts, D. J. (2002). A simple model of global cascades on random networks. PNAS 99(9):5766-5771. "
       "doi:10.1073/pnas.082090499",
       200},
      [](const sim::ParamSet& values) {
        const auto p = sim::bind<WattsParams>(values);
        std::vector<sim::ParamProblem> problems;
        if (p.initial_active > p.n) {
          problems.push_back({"initial_active", fmt::format("expected at most n = {} seed nodes", *p.n)});
        }
        if (p.mean_degree > static_cast<double>(p.n - 1)) {
          problems.push_back({"mean_degree", fmt::format("expected at most n - 1 = {}", p.n - 1)});
        }
        return problems;
      });
}

}  // namespace atc::models::canonical
