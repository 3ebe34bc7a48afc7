#pragma once
// What every canonical model shares, so that a new one is its update rule,
// its declarations and a registry line:
//
//   struct Params { sim::Param<double> phi{sim::ParamDecl::real("phi", 0.18).range(0, 1)...}; };
//   class Watts final : public Canonical<Params> {
//    public:
//     explicit Watts(const sim::ModelInit& init);  // prm_ holds the bound parameters
//     void step(std::int64_t step, sim::Parallel parallel) override;
//     static std::vector<sim::IndicatorDecl> indicators();  // each with what reads it
//     ...
//   };
//   sim::ModelDescription watts() { return describe<Watts>({"canonical/watts", summary, citation, 200}); }
#include <memory>
#include <string>
#include <utility>

#include "sim/config/declared.hpp"
#include "sim/model/model.hpp"

namespace atc::models::canonical {

template <class P>
class Canonical : public sim::Model {
 public:
  using Params = P;

 protected:
  explicit Canonical(const sim::ModelInit& init) : prm_(sim::bind<P>(init.params)) {}
  const P prm_;
};

struct Identity {
  std::string name;      // registry key
  std::string summary;   // one line
  std::string citation;  // the paper the model reproduces
  std::int64_t default_steps = 100;
};

// The description of model M: its parameters (from M::Params), its
// indicators (M::indicators()), an optional cross-parameter check, a factory.
template <class M>
sim::ModelDescription describe(Identity id, sim::ParamCheck check = {}) {
  sim::ModelDescription d;
  d.name = std::move(id.name);
  d.summary = std::move(id.summary);
  d.citation = std::move(id.citation);
  d.default_steps = id.default_steps;
  d.params = sim::declarations<typename M::Params>();
  d.indicators = M::indicators();
  d.check = std::move(check);
  d.create = [](const sim::ModelInit& init) { return std::make_unique<M>(init); };
  // A model that can grow large says how much memory a site needs:
  //   static sim::MemoryEstimate memory(const Params& p);
  if constexpr (requires(const typename M::Params& p) { M::memory(p); }) {
    d.estimate_memory = [](const sim::ParamSet& values, const sim::SiteSpec&) {
      return M::memory(sim::bind<typename M::Params>(values));
    };
  }
  return d;
}

}  // namespace atc::models::canonical
