#include "sim/config/toml_reader.hpp"

#include <fmt/format.h>
#include <charconv>
#include <cmath>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

std::string Location::str() const {
  if (line == 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

Location location_of(const toml::node& node, const std::string& fallback_file) {
  const auto& src = node.source();
  Location loc;
  loc.file = src.path ? *src.path : fallback_file;
  loc.line = src.begin.line;
  loc.column = src.begin.column;
  // Values given on the command line (--set, -o, --replicates) carry the
  // option as their path; the position inside the synthetic one-line
  // document would only confuse.
  if (loc.file.rfind('-', 0) == 0) loc.line = 0;
  return loc;
}

std::string describe_node(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return fmt::format("\"{}\" (a string)", one_line(*node.value<std::string>(), 80));
    case toml::node_type::integer:
      return fmt::format("{} (an integer)", *node.value<std::int64_t>());
    case toml::node_type::floating_point:
      return fmt::format("{} (a float)", *node.value<double>());
    case toml::node_type::boolean:
      return fmt::format("{} (a boolean)", *node.value<bool>());
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

void config_fail(const Location& where, std::string_view key, std::string_view message) {
  throw ConfigError(fmt::format("{}: {}: {}", where.str(), key, message));
}

TableReader::TableReader(const toml::table& table, std::string prefix, std::string file)
    : table_(table), prefix_(std::move(prefix)), file_(std::move(file)) {}

const toml::node* TableReader::get(std::string_view key) {
  known_.emplace_back(key);
  return table_.get(key);
}

std::string TableReader::path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

Location TableReader::where_table() const {
  Location loc = location_of(table_, file_);
  if (loc.line == 0 && loc.file == file_) loc.line = 0;
  return loc;
}

Location TableReader::where(std::string_view key) const {
  if (const auto* node = table_.get(key)) return location_of(*node, file_);
  return where_table();
}

void TableReader::fail(std::string_view key, std::string_view message) const {
  config_fail(where(key), path(key), message);
}

void TableReader::expected(std::string_view key, std::string_view expectation) const {
  const auto* node = table_.get(key);
  if (node == nullptr) fail(key, fmt::format("missing required key (expected {})", expectation));
  fail(key, fmt::format("expected {}, got {}", expectation, describe_node(*node)));
}

std::optional<std::string> TableReader::string(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) expected(key, "a string");
  return *node->value<std::string>();
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::optional<std::int64_t> min) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  const std::string expectation = min ? fmt::format("an integer >= {}", *min) : std::string("an integer");
  std::int64_t v = 0;
  if (node->is_integer()) {
    v = *node->value<std::int64_t>();
  } else if (node->is_floating_point()) {
    const double d = *node->value<double>();
    if (d != std::floor(d) || std::abs(d) > 9e15) expected(key, expectation);
    v = static_cast<std::int64_t>(d);
  } else {
    expected(key, expectation);
  }
  if (min && v < *min) expected(key, expectation);
  return v;
}

std::optional<Date> TableReader::date(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (node->is_date()) {
    const auto d = *node->value<toml::date>();
    return Date{d.year, d.month, d.day};
  }
  if (node->is_string()) {
    if (auto d = Date::parse(*node->value<std::string>())) return d;
  }
  expected(key, "a date (YYYY-MM-DD)");
}

std::optional<std::vector<std::string>> TableReader::string_list(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return std::nullopt;
  std::vector<std::string> out;
  if (const auto* s = node->as_string()) {
    out.push_back(s->get());
    return out;
  }
  const auto* arr = node->as_array();
  if (arr == nullptr) expected(key, "a list of strings");
  for (const auto& item : *arr) {
    if (!item.is_string()) {
      config_fail(location_of(item, file_), path(key),
                  fmt::format("expected a list of strings, got an element {}", describe_node(item)));
    }
    out.push_back(*item.value<std::string>());
  }
  return out;
}

const toml::table* TableReader::table(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) expected(key, "a table");
  return node->as_table();
}

const toml::array* TableReader::array_of_tables(std::string_view key) {
  const auto* node = get(key);
  if (node == nullptr) return nullptr;
  const auto* arr = node->as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    expected(key, fmt::format("an array of tables ([[{}]])", path(key)));
  }
  return arr;
}

std::optional<ParamValue> node_to_value(const toml::node& node, const ParamDecl& decl, std::string& error) {
  error.clear();
  switch (decl.type) {
    case ParamType::Integer:
      if (node.is_integer()) return *node.value<std::int64_t>();
      if (node.is_floating_point()) {
        const double d = *node.value<double>();
        if (d == std::floor(d) && std::abs(d) < 9e15) return static_cast<std::int64_t>(d);
      }
      break;
    case ParamType::Real:
      if (node.is_integer()) return static_cast<double>(*node.value<std::int64_t>());
      if (node.is_floating_point()) return *node.value<double>();
      break;
    case ParamType::Boolean:
      if (node.is_boolean()) return *node.value<bool>();
      break;
    case ParamType::String:
      if (node.is_string()) return *node.value<std::string>();
      break;
    case ParamType::RealList:
      if (const auto* arr = node.as_array()) {
        std::vector<double> out;
        bool ok = true;
        for (const auto& item : *arr) {
          if (item.is_integer()) {
            out.push_back(static_cast<double>(*item.value<std::int64_t>()));
          } else if (item.is_floating_point()) {
            out.push_back(*item.value<double>());
          } else {
            ok = false;
          }
        }
        if (ok) return out;
      }
      break;
  }
  error = fmt::format("expected {}, got {}", decl.expectation(), describe_node(node));
  return std::nullopt;
}

std::optional<ParamValue> TableReader::param(const ParamDecl& decl) {
  const auto* node = get(decl.name);
  if (node == nullptr) return std::nullopt;
  std::string error;
  auto value = node_to_value(*node, decl, error);
  if (!value) fail(decl.name, error);
  if (!decl.check(*value).empty()) {
    fail(decl.name, fmt::format("expected {}, got {}", decl.expectation(), describe_node(*node)));
  }
  return value;
}

void TableReader::finish() const {
  for (const auto& [key, node] : table_) {
    const std::string k(key.str());
    if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
    std::vector<std::string> known = known_;
    std::sort(known.begin(), known.end());
    known.erase(std::unique(known.begin(), known.end()), known.end());
    Location loc = location_of(node, file_);
    if (key.source().begin.line != 0) {
      loc.line = key.source().begin.line;
      loc.column = key.source().begin.column;
    }
    config_fail(loc, path(k),
                fmt::format("unknown key{}; valid keys here: {}", did_you_mean(k, known), join(known, ", ")));
  }
}

void insert_value(toml::table& table, const std::string& key, const ParamValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<double>>) {
          toml::array arr;
          for (double d : v) arr.push_back(d);
          table.insert_or_assign(key, std::move(arr));
        } else {
          table.insert_or_assign(key, v);
        }
      },
      value);
}

namespace {

std::string toml_key(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (bare) return std::string(key);
  std::string out = "\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string toml_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, result.ptr);
  if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
  return out;
}

std::string inline_value(const toml::node& node);

std::string inline_table(const toml::table& t) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& [k, v] : t) {
    if (!first) out += ", ";
    first = false;
    out += toml_key(k.str()) + " = " + inline_value(v);
  }
  return out + (first ? "}" : " }");
}

std::string inline_value(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return toml_quote(*node.value<std::string>());
    case toml::node_type::integer:
      return std::to_string(*node.value<std::int64_t>());
    case toml::node_type::floating_point:
      return toml_float(*node.value<double>());
    case toml::node_type::boolean:
      return *node.value<bool>() ? "true" : "false";
    case toml::node_type::date: {
      const auto d = *node.value<toml::date>();
      return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
    }
    case toml::node_type::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& item : *node.as_array()) {
        if (!first) out += ", ";
        first = false;
        out += inline_value(item);
      }
      return out + "]";
    }
    case toml::node_type::table:
      return inline_table(*node.as_table());
    default:
      // Times are never produced. (Not `"\"" + ... + "\""`: GCC 12 misreports that
      // prepend as overlapping memcpy, -Wrestrict, which -Werror would turn fatal.)
      return fmt::format("\"{}\"", describe_node(node));
  }
}

void emit_table(std::string& out, const toml::table& t, const std::string& path) {
  for (const auto& [k, v] : t) {
    if (v.is_table() || v.is_array_of_tables()) continue;
    out += toml_key(k.str()) + " = " + inline_value(v) + "\n";
  }
  for (const auto& [k, v] : t) {
    const std::string child = path.empty() ? toml_key(k.str()) : path + "." + toml_key(k.str());
    if (v.is_table()) {
      out += "\n[" + child + "]\n";
      emit_table(out, *v.as_table(), child);
    } else if (v.is_array_of_tables()) {
      for (const auto& item : *v.as_array()) {
        out += "\n[[" + child + "]]\n";
        emit_table(out, *item.as_table(), child);
      }
    }
  }
}

}  // namespace

std::string to_toml(const toml::table& table) {
  std::string out;
  emit_table(out, table, "");
  if (!out.empty() && out.front() == '\n') out.erase(0, 1);
  return out;
}

std::string toml_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace atc::sim
