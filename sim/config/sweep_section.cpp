#include "sim/config/sweep_section.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <tuple>
#include <utility>

#include "sim/config/csv.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

namespace {

constexpr std::size_t kMaxPoints = 1'000'000;
constexpr std::int64_t kMaxGridValues = 100'000;

std::string coordinate_name(const std::string& key) {
  std::string out = key;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return out;
}

}  // namespace

const ParamDecl* find_sweep_decl(const ExperimentSpec& spec, const std::vector<std::string>& seg) {
  const auto& m = *spec.model;
  auto in = [](const std::vector<ParamDecl>& decls, const std::string& name) -> const ParamDecl* {
    for (const auto& d : decls) {
      if (d.name == name) return &d;
    }
    return nullptr;
  };
  if (seg.size() == 2 && seg[0] == "model") return in(m.params, seg[1]);
  if (seg.size() == 4 && seg[0] == "scenario" && seg[2] == "model") return in(m.params, seg[3]);
  if (seg.size() == 5 && seg[0] == "scenario" && seg[2] == "intervention") {
    if (const auto* iv = m.find_intervention(seg[3])) return in(iv->params, seg[4]);
  }
  if (seg.size() == 3 && seg[0] == "site") return in(m.site_fields, seg[2]);
  return nullptr;
}

std::string sweep_coordinate_name(const std::string& key) {
  return coordinate_name(key);
}

std::string check_numeric_value(const ParamDecl& decl, double v) {
  const bool integer = decl.type == ParamType::Integer;
  if (!std::isfinite(v)) return fmt::format("expected a finite number, got {}", v);
  if (integer && v != std::round(v)) return fmt::format("expected an integer, got {}", v);
  const ParamValue value = integer ? ParamValue(static_cast<std::int64_t>(std::llround(v))) : ParamValue(v);
  if (!decl.check(value).empty()) {
    return fmt::format("value {} is outside the parameter's range: expected {}", v, decl.expectation());
  }
  return "";
}

namespace {

const char* const kSweepKeyExpectation =
    "expected the dotted key of a numeric model parameter (model.X, scenario.NAME.model.X), "
    "intervention parameter (scenario.NAME.intervention.KIND.X) or site field (site.ID.X)";

// The declaration of a numeric sweepable key, or nullptr.
const ParamDecl* numeric_decl(const ExperimentSpec& base, const std::string& key) {
  const ParamDecl* decl = find_sweep_decl(base, split(key, '.'));
  if (decl == nullptr || (decl->type != ParamType::Real && decl->type != ParamType::Integer)) return nullptr;
  return decl;
}

std::string number_text(double v, bool integer) {
  if (integer) return fmt::format("{}", static_cast<std::int64_t>(std::llround(v)));
  return fmt::format("{}", v);
}

// A required number of a {from, to, step} or {min, max} table.
double required_number(TableReader& r, const char* name) {
  const auto* n = r.get(name);
  if (n == nullptr || !n->is_number()) r.expected(name, "a number");
  return *n->value<double>();
}

SweepMethod parse_method(TableReader& r) {
  const auto method = r.string("method");
  if (!method) r.expected("method", "one of \"grid\", \"lhs\", \"sobol\", \"morris\", \"points\"");
  const std::vector<std::string> methods{"grid", "lhs", "sobol", "morris", "points"};
  if (*method == "grid") return SweepMethod::Grid;
  if (*method == "lhs") return SweepMethod::Lhs;
  if (*method == "sobol") return SweepMethod::Sobol;
  if (*method == "morris") return SweepMethod::Morris;
  if (*method == "points") return SweepMethod::Points;
  r.fail("method", fmt::format("expected one of grid, lhs, sobol, morris, points, got \"{}\"{}", *method,
                               did_you_mean(*method, methods)));
}

// The keys of [sweep.parameters] in the order they are written (toml++
// tables are sorted by key).
std::vector<std::pair<std::string, const toml::node*>> in_written_order(const toml::table& params) {
  std::vector<std::pair<std::string, const toml::node*>> ordered;
  for (const auto& [k, node] : params) ordered.emplace_back(std::string(k.str()), &node);
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    const auto& sa = params.get(a.first) ? (*params.find(a.first)).first.source() : toml::source_region{};
    const auto& sb = params.get(b.first) ? (*params.find(b.first)).first.source() : toml::source_region{};
    return std::tie(sa.begin.line, sa.begin.column) < std::tie(sb.begin.line, sb.begin.column);
  });
  return ordered;
}

// Grid levels: a list of values or {from, to, step}.
void parse_levels(SweepParameter& p, const toml::node& node, TableReader& pr) {
  if (const auto* arr = node.as_array()) {
    for (const auto& item : *arr) {
      if (!item.is_number())
        pr.fail(p.key, fmt::format("expected a list of numbers, got an element {}", describe_node(item)));
      p.values.push_back(*item.value<double>());
    }
  } else if (const auto* t = node.as_table()) {
    TableReader tr(*t, "sweep.parameters." + p.key, pr.file());
    const double from = required_number(tr, "from"), to = required_number(tr, "to"),
                 step = required_number(tr, "step");
    tr.finish();
    if (!(step > 0) || to < from) tr.fail("step", "expected from <= to and step > 0");
    const double intervals = std::floor((to - from) / step + 1e-9);  // may be inf: compare, then convert
    if (!(intervals < static_cast<double>(kMaxGridValues))) tr.fail("step", "more than 100000 grid values");
    const auto count = static_cast<std::int64_t>(intervals) + 1;
    for (std::int64_t i = 0; i < count; ++i) p.values.push_back(from + static_cast<double>(i) * step);
  } else {
    pr.fail(p.key,
            fmt::format("expected a list of values or {{from, to, step}}, got {}", describe_node(node)));
  }
  if (p.values.empty()) pr.fail(p.key, "expected at least one value");
}

// A sampled range: {min, max} and optionally scale = "log".
void parse_range(SweepParameter& p, const toml::node& node, TableReader& pr) {
  const auto* t = node.as_table();
  if (t == nullptr)
    pr.fail(p.key, fmt::format("expected {{min, max}} (and optionally scale = \"log\"), got {}",
                               describe_node(node)));
  TableReader tr(*t, "sweep.parameters." + p.key, pr.file());
  p.min = required_number(tr, "min");
  p.max = required_number(tr, "max");
  const std::string scale_name = tr.string("scale").value_or("linear");
  if (scale_name != "linear" && scale_name != "log") tr.fail("scale", "expected \"linear\" or \"log\"");
  p.log_scale = scale_name == "log";
  tr.finish();
  if (!(p.max > p.min)) tr.fail("max", "expected max > min");
  if (p.log_scale && !(p.min > 0)) tr.fail("min", "a log scale needs min > 0");
}

SweepParameter parse_parameter(const std::string& key, const toml::node& node, bool ranged,
                               const ExperimentSpec& base, TableReader& pr) {
  const ParamDecl* decl = numeric_decl(base, key);
  if (decl == nullptr) pr.fail(key, kSweepKeyExpectation);
  SweepParameter p;
  p.key = key;
  p.coordinate = coordinate_name(key);
  p.integer = decl->type == ParamType::Integer;
  p.units = decl->unit;
  auto check_value = [&](double v) {
    const ParamValue value =
        p.integer ? ParamValue(static_cast<std::int64_t>(std::llround(v))) : ParamValue(v);
    if (!decl->check(value).empty() || (p.integer && v != std::round(v))) {
      pr.fail(key,
              fmt::format("value {} is outside the parameter's range: expected {}", v, decl->expectation()));
    }
  };
  if (!ranged) {
    parse_levels(p, node, pr);
    for (double v : p.values) check_value(v);
  } else {
    parse_range(p, node, pr);
    check_value(p.integer ? std::ceil(p.min) : p.min);
    check_value(p.integer ? std::floor(p.max) : p.max);
  }
  return p;
}

// Counted in floating point: a product of sizes must not wrap around below the limit.
double design_size(const SweepSpec& sweep) {
  double points = 1;
  const auto n_params = static_cast<double>(sweep.parameters.size());
  switch (sweep.method) {
    case SweepMethod::Grid:
      for (const auto& p : sweep.parameters) points *= static_cast<double>(p.values.size());
      break;
    case SweepMethod::Lhs:
      points = static_cast<double>(sweep.points);
      break;
    case SweepMethod::Sobol:
      points = static_cast<double>(sweep.base_points) * (n_params + 2);
      break;
    case SweepMethod::Morris:
      points = static_cast<double>(sweep.trajectories) * (n_params + 1);
      break;
    case SweepMethod::Points:
      points = static_cast<double>(sweep.design.points.size());
      break;
  }
  return points;
}

// ---- method = "points": a given list of parameter sets ----

// A new column of a points design for `key`; `fail` reports a bad key.
template <typename Fail>
SweepParameter points_column(const std::string& key, const ExperimentSpec& base,
                             std::vector<const ParamDecl*>& decls, Fail&& fail) {
  const ParamDecl* decl = numeric_decl(base, key);
  if (decl == nullptr) fail(kSweepKeyExpectation);
  SweepParameter p;
  p.key = key;
  p.coordinate = coordinate_name(key);
  p.integer = decl->type == ParamType::Integer;
  p.units = decl->unit;
  decls.push_back(decl);
  return p;
}

// A seed in [0, 2^63), written as a decimal integer.
std::optional<std::uint64_t> parse_seed(const std::string& text) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || v >= (std::uint64_t{1} << 63)) return {};
  return v;
}

constexpr const char* kSeedColumn = "seed";

// points_file: a CSV whose header names the keys (and optionally `seed`), one
// row per point. Every error names the CSV's file:line:col.
void read_points_csv(SweepSpec& sweep, const std::string& path, const ExperimentSpec& base) {
  const CsvTable csv = read_csv(path);
  std::vector<const ParamDecl*> decls;
  std::optional<std::size_t> seed_column;
  std::vector<std::size_t> param_columns;
  for (std::size_t c = 0; c < csv.header.size(); ++c) {
    const std::string& name = csv.header[c];
    auto fail = [&](const std::string& message) {
      throw ConfigError(fmt::format("{}:1:{}: column '{}': {}", path, csv.header_columns[c], name, message));
    };
    if (name == kSeedColumn) {
      if (seed_column) fail("the seed column is given twice");
      seed_column = c;
      continue;
    }
    for (const auto& p : sweep.parameters) {
      if (p.key == name) fail("the key is given twice");
    }
    sweep.parameters.push_back(points_column(name, base, decls, fail));
    param_columns.push_back(c);
  }
  if (sweep.parameters.empty()) {
    throw ConfigError(
        fmt::format("{}:1:1: expected a header of dotted parameter keys (as for --set), got none", path));
  }
  if (csv.rows.empty()) throw ConfigError(fmt::format("{}:2:1: expected at least one point, got none", path));
  if (csv.rows.size() > kMaxPoints) {
    throw ConfigError(fmt::format("{}:{}:1: more than 1000000 points", path, csv.row_lines[kMaxPoints]));
  }
  if (seed_column && !sweep.per_point_seeds) {
    throw ConfigError(fmt::format("{}:1:{}: column 'seed': needs seeds = \"per_point\" in [sweep]", path,
                                  csv.header_columns[*seed_column]));
  }
  for (std::size_t row = 0; row < csv.rows.size(); ++row) {
    auto cell_fail = [&](std::size_t c, const std::string& message) {
      throw ConfigError(fmt::format("{}:{}:{}: column '{}': {}", path, csv.row_lines[row],
                                    csv.row_columns[row][c], csv.header[c], message));
    };
    std::vector<double> point;
    for (std::size_t j = 0; j < param_columns.size(); ++j) {
      const std::string& cell = csv.rows[row][param_columns[j]];
      const auto v = parse_number(cell, csv.separator);
      if (!v) cell_fail(param_columns[j], fmt::format("expected a number, got '{}'", cell));
      const std::string problem = check_numeric_value(*decls[j], *v);
      if (!problem.empty()) cell_fail(param_columns[j], problem);
      point.push_back(*v);
    }
    if (seed_column) {
      const auto seed = parse_seed(csv.rows[row][*seed_column]);
      if (!seed) {
        cell_fail(*seed_column, fmt::format("expected an integer seed in [0, 2^63), got '{}'",
                                            csv.rows[row][*seed_column]));
      }
      sweep.design.seed.push_back(*seed);
    }
    sweep.design.points.push_back(std::move(point));
  }
}

// Inline: [sweep.parameters] "key" = [v0, v1, ...], columns of equal length
// (zipped, not crossed), and optionally point_seeds = [s0, s1, ...].
void read_points_inline(SweepSpec& sweep, const toml::table& params, TableReader& pr,
                        const ExperimentSpec& base, const toml::array* seeds, TableReader& r) {
  std::vector<const ParamDecl*> decls;
  std::vector<std::vector<double>> columns;
  for (const auto& [key, node] : in_written_order(params)) {
    (void)pr.get(key);
    const std::string& k = key;
    sweep.parameters.push_back(points_column(k, base, decls, [&](const std::string& m) { pr.fail(k, m); }));
    const auto* arr = node->as_array();
    if (arr == nullptr || arr->empty()) pr.expected(k, "a non-empty list of numbers (one per point)");
    std::vector<double> column;
    for (const auto& item : *arr) {
      if (!item.is_number())
        pr.fail(k, fmt::format("expected a list of numbers, got an element {}", describe_node(item)));
      const double v = *item.value<double>();
      const std::string problem = check_numeric_value(*decls.back(), v);
      if (!problem.empty()) pr.fail(k, fmt::format("point {}: {}", column.size(), problem));
      column.push_back(v);
    }
    if (!columns.empty() && column.size() != columns.front().size()) {
      const std::string& shorter = column.size() < columns.front().size() ? k : sweep.parameters.front().key;
      pr.fail(shorter,
              fmt::format("expected columns of equal length (one value per point): {} has {}, {} has {}",
                          sweep.parameters.front().key, columns.front().size(), k, column.size()));
    }
    columns.push_back(std::move(column));
  }
  const std::size_t n = columns.front().size();
  if (n > kMaxPoints) r.fail("parameters", "more than 1000000 points");
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> point;
    for (const auto& column : columns) point.push_back(column[i]);
    sweep.design.points.push_back(std::move(point));
  }
  if (seeds == nullptr) return;
  if (!sweep.per_point_seeds) r.fail("point_seeds", "needs seeds = \"per_point\"");
  if (seeds->size() != n) {
    r.fail("point_seeds", fmt::format("expected one seed per point ({}), got {}", n, seeds->size()));
  }
  for (const auto& item : *seeds) {
    const auto v = item.value<std::int64_t>();
    if (!item.is_integer() || !v || *v < 0)
      r.fail("point_seeds", fmt::format("expected integer seeds in [0, 2^63), got {}", describe_node(item)));
    sweep.design.seed.push_back(static_cast<std::uint64_t>(*v));
  }
}

// The rest of a points design: roles and, per point, its seed.
void finish_points(SweepSpec& sweep) {
  const std::size_t n = sweep.design.points.size();
  for (std::size_t i = 0; i < n; ++i) {
    sweep.design.role.emplace_back("sample");
    sweep.design.group.push_back(static_cast<std::int64_t>(i));
    sweep.design.factor.push_back(-1);
  }
  if (sweep.per_point_seeds && sweep.design.seed.empty()) {
    for (std::size_t i = 0; i < n; ++i) sweep.design.seed.push_back(derived_point_seed(sweep.seed, i));
  }
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    auto& p = sweep.parameters[j];
    p.min = p.max = sweep.design.points.front()[j];
    for (const auto& row : sweep.design.points) {
      p.min = std::min(p.min, row[j]);
      p.max = std::max(p.max, row[j]);
    }
  }
}

void parse_points(SweepSpec& sweep, TableReader& r, const ExperimentSpec& base, const std::string& file) {
  const std::string seeds = r.string("seeds").value_or("common");
  if (seeds != "common" && seeds != "per_point") {
    r.fail("seeds", fmt::format("expected \"common\" or \"per_point\", got \"{}\"", seeds));
  }
  sweep.per_point_seeds = seeds == "per_point";
  const auto points_file = r.string("points_file");
  const toml::table* params = r.table("parameters");
  const toml::node* seeds_node = r.get("point_seeds");
  if (seeds_node != nullptr && !seeds_node->is_array()) r.expected("point_seeds", "a list of integer seeds");
  r.finish();
  if (points_file) {
    if (params != nullptr) r.fail("parameters", "give either points_file or [sweep.parameters], not both");
    if (seeds_node != nullptr) r.fail("point_seeds", "with points_file, seeds are its `seed` column");
    namespace fs = std::filesystem;
    fs::path p(*points_file);
    if (p.is_relative()) p = fs::path(file).parent_path() / p;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) r.fail("points_file", fmt::format("{}: no such file", p.string()));
    sweep.points_file = p.lexically_normal().string();
    try {
      read_points_csv(sweep, sweep.points_file, base);
    } catch (const ConfigError& e) {
      throw ConfigError(std::string(e.what()) + " (sweep.points_file at " + r.where("points_file").str() +
                        ")");
    }
  } else {
    if (params == nullptr || params->empty()) {
      r.expected("parameters",
                 "points_file = \"FILE.csv\" or a table of columns, e.g. \"model.mu\" = [0.1, 0.2]");
    }
    TableReader pr(*params, "sweep.parameters", file);
    read_points_inline(sweep, *params, pr, base, seeds_node != nullptr ? seeds_node->as_array() : nullptr, r);
  }
  finish_points(sweep);
}

}  // namespace

SweepSpec parse_sweep(const toml::table& table, const ExperimentSpec& base, const std::string& file) {
  TableReader r(table, "sweep", file);
  SweepSpec sweep;
  sweep.method = parse_method(r);
  const std::string method = method_name(sweep.method);
  sweep.seed =
      static_cast<std::uint64_t>(r.integer("seed", 0).value_or(static_cast<std::int64_t>(base.seed)));
  auto require = [&](const char* key, std::int64_t min, bool needed) -> std::int64_t {
    auto v = r.integer(key, min);
    if (needed && !v) r.expected(key, fmt::format("an integer >= {}", min));
    if (!needed && v) r.fail(key, fmt::format("not used by method \"{}\"", method));
    return v.value_or(0);
  };
  sweep.points = require("points", 2, sweep.method == SweepMethod::Lhs);
  sweep.base_points = require("base_points", 2, sweep.method == SweepMethod::Sobol);
  sweep.trajectories = require("trajectories", 2, sweep.method == SweepMethod::Morris);
  sweep.levels =
      sweep.method == SweepMethod::Morris ? r.integer("levels", 2).value_or(4) : require("levels", 2, false);
  if (sweep.method == SweepMethod::Points) {
    parse_points(sweep, r, base, file);
    return sweep;
  }
  for (const char* key : {"seeds", "points_file", "point_seeds"}) {
    if (r.get(key) != nullptr) r.fail(key, fmt::format("not used by method \"{}\"", method));
  }
  const toml::table* params = r.table("parameters");
  if (params == nullptr || params->empty())
    r.expected("parameters", "a table of swept keys, e.g. \"model.mu\" = [0.1, 0.2]");
  r.finish();
  TableReader pr(*params, "sweep.parameters", file);
  for (const auto& [key, node] : in_written_order(*params)) {
    (void)pr.get(key);
    sweep.parameters.push_back(parse_parameter(key, *node, sweep.method != SweepMethod::Grid, base, pr));
  }
  const double points = design_size(sweep);
  if (points > static_cast<double>(kMaxPoints)) {
    r.fail("method", fmt::format("the design has {:.0f} points; at most 1000000 are supported", points));
  }
  build_design(sweep);
  return sweep;
}

std::vector<std::string> point_assignments(const SweepSpec& sweep, std::size_t point) {
  std::vector<std::string> out;
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    const auto& p = sweep.parameters[j];
    out.push_back(p.key + "=" + number_text(sweep.design.points[point][j], p.integer));
  }
  return out;
}

toml::table resolved_sweep(const SweepSpec& sweep) {
  toml::table t;
  t.insert("method", method_name(sweep.method));
  t.insert("seed", static_cast<std::int64_t>(sweep.seed));
  if (sweep.points) t.insert("points", sweep.points);
  if (sweep.base_points) t.insert("base_points", sweep.base_points);
  if (sweep.trajectories) t.insert("trajectories", sweep.trajectories);
  if (sweep.method == SweepMethod::Morris) t.insert("levels", sweep.levels);
  if (sweep.method == SweepMethod::Points) {
    // The points themselves (not the CSV's name): resuming with another list is refused.
    t.insert("seeds", sweep.per_point_seeds ? "per_point" : "common");
    if (sweep.per_point_seeds) {
      toml::array seeds;
      for (auto s : sweep.design.seed) seeds.push_back(static_cast<std::int64_t>(s));
      t.insert("point_seeds", std::move(seeds));
    }
  }
  toml::table params;
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    const auto& p = sweep.parameters[j];
    if (sweep.method == SweepMethod::Points) {
      toml::array values;
      for (const auto& row : sweep.design.points) {
        if (p.integer)
          values.push_back(static_cast<std::int64_t>(std::llround(row[j])));
        else
          values.push_back(row[j]);
      }
      params.insert(p.key, std::move(values));
    } else if (sweep.method == SweepMethod::Grid) {
      toml::array values;
      for (double v : p.values) {
        if (p.integer)
          values.push_back(static_cast<std::int64_t>(std::llround(v)));
        else
          values.push_back(v);
      }
      params.insert(p.key, std::move(values));
    } else {
      toml::table range;
      range.insert("min", p.min);
      range.insert("max", p.max);
      range.insert("scale", p.log_scale ? "log" : "linear");
      params.insert(p.key, std::move(range));
    }
  }
  t.insert("parameters", std::move(params));
  return t;
}

}  // namespace atc::sim
