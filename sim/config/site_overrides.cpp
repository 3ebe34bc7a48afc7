#include "sim/config/site_overrides.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

namespace {

// A CSV column that feeds a site field, scaled (0.01 for a percent column).
struct Mapping {
  std::size_t column;
  std::size_t field;
  double factor;
};

// "a, b or c".
std::string either(const std::vector<std::string>& names) {
  if (names.size() < 2) return join(names, "");
  const std::vector<std::string> head(names.begin(), names.end() - 1);
  return join(head, ", ") + " or " + names.back();
}

// The first of the model's code columns the table has.
std::size_t code_column(const CsvTable& csv, const SiteSchema& schema) {
  for (const auto& name : schema.code_columns) {
    if (auto c = csv.column(name)) return *c;
  }
  throw ConfigError(fmt::format("{}:1: expected a {} code column ({}); columns are: {}", csv.path,
                                schema.code_system, either(schema.code_columns),
                                one_line(join(csv.header, ", "), 400)));
}

// The column an alias names, and the factor of its values ("tp60%": column
// tp60, in percent).
std::pair<std::string, double> alias_column(const std::string& alias) {
  if (alias.ends_with('%')) return {alias.substr(0, alias.size() - 1), 0.01};
  return {alias, 1.0};
}

// Numeric site fields matched by their name or, failing that, their first
// alias the table has.
std::vector<Mapping> field_mappings(const CsvTable& csv, const ModelDescription& model) {
  const auto& decls = model.site_fields;
  std::vector<Mapping> mappings;
  for (std::size_t f = 0; f < decls.size(); ++f) {
    if (decls[f].type != ParamType::Real && decls[f].type != ParamType::Integer) continue;
    if (auto c = csv.column(decls[f].name)) {
      mappings.push_back({*c, f, 1.0});
      continue;
    }
    for (const auto& alias : decls[f].aliases) {
      const auto [name, factor] = alias_column(alias);
      if (auto c = csv.column(name)) {
        mappings.push_back({*c, f, factor});
        break;
      }
    }
  }
  if (mappings.empty()) {
    std::vector<std::string> names;
    for (const auto& d : decls) names.push_back(d.name);
    throw ConfigError(fmt::format("{}:1: no column matches a site field of model '{}' (fields: {})", csv.path,
                                  model.name, join(names, ", ")));
  }
  return mappings;
}

// The value of one non-empty cell, checked against its field's declaration.
ParamValue cell_value(const CsvTable& csv, std::size_t row, std::size_t code_col, const Mapping& m,
                      const ParamDecl& decl, const std::string& code_system) {
  const std::string& cell = csv.rows[row][m.column];
  const std::string where =
      fmt::format("{}:{}: column '{}' ({} {})", csv.path, csv.row_lines[row],
                  one_line(csv.header[m.column], 80), code_system, one_line(csv.rows[row][code_col], 80));
  const auto number = parse_number(cell, csv.separator);
  if (!number) throw ConfigError(fmt::format("{}: expected a number, got '{}'", where, one_line(cell, 80)));
  const double v = *number * m.factor;
  ParamValue value = decl.type == ParamType::Integer ? ParamValue(static_cast<std::int64_t>(std::llround(v)))
                                                     : ParamValue(v);
  if (!decl.check(value).empty()) {
    throw ConfigError(
        fmt::format("{}: site field {} expected {}, got {}", where, decl.name, decl.expectation(), v));
  }
  return value;
}

// Columns that match no field but are close to the name of a numeric field
// the table does not have (nor any of its aliases): most likely that field
// misspelt, whose values would silently not be used. A column close to a
// field the table has is another figure ("employment_rate_pct" beside
// "unemployment_rate_pct"), and is left alone.
std::vector<std::string> misspelt_columns(const CsvTable& csv, const ModelDescription& model,
                                          const std::vector<Mapping>& mappings, std::size_t code_col) {
  std::vector<bool> used(csv.header.size(), false);
  used[code_col] = true;
  std::vector<bool> mapped(model.site_fields.size(), false);
  for (const auto& m : mappings) {
    used[m.column] = true;
    mapped[m.field] = true;
  }
  std::vector<std::string> absent;  // names (and aliases) of the fields the table lacks
  for (std::size_t f = 0; f < model.site_fields.size(); ++f) {
    const auto& decl = model.site_fields[f];
    if (mapped[f] || (decl.type != ParamType::Real && decl.type != ParamType::Integer)) continue;
    absent.push_back(decl.name);
    for (const auto& alias : decl.aliases) absent.push_back(alias_column(alias).first);
  }
  std::vector<std::string> warnings;
  for (std::size_t c = 0; c < csv.header.size(); ++c) {
    if (used[c] || csv.header[c].empty()) continue;
    if (const std::string near = nearest_match(csv.header[c], absent); !near.empty()) {
      warnings.push_back(
          fmt::format("{}:1: column {} '{}' matches no site field and is ignored (did you mean '{}'?)",
                      csv.path, c + 1, one_line(csv.header[c], 80), near));
    }
  }
  return warnings;
}

}  // namespace

void apply_site_overrides(const CsvTable& csv, const ModelDescription& model, std::vector<SiteSpec>& sites,
                          std::vector<std::string>& warnings, bool allow_unmatched) {
  const SiteSchema& schema = model.site_schema;
  const std::size_t code_col = code_column(csv, schema);
  const std::vector<Mapping> mappings = field_mappings(csv, model);
  for (auto& w : misspelt_columns(csv, model, mappings, code_col)) warnings.push_back(std::move(w));
  std::set<std::string> seen;
  std::vector<std::string> unmatched_codes;  // "LINE: CODE"
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string& code = csv.rows[r][code_col];
    if (code.empty()) continue;
    if (!seen.insert(code).second) {
      throw ConfigError(fmt::format("{}:{}: {} code '{}' appears twice", csv.path, csv.row_lines[r],
                                    schema.code_system, one_line(code, 80)));
    }
    bool matched = false;
    for (auto& site : sites) {
      if (site.code != code) continue;
      matched = true;
      for (const auto& m : mappings) {
        if (csv.rows[r][m.column].empty()) continue;
        site.fields.set(m.field,
                        cell_value(csv, r, code_col, m, model.site_fields[m.field], schema.code_system));
        site.provenance[m.field] = schema.override_provenance;
        site.perimeter[m.field] = schema.override_perimeter;
        site.source_kind[m.field] = schema.override_source_kind;
      }
    }
    if (!matched)
      unmatched_codes.push_back(fmt::format("{} (line {})", one_line(code, 80), csv.row_lines[r]));
  }
  if (unmatched_codes.empty()) return;
  // A row that matches no site is most often a mistyped or lower-case code:
  // its values would silently not be used.
  std::vector<std::string> codes;
  for (const auto& site : sites) {
    if (!site.code.empty()) codes.push_back(site.code);
  }
  constexpr std::size_t kListed = 10;
  std::vector<std::string> listed(
      unmatched_codes.begin(),
      unmatched_codes.begin() + static_cast<std::ptrdiff_t>(std::min(kListed, unmatched_codes.size())));
  const std::string more =
      unmatched_codes.size() > kListed ? fmt::format(" and {} more", unmatched_codes.size() - kListed) : "";
  const std::string message =
      fmt::format("{}: {} row(s) match no site's {} code: {}{}; the sites' codes are: {}", csv.path,
                  unmatched_codes.size(), schema.code_system, join(listed, ", "), more,
                  codes.empty() ? "(none)" : one_line(join(codes, ", "), 400));
  if (!allow_unmatched) throw ConfigError(message + " (--allow-unmatched accepts them)");
  warnings.push_back(message + " (ignored: --allow-unmatched)");
}

}  // namespace atc::sim
