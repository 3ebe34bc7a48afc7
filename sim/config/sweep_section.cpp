#include "sim/config/sweep_section.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>
#include <utility>

#include "sim/config/toml_reader.hpp"
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

// The declaration a sweep key addresses, or nullptr when the key cannot be swept.
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
  if (!method) r.expected("method", "one of \"grid\", \"lhs\", \"sobol\", \"morris\"");
  const std::vector<std::string> methods{"grid", "lhs", "sobol", "morris"};
  if (*method == "grid") return SweepMethod::Grid;
  if (*method == "lhs") return SweepMethod::Lhs;
  if (*method == "sobol") return SweepMethod::Sobol;
  if (*method == "morris") return SweepMethod::Morris;
  r.fail("method", fmt::format("expected one of grid, lhs, sobol, morris, got \"{}\"{}", *method,
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
  const ParamDecl* decl = find_sweep_decl(base, split(key, '.'));
  if (decl == nullptr || (decl->type != ParamType::Real && decl->type != ParamType::Integer)) {
    pr.fail(key,
            "expected the dotted key of a numeric model parameter (model.X, scenario.NAME.model.X), "
            "intervention parameter (scenario.NAME.intervention.KIND.X) or site field (site.ID.X)");
  }
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
  }
  return points;
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
  toml::table params;
  for (const auto& p : sweep.parameters) {
    if (sweep.method == SweepMethod::Grid) {
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
