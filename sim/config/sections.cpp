#include "sim/config/sections.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "sim/config/csv.hpp"
#include "sim/config/site_overrides.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

namespace fs = std::filesystem;

namespace {

struct Loader {
  const ModelRegistry& registry;
  std::string file;
  bool allow_unmatched = false;  // [sites] overrides rows that match no site: a warning, not an error
  ExperimentSpec spec;
  toml::table resolved;

  void experiment_section(TableReader& root);
  const ModelDescription& model_section(TableReader& root);
  void scenarios(TableReader& root);
  void sites(TableReader& root);
  SiteSpec site_entry(const toml::table& table, std::size_t k, std::set<std::string>& ids);
  void site_overrides_file(TableReader& root);
  [[nodiscard]] toml::table resolved_site(const SiteSpec& s) const;
  void output(TableReader& root, bool check_path);
  void contrasts(TableReader& root);
  void site_labels(TableReader& r, const std::string& key, const std::vector<std::string>& allowed,
                   std::vector<std::string>& labels);
  InterventionSpec intervention(const toml::table& table, const std::string& prefix,
                                const std::string& scenario, std::map<std::string, int>& kinds);
  std::int64_t time_key(TableReader& r, const std::string& kind, bool start, std::string& key);
  [[nodiscard]] std::string step_date(std::int64_t step) const;  // the date a step starts on
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

// The step at which an intervention starts (or ends), from whichever of
// *_step, *_week or *_date was given; `key` is set to that key ("" if none).
std::int64_t Loader::time_key(TableReader& r, const std::string& kind, bool start, std::string& key) {
  const std::string which = start ? "start" : "end";
  key.clear();
  const auto step = r.integer(which + "_step", 0);
  const auto week = r.integer(which + "_week", 0);
  const auto date = r.date(which + "_date");
  const int given = (step ? 1 : 0) + (week ? 1 : 0) + (date ? 1 : 0);
  if (given > 1) {
    r.fail(which + "_week", fmt::format("give one of {0}_step, {0}_week or {0}_date", which));
  }
  if (step) {
    key = which + "_step";
    return *step;
  }
  if (week) {
    key = which + "_week";
    return *week > INT64_MAX / 7 ? INT64_MAX : (*week * 7) / spec.step_days;  // past any end: never
  }
  if (date) {
    key = which + "_date";
    const std::int64_t days = date->days_since_epoch() - spec.start_date.days_since_epoch();
    if (days < 0) {
      r.fail(which + "_date", fmt::format("{} of '{}' is before the experiment starts ({})", which, kind,
                                          spec.start_date.iso()));
    }
    return days / spec.step_days;
  }
  return start ? 0 : INT64_MAX;
}

std::string Loader::step_date(std::int64_t step) const {
  // Beyond 100,000 years (a week number typed as a year): no calendar date.
  if (step > 36'525'000 / spec.step_days) return "a date after year 100000";
  return Date::from_days_since_epoch(spec.start_date.days_since_epoch() + step * spec.step_days).iso();
}

// `prefix` names the intervention by position; `scenario` is the name of its
// scenario; `scheduled` counts the kinds of the scenario's interventions, so that
// a kind scheduled twice is told apart (`intervention "lockdown"[1]`).
InterventionSpec Loader::intervention(const toml::table& table, const std::string& prefix,
                                      const std::string& scenario, std::map<std::string, int>& scheduled) {
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
  const int repeat = scheduled[*kind]++;
  const std::string named = repeat == 0 ? fmt::format("{}.intervention \"{}\"", scenario, *kind)
                                        : fmt::format("{}.intervention \"{}\"[{}]", scenario, *kind, repeat);
  // From here on messages name the intervention by its kind, not its position.
  r.set_prefix(named);
  std::string start_key;
  std::string end_key;
  out.start_step = time_key(r, *kind, true, start_key);
  out.end_step = time_key(r, *kind, false, end_key);
  // An intervention that can never be active is a mistake, not a no-op
  // (e.g. a start date typed a year too late).
  if (out.start_step >= spec.steps) {
    r.fail(start_key,
           fmt::format("'{}' would start on {} (step {}), at or after the end of the experiment "
                       "({}, step {}): it would never be active",
                       *kind, step_date(out.start_step), out.start_step, step_date(spec.steps), spec.steps));
  }
  if (out.end_step <= out.start_step) {
    r.fail(end_key, fmt::format("'{}' must end after it starts: it would end on {} (step {}) and start on {} "
                                "(step {})",
                                *kind, step_date(out.end_step), out.end_step, step_date(out.start_step),
                                out.start_step));
  }
  const auto sites = r.string_list("sites");
  // An empty list would read as "no site" but has always meant every site
  // (the absence of a restriction): refused, so that neither is assumed.
  if (sites && sites->empty()) {
    r.fail("sites",
           "expected at least one site id (leave 'sites' out for every site, or remove the "
           "intervention for none)");
  }
  out.sites = sites.value_or(std::vector<std::string>{});
  for (const auto& id : out.sites) {
    const bool exists = std::any_of(spec.sites.begin(), spec.sites.end(),
                                    [&](const SiteSpec& site) { return site.id == id; });
    if (!exists) {
      std::vector<std::string> ids;
      for (const auto& site : spec.sites) ids.push_back(site.id);
      r.fail("sites", fmt::format("unknown site '{}'{}", id, did_you_mean(id, ids)));
    }
  }
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
      // From here on messages name the scenario, not its position.
      const std::string named = fmt::format("scenario \"{}\"", s.name);
      r.set_prefix(named);
      s.description = r.string("description").value_or("");
      s.params = spec.params;
      toml::table resolved_model;
      if (const toml::table* m = r.table("model")) {
        TableReader mr(*m, named + ".model", file);
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
        std::map<std::string, int> kinds;
        for (std::size_t j = 0; j < interventions->size(); ++j) {
          auto iv = intervention(*interventions->get(j)->as_table(),
                                 fmt::format("{}.intervention[{}]", named, j), named, kinds);
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

// A label the model's site schema allows (any non-empty label when it lists none).
void check_label(TableReader& r, const std::string& key, const std::string& label,
                 const std::vector<std::string>& allowed) {
  if (label.empty()) r.fail(key, "expected a non-empty label");
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), label) != allowed.end()) return;
  r.fail(key, fmt::format("unknown label \"{}\"{}; expected one of: {}", label, did_you_mean(label, allowed),
                          join(allowed, ", ")));
}

// [site.perimeter] or [site.source_kind]: one label per site field.
void Loader::site_labels(TableReader& r, const std::string& key, const std::vector<std::string>& allowed,
                         std::vector<std::string>& labels) {
  const toml::table* t = r.table(key);
  if (t == nullptr) return;
  TableReader tr(*t, r.path(key), file);
  const auto& decls = spec.model->site_fields;
  for (std::size_t i = 0; i < decls.size(); ++i) {
    if (auto label = tr.string(decls[i].name)) {
      check_label(tr, decls[i].name, *label, allowed);
      labels[i] = *label;
    }
  }
  tr.finish();
}

// Labels a config may write: the model's, plus "unstated" (a value given
// without saying where it comes from).
std::vector<std::string> with_unstated(std::vector<std::string> labels) {
  if (!labels.empty()) labels.emplace_back("unstated");
  return labels;
}

void Loader::sites(TableReader& root) {
  const auto& decls = spec.model->site_fields;
  const toml::array* arr = root.array_of_tables("site");
  const SiteSchema& schema = spec.model->site_schema;
  if (arr == nullptr) {
    SiteSpec s;
    if (!decls.empty()) {
      s.id = "example";
      s.name = "Example site (built-in profile)";
    }
    s.fields = ParamSet(&decls);
    for (const auto& d : decls) s.provenance.push_back(d.source);
    s.perimeter.assign(decls.size(), schema.default_perimeter);
    s.source_kind.assign(decls.size(), schema.default_source_kind);
    s.identity = schema.default_identity;
    spec.sites.push_back(std::move(s));
  } else {
    std::set<std::string> ids;
    for (std::size_t k = 0; k < arr->size(); ++k)
      spec.sites.push_back(site_entry(*arr->get(k)->as_table(), k, ids));
  }
  site_overrides_file(root);
  toml::array resolved_sites;
  for (const auto& s : spec.sites) resolved_sites.push_back(resolved_site(s));
  resolved.insert("site", std::move(resolved_sites));
}

// One [[site]] table: its identity, its fields (declared defaults where it
// gives none) and the labels of where each value comes from.
SiteSpec Loader::site_entry(const toml::table& table, std::size_t k, std::set<std::string>& ids) {
  const auto& decls = spec.model->site_fields;
  const SiteSchema& schema = spec.model->site_schema;
  TableReader r(table, fmt::format("site[{}]", k), file);
  SiteSpec s;
  const auto id = r.string("id");
  if (!id || id->empty()) r.expected("id", "a site id (a non-empty string)");
  s.id = *id;
  if (!ids.insert(s.id).second) r.fail("id", fmt::format("site '{}' is defined twice", s.id));
  const std::string named = fmt::format("site \"{}\"", s.id);
  r.set_prefix(named);
  s.name = r.string("name").value_or(s.id);
  s.code = r.string("code").value_or("");
  s.network = r.string("network").value_or("");
  if (!s.network.empty() && !schema.networks.empty() &&
      std::find(schema.networks.begin(), schema.networks.end(), s.network) == schema.networks.end()) {
    spec.warnings.push_back(
        fmt::format("{}: {}.network: \"{}\" is none of the networks the model knows ({}){}: "
                    "this site takes no network's method",
                    r.where("network").str(), named, s.network, join(schema.networks, ", "),
                    did_you_mean(s.network, schema.networks)));
  }
  s.notes = r.string("notes").value_or("");
  s.identity = schema.default_identity;
  if (auto identity = r.string("identity")) {
    check_label(r, "identity", *identity, schema.identity_labels);
    s.identity = *identity;
  }
  s.fields = ParamSet(&decls);
  s.provenance.assign(decls.size(), "");
  s.perimeter.assign(decls.size(), "");
  s.source_kind.assign(decls.size(), "");
  for (std::size_t i = 0; i < decls.size(); ++i) {
    if (auto v = r.param(decls[i])) {
      s.fields.set(i, std::move(*v));
      s.provenance[i] = "config";
      s.perimeter[i] = "unstated";
      s.source_kind[i] = "unstated";
    } else {
      s.provenance[i] = decls[i].source;
      s.perimeter[i] = schema.default_perimeter;
      s.source_kind[i] = schema.default_source_kind;
    }
  }
  site_labels(r, "perimeter", with_unstated(schema.perimeter_labels), s.perimeter);
  site_labels(r, "source_kind", with_unstated(schema.source_kind_labels), s.source_kind);
  if (const toml::table* prov = r.table("provenance")) {
    TableReader pr(*prov, named + ".provenance", file);
    for (std::size_t i = 0; i < decls.size(); ++i) {
      if (auto label = pr.string(decls[i].name)) s.provenance[i] = *label;
    }
    pr.finish();
  }
  r.finish();
  return s;
}

// [sites] overrides = "file.csv": official statistics replace site fields.
void Loader::site_overrides_file(TableReader& root) {
  const toml::table* sites_table = root.table("sites");
  if (sites_table == nullptr) return;
  TableReader sr(*sites_table, "sites", file);
  if (auto csv = sr.string("overrides")) {
    const fs::path base = fs::path(location_of(*sites_table->get("overrides"), file).file).parent_path();
    const fs::path csv_path = (base / *csv).lexically_normal();
    // A FIFO, a directory or a name too long: a located error, not an exception or a blocked read.
    if (const std::string why = unreadable_file_reason(csv_path.string()); !why.empty()) {
      sr.fail("overrides", why == "not found"
                               ? fmt::format("file '{}' not found (looked for {})", one_line(*csv, 80),
                                             one_line(csv_path.string(), 200))
                               : fmt::format("file '{}' {}", one_line(*csv, 80), why));
    }
    apply_site_overrides(read_csv(csv_path.string()), *spec.model, spec.sites, spec.warnings,
                         allow_unmatched);
  }
  sr.finish();
}

// A site as the resolved configuration shows it (every field and label).
toml::table Loader::resolved_site(const SiteSpec& s) const {
  const auto& decls = spec.model->site_fields;
  toml::table t;
  t.insert("id", s.id);
  t.insert("name", s.name);
  if (!s.code.empty()) t.insert("code", s.code);
  if (!s.network.empty()) t.insert("network", s.network);
  if (!s.notes.empty()) t.insert("notes", s.notes);
  if (!decls.empty()) t.insert("identity", s.identity);
  toml::table prov;
  toml::table perimeter;
  toml::table source_kind;
  for (std::size_t i = 0; i < decls.size(); ++i) {
    insert_value(t, decls[i].name, s.fields.value(i));
    prov.insert(decls[i].name, s.provenance[i]);
    perimeter.insert(decls[i].name, s.perimeter[i]);
    source_kind.insert(decls[i].name, s.source_kind[i]);
  }
  if (!prov.empty()) t.insert("provenance", std::move(prov));
  if (!perimeter.empty()) t.insert("perimeter", std::move(perimeter));
  if (!source_kind.empty()) t.insert("source_kind", std::move(source_kind));
  return t;
}

// [[contrast]]: name, treatment, baseline (scenario names), question,
// optional question_fr and at (the date it is measured at by default).
void Loader::contrasts(TableReader& root) {
  const toml::array* arr = root.array_of_tables("contrast");
  if (arr == nullptr) return;
  std::vector<std::string> scenario_names;
  for (const auto& s : spec.scenarios) scenario_names.push_back(s.name);
  std::set<std::string> names;
  toml::array resolved_contrasts;
  for (std::size_t k = 0; k < arr->size(); ++k) {
    TableReader r(*arr->get(k)->as_table(), fmt::format("contrast[{}]", k), file);
    ContrastSpec c;
    const auto name = r.string("name");
    if (!name || name->empty()) r.expected("name", "a contrast name (a non-empty string)");
    c.name = *name;
    if (!names.insert(c.name).second) r.fail("name", fmt::format("contrast '{}' is defined twice", c.name));
    r.set_prefix(fmt::format("contrast \"{}\"", c.name));
    auto scenario = [&](const char* key) {
      const auto value = r.string(key);
      if (!value) r.expected(key, "a scenario name");
      if (std::find(scenario_names.begin(), scenario_names.end(), *value) == scenario_names.end()) {
        r.fail(key, fmt::format("unknown scenario '{}'{}; scenarios: {}", *value,
                                did_you_mean(*value, scenario_names), join(scenario_names, ", ")));
      }
      return *value;
    };
    c.treatment = scenario("treatment");
    c.baseline = scenario("baseline");
    if (c.treatment == c.baseline) r.fail("baseline", "expected a scenario other than the treatment");
    const auto question = r.string("question");
    if (!question || question->empty()) r.expected("question", "the question the contrast answers (English)");
    c.question = *question;
    c.question_fr = r.string("question_fr").value_or("");
    const auto at = r.date("at");
    if (at) {
      const std::int64_t days = at->days_since_epoch() - spec.start_date.days_since_epoch();
      if (days < 0) {
        r.fail("at", fmt::format("expected a date within the run ({} to {})", spec.start_date.iso(),
                                 step_date(spec.steps)));
      }
      // A run shortened (e.g. --set experiment.end_date=...) keeps its contrasts: the report
      // then measures this one at the end of the run, and says so.
      if (days > spec.steps * spec.step_days) {
        spec.warnings.push_back(fmt::format(
            "contrast \"{}\".at = {} is after the end of the run ({}): it will be measured at the end",
            c.name, at->iso(), step_date(spec.steps)));
      }
      c.at = at->iso();
    }
    r.finish();
    toml::table t;
    t.insert("name", c.name);
    t.insert("treatment", c.treatment);
    t.insert("baseline", c.baseline);
    t.insert("question", c.question);
    if (!c.question_fr.empty()) t.insert("question_fr", c.question_fr);
    if (at) t.insert("at", toml::date{at->year, at->month, at->day});
    resolved_contrasts.push_back(std::move(t));
    spec.contrasts.push_back(std::move(c));
  }
  resolved.insert("contrast", std::move(resolved_contrasts));
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
  // Checked without creating anything (`validate` and a refused run leave no
  // folder behind); `run` creates the missing folders just before the file.
  if (check_path) {
    if (const std::string why = uncreatable_file_reason(spec.output.path, ".partial"); !why.empty()) {
      r.fail("path", fmt::format("cannot write '{}': {}", one_line(spec.output.path, 80), why));
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

ExperimentSpec load_table(const toml::table& root, const std::string& path, const ModelRegistry& registry,
                          const LoadOptions& options, toml::table& resolved) {
  Loader loader{registry, path, options.allow_unmatched, {}, {}};
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
  loader.contrasts(r);
  loader.output(r, options.check_output_path);
  (void)r.get("sweep");      // handled by load_experiment
  (void)r.get("posterior");  // handled by load_experiment
  r.finish();

  resolved = std::move(loader.resolved);
  return std::move(loader.spec);
}

}  // namespace atc::sim
