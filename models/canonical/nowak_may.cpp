// Nowak & May (1992), "Evolutionary games and spatial chaos", Nature
// 359:826-829. Each cell of a size x size lattice holds a cooperator (C) or a
// defector (D). Every step, each cell plays the Prisoner's Dilemma with the 8
// cells of its Moore neighbourhood and with itself (payoffs R = 1, T = b,
// S = P = 0), then every cell simultaneously adopts the strategy of the
// highest-scoring cell among itself and its 8 neighbours.
//
// The defaults are the paper's rule. `self_interaction`, `neighbourhood` and
// `update = "asynchronous"` (one random cell at a time, Huberman & Glance 1993)
// give the variants that the reference test shows to differ.
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <vector>

#include "models/canonical/base.hpp"
#include "models/canonical/canonical.hpp"
#include "models/mechanisms/spatial_games.hpp"
#include "sim/graph/generators.hpp"

namespace atc::models::canonical {

namespace {

using sim::Purpose;

struct NowakMayParams {
  sim::Param<std::int64_t> size{sim::ParamDecl::integer("size", 200)
                                    .at_least(3)
                                    .at_most(60000)
                                    .units("1")
                                    .describe("lattice side: size x size cells")
                                    .cite("Nowak & May 1992 (200 x 200)")};
  sim::Param<double> b{sim::ParamDecl::real("b", 1.9)
                           .at_least(1)
                           .at_most(10)
                           .units("1")
                           .describe("temptation to defect T = b (R = 1, S = P = 0)")
                           .cite("Nowak & May 1992 (1.8 < b < 2: spatial chaos)")};
  sim::Param<double> initial_defectors{
      sim::ParamDecl::real("initial_defectors", 0.1)
          .range(0, 1)
          .units("1")
          .describe("fraction of cells starting as defectors, placed at random")
          .cite("Nowak & May 1992 (10 %)")};
  sim::Param<bool> self_interaction{sim::ParamDecl::boolean("self_interaction", true)
                                        .describe("each cell also plays against itself")
                                        .cite("Nowak & May 1992")};
  sim::Param<std::string> neighbourhood{
      sim::ParamDecl::string("neighbourhood", "moore", {"moore", "von_neumann"})
          .describe("neighbours: the 8 Moore cells or the 4 von Neumann cells")
          .cite("Nowak & May 1992 (Moore)")};
  sim::Param<std::string> update{
      sim::ParamDecl::string("update", "synchronous", {"synchronous", "asynchronous"})
          .describe("\"synchronous\": all cells at once (the paper); \"asynchronous\": n random single-cell "
                    "updates per step (Huberman & Glance 1993)")
          .cite("Nowak & May 1992 (synchronous)")};
  sim::Param<bool> periodic{sim::ParamDecl::boolean("periodic", true)
                                .describe("wrap the lattice into a torus (false: fixed boundaries)")};
};

class NowakMay final : public Canonical<NowakMayParams> {
 public:
  explicit NowakMay(const sim::ModelInit& init)
      : Canonical(init),
        rng_key_(init.rng),
        b_(*prm_.b),
        self_(*prm_.self_interaction),
        synchronous_(*prm_.update == "synchronous") {
    const auto size = static_cast<std::size_t>(*prm_.size);
    const auto hood =
        *prm_.neighbourhood == "moore" ? sim::Neighbourhood::Moore : sim::Neighbourhood::VonNeumann;
    graph_ = sim::lattice_2d(size, size, hood, *prm_.periodic);
    const std::size_t n = size * size;
    coop_.assign(n, 1);
    next_.assign(n, 1);
    score_.assign(n, 0.0);
    // Exactly round(f * n) defectors on distinct random cells (partial Fisher-Yates).
    const auto defectors =
        static_cast<std::size_t>(std::llround(*prm_.initial_defectors * static_cast<double>(n)));
    std::vector<sim::NodeId> cells(n);
    for (std::size_t i = 0; i < n; ++i) cells[i] = static_cast<sim::NodeId>(i);
    sim::RandomStream rng(init.rng, 0, 0, Purpose("nowak_may/defectors"));
    for (std::size_t k = 0; k < defectors; ++k) {
      std::swap(cells[k], cells[k + rng.below(n - k)]);
      coop_[cells[k]] = 0;
    }
    cooperators_ = n - defectors;
  }

  void step(std::int64_t step, sim::Parallel parallel) override {
    if (synchronous_) {
      synchronous_step(parallel);
    } else {
      asynchronous_step(step);
    }
    stepped_ = true;
  }

  // Building the lattice of k neighbours per cell (k = 8 Moore, 4 von
  // Neumann) holds the edge list (k/2 pairs of 4-byte ids), the offsets and
  // the sort cursor (8 bytes each) and the neighbours (k ids): (8 k + 16)
  // bytes per cell, more than the model's state afterwards.
  static sim::MemoryEstimate memory(const NowakMayParams& p) {
    const double cells = static_cast<double>(*p.size) * static_cast<double>(*p.size);
    const double k = *p.neighbourhood == "moore" ? 8.0 : 4.0;
    return {(8.0 * k + 16.0) * cells, "model.size"};
  }

  static std::vector<sim::IndicatorDecl> indicators() {
    return {
        sim::indicator<NowakMay>(
            "coop_fraction", "1", "fraction of cooperators", "Share of cells holding a cooperator",
            [](const NowakMay& m) {
              return static_cast<double>(m.cooperators_) / static_cast<double>(m.coop_.size());
            }),
        sim::indicator<NowakMay>("switch_fraction", "1", "fraction of cells that changed strategy",
                                 "Cells whose strategy changed in this step / n",
                                 [](const NowakMay& m) {
                                   return static_cast<double>(m.switched_) /
                                          static_cast<double>(m.coop_.size());
                                 }),
    };
  }

  [[nodiscard]] std::uint64_t agent_count() const override { return coop_.size(); }
  // The synchronous rule is deterministic: a step that changes nothing is a fixed point.
  [[nodiscard]] bool absorbed() const override { return synchronous_ && stepped_ && switched_ == 0; }

 private:
  struct Counts {
    std::uint64_t cooperators = 0;
    std::uint64_t switched = 0;
    Counts& operator+=(const Counts& o) {
      cooperators += o.cooperators;
      switched += o.switched;
      return *this;
    }
  };

  void synchronous_step(sim::Parallel parallel) {
    const std::size_t n = coop_.size();
    const std::span<const std::uint8_t> now(coop_);
    parallel.for_each(n, [&](std::size_t i) {
      score_[i] = mechanisms::pd_score(graph_, now, static_cast<sim::NodeId>(i), b_, self_);
    });
    const Counts c = parallel.reduce<Counts>(n, [&](std::size_t b, std::size_t e) {
      Counts part;
      for (std::size_t i = b; i < e; ++i) {
        const std::uint8_t s = mechanisms::imitate_best(graph_, now, score_, static_cast<sim::NodeId>(i));
        next_[i] = s;
        part.cooperators += s;
        part.switched += s != now[i] ? 1 : 0;
      }
      return part;
    });
    coop_.swap(next_);
    cooperators_ = c.cooperators;
    switched_ = c.switched;
  }

  // n single-cell updates in random order (with replacement); each cell's
  // neighbourhood scores are computed from the current state.
  void asynchronous_step(std::int64_t step) {
    sim::RandomStream rng(rng_key_, static_cast<std::uint64_t>(step), 0, Purpose("nowak_may/async"));
    const std::size_t n = coop_.size();
    const std::span<const std::uint8_t> now(coop_);
    std::uint64_t switched = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const auto i = static_cast<sim::NodeId>(rng.below(n));
      double best = mechanisms::pd_score(graph_, now, i, b_, self_);
      std::uint8_t strategy = coop_[i];
      for (sim::NodeId j : graph_.neighbours_of(i)) {
        const double s = mechanisms::pd_score(graph_, now, j, b_, self_);
        if (s > best) {
          best = s;
          strategy = coop_[j];
        }
      }
      if (strategy != coop_[i]) {
        if (strategy != 0) {
          ++cooperators_;
        } else {
          --cooperators_;
        }
        coop_[i] = strategy;
        ++switched;
      }
    }
    switched_ = switched;
  }

  sim::RngKey rng_key_;
  double b_;
  bool self_;
  bool synchronous_;
  sim::CsrGraph graph_;
  std::vector<std::uint8_t> coop_;  // 1 = cooperator
  std::vector<std::uint8_t> next_;  // scratch (synchronous)
  std::vector<double> score_;       // scratch (synchronous)
  std::uint64_t cooperators_ = 0;
  std::uint64_t switched_ = 0;
  bool stepped_ = false;
};

}  // namespace

sim::ModelDescription nowak_may() {
  return describe<NowakMay>(
      {"canonical/nowak_may",
       "Nowak & May (1992) spatial Prisoner's Dilemma: imitate the best neighbour, synchronous",
       "Nowak, M. A. & May, R. M. (1992). Evolutionary games and spatial chaos. Nature 359:826-829. "
       "doi:10.1038/359826a0",
       500});
}

}  // namespace atc::models::canonical
