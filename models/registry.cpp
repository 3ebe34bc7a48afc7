#include "models/registry.hpp"

#include "models/canonical/canonical.hpp"
#include "models/territorial/territorial.hpp"
#include "models/testfn/testfn.hpp"

namespace atc::models {

const sim::ModelRegistry& registry() {
  static const sim::ModelRegistry instance = [] {
    sim::ModelRegistry r;
    // Published reference models (validation; see docs/models/).
    r.add(canonical::watts());
    r.add(canonical::granovetter());
    r.add(canonical::deffuant());
    r.add(canonical::hk());
    r.add(canonical::nowak_may());
    r.add(canonical::axelrod());
    r.add(canonical::schelling());
    // The territorial cooperation model (docs/ODD.md).
    r.add(territorial::territorial());
    // Analytic test functions for validating sensitivity analysis.
    r.add(testfn::ishigami());
    r.add(testfn::sobol_g());
    return r;
  }();
  return instance;
}

}  // namespace atc::models
