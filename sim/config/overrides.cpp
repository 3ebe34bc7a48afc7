#include "sim/config/overrides.hpp"

#include <fmt/format.h>
#include <cctype>
#include <utility>

#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

// --set key.path=value: the value is TOML ("0.2", "true", "[1, 2]", "\"text\"");
// a bare word that is not valid TOML is taken as a string, so that
// --set output.path=out/x.h5 works without shell quoting gymnastics.
void apply_override(toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(fmt::format("--set {}: expected key.path=value", assignment));
  }
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  const std::string origin = "--set " + assignment;
  toml::table parsed;
  try {
    parsed = toml::parse("value = " + text, origin);
  } catch (const toml::parse_error&) {
    const bool looks_numeric = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                                                 text[0] == '-' || text[0] == '+' || text[0] == '.');
    if (looks_numeric || text.empty() || text.find_first_of("[]{}\"'") != std::string::npos) {
      throw ConfigError(fmt::format("{}: {}: value '{}' is not a valid TOML value", origin, key, text));
    }
    toml::table t;
    t.insert("value", text);
    parsed = std::move(t);
  }
  const auto segments = split(key, '.');
  for (const auto& s : segments) {
    if (s.empty()) throw ConfigError(fmt::format("{}: malformed key '{}'", origin, key));
  }
  toml::table* table = &root;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    const std::string& seg = segments[i];
    toml::node* node = table->get(seg);
    // scenario.NAME.x, site.ID.x and scenario.NAME.intervention.KIND.x address
    // the element of an array of tables whose name, id or kind matches.
    if (node != nullptr && node->is_array_of_tables() && i + 2 < segments.size()) {
      toml::table* found = nullptr;
      int matches = 0;
      for (auto& item : *node->as_array()) {
        auto* t = item.as_table();
        if (t == nullptr) continue;
        for (const char* field : {"name", "id", "kind"}) {
          if (t->get(field) != nullptr && t->get(field)->value<std::string>() == segments[i + 1]) {
            found = t;
            ++matches;
            break;
          }
        }
      }
      if (found == nullptr) {
        throw ConfigError(fmt::format("{}: {}: no [[{}]] named '{}'", origin, key, seg, segments[i + 1]));
      }
      if (matches > 1) {
        throw ConfigError(
            fmt::format("{}: {}: several [[{}]] match '{}'", origin, key, seg, segments[i + 1]));
      }
      table = found;
      ++i;
      continue;
    }
    if (node == nullptr) {
      table->insert(seg, toml::table{});
      node = table->get(seg);
    }
    if (!node->is_table()) {
      throw ConfigError(fmt::format("{}: {}: '{}' is not a table", origin, key, seg));
    }
    table = node->as_table();
  }
  table->insert_or_assign(segments.back(), std::move(*parsed.get("value")));
}

void check_override_takes_effect(const toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) return;  // apply_override reports it
  const std::string key = assignment.substr(0, eq);
  const auto segments = split(key, '.');
  if (segments.size() != 2 || segments[0] != "model" || segments[1] == "name") return;
  const toml::node* scenarios = root.get("scenario");
  if (scenarios == nullptr || !scenarios->is_array_of_tables() || scenarios->as_array()->empty()) return;
  std::vector<std::string> names;
  for (const auto& item : *scenarios->as_array()) {
    const toml::table* scenario = item.as_table();
    const toml::node* model = scenario->get("model");
    if (model == nullptr || !model->is_table() || model->as_table()->get(segments[1]) == nullptr) return;
    const toml::node* name = scenario->get("name");
    names.push_back(name != nullptr ? name->value_or(std::string("?")) : "?");
  }
  throw ConfigError(fmt::format(
      "--set {}: {}: every [[scenario]] sets model.{} itself ({}), so this would change nothing; set it per "
      "scenario instead, e.g. --set scenario.{}.model.{}={}",
      assignment, key, segments[1], join(names, ", "), names.front(), segments[1],
      assignment.substr(eq + 1)));
}

}  // namespace atc::sim
