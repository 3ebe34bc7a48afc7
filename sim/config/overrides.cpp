#include "sim/config/overrides.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <utility>

#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

namespace {

// One part of a dotted key; `quoted` when written "..." or '...'.
struct KeyPart {
  std::string text;
  bool quoted = false;
};

// Splits `key` at dots outside quotes: scenario."z0.5".model.n gives
// scenario, z0.5, model, n. Basic strings ("...") take \" and \\ escapes,
// literal strings ('...') none. Throws ConfigError naming `origin`.
std::vector<KeyPart> split_key(const std::string& key, const std::string& origin) {
  std::vector<KeyPart> parts(1);
  bool closed = false;  // the current part was a quoted string, now closed
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (c == '.') {
      if (parts.back().text.empty() && !parts.back().quoted) break;
      parts.emplace_back();
      closed = false;
      continue;
    }
    if ((c == '"' || c == '\'') && parts.back().text.empty() && !parts.back().quoted) {
      std::size_t j = i + 1;
      for (; j < key.size() && key[j] != c; ++j) {
        if (c == '"' && key[j] == '\\' && j + 1 < key.size()) ++j;
        parts.back().text += key[j];
      }
      if (j >= key.size()) throw ConfigError(fmt::format("{}: unterminated quote in key '{}'", origin, key));
      parts.back().quoted = true;
      closed = true;
      i = j;
      continue;
    }
    if (closed) {
      throw ConfigError(fmt::format("{}: malformed key '{}' (a quoted name must end at a dot)", origin, key));
    }
    parts.back().text += c;
  }
  for (const auto& p : parts) {
    if (p.text.empty() && !p.quoted) {
      throw ConfigError(fmt::format(
          "{}: malformed key '{}' (expected names separated by dots; quote a name that contains dots, e.g. "
          "scenario.\"z0.5\".model.n)",
          origin, key));
    }
  }
  return parts;
}

// The key's parts as typed, for messages.
std::string joined(const std::vector<KeyPart>& parts, std::size_t first, std::size_t last) {
  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (i > first) out += '.';
    out += parts[i].text;
  }
  return out;
}

// The element of an array of tables whose name, id or kind is `name`;
// nullptr when none; throws when several are.
toml::table* find_element(toml::array& array, const std::string& name, const std::string& origin,
                          const std::string& key, const std::string& array_name) {
  toml::table* found = nullptr;
  int matches = 0;
  for (auto& item : array) {
    auto* t = item.as_table();
    if (t == nullptr) continue;
    for (const char* field : {"name", "id", "kind"}) {
      if (t->get(field) != nullptr && t->get(field)->value<std::string>() == name) {
        found = t;
        ++matches;
        break;
      }
    }
  }
  if (matches > 1) {
    throw ConfigError(fmt::format("{}: {}: several [[{}]] match '{}'", origin, key, array_name, name));
  }
  return found;
}

// A node that carries `origin` as its source, so that the loader's messages
// about it name the --set argument, not the config file.
toml::table parsed_value(const std::string& text, const std::string& origin, const std::string& key) {
  try {
    return toml::parse("value = " + text, origin);
  } catch (const toml::parse_error&) {
    const bool looks_numeric = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                                                 text[0] == '-' || text[0] == '+' || text[0] == '.');
    if (looks_numeric || text.empty() || text.find_first_of("[]{}\"'") != std::string::npos) {
      throw ConfigError(
          fmt::format("{}: {}: value '{}' is not a valid TOML value", origin, key, one_line(text, 80)));
    }
  }
  // A bare word is a string; quoted here so that the node keeps its origin.
  // Quoting cannot repair what TOML forbids in any string (invalid UTF-8, found
  // by fuzzing: tests/fuzz/regressions/set/), so that is still a located error.
  try {
    return toml::parse("value = " + toml_quote(text), origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}: {}: value '{}' is not a valid TOML string: {}", origin, key,
                                  one_line(text, 80), one_line(std::string(e.description()), 80)));
  }
}

}  // namespace

// --set key.path=value: the value is TOML ("0.2", "true", "[1, 2]", "\"text\"");
// a bare word that is not valid TOML is taken as a string, so that
// --set output.path=out/x.h5 works without shell quoting gymnastics.
void apply_override(toml::table& root, const std::string& assignment, const std::string& given_origin) {
  const std::string origin =
      given_origin.empty() ? "--set " + one_line(assignment, 200) : one_line(given_origin, 200);
  std::size_t eq = std::string::npos;
  char quote = 0;
  for (std::size_t i = 0; i < assignment.size(); ++i) {  // the first '=' outside quotes
    const char c = assignment[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '=') {
      eq = i;
      break;
    }
  }
  if (quote != 0) throw ConfigError(fmt::format("{}: unterminated quote in the key", origin));
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(fmt::format("{}: expected key.path=value", origin));
  }
  const std::string key = assignment.substr(0, eq);
  toml::table parsed = parsed_value(assignment.substr(eq + 1), origin, key);
  const std::vector<KeyPart> parts = split_key(key, origin);
  toml::table* table = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& seg = parts[i].text;
    toml::node* node = table->get(seg);
    // scenario.NAME.x, site.ID.x and scenario.NAME.intervention.KIND.x address
    // the element of an array of tables whose name, id or kind matches. A
    // name with dots is quoted (scenario."z0.5".x) or, unquoted, matched
    // whole (scenario.z0.5.x) when no shorter name matches.
    if (node != nullptr && node->is_array_of_tables() && i + 2 < parts.size()) {
      toml::table* found = nullptr;
      std::size_t last = i + 1;
      for (; last + 1 < parts.size() && found == nullptr; ++last) {
        if (last > i + 1 && (parts[i + 1].quoted || parts[last].quoted)) break;
        found = find_element(*node->as_array(), joined(parts, i + 1, last + 1), origin, key, seg);
        if (found != nullptr) break;
      }
      if (found == nullptr) {
        std::vector<std::string> names;
        for (auto& item : *node->as_array()) {
          if (const auto* t = item.as_table()) {
            for (const char* field : {"name", "id", "kind"}) {
              if (const auto* n = t->get(field); n != nullptr && n->is_string()) {
                names.push_back(*n->value<std::string>());
                break;
              }
            }
          }
        }
        throw ConfigError(fmt::format("{}: {}: no [[{}]] named '{}'{}; names: {}", origin, key, seg,
                                      parts[i + 1].text, did_you_mean(parts[i + 1].text, names),
                                      one_line(join(names, ", "), 400)));
      }
      table = found;
      i = last;
      continue;
    }
    if (node == nullptr) {
      // A table that carries the --set origin as its source (see parsed_value).
      toml::table holder = toml::parse("t = {}", origin);
      table->insert(seg, std::move(*holder.get("t")));
      node = table->get(seg);
    }
    if (!node->is_table()) {
      throw ConfigError(fmt::format("{}: {}: '{}' is not a table", origin, key, seg));
    }
    table = node->as_table();
  }
  table->insert_or_assign(parts.back().text, std::move(*parsed.get("value")));
}

void check_override_takes_effect(const toml::table& root, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) return;  // apply_override reports it
  const std::string key = assignment.substr(0, eq);
  std::vector<std::string> segments;
  try {
    for (const auto& part : split_key(key, "--set " + assignment)) segments.push_back(part.text);
  } catch (const ConfigError&) {
    return;  // apply_override reports it
  }
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

namespace {

// The name of a [[scenario]] or the scenario a [[contrast]] key names ("" when
// it is not a string: the loader then reports it).
std::string string_at(const toml::node& item, const char* key) {
  const toml::table* table = item.as_table();
  const toml::node* value = table != nullptr ? table->get(key) : nullptr;
  return value != nullptr ? value->value_or(std::string()) : std::string();
}

}  // namespace

std::string ScenarioSelection::left_out_scenario_of(const std::string& key) const {
  if (left_out.empty()) return {};
  std::vector<KeyPart> parts;
  try {
    parts = split_key(key, key);
  } catch (const ConfigError&) {
    return {};  // the key's own reader reports it
  }
  if (parts.size() < 3 || parts[0].text != "scenario") return {};
  for (std::size_t last = 1; last + 1 < parts.size(); ++last) {
    if (last > 1 && (parts[1].quoted || parts[last].quoted)) break;
    const std::string candidate = joined(parts, 1, last + 1);
    if (std::find(defined.begin(), defined.end(), candidate) != defined.end()) {
      const bool out = std::find(left_out.begin(), left_out.end(), candidate) != left_out.end();
      return out ? candidate : std::string();
    }
  }
  return {};
}

ScenarioSelection select_scenarios(toml::table& root, std::span<const std::string> names,
                                   const std::string& path) {
  ScenarioSelection selection;
  if (names.empty()) return selection;
  toml::array* scenarios = root.get("scenario") != nullptr ? root.get("scenario")->as_array() : nullptr;
  std::vector<std::string>& defined = selection.defined;
  if (scenarios != nullptr) {
    for (const auto& item : *scenarios) defined.push_back(string_at(item, "name"));
  }
  const std::vector<std::string> shown = defined.empty() ? std::vector<std::string>{"default"} : defined;
  for (const auto& name : names) {
    if (std::find(shown.begin(), shown.end(), name) == shown.end()) {
      throw ConfigError(fmt::format("--scenario {}: {} has no scenario '{}'{}; its scenarios: {}", name, path,
                                    name, did_you_mean(name, shown), join(shown, ", ")));
    }
  }
  if (scenarios == nullptr) return selection;  // its one scenario, "default", is selected
  const auto selected = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (const auto& name : defined) {
    if (!selected(name)) selection.left_out.push_back(name);
  }
  const auto left_out = [&](const std::string& name) {
    return std::find(selection.left_out.begin(), selection.left_out.end(), name) != selection.left_out.end();
  };
  // A sweep varying a parameter of a scenario left out would vary nothing.
  const toml::node* sweep = root.get("sweep");
  const toml::node* varied =
      sweep != nullptr && sweep->is_table() ? sweep->as_table()->get("parameters") : nullptr;
  if (varied != nullptr && varied->is_table()) {
    for (const auto& [key, value] : *varied->as_table()) {
      const std::string addressed = selection.left_out_scenario_of(std::string(key.str()));
      if (!addressed.empty()) {
        throw ConfigError(
            fmt::format("{}: sweep.parameters: \"{}\" is a parameter of scenario '{}', which "
                        "--scenario leaves out; select it too (--scenario {}), or sweep another one",
                        location_of(value, path).str(), key.str(), addressed, addressed));
      }
    }
  }
  const auto erase_where = [](toml::array& tables, auto&& left_out_here) {
    for (auto it = tables.begin(); it != tables.end();) it = left_out_here(*it) ? tables.erase(it) : it + 1;
  };
  erase_where(*scenarios, [&](const toml::node& s) { return !selected(string_at(s, "name")); });
  toml::node* contrasts_node = root.get("contrast");
  toml::array* contrasts = contrasts_node != nullptr ? contrasts_node->as_array() : nullptr;
  if (contrasts == nullptr) return selection;
  erase_where(*contrasts, [&](const toml::node& c) {
    return left_out(string_at(c, "treatment")) || left_out(string_at(c, "baseline"));
  });
  if (contrasts->empty()) root.erase("contrast");
  return selection;
}

}  // namespace atc::sim
