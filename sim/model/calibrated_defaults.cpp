#include "sim/model/calibrated_defaults.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>

#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

namespace {

constexpr const char* kFormat = "atcsim-calibrated-defaults/1";

double required_number(TableReader& r, const char* key) {
  const toml::node* n = r.get(key);
  if (n == nullptr || !n->is_number()) r.expected(key, "a number");
  return *n->value<double>();
}

}  // namespace

void apply_calibrated_defaults(std::vector<ParamDecl>& params, std::string_view toml_text,
                               const std::string& origin) {
  if (toml_text.empty()) return;
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: syntax error: {}", origin, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  TableReader r(root, "", origin);
  if (r.string("format").value_or("") != kFormat) r.expected("format", fmt::format("\"{}\"", kFormat));
  const auto targets = r.string("targets");
  if (!targets || targets->empty()) r.expected("targets", "the calibration's targets file");
  const auto date = r.date("date");
  if (!date) r.expected("date", "the date of the calibration (YYYY-MM-DD)");
  (void)r.string("posterior");  // where the posterior file was (informative)
  (void)r.string("notes");
  const toml::table* list = r.table("parameters");
  if (list == nullptr || list->empty()) r.expected("parameters", "a table NAME = { median, low, high }");
  r.finish();
  TableReader pr(*list, "parameters", origin);
  std::vector<std::string> names;
  for (const auto& p : params) names.push_back(p.name);
  for (const auto& [key, node] : *list) {
    const std::string name(key.str());
    (void)pr.get(name);
    auto it = std::find_if(params.begin(), params.end(), [&](const ParamDecl& p) { return p.name == name; });
    if (it == params.end()) {
      pr.fail(name, fmt::format("not a parameter of the model{}", did_you_mean(name, names)));
    }
    if (it->type != ParamType::Real && it->type != ParamType::Integer)
      pr.fail(name, "not a numeric parameter");
    if (!node.is_table()) pr.expected(name, "{ median = ..., low = ..., high = ... }");
    TableReader tr(*node.as_table(), "parameters." + name, origin);
    const double median = required_number(tr, "median");
    const double low = required_number(tr, "low");
    const double high = required_number(tr, "high");
    tr.finish();
    const bool integer = it->type == ParamType::Integer;
    const ParamValue value =
        integer ? ParamValue(static_cast<std::int64_t>(std::llround(median))) : ParamValue(median);
    if (!(low <= median && median <= high)) tr.fail("median", "expected low <= median <= high");
    if (const std::string problem = it->check(value);
        !problem.empty() || (integer && median != std::round(median))) {
      tr.fail("median", fmt::format("value {} is outside the parameter's range: expected {}", median,
                                    it->expectation()));
    }
    it->default_value = value;
    it->source = fmt::format("calibrated ({}, {}): posterior median, 90 % interval [{}, {}]; before: {}",
                             *targets, date->iso(), low, high, it->source);
  }
}

}  // namespace atc::sim
