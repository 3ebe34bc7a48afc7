#include "models/registry.hpp"

#include "models/canonical/canonical.hpp"

namespace atc::models {

const sim::ModelRegistry& registry() {
  static const sim::ModelRegistry instance = [] {
    sim::ModelRegistry r;
    // Published reference models (validation; see docs/models/).
    r.add(canonical::watts());
    return r;
  }();
  return instance;
}

}  // namespace atc::models
