#include "sim/model/registry.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

bool InterventionSpec::applies_to(std::string_view site_id) const {
  if (sites.empty()) return true;
  for (const auto& s : sites) {
    if (s == site_id) return true;
  }
  return false;
}

double SiteSpec::number(std::string_view field) const {
  if (field.empty() || fields.size() == 0) return std::nan("");
  for (std::size_t i = 0; i < fields.decls().size(); ++i) {
    if (fields.decls()[i].name != field) continue;
    const auto& v = fields.value(i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  }
  return std::nan("");
}

const IndicatorDecl* ModelDescription::find_indicator(std::string_view n) const {
  for (const auto& i : indicators) {
    if (i.name == n) return &i;
  }
  return nullptr;
}
std::size_t ModelDescription::extent(const IndicatorDecl& indicator) const {
  if (indicator.extra_dimension.empty()) return 1;
  const auto* dim = find_dimension(indicator.extra_dimension);
  return dim == nullptr ? 1 : dim->labels.size();
}

std::vector<std::vector<double>> read_indicators(const ModelDescription& description, Model& model,
                                                 Parallel parallel) {
  model.prepare_observation(parallel);
  std::vector<std::vector<double>> out;
  out.reserve(description.indicators.size());
  for (const auto& ind : description.indicators) {
    auto& values = out.emplace_back(description.extent(ind), std::nan(""));
    ind.read(model, values);
  }
  return out;
}

namespace detail {
void wrong_model_type(const std::string& indicator) {
  throw ModelError(fmt::format("indicator '{}' is read from a model of another type", indicator));
}
}  // namespace detail

const DimensionDecl* ModelDescription::find_dimension(std::string_view n) const {
  for (const auto& d : dimensions) {
    if (d.name == n) return &d;
  }
  return nullptr;
}
const InterventionDecl* ModelDescription::find_intervention(std::string_view kind) const {
  for (const auto& i : interventions) {
    if (i.kind == kind) return &i;
  }
  return nullptr;
}

namespace {
void require_unique(const std::string& model, const std::string& what,
                    const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (!seen.insert(n).second) {
      throw Error(fmt::format("model '{}' declares {} '{}' twice", model, what, n));
    }
  }
}

// The schema must name a numeric site field and say how to match overrides.
void check_site_schema(const ModelDescription& d) {
  const auto& schema = d.site_schema;
  if (!schema.population_field.empty()) {
    const auto it = std::find_if(d.site_fields.begin(), d.site_fields.end(),
                                 [&](const ParamDecl& f) { return f.name == schema.population_field; });
    if (it == d.site_fields.end() || (it->type != ParamType::Real && it->type != ParamType::Integer)) {
      throw Error(fmt::format("model '{}': site_schema.population_field '{}' is not a numeric site field",
                              d.name, schema.population_field));
    }
  }
  if (schema.code_columns.empty() || schema.code_system.empty() || schema.override_provenance.empty()) {
    throw Error(fmt::format("model '{}': site_schema needs code_columns, code_system and override_provenance",
                            d.name));
  }
}
}  // namespace

void ModelRegistry::add(ModelDescription description) {
  const std::string name = description.name;
  if (models_.count(name) != 0) throw Error(fmt::format("model '{}' is registered twice", name));
  if (!description.create) throw Error(fmt::format("model '{}' has no factory", name));
  std::vector<std::string> names;
  for (const auto& p : description.params) {
    names.push_back(p.name);
    if (!p.check(p.default_value).empty()) {
      throw Error(fmt::format("model '{}': default of '{}' violates its own range", name, p.name));
    }
  }
  require_unique(name, "parameter", names);
  names.clear();
  for (const auto& i : description.indicators) {
    names.push_back(i.name);
    if (!i.read) throw Error(fmt::format("model '{}': indicator '{}' has no read function", name, i.name));
    if (!i.extra_dimension.empty() && description.find_dimension(i.extra_dimension) == nullptr) {
      throw Error(fmt::format("model '{}': indicator '{}' uses undeclared dimension '{}'", name, i.name,
                              i.extra_dimension));
    }
  }
  require_unique(name, "indicator", names);
  check_site_schema(description);
  models_.emplace(name, std::move(description));
}

const ModelDescription* ModelRegistry::find(const std::string& name) const {
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : &it->second;
}

const ModelDescription& ModelRegistry::get(const std::string& name) const {
  if (const auto* d = find(name)) return *d;
  const auto known = names();
  throw ConfigError(fmt::format("unknown model '{}'{}; known models: {}", name, did_you_mean(name, known),
                                join(known, ", ")));
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, d] : models_) out.push_back(n);
  return out;
}

}  // namespace atc::sim
