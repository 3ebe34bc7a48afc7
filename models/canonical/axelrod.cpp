// Axelrod (1997), "The dissemination of culture: a model with local
// convergence and global polarization", Journal of Conflict Resolution
// 41(2):203-226. Each site of a size x size grid (non-periodic, von Neumann
// neighbours) has a culture of `features` features, each one of `traits`
// traits, drawn uniformly. An event: pick a random site (the active one) and
// one of its neighbours at random; with probability equal to their cultural
// overlap (share of identical features) the active site copies the
// neighbour's trait on one feature, chosen at random among those on which they
// differ. One model step is size^2 events (one sweep), applied one after the
// other (sequential, single-threaded). The run is absorbed when no bond is
// active (every pair of neighbours is identical or totally different).
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "models/canonical/base.hpp"
#include "models/canonical/canonical.hpp"
#include "models/mechanisms/culture.hpp"
#include "sim/graph/generators.hpp"

namespace atc::models::canonical {

namespace {

using mechanisms::Trait;
using sim::Purpose;

struct AxelrodParams {
  sim::Param<std::int64_t> size{sim::ParamDecl::integer("size", 10)
                                    .at_least(2)
                                    .at_most(10000)
                                    .units("1")
                                    .describe("grid side: size x size sites")
                                    .cite("Axelrod 1997 (10 x 10)")};
  sim::Param<std::int64_t> features{sim::ParamDecl::integer("features", 5)
                                        .at_least(1)
                                        .at_most(255)
                                        .units("1")
                                        .describe("number of cultural features F")
                                        .cite("Axelrod 1997 (5, 10, 15)")};
  sim::Param<std::int64_t> traits{sim::ParamDecl::integer("traits", 10)
                                      .at_least(1)
                                      .at_most(65535)
                                      .units("1")
                                      .describe("number of traits q per feature")
                                      .cite("Axelrod 1997 (5, 10, 15)")};
  sim::Param<bool> periodic{sim::ParamDecl::boolean("periodic", false)
                                .describe("wrap the grid into a torus")
                                .cite("Axelrod 1997 (no wrap)")};
};

class Axelrod final : public Canonical<AxelrodParams> {
 public:
  explicit Axelrod(const sim::ModelInit& init)
      : Canonical(init), rng_key_(init.rng), features_(static_cast<std::uint32_t>(*prm_.features)) {
    const auto size = static_cast<std::size_t>(*prm_.size);
    const auto traits = static_cast<std::uint64_t>(*prm_.traits);
    graph_ = sim::lattice_2d(size, size, sim::Neighbourhood::VonNeumann, *prm_.periodic);
    const std::size_t n = graph_.node_count();
    culture_.resize(n * features_);
    sim::RandomStream rng(init.rng, 0, 0, Purpose("axelrod/culture"));
    for (auto& t : culture_) t = static_cast<Trait>(rng.below(traits));
    // Overlap of every bond, indexed like graph_.neighbours (both directions).
    overlap_.resize(graph_.neighbours.size());
    for (std::size_t i = 0; i < n; ++i) {
      const auto id = static_cast<sim::NodeId>(i);
      for (std::uint64_t k = graph_.offsets[i]; k < graph_.offsets[i + 1]; ++k) {
        const sim::NodeId j = graph_.neighbours[k];
        overlap_[k] = static_cast<std::uint8_t>(mechanisms::cultural_overlap(culture(id), culture(j)));
        if (j > id && mechanisms::active_bond(overlap_[k], features_)) ++active_bonds_;
      }
    }
    // Position of the reverse direction of each bond.
    reverse_.resize(graph_.neighbours.size());
    for (std::size_t i = 0; i < n; ++i) {
      for (std::uint64_t k = graph_.offsets[i]; k < graph_.offsets[i + 1]; ++k) {
        const sim::NodeId j = graph_.neighbours[k];
        const auto nb = graph_.neighbours_of(j);
        const auto pos = std::lower_bound(nb.begin(), nb.end(), static_cast<sim::NodeId>(i)) - nb.begin();
        reverse_[k] = graph_.offsets[j] + static_cast<std::uint64_t>(pos);
      }
    }
    label_.resize(n);
    queue_.resize(n);
  }

  void step(std::int64_t step, sim::Parallel) override {
    sim::RandomStream rng(rng_key_, static_cast<std::uint64_t>(step), 0, Purpose("axelrod/events"));
    const std::size_t n = graph_.node_count();
    std::uint64_t changes = 0;
    for (std::size_t e = 0; e < n && active_bonds_ > 0; ++e) {
      const auto i = static_cast<sim::NodeId>(rng.below(n));
      const std::uint32_t degree = graph_.degree(i);
      const std::uint64_t k = graph_.offsets[i] + rng.below(degree);
      const std::uint32_t o = overlap_[k];
      if (!mechanisms::active_bond(o, features_)) continue;
      // Interact with probability overlap / F.
      if (rng.below(features_) >= o) continue;
      const sim::NodeId j = graph_.neighbours[k];
      const std::size_t f = mechanisms::nth_difference(culture(i), culture(j), rng.below(features_ - o));
      adopt(i, f, culture_[static_cast<std::size_t>(j) * features_ + f]);
      ++changes;
    }
    changes_ = changes;
  }

  // Regions are counted only when observed.
  void prepare_observation(sim::Parallel) override { regions_ = regions(); }

  // Per cell of the size x size lattice: the graph (8-byte offsets, 4
  // neighbours of 4 bytes), an overlap byte and an 8-byte reverse index per
  // bond, F traits of 2 bytes, and scratch: (65 + 2 F) bytes, above the
  // 48 bytes building the lattice takes.
  static sim::MemoryEstimate memory(const AxelrodParams& p) {
    const double cells = static_cast<double>(*p.size) * static_cast<double>(*p.size);
    return {(65.0 + 2.0 * static_cast<double>(*p.features)) * cells, "model.size"};
  }

  static std::vector<sim::IndicatorDecl> indicators() {
    return {
        sim::indicator<Axelrod>(
            "n_regions", "1", "number of cultural regions",
            "Connected sets of neighbouring sites with identical culture (stable regions once absorbed)",
            [](const Axelrod& m) { return m.regions_.count; }),
        sim::indicator<Axelrod>("largest_region_share", "1", "share of sites in the largest region",
                                "Size of the largest region / size^2",
                                [](const Axelrod& m) {
                                  return static_cast<double>(m.regions_.largest) /
                                         static_cast<double>(m.graph_.node_count());
                                }),
        sim::indicator<Axelrod>("active_bonds", "1", "number of active bonds",
                                "Neighbour pairs that share some but not all features (0 = absorbed)",
                                [](const Axelrod& m) { return m.active_bonds_; }),
        sim::indicator<Axelrod>("changes", "1", "trait changes in this step",
                                "Events of this step that changed a trait",
                                [](const Axelrod& m) { return m.changes_; }),
    };
  }

  [[nodiscard]] std::uint64_t agent_count() const override { return graph_.node_count(); }
  [[nodiscard]] bool absorbed() const override { return active_bonds_ == 0; }

 private:
  [[nodiscard]] std::span<const Trait> culture(sim::NodeId i) const {
    return {culture_.data() + static_cast<std::size_t>(i) * features_, features_};
  }

  // Site i takes trait t on feature f; the overlaps of its bonds follow.
  void adopt(sim::NodeId i, std::size_t f, Trait t) {
    const std::size_t at = static_cast<std::size_t>(i) * features_ + f;
    const Trait old = culture_[at];
    culture_[at] = t;
    for (std::uint64_t k = graph_.offsets[i]; k < graph_.offsets[i + 1]; ++k) {
      const Trait theirs = culture_[static_cast<std::size_t>(graph_.neighbours[k]) * features_ + f];
      const int delta = (theirs == t ? 1 : 0) - (theirs == old ? 1 : 0);
      if (delta == 0) continue;
      const bool was_active = mechanisms::active_bond(overlap_[k], features_);
      overlap_[k] = static_cast<std::uint8_t>(overlap_[k] + delta);
      overlap_[reverse_[k]] = overlap_[k];
      const bool is_active = mechanisms::active_bond(overlap_[k], features_);
      if (was_active != is_active) {
        if (is_active) {
          ++active_bonds_;
        } else {
          --active_bonds_;
        }
      }
    }
  }

  struct Regions {
    std::uint64_t count = 0;
    std::uint64_t largest = 0;
  };

  // Stable regions: connected components of neighbours with identical culture.
  [[nodiscard]] Regions regions() const {
    Regions r;
    const std::size_t n = graph_.node_count();
    std::fill(label_.begin(), label_.end(), 0u);
    for (std::size_t s = 0; s < n; ++s) {
      if (label_[s] != 0) continue;
      ++r.count;
      std::size_t head = 0;
      std::size_t tail = 0;
      queue_[tail++] = static_cast<sim::NodeId>(s);
      label_[s] = 1;
      while (head < tail) {
        const sim::NodeId i = queue_[head++];
        for (std::uint64_t k = graph_.offsets[i]; k < graph_.offsets[i + 1]; ++k) {
          const sim::NodeId j = graph_.neighbours[k];
          if (label_[j] == 0 && overlap_[k] == features_) {
            label_[j] = 1;
            queue_[tail++] = j;
          }
        }
      }
      r.largest = std::max<std::uint64_t>(r.largest, tail);
    }
    return r;
  }

  sim::RngKey rng_key_;
  std::uint32_t features_;
  sim::CsrGraph graph_;
  std::vector<Trait> culture_;          // site-major: culture_[i * F + f]
  std::vector<std::uint8_t> overlap_;   // per directed bond
  std::vector<std::uint64_t> reverse_;  // index of the opposite direction
  std::uint64_t active_bonds_ = 0;      // undirected bonds with 0 < overlap < F
  std::uint64_t changes_ = 0;
  Regions regions_;                          // at the last observation
  mutable std::vector<std::uint8_t> label_;  // scratch for regions()
  mutable std::vector<sim::NodeId> queue_;   // scratch for regions()
};

}  // namespace

sim::ModelDescription axelrod() {
  return describe<Axelrod>(
      {"canonical/axelrod", "Axelrod (1997) dissemination of culture on a grid, run to absorption",
       "Axelrod, R. (1997). The dissemination of culture: a model with local convergence and global "
       "polarization. Journal of Conflict Resolution 41(2):203-226. doi:10.1177/0022002797041002001",
       100000});
}

}  // namespace atc::models::canonical
