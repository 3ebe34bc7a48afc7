// Hegselmann & Krause (2002), "Opinion dynamics and bounded confidence:
// models, analysis and simulation", JASSS 5(3):2. n agents with opinions drawn
// uniformly in [0, 1]. Synchronous update: at every step each agent takes the
// mean opinion of all agents (itself included) whose opinion differs from its
// own by at most epsilon. Parallel over agents with double buffering; the
// result does not depend on the number of threads.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "models/canonical/base.hpp"
#include "models/canonical/canonical.hpp"
#include "models/mechanisms/hegselmann_krause.hpp"
#include "models/mechanisms/opinion_clusters.hpp"

namespace atc::models::canonical {

namespace {

using sim::Purpose;

// Opinions closer than this belong to one cluster. Converged HK clusters are
// equal up to rounding (~1e-15) and more than epsilon apart.
constexpr double kClusterGap = 1e-6;
// A step that moves no opinion by more than this is a fixed point.
constexpr double kFrozen = 1e-12;

struct HkParams {
  sim::Param<std::int64_t> n{sim::ParamDecl::integer("n", 625)
                                 .at_least(1)
                                 .at_most(2e9)
                                 .units("1")
                                 .describe("number of agents")
                                 .cite("Hegselmann & Krause 2002 (625 agents)")};
  sim::Param<double> epsilon{
      sim::ParamDecl::real("epsilon", 0.2)
          .above(0)
          .at_most(1)
          .units("1")
          .describe(
              "confidence level: an agent averages over all opinions within epsilon of its own (inclusive)")
          .cite("Hegselmann & Krause 2002")};
};

class HegselmannKrause final : public Canonical<HkParams> {
 public:
  explicit HegselmannKrause(const sim::ModelInit& init) : Canonical(init), epsilon_(*prm_.epsilon) {
    const auto n = static_cast<std::size_t>(*prm_.n);
    opinion_.resize(n);
    init.parallel.for_each(n, [&](std::size_t i) {
      sim::RandomStream rng(init.rng, 0, i, Purpose("hk/opinion"));
      opinion_[i] = rng.uniform();
    });
    // Agents are exchangeable and the update preserves their order, so the
    // state is kept as the sorted vector of opinions.
    std::sort(opinion_.begin(), opinion_.end());
    next_.resize(n);
    prefix_.resize(n + 1);
    summarise();
  }

  // The sorted opinions, the next ones and their prefix sums: 24 bytes per agent.
  static sim::MemoryEstimate memory(const HkParams& p) {
    return {24.0 * static_cast<double>(*p.n), "model.n"};
  }

  void step(std::int64_t, sim::Parallel parallel) override {
    mechanisms::prefix_sums(opinion_, prefix_);
    const std::span<const double> now(opinion_);
    const std::span<const double> prefix(prefix_);
    struct Max {
      double v = 0.0;
      Max& operator+=(const Max& o) {
        v = std::max(v, o.v);
        return *this;
      }
    };
    const Max moved = parallel.reduce<Max>(opinion_.size(), [&](std::size_t b, std::size_t e) {
      Max m;
      for (std::size_t i = b; i < e; ++i) {
        next_[i] = mechanisms::hk_update(now, prefix, now[i], epsilon_);
        m.v = std::max(m.v, std::abs(next_[i] - now[i]));
      }
      return m;
    });
    opinion_.swap(next_);
    std::sort(opinion_.begin(), opinion_.end());  // already sorted up to rounding
    frozen_ = moved.v <= kFrozen;
    summarise();
  }

  static std::vector<sim::IndicatorDecl> indicators() {
    return {
        sim::indicator<HegselmannKrause>(
            "n_clusters", "1", "number of opinion clusters",
            "Clusters of opinions (sorted opinions cut at gaps > 1e-6), whatever their size",
            [](const HegselmannKrause& m) { return m.clusters_.count; }),
        sim::indicator<HegselmannKrause>("consensus", "1", "consensus reached (1) or not (0)",
                                         "1 when all opinions form a single cluster",
                                         [](const HegselmannKrause& m) { return m.clusters_.count == 1; }),
        sim::indicator<HegselmannKrause>(
            "largest_cluster_share", "1", "share of agents in the largest cluster",
            "Size of the largest cluster / n",
            [](const HegselmannKrause& m) {
              return static_cast<double>(m.clusters_.largest) / static_cast<double>(m.opinion_.size());
            }),
        sim::indicator<HegselmannKrause>("opinion_sd", "1", "standard deviation of opinions",
                                         "Population standard deviation of the opinions",
                                         [](const HegselmannKrause& m) { return m.sd_; }),
    };
  }

  [[nodiscard]] std::uint64_t agent_count() const override { return opinion_.size(); }
  [[nodiscard]] bool absorbed() const override { return frozen_; }

 private:
  void summarise() {
    clusters_ = mechanisms::opinion_clusters(opinion_, kClusterGap, 1);
    sd_ = mechanisms::population_sd(opinion_);
  }

  double epsilon_;
  std::vector<double> opinion_;  // sorted
  std::vector<double> next_;     // scratch
  std::vector<double> prefix_;   // scratch
  mechanisms::OpinionClusters clusters_;
  double sd_ = 0.0;
  bool frozen_ = false;
};

}  // namespace

sim::ModelDescription hk() {
  return describe<HegselmannKrause>(
      {"canonical/hk", "Hegselmann-Krause (2002) bounded-confidence opinion dynamics, synchronous update",
       "Hegselmann, R. & Krause, U. (2002). Opinion dynamics and bounded confidence: models, analysis "
       "and simulation. Journal of Artificial Societies and Social Simulation 5(3):2. "
       "https://www.jasss.org/5/3/2.html",
       200});
}

}  // namespace atc::models::canonical
