// The plausibility envelope of the territorial model's outputs: the level
// bounds of docs/data/envelope.toml (compiled in) attached to the indicators
// they bound, so that `atcsim run` warns, naming the indicator and the site,
// when an output leaves them. Bounds on effects (contrast = true), ratios,
// parameters and drifts are checked by the report and the tests instead.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>

#include "models/territorial/model.hpp"
#include "sim/core/error.hpp"

namespace atc::models::territorial {

extern const char* const kEnvelopeToml;

namespace {

using Basis = sim::PlausibleRange::Basis;

// The engine's statistic for a basis of the envelope file, or false when the
// bound is not a level the engine checks.
bool engine_basis(const std::string& basis, Basis& out, std::string& unit) {
  if (basis == "share" || basis == "per_site") {
    out = Basis::Value;
    unit = basis == "share" ? "(share)" : "per site";
  } else if (basis == "per_forum") {
    out = Basis::PerEvent;
    unit = "per forum";
  } else if (basis == "per_1000_residents") {
    out = Basis::Per1000;
    unit = "per 1,000 residents";
  } else if (basis == "per_1000_residents_per_year") {
    out = Basis::Per1000PerYear;
    unit = "per 1,000 residents per year";
  } else {
    return false;
  }
  return true;
}

}  // namespace

const toml::table& envelope_table() {
  static const toml::table table = [] {
    try {
      return toml::parse(std::string_view(kEnvelopeToml), std::string_view("docs/data/envelope.toml"));
    } catch (const toml::parse_error& e) {
      throw ModelError(fmt::format("docs/data/envelope.toml: {}", e.description()));
    }
  }();
  return table;
}

void attach_envelope(std::vector<sim::IndicatorDecl>& indicators,
                     const std::vector<sim::DimensionDecl>& dims) {
  for (const auto& [key, node] : envelope_table()) {
    const auto* t = node.as_table();
    if (t == nullptr || t->contains("contrast")) continue;
    const std::string name = t->get("indicator") ? t->get("indicator")->value_or(std::string()) : "";
    const auto it = std::find_if(indicators.begin(), indicators.end(),
                                 [&](const sim::IndicatorDecl& d) { return d.name == name; });
    if (it == indicators.end()) continue;
    sim::PlausibleRange r;
    std::string unit;
    if (!engine_basis((*t)["basis"].value_or(std::string()), r.basis, unit)) continue;
    r.table = std::string(key.str());
    r.min = (*t)["min"].value_or(0.0);
    r.max = (*t)["max"].value_or(0.0);
    r.status = (*t)["status"].value_or(std::string("assumption"));
    r.unit = unit.empty() ? it->units : unit;
    if (const auto* range = (*t)["population_range"].as_array(); range != nullptr && range->size() == 2) {
      r.population_min = (*range)[0].value_or(0.0);
      r.population_max = (*range)[1].value_or(1e300);
    }
    if (const auto label = (*t)["label"].value<std::string>()) {
      for (const auto& d : dims) {
        if (d.name != it->extra_dimension) continue;
        const auto pos = std::find(d.labels.begin(), d.labels.end(), *label);
        if (pos == d.labels.end()) {
          throw ModelError(fmt::format("docs/data/envelope.toml: [{}] label '{}' is not a label of {}",
                                       r.table, *label, d.name));
        }
        r.label = static_cast<int>(pos - d.labels.begin());
      }
    }
    it->plausible.push_back(std::move(r));
  }
}

}  // namespace atc::models::territorial
