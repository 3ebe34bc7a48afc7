#include "sim/config/site_overrides.hpp"

#include <fmt/format.h>
#include <cmath>
#include <optional>
#include <set>
#include <string>

#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

void apply_site_overrides(const CsvTable& csv, const ModelDescription& model, std::vector<SiteSpec>& sites) {
  const auto& decls = model.site_fields;
  std::optional<std::size_t> code_column;
  for (const char* name : {"qpv_code", "code_qpv", "code_qp", "code", "codgeo"}) {
    if (!code_column) code_column = csv.column(name);
  }
  if (!code_column) {
    throw ConfigError(
        fmt::format("{}:1: expected a QPV code column (qpv_code, code_qpv, code_qp, code or codgeo); "
                    "columns are: {}",
                    csv.path, join(csv.header, ", ")));
  }
  struct Mapping {
    std::size_t column;
    std::size_t field;
    double factor;
  };
  std::vector<Mapping> mappings;
  for (std::size_t f = 0; f < decls.size(); ++f) {
    if (decls[f].type != ParamType::Real && decls[f].type != ParamType::Integer) continue;
    if (auto c = csv.column(decls[f].name)) {
      mappings.push_back({*c, f, 1.0});
      continue;
    }
    for (const auto& alias : decls[f].aliases) {
      const bool percent = !alias.empty() && alias.back() == '%';
      const std::string name = percent ? alias.substr(0, alias.size() - 1) : alias;
      if (auto c = csv.column(name)) {
        mappings.push_back({*c, f, percent ? 0.01 : 1.0});
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
  std::set<std::string> seen;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    const std::string& code = row[*code_column];
    if (code.empty()) continue;
    if (!seen.insert(code).second) {
      throw ConfigError(fmt::format("{}:{}: QPV code '{}' appears twice", csv.path, csv.row_lines[r], code));
    }
    for (auto& site : sites) {
      if (site.code != code) continue;
      for (const auto& m : mappings) {
        const std::string& cell = row[m.column];
        if (cell.empty()) continue;
        const ParamDecl& decl = decls[m.field];
        const auto number = parse_number(cell, csv.separator);
        if (!number) {
          throw ConfigError(fmt::format("{}:{}: column '{}' (QPV {}): expected a number, got '{}'", csv.path,
                                        csv.row_lines[r], csv.header[m.column], code, cell));
        }
        const double v = *number * m.factor;
        ParamValue value = decl.type == ParamType::Integer
                               ? ParamValue(static_cast<std::int64_t>(std::llround(v)))
                               : ParamValue(v);
        if (!decl.check(value).empty()) {
          throw ConfigError(fmt::format("{}:{}: column '{}' (QPV {}): site field {} expected {}, got {}",
                                        csv.path, csv.row_lines[r], csv.header[m.column], code, decl.name,
                                        decl.expectation(), v));
        }
        site.fields.set(m.field, std::move(value));
        site.provenance[m.field] = "qpv-official";
      }
    }
  }
}

}  // namespace atc::sim
