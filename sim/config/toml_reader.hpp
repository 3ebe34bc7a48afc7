#pragma once
// Reading TOML tables with exact, located error messages:
//   file:line:col: key.path: expected ..., got ...
// A TableReader remembers which keys were asked for; finish() rejects any other
// key with a "did you mean" suggestion.
#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/params.hpp"
#include "sim/core/date.hpp"

namespace atc::sim {

struct Location {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  [[nodiscard]] std::string str() const;  // "file:line:col", or "file" without a position
};

Location location_of(const toml::node& node, const std::string& fallback_file);

// "1.5 (a float)", "\"abc\" (a string)", "a table".
std::string describe_node(const toml::node& node);

[[noreturn]] void config_fail(const Location& where, std::string_view key, std::string_view message);

class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::string file);

  // Marks `key` as known and returns its node (nullptr when absent).
  const toml::node* get(std::string_view key);

  [[nodiscard]] std::string path(std::string_view key) const;
  // Renames the table in messages once it is known by name, e.g.
  // `scenario[1]` becomes `scenario "atc_covid"`.
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  [[nodiscard]] Location where(std::string_view key) const;  // the key's node, or the table
  [[nodiscard]] Location where_table() const;
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;
  [[noreturn]] void expected(std::string_view key, std::string_view expectation) const;

  std::optional<std::string> string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::optional<std::int64_t> min = {});
  std::optional<Date> date(std::string_view key);
  std::optional<std::vector<std::string>> string_list(std::string_view key);
  const toml::table* table(std::string_view key);
  const toml::array* array_of_tables(std::string_view key);

  // A declared parameter: type-checked and range-checked. nullopt when absent.
  std::optional<ParamValue> param(const ParamDecl& decl);

  // Rejects keys that were never asked for.
  void finish() const;

  [[nodiscard]] const toml::table& raw() const { return table_; }
  [[nodiscard]] const std::string& file() const { return file_; }

 private:
  const toml::table& table_;
  std::string prefix_;
  std::string file_;
  std::vector<std::string> known_;
};

// Converts a node to a value of the declared type; "" error when it fits.
std::optional<ParamValue> node_to_value(const toml::node& node, const ParamDecl& decl, std::string& error);

// TOML text for a table. Floats are written in their shortest form that reads
// back to the same double (0.18, not 0.17999999999999999), so the resolved
// config is both exact and readable.
std::string to_toml(const toml::table& table);

// A TOML basic string literal for `text` (quotes and escapes), e.g. to build
// --set assignments from file paths.
std::string toml_quote(std::string_view text);

// The TOML node for a value (used to write the resolved config).
void insert_value(toml::table& table, const std::string& key, const ParamValue& value);

}  // namespace atc::sim
