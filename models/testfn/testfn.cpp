#include "models/testfn/testfn.hpp"

#include <fmt/format.h>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

#include "sim/config/declared.hpp"

namespace atc::models::testfn {

namespace {

using sim::Param;
using sim::ParamDecl;

// Evaluates f(params) once; the value is observed at every recorded step
// (0 before the step, f afterwards), so `at` the last step is the output.
class FunctionModel final : public sim::Model {
 public:
  explicit FunctionModel(double value) : value_(value) {}
  void step(std::int64_t, sim::Parallel) override { done_ = true; }
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
  [[nodiscard]] bool absorbed() const override { return done_; }

  static sim::IndicatorDecl output() {
    return sim::indicator<FunctionModel>("y", "1", "function value",
                                         "Value of the test function at the parameters",
                                         [](const FunctionModel& m) { return m.done_ ? m.value_ : 0.0; });
  }

 private:
  double value_;
  bool done_ = false;
};

constexpr double kPi = std::numbers::pi;

ParamDecl ishigami_input(const char* name) {
  return ParamDecl::real(name, 0.0)
      .range(-kPi, kPi)
      .describe(fmt::format("input {}, uniform on [-pi, pi]", name))
      .cite("Ishigami & Homma 1990");
}

struct IshigamiParams {
  Param<double> x1{ishigami_input("x1")};
  Param<double> x2{ishigami_input("x2")};
  Param<double> x3{ishigami_input("x3")};
  Param<double> a{ParamDecl::real("a", 7.0).describe("coefficient a").cite("Ishigami & Homma 1990 (a = 7)")};
  Param<double> b{
      ParamDecl::real("b", 0.1).describe("coefficient b").cite("Ishigami & Homma 1990 (b = 0.1)")};
};

ParamDecl g_input(int i) {
  return ParamDecl::real(fmt::format("x{}", i), 0.5)
      .range(0, 1)
      .describe(fmt::format("input x{}, uniform on [0, 1]", i))
      .cite("Sobol' 1993");
}

struct SobolGParams {
  std::array<Param<double>, 8> x{g_input(1), g_input(2), g_input(3), g_input(4),
                                 g_input(5), g_input(6), g_input(7), g_input(8)};
  Param<std::array<double, 8>> a{ParamDecl::real_list("a", {0, 1, 4.5, 9, 99, 99, 99, 99})
                                     .at_least(0)
                                     .describe("importance coefficients a_1..a_8 (small a = important input)")
                                     .cite("Saltelli et al. 2008, Global Sensitivity Analysis: The Primer")};
};

}  // namespace

sim::ModelDescription ishigami() {
  sim::ModelDescription d;
  d.name = "testfn/ishigami";
  d.summary = "Ishigami & Homma (1990) test function y = sin x1 + a sin^2 x2 + b x3^4 sin x1";
  d.citation =
      "Ishigami, T. & Homma, T. (1990). An importance quantification technique in uncertainty analysis "
      "for computer models. ISUMA '90, 398-403. Analytic indices: Sobol' & Levitan (1999).";
  d.default_steps = 1;
  d.params = sim::declarations<IshigamiParams>();
  d.indicators = {FunctionModel::output()};
  d.create = [](const sim::ModelInit& init) {
    const auto p = sim::bind<IshigamiParams>(init.params);
    const double y =
        std::sin(p.x1) + p.a * std::sin(p.x2) * std::sin(p.x2) + p.b * std::pow(p.x3, 4) * std::sin(p.x1);
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
  d.params = sim::declarations<SobolGParams>();
  d.indicators = {FunctionModel::output()};
  d.create = [](const sim::ModelInit& init) {
    const auto p = sim::bind<SobolGParams>(init.params);
    double y = 1.0;
    for (std::size_t i = 0; i < 8; ++i) y *= (std::abs(4.0 * p.x[i] - 2.0) + p.a[i]) / (1.0 + p.a[i]);
    return std::make_unique<FunctionModel>(y);
  };
  return d;
}

}  // namespace atc::models::testfn
