// Granovetter (1978), "Threshold models of collective behavior", American
// Journal of Sociology 83(6):1420-1443. Each of n people has a threshold: the
// number of others who must already act before he or she acts. Everybody sees
// everybody (no network). Iterations are synchronous: in step t+1 every
// inactive person whose threshold is at most the number A(t) of people active
// after step t becomes active; nobody stops. Since the rule only depends on
// A(t), the cascade is the iteration A(t+1) = #{i : threshold_i <= A(t)}.
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "models/canonical/base.hpp"
#include "models/canonical/canonical.hpp"

namespace atc::models::canonical {

namespace {

using sim::Purpose;

bool list_mode(const sim::ParamSet& p) {
  return !p.real_list("thresholds").empty();
}

struct GranovetterParams {
  sim::Param<std::int64_t> n{
      sim::ParamDecl::integer("n", 100)
          .at_least(1)
          .at_most(2e9)
          .units("1")
          .describe("number of people (with `thresholds`: leave out, or equal to the list length)")
          .cite("Granovetter 1978 (N = 100)")};
  sim::Param<std::string> distribution{
      sim::ParamDecl::string("distribution", "normal", {"normal", "list"})
          .describe("where thresholds come from: \"normal\" draws (mean, sd), or \"list\" (the explicit "
                    "`thresholds`; implied when `thresholds` is given)")
          .cite("Granovetter 1978 (Fig. 2: normal thresholds)")};
  sim::Param<std::vector<double>> thresholds{
      sim::ParamDecl::real_list("thresholds", {})
          .at_least(0)
          .units("1")
          .describe("explicit thresholds, one per person, in PEOPLE: how many others must act first (e.g. "
                    "[0, 1, 2, ..., 99]); sets n to the list length")
          .cite("Granovetter 1978 (the 0..99 riot example)")};
  sim::Param<double> mean{
      sim::ParamDecl::real("mean", 0.25)
          .units("1")
          .describe("mean of the normal thresholds, as a fraction of n (unused with distribution = \"list\")")
          .cite("Granovetter 1978 (mean 25 of N = 100)")};
  sim::Param<double> sd{
      sim::ParamDecl::real("sd", 0.12)
          .at_least(0)
          .units("1")
          .describe(
              "standard deviation of the normal thresholds, as a fraction of n (negative draws act at once)")
          .cite("Granovetter 1978 (Fig. 2: jump at sd ~ 12.2 of 100)")};
};

class Granovetter final : public Canonical<GranovetterParams> {
 public:
  explicit Granovetter(const sim::ModelInit& init) : Canonical(init) {
    const auto& p = init.params;
    if (list_mode(p)) {
      thresholds_ = p.real_list("thresholds");
    } else {
      // Normal thresholds, given as fractions of the population and stored in
      // people: theta_i = n * (mean + sd * Z_i). Negative draws act at once.
      const auto n = static_cast<std::size_t>(p.integer("n"));
      const double mean = p.real("mean");
      const double sd = p.real("sd");
      thresholds_.resize(n);
      init.parallel.for_each(n, [&](std::size_t i) {
        sim::RandomStream rng(init.rng, 0, i, Purpose("granovetter/threshold"));
        thresholds_[i] = static_cast<double>(n) * rng.normal(mean, sd);
      });
    }
    active_.assign(thresholds_.size(), 0);
  }

  // Thresholds (8 bytes) and states (1 byte) per person; with a list of
  // thresholds, the list itself.
  static sim::MemoryEstimate memory(const GranovetterParams& p) {
    const double n =
        (*p.thresholds).empty() ? static_cast<double>(*p.n) : static_cast<double>((*p.thresholds).size());
    return {9.0 * n, (*p.thresholds).empty() ? "model.n" : "the length of model.thresholds"};
  }

  void step(std::int64_t, sim::Parallel parallel) override {
    // Synchronous: everyone compares with the count after the previous step.
    const auto before = static_cast<double>(active_count_);
    const std::uint64_t newly =
        parallel.reduce<std::uint64_t>(active_.size(), [&](std::size_t b, std::size_t e) {
          std::uint64_t turned_on = 0;
          for (std::size_t i = b; i < e; ++i) {
            if (active_[i] == 0 && thresholds_[i] <= before) {
              active_[i] = 1;
              ++turned_on;
            }
          }
          return turned_on;
        });
    active_count_ += newly;
    last_new_ = newly;
    stepped_ = true;
  }

  static std::vector<sim::IndicatorDecl> indicators() {
    return {
        sim::indicator<Granovetter>("active_fraction", "1", "fraction of people acting",
                                    "Share of the n people who act after this step",
                                    [](const Granovetter& m) {
                                      return static_cast<double>(m.active_count_) /
                                             static_cast<double>(m.active_.size());
                                    }),
        sim::indicator<Granovetter>("active_count", "1", "number of people acting",
                                    "People who act after this step",
                                    [](const Granovetter& m) { return m.active_count_; }),
        sim::indicator<Granovetter>("new_active", "1", "people who started acting in this step",
                                    "Newly active people", [](const Granovetter& m) { return m.last_new_; }),
    };
  }

  [[nodiscard]] std::uint64_t agent_count() const override { return active_.size(); }
  // Monotone: a step that activates nobody is a fixed point.
  [[nodiscard]] bool absorbed() const override { return stepped_ && last_new_ == 0; }

 private:
  std::vector<double> thresholds_;  // in people
  std::vector<std::uint8_t> active_;
  std::uint64_t active_count_ = 0;
  std::uint64_t last_new_ = 0;
  bool stepped_ = false;
};

}  // namespace

sim::ModelDescription granovetter() {
  return describe<Granovetter>(
      {"canonical/granovetter",
       "Granovetter (1978) threshold model of collective behaviour (everyone sees everyone)",
       "Granovetter, M. (1978). Threshold models of collective behavior. American Journal of "
       "Sociology 83(6):1420-1443. doi:10.1086/226707",
       1000},
      [](const sim::ParamSet& p) {
        std::vector<sim::ParamProblem> problems;
        const auto& list = p.real_list("thresholds");
        if (!list.empty()) {
          if (p.was_set("distribution") && p.string("distribution") != "list") {
            problems.push_back({"distribution",
                                "explicit `thresholds` are given: set distribution = \"list\" or "
                                "leave it out (or remove thresholds, e.g. thresholds = [])"});
          }
          if (p.was_set("n") && p.integer("n") != static_cast<std::int64_t>(list.size())) {
            problems.push_back(
                {"n", fmt::format("expected n = {} (the number of thresholds) or no n at all, got {}",
                                  list.size(), p.integer("n"))});
          }
          // With distribution = "list" given explicitly, mean and sd are unused
          // (so that a scenario can switch a normal base config to a list).
          if (!p.was_set("distribution")) {
            for (const char* key : {"mean", "sd"}) {
              if (p.was_set(key)) {
                problems.push_back(
                    {key,
                     "applies to distribution = \"normal\" only, but explicit `thresholds` are "
                     "given (set distribution = \"list\" to ignore it)"});
              }
            }
          }
        } else if (p.string("distribution") == "list") {
          problems.push_back({"thresholds", "distribution = \"list\" needs a non-empty list of thresholds"});
        }
        return problems;
      });
}

}  // namespace atc::models::canonical
