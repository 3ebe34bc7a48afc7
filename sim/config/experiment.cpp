#include "sim/config/experiment.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <tuple>

#include "sim/config/csv.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

namespace fs = std::filesystem;

std::vector<std::int64_t> ExperimentSpec::recorded_steps() const {
  std::vector<std::int64_t> out;
  for (std::int64_t s = 0; s <= steps; s += output.every) out.push_back(s);
  if (out.back() != steps) out.push_back(steps);
  return out;
}

namespace {

constexpr int kMaxIncludeDepth = 8;

toml::table parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    Location loc{path, e.source().begin.line, e.source().begin.column};
    throw ConfigError(fmt::format("{}: syntax error: {}", loc.str(), e.description()));
  }
}

// Keys of `src` (an included file) that `dst` lacks are copied; tables merge
// recursively; anything `dst` already has wins.
// Nodes are moved, not copied: toml++ keeps a node's source position (file,
// line, column) only when it is moved, and error messages need it.
void merge_missing(toml::table& dst, toml::table& src) {
  for (auto&& [key, node] : src) {
    auto* existing = dst.get(key);
    if (existing == nullptr) {
      dst.insert(key, std::move(node));
    } else if (existing->is_table() && node.is_table()) {
      merge_missing(*existing->as_table(), *node.as_table());
    }
  }
}

toml::table load_with_includes(const std::string& path, int depth) {
  if (depth > kMaxIncludeDepth) {
    throw ConfigError(
        fmt::format("{}: include: includes nested more than {} deep (a cycle?)", path, kMaxIncludeDepth));
  }
  toml::table root = parse_toml_file(path);
  const toml::node* include = root.get("include");
  if (include == nullptr) return root;
  std::vector<std::pair<std::string, Location>> files;
  auto add = [&](const toml::node& node) {
    if (!node.is_string()) {
      config_fail(location_of(node, path), "include",
                  fmt::format("expected a file name or a list of file names, got {}", describe_node(node)));
    }
    files.emplace_back(*node.value<std::string>(), location_of(node, path));
  };
  if (const auto* arr = include->as_array()) {
    for (const auto& item : *arr) add(item);
  } else {
    add(*include);
  }
  const fs::path base = fs::path(path).parent_path();
  root.erase("include");
  for (const auto& [name, loc] : files) {
    const fs::path resolved = base / name;
    std::error_code ec;  // e.g. "File name too long": a located error, not an exception
    if (!fs::is_regular_file(resolved, ec)) {
      config_fail(loc, "include",
                  ec ? fmt::format("cannot use file '{}': {}", one_line(name, 80), ec.message())
                     : fmt::format("file '{}' not found (looked for {})", name,
                                   resolved.lexically_normal().string()));
    }
    toml::table included = load_with_includes(resolved.lexically_normal().string(), depth + 1);
    merge_missing(root, included);
  }
  return root;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) out.push_back(part);
  return out;
}

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

struct Loader {
  const ModelRegistry& registry;
  std::string file;
  ExperimentSpec spec;
  toml::table resolved;

  void experiment_section(TableReader& root);
  const ModelDescription& model_section(TableReader& root);
  void scenarios(TableReader& root);
  void sites(TableReader& root);
  void apply_site_overrides(const CsvTable& csv);
  void output(TableReader& root, bool check_path);
  InterventionSpec intervention(const toml::table& table, const std::string& prefix);
  std::int64_t time_key(TableReader& r, const std::string& kind, bool start);
  void check_params(const ParamSet& params, TableReader& where, const std::string& label);
};

void Loader::experiment_section(TableReader& root) {
  static const toml::table kEmpty;
  const toml::table* t = root.table("experiment");
  TableReader r(t != nullptr ? *t : kEmpty, "experiment", file);
  spec.name = r.string("name").value_or(fs::path(file).stem().string());
  if (spec.name.empty()) r.fail("name", "expected a non-empty string");
  const auto steps = r.integer("steps", 1);
  spec.replicates = r.integer("replicates", 1).value_or(1);
  if (spec.replicates > 1'000'000) r.fail("replicates", "expected at most 1000000 replicates");
  const auto seed = r.integer("seed", 0);
  spec.seed = static_cast<std::uint64_t>(seed.value_or(1));
  spec.start_date = r.date("start_date").value_or(Date{2019, 9, 2});
  const auto step_days = r.integer("step_days", 1);
  // Bounded before the narrowing: 4294967296 became a step of 0 days (a division by zero).
  if (step_days && *step_days > 36'525) r.fail("step_days", "expected at most 36525 days (100 years)");
  spec.step_days = static_cast<int>(step_days.value_or(spec.model->default_step_days));
  const auto end_date = r.date("end_date");
  if (steps && end_date) r.fail("end_date", "give either experiment.steps or experiment.end_date, not both");
  if (end_date) {
    const std::int64_t days = end_date->days_since_epoch() - spec.start_date.days_since_epoch();
    if (days <= 0)
      r.fail("end_date", fmt::format("expected a date after start_date ({})", spec.start_date.iso()));
    spec.steps = (days + spec.step_days - 1) / spec.step_days;
  } else {
    spec.steps = steps.value_or(spec.model->default_steps);
  }
  if (spec.steps > 100'000'000) r.fail("steps", "expected at most 100000000 steps");
  r.finish();

  toml::table e;
  e.insert("name", spec.name);
  e.insert("steps", spec.steps);
  e.insert("replicates", spec.replicates);
  e.insert("seed", static_cast<std::int64_t>(spec.seed));
  e.insert("start_date", toml::date{spec.start_date.year, spec.start_date.month, spec.start_date.day});
  e.insert("step_days", spec.step_days);
  resolved.insert("experiment", std::move(e));
}

void Loader::check_params(const ParamSet& params, TableReader& where, const std::string& label) {
  if (!spec.model->check) return;
  for (const auto& problem : spec.model->check(params)) {
    where.fail(problem.key, problem.message + label);
  }
}

const ModelDescription& Loader::model_section(TableReader& root) {
  const toml::table* t = root.table("model");
  if (t == nullptr)
    root.fail("model", "missing required table [model] (with name = \"...\"; see `atcsim describe`)");
  TableReader r(*t, "model", file);
  const auto name = r.string("name");
  if (!name) r.expected("name", "a model name (see `atcsim describe`)");
  const ModelDescription* model = registry.find(*name);
  if (model == nullptr) {
    const auto known = registry.names();
    r.fail("name", fmt::format("unknown model '{}'{}; known models: {}", *name, did_you_mean(*name, known),
                               join(known, ", ")));
  }
  return *model;
}

std::int64_t Loader::time_key(TableReader& r, const std::string& kind, bool start) {
  const std::string which = start ? "start" : "end";
  const auto step = r.integer(which + "_step", 0);
  const auto week = r.integer(which + "_week", 0);
  const auto date = r.date(which + "_date");
  const int given = (step ? 1 : 0) + (week ? 1 : 0) + (date ? 1 : 0);
  if (given > 1) {
    r.fail(which + "_week", fmt::format("give one of {0}_step, {0}_week or {0}_date", which));
  }
  if (step) return *step;
  if (week) return *week > INT64_MAX / 7 ? INT64_MAX : (*week * 7) / spec.step_days;  // past any end: never
  if (date) {
    const std::int64_t days = date->days_since_epoch() - spec.start_date.days_since_epoch();
    if (days < 0) {
      r.fail(which + "_date", fmt::format("{} of '{}' is before the experiment starts ({})", which, kind,
                                          spec.start_date.iso()));
    }
    return days / spec.step_days;
  }
  return start ? 0 : INT64_MAX;
}

InterventionSpec Loader::intervention(const toml::table& table, const std::string& prefix) {
  TableReader r(table, prefix, file);
  InterventionSpec out;
  const auto kind = r.string("kind");
  if (!kind) r.expected("kind", "an intervention kind");
  const InterventionDecl* decl = spec.model->find_intervention(*kind);
  if (decl == nullptr) {
    std::vector<std::string> kinds;
    for (const auto& i : spec.model->interventions) kinds.push_back(i.kind);
    r.fail("kind", kinds.empty() ? fmt::format("model '{}' has no interventions", spec.model->name)
                                 : fmt::format("unknown intervention kind '{}'{}; known kinds: {}", *kind,
                                               did_you_mean(*kind, kinds), join(kinds, ", ")));
  }
  out.kind = *kind;
  out.start_step = time_key(r, *kind, true);
  out.end_step = time_key(r, *kind, false);
  if (out.end_step <= out.start_step) r.fail("end_week", "the intervention must end after it starts");
  out.sites = r.string_list("sites").value_or(std::vector<std::string>{});
  out.params = ParamSet(&decl->params);
  for (std::size_t i = 0; i < decl->params.size(); ++i) {
    if (auto v = r.param(decl->params[i])) out.params.set(i, std::move(*v));
  }
  r.finish();
  return out;
}

void Loader::scenarios(TableReader& root) {
  const toml::array* arr = root.array_of_tables("scenario");
  toml::array resolved_scenarios;
  if (arr == nullptr) {
    ScenarioSpec s;
    s.name = "default";
    s.params = spec.params;
    spec.scenarios.push_back(std::move(s));
  } else {
    std::set<std::string> names;
    for (std::size_t k = 0; k < arr->size(); ++k) {
      const auto& table = *arr->get(k)->as_table();
      const std::string prefix = fmt::format("scenario[{}]", k);
      TableReader r(table, prefix, file);
      ScenarioSpec s;
      const auto name = r.string("name");
      if (!name) r.expected("name", "a scenario name");
      s.name = *name;
      const bool valid_name = !s.name.empty() && std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
      if (!valid_name)
        r.fail("name", fmt::format("expected a name of letters, digits, '_', '-', '.', got \"{}\"", s.name));
      if (!names.insert(s.name).second) r.fail("name", fmt::format("scenario '{}' is defined twice", s.name));
      s.description = r.string("description").value_or("");
      s.params = spec.params;
      toml::table resolved_model;
      if (const toml::table* m = r.table("model")) {
        TableReader mr(*m, prefix + ".model", file);
        for (std::size_t i = 0; i < spec.model->params.size(); ++i) {
          if (auto v = mr.param(spec.model->params[i])) {
            insert_value(resolved_model, spec.model->params[i].name, *v);
            s.params.set(i, std::move(*v));
          }
        }
        mr.finish();
        check_params(s.params, mr, fmt::format(" (in scenario '{}')", s.name));
      }
      toml::array resolved_interventions;
      if (const toml::array* interventions = r.array_of_tables("intervention")) {
        for (std::size_t j = 0; j < interventions->size(); ++j) {
          auto iv =
              intervention(*interventions->get(j)->as_table(), fmt::format("{}.intervention[{}]", prefix, j));
          toml::table t;
          t.insert("kind", iv.kind);
          t.insert("start_step", iv.start_step);
          if (iv.end_step != INT64_MAX) t.insert("end_step", iv.end_step);
          if (!iv.sites.empty()) {
            toml::array sites;
            for (const auto& site : iv.sites) sites.push_back(site);
            t.insert("sites", std::move(sites));
          }
          for (std::size_t i = 0; i < iv.params.size(); ++i) {
            const ParamDecl& decl = iv.params.decls()[i];
            // A default the model picks at run time is not written: re-running
            // the resolved config must let the model pick it again.
            if (decl.model_default && !iv.params.was_set(decl.name)) continue;
            insert_value(t, decl.name, iv.params.value(i));
          }
          resolved_interventions.push_back(std::move(t));
          s.interventions.push_back(std::move(iv));
        }
      }
      r.finish();
      toml::table rs;
      rs.insert("name", s.name);
      if (!s.description.empty()) rs.insert("description", s.description);
      if (!resolved_model.empty()) rs.insert("model", std::move(resolved_model));
      if (!resolved_interventions.empty()) rs.insert("intervention", std::move(resolved_interventions));
      resolved_scenarios.push_back(std::move(rs));
      spec.scenarios.push_back(std::move(s));
    }
  }
  if (!resolved_scenarios.empty()) resolved.insert("scenario", std::move(resolved_scenarios));
}

void Loader::sites(TableReader& root) {
  const auto& decls = spec.model->site_fields;
  const toml::array* arr = root.array_of_tables("site");
  toml::array resolved_sites;
  auto default_provenance = [&](const ParamDecl& d) { return d.source; };
  if (arr == nullptr) {
    SiteSpec s;
    if (!decls.empty()) {
      s.id = "example";
      s.name = "Example site (built-in profile)";
    }
    s.fields = ParamSet(&decls);
    for (const auto& d : decls) s.provenance.push_back(default_provenance(d));
    spec.sites.push_back(std::move(s));
  } else {
    std::set<std::string> ids;
    for (std::size_t k = 0; k < arr->size(); ++k) {
      const std::string prefix = fmt::format("site[{}]", k);
      TableReader r(*arr->get(k)->as_table(), prefix, file);
      SiteSpec s;
      const auto id = r.string("id");
      if (!id || id->empty()) r.expected("id", "a site id (a non-empty string)");
      s.id = *id;
      if (!ids.insert(s.id).second) r.fail("id", fmt::format("site '{}' is defined twice", s.id));
      s.name = r.string("name").value_or(s.id);
      s.code = r.string("code").value_or("");
      s.network = r.string("network").value_or("");
      s.notes = r.string("notes").value_or("");
      s.fields = ParamSet(&decls);
      s.provenance.assign(decls.size(), "");
      for (std::size_t i = 0; i < decls.size(); ++i) {
        if (auto v = r.param(decls[i])) {
          s.fields.set(i, std::move(*v));
          s.provenance[i] = "config";
        } else {
          s.provenance[i] = default_provenance(decls[i]);
        }
      }
      if (const toml::table* prov = r.table("provenance")) {
        TableReader pr(*prov, prefix + ".provenance", file);
        for (std::size_t i = 0; i < decls.size(); ++i) {
          if (auto label = pr.string(decls[i].name)) s.provenance[i] = *label;
        }
        pr.finish();
      }
      r.finish();
      spec.sites.push_back(std::move(s));
    }
  }
  if (const toml::table* sites_table = root.table("sites")) {
    TableReader sr(*sites_table, "sites", file);
    if (auto csv = sr.string("overrides")) {
      const fs::path base = fs::path(location_of(*sites_table->get("overrides"), file).file).parent_path();
      const fs::path csv_path = (base / *csv).lexically_normal();
      std::error_code ec;  // e.g. "File name too long": a located error, not an exception
      if (!fs::is_regular_file(csv_path, ec)) {
        sr.fail("overrides",
                ec ? fmt::format("cannot use file '{}': {}", one_line(*csv, 80), ec.message())
                   : fmt::format("file '{}' not found (looked for {})", *csv, csv_path.string()));
      }
      apply_site_overrides(read_csv(csv_path.string()));
    }
    sr.finish();
  }
  for (const auto& s : spec.sites) {
    toml::table t;
    t.insert("id", s.id);
    t.insert("name", s.name);
    if (!s.code.empty()) t.insert("code", s.code);
    if (!s.network.empty()) t.insert("network", s.network);
    if (!s.notes.empty()) t.insert("notes", s.notes);
    toml::table prov;
    for (std::size_t i = 0; i < decls.size(); ++i) {
      insert_value(t, decls[i].name, s.fields.value(i));
      prov.insert(decls[i].name, s.provenance[i]);
    }
    if (!prov.empty()) t.insert("provenance", std::move(prov));
    resolved_sites.push_back(std::move(t));
  }
  resolved.insert("site", std::move(resolved_sites));
}

// Official statistics (e.g. Insee per-QPV key figures) override site fields:
// rows match sites by QPV code, columns match field names or their declared
// aliases, empty cells keep the config's value, and every value taken is
// marked "qpv-official". Columns that match no field are ignored.
void Loader::apply_site_overrides(const CsvTable& csv) {
  const auto& decls = spec.model->site_fields;
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
                                  spec.model->name, join(names, ", ")));
  }
  std::set<std::string> seen;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    const std::string& code = row[*code_column];
    if (code.empty()) continue;
    if (!seen.insert(code).second) {
      throw ConfigError(fmt::format("{}:{}: QPV code '{}' appears twice", csv.path, csv.row_lines[r], code));
    }
    for (auto& site : spec.sites) {
      if (site.code != code) continue;
      for (const auto& m : mappings) {
        const std::string& cell = row[m.column];
        if (cell.empty()) continue;
        const ParamDecl& decl = decls[m.field];
        const auto number = parse_number(cell, csv.separator);
        if (!number) {
          throw ConfigError(fmt::format("{}:{}: column '{}' (QPV {}): expected a number, got '{}'", csv.path,
                                        csv.row_lines[r], one_line(csv.header[m.column], 80),
                                        one_line(code, 80), one_line(cell, 80)));
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

void Loader::output(TableReader& root, bool check_path) {
  static const toml::table kEmpty;
  const toml::table* t = root.table("output");
  TableReader r(t != nullptr ? *t : kEmpty, "output", file);
  spec.output.path = r.string("path").value_or("out/" + spec.name + ".h5");
  if (spec.output.path.empty()) r.fail("path", "expected a file path");
  spec.output.every = r.integer("every", 1).value_or(1);
  std::vector<std::string> all;
  for (const auto& ind : spec.model->indicators) all.push_back(ind.name);
  if (auto record = r.string_list("record")) {
    std::set<std::string> wanted;
    for (const auto& name : *record) {
      if (spec.model->find_indicator(name) == nullptr) {
        r.fail("record", fmt::format("unknown indicator '{}'{}; model '{}' records: {}", name,
                                     did_you_mean(name, all), spec.model->name, join(all, ", ")));
      }
      wanted.insert(name);
    }
    for (const auto& name : all) {
      if (wanted.count(name) != 0) spec.output.record.push_back(name);
    }
  } else {
    spec.output.record = all;
  }
  r.finish();
  if (check_path) {
    const fs::path out(spec.output.path);
    std::error_code ec;
    if (fs::is_directory(out, ec))
      r.fail("path", fmt::format("'{}' is a directory; expected a file path", spec.output.path));
    const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
      r.fail("path", fmt::format("cannot create the output directory '{}': {}", dir.string(),
                                 ec ? ec.message() : "not a directory"));
    }
    if (::access(dir.c_str(), W_OK) != 0) {
      r.fail("path", fmt::format("the output directory '{}' is not writable", dir.string()));
    }
  }
  toml::table o;
  o.insert("path", spec.output.path);
  o.insert("every", spec.output.every);
  toml::array rec;
  for (const auto& n : spec.output.record) rec.push_back(n);
  o.insert("record", std::move(rec));
  resolved.insert("output", std::move(o));
}

}  // namespace

namespace {

// Validates one complete config table. The resolved config (every default
// written out) goes to `resolved`; spec.resolved_toml is left for the caller
// to render once.
ExperimentSpec load_table(const toml::table& root, const std::string& path, const ModelRegistry& registry,
                          bool check_output_path, toml::table& resolved) {
  Loader loader{registry, path, {}, {}};
  loader.spec.config_path = path;
  TableReader r(root, "", path);
  const ModelDescription& model = loader.model_section(r);
  loader.spec.model = &model;
  loader.experiment_section(r);

  // Base parameters: defaults, then [model].
  {
    TableReader mr(*root.get("model")->as_table(), "model", path);
    (void)mr.get("name");
    loader.spec.params = ParamSet(&model.params);
    toml::table m;
    m.insert("name", model.name);
    for (std::size_t i = 0; i < model.params.size(); ++i) {
      if (auto v = mr.param(model.params[i])) loader.spec.params.set(i, std::move(*v));
      insert_value(m, model.params[i].name, loader.spec.params.value(i));
    }
    mr.finish();
    loader.check_params(loader.spec.params, mr, "");
    loader.resolved.insert("model", std::move(m));
  }
  loader.sites(r);
  loader.scenarios(r);
  loader.output(r, check_output_path);
  (void)r.get("sweep");  // handled by load_experiment
  r.finish();

  // Interventions may only name sites that exist.
  for (std::size_t k = 0; k < loader.spec.scenarios.size(); ++k) {
    for (const auto& iv : loader.spec.scenarios[k].interventions) {
      for (const auto& id : iv.sites) {
        const bool exists = std::any_of(loader.spec.sites.begin(), loader.spec.sites.end(),
                                        [&](const SiteSpec& s) { return s.id == id; });
        if (!exists) {
          std::vector<std::string> ids;
          for (const auto& s : loader.spec.sites) ids.push_back(s.id);
          throw ConfigError(fmt::format("{}: scenario '{}': intervention '{}' names unknown site '{}'{}",
                                        path, loader.spec.scenarios[k].name, iv.kind, id,
                                        did_you_mean(id, ids)));
        }
      }
    }
  }

  resolved = std::move(loader.resolved);
  return std::move(loader.spec);
}

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

SweepSpec parse_sweep(const toml::table& table, const ExperimentSpec& base, const std::string& file) {
  TableReader r(table, "sweep", file);
  SweepSpec sweep;
  const auto method = r.string("method");
  if (!method) r.expected("method", "one of \"grid\", \"lhs\", \"sobol\", \"morris\"");
  const std::vector<std::string> methods{"grid", "lhs", "sobol", "morris"};
  if (*method == "grid")
    sweep.method = SweepMethod::Grid;
  else if (*method == "lhs")
    sweep.method = SweepMethod::Lhs;
  else if (*method == "sobol")
    sweep.method = SweepMethod::Sobol;
  else if (*method == "morris")
    sweep.method = SweepMethod::Morris;
  else
    r.fail("method", fmt::format("expected one of grid, lhs, sobol, morris, got \"{}\"{}", *method,
                                 did_you_mean(*method, methods)));
  sweep.seed =
      static_cast<std::uint64_t>(r.integer("seed", 0).value_or(static_cast<std::int64_t>(base.seed)));
  const bool ranged = sweep.method != SweepMethod::Grid;
  auto require = [&](const char* key, std::int64_t min, bool needed) -> std::int64_t {
    auto v = r.integer(key, min);
    if (needed && !v) r.expected(key, fmt::format("an integer >= {}", min));
    if (!needed && v) r.fail(key, fmt::format("not used by method \"{}\"", *method));
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
  // Parameters in the order they are written (toml++ tables are sorted by key).
  std::vector<std::pair<std::string, const toml::node*>> ordered;
  for (const auto& [k, node] : *params) ordered.emplace_back(std::string(k.str()), &node);
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
    const auto& sa = params->get(a.first) ? (*params->find(a.first)).first.source() : toml::source_region{};
    const auto& sb = params->get(b.first) ? (*params->find(b.first)).first.source() : toml::source_region{};
    return std::tie(sa.begin.line, sa.begin.column) < std::tie(sb.begin.line, sb.begin.column);
  });
  for (const auto& entry : ordered) {
    const std::string& key = entry.first;  // not a structured binding: lambdas below capture it (clang 14)
    const toml::node& node = *entry.second;
    (void)pr.get(key);
    std::vector<std::string> seg;
    {
      std::string part;
      std::istringstream in(key);
      while (std::getline(in, part, '.')) seg.push_back(part);
    }
    const ParamDecl* decl = find_sweep_decl(base, seg);
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
        pr.fail(key, fmt::format("value {} is outside the parameter's range: expected {}", v,
                                 decl->expectation()));
      }
    };
    if (!ranged) {
      if (const auto* arr = node.as_array()) {
        for (const auto& item : *arr) {
          if (!item.is_number())
            pr.fail(key, fmt::format("expected a list of numbers, got an element {}", describe_node(item)));
          p.values.push_back(*item.value<double>());
        }
      } else if (const auto* t = node.as_table()) {
        TableReader tr(*t, "sweep.parameters." + key, file);
        auto number = [&](const char* name) {
          const auto* n = tr.get(name);
          if (n == nullptr || !n->is_number()) tr.expected(name, "a number");
          return *n->value<double>();
        };
        const double from = number("from"), to = number("to"), step = number("step");
        tr.finish();
        if (!(step > 0) || to < from) tr.fail("step", "expected from <= to and step > 0");
        const double intervals = std::floor((to - from) / step + 1e-9);  // may be inf: compare, then convert
        if (!(intervals < 100000)) tr.fail("step", "more than 100000 grid values");
        const auto count = static_cast<std::int64_t>(intervals) + 1;
        for (std::int64_t i = 0; i < count; ++i) p.values.push_back(from + static_cast<double>(i) * step);
      } else {
        pr.fail(key,
                fmt::format("expected a list of values or {{from, to, step}}, got {}", describe_node(node)));
      }
      if (p.values.empty()) pr.fail(key, "expected at least one value");
      for (double v : p.values) check_value(v);
    } else {
      const auto* t = node.as_table();
      if (t == nullptr)
        pr.fail(key, fmt::format("expected {{min, max}} (and optionally scale = \"log\"), got {}",
                                 describe_node(node)));
      TableReader tr(*t, "sweep.parameters." + key, file);
      auto number = [&](const char* name) {
        const auto* n = tr.get(name);
        if (n == nullptr || !n->is_number()) tr.expected(name, "a number");
        return *n->value<double>();
      };
      p.min = number("min");
      p.max = number("max");
      const std::string scale_name = tr.string("scale").value_or("linear");
      if (scale_name != "linear" && scale_name != "log") tr.fail("scale", "expected \"linear\" or \"log\"");
      p.log_scale = scale_name == "log";
      tr.finish();
      if (!(p.max > p.min)) tr.fail("max", "expected max > min");
      if (p.log_scale && !(p.min > 0)) tr.fail("min", "a log scale needs min > 0");
      check_value(p.integer ? std::ceil(p.min) : p.min);
      check_value(p.integer ? std::floor(p.max) : p.max);
    }
    sweep.parameters.push_back(std::move(p));
  }
  // Counted in floating point: a product of sizes must not wrap around below the limit.
  double expected_points = 1;
  const auto n_params = static_cast<double>(sweep.parameters.size());
  switch (sweep.method) {
    case SweepMethod::Grid:
      for (const auto& p : sweep.parameters) expected_points *= static_cast<double>(p.values.size());
      break;
    case SweepMethod::Lhs:
      expected_points = static_cast<double>(sweep.points);
      break;
    case SweepMethod::Sobol:
      expected_points = static_cast<double>(sweep.base_points) * (n_params + 2);
      break;
    case SweepMethod::Morris:
      expected_points = static_cast<double>(sweep.trajectories) * (n_params + 1);
      break;
  }
  if (expected_points > 1'000'000) {
    r.fail("method",
           fmt::format("the design has {:.0f} points; at most 1000000 are supported", expected_points));
  }
  build_design(sweep);
  return sweep;
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

}  // namespace

ExperimentSpec load_experiment(const std::string& path, const ModelRegistry& registry,
                               const LoadOptions& options) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ConfigError(fmt::format("{}: config file not found", path));
  if (!fs::is_regular_file(path, ec)) throw ConfigError(fmt::format("{}: not a regular file", path));
  toml::table root = load_with_includes(path, 0);
  for (const auto& assignment : options.overrides) apply_override(root, assignment);

  toml::table resolved;
  ExperimentSpec spec = load_table(root, path, registry, options.check_output_path, resolved);
  const toml::node* sweep_node = root.get("sweep");
  if (sweep_node == nullptr) {
    spec.resolved_toml = to_toml(resolved);
    return spec;
  }
  if (!sweep_node->is_table()) {
    config_fail(location_of(*sweep_node, path), "sweep", "expected a table ([sweep])");
  }
  SweepSpec sweep = parse_sweep(*sweep_node->as_table(), spec, path);

  // Every point is validated now, before anything runs. A point keeps only
  // its scenarios and sites (memory: points x parameters, never outputs).
  toml::table base = root;
  base.erase("sweep");
  const std::size_t points = sweep.design.points.size();
  spec.point_scenarios.reserve(points);
  spec.point_sites.reserve(points);
  for (std::size_t i = 0; i < points; ++i) {
    toml::table point = base;
    std::vector<std::string> assignments;
    for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
      const auto& p = sweep.parameters[j];
      assignments.push_back(p.key + "=" + number_text(sweep.design.points[i][j], p.integer));
    }
    try {
      for (const auto& a : assignments) apply_override(point, a);
      toml::table unused;
      ExperimentSpec s = load_table(point, path, registry, false, unused);
      spec.point_scenarios.push_back(std::move(s.scenarios));
      spec.point_sites.push_back(std::move(s.sites));
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: sweep: point {} ({}) is invalid: {}",
                                    location_of(*sweep_node, path).str(), i, join(assignments, ", "),
                                    e.what()));
    }
  }
  resolved.insert_or_assign("sweep", resolved_sweep(sweep));
  spec.resolved_toml = to_toml(resolved);
  spec.sweep = std::move(sweep);
  return spec;
}

}  // namespace atc::sim
