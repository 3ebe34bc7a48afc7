// Deffuant, Neau, Amblard & Weisbuch (2000), "Mixing beliefs among interacting
// agents", Advances in Complex Systems 3:87-98. n agents with opinions drawn
// uniformly in [0, 1]; at each event two distinct agents are picked at random
// (complete mixing); if their opinions differ by less than the confidence bound
// d, each moves towards the other by a share mu of the difference. One model
// step is n events (every agent takes part in two events on average), applied
// one after the other: the model is sequential and runs single-threaded.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <vector>

#include "models/canonical/base.hpp"
#include "models/canonical/canonical.hpp"
#include "models/mechanisms/bounded_confidence.hpp"
#include "models/mechanisms/opinion_clusters.hpp"

namespace atc::models::canonical {

namespace {

using sim::Purpose;

struct DeffuantParams {
  sim::Param<std::int64_t> n{sim::ParamDecl::integer("n", 1000)
                                 .at_least(2)
                                 .at_most(2e9)
                                 .units("1")
                                 .describe("number of agents")
                                 .cite("Deffuant et al. 2000 (N = 1000)")};
  sim::Param<double> d{
      sim::ParamDecl::real("d", 0.2)
          .above(0)
          .at_most(1)
          .units("1")
          .describe("confidence bound: two agents interact when their opinions differ by less than d")
          .cite("Deffuant et al. 2000")};
  sim::Param<double> mu{sim::ParamDecl::real("mu", 0.5)
                            .above(0)
                            .at_most(0.5)
                            .units("1")
                            .describe("convergence parameter: each moves by mu times the difference")
                            .cite("Deffuant et al. 2000 (0 < mu <= 0.5)")};
  sim::Param<double> cluster_min_share{
      sim::ParamDecl::real("cluster_min_share", 0.05)
          .range(0, 1)
          .units("1")
          .describe(
              "a cluster counts in n_clusters (is 'major') when it holds at least this share of the agents")};
  sim::Param<double> cluster_gap{sim::ParamDecl::real("cluster_gap", 0.001)
                                     .above(0)
                                     .at_most(1)
                                     .units("1")
                                     .describe("sorted opinions are cut into clusters wherever two "
                                               "consecutive opinions are more than this apart")};
};

class Deffuant final : public Canonical<DeffuantParams> {
 public:
  explicit Deffuant(const sim::ModelInit& init)
      : Canonical(init), rng_key_(init.rng), d_(*prm_.d), mu_(*prm_.mu), gap_(*prm_.cluster_gap) {
    const auto n = static_cast<std::size_t>(*prm_.n);
    const double share = *prm_.cluster_min_share;
    min_size_ =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(share * static_cast<double>(n) - 1e-9)));
    opinion_.resize(n);
    sim::RandomStream rng(init.rng, 0, 0, Purpose("deffuant/opinion"));
    for (auto& x : opinion_) x = rng.uniform();
    sorted_.resize(n);
    summarise();
  }

  // The opinions and their sorted copy: 16 bytes per agent.
  static sim::MemoryEstimate memory(const DeffuantParams& p) {
    return {16.0 * static_cast<double>(*p.n), "model.n"};
  }

  void step(std::int64_t step, sim::Parallel) override {
    // Sequential by nature: one stream per step, consumed event after event.
    sim::RandomStream rng(rng_key_, static_cast<std::uint64_t>(step), 0, Purpose("deffuant/pairs"));
    const std::size_t n = opinion_.size();
    std::uint64_t interactions = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = rng.below(n);
      std::size_t j = rng.below(n - 1);
      if (j >= i) ++j;
      interactions += mechanisms::deffuant_pair_update(std::span<double>(&opinion_[i], 1),
                                                       std::span<double>(&opinion_[j], 1), d_, mu_)
                          ? 1
                          : 0;
    }
    interactions_ = interactions;
    summarise();
  }

  static std::vector<sim::IndicatorDecl> indicators() {
    return {
        sim::indicator<Deffuant>(
            "n_clusters", "1", "number of major opinion clusters",
            "Clusters holding at least cluster_min_share of the agents (cut at gaps > cluster_gap)",
            [](const Deffuant& m) { return m.clusters_.major; }),
        sim::indicator<Deffuant>("n_clusters_all", "1", "number of opinion clusters",
                                 "All clusters, including minor ones and isolated agents",
                                 [](const Deffuant& m) { return m.clusters_.count; }),
        sim::indicator<Deffuant>("largest_cluster_share", "1", "share of agents in the largest cluster",
                                 "Size of the largest cluster / n",
                                 [](const Deffuant& m) {
                                   return static_cast<double>(m.clusters_.largest) /
                                          static_cast<double>(m.opinion_.size());
                                 }),
        sim::indicator<Deffuant>("opinion_sd", "1", "standard deviation of opinions",
                                 "Population standard deviation of the opinions",
                                 [](const Deffuant& m) { return m.sd_; }),
        sim::indicator<Deffuant>("interaction_fraction", "1", "encounters that changed opinions",
                                 "Share of this step's n encounters whose opinions were closer than d",
                                 [](const Deffuant& m) {
                                   return static_cast<double>(m.interactions_) /
                                          static_cast<double>(m.opinion_.size());
                                 }),
    };
  }

  [[nodiscard]] std::uint64_t agent_count() const override { return opinion_.size(); }

  // Final partition: clusters are narrower than cluster_gap and at least d
  // apart, so no two clusters can ever interact again and no cluster can split
  // (interactions never widen a cluster's range).
  [[nodiscard]] bool absorbed() const override {
    return clusters_.max_span <= gap_ && clusters_.min_separation >= d_;
  }

 private:
  void summarise() {
    std::copy(opinion_.begin(), opinion_.end(), sorted_.begin());
    std::sort(sorted_.begin(), sorted_.end());
    clusters_ = mechanisms::opinion_clusters(sorted_, gap_, min_size_);
    sd_ = mechanisms::population_sd(sorted_);
  }

  sim::RngKey rng_key_;
  double d_;
  double mu_;
  double gap_;
  std::size_t min_size_ = 1;
  std::vector<double> opinion_;
  std::vector<double> sorted_;  // scratch
  mechanisms::OpinionClusters clusters_;
  double sd_ = 0.0;
  std::uint64_t interactions_ = 0;
};

}  // namespace

sim::ModelDescription deffuant() {
  return describe<Deffuant>(
      {"canonical/deffuant",
       "Deffuant et al. (2000) bounded-confidence opinion dynamics with random pairwise encounters",
       "Deffuant, G., Neau, D., Amblard, F. & Weisbuch, G. (2000). Mixing beliefs among interacting "
       "agents. Advances in Complex Systems 3(1-4):87-98. doi:10.1142/S0219525900000078",
       1000});
}

}  // namespace atc::models::canonical
