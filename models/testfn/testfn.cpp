#include "models/testfn/testfn.hpp"

#include <fmt/format.h>
#include <cmath>
#include <memory>
#include <numbers>

namespace atc::models::testfn {

namespace {

using sim::ParamDecl;

// Evaluates f(params) once; the value is observed at every recorded step
// (0 before the step, f afterwards), so `at` the last step is the output.
class FunctionModel final : public sim::Model {
 public:
  explicit FunctionModel(double value) : value_(value) {}
  void step(std::int64_t, sim::Parallel) override { done_ = true; }
  void observe(sim::Observation& out) const override { out.set("y", done_ ? value_ : 0.0); }
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
  [[nodiscard]] bool absorbed() const override { return done_; }

 private:
  double value_;
  bool done_ = false;
};

sim::IndicatorDecl output() {
  return {"y", "1", "function value", "Value of the test function at the parameters", ""};
}

}  // namespace

sim::ModelDescription ishigami() {
  sim::ModelDescription d;
  d.name = "testfn/ishigami";
  d.summary = "Ishigami & Homma (1990) test function y = sin x1 + a sin^2 x2 + b x3^4 sin x1";
  d.citation =
      "Ishigami, T. & Homma, T. (1990). An importance quantification technique in uncertainty analysis "
      "for computer models. ISUMA '90, 398-403. Analytic indices: Sobol' & Levitan (1999).";
  d.default_steps = 1;
  const double pi = std::numbers::pi;
  d.params = {
      ParamDecl::real("x1", 0.0)
          .range(-pi, pi)
          .describe("input x1, uniform on [-pi, pi]")
          .cite("Ishigami & Homma 1990"),
      ParamDecl::real("x2", 0.0)
          .range(-pi, pi)
          .describe("input x2, uniform on [-pi, pi]")
          .cite("Ishigami & Homma 1990"),
      ParamDecl::real("x3", 0.0)
          .range(-pi, pi)
          .describe("input x3, uniform on [-pi, pi]")
          .cite("Ishigami & Homma 1990"),
      ParamDecl::real("a", 7.0).describe("coefficient a").cite("Ishigami & Homma 1990 (a = 7)"),
      ParamDecl::real("b", 0.1).describe("coefficient b").cite("Ishigami & Homma 1990 (b = 0.1)"),
  };
  d.indicators = {output()};
  d.create = [](const sim::ModelInit& init) {
    const auto& p = init.params;
    const double x1 = p.real("x1"), x2 = p.real("x2"), x3 = p.real("x3");
    const double y = std::sin(x1) + p.real("a") * std::sin(x2) * std::sin(x2) +
                     p.real("b") * std::pow(x3, 4) * std::sin(x1);
    return std::make_unique<FunctionModel>(y);
  };
  return d;
}

sim::ModelDescription sobol_g() {
  sim::ModelDescription d;
  d.name = "testfn/sobol_g";
  d.summary = "Sobol' g-function y = prod_i (|4 x_i - 2| + a_i) / (1 + a_i), 8 inputs on [0, 1]";
  d.citation =
      "Sobol', I. M. (1993/2001); Saltelli & Sobol' (1995). Analytic first-order index of input i: "
      "V_i / V with V_i = 1 / (3 (1 + a_i)^2), V = prod (1 + V_i) - 1.";
  d.default_steps = 1;
  for (int i = 1; i <= 8; ++i) {
    d.params.push_back(ParamDecl::real(fmt::format("x{}", i), 0.5)
                           .range(0, 1)
                           .describe(fmt::format("input x{}, uniform on [0, 1]", i))
                           .cite("Sobol' 1993"));
  }
  d.params.push_back(ParamDecl::real_list("a", {0, 1, 4.5, 9, 99, 99, 99, 99})
                         .at_least(0)
                         .describe("importance coefficients a_1..a_8 (small a = important input)")
                         .cite("Saltelli et al. 2008, Global Sensitivity Analysis: The Primer"));
  d.indicators = {output()};
  d.check = [](const sim::ParamSet& p) {
    std::vector<sim::ParamProblem> problems;
    if (p.real_list("a").size() != 8) problems.push_back({"a", "expected exactly 8 coefficients"});
    return problems;
  };
  d.create = [](const sim::ModelInit& init) {
    const auto& p = init.params;
    const auto& a = p.real_list("a");
    double y = 1.0;
    for (int i = 0; i < 8; ++i) {
      const double x = p.real(fmt::format("x{}", i + 1));
      y *=
          (std::abs(4.0 * x - 2.0) + a[static_cast<std::size_t>(i)]) / (1.0 + a[static_cast<std::size_t>(i)]);
    }
    return std::make_unique<FunctionModel>(y);
  };
  return d;
}

}  // namespace atc::models::testfn
