// Schelling (1971), "Dynamic models of segregation", Journal of Mathematical
// Sociology 1(2):143-186, with the semantics of the ABMFrameworksComparison
// benchmark (Agents.jl, Mesa, MASON...; see docs/models/schelling.md): a
// width x width grid, bounded as in the benchmark or a torus (`torus`), with
// `agents` agents in two equal groups on distinct random cells. Each step every
// agent, in a fresh random order, counts the occupied cells within Chebyshev
// distance `radius` around it; if it is unhappy (fewer than `min_happy`
// same-group neighbours, or a same-group share below `similar_wanted`) it moves
// to an empty cell chosen uniformly at random. Agents act one after the other
// on the current grid: sequential, single-threaded.
#include <fmt/format.h>

#include <memory>
#include <numeric>
#include <vector>

#include "models/canonical/base.hpp"
#include "models/canonical/canonical.hpp"
#include "models/mechanisms/lattice.hpp"

namespace atc::models::canonical {

namespace {

using sim::Purpose;

struct SchellingParams {
  sim::Param<std::int64_t> width{sim::ParamDecl::integer("width", 40)
                                     .at_least(3)
                                     .at_most(60000)
                                     .units("1")
                                     .describe("grid side: width x width cells")
                                     .cite("ABMFrameworksComparison (40 small, 100 large)")};
  sim::Param<bool> torus{
      sim::ParamDecl::boolean("torus", false)
          .describe(
              "wrap the grid around (a torus, as NetLogo's Segregation); false: bounded, as the benchmark")
          .cite("ABMFrameworksComparison (not periodic: Agents.jl GridSpaceSingle periodic = false, Mesa "
                "OrthogonalMooreGrid torus = false)")};
  sim::Param<std::int64_t> agents{
      sim::ParamDecl::integer("agents", 1000)
          .at_least(1)
          .units("1")
          .describe("number of agents, in two groups of equal size (agent k is in group k mod 2)")
          .cite("ABMFrameworksComparison (1000 small, 8000 large)")};
  sim::Param<std::int64_t> radius{sim::ParamDecl::integer("radius", 1)
                                      .at_least(1)
                                      .at_most(1000)
                                      .units("1")
                                      .describe("neighbourhood radius, Chebyshev distance: (2 radius + 1)^2 "
                                                "- 1 cells (fewer at the edges of a bounded grid)")
                                      .cite("ABMFrameworksComparison (1 small, 2 large)")};
  sim::Param<std::int64_t> min_happy{
      sim::ParamDecl::integer("min_happy", 3)
          .at_least(0)
          .units("1")
          .describe("an agent is happy with at least this many same-group neighbours (the default rule; give "
                    "either min_happy or similar_wanted)")
          .cite("ABMFrameworksComparison (3 small, 8 large)")};
  sim::Param<double> similar_wanted{
      sim::ParamDecl::real("similar_wanted", 0.3)
          .range(0, 1)
          .units("1")
          .describe("alternative rule: happy when at least this share of the occupied neighbour cells hold "
                    "the same group (no neighbours: happy)")
          .cite("NetLogo Segregation (%-similar-wanted = 30)")};
};

class Schelling final : public Canonical<SchellingParams> {
 public:
  explicit Schelling(const sim::ModelInit& init)
      : Canonical(init),
        rng_key_(init.rng),
        counts_(mechanisms::ChebyshevNeighbourhood(static_cast<std::uint32_t>(*prm_.width),
                                                   static_cast<std::uint32_t>(*prm_.radius), *prm_.torus)) {
    // The share rule applies when similar_wanted is given explicitly.
    if (init.params.was_set("similar_wanted")) {
      min_same_ = -1;
      wanted_ = prm_.similar_wanted;
    } else {
      min_same_ = prm_.min_happy;
    }
    const auto width = static_cast<std::size_t>(*prm_.width);
    const std::size_t cells = width * width;
    const auto agents = static_cast<std::size_t>(*prm_.agents);
    cell_of_.resize(agents);
    group_.resize(agents);
    // Random distinct cells: the first `agents` of a shuffled list of cells;
    // the rest are the empty cells. Agent a belongs to group a % 2.
    std::vector<std::uint32_t> order(cells);
    std::iota(order.begin(), order.end(), 0u);
    sim::RandomStream rng(init.rng, 0, 0, Purpose("schelling/placement"));
    for (std::size_t k = 0; k < agents; ++k) std::swap(order[k], order[k + rng.below(cells - k)]);
    constexpr std::uint8_t kEmpty = 255;
    std::vector<std::uint8_t> grid(cells, kEmpty);
    for (std::size_t a = 0; a < agents; ++a) {
      cell_of_[a] = order[a];
      group_[a] = static_cast<std::uint8_t>(a % 2);
      grid[order[a]] = group_[a];
    }
    counts_.assign(grid, kEmpty);
    empty_.assign(order.begin() + static_cast<std::ptrdiff_t>(agents), order.end());
    schedule_.resize(agents);
    std::iota(schedule_.begin(), schedule_.end(), 0u);
    all_happy_ = summary().happy_fraction == 1.0;
  }

  void step(std::int64_t step, sim::Parallel) override {
    sim::RandomStream rng(rng_key_, static_cast<std::uint64_t>(step), 0, Purpose("schelling/step"));
    rng.shuffle(std::span<std::uint32_t>(schedule_));
    // Without an empty cell nobody can move (the config check keeps one).
    moves_ = empty_.empty() ? 0 : min_same_ >= 0 ? sweep<true>(rng) : sweep<false>(rng);
    // Nobody moved during a whole step: everybody was happy at their turn and
    // nothing changed since, so everybody is happy and nothing will change.
    all_happy_ = moves_ == 0;
  }

  // The summary is computed only when observed.
  void prepare_observation(sim::Parallel) override { summary_ = summary(); }

  static std::vector<sim::IndicatorDecl> indicators() {
    return {
        sim::indicator<Schelling>(
            "percent_similar", "percent", "mean percentage of similar neighbours",
            "Mean over agents with neighbours of 100 x same-group neighbours / occupied neighbour cells",
            [](const Schelling& m) { return m.summary_.percent_similar; }),
        sim::indicator<Schelling>("happy_fraction", "1", "fraction of happy agents",
                                  "Share of agents satisfied with their neighbourhood",
                                  [](const Schelling& m) { return m.summary_.happy_fraction; }),
        sim::indicator<Schelling>("moved_fraction", "1", "fraction of agents that moved",
                                  "Agents that moved during this step / agents",
                                  [](const Schelling& m) {
                                    return static_cast<double>(m.moves_) /
                                           static_cast<double>(m.group_.size());
                                  }),
    };
  }

  [[nodiscard]] std::uint64_t agent_count() const override { return group_.size(); }
  // Nobody moved during a whole step: everybody is happy and nothing changes.
  [[nodiscard]] bool absorbed() const override { return all_happy_; }

 private:
  [[nodiscard]] mechanisms::NeighbourCount neighbours(std::uint32_t a) const {
    return counts_.around(cell_of_[a], group_[a]);
  }

  // The agents in the (shuffled) schedule, one after the other, each on the
  // current grid: the unhappy ones move. Returns the number of moves. The
  // rule is a template argument so that the loop tests no rule per agent.
  template <bool kCountRule>
  std::uint64_t sweep(sim::RandomStream& rng) {
    std::uint64_t moves = 0;
    for (const std::uint32_t a : schedule_) {
      const auto nb = neighbours(a);
      const bool happy = kCountRule ? static_cast<std::int64_t>(nb.same) >= min_same_
                                    : mechanisms::is_happy(nb, -1, wanted_);
      if (happy) continue;
      move(a, rng);
      ++moves;
    }
    return moves;
  }

  // Agent a moves to a uniformly random empty cell; its cell becomes empty.
  // Out of line: moves are rare next to happiness checks, and the inlined
  // random-number block would crowd the registers of the checking loop.
  [[gnu::noinline]] void move(std::uint32_t a, sim::RandomStream& rng) {
    const auto k = static_cast<std::size_t>(rng.below(empty_.size()));
    const std::uint32_t to = empty_[k];
    const std::uint32_t from = cell_of_[a];
    counts_.leave(from, group_[a]);
    counts_.arrive(to, group_[a]);
    cell_of_[a] = to;
    empty_[k] = from;
  }

  struct Summary {
    double percent_similar = 0.0;
    double happy_fraction = 1.0;
  };

  // percent_similar: mean over agents with at least one neighbour of the share
  // of their neighbours in their own group, x 100. Computed when observed only.
  [[nodiscard]] Summary summary() const {
    double share_sum = 0.0;
    std::uint64_t with_neighbours = 0;
    std::uint64_t happy_count = 0;
    for (std::uint32_t a = 0; a < group_.size(); ++a) {
      const auto nb = neighbours(a);
      if (nb.total > 0) {
        share_sum += static_cast<double>(nb.same) / static_cast<double>(nb.total);
        ++with_neighbours;
      }
      happy_count += mechanisms::is_happy(nb, min_same_, wanted_) ? 1 : 0;
    }
    Summary s;
    if (with_neighbours > 0) s.percent_similar = 100.0 * share_sum / static_cast<double>(with_neighbours);
    if (!group_.empty())
      s.happy_fraction = static_cast<double>(happy_count) / static_cast<double>(group_.size());
    return s;
  }

  sim::RngKey rng_key_;
  // Per cell, its neighbours of each group: kept up to date on each move, so
  // that being happy is read in O(1) instead of counted over the ball.
  mechanisms::TwoGroupNeighbourCounts counts_;
  std::int64_t min_same_ = -1;  // >= 0: count rule; -1: share rule
  double wanted_ = 0.0;
  std::vector<std::uint32_t> cell_of_;   // per agent
  std::vector<std::uint8_t> group_;      // per agent
  std::vector<std::uint32_t> empty_;     // empty cells
  std::vector<std::uint32_t> schedule_;  // activation order (scratch)
  std::uint64_t moves_ = 0;
  bool all_happy_ = false;
  Summary summary_;  // at the last observation
};

}  // namespace

sim::ModelDescription schelling() {
  return describe<Schelling>(
      {"canonical/schelling",
       "Schelling (1971) segregation, ABMFrameworksComparison benchmark semantics (bounded or torus)",
       "Schelling, T. C. (1971). Dynamic models of segregation. Journal of Mathematical Sociology "
       "1(2):143-186. doi:10.1080/0022250X.1971.9989794. Benchmark semantics: "
       "https://github.com/JuliaDynamics/ABMFrameworksComparison",
       20},
      [](const sim::ParamSet& p) {
        std::vector<sim::ParamProblem> problems;
        const std::int64_t width = p.integer("width");
        const std::int64_t radius = p.integer("radius");
        if (p.boolean("torus") && 2 * radius + 1 > width) {
          problems.push_back(
              {"radius",
               fmt::format("expected at most (width - 1) / 2 = {} on a torus so that no cell is its "
                           "own neighbour, got {}",
                           (width - 1) / 2, radius)});
        }
        const std::int64_t cells = width * width;
        if (p.integer("agents") > cells - 1) {
          problems.push_back(
              {"agents", fmt::format("expected at most width^2 - 1 = {} agents (one cell at least must "
                                     "stay empty for moves), got {}",
                                     cells - 1, p.integer("agents"))});
        }
        if (p.was_set("min_happy") && p.was_set("similar_wanted")) {
          problems.push_back(
              {"similar_wanted", "give either min_happy (a count) or similar_wanted (a share), not both"});
        }
        const std::int64_t hood = (2 * radius + 1) * (2 * radius + 1) - 1;
        if (!p.was_set("similar_wanted") && p.integer("min_happy") > hood) {
          problems.push_back(
              {"min_happy", fmt::format("expected at most {} (the neighbourhood size for radius {}), got {}",
                                        hood, radius, p.integer("min_happy"))});
        }
        return problems;
      });
}

}  // namespace atc::models::canonical
